//! Sources that are not UTF-8: YARA-X accepts raw bytes inside text strings
//! and comments (a Latin-1 `é` is the byte 0xE9), and rejects them anywhere
//! else.

use sigscan::syntax::ast::{MetaValue, PatternKind};
use sigscan::syntax::{
    DiagnosticKind, ParseOptions, ParseOutput, SourceMap, parse_bytes,
};

fn parse(bytes: &[u8]) -> (ParseOutput, SourceMap) {
    let mut sources = SourceMap::new();
    let out = parse_bytes(
        bytes,
        "latin1.yar",
        &ParseOptions::default(),
        &mut sources,
    );
    (out, sources)
}

#[test]
fn raw_bytes_in_strings_and_comments() {
    let src = b"// caf\xe9\n/* \xff\xfe */\nrule a {\n  meta: author = \"Jos\xe9\"\n  strings: $a = \"caf\xe9\" $b = \"\"\"x\xff\ny\"\"\"\n  condition: $a and $b and \"\xe9\" == \"\\xe9\"\n}\n";
    let (out, _) = parse(src);
    assert!(!out.has_errors(), "{:?}", out.diagnostics);
    let rule = &out.file.rules[0];
    assert_eq!(rule.meta[0].value, MetaValue::Str(b"Jos\xe9".to_vec()));
    assert_eq!(rule.patterns[0].kind, PatternKind::Text(b"caf\xe9".to_vec()));
    assert_eq!(rule.patterns[1].kind, PatternKind::Text(b"x\xff\ny".to_vec()));
}

#[test]
fn raw_bytes_elsewhere_are_errors() {
    for src in [
        &b"rule caf\xe9 { condition: true }"[..],
        b"rule a { condition: \xff }",
        b"rule a { strings: $a = /caf\xe9/ condition: $a }",
        b"\xef\xbb rule a { condition: true }",
    ] {
        let (out, sources) = parse(src);
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.kind == DiagnosticKind::InvalidUtf8)
            .unwrap_or_else(|| panic!("no InvalidUtf8 for {src:?}"));
        // The rendering names the byte.
        assert!(d.render(&sources).contains("0x"), "{}", d.render(&sources));
    }
}

#[test]
fn valid_utf8_is_unchanged() {
    let (out, _) =
        parse("rule a { strings: $a = \"h\u{e9}\" condition: $a }".as_bytes());
    assert!(!out.has_errors());
    assert_eq!(
        out.file.rules[0].patterns[0].kind,
        PatternKind::Text("h\u{e9}".as_bytes().to_vec())
    );
}

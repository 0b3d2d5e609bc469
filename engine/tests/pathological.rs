//! Hostile input: deep nesting, long chains, huge literals and megabytes of
//! garbage must give an error, not a stack overflow or a hang.
//!
//! Each input is parsed on a thread with the default stack of a spawned
//! Rust thread (2 MiB), in a debug build (whose frames are several times
//! larger than in release), so that a recursion without a bound shows up
//! as a crash here rather than in production.

use sigscan::syntax::{
    DiagnosticKind, ParseOptions, ParseOutput, SourceMap, parse, parse_bytes,
};

fn on_small_stack<F>(f: F) -> ParseOutput
where
    F: FnOnce() -> ParseOutput + Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the parser must not crash")
}

fn parse_str(text: String) -> ParseOutput {
    on_small_stack(move || {
        let mut sources = SourceMap::new();
        parse(&text, "hostile.yar", &ParseOptions::default(), &mut sources)
    })
}

fn assert_error(out: &ParseOutput, kind: DiagnosticKind, what: &str) {
    assert!(
        out.diagnostics.iter().any(|d| d.kind == kind),
        "{what}: expected a {kind:?} diagnostic, got {:?}",
        out.diagnostics.iter().map(|d| d.kind).collect::<Vec<_>>()
    );
}

fn cond(c: &str) -> String {
    format!("rule a {{ condition: {c} }}")
}

const N: usize = 100_000;

#[test]
fn deep_parentheses() {
    let out = parse_str(cond(&"(".repeat(N)));
    assert_error(&out, DiagnosticKind::TooDeep, "100k `(`");
    let text = format!("{}1{} == 1", "(".repeat(N), ")".repeat(N));
    assert_error(&parse_str(cond(&text)), DiagnosticKind::TooDeep, "(((1)))");
}

#[test]
fn deep_prefix_operators() {
    for op in ["not ", "defined ", "-", "~", "- "] {
        let text = format!("{}1", op.repeat(N));
        let out = parse_str(cond(&text));
        assert_error(&out, DiagnosticKind::TooDeep, op);
    }
}

#[test]
fn long_operator_chains() {
    for op in [" + ", " * ", " | ", " == "] {
        let text = vec!["x"; N].join(op);
        let out = parse_str(cond(&text));
        assert_error(&out, DiagnosticKind::TooDeep, op);
    }
    let text = format!("x{}", ".y".repeat(N));
    assert_error(&parse_str(cond(&text)), DiagnosticKind::TooDeep, "a.b.c…");
    let text = format!("x{}", "[0].y(1).z".repeat(N));
    assert_error(&parse_str(cond(&text)), DiagnosticKind::TooDeep, "a[0].b…");
}

/// `and` / `or` chains are balanced trees and one list once compiled:
/// 100k terms parse, compile and scan on a small stack (YARA-X compiles
/// up to about 9,000 `filesize == N` terms, so real hash lists of
/// thousands of terms must work).
#[test]
fn long_and_or_chains_are_accepted() {
    for op in [" or ", " and "] {
        let text = vec!["x"; N].join(op);
        let out = parse_str(cond(&text));
        assert!(out.diagnostics.is_empty(), "{op}: {:?}", out.diagnostics);
    }
    let matched = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let terms: Vec<String> =
                (0..N).map(|i| format!("filesize == {i}")).collect();
            let mut c = sigscan::Compiler::new();
            c.add_source(&cond(&terms.join(" or "))).expect("compiles");
            let rules = c.build().expect("builds");
            let mut s = sigscan::Scanner::new(&rules);
            [&b"abc"[..], &[0u8; 70_000][..]]
                .map(|d| s.scan(d).expect("scans").matching_rules().count())
        })
        .expect("spawn")
        .join()
        .expect("no crash");
    assert_eq!(matched, [1, 1]);
}

#[test]
fn deep_nested_forms() {
    let cases = [
        ("f(", ")"),
        ("x[", "]"),
        ("uint8(", ")"),
        ("for any i in (1..2) : (", ")"),
        ("with a = 1 : (", ")"),
        ("any of (", ")"),
        ("#a in (0..", ")"),
        ("@a[", "]"),
    ];
    for (open, close) in cases {
        let text = format!("{}1{}", open.repeat(N), close.repeat(N));
        let out = parse_str(cond(&text));
        assert_error(&out, DiagnosticKind::TooDeep, open);
    }
}

#[test]
fn deep_hex_alternatives() {
    let text = format!(
        "rule a {{ strings: $a = {{ 01 {}02{} }} condition: $a }}",
        "( ".repeat(N),
        " )".repeat(N)
    );
    assert_error(&parse_str(text), DiagnosticKind::TooDeep, "hex ((((");
}

#[test]
fn huge_literals() {
    let digits = "9".repeat(1 << 20);
    let out = parse_str(cond(&format!("{digits} > 0")));
    assert_error(&out, DiagnosticKind::IntegerOverflow, "1M digits");
    // A long string literal is fine.
    let s = "a".repeat(1 << 20);
    let out = parse_str(cond(&format!("\"{s}\" == \"a\"")));
    assert!(!out.has_errors());
    let jump = format!(
        "rule a {{ strings: $a = {{ 01 [{}] 02 }} condition: $a }}",
        "9".repeat(1000)
    );
    assert_error(&parse_str(jump), DiagnosticKind::IntegerOverflow, "jump");
}

/// A deterministic pseudo-random byte generator (xorshift).
fn garbage(len: usize, seed: u64, alphabet: &[u8]) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize]
        })
        .collect()
}

#[test]
fn ten_megabytes_of_garbage() {
    const LEN: usize = 10 << 20;
    let all: Vec<u8> = (0..=255).collect();
    let syntax = b"rule{}()[]$#@!\"/\\*:=<>.-+~ \n\tabc0x19?|";
    for (seed, alphabet) in
        [(1, &all[..]), (2, &syntax[..]), (3, &b"((((((rule a{"[..])]
    {
        let bytes = garbage(LEN, seed, alphabet);
        let out = on_small_stack(move || {
            let mut sources = SourceMap::new();
            parse_bytes(
                &bytes,
                "garbage",
                &ParseOptions::default(),
                &mut sources,
            )
        });
        assert!(out.has_errors(), "garbage {seed} must not parse");
        assert!(out.diagnostics.len() <= 200, "errors are capped");
    }
}

#[test]
fn many_rules_and_errors() {
    let text = "rule a { condition: true }\n".repeat(N);
    let out = parse_str(text);
    assert_error(&out, DiagnosticKind::DuplicateRule, "duplicates");
    assert!(out.diagnostics.len() <= 200, "errors are capped");
    let text = "rule a { condition: }\n".repeat(N);
    let out = parse_str(text);
    assert!(out.diagnostics.len() <= 200, "errors are capped");
}

#[test]
fn just_under_the_limits() {
    // Long chains up to the AST depth limit parse (and are checked).
    let n = sigscan::syntax::MAX_AST_DEPTH as usize - 10;
    let text = format!(
        "rule a {{ strings: $a = \"x\" condition: {} }}",
        vec!["$a"; n].join(" or ")
    );
    let out = parse_str(text);
    assert!(!out.has_errors(), "{:?}", out.diagnostics.first());
    // What YARA-X 1.22 accepts: 495 levels of parentheses, 996 of `not`.
    let text = format!("{}true{}", "(".repeat(490), ")".repeat(490));
    assert!(!parse_str(cond(&text)).has_errors(), "490 parentheses");
    let text = format!("{}true", "not ".repeat(990));
    assert!(!parse_str(cond(&text)).has_errors(), "990 `not`");
    let text = format!("{}1 == 1", "-".repeat(990));
    assert!(!parse_str(cond(&text)).has_errors(), "990 `-`");
    // Thirty levels of every nesting form parse.
    let cases = [
        ("(", ")"),
        ("f(", ")"),
        ("x[", "]"),
        ("uint8(", ")"),
        ("for any i in (1..2) : (", ")"),
        ("with a = 1 : (", ")"),
        ("any of (", ")"),
        ("not ", ""),
        ("-", ""),
    ];
    for (open, close) in cases {
        let text = format!("{}1{}", open.repeat(30), close.repeat(30));
        let out = parse_str(cond(&text));
        assert!(
            !out.diagnostics.iter().any(|d| d.kind == DiagnosticKind::TooDeep),
            "30 levels of `{open}` must be accepted"
        );
    }
}

/// Inside `on_deep_stack` (one thread for many sources, where parsing
/// and lowering run in place), the deepest sources YARA-X accepts still
/// compile and scan, and hostile ones still give errors: called from a
/// small stack, as above.
#[test]
fn deep_sources_compile_inside_on_deep_stack() {
    let deepest = [
        format!("{}true{}", "(".repeat(490), ")".repeat(490)),
        format!("{}true", "not ".repeat(990)),
        format!("{}1 == -1", "-".repeat(990)),
    ];
    let out = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            sigscan::on_deep_stack(|| {
                let mut c = sigscan::Compiler::new();
                for (i, d) in deepest.iter().enumerate() {
                    let src = format!("rule r{i} {{ condition: {d} }}");
                    c.add_source(&src).expect("deep source compiles");
                }
                let hostile = cond(&"(".repeat(N));
                assert!(c.add_source(&hostile).is_err(), "hostile refused");
                let rules = c.build().expect("build");
                let mut s = sigscan::Scanner::new(&rules);
                s.scan(b"x").expect("scan").matching_rules().count()
            })
        })
        .expect("spawn")
        .join()
        .expect("no crash");
    // `(((true)))` and an even number of `not` hold; `-…-1 == -1` holds
    // for an even number of `-` (990).
    assert_eq!(out, 2);
}

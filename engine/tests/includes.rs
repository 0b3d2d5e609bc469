//! Includes: resolution (the including file's folder, then the include
//! dirs), splicing of rules and imports, and the errors (missing file,
//! cycle, includes disabled) with the include chain.

use std::path::PathBuf;

use sigscan::syntax::{
    DiagnosticKind, ParseOptions, ParseOutput, SourceMap, parse,
};

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir()
            .join(format!("sigscan-includes-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
        std::fs::create_dir_all(dir.join("lib")).expect("temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn parse_file(path: &PathBuf, options: &ParseOptions) -> ParseOutput {
    let text = std::fs::read_to_string(path).expect("read");
    let mut sources = SourceMap::new();
    parse(&text, &path.display().to_string(), options, &mut sources)
}

fn rule_names(out: &ParseOutput) -> Vec<&str> {
    out.file.rules.iter().map(|r| r.name.name.as_str()).collect()
}

#[test]
fn rules_and_imports_are_spliced_in_order() {
    let t = TempDir::new("splice");
    t.write("sub/b.yar", "import \"math\"\nrule b { condition: true }\n");
    t.write("lib/c.yar", "rule c { condition: true }\n");
    let main = t.write(
        "main.yar",
        "import \"pe\"\nrule a { condition: true }\ninclude \"sub/b.yar\"\n\
         include \"c.yar\"\nrule d { condition: a and b and c }\n",
    );
    let options = ParseOptions {
        include_dirs: vec![t.0.join("lib")],
        ..Default::default()
    };
    let out = parse_file(&main, &options);
    assert!(!out.has_errors(), "{:?}", out.diagnostics);
    assert_eq!(rule_names(&out), ["a", "b", "c", "d"]);
    let imports: Vec<&str> =
        out.file.imports.iter().map(|i| i.module.as_str()).collect();
    assert_eq!(imports, ["pe", "math"]);
}

#[test]
fn relative_to_the_including_file_first() {
    let t = TempDir::new("relative");
    t.write("sub/x.yar", "include \"y.yar\"\n");
    t.write("sub/y.yar", "rule from_sub { condition: true }\n");
    t.write("lib/y.yar", "rule from_lib { condition: true }\n");
    let main = t.write("main.yar", "include \"sub/x.yar\"\n");
    let options = ParseOptions {
        include_dirs: vec![t.0.join("lib")],
        ..Default::default()
    };
    let out = parse_file(&main, &options);
    assert_eq!(rule_names(&out), ["from_sub"]);
}

#[test]
fn errors_carry_the_chain() {
    let t = TempDir::new("errors");
    t.write("sub/bad.yar", "include \"missing.yar\"\nrule a { condition: }\n");
    t.write("sub/loop.yar", "include \"../main.yar\"\n");
    let main = t.write(
        "main.yar",
        "include \"sub/bad.yar\"\ninclude \"sub/loop.yar\"\n\
         rule a { condition: true }\n",
    );
    let out = parse_file(&main, &ParseOptions::default());
    let kinds: Vec<DiagnosticKind> =
        out.diagnostics.iter().map(|d| d.kind).collect();
    assert!(kinds.contains(&DiagnosticKind::IncludeNotFound), "{kinds:?}");
    assert!(kinds.contains(&DiagnosticKind::SyntaxError), "{kinds:?}");
    assert!(kinds.contains(&DiagnosticKind::IncludeCycle), "{kinds:?}");
    let missing = out
        .diagnostics
        .iter()
        .find(|d| d.kind == DiagnosticKind::IncludeNotFound)
        .expect("missing include");
    assert!(missing.notes.iter().any(|n| n.contains("main.yar")));
}

#[test]
fn includes_can_be_disabled() {
    let t = TempDir::new("disabled");
    t.write("sub/b.yar", "rule b { condition: true }\n");
    let main = t.write(
        "main.yar",
        "include \"sub/b.yar\"\nrule a { condition: true }\n",
    );
    let options =
        ParseOptions { includes_enabled: false, ..Default::default() };
    let out = parse_file(&main, &options);
    assert_eq!(out.diagnostics[0].kind, DiagnosticKind::IncludesDisabled);
    assert_eq!(rule_names(&out), ["a"]);
}

//! Replays every input the fuzzers found (`../fuzz/regressions/<target>/`)
//! the way its fuzz target ran it, so that a fixed crash or difference
//! stays fixed. `../fuzz/regressions/README.md` names each root cause.
//!
//! - `parse/*`: bytes as rule source.
//! - `compile/*.yar`: the rule text a `compile` input printed (its
//!   `Debug`), compiled and scanned over the target's fixed buffer.
//! - `scan/*`: data scanned with `../fuzz/rules/scan.yar`.
//! - `pe/*`, `elf/*`, `dotnet/*`: bytes through the module's parser and
//!   every field and function (`sigscan::fuzzing::walk_module`).
//! - `database/*`: bytes loaded as a compiled database, as they are and
//!   with their SHA-256 appended as the digest; loaded rules scan a small
//!   buffer.
//! - `differential/NAME.yar` + `NAME.data` + `NAME.expected`: the rules
//!   scanned over the data must give what YARA-X gave, written one
//!   matching rule a line as `rule $pattern=offset+length …`. A
//!   `NAME.skip` beside them holds the reason a known difference is not
//!   fixed yet, and skips it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sigscan::syntax::{ParseOptions, SourceMap, parse_bytes};

fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(d) => d.flatten().map(|e| e.path()).collect(),
        Err(_) => return Vec::new(),
    };
    files.retain(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"));
    files.sort();
    files
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// What every fuzz target's scanner does: a timeout and a match limit.
fn scan(rules: &sigscan::Rules, data: &[u8]) -> Vec<String> {
    let mut scanner = sigscan::Scanner::new(rules);
    scanner.set_timeout(Duration::from_secs(10)).max_matches_per_pattern(1000);
    let results = scanner.scan(data).expect("scans");
    results
        .matching_rules()
        .map(|r| {
            let mut line = r.identifier().to_string();
            for p in r.patterns() {
                for m in p.matches() {
                    line +=
                        &format!(" {}={}+{}", p.identifier(), m.offset, m.len);
                }
            }
            line
        })
        .collect()
}

fn compile(text: &str) -> Result<sigscan::Rules, String> {
    let mut compiler = sigscan::Compiler::new();
    compiler.add_source(text).map_err(|e| e.to_string())?;
    compiler.build().map_err(|e| e.to_string())
}

#[test]
fn parse_regressions() {
    for p in regressions("parse") {
        let mut sources = SourceMap::new();
        let options =
            ParseOptions { includes_enabled: false, ..Default::default() };
        let _ = parse_bytes(&read(&p), "fuzz.yar", &options, &mut sources);
    }
}

#[test]
fn compile_regressions() {
    const DATA: &[u8] = b"MZ\x90\x00abcAB1 abc\x00a\x00b\x00c\x00\xff. YWJj \
        \x7fELF\x02\x01\x01 aaaaaaaaaaaaaaaabbbbbbbbcccc 0123456789";
    for p in regressions("compile") {
        let text = String::from_utf8_lossy(&read(&p)).into_owned();
        if let Ok(rules) = compile(&text) {
            scan(&rules, DATA);
        }
    }
}

#[test]
fn scan_regressions() {
    let rules_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/rules/scan.yar");
    let text = String::from_utf8(read(&rules_path)).expect("UTF-8");
    let rules = compile(&text).expect("fuzz/rules/scan.yar compiles");
    for p in regressions("scan") {
        scan(&rules, &read(&p));
    }
}

#[test]
fn module_regressions() {
    for module in ["pe", "elf", "dotnet"] {
        for p in regressions(module) {
            let seen = sigscan::fuzzing::walk_module(module, &read(&p));
            assert!(seen.is_some(), "{module} is a module");
        }
    }
}

#[test]
fn database_regressions() {
    use sha2::{Digest, Sha256};
    for p in regressions("database") {
        let data = read(&p);
        let mut with_digest = data.clone();
        with_digest.extend_from_slice(&Sha256::digest(&data));
        for db in [&data, &with_digest] {
            if let Ok(rules) = sigscan::Rules::load(db) {
                scan(&rules, b"abc xyz qqq cXF4 MZ\x90\x00");
            }
        }
    }
}

#[test]
fn differential_regressions() {
    let mut failures = String::new();
    for p in regressions("differential") {
        if p.extension().is_none_or(|e| e != "yar") {
            continue;
        }
        if let Ok(why) = std::fs::read_to_string(p.with_extension("skip")) {
            eprintln!("{} skipped: {}", p.display(), why.trim());
            continue;
        }
        let text = String::from_utf8(read(&p)).expect("UTF-8");
        let data = read(&p.with_extension("data"));
        let expected = String::from_utf8(read(&p.with_extension("expected")))
            .expect("UTF-8");
        let expected: Vec<&str> =
            expected.lines().filter(|l| !l.is_empty()).collect();
        let rules = match compile(&text) {
            Ok(r) => r,
            Err(e) => {
                failures += &format!("{}: {e}\n", p.display());
                continue;
            }
        };
        let got = scan(&rules, &data);
        if got != expected {
            failures += &format!(
                "{}:\n  sigscan {got:?}\n  yara-x  {expected:?}\n",
                p.display()
            );
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

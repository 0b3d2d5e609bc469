//! Helpers shared by the integration tests: where `../shared` is, and the
//! rule files under it, the matches of a pattern in some data.

// Each test binary that includes this module uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `shared` folder beside the checkout (rules, conformance cases,
/// libyara's test files).
pub fn shared() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).into()
}

/// Every `*.yar` / `*.yara` file below `dir`, recursively, in sorted
/// order.
pub fn rule_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yar" | "yara")
        ) {
            out.push(p);
        }
    }
}

/// The matches (offset, length) of pattern `id` in `data`, from `src`
/// compiled and from the same rules loaded back from a database (the
/// two must agree with what YARA-X reports).
pub fn matches_compiled_and_loaded(
    src: &str,
    data: &[u8],
    id: &str,
) -> [(&'static str, Vec<(usize, usize)>); 2] {
    use sigscan::{Compiler, Rules, Scanner};
    let mut c = Compiler::new();
    c.add_source(src).expect("compiles");
    let rules = c.build().expect("builds");
    let loaded = Rules::load(&rules.serialize()).expect("loads");
    [("compiled", &rules), ("loaded", &loaded)].map(|(how, rules)| {
        let mut s = Scanner::new(rules);
        let results = s.scan(data).expect("scans");
        let mut got = Vec::new();
        for r in results.matching_rules() {
            for p in r.patterns().filter(|p| p.identifier() == id) {
                got.extend(p.matches().iter().map(|m| (m.offset, m.len)));
            }
        }
        (how, got)
    })
}

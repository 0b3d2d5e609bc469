//! Helpers shared by the integration tests: where `../shared` is, and the
//! rule files under it.

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

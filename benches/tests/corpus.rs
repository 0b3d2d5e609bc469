//! The committed corpus (`corpus/files`) seen by YARA-X and sigscan: every
//! property of `corpus/properties.txt` holds in both, and both engines
//! agree on the five shared rule sets over every corpus file.

use std::path::{Path, PathBuf};

use sigscan_benches::{
    compilable_shared_sources, sigscan_compile, sigscan_scan, yarax_compile,
    yarax_scan,
};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// `(path, condition)` from `corpus/properties.txt`.
fn properties() -> Vec<(String, String)> {
    let path = corpus_dir().join("properties.txt");
    let text = std::fs::read_to_string(path).expect("properties.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (f, c) = l.split_once(": ").expect("PATH: CONDITION");
            (f.to_string(), c.to_string())
        })
        .collect()
}

#[test]
fn corpus_properties_hold_in_yarax_and_sigscan() {
    let mut failures = Vec::new();
    for (file, cond) in properties() {
        let src = format!(
            "import \"pe\" import \"elf\" rule p {{ condition: {cond} }}"
        );
        let data = std::fs::read(corpus_dir().join("files").join(&file))
            .expect("read");
        let theirs = match yara_x::compile(src.as_str()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{file}: {cond}: yara-x: {e}"));
                continue;
            }
        };
        let mut s = yara_x::Scanner::new(&theirs);
        let n = s.scan(&data).expect("scans").matching_rules().len();
        if n != 1 {
            failures.push(format!("{file}: {cond}: false in yara-x"));
        }
        let mut c = sigscan::Compiler::new();
        let ours = c.add_source(&src).map(|_| ()).and_then(|()| c.build());
        let Ok(ours) = ours else {
            failures.push(format!("{file}: {cond}: sigscan refuses it"));
            continue;
        };
        let mut s = sigscan::Scanner::new(&ours);
        if s.scan(&data).expect("scans").matching_rules().count() != 1 {
            failures.push(format!("{file}: {cond}: false in sigscan"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shared_rule_sets_agree_on_the_corpus() {
    let (sources, _) = compilable_shared_sources().expect("shared rules");
    let ours = sigscan_compile(&sources, true).expect("sigscan compiles");
    let theirs = yarax_compile(&sources, true).expect("yara-x compiles");
    let mut s1 = sigscan::Scanner::new(&ours);
    let mut s2 = yara_x::Scanner::new(&theirs);
    let mut failures = Vec::new();
    for (file, data) in sigscan_corpus_files() {
        let a = sigscan_scan(&mut s1, &data).expect("sigscan scans");
        let b = yarax_scan(&mut s2, &data).expect("yara-x scans");
        if let Some(d) = a.diff(&b) {
            failures.push(format!("{file}:\n{d}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every file under `corpus/files`, as (relative path, bytes).
fn sigscan_corpus_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![corpus_dir().join("files")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(corpus_dir()).unwrap_or(&p);
                let data = std::fs::read(&p).expect("readable");
                out.push((rel.display().to_string(), data));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 10, "corpus/files holds too few files");
    out
}

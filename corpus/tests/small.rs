//! The committed corpus is what the generator makes, and its files have
//! the properties `corpus/properties.txt` lists, as sigscan's modules see
//! them.

use std::path::{Path, PathBuf};

fn files_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("files")
}

fn committed(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus/files is readable")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        let rel = format!("{prefix}{name}");
        if p.is_dir() {
            committed(&p, &format!("{rel}/"), out);
        } else {
            out.push(rel);
        }
    }
}

#[test]
fn committed_files_are_what_the_generator_makes() {
    let generated = sigscan_corpus::small();
    let mut expected: Vec<String> =
        generated.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    let mut found = Vec::new();
    committed(&files_dir(), "", &mut found);
    assert_eq!(
        found, expected,
        "corpus/files differs from the generator's list; regenerate with \
         `cargo run -p sigscan-corpus -- small`"
    );
    for (name, bytes) in &generated {
        let on_disk = std::fs::read(files_dir().join(name)).expect("read");
        assert!(
            on_disk == *bytes,
            "{name} differs from what the generator makes; regenerate with \
             `cargo run -p sigscan-corpus -- small`"
        );
    }
}

/// `(path, condition)` from `corpus/properties.txt`.
fn properties() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("properties.txt");
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
fn properties_hold_in_sigscan() {
    let props = properties();
    assert!(props.len() > 30, "properties.txt lost its lines");
    let mut failures = Vec::new();
    for (file, cond) in &props {
        let src = format!(
            "import \"pe\" import \"elf\" rule p {{ condition: {cond} }}"
        );
        let mut c = sigscan::Compiler::new();
        if let Err(e) = c.add_source(&src) {
            failures.push(format!("{file}: {cond}: {e}"));
            continue;
        }
        let rules = match c.build() {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{file}: {cond}: {e}"));
                continue;
            }
        };
        let data = std::fs::read(files_dir().join(file)).expect("read");
        let mut scanner = sigscan::Scanner::new(&rules);
        let results = scanner.scan(&data).expect("scans");
        if results.matching_rules().count() != 1 {
            failures.push(format!("{file}: {cond}: false"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

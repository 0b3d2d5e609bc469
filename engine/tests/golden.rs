//! Golden diagnostics: every `tests/errors/NNN.yar` is diagnosed and the
//! rendered diagnostics are compared with `NNN.out`.
//!
//! Everything goes through [`diagnose`], which runs the full compiler, so
//! parse-stage and compile-stage diagnostics are checked alike.
//!
//! - Sources are named by their file name only (`NNN.yar`), and included
//!   files by the path written in the `include`, so the output does not
//!   depend on where the checkout lives.
//! - `tests/errors` is the include dir; files under `tests/errors/inc/`
//!   exist to be included and are not tests themselves.
//! - A first line `// options: includes_disabled` parses with includes
//!   disabled.
//! - `SIGSCAN_BLESS=1 cargo test --test golden` rewrites the `.out` files.

use std::path::{Path, PathBuf};

use sigscan::Compiler;

fn errors_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/errors")).into()
}

/// Every diagnostic for the source `source_name` with contents `source`,
/// rendered: the full compiler (parser, then name resolution, type
/// checking and pattern compilation), errors and warnings in the order
/// found.
fn diagnose(source_name: &str, source: &[u8]) -> Vec<String> {
    let first_line = source.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let first_line = String::from_utf8_lossy(first_line);
    let mut compiler = Compiler::new();
    compiler
        .enable_includes(!first_line.contains("includes_disabled"))
        .add_include_dir(errors_dir());
    match compiler.add_source_bytes_with_origin(source, source_name) {
        Err(e) => e.diagnostics().iter().map(|d| compiler.render(d)).collect(),
        Ok(_) => {
            compiler.warnings().iter().map(|d| compiler.render(d)).collect()
        }
    }
}

#[test]
fn golden_diagnostics() {
    let dir = errors_dir();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/errors")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yar"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 25, "too few golden files: {}", inputs.len());
    let bless = std::env::var_os("SIGSCAN_BLESS").is_some();
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let source = std::fs::read(input).expect("readable input");
        let got = diagnose(name, &source).concat();
        let out_path = input.with_extension("out");
        if bless {
            std::fs::write(&out_path, &got).expect("write .out");
            continue;
        }
        let expected = std::fs::read_to_string(&out_path).unwrap_or_default();
        if got.is_empty() {
            failures.push(format!("{name}: no diagnostics at all"));
        } else if got != expected {
            failures.push(format!(
                "{name}: diagnostics differ\n--- expected\n{expected}\n--- got\n{got}"
            ));
        }
    }
    println!("{} golden diagnostic files", inputs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

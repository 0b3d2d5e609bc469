//! End-to-end tests of `sigscan dump`: the built binary on YARA's test
//! files (`../shared/testdata/libyara`), its output parsed back. The
//! values themselves are checked against YARA-X field by field in
//! `benches/tests/dump_differential.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn libyara(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/testdata/libyara")
        .join(name)
}

/// Runs `sigscan dump ARGS…` and returns its standard output.
fn dump(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sigscan"))
        .arg("dump")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dump {args:?} failed: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn dump_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["-o", "json"];
    all.extend_from_slice(args);
    let text = dump(&all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn shows_the_modules_that_recognise_the_file() {
    let pe = libyara("tiny");
    let v = dump_json(&[pe.to_str().unwrap()]);
    let keys: Vec<_> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["pe"]);
    assert_eq!(v["pe"]["is_pe"], true);
    assert_eq!(v["pe"]["machine"], 0x14c);
    assert_eq!(v["pe"]["number_of_sections"], 7);
    assert_eq!(v["pe"]["sections"][0]["name"], ".text");
    // Undefined fields are left out, not null.
    assert!(v["pe"].get("dll_name").is_none());

    let elf = libyara("elf_with_imports");
    let v = dump_json(&[elf.to_str().unwrap()]);
    let keys: Vec<_> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["elf"]);
    assert_eq!(v["elf"]["type"], 3);
    assert_eq!(v["elf"]["number_of_sections"], 34);
}

#[test]
fn module_option_picks_modules_even_when_they_do_not_apply() {
    let elf = libyara("elf_with_imports");
    let v = dump_json(&["-m", "pe,dotnet", elf.to_str().unwrap()]);
    assert_eq!(v["pe"]["is_pe"], false);
    assert!(v.get("elf").is_none());
    assert!(v.get("dotnet").is_some());
}

#[test]
fn yaml_is_the_default() {
    let elf = libyara("elf_with_imports");
    let text = dump(&[elf.to_str().unwrap()]);
    assert!(text.starts_with("elf:\n    type: 3\n"), "{text}");
    assert!(text.contains("\n    sections:\n      - type: 0\n"), "{text}");
}

//! End-to-end tests of `sigscan dump`: the built binary on YARA's test
//! files (`../shared/testdata/libyara`), its output parsed back, and its
//! JSON compared byte for byte with `yr dump -o json` where `yr` is
//! installed. The values themselves are checked against YARA-X field by
//! field in `benches/tests/dump_differential.rs` (which needs no `yr`).

#[path = "support/yr.rs"]
mod yr;

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
    assert_eq!(v["pe"]["machine"], "MACHINE_I386");
    assert_eq!(v["pe"]["timestamp"]["encoding"], "timestamp");
    assert_eq!(v["pe"]["number_of_sections"], 7);
    // Section names are bytes, shown in base64.
    assert_eq!(v["pe"]["sections"][0]["name"]["value"], "LnRleHQ=");
    // Undefined fields are left out, not null.
    assert!(v["pe"].get("dll_name").is_none());

    let elf = libyara("elf_with_imports");
    let v = dump_json(&[elf.to_str().unwrap()]);
    let keys: Vec<_> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["elf"]);
    assert_eq!(v["elf"]["type"], "ET_DYN");
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
    assert!(text.starts_with("elf:\n    type: ET_DYN\n"), "{text}");
    assert!(text.contains("\n    sections:\n      - type: SHT_NULL\n"));
}

/// Byte for byte (the .NET samples, not committed, are compared in
/// `benches/tests/dump_differential.rs`; by hand their JSON is equal too).
#[test]
fn json_is_the_same_as_yr_dump() {
    let Some(yr) = yr::yr() else {
        eprintln!("skipped: yr is not installed");
        return;
    };
    let dir = libyara("");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for sub in ["corpus/files/pe", "corpus/files/elf"] {
        files.extend(
            std::fs::read_dir(root.join(sub))
                .unwrap()
                .flatten()
                .map(|e| e.path()),
        );
    }
    files.extend(
        std::fs::read_dir(root.join("engine/src/modules/pe/testdata/signed"))
            .unwrap()
            .flatten()
            .map(|e| e.path()),
    );
    files.sort();
    let mut differ = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let path = file.to_str().unwrap();
        let ours = dump(&["-o", "json", path]);
        let out = Command::new(&yr)
            .args(["dump", "-o", "json", path])
            .output()
            .unwrap();
        let theirs = String::from_utf8(out.stdout).unwrap();
        if ours != theirs {
            differ.push(name);
        }
    }
    assert!(files.len() > 20, "only {} files", files.len());
    assert!(differ.is_empty(), "differ from yr dump: {differ:?}");
}

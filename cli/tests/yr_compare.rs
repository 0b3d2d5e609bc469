//! Differential test: `sigscan scan` and YARA-X's `yr scan` given the
//! same rules, files and options must print the same stdout.
//!
//! Runs only where `yr` is installed: at `$SIGSCAN_YR`, or
//! `/opt/yr/bin/yr`. Elsewhere (CI has no `yr`) it is skipped, saying so.
//! Lines are compared sorted, as both scan files in parallel and in
//! their own walk order; JSON documents are compared parsed, with
//! `version` and the order of `matches` left out.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn yr() -> Option<PathBuf> {
    let path = std::env::var_os("SIGSCAN_YR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/yr/bin/yr"));
    path.is_file().then_some(path)
}

const RULES: &str = r#"
rule text_and_hex : t1 t2 {
  meta:
    author = "me"
    n = 42
    ok = true
    ratio = 2.5
  strings:
    $text = "hello"
    $hex = { 68 65 6c 6c 6f }
    $re = /wor[a-z]d/
  condition:
    any of them
}

rule escapes : t2 {
  strings:
    $a = "q\"x\\y\tz"
    $b = { 00 01 02 ff }
  condition:
    any of them
}

rule xored {
  strings:
    $x = "secret" xor(1-255)
  condition:
    $x
}

rule wide_nocase {
  strings:
    $w = "Hello" wide nocase
  condition:
    $w
}

private rule helper {
  strings:
    $p = "helper"
  condition:
    $p
}

rule uses_private {
  condition:
    helper and filesize > 10
}

rule long_match {
  strings:
    $l = /A{10,}/
  condition:
    $l
}

rule never { condition: false }
"#;

fn write_data(dir: &Path) {
    let d = dir.join("data");
    fs::create_dir_all(d.join("sub")).unwrap();
    fs::write(d.join("plain"), "say hello world, hello again").unwrap();
    fs::write(d.join("escapes"), b"..q\"x\\y\tz..\x00\x01\x02\xff..").unwrap();
    let secret: Vec<u8> = b"secret".iter().map(|b| b ^ 0x2a).collect();
    fs::write(d.join("xored"), [b"xx".as_slice(), &secret, b"yy"].concat())
        .unwrap();
    fs::write(d.join("wide"), b"..h\0E\0l\0L\0o\0..").unwrap();
    fs::write(d.join("private"), "a helper is here").unwrap();
    fs::write(d.join("long"), format!("x{}y", "A".repeat(125))).unwrap();
    fs::write(d.join("none"), "nothing").unwrap();
    fs::write(d.join("sub/deep"), "hello from below").unwrap();
}

fn run(bin: &Path, dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(bin)
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned())
}

fn sorted_lines(s: &str) -> Vec<String> {
    // Text output under -s has indented match lines under each rule line:
    // keep each rule line with its match lines as one block.
    let mut blocks: Vec<String> = Vec::new();
    for line in s.lines() {
        if line.starts_with("0x") && !blocks.is_empty() {
            let last = blocks.last_mut().unwrap();
            last.push('\n');
            last.push_str(line);
        } else {
            blocks.push(line.to_string());
        }
    }
    blocks.sort();
    blocks
}

fn normalized_json(s: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
    if let Some(obj) = v.as_object_mut() {
        obj.remove("version");
        if let Some(m) = obj.get_mut("matches").and_then(|m| m.as_array_mut())
        {
            m.sort_by_key(|x| x.to_string());
        }
    } else if let Some(a) = v.as_array_mut() {
        a.sort_by_key(|x| x.to_string());
    }
    v
}

#[test]
fn same_stdout_as_yr() {
    let Some(yr) = yr() else {
        eprintln!(
            "skipped: yr is not installed (set SIGSCAN_YR or install it at \
             /opt/yr/bin/yr)"
        );
        return;
    };
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_sigscan"));
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("r.yar"), RULES).unwrap();
    write_data(dir.path());

    let cases: &[&[&str]] = &[
        &[],
        &["-r"],
        &["-s"],
        &["--print-strings=3"],
        &["-m"],
        &["-g"],
        &["-e"],
        &["-e", "-g", "-m", "-s"],
        &["-c"],
        &["-n"],
        &["-n", "-c"],
        &["-t", "t2"],
        &["-z", "20"],
        &["-o", "ndjson"],
        &["-o", "ndjson", "-e", "-g", "-m", "-s"],
        &["-o", "ndjson", "-c"],
        &["-o", "ndjson", "-n", "-t", "t1"],
        &["-o", "json"],
        &["-o", "json", "-g", "-m", "-s"],
        &["-o", "json", "-c"],
    ];
    let mut failures = Vec::new();
    for case in cases {
        let mut args: Vec<&str> = case.to_vec();
        args.extend(["-w", "r.yar", "data"]);
        let (yc, yo) = run(&yr, dir.path(), &args);
        let (sc, so) = run(&ours, dir.path(), &args);
        let same = if case.contains(&"json") {
            normalized_json(&yo) == normalized_json(&so)
        } else {
            sorted_lines(&yo) == sorted_lines(&so)
        };
        if yc != sc || !same {
            failures.push(format!(
                "scan {args:?}\n--- yr (exit {yc:?}):\n{yo}\n--- sigscan \
                 (exit {sc:?}):\n{so}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

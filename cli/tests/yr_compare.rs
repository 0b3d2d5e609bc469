//! Differential test: `sigscan scan` and YARA-X's `yr scan` given the
//! same rules, files and options must print the same stdout.
//!
//! Runs only where `yr` is installed: at `$SIGSCAN_YR`, at
//! `/opt/yr/bin/yr` or on `PATH`. Elsewhere (CI has no `yr`) it is
//! skipped, saying so.
//! Lines are compared sorted, as both scan files in parallel and in
//! their own walk order; JSON documents are compared parsed, with
//! `version` and the order of `matches` left out.

#[path = "support/yr.rs"]
mod yr;
use yr::yr;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

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
            "skipped: yr is not installed (set SIGSCAN_YR, install it at \
             /opt/yr/bin/yr or put it on PATH)"
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

/// Rules that match often in real executables, beside the shared rule
/// sets (which match nothing there): literals, hex with jumps, regexes,
/// wide and xor strings.
const GENERIC: &str = r#"
rule elf64 { strings: $h = { 7F 45 4C 46 02 01 01 } condition: $h at 0 }
rule glibc { strings: $v = /GLIBC_2\.[0-9]{1,2}/ condition: $v }
rule dos_stub {
  strings: $a = "This program cannot be run in DOS mode"
  condition: $a
}
rule pe_sections {
  strings:
    $t = ".text" fullword
    $r = { 2E 72 [1-2] 61 74 61 }
  condition: uint16(0) == 0x5A4D and any of them
}
rule wide_words {
  strings: $w = "Microsoft" wide nocase $v = "version" wide
  condition: any of them
}
rule usage_xor { strings: $u = "Usage:" xor(0-2) condition: $u }
rule gcc { strings: $g = "GCC: (" condition: #g > 0 }
"#;

/// The (path, namespace, rule, pattern, offset) of every match in
/// ndjson output.
fn match_set(ndjson: &str) -> std::collections::BTreeSet<String> {
    let mut set = std::collections::BTreeSet::new();
    for line in ndjson.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let path = v["path"].as_str().unwrap();
        for rule in v["rules"].as_array().unwrap() {
            let id = rule["identifier"].as_str().unwrap();
            let ns = rule["namespace"].as_str().unwrap();
            let strings = rule["strings"].as_array();
            if strings.is_none_or(|s| s.is_empty()) {
                set.insert(format!("{path} {ns}:{id}"));
            }
            for s in strings.into_iter().flatten() {
                set.insert(format!(
                    "{path} {ns}:{id} {} @{}",
                    s["identifier"].as_str().unwrap(),
                    s["offset"]
                ));
            }
        }
    }
    set
}

/// Up to `n` regular files of `dir` below 1 MiB, every `step`-th by
/// name: real binaries.
fn some_files(dir: &str, step: usize, n: usize) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.metadata().is_ok_and(|m| m.is_file() && m.len() < 1 << 20)
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    files.into_iter().step_by(step).take(n).collect()
}

/// The acceptance test of issue 5: on real files (YARA's own test files
/// and system binaries) with the five shared rule sets, the bundled rules
/// and some generic ones, `sigscan scan -o ndjson -s -e -r` and `yr scan
/// -o ndjson -s -e -r` report the same (path, rule, pattern, offset).
#[test]
fn same_matches_as_yr_on_real_files() {
    let Some(yr) = yr() else {
        eprintln!(
            "skipped: yr is not installed (set SIGSCAN_YR, install it at \
             /opt/yr/bin/yr or put it on PATH)"
        );
        return;
    };
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_sigscan"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = root.join("../shared");
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("generic.yar"), GENERIC).unwrap();
    // One tree for one run of each: YARA's test files and some system
    // binaries, copied (links among the binaries would not be followed).
    let target = dir.path().join("data");
    let copy = |files: Vec<PathBuf>, to: &str| {
        let to = target.join(to);
        fs::create_dir_all(&to).unwrap();
        for f in files {
            if let Some(name) = f.file_name() {
                let _ = fs::copy(&f, to.join(name));
            }
        }
    };
    let libyara = shared.join("testdata/libyara");
    copy(some_files(&libyara.to_string_lossy(), 1, 100), "libyara");
    copy(some_files("/usr/bin", 7, 25), "bin");
    let mut rules: Vec<String> = ["atr-trellix", "bartblaze", "gcti"]
        .iter()
        .chain(&["mandiant-rttc", "reversinglabs"])
        .map(|set| {
            let ns = set.replace('-', "_");
            format!("{ns}:{}", shared.join("rules").join(set).display())
        })
        .collect();
    rules.push(format!("bundled:{}", root.join("rules").display()));
    rules
        .push(format!("generic:{}", dir.path().join("generic.yar").display()));

    let run = |bin: &Path| {
        let o = Command::new(bin)
            .args(["scan", "-o", "ndjson", "-s", "-e", "-r", "-w"])
            .arg("--relaxed-re-syntax")
            .args(&rules)
            .arg(&target)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(0), "{bin:?}: {err}");
        match_set(&String::from_utf8_lossy(&o.stdout))
    };
    let (theirs, mine) = (run(&yr), run(&ours));
    let only_yr: Vec<_> = theirs.difference(&mine).take(20).collect();
    let only_us: Vec<_> = mine.difference(&theirs).take(20).collect();
    assert!(
        only_yr.is_empty() && only_us.is_empty(),
        "only in yr: {only_yr:#?}\nonly in sigscan: {only_us:#?}"
    );
    let total = mine.len();
    eprintln!("{total} matches compared");
    assert!(total > 100, "so few matches ({total}) prove little");
}

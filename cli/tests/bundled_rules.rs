//! The bundled rules (`rules/`) against their samples (`corpus/rules/`):
//! every rule has a positive and a negative sample, matches the first and
//! not the second, in sigscan and (where `yr` is installed) in YARA-X; the
//! committed samples are the ones `support/samples.rs` makes.
//!
//! After changing the samples, write them again with
//! `SIGSCAN_BLESS=1 cargo test -p sigscan-cli --test bundled_rules`.

#[path = "support/yr.rs"]
mod yr;
use yr::yr;

#[path = "support/samples.rs"]
mod samples;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rules_dir() -> PathBuf {
    root().join("rules")
}

fn samples_dir() -> PathBuf {
    root().join("corpus/rules")
}

/// The rule files of `rules/`, sorted, with their text.
fn rule_files() -> Vec<(PathBuf, String)> {
    let mut files: Vec<PathBuf> = fs::read_dir(rules_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yar"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// The identifiers of the rules declared in `text` (one `rule NAME` per
/// line, as the bundled rules are written).
fn declared(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("private ").unwrap_or(l);
            let l = l.strip_prefix("global ").unwrap_or(l);
            let name = l.strip_prefix("rule ")?.split_whitespace().next()?;
            Some(name.to_string())
        })
        .collect()
}

#[test]
fn committed_samples_are_the_generated_ones() {
    let dir = samples_dir();
    let bless = std::env::var_os("SIGSCAN_BLESS").is_some();
    let mut expected = BTreeSet::new();
    for sample in samples::all() {
        let name = sample.file_name();
        let path = dir.join(&name);
        if bless {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &sample.data).unwrap();
        }
        let on_disk = fs::read(&path).unwrap_or_default();
        assert!(
            on_disk == sample.data,
            "{name} differs: run with SIGSCAN_BLESS=1"
        );
        assert!(expected.insert(name.clone()), "{name} made twice");
    }
    let present: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(present, expected, "files in corpus/rules");
}

#[test]
fn every_rule_has_a_positive_and_a_negative_sample() {
    let mut rules = BTreeSet::new();
    for (path, text) in rule_files() {
        for name in declared(&text) {
            assert!(rules.insert(name.clone()), "{name} twice ({path:?})");
        }
    }
    let mut kinds: BTreeMap<String, Vec<bool>> = BTreeMap::new();
    for s in samples::all() {
        kinds.entry(s.rule.to_string()).or_default().push(s.positive);
    }
    let sampled: BTreeSet<String> = kinds.keys().cloned().collect();
    assert_eq!(rules, sampled, "rules in rules/ and rules with samples");
    for (rule, mut k) in kinds {
        k.sort();
        assert_eq!(k, [false, true], "{rule}: one negative, one positive");
    }
    // And rules/README.md lists every rule.
    let readme = fs::read_to_string(rules_dir().join("README.md")).unwrap();
    for rule in &rules {
        assert!(readme.contains(&format!("`{rule}`")), "README: {rule}");
    }
}

#[test]
fn every_rule_has_reference_and_description() {
    for (path, text) in rule_files() {
        let rules = declared(&text).len();
        for key in ["description = ", "reference = ", "severity = "] {
            let n = text.lines().filter(|l| l.trim().starts_with(key)).count();
            assert_eq!(n, rules, "{key:?} in {path:?}");
        }
    }
}

/// The rules of `rules/` that match each sample, by file name, as
/// sigscan finds them.
fn sigscan_matches() -> BTreeMap<String, BTreeSet<String>> {
    let mut compiler = sigscan::Compiler::new();
    for (path, text) in rule_files() {
        compiler
            .add_source(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let rules = compiler.build().unwrap();
    let mut scanner = sigscan::Scanner::new(&rules);
    let mut matched = BTreeMap::new();
    for sample in samples::all() {
        let results = scanner.scan(&sample.data).unwrap();
        let names: BTreeSet<String> =
            results.matching_rules().map(|r| r.identifier().into()).collect();
        if !names.is_empty() {
            matched.insert(sample.file_name(), names);
        }
    }
    matched
}

/// The samples on which `matched` gives the wrong outcome for the rule
/// they are for.
fn wrong(matched: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    samples::all()
        .into_iter()
        .filter(|s| {
            let hit = matched
                .get(&s.file_name())
                .is_some_and(|r| r.contains(s.rule));
            hit != s.positive
        })
        .map(|s| s.file_name())
        .collect()
}

#[test]
fn rules_match_their_positive_samples_only() {
    let wrong = wrong(&sigscan_matches());
    assert!(wrong.is_empty(), "wrong outcome on {wrong:?}");
}

/// `check` on `rules/` passes every file without a warning, in sigscan
/// and in YARA-X.
#[test]
fn rules_check_without_warnings() {
    let mut checkers = vec![PathBuf::from(env!("CARGO_BIN_EXE_sigscan"))];
    checkers.extend(yr());
    for bin in checkers {
        let out = Command::new(&bin).arg("check").arg(rules_dir()).output();
        let out = out.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{bin:?}: {stderr}");
        assert_eq!(stderr, "", "{bin:?}");
        assert_eq!(stdout.lines().count(), rule_files().len(), "{bin:?}");
        assert!(stdout.lines().all(|l| l.starts_with("[ PASS ]")), "{stdout}");
    }
}

#[test]
fn yara_x_agrees_on_the_samples() {
    let Some(yr) = yr() else {
        eprintln!("skipped: yr is not installed (set SIGSCAN_YR)");
        return;
    };
    let out = Command::new(yr)
        .args(["scan", "-o", "ndjson", "-w"])
        .arg(rules_dir())
        .arg(samples_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut matched: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let path = v["path"].as_str().unwrap();
        let name = Path::new(path).file_name().unwrap().to_string_lossy();
        let rules = v["rules"].as_array().unwrap();
        matched.entry(name.into_owned()).or_default().extend(
            rules.iter().map(|r| r["identifier"].as_str().unwrap().into()),
        );
    }
    let wrong = wrong(&matched);
    assert!(wrong.is_empty(), "YARA-X disagrees on {wrong:?}");
    // And on every other rule that matches a sample, too.
    assert_eq!(matched, sigscan_matches(), "YARA-X and sigscan");
}

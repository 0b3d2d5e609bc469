//! At an offset where the ascii and the wide form of one pattern both
//! match, YARA-X reports the form it verifies second, and that order is
//! the order its atom search reports hits in: Teddy's (by where atoms
//! start) over longer data and few atoms, daachorse's (by where they
//! end) otherwise. Cases in `testdata/form_order.txt`, all produced by
//! YARA-X 1.22.1; compiled and loaded from a database alike.
//!
//! Only on the CPUs whose Teddy YARA-X models (`TeddyModel`): x86_64 and
//! aarch64; the limits tried here (1 and 71 atoms) are the same on both.

#![cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]

mod common;
use common::matches_compiled_and_loaded;

const CASES: &str = include_str!("testdata/form_order.txt");

/// `a:l` or `a-b:l` items as (offset, length) matches.
fn expand(spec: &str) -> Vec<(usize, usize)> {
    if spec == "none" {
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in spec.split_whitespace() {
        let (range, len) = item.split_once(':').expect("offset:length");
        let len: usize = len.parse().expect("length");
        let (a, b) = range.split_once('-').unwrap_or((range, range));
        let (a, b): (usize, usize) =
            (a.parse().expect("offset"), b.parse().expect("offset"));
        out.extend((a..=b).map(|o| (o, len)));
    }
    out
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn the_form_yarax_verifies_second_is_reported() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in CASES.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split(" | ").collect();
        let [pattern, fillers, data, expected] = cols[..] else {
            panic!("line {}: four columns expected", n + 1);
        };
        let fillers: usize = fillers.parse().expect("filler count");
        let mut src =
            format!("rule r {{ strings: $a = {pattern} condition: $a }}\n");
        if fillers > 0 {
            src.push_str("rule s { strings:");
            for i in 0..fillers {
                src.push_str(&format!(" $f{i} = \"filler{i:03}\""));
            }
            src.push_str(" condition: any of them }\n");
        }
        let (data, expected) = (hex(data), expand(expected));
        for (how, got) in matches_compiled_and_loaded(&src, &data, "$a") {
            if got != expected {
                failures.push(format!(
                    "line {} ({how}): {line}\n  got {got:?}",
                    n + 1
                ));
            }
        }
        cases += 1;
    }
    assert!(cases >= 80, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! YARA-X reports a different form of an `ascii wide` pattern depending
//! on whether it searches its atoms with Teddy or daachorse, and that
//! turns on how many atoms the whole rule set has (`TeddyModel`), so
//! sigscan counts each pattern's atoms as YARA-X's compiler makes them:
//! chain pieces, alternations of literals, masked literals, its fast VM
//! for hex-like patterns and its general regex compiler.
//!
//! `testdata/atoms.txt` (written by `testdata/gen_atoms.py` with YARA-X
//! 1.22.1) holds, per pattern, the most filler literals a rule set with
//! it and a probe can have while YARA-X still uses Teddy; the probe is
//! `"\x00\x00" ascii wide`, whose match at offset 0 of 24 zero bytes is
//! the wide one with Teddy and the ascii one with daachorse. Each line is
//! replayed just below and just above that limit, compiled and loaded
//! from a database.

#![cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]

mod common;
use common::matches_compiled_and_loaded;

/// The length of the probe's first match with `fillers` filler literals
/// beside `pattern`, compiled and loaded: 4 (wide) with Teddy, 2 (ascii)
/// without.
fn probe(pattern: &str, fillers: usize) -> [usize; 2] {
    let mut src = format!(
        "rule r {{ strings: $a = \"\\x00\\x00\" ascii wide $x = {pattern} \
         condition: $a and #x >= 0 }}\n"
    );
    if fillers > 0 {
        src.push_str("rule s { strings:");
        for i in 0..fillers {
            src.push_str(&format!(" $f{i} = \"filler{i:03}\""));
        }
        src.push_str(" condition: any of them }\n");
    }
    matches_compiled_and_loaded(&src, &[0; 24], "$a")
        .map(|(_, m)| m.first().map_or(0, |&(_, len)| len))
}

#[test]
fn atoms_are_counted_as_yarax_makes_them() {
    let mut failures = Vec::new();
    let mut n = 0;
    for line in include_str!("testdata/atoms.txt").lines() {
        if line.starts_with('#') {
            continue;
        }
        let Some((limit, pattern)) = line.split_once(' ') else {
            continue;
        };
        let limit: i32 = limit.parse().expect("filler limit");
        n += 1;
        // (fillers, whether YARA-X uses Teddy then)
        let mut checks = Vec::new();
        if limit >= 0 {
            checks.push((limit as usize, true));
        }
        if limit < 62 {
            checks.push(((limit + 1) as usize, false));
        }
        for (fillers, teddy) in checks {
            let want = if teddy { 4 } else { 2 };
            for got in probe(pattern, fillers) {
                if got != want {
                    failures.push(format!(
                        "{pattern} with {fillers} fillers: probe matched \
                         {got} bytes, YARA-X {want}"
                    ));
                }
            }
        }
    }
    assert!(n > 500, "only {n} patterns read");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

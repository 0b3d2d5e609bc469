//! Replays YARA-X's end-to-end cases (`../shared/conformance`): each rule
//! source compiles, scans its data, and must match as many rules as
//! YARA-X did, with the same bytes for the first match of the first
//! pattern of the first matching rule.

use sigscan::{Compiler, Scanner};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/yarax-cases.jsonl"
);

/// Modules the engine does not have: cases importing them are
/// skipped, with this reason.
const MISSING_MODULES: &[&str] = &["macho", "lnk"];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs one case; `Err` says how it failed.
fn run(
    rule: &str,
    data: &[u8],
    count: usize,
    first: Option<&str>,
) -> Result<(), String> {
    let mut c = Compiler::new();
    c.add_source(rule).map_err(|e| format!("compile error:\n{e}"))?;
    let rules = c.build().map_err(|e| format!("build error:\n{e}"))?;
    let mut scanner = Scanner::new(&rules);
    let results =
        scanner.scan(data).map_err(|e| format!("scan error: {e}"))?;
    let matching: Vec<_> = results.matching_rules().collect();
    if matching.len() != count {
        return Err(format!(
            "expected {count} matching rules, got {}",
            matching.len()
        ));
    }
    if let Some(want) = first {
        let got = matching
            .first()
            .and_then(|r| r.patterns().next())
            .and_then(|p| p.matches().first().copied())
            .map(|m| to_hex(&data[m.offset..m.offset + m.len]));
        if got.as_deref() != Some(want) {
            return Err(format!("first match {got:?}, expected {want}"));
        }
    }
    Ok(())
}

#[test]
fn yarax_cases() {
    let text = std::fs::read_to_string(CASES)
        .unwrap_or_else(|e| panic!("cannot read {CASES}: {e}"));
    let (mut pass, mut total, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for (line, l) in text.lines().enumerate() {
        let case: serde_json::Value = serde_json::from_str(l).expect("json");
        let rule = case["rule"].as_str().expect("rule");
        if let Some(m) = MISSING_MODULES
            .iter()
            .find(|m| rule.contains(&format!("import \"{m}\"")))
        {
            println!("skip line {}: module `{m}` is not built yet", line + 1);
            skipped += 1;
            continue;
        }
        total += 1;
        let data = hex(case["data_hex"].as_str().unwrap_or(""));
        let count = case["expect_count"].as_u64().expect("count") as usize;
        let first = case["match_hex"].as_str();
        match run(rule, &data, count, first) {
            Ok(()) => pass += 1,
            Err(e) => failures.push(format!(
                "line {}: {}\n  rule: {}\n",
                line + 1,
                e,
                rule.split_whitespace().collect::<Vec<_>>().join(" ")
            )),
        }
    }
    for f in &failures {
        println!("{f}");
    }
    println!("pass {pass}/{total} ({skipped} skipped)");
    assert_eq!(pass, total, "{} conformance cases fail", total - pass);
}

//! The slow-pattern warning is YARA-X's, pattern for pattern, so the
//! same rules are refused with `error_on_slow_pattern`: the verdicts of
//! YARA-X 1.22.1 in `testdata/slow.txt` (written by
//! `testdata/gen_slow.py`) for the patterns of the engine's match cases
//! and generated regexes and hex patterns.

use sigscan::{Compiler, DiagnosticKind};

#[test]
fn slow_pattern_warnings_are_yarax_verdicts() {
    let mut failures = Vec::new();
    let mut n = 0;
    for line in include_str!("testdata/slow.txt").lines() {
        let Some((verdict, pattern)) = line.split_once(' ') else {
            continue;
        };
        let want = match verdict {
            "slow" => true,
            "fast" => false,
            _ => continue,
        };
        n += 1;
        let src =
            format!("rule r {{ strings: $a = {pattern} condition: $a }}");
        let mut c = Compiler::new();
        let got = match c.add_source(&src) {
            Ok(_) => c
                .warnings()
                .iter()
                .any(|d| d.kind == DiagnosticKind::SlowPattern),
            Err(e) => {
                failures.push(format!("{pattern}: refused: {e}"));
                continue;
            }
        };
        if got != want {
            failures.push(format!("{pattern}: YARA-X says {verdict}"));
        }
        // With the option, a slow pattern is an error instead.
        let mut c = Compiler::new();
        c.error_on_slow_pattern(true);
        if c.add_source(&src).is_err() != want {
            failures.push(format!("{pattern}: error_on_slow_pattern"));
        }
    }
    assert!(n > 500, "only {n} verdicts read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Patterns YARA-X anchors: a literal (or alternation of literals) whose
//! every use in the condition is `$a at K` with one constant `K` (or
//! which `$a at K` is required at the top level) is compared at `K`
//! only, and only that match is reported. A pattern the condition no
//! longer refers to once YARA-X has folded it (`$a or true`, `$a and
//! false`, a `for … of` body without `$`) is not searched at all and
//! reports no match (the first cases). Expected matches were produced by
//! YARA-X 1.22.1 on `DATA`; the first anchored cases pin the seeds 10 and
//! 17 of the differential test.

mod common;
use common::matches_compiled_and_loaded;
use sigscan::Compiler;

const DATA: &[u8] = b"xxABxxAByyABcdABA\x00B\x00abAB";

/// Every match of `"AB"` in `DATA`.
const ALL_AB: &[(usize, usize)] = &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)];

/// (pattern `$a`, condition, matches of `$a` as (offset, length))
type Case = (&'static str, &'static str, &'static [(usize, usize)]);

const CASES: &[Case] = &[
    // Folded away: not searched.
    (r#""AB""#, r#"true or $a"#, &[]),
    (r#""AB""#, r#"($a or true) and filesize > 0"#, &[]),
    (r#""AB""#, r#"not ($a and false)"#, &[]),
    (r#""AB""#, r#"any of them or (true or not false)"#, &[]),
    (r#""AB""#, r#"for any of ($a) : ($ or true)"#, &[]),
    (r#""AB""#, r#"for any of ($a) : (filesize > 0)"#, &[]),
    // Not folded: comparisons of constants, `and true`, `$` used.
    (r#""AB""#, r#"$a or 1 == 1"#, ALL_AB),
    (r#""AB""#, r#"$a and true"#, ALL_AB),
    (r#""AB""#, r#"for any of ($a) : ($)"#, ALL_AB),
    (r#""AB""#, r#"$a at 6"#, &[(6, 2)]),
    (r#""AB""#, r#"$a at 6 or #_b == 100"#, &[(6, 2)]),
    (r#""AB""#, r#"$a at 30"#, &[]),
    (
        r#""AB""#,
        r#"$a at 6 or $a"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (r#""AB""#, r#"$a and $a at 6"#, &[(6, 2)]),
    (r#""AB""#, r#"all of them and $a at 6"#, &[(6, 2)]),
    (
        r#""AB""#,
        r#"$a at 6 and $a at 2"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (r#""AB""#, r#"$a at 6 or $a at 6"#, &[(6, 2)]),
    (r#""AB""#, r#"any of ($a) at 6"#, &[(6, 2)]),
    (
        r#""AB""#,
        r#"$a at 6 or $a at 2"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (r#""AB""#, r#"$a at 3+3"#, &[(6, 2)]),
    (r#""AB""#, r#"with k = 6 : ($a at k)"#, &[(6, 2)]),
    (
        r#""AB""#,
        r#"not $a at 7 and $a at 6"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (
        r#""AB""#,
        r#"$a at 6 or $a in (0..20)"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (
        r#""AB""#,
        r#"$a at 6 or for any of ($a) : ($ at 2)"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (
        r#""AB""#,
        r#"$a at 6 or @a[1] == 2"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (
        r#""AB""#,
        r#"$a at 6 or any of them"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (r#""AB""#, r#"all of ($a at 6, true)"#, &[(6, 2)]),
    (
        r#""AB""#,
        r#"any of ($a at 6, false) or $a"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (22, 2)],
    ),
    (
        r#""AB" nocase"#,
        r#"$a at 6"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (20, 2), (22, 2)],
    ),
    (r#""AB" wide ascii"#, r#"$a at 16"#, &[(16, 4)]),
    (r#""AB" fullword"#, r#"$a at 6"#, &[]),
    (r#"{ 41 42 }"#, r#"$a at 6"#, &[(6, 2)]),
    (r#"{ ( 41 42 | 63 64 ) }"#, r#"$a at 12"#, &[(12, 2)]),
    (
        r#"{ 41 ?? }"#,
        r#"$a at 6"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (16, 2), (22, 2)],
    ),
    (r#"/AB|cd/"#, r#"$a at 6"#, &[(6, 2)]),
    (r#"/AB/ wide"#, r#"$a at 16"#, &[(16, 4)]),
    (
        r#"/A./"#,
        r#"$a at 6"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (16, 2), (22, 2)],
    ),
    (
        r#"/ab/ nocase"#,
        r#"$a at 6"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (20, 2), (22, 2)],
    ),
    (
        r#""AB" xor"#,
        r#"$a at 6"#,
        &[(2, 2), (6, 2), (10, 2), (14, 2), (15, 2), (20, 2), (22, 2)],
    ),
];

#[test]
fn anchored_patterns_report_what_yarax_reports() {
    let mut failures = Vec::new();
    for (pattern, condition, expected) in CASES {
        let src = format!(
            "rule r {{ strings: $a = {pattern} $_b = \"yy\" condition: \
             {condition} }}"
        );
        for (how, got) in matches_compiled_and_loaded(&src, DATA, "$a") {
            if got != *expected {
                failures.push(format!(
                    "{how}: {src}\n  got {got:?} want {expected:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// YARA-X does not warn about slow anchored patterns: they are not
/// searched.
#[test]
fn anchored_patterns_are_not_slow() {
    let warns = |cond: &str| {
        let mut c = Compiler::new();
        c.add_source(&format!(
            "rule r {{ strings: $a = \"A\" condition: {cond} }}"
        ))
        .expect("compiles");
        c.warnings().len()
    };
    assert_eq!(warns("$a at 0"), 0);
    assert_eq!(warns("$a"), 1);
    let mut c = Compiler::new();
    c.error_on_slow_pattern(true);
    assert!(
        c.add_source(r#"rule r { strings: $a = "A" condition: $a at 0 }"#)
            .is_ok()
    );
    assert!(
        c.add_source(r#"rule s { strings: $a = "A" condition: $a }"#).is_err()
    );
}

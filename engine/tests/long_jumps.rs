//! Hex patterns with long or unbounded jumps over data full of their
//! atoms: the search must stay about linear in the data (no timing
//! assertion here; the elapsed time is printed, run with `--nocapture`).

use std::time::Instant;

use sigscan::{Compiler, Scanner};

const SIZE_MB: usize = 10;

/// Ten megabytes of the pattern's pieces, over and over.
fn data(unit: &[u8]) -> Vec<u8> {
    unit.repeat((SIZE_MB << 20) / unit.len())
}

fn scan(pattern: &str, data: &[u8]) -> (bool, usize) {
    let mut c = Compiler::new();
    c.add_source(&format!(
        "rule r {{ strings: $a = {pattern} condition: $a }}"
    ))
    .expect("compiles");
    let rules = c.build().expect("builds");
    let mut s = Scanner::new(&rules);
    let t = Instant::now();
    let results = s.scan(data).expect("scans");
    let n: usize = results
        .matching_rules()
        .flat_map(|r| {
            r.patterns().map(|p| p.matches().len()).collect::<Vec<_>>()
        })
        .sum();
    let hit = results.matching_rules().count() == 1;
    eprintln!("{pattern}: {n} matches in {:?}", t.elapsed());
    (hit, n)
}

#[test]
fn unbounded_jump_over_repeated_atoms() {
    let d = data(b"abcdXefghY");
    for p in [
        "{ 61 62 63 64 [-] 65 66 67 68 }",
        "{ 61 62 63 64 [0-] 65 66 67 68 }",
        "{ 61 62 63 64 [10-] 65 66 67 68 }",
    ] {
        let (hit, n) = scan(p, &d);
        assert!(hit, "{p} matches");
        assert!(n > 0, "{p} reports matches");
    }
}

/// The second piece only at the very end: each hit of the first piece
/// would scan the rest of the data for it if verification went from
/// every hit to the end (quadratic: 1 MB took minutes before the pieces
/// were chained; 10 MB now take well under a second).
#[test]
fn unbounded_jump_with_the_second_piece_far_away() {
    let mut d = data(b"abcdX");
    d.extend_from_slice(b"efgh");
    for p in [
        "{ 61 62 63 64 [-] 65 66 67 68 }",
        "{ 61 62 63 64 [0-5000] 65 66 67 68 }",
    ] {
        let (hit, _) = scan(p, &d);
        assert_eq!(hit, p.contains("[-]"), "{p}");
    }
}

/// Ranges too wide for an NFA (`[0-100000]`) are accepted, as YARA-X
/// accepts them: the pattern is chained at the jump.
#[test]
fn large_jump_ranges_over_repeated_atoms() {
    let d = data(b"abcdXefghY");
    for p in [
        "{ 61 62 63 64 [0-100000] 65 66 67 68 }",
        "{ 61 62 63 64 [1000-200000] 65 66 67 68 }",
        "{ 61 62 63 64 [0-5000] 65 66 67 68 }",
    ] {
        let (hit, n) = scan(p, &d);
        assert!(hit, "{p} matches");
        assert!(n > 0, "{p} reports matches");
    }
}

/// A huge jump is bounded exactly: a gap one byte longer than its range
/// (or shorter than its minimum) is no match, as YARA-X reports.
#[test]
fn large_jump_range_bounds_are_exact() {
    let gap = |n: usize| {
        let mut d = b"xxab".to_vec();
        d.extend(std::iter::repeat_n(b'.', n));
        d.extend_from_slice(b"cdyy");
        d
    };
    for (p, n, hit) in [
        ("{ 61 62 [0-100000] 63 64 }", 100_000, true),
        ("{ 61 62 [0-100000] 63 64 }", 100_001, false),
        ("{ 61 62 [40000-100000] 63 64 }", 40_000, true),
        ("{ 61 62 [40000-100000] 63 64 }", 39_999, false),
        ("{ 7? 61 62 [10-100000] 63 ?4 }", 100_000, true),
        ("{ 7? 61 62 [10-100000] 63 ?4 }", 100_001, false),
    ] {
        let (found, _) = scan(p, &gap(n));
        assert_eq!(found, hit, "{p} over a gap of {n}");
    }
}

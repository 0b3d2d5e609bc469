//! Differential tests: sigscan and YARA-X given the same rules and the same
//! bytes must agree on which rules compile, which rules match, and every
//! reported pattern match (identifier, offset, length).
//!
//! 1. `shared_rule_sets`: the five real rule sets in `../shared/rules`,
//!    scanned over real files.
//! 2. `generated`: random rules (literals with modifiers, hex patterns with
//!    jumps, masks and alternatives, regexes, conditions) over random data
//!    seeded with pattern instances. Seeds are fixed so that CI is
//!    repeatable (seeds with known differences are listed, with reasons,
//!    in `KNOWN_DIFFERENCES`); `SIGSCAN_DIFF_SEED=N` runs one more seed and
//!    `SIGSCAN_DIFF_ROUNDS=N` changes how many seeds run.

use std::fmt::Write as _;
use std::path::PathBuf;

use sigscan_benches::{
    Outcome, Rng, Source, collect_rule_files, shared_dir, shared_rule_sets,
    sigscan_compile, sigscan_scan, yarax_compile, yarax_scan,
};

/// Files scanned by the shared-rule-set comparison: the libyara test
/// binaries (PE and ELF), the committed corpus (generated PE, ELF, text
/// and archives), the signed PE samples of the `pe` module's tests, the
/// first few small ELF files of `/usr/bin` (when there is one), and the
/// rule files themselves (whose text holds the literal patterns, so they
/// produce many matches).
fn scan_targets() -> Vec<PathBuf> {
    let shared = shared_dir();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        shared.join("testdata/libyara"),
        repo.join("corpus/files"),
        repo.join("engine/src/modules/pe/testdata/signed"),
    ] {
        walk_files(&dir, &mut files);
    }
    files.extend(system_elf_files(8, 512 * 1024));
    collect_rule_files(&shared.join("rules"), &mut files)
        .expect("../shared/rules is readable");
    files.sort();
    files.dedup();
    files
}

/// Every regular file below `dir` (none if it cannot be read).
fn walk_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk_files(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

/// The first `n` ELF files of `/usr/bin` in name order no larger than
/// `max` bytes: real binaries, bounded so the debug build stays quick.
fn system_elf_files(n: usize, max: u64) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir("/usr/bin") else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= max)
                && std::fs::read(p).is_ok_and(|d| d.starts_with(b"\x7fELF"))
        })
        .take(n)
        .collect()
}

#[test]
fn shared_rule_sets_agree_with_yarax() {
    let sets = shared_rule_sets().expect("../shared/rules is readable");
    assert_eq!(sets.len(), 5, "five rule sets in ../shared/rules");
    let targets = scan_targets();
    let data: Vec<(PathBuf, Vec<u8>)> = targets
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|d| (p, d)))
        .collect();
    let mut report = String::new();
    let mut compared = 0usize;
    let mut skipped = Vec::new();
    for (name, sources) in &sets {
        // Sources sigscan cannot compile yet only because a module is
        // missing are left out of both engines, and listed.
        let mut accepted = Vec::new();
        for s in sources {
            match sigscan_compile(std::slice::from_ref(s), true) {
                Ok(_) => accepted.push(s.clone()),
                Err(e) if is_missing_module(&e) => {
                    skipped.push(format!("{}: {}", s.origin, first_line(&e)))
                }
                Err(e) => {
                    let _ = writeln!(
                        report,
                        "{}: sigscan rejects it:\n{e}",
                        s.origin
                    );
                }
            }
        }
        if accepted.is_empty() {
            continue;
        }
        let ours = match sigscan_compile(&accepted, true) {
            Ok(r) => r,
            Err(e) => {
                let _ =
                    writeln!(report, "{name}: sigscan rejects the set:\n{e}");
                continue;
            }
        };
        let theirs = yarax_compile(&accepted, true)
            .unwrap_or_else(|e| panic!("{name}: yara-x rejects it: {e}"));
        let mut s1 = sigscan::Scanner::new(&ours);
        let mut s2 = yara_x::Scanner::new(&theirs);
        for (path, bytes) in &data {
            let a = sigscan_scan(&mut s1, bytes).expect("sigscan scans");
            let b = yarax_scan(&mut s2, bytes).expect("yara-x scans");
            compared += 1;
            if let Some(d) = a.diff(&b) {
                let _ = writeln!(report, "{name} on {}:\n{d}", path.display());
            }
        }
    }
    eprintln!(
        "shared rule sets: {compared} scans compared, {} sources left out \
         for a missing module",
        skipped.len()
    );
    for s in skipped.iter().take(20) {
        eprintln!("  left out: {s}");
    }
    assert!(report.is_empty(), "differences from YARA-X:\n{report}");
}

fn is_missing_module(rendered: &str) -> bool {
    rendered.contains("[E206]")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

// ---------------------------------------------------------------------------
// Generated cases.

/// Bytes the generated patterns and data are made of: few enough that
/// random data contains matches, with word and non-word bytes.
const ALPHABET: &[u8] = b"abcAB1 \x00\xff.";

fn gen_byte(rng: &mut Rng) -> u8 {
    *rng.pick(ALPHABET)
}

fn text_literal(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b' ' | b'.' => {
                s.push(b as char)
            }
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s
}

fn gen_text_pattern(rng: &mut Rng) -> (String, Vec<u8>) {
    let len = 1 + rng.below(5);
    let lit: Vec<u8> = (0..len).map(|_| gen_byte(rng)).collect();
    let mut mods: Vec<&str> = Vec::new();
    let options: &[&str] = &[
        "nocase",
        "wide",
        "ascii",
        "fullword",
        "private",
        "xor",
        "xor(1-3)",
        "xor(7)",
        "base64",
        "base64wide",
    ];
    let n = rng.below(3);
    for _ in 0..n {
        let m = *rng.pick(options);
        let second_xor =
            m.starts_with("xor") && mods.iter().any(|x| x.starts_with("xor"));
        if !mods.contains(&m) && !second_xor {
            mods.push(m);
        }
    }
    (format!("\"{}\" {}", text_literal(&lit), mods.join(" ")), lit)
}

fn gen_hex_pattern(rng: &mut Rng) -> (String, Vec<u8>) {
    let mut plain = Vec::new();
    let mut out = String::from("{ ");
    let n = 2 + rng.below(5);
    for i in 0..n {
        let b = gen_byte(rng);
        plain.push(b);
        let r = rng.below(10);
        let tok = match r {
            0 => "??".to_string(),
            1 => format!("{:X}?", b >> 4),
            2 => format!("?{:X}", b & 0xF),
            3 => format!("~{:02X}", b ^ 1),
            _ => format!("{b:02X}"),
        };
        out.push_str(&tok);
        out.push(' ');
        if i + 1 < n && i > 0 && rng.chance(20) {
            let lo = rng.below(3);
            let hi = lo + rng.below(3);
            let _ = write!(out, "[{lo}-{hi}] ");
        } else if i + 1 < n && rng.chance(10) {
            let a = gen_byte(rng);
            let _ = write!(out, "( {a:02X} | {:02X} {:02X} ) ", b, a);
        }
    }
    out.push('}');
    if rng.chance(20) {
        out.push_str(" private");
    }
    (out, plain)
}

fn gen_regex_pattern(rng: &mut Rng) -> (String, Vec<u8>) {
    let mut plain = Vec::new();
    let mut re = String::new();
    let n = 1 + rng.below(4);
    for _ in 0..n {
        let piece = match rng.below(12) {
            0 => "[a-c]".to_string(),
            1 => ".".to_string(),
            2 => "\\d".to_string(),
            3 => "\\w".to_string(),
            4 => "\\s".to_string(),
            5 => "(a|bc)".to_string(),
            6 => "[^a]".to_string(),
            _ => {
                let b = *rng.pick(b"abcAB1");
                plain.push(b);
                (b as char).to_string()
            }
        };
        re.push_str(&piece);
        match rng.below(10) {
            0 => re.push('*'),
            1 => re.push('+'),
            2 => re.push('?'),
            3 => re.push_str("{1,3}"),
            4 => re.push_str("+?"),
            _ => {}
        }
    }
    if rng.chance(10) {
        re.insert_str(0, "\\b");
    }
    let mut flags = String::new();
    if rng.chance(20) {
        flags.push('i');
    }
    if rng.chance(20) {
        flags.push('s');
    }
    let mods: &[&str] =
        &["", "", "", "nocase", "wide", "ascii wide", "fullword"];
    (format!("/{re}/{flags} {}", rng.pick(mods)), plain)
}

fn gen_condition(rng: &mut Rng, ids: &[String]) -> String {
    let mut used = vec![false; ids.len()];
    let mut terms = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(ids.len());
        used[i] = true;
        let id = &ids[i][1..];
        let t = match rng.below(12) {
            0 => format!("#{id} >= {}", rng.below(4)),
            1 => format!("@{id}[1] < {}", rng.below(100)),
            2 => format!("${id} at {}", rng.below(20)),
            3 => {
                format!("${id} in ({}..{})", rng.below(10), 10 + rng.below(50))
            }
            4 => format!("!{id}[1] == {}", 1 + rng.below(6)),
            5 => format!("for any k in (1..#{id}) : (@{id}[k] % 2 == 0)"),
            6 => format!("#{id} in (0..{}) == 1", rng.below(100)),
            7 => "any of them".to_string(),
            8 => format!("{} of them", 1 + rng.below(ids.len())),
            9 => format!("uint8({}) == 0x{:02x}", rng.below(8), gen_byte(rng)),
            _ => format!("${id}"),
        };
        terms.push(t);
    }
    let op = if rng.chance(50) { " or " } else { " and " };
    let mut cond = terms.join(op);
    if terms.iter().any(|t| t.contains("them")) {
        return cond;
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            let _ = write!(cond, " or #{} == 100", &ids[i][1..]);
        }
    }
    cond
}

/// One batch: `rules` rules and `blobs` data blobs from one seed.
fn gen_batch(
    seed: u64,
    rules: usize,
    blobs: usize,
) -> (Vec<Source>, Vec<Vec<u8>>) {
    let mut rng = Rng::new(seed);
    let mut sources = Vec::new();
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    for r in 0..rules {
        let mut text = format!("rule r{r} {{\n  strings:\n");
        let n = 1 + rng.below(3);
        let mut ids = Vec::new();
        for p in 0..n {
            let (def, plain) = match rng.below(3) {
                0 => gen_text_pattern(&mut rng),
                1 => gen_hex_pattern(&mut rng),
                _ => gen_regex_pattern(&mut rng),
            };
            let id = format!("$p{p}");
            let _ = writeln!(text, "    {id} = {def}");
            ids.push(id);
            pieces.push(plain);
        }
        let _ = write!(
            text,
            "  condition:\n    {}\n}}\n",
            gen_condition(&mut rng, &ids)
        );
        sources.push(Source {
            namespace: format!("ns{r}"),
            origin: format!("seed{seed}-rule{r}.yar"),
            text,
        });
    }
    let mut data = Vec::new();
    for _ in 0..blobs {
        let len = rng.below(200);
        let mut d: Vec<u8> = (0..len).map(|_| gen_byte(&mut rng)).collect();
        for _ in 0..rng.below(6) {
            let p = rng.pick(&pieces).clone();
            let at = rng.below(d.len() + 1);
            let form = rng.below(4);
            let piece: Vec<u8> = match form {
                0 => p.iter().flat_map(|&b| [b, 0]).collect(),
                1 => p.iter().map(|b| b ^ 2).collect(),
                2 => p.to_ascii_uppercase(),
                _ => p,
            };
            d.splice(at..at, piece);
        }
        data.push(d);
    }
    (sources, data)
}

fn run_seed(seed: u64) -> Option<String> {
    let (sources, blobs) = gen_batch(seed, 40, 12);
    compare(&sources, &blobs)
}

/// Compiles `sources` with both engines, each rule alone first (both must
/// accept or reject it), then the accepted ones together, scans every
/// blob with both and describes each difference (`None`: none).
fn compare(sources: &[Source], blobs: &[Vec<u8>]) -> Option<String> {
    let mut report = String::new();
    // Each rule alone decides acceptance, so one rejected rule does not
    // hide the rest.
    let mut accepted = Vec::new();
    for s in sources {
        let ours = sigscan_compile(std::slice::from_ref(s), false);
        let theirs = yarax_compile(std::slice::from_ref(s), false);
        match (ours, theirs) {
            (Ok(_), Ok(_)) => accepted.push(s.clone()),
            (Err(_), Err(_)) => {}
            (Ok(_), Err(e)) => {
                let _ =
                    writeln!(report, "only yara-x rejects:\n{}\n{e}", s.text);
            }
            (Err(e), Ok(_)) => {
                let _ =
                    writeln!(report, "only sigscan rejects:\n{}\n{e}", s.text);
            }
        }
    }
    if accepted.is_empty() {
        return (!report.is_empty()).then_some(report);
    }
    let ours =
        sigscan_compile(&accepted, false).expect("accepted rules compile");
    let theirs =
        yarax_compile(&accepted, false).expect("accepted rules compile");
    let mut s1 = sigscan::Scanner::new(&ours);
    for d in blobs {
        let a: Outcome = sigscan_scan(&mut s1, d).expect("sigscan scans");
        // YARA-X 1.22 itself can fail an overflow check in a debug build
        // (`FastVM::jump_bck`, backward over a wide piece near the start
        // of the data): it has no answer there to compare with.
        // (Nothing is reused after a panic: a fresh scanner each time.)
        let scanned =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut s2 = yara_x::Scanner::new(&theirs);
                yarax_scan(&mut s2, d).expect("yara-x scans")
            }));
        let Ok(b) = scanned else {
            eprintln!(
                "YARA-X panicked (not compared) on {} bytes of data",
                d.len()
            );
            continue;
        };
        if let Some(diff) = a.diff(&b) {
            // Only the rules whose outcomes differ.
            let mut rules = String::new();
            for r in a.rules.iter().chain(&b.rules) {
                let same = a.rules.contains(r) && b.rules.contains(r);
                let Some(s) =
                    accepted.iter().find(|s| s.namespace == r.namespace)
                else {
                    continue;
                };
                if !same && !rules.contains(&s.text) {
                    rules.push_str(&s.text);
                }
            }
            let _ =
                writeln!(report, "data {}:\n{diff}rules:\n{rules}", hex(d));
        }
    }
    (!report.is_empty()).then_some(report)
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn generated_cases_agree_with_yarax() {
    run_seeds("SIGSCAN_DIFF", 30, KNOWN_DIFFERENCES, run_seed);
    eprintln!("generated: seeds × 40 rules × 12 blobs compared");
}

/// Runs seeds `1..=rounds` (`{var}_ROUNDS` overrides it) but the known
/// differences, plus `{var}_SEED` when set (even a known one), and fails
/// with every difference found.
fn run_seeds(
    var: &str,
    rounds: u64,
    known: &[(u64, &str)],
    run: fn(u64) -> Option<String>,
) {
    let env = |suffix: &str| -> Option<u64> {
        std::env::var(format!("{var}_{suffix}")).ok()?.parse().ok()
    };
    let rounds = env("ROUNDS").unwrap_or(rounds);
    let mut seeds: Vec<u64> = (1..=rounds)
        .filter(|s| {
            let k = known.iter().find(|(k, _)| k == s);
            if let Some((_, why)) = k {
                eprintln!("seed {s} skipped: {why}");
            }
            k.is_none()
        })
        .collect();
    if let Some(s) = env("SEED") {
        seeds.push(s);
    }
    let mut failures = String::new();
    for &seed in &seeds {
        if let Some(r) = run(seed) {
            let _ =
                writeln!(failures, "=== seed {seed} ({var}_SEED={seed})\n{r}");
        }
    }
    eprintln!("{var}: {} seeds compared", seeds.len());
    assert!(failures.is_empty(), "differences from YARA-X:\n{failures}");
}

/// Seeds whose cases still differ from YARA-X, each with the reason. They are
/// open work (the engine issue's notes), not accepted behaviour: run one with
/// `SIGSCAN_DIFF_SEED=N SIGSCAN_DIFF_ROUNDS=0`. Seeds 1..=30 (the default) all
/// agree; of 1..=200 (swept 2026-12-05, `SIGSCAN_DIFF_ROUNDS=200`, 8.5
/// minutes) all agree since 191 did (2026-12-06: `/\b.{1,3}/ ascii wide`,
/// YARA-X's over-extended repetition at the pattern's start reports an offset
/// again from the ascii atom hit on its second copy, so the longer form's
/// match stays there, `RegexSub::rereport`). Fixed in the earlier sweeps: 85,
/// 140, 184 (a greedy regex whose YARA-X atom lies inside an unbounded
/// repetition, `/[^a]+/ ascii wide`: YARA-X's backward code holds the
/// repetition again, so each later atom hit re-reports every earlier start of
/// the run and the longer form's match at an offset stays,
/// `RegexSub::longest_across_forms`); 77, 114 (a wide any-byte gap at the end
/// is dropped), 178 (`fullword` split at YARA-X's atom); 107, 130, 183, 190
/// (on 2026-12-05, by the exact atoms of greedy regexes, `ExactAtoms`, and the
/// `fullword` split where YARA-X's atom is inside a group or starts a
/// repetition's first copy).
const KNOWN_DIFFERENCES: &[(u64, &str)] = &[];

// ---------------------------------------------------------------------------
// Generated nested regexes.

/// A regex of nested groups, alternations and repetitions (greedy and
/// lazy) over a few bytes, such as `/(b?\d[^a]{1,3}|A{1,2}|1)b{0,2}/`:
/// the shapes where YARA-X's atom choice and the order it verifies atom
/// hits in decide the matches it reports.
fn gen_nested_regex(rng: &mut Rng) -> String {
    let n = 2 + rng.below(4);
    let re = nested_seq(rng, 0, n);
    let flags = *rng.pick(&["", "", "s", "i"]);
    let mods =
        *rng.pick(&["", "", "", "nocase", "wide", "ascii wide", "fullword"]);
    format!("/{re}/{flags} {mods}")
}

fn nested_seq(rng: &mut Rng, depth: usize, n: usize) -> String {
    (0..n).map(|_| nested_piece(rng, depth)).collect()
}

fn nested_piece(rng: &mut Rng, depth: usize) -> String {
    let mut piece = match rng.below(20) {
        0..=6 => (*rng.pick(b"ab1A") as char).to_string(),
        7..=9 => rng.pick(&["[a1]", "[ab]", "[1A]", "[^a]"]).to_string(),
        10..=12 => rng.pick(&["\\w", "\\d", ".", "\\W"]).to_string(),
        13 | 14 if depth < 2 => {
            let n = 2 + rng.below(2);
            let branches: Vec<String> = (0..n)
                .map(|_| {
                    let len = 1 + rng.below(3);
                    nested_seq(rng, depth + 1, len)
                })
                .collect();
            format!("({})", branches.join("|"))
        }
        _ => (*rng.pick(b"ab") as char).to_string(),
    };
    if rng.chance(50) {
        let q = *rng.pick(&["*", "+", "?", "{0,2}", "{1,3}", "{2}"]);
        piece.push_str(q);
        if rng.chance(15) {
            piece.push('?');
        }
    }
    piece
}

/// `n` rules `r0..`, each in a namespace of its own, each with one
/// pattern `$a` from `pattern` and the condition `$a`.
fn one_pattern_rules(
    kind: &str,
    seed: u64,
    n: usize,
    mut pattern: impl FnMut() -> String,
) -> Vec<Source> {
    (0..n)
        .map(|r| Source {
            namespace: format!("ns{r}"),
            origin: format!("{kind}{seed}-rule{r}.yar"),
            text: format!(
                "rule r{r} {{\n  strings:\n    $a = {}\n  condition:\n    \
                 $a\n}}\n",
                pattern()
            ),
        })
        .collect()
}

fn run_nested_seed(seed: u64) -> Option<String> {
    let mut rng = Rng::new(seed);
    let sources =
        one_pattern_rules("nested", seed, 5, || gen_nested_regex(&mut rng));
    let blobs: Vec<Vec<u8>> = (0..8)
        .map(|_| {
            let len = *rng.pick(&[4, 8, 12, 20, 40, 80]);
            (0..len).map(|_| *rng.pick(b"ab1A. \x00ab1")).collect()
        })
        .collect();
    compare(&sources, &blobs)
}

#[test]
fn generated_nested_regexes_agree_with_yarax() {
    run_seeds(
        "SIGSCAN_NESTED",
        100,
        KNOWN_NESTED_DIFFERENCES,
        run_nested_seed,
    );
}

/// Seeds of `generated_nested_regexes_agree_with_yarax` (5 regexes × 8
/// blobs each) that still differ from YARA-X, with the reason: open
/// work, as [`KNOWN_DIFFERENCES`]. Of 1..=300 (2026-12-06,
/// `SIGSCAN_NESTED_ROUNDS=300`, 95 s) none differs since 285 did
/// (`/1?1*A*b/i ascii wide`: with Teddy, YARA-X verifies the wide form
/// first where its atom `b` is where the match starts, the units before
/// it having matched nothing, `RegexSub::teddy_start`). Fixed since the
/// first sweep: 109 (YARA-X's fast VM checks a byte beyond a gap at
/// either end of a pattern: `/.+Aa/` finds nothing in `1Aa`,
/// `yarax::widened_end_gap`); 185, 242 (with Teddy, YARA-X verifies the
/// wide form first when its atoms start the pattern, `form_orders`); 68
/// (a greedy regex whose YARA-X atoms are exact is split at its start,
/// as YARA-X runs nothing backward there: `/1*(1{0,2}|b*)1{0,2}\w/s`
/// reports `b` in `ba1`, not `ba`); 7, 249 (YARA-X's atoms in the
/// branches of an alternation, `yarax::branch_splits`: each branch is
/// split where its atom is, so a greedy regex reports at one start the
/// longest match of any branch whose atom is found there, not the
/// leftmost-first one).
const KNOWN_NESTED_DIFFERENCES: &[(u64, &str)] = &[];

// ---------------------------------------------------------------------------
// Generated chained patterns.

/// A hex pattern or regex with gaps of any byte wide enough for YARA-X to
/// chain it (`{ 61 62 [0-300] 63 64 }`, `/ab.{250,600}cd/s`), over a
/// few bytes: pieces of one to four bytes (one byte keeps the gap inside
/// the piece), masks and alternatives, bounded, unbounded and huge gaps,
/// greedy and lazy ones.
fn gen_chain_pattern(rng: &mut Rng) -> String {
    let n = 2 + rng.below(2);
    let hex = rng.chance(50);
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            let gap = if hex {
                rng.pick(&[
                    "[0-300]",
                    "[250-600]",
                    "[-]",
                    "[10-]",
                    "[0-40000]",
                    "[5-250]",
                ])
            } else {
                rng.pick(&[
                    ".{0,300}",
                    ".{250,600}",
                    ".*",
                    ".+?",
                    ".{0,300}?",
                    ".{5,250}",
                ])
            };
            out.push_str(gap);
            if hex {
                out.push(' ');
            }
        }
        let len = 1 + rng.below(4);
        for _ in 0..len {
            let b = *rng.pick(b"abcd");
            match (hex, rng.below(8)) {
                (true, 0) => out.push_str("6? "),
                (true, 1) => out.push_str("( 61 | 63 64 ) "),
                (true, _) => out.push_str(&format!("{b:02x} ")),
                (false, 0) => out.push_str("[ab]"),
                (false, 1) => out.push_str("(a|cd)"),
                (false, _) => out.push(b as char),
            }
        }
    }
    if hex {
        format!("{{ {out}}}")
    } else {
        let mods = *rng.pick(&["", "", "", "nocase", "wide", "fullword"]);
        format!("/{out}/s {mods}")
    }
}

fn run_chain_seed(seed: u64) -> Option<String> {
    let mut rng = Rng::new(seed);
    let sources =
        one_pattern_rules("chain", seed, 6, || gen_chain_pattern(&mut rng));
    let blobs = chain_blobs(&mut rng);
    compare(&sources, &blobs)
}

/// Mostly filler, with a chained pattern's bytes here and there, a few
/// hundred to a few thousand bytes: room for every gap.
fn chain_blobs(rng: &mut Rng) -> Vec<Vec<u8>> {
    (0..6)
        .map(|_| {
            let len = *rng.pick(&[200, 700, 1500, 3000]);
            (0..len)
                .map(|_| match rng.below(12) {
                    0..=2 => *rng.pick(b"abcd"),
                    3 => 0,
                    _ => b'.',
                })
                .collect()
        })
        .collect()
}

/// Regex chains with `wide` (and `ascii`, `fullword` or `nocase`) over
/// blobs whose pattern bytes are two-byte characters here and there:
/// YARA-X widens the pieces, not the gaps.
fn run_wide_chain_seed(seed: u64) -> Option<String> {
    let mut rng = Rng::new(seed ^ 0x5749_4445);
    let sources = one_pattern_rules("wide-chain", seed, 6, || {
        loop {
            let p = gen_chain_pattern(&mut rng);
            if let Some(end) = p.rfind("/s") {
                let mods = *rng.pick(&[
                    "wide",
                    "ascii wide",
                    "wide fullword",
                    "wide nocase",
                ]);
                break format!("{} {mods}", &p[..end + 2]);
            }
        }
    });
    let blobs = chain_blobs(&mut rng)
        .into_iter()
        .map(|b| {
            // Runs of pattern bytes become two-byte characters; the
            // filler stays bytes, as a gap can hold anything.
            let mut out = Vec::with_capacity(2 * b.len());
            for x in b {
                out.push(x);
                if x != b'.' {
                    out.push(0);
                }
            }
            out
        })
        .collect::<Vec<_>>();
    compare(&sources, &blobs)
}

/// A hex pattern of bytes, short jumps and alternations of byte strings
/// in any order (YARA-X's fast VM: an alternation after a jump decides
/// the match before the jump's length does), its atom anywhere.
fn gen_hex_alt_pattern(rng: &mut Rng) -> String {
    let mut out = String::new();
    let bytes = |rng: &mut Rng, max: usize| {
        let n = 1 + rng.below(max);
        (0..n)
            .map(|_| format!("{:02x}", rng.pick(b"abcd")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let n = 3 + rng.below(4);
    let mut jump_last = false;
    for i in 0..n {
        jump_last = false;
        let piece = match rng.below(5) {
            _ if i == 0 => bytes(rng, 3),
            0 | 1 => {
                jump_last = true;
                let lo = rng.below(4);
                format!("[{lo}-{}]", lo + rng.below(10))
            }
            2 | 3 => {
                let k = 2 + rng.below(2);
                let alts: Vec<String> =
                    (0..k).map(|_| bytes(rng, 3)).collect();
                format!("( {} )", alts.join(" | "))
            }
            _ => bytes(rng, 4),
        };
        out.push_str(&piece);
        out.push(' ');
    }
    // A pattern may not end in a jump.
    if jump_last {
        out.push_str(&format!("{:02x} ", rng.pick(b"abcd")));
    }
    format!("{{ {out} }}")
}

fn run_hex_alt_seed(seed: u64) -> Option<String> {
    let mut rng = Rng::new(seed ^ 0x4845_5841);
    let sources = one_pattern_rules("hex-alt", seed, 8, || {
        gen_hex_alt_pattern(&mut rng)
    });
    let blobs: Vec<Vec<u8>> = (0..8)
        .map(|_| {
            let len = *rng.pick(&[40, 100, 300]);
            (0..len).map(|_| *rng.pick(b"abcd.abcd")).collect()
        })
        .collect();
    compare(&sources, &blobs)
}

/// Hex patterns mixing jumps and alternations of byte strings agree
/// with YARA-X, but for [`KNOWN_HEX_ALT_DIFFERENCES`].
#[test]
fn generated_hex_alternations_agree_with_yarax() {
    run_seeds(
        "SIGSCAN_HEX_ALT",
        40,
        KNOWN_HEX_ALT_DIFFERENCES,
        run_hex_alt_seed,
    );
}

/// Seeds of `generated_hex_alternations_agree_with_yarax` that differ
/// from YARA-X, with the reason: open work, as [`KNOWN_DIFFERENCES`].
/// Seeds 1..=40 all agree since YARA-X's fast VM order is followed
/// (`fastvm`: its forward code tries each alternative at every position
/// reached before the next one, so `{ 63 61 [2-20] ( 61 | 63 64 ) }`
/// reports all of `ca..cd.....a`); 9, 17, 19, 23, 30 and 34 differed
/// before. Of 1..=300 (2026-12-06, `SIGSCAN_HEX_ALT_ROUNDS=300`, was 88
/// seeds) 64, 98, 113, 118, 163, 178, 191, 217, 232 and 240 still
/// differ, all patterns whose best fast-VM atom is one byte, which
/// YARA-X runs on its general VM (PikeVM) instead, where its answer
/// hangs on two of its internals rather than on the pattern:
///
/// - Which atom hit comes first. Per-branch atoms each find a match,
///   and at one start the first found stays. Aho-Corasick (data under
///   16 bytes) and Teddy (longer data) report hits in other orders:
///   `{ 63 [1-3] ( 64 | 62 64 62 | 63 64 ) }` on `cbabdba.` gives
///   `0+5`, and `0+6` once 8 more bytes follow (113, 163, 178).
/// - Its PikeVM keeps one thread per instruction, ignoring repetition
///   counters, and jumps wider than 10 bytes are counted loops: valid
///   starts are lost. `{ 64 [3-10] ( 64 | 62 ) [5-14] 64 }` on
///   `ddddcababbababa..bb.cbad` reports only `3+21` where `0+24`,
///   `1+23` and `2+22` match too (with `[5-10]`, unrolled, it reports
///   them); 64, 98, 118, 191, 217, 232, 240.
///
/// sigscan reports every match the pattern has there; emulating these
/// would mean copying YARA-X's search order and VM layout, left alone.
const KNOWN_HEX_ALT_DIFFERENCES: &[(u64, &str)] = &[];

/// Chained patterns (split by YARA-X at wide gaps, their pieces' matches
/// joined after the search) agree with YARA-X: which rules match and
/// every match, with no scan limit across the gaps.
#[test]
fn generated_chains_agree_with_yarax() {
    run_seeds("SIGSCAN_CHAIN", 40, KNOWN_CHAIN_DIFFERENCES, run_chain_seed);
}

/// As [`generated_chains_agree_with_yarax`], for `wide` regex chains.
#[test]
fn generated_wide_chains_agree_with_yarax() {
    run_seeds(
        "SIGSCAN_WIDE_CHAIN",
        40,
        KNOWN_WIDE_CHAIN_DIFFERENCES,
        run_wide_chain_seed,
    );
}

/// Seeds of `generated_wide_chains_agree_with_yarax` that still differ
/// from YARA-X, with the reason (see [`KNOWN_CHAIN_DIFFERENCES`]).
const KNOWN_WIDE_CHAIN_DIFFERENCES: &[(u64, &str)] = &[];

/// Seeds of `generated_chains_agree_with_yarax` that still differ from
/// YARA-X, with the reason: open work, as [`KNOWN_DIFFERENCES`]. Of
/// 1..=40 (2026-12-06) none; 4 and 32 differed before: patterns split
/// into one piece (a last piece shorter than two bytes goes back into
/// the piece before along with its gap) are not chained, and YARA-X
/// runs them on its fast VM, whose order (see
/// [`KNOWN_HEX_ALT_DIFFERENCES`]) `/bdd.{0,300}?(a|cd)/s nocase` and
/// `{ 63 61 [250-600] ( 61 | 63 64 ) }` need.
const KNOWN_CHAIN_DIFFERENCES: &[(u64, &str)] = &[];

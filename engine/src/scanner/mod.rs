//! The scanner: runs compiled rules over data.
//!
//! - [`Scanner`] holds the per-scan state (match table, rule results,
//!   module values, external overrides), reused from scan to scan.
//! - `eval` evaluates conditions over the compiled code.
//! - [`ScanResults`] borrows the scanner and lists matching rules with
//!   their patterns' matches.

use std::cell::OnceCell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod eval;
// Owned by the patterns work; helpers it has not used yet are allowed.
#[allow(dead_code)]
mod matches;

pub(crate) use eval::eval_bits;
pub use matches::Match;
pub(crate) use matches::MatchTable;

use crate::compiler::patterns::{PatternId, SearchLimits};
use crate::compiler::{PatternKind, RuleInfo, Rules, Value};
use crate::modules::{MODULES, Value as MValue};
use crate::syntax::ast::{MetaValue, ModifierKind};

/// Files smaller than this are read rather than mapped.
const MMAP_THRESHOLD: u64 = 64 * 1024;

/// Why a scan failed.
#[derive(Debug)]
pub struct ScanError {
    kind: ScanErrorKind,
}

#[derive(Debug)]
enum ScanErrorKind {
    Io { path: PathBuf, source: std::io::Error },
    FileTooLarge { size: u64, max: u64 },
    UnknownGlobal(String),
    GlobalType { name: String, expected: &'static str },
}

impl ScanError {
    /// The path involved, for I/O errors.
    pub fn path(&self) -> Option<&Path> {
        match &self.kind {
            ScanErrorKind::Io { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Whether the data was larger than [`Scanner::max_file_size`].
    pub fn is_file_too_large(&self) -> bool {
        matches!(self.kind, ScanErrorKind::FileTooLarge { .. })
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ScanErrorKind::Io { path, source } => {
                write!(f, "can not read `{}`: {source}", path.display())
            }
            ScanErrorKind::FileTooLarge { size, max } => {
                write!(f, "data of {size} bytes exceeds the limit of {max}")
            }
            ScanErrorKind::UnknownGlobal(n) => {
                write!(f, "unknown global variable `{n}`")
            }
            ScanErrorKind::GlobalType { name, expected } => write!(
                f,
                "global variable `{name}` must be of type {expected}"
            ),
        }
    }
}

impl std::error::Error for ScanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ScanErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Runs [`Rules`] over data. Reusable: each scan keeps the allocations of
/// the previous one.
pub struct Scanner<'r> {
    rules: &'r Rules,
    matches: MatchTable,
    results: Vec<bool>,
    globals: Vec<Value>,
    module_values: Vec<OnceCell<MValue>>,
    timeout: Option<Duration>,
    max_matches: usize,
    max_file_size: Option<u64>,
    timed_out: bool,
    truncated: Vec<PatternId>,
    /// The rules to evaluate in this scan (kept for its allocation).
    todo: Vec<u32>,
    /// Per shared guard ([`RuleIndex`](crate::compiler::RuleIndex)), in
    /// this scan: not yet evaluated, held, or not.
    guards: Vec<Guard>,
}

/// A shared guard's state in one scan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guard {
    Unknown,
    Holds,
    Fails,
}

impl fmt::Debug for Scanner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner")
            .field("timeout", &self.timeout)
            .field("max_matches", &self.max_matches)
            .finish_non_exhaustive()
    }
}

impl<'r> Scanner<'r> {
    pub fn new(rules: &'r Rules) -> Scanner<'r> {
        Scanner {
            rules,
            matches: MatchTable::default(),
            results: Vec::with_capacity(rules.rules.len()),
            globals: rules.globals.iter().map(|(_, v)| v.clone()).collect(),
            module_values: Vec::new(),
            timeout: None,
            max_matches: 1_000_000,
            max_file_size: None,
            timed_out: false,
            truncated: Vec::new(),
            todo: Vec::new(),
            guards: Vec::new(),
        }
    }

    /// Stop a scan after this long; its results then say
    /// [`ScanResults::timed_out`].
    pub fn set_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = Some(timeout);
        self
    }

    /// Matches kept per pattern (default 1 000 000, as YARA-X).
    pub fn max_matches_per_pattern(&mut self, n: usize) -> &mut Self {
        self.max_matches = n;
        self
    }

    /// Refuse data larger than this many bytes.
    pub fn max_file_size(&mut self, bytes: u64) -> &mut Self {
        self.max_file_size = Some(bytes);
        self
    }

    /// Overrides an external variable for the following scans; the value
    /// must have the type it was declared with.
    pub fn set_global(
        &mut self,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<&mut Self, ScanError> {
        let value = value.into();
        let Some(i) = self.rules.global_index(name) else {
            return Err(ScanError {
                kind: ScanErrorKind::UnknownGlobal(name.to_string()),
            });
        };
        if !self.globals[i].same_type(&value) {
            let expected = self.globals[i].type_name();
            return Err(ScanError {
                kind: ScanErrorKind::GlobalType {
                    name: name.to_string(),
                    expected,
                },
            });
        }
        self.globals[i] = value;
        Ok(self)
    }

    /// Scans `data`.
    pub fn scan<'s>(
        &'s mut self,
        data: &[u8],
    ) -> Result<ScanResults<'s, 'r>, ScanError> {
        if let Some(max) = self.max_file_size {
            let size = data.len() as u64;
            if size > max {
                return Err(ScanError {
                    kind: ScanErrorKind::FileTooLarge { size, max },
                });
            }
        }
        self.run(data);
        Ok(ScanResults { scanner: self })
    }

    /// Scans a file: small files are read, larger ones mapped.
    pub fn scan_file<'s>(
        &'s mut self,
        path: impl AsRef<Path>,
    ) -> Result<ScanResults<'s, 'r>, ScanError> {
        let path = path.as_ref();
        let io = |source| ScanError {
            kind: ScanErrorKind::Io { path: path.to_path_buf(), source },
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        if let Some(max) = self.max_file_size {
            if size > max {
                return Err(ScanError {
                    kind: ScanErrorKind::FileTooLarge { size, max },
                });
            }
        }
        if size < MMAP_THRESHOLD {
            let mut buf = Vec::with_capacity(size as usize);
            std::io::Read::read_to_end(&mut &file, &mut buf).map_err(io)?;
            self.run(&buf);
        } else {
            // SAFETY: `map` requires that the file is not changed while
            // mapped; the mapping lives only during this scan and is
            // dropped before returning (see `map`'s contract).
            let map = unsafe { map(&file) }.map_err(io)?;
            self.run(&map);
        }
        Ok(ScanResults { scanner: self })
    }

    fn run(&mut self, data: &[u8]) {
        let rules = self.rules;
        let deadline = self.timeout.map(|t| Instant::now() + t);
        self.timed_out = false;
        self.truncated.clear();
        self.module_values.clear();
        self.module_values.resize_with(MODULES.len(), OnceCell::new);
        self.matches.reset(rules.patterns.len());
        if !rules.patterns.is_empty() && self.search_needed(data, deadline) {
            let limits = SearchLimits {
                max_matches_per_pattern: self.max_matches,
                deadline,
            };
            let outcome =
                rules.patterns.search(data, &mut self.matches, &limits);
            self.timed_out = outcome.timed_out;
            self.truncated = outcome.truncated;
        }
        self.results.clear();
        if self.timed_out {
            // Matches are incomplete: no rule is reported.
            self.results.resize(rules.rules.len(), false);
            return;
        }
        let mut failed_ns: Vec<u32> = Vec::new();
        // Only the rules that might be true: those needing a pattern that
        // matched, and those evaluated always; in rule order.
        let mut todo = std::mem::take(&mut self.todo);
        todo.clear();
        todo.extend_from_slice(&rules.index.always);
        for &p in self.matches.matched_patterns() {
            todo.extend_from_slice(rules.index.rules_of(p));
        }
        // `always` is in rule order already: most scans match nothing.
        if todo.len() > rules.index.always.len() {
            todo.sort_unstable();
            todo.dedup();
        }
        let mut results = std::mem::take(&mut self.results);
        results.resize(rules.rules.len(), false);
        let mut ev = eval::Eval::new(
            &rules.code,
            data,
            &self.matches,
            results,
            &self.globals,
            &self.module_values,
            deadline,
        );
        let mut guards = std::mem::take(&mut self.guards);
        guards.clear();
        guards.resize(rules.index.shared_guards.len(), Guard::Unknown);
        for &i in &todo {
            let Some(rule) = rules.rules.get(i as usize) else { continue };
            // The rule's guards shared with other rules first, each
            // evaluated once per scan.
            let held = rules.index.guards_of(i).iter().all(|&g| {
                let g = g as usize;
                let (Some(state), Some(&node)) =
                    (guards.get_mut(g), rules.index.shared_guards.get(g))
                else {
                    return true;
                };
                if *state == Guard::Unknown {
                    *state = match ev.rule(node) {
                        true => Guard::Holds,
                        false => Guard::Fails,
                    };
                }
                *state == Guard::Holds
            });
            let ok = held && !ev.timed_out && ev.rule(rule.condition);
            if let Some(r) = ev.results.get_mut(i as usize) {
                *r = ok;
            }
            if rule.is_global && !ok {
                failed_ns.push(rule.namespace);
            }
        }
        self.todo = todo;
        self.guards = guards;
        self.timed_out |= ev.timed_out;
        self.results = std::mem::take(&mut ev.results);
        if !failed_ns.is_empty() {
            for (r, rule) in self.results.iter_mut().zip(&rules.rules) {
                if failed_ns.contains(&rule.namespace) {
                    *r = false;
                }
            }
        }
    }
}

impl Scanner<'_> {
    /// Whether some rule reading pattern matches could still match: its
    /// guards (conjuncts decidable without matches) all hold. When none
    /// can, the search is skipped.
    fn search_needed(&self, data: &[u8], deadline: Option<Instant>) -> bool {
        let rules = self.rules;
        // A rule without guards needs the search: no evaluator then.
        if rules.index.search_always {
            return true;
        }
        let mut ev = eval::Eval::new(
            &rules.code,
            data,
            &self.matches,
            Vec::new(),
            &self.globals,
            &self.module_values,
            deadline,
        );
        rules
            .rules
            .iter()
            .any(|r| r.uses_matches && r.guards.iter().all(|&g| ev.rule(g)))
    }
}

/// Maps `file` into memory, read-only.
///
/// # Safety
///
/// The caller must ensure the file is not truncated or modified while the
/// map is alive: another process changing it would change bytes the scan
/// reads (truncation may raise `SIGBUS`). Scanning files that might change
/// under the scanner should use a plain read instead.
unsafe fn map(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the caller upholds that the file stays unchanged while the
    // map lives (this function's contract).
    unsafe { memmap2::Mmap::map(file) }
}

/// The results of one scan.
pub struct ScanResults<'s, 'r> {
    scanner: &'s Scanner<'r>,
}

impl fmt::Debug for ScanResults<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.matching_rules().map(|r| r.identifier()))
            .finish()
    }
}

impl<'s, 'r> ScanResults<'s, 'r> {
    /// Public rules that matched, in rule order.
    pub fn matching_rules(
        &self,
    ) -> impl Iterator<Item = MatchingRule<'s, 'r>> + use<'s, 'r> {
        self.rules_where(true)
    }

    /// Public rules that did not match, in rule order.
    pub fn non_matching_rules(
        &self,
    ) -> impl Iterator<Item = MatchingRule<'s, 'r>> + use<'s, 'r> {
        self.rules_where(false)
    }

    fn rules_where(
        &self,
        want: bool,
    ) -> impl Iterator<Item = MatchingRule<'s, 'r>> + use<'s, 'r> {
        let scanner = self.scanner;
        let rules = scanner.rules;
        rules.rules.iter().enumerate().filter_map(move |(i, r)| {
            let hit = scanner.results.get(i).copied().unwrap_or(false);
            (hit == want && !r.is_private).then_some(MatchingRule {
                info: RuleInfo { rules, index: i },
                matches: &scanner.matches,
            })
        })
    }

    /// Whether the scan stopped at the timeout (then no rule matches).
    pub fn timed_out(&self) -> bool {
        self.scanner.timed_out
    }

    /// Identifiers of the patterns whose matches were cut at
    /// `max_matches_per_pattern`, as `(rule, pattern)`.
    pub fn truncated_patterns(&self) -> Vec<(&'r str, &'r str)> {
        let rules = self.scanner.rules;
        let mut out = Vec::new();
        for r in &rules.rules {
            for (name, id, _) in &r.patterns {
                if self.scanner.truncated.contains(id) {
                    out.push((r.name.as_str(), name.as_str()));
                }
            }
        }
        out
    }
}

/// A rule in scan results.
pub struct MatchingRule<'s, 'r> {
    info: RuleInfo<'r>,
    matches: &'s MatchTable,
}

impl fmt::Debug for MatchingRule<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MatchingRule")
            .field("namespace", &self.namespace())
            .field("identifier", &self.identifier())
            .finish_non_exhaustive()
    }
}

impl<'s, 'r> MatchingRule<'s, 'r> {
    pub fn identifier(&self) -> &'r str {
        self.info.identifier()
    }

    pub fn namespace(&self) -> &'r str {
        self.info.namespace()
    }

    pub fn tags(&self) -> impl ExactSizeIterator<Item = &'r str> + use<'r> {
        self.info.tags()
    }

    pub fn metadata(
        &self,
    ) -> impl ExactSizeIterator<Item = (&'r str, &'r MetaValue)> + use<'r>
    {
        self.info.metadata()
    }

    /// The rule's non-private patterns with their matches.
    pub fn patterns(
        &self,
    ) -> impl Iterator<Item = PatternMatches<'s, 'r>> + use<'s, 'r> {
        let matches = self.matches;
        let rule = &self.info.rules.rules[self.info.index];
        rule.patterns
            .iter()
            .enumerate()
            .filter(|(_, (_, _, private))| !private)
            .map(move |(i, (name, id, _))| {
                let (kind, modifiers) = rule
                    .pattern_kinds
                    .get(i)
                    .map_or((PatternKind::Text, &[][..]), |(k, m)| {
                        (*k, m.as_slice())
                    });
                PatternMatches {
                    identifier: name,
                    kind,
                    modifiers,
                    matches: matches.get(*id),
                }
            })
    }
}

/// One pattern of a matching rule and its matches.
#[derive(Debug)]
pub struct PatternMatches<'s, 'r> {
    identifier: &'r str,
    kind: PatternKind,
    modifiers: &'r [ModifierKind],
    matches: &'s [Match],
}

impl<'s, 'r> PatternMatches<'s, 'r> {
    /// `$a`, or `$` for an anonymous pattern.
    pub fn identifier(&self) -> &'r str {
        self.identifier
    }

    /// Whether the pattern is a text string, a hex string or a regex.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The pattern's modifiers, as written.
    pub fn modifiers(&self) -> &'r [ModifierKind] {
        self.modifiers
    }

    /// Matches sorted by offset.
    pub fn matches(&self) -> &'s [Match] {
        self.matches
    }
}

#[cfg(test)]
mod tests {
    use super::Scanner;
    use crate::Compiler;

    fn needed(src: &str, data: &[u8]) -> bool {
        let mut c = Compiler::new();
        c.add_source(src).expect("compiles");
        let rules = c.build().expect("builds");
        let mut s = Scanner::new(&rules);
        s.matches.reset(rules.patterns.len());
        s.module_values
            .resize_with(crate::modules::MODULES.len(), Default::default);
        s.search_needed(data, None)
    }

    #[test]
    fn search_is_skipped_when_guards_fail() {
        let guarded = r#"rule a { strings: $a = "MZ"
            condition: uint16(0) == 0x5a4d and filesize < 100 and $a }"#;
        assert!(needed(guarded, b"MZ.."));
        assert!(!needed(guarded, b"ELF."));
        assert!(!needed(guarded, &[b'M', b'Z', 0, 0].repeat(50)));
        // An undefined guard fails too.
        assert!(!needed(guarded, b"M"));
        // Without guards the search always runs.
        assert!(needed(r#"rule a { strings: $a = "x" condition: $a }"#, b""));
        // One unguarded rule is enough.
        let two = format!(
            "{guarded} rule b {{ strings: $b = \"y\" condition: $b or \
             filesize == 0 }}"
        );
        assert!(needed(&two, b"ELF."));
    }

    /// Which patterns a rule needs one match of is read from the
    /// condition's shape (then a rule none of them matched is not
    /// evaluated); conditions that may hold with no match need none, and
    /// the outcome on data without any match is unchanged. A database
    /// loaded back derives the same.
    #[test]
    fn rules_needing_a_match_are_skipped_only_when_sound() {
        // (condition, patterns required (None: evaluated), true on "zzz")
        let cases: &[(&str, Option<usize>, bool)] = &[
            ("$_a", Some(1), false),
            ("$_a or $_b", Some(2), false),
            ("$_a and filesize > 0", Some(1), false),
            ("filesize > 0 and ($_a or $_b at 1)", Some(2), false),
            ("$_a or filesize > 0", None, true),
            ("not $_a", None, true),
            ("#_a == 0", None, true),
            ("#_a < 1", None, true),
            ("#_a >= 0", None, true),
            ("#_a > 0", Some(1), false),
            ("0 < #_a", Some(1), false),
            ("#_a in (0..10) >= 2", Some(1), false),
            ("any of them", Some(2), false),
            ("all of ($_a, $_b)", Some(2), false),
            ("1 of them in (0..5)", Some(2), false),
            ("0 of them", None, true),
            ("none of them", None, true),
            ("50% of them", None, false),
            ("with x = 1 : ($_b and x == 1)", Some(1), false),
        ];
        for &(cond, required, expected) in cases {
            let src = format!(
                r#"rule r {{ strings: $_a = "abc" $_b = "xyz"
                   condition: {cond} }}"#
            );
            let mut c = Compiler::new();
            c.add_source(&src).expect("compiles");
            let rules = c.build().expect("builds");
            let got = rules.rules[0].required.as_ref().map(|r| r.len());
            assert_eq!(got, required, "{cond}");
            let mut s = Scanner::new(&rules);
            let n = s.scan(b"zzz").expect("scans").matching_rules().count();
            assert_eq!(n == 1, expected, "{cond}");
            let loaded =
                crate::Rules::load(&rules.serialize()).expect("loads");
            assert_eq!(loaded.rules[0].required, rules.rules[0].required);
        }
    }
}

//! Patterns: lowering text, hex and regex patterns (with their modifiers)
//! to atoms for the multi-pattern automaton plus a verifier for each atom
//! hit.
//!
//! The interface below is the contract with the rest of the compiler and
//! the scanner; the implementation behind it is free.

use std::time::Instant;

use crate::scanner::MatchTable;
use crate::syntax::Diagnostic;
use crate::syntax::ast;

/// Dense index of a pattern in a [`PatternSet`], from 0.
pub(crate) type PatternId = u32;

/// Options that change how patterns compile.
#[derive(Clone, Debug, Default)]
pub(crate) struct PatternOptions {
    /// Accept what YARA-X accepts with `--relaxed-re-syntax`.
    pub relaxed_re_syntax: bool,
    /// Turn the slow-pattern warning into an error.
    pub error_on_slow_pattern: bool,
}

/// Collects patterns, then builds the [`PatternSet`].
#[derive(Debug, Default)]
pub(crate) struct PatternSetBuilder {}

impl PatternSetBuilder {
    pub fn new(options: PatternOptions) -> PatternSetBuilder {
        let _ = options;
        PatternSetBuilder {}
    }

    /// Adds one pattern and returns its id. Warnings (e.g. a slow pattern)
    /// are pushed to `diagnostics`; an error is returned as `Err` (and may
    /// also be one of the pushed diagnostics).
    pub fn add(
        &mut self,
        pattern: &ast::Pattern,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<PatternId, Diagnostic> {
        let _ = (pattern, diagnostics);
        Ok(0)
    }

    /// Builds the automaton over the atoms of every pattern added.
    pub fn build(self) -> Result<PatternSet, Diagnostic> {
        Ok(PatternSet {})
    }
}

/// Every pattern of every rule, ready to search. Immutable, `Send + Sync`.
#[derive(Debug)]
pub(crate) struct PatternSet {}

/// Bounds on one search.
#[derive(Clone, Debug)]
pub(crate) struct SearchLimits {
    /// Matches kept per pattern; further matches are counted as dropped.
    pub max_matches_per_pattern: usize,
    /// Stop searching once this instant has passed.
    pub deadline: Option<Instant>,
}

/// How a search ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SearchOutcome {
    /// The deadline passed before the data was fully searched.
    pub timed_out: bool,
    /// Patterns that hit `max_matches_per_pattern`.
    pub truncated: Vec<PatternId>,
}

impl PatternSet {
    /// Number of patterns (ids are `0..len()`).
    pub fn len(&self) -> usize {
        0
    }

    /// Finds every match of every pattern in `data` and records them in
    /// `matches` (cleared first), each pattern's matches sorted by offset,
    /// at most one per offset.
    pub fn search(
        &self,
        data: &[u8],
        matches: &mut MatchTable,
        limits: &SearchLimits,
    ) -> SearchOutcome {
        let _ = (data, limits);
        matches.reset(self.len());
        SearchOutcome::default()
    }
}

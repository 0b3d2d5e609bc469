//! Patterns: lowering text, hex and regex patterns (with their modifiers)
//! to atoms for the multi-pattern search plus a verifier for each atom
//! hit.
//!
//! The interface ([`PatternSetBuilder`], [`PatternSet`], [`SearchLimits`],
//! [`SearchOutcome`]) is the contract with the rest of the compiler and
//! the scanner.
//!
//! # How a pattern is lowered
//!
//! Each pattern becomes one or more *sub-patterns* ([`Sub`]), one per form
//! it can take in the data:
//!
//! - text: one literal per `ascii`/`wide` form; `nocase` compares ignoring
//!   ASCII case (atoms in every case variant); `xor` keeps one literal and
//!   enumerates the keys in its atoms (the key comes from the atom that
//!   hit, fullword is checked on XORed neighbours); `base64`/`base64wide`
//!   are the three trimmed encodings, confirmed by a strict decode
//!   ([`base64`]); with `wide`, the text is widened before encoding.
//! - hex without alternatives or variable jumps: a masked compare.
//! - other hex and regexes: a `regex-syntax` HIR ([`hir`]) split at its
//!   best atom: the part from the atom on is matched forward from the hit
//!   (anchored, leftmost-first, `regex-automata` meta regex), the part
//!   before it backward with an anchored reverse lazy DFA reporting every
//!   start. Bytes at fixed offsets around the atom are checked first.
//!   Regexes (and hex patterns YARA-X does not chain) look at most
//!   [`REGEX_SCAN_LIMIT`] bytes each way, as YARA-X does. Where YARA-X
//!   runs a pattern on its fast VM and an alternation follows a variable
//!   jump (`{ 63 61 [2-20] ( 61 | 63 64 ) }`), the split is inside
//!   YARA-X's best piece and the part after it is run as that VM runs
//!   it ([`fastvm`]): each alternative at every position reached before
//!   the next alternative, not leftmost-first.
//! - patterns YARA-X splits at wide gaps of any byte (`{ 61 62 [-] 63
//!   64 }`, `/abc.{0,5000}def/s`): a [`Chain`] of pieces, each lowered
//!   as above in a slot of its own, joined after the search in time
//!   linear in the pieces' matches (times a logarithm), with no scan
//!   limit across the gaps.
//!
//! Every sub-pattern contributes atoms of one to four bytes ([`atoms`]):
//! the most selective window anywhere in the pattern, expanded over a few
//! alternatives (case, masks, even a wildcard between two good bytes).
//! Identical atoms are shared. All atoms go into ONE search ([`finder`]),
//! by default direct hashed tables (measured faster than `aho-corasick`'s
//! DFA on real rule sets; the crate stays selectable through
//! [`FinderKind`]). A pattern without any atom is tried at every offset
//! its first byte allows. The *slow pattern* warning (an error with
//! [`PatternOptions::error_on_slow_pattern`]) is YARA-X's, so the same
//! rules are refused under that option: judged by YARA-X's atoms, not
//! these ([`yarax::Analysis::slow`], [`yarax::slow_literal`]; 605 verdicts
//! of YARA-X in `engine/tests/testdata/slow.txt`).
//!
//! # Matches
//!
//! Per pattern, sorted by offset, one per offset: the first found stays,
//! except that a regex with a greedy repetition replaces it as YARA-X 1.22
//! does ([`MatchTable::add`]: the last match's end is replaced, others only
//! by a longer one; between the ascii and wide forms the one YARA-X
//! verifies second wins, [`form_orders`], an order that depends on
//! whether YARA-X searches with Teddy or daachorse, [`TeddyModel`],
//! so on the data's length and the rules' atoms; for a greedy regex
//! whose YARA-X atom lies inside an unbounded repetition, the longer,
//! [`RegexSub::longest_across_forms`], as at an offset where the element
//! of a repetition YARA-X over-extends at the start repeats,
//! [`RegexSub::rereport`]; for a greedy regex some of whose
//! YARA-X atoms are exact, the length YARA-X's sequence of atom hits at
//! the offset leaves, [`ExactAtoms`]). Slow sub-patterns are tried at
//! each offset before the atom hits starting there, and a regex without
//! a YARA-X atom tries its wide form before its ascii one
//! (`yarax::atoms_empty`), as YARA-X does. A regex ending in a gap of
//! any byte wider than 200 (`/ab.*/s`) loses it, as YARA-X's chain split
//! drops it (`yarax::trailing_gap_dropped`). A narrower variable gap at
//! either end of a pattern YARA-X runs on its fast VM is checked one byte
//! further, as YARA-X does (`/AB.{0,100}/s` reports `ABxy` in `ABxyz`,
//! `/.+Aa/` nothing in `1Aa`; [`yarax::widened_end_gap`],
//! [`RegexSub::trim`]). Known differences from YARA-X: its atom choice
//! decides where its scan limit starts counting, which can differ for
//! matches near 4 KiB long; look-arounds inside (not at the ends of) a
//! `wide` regex see bytes, not two-byte characters.
//!
//! Known limits: a chained pattern with a greedy piece before its last
//! (`{ 61 [0-9] 62 [-] 63 }` is not, `/a.*b.{0,500}c/s` is) is matched
//! whole within the scan limit, unless a gap is too wide for an NFA
//! (wider than [`hir::HUGE_JUMP`]), as is a `wide` regex with
//! look-arounds (a `wide` chain widens its pieces, not its gaps, as
//! YARA-X does); a hex pattern whose only variable part is such a jump
//! without a chain is left open across it, bounded by the scan limit of
//! its side of the split ([`hir::hex_long_jump`]).

mod atoms;
pub(crate) mod base64;
mod fastvm;
mod finder;
pub(crate) mod hir;
mod search;
mod yarax;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::hybrid;
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{meta, util::primitives::StateID};
use regex_syntax::hir::Hir;

use crate::database;
use crate::scanner::MatchTable;
use crate::syntax::ast::{self, ModifierKind, PatternKind};
use crate::syntax::{Diagnostic, DiagnosticKind};
pub(crate) use fastvm::FastForward;

/// Dense index of a pattern in a [`PatternSet`], from 0.
pub(crate) type PatternId = u32;

/// How far (bytes) a regex is matched forward from its atom and backward
/// before it, as YARA-X does. Hex patterns are not limited.
pub(crate) const REGEX_SCAN_LIMIT: usize = 4095;

/// Largest NFA (bytes of heap) a hex or regex pattern may compile to.
const NFA_SIZE_LIMIT: usize = 8 << 20;

/// Largest reverse DFA for the part of a pattern before its atom.
const REVERSE_DFA_LIMIT: usize = 2 << 20;

/// Options that change how patterns compile.
#[derive(Clone, Debug, Default)]
pub(crate) struct PatternOptions {
    /// Accept what YARA-X accepts with `--relaxed-re-syntax`.
    pub relaxed_re_syntax: bool,
    /// Turn the slow-pattern warning into an error.
    pub error_on_slow_pattern: bool,
}

/// The multi-pattern search over atoms (see [`finder`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum FinderKind {
    /// Direct tables per atom length (the fastest measured).
    #[default]
    Hash,
    /// The `aho-corasick` crate; `None` lets it pick by size.
    AhoCorasick(Option<AhoCorasickKind>),
}

/// One form of a pattern in the data.
#[derive(Debug)]
pub(crate) struct Sub {
    pub pattern: PatternId,
    /// Check `fullword` (with `wide`: on two-byte characters).
    pub fullword: bool,
    pub wide: bool,
    /// A piece of a chained pattern ([`Chain`]): its matches are kept
    /// apart, in this piece slot, until the chains are resolved.
    pub piece: Option<u32>,
    pub kind: SubKind,
}

/// A pattern YARA-X matches as a chain of pieces split at wide gaps of
/// any byte (`{ 61 62 [0-100000] 63 64 }`, `/abc.{0,5000}def/s`): each
/// piece is searched as a pattern of its own (sub-patterns whose
/// `piece` is set), then [`search`] joins the pieces' matches. A match
/// of the pattern runs from a match of the first piece to the first
/// (for a greedy regex, the last) match of the last piece (by offset)
/// that a sequence of piece matches with every gap in bounds reaches
/// from it, as YARA-X reports it:
/// `{ 61 62 [-] 63 64 }` reports `ab ab cd` and `ab cd` in `ab ab cd
/// cd`. No scan limit applies across the gaps.
#[derive(Debug)]
pub(crate) struct Chain {
    pub pattern: PatternId,
    /// The first piece's slot; the pieces are `first..=first +
    /// gaps.len()`.
    pub first: u32,
    /// Bytes from the end of piece `i` to the start of piece `i + 1`:
    /// `(min, max)`, `max` `None` when unbounded.
    pub gaps: Box<[(u32, Option<u32>)]>,
    /// A greedy regex: a match runs to the last match of the last piece
    /// reached, not the first (YARA-X replaces the end of a greedy
    /// regex's match at an offset with each later one: `/abc.*ddd/s`
    /// reports all of `abcdddddd`).
    pub greedy: bool,
    /// `fullword`: the first piece's match must start, the last one's
    /// end, at a word boundary.
    pub fullword: bool,
    /// The `wide` form: the pieces are widened, the gaps are not (YARA-X
    /// splits the pattern before widening it: `/abc.{0,5000}def/s wide`
    /// finds `a\0b\0c\0`, 5,000 bytes of anything, `d\0e\0f\0`).
    pub wide: bool,
}

/// How `h` is chained ([`Chain`]), if it is: where YARA-X splits it into
/// two pieces or more ([`yarax::chain_split`]) and no piece but the last
/// has a greedy repetition. A piece's match at an offset is then the one
/// its matcher gives, as YARA-X has it (`{ 63 [0-40000] 62 [0-300] 64 64
/// 62 }` joins only the first `62` after a `63`), while YARA-X keeps
/// several ends per start of a greedy piece (`a.*aa`): such patterns are
/// left to the whole pattern's matcher (within the scan limit), unless a
/// gap is too wide for its NFA ([`hir::HUGE_JUMP`]).
fn chainable(h: &Hir) -> Option<yarax::ChainSplit> {
    let c = yarax::chain_split(h)?;
    if c.pieces.len() < 2 {
        return None;
    }
    let lazy = !c.pieces[..c.pieces.len() - 1].iter().any(hir::is_greedy);
    let huge = c.gaps.iter().any(|&(min, max)| {
        max.is_some_and(|max| max.saturating_sub(min) > hir::HUGE_JUMP)
    });
    (lazy || huge).then_some(c)
}

#[derive(Debug)]
pub(crate) enum SubKind {
    /// A literal compared in place.
    Literal { bytes: Box<[u8]>, nocase: bool },
    /// A literal XORed with the key of the atom that hit.
    Xor { bytes: Box<[u8]> },
    /// A trimmed base64 encoding (the literal searched) of `plain`.
    Base64 {
        encoded: Box<[u8]>,
        plain: Box<[u8]>,
        padding: u8,
        alphabet: Box<base64::Alphabet>,
    },
    /// A hex pattern of fixed length: `data[i] & mask[i] == value[i]`,
    /// inverted where `negated[i]`.
    Masked { value: Box<[u8]>, mask: Box<[u8]>, negated: Box<[bool]> },
    /// A hex pattern or regex split at its atom.
    Regex(Box<RegexSub>),
}

/// A hex pattern or regex split where its atoms are.
#[derive(Debug)]
pub(crate) struct RegexSub {
    /// Anchored leftmost-first matcher for the part from the atom on
    /// (built from `fwd_hir` on first use when loaded from a database;
    /// `None` if that fails).
    pub fwd: OnceLock<Option<meta::Regex>>,
    /// What `fwd` is built from (kept for the compiled database).
    pub fwd_hir: Hir,
    /// What `bck` is built from (kept for the compiled database).
    pub bck_hir: Option<Hir>,
    /// Anchored reverse lazy DFA (all matches) of the part before the
    /// atom.
    /// Built from `bck_hir` on first use when loaded from a database.
    pub bck: OnceLock<Option<Box<Reverse>>>,
    /// At the same start keep the longest match.
    pub greedy: bool,
    /// Greedy, and YARA-X's atom lies inside an unbounded repetition
    /// (`/[^a]+/`): its backward code holds the repetition again, so
    /// every later atom hit in a run reports a match at each earlier
    /// start once more, and across forms the longer match at an offset
    /// stays ([`yarax::atom_in_loop`]).
    pub longest_across_forms: bool,
    /// With both `ascii` and `wide`, greedy: the bytes of the one-byte
    /// element of the repetition YARA-X over-extends at the pattern's
    /// start ([`yarax::leading_quirk_element`]). Where that element
    /// matches at an offset and the next, YARA-X's ascii atom hit on the
    /// second copy reports the offset again after both forms did, so the
    /// longer form's match stays there (`/.{1,3}/ ascii wide` reports
    /// `c\0\0a` in `c\0\0a`); elsewhere the usual order holds
    /// (`/a{1,3}.+/s ascii wide` keeps the wide `a\0..` after `a\0`).
    pub rereport: Option<Box<ByteBits>>,
    /// Forward/backward scan limit.
    pub limit: Option<usize>,
    /// For slow patterns: the bytes that can start a match.
    pub first_bytes: Box<[bool; 256]>,
    /// Bytes at fixed offsets from the atom that every match has, checked
    /// before running the regex: `(offset, 256-bit set)`.
    pub checks: Box<[(isize, ByteBits)]>,
    /// Look-arounds at the ends of a wide regex.
    pub edges: hir::WideEdges,
    /// A greedy regex some of whose YARA-X atoms are exact (see
    /// [`ExactAtoms`]).
    pub exact_atoms: Option<Box<ExactAtoms>>,
    /// The first / last unit of the HIRs is a gap YARA-X's fast VM
    /// checks one byte beyond ([`yarax::widened_end_gap`]), widened by
    /// that byte: a match is reported without it.
    pub trim: [bool; 2],
    /// YARA-X's atoms start where the pattern starts, so with Teddy it
    /// verifies the wide form's hit before the ascii one's at one offset
    /// ([`form_orders`]).
    pub atom_at_start: bool,
    /// With both forms, where YARA-X's atom is not at the pattern's
    /// start but every unit before it can match nothing (`/a*b/`): the
    /// bytes a non-empty match of those units starts with. A match
    /// whose first byte is none of them has its atom at its start, so
    /// with Teddy YARA-X verifies the wide form's hit there before the
    /// ascii one's, as with [`RegexSub::atom_at_start`]
    /// (`/a*b/ ascii wide` reports `b` in `b\0` and 30 more bytes).
    pub teddy_start: Option<Box<ByteBits>>,
    /// The part from the atom on as YARA-X's fast VM runs it, used
    /// instead of `fwd` where the order it tries alternatives in decides
    /// the match ([`fastvm`]).
    pub fast: Option<Box<FastForward>>,
}

/// YARA-X's atoms of a greedy regex when some are exact
/// ([`yarax::exact_atoms`]): all of them start where a match starts, a
/// hit of an exact one is a match of the atom's length, a hit of
/// another runs the regex, and each match at an offset replaces the end
/// of the one before while that offset is the last one matched. The
/// length reported at an offset thus comes from the longest atom found
/// there (`/ba*\w\w/` reports the exact atom `ba1` in `ba1A`), unless
/// a match at a later offset came in between (`search::yarax_len`).
#[derive(Debug)]
pub(crate) struct ExactAtoms {
    /// The atoms of this form (widened for `wide`), sorted, with whether
    /// each is exact.
    pub atoms: Box<[(Box<[u8]>, bool)]>,
    /// The longest atom's length.
    pub max_len: usize,
    /// The whole pattern of this form, to tell whether a match starts at
    /// an offset.
    pub whole_hir: Hir,
    /// Anchored matcher of `whole_hir`, built on first use.
    pub whole: OnceLock<Option<meta::Regex>>,
}

impl ExactAtoms {
    pub(crate) fn new(
        mut atoms: Vec<(Vec<u8>, bool)>,
        whole_hir: Hir,
    ) -> ExactAtoms {
        atoms.sort();
        atoms.dedup_by(|a, b| a.0 == b.0);
        let max_len = atoms.iter().map(|a| a.0.len()).max().unwrap_or(0);
        ExactAtoms {
            atoms: atoms.into_iter().map(|(b, e)| (b.into(), e)).collect(),
            max_len,
            whole_hir,
            whole: OnceLock::new(),
        }
    }

    /// The anchored matcher of the whole pattern (`None` if it cannot be
    /// built).
    pub fn whole(&self) -> Option<&meta::Regex> {
        self.whole.get_or_init(|| forward_regex(&self.whole_hir).ok()).as_ref()
    }

    /// The atoms found at `at` in `data`, shortest first, with whether
    /// each is exact.
    pub fn found_at<'a>(
        &'a self,
        data: &'a [u8],
        at: usize,
    ) -> impl Iterator<Item = (usize, bool)> + 'a {
        (1..=self.max_len).filter_map(move |n| {
            let key = data.get(at..at.checked_add(n)?)?;
            let i = self.atoms.binary_search_by(|a| (*a.0).cmp(key)).ok()?;
            Some((n, self.atoms[i].1))
        })
    }
}

impl RegexSub {
    /// The forward matcher (`None` if it cannot be built).
    pub fn fwd(&self) -> Option<&meta::Regex> {
        self.fwd.get_or_init(|| forward_regex(&self.fwd_hir).ok()).as_ref()
    }

    /// The reverse DFA: `Ok(None)` when the pattern is not split,
    /// `Err(())` if it cannot be built.
    pub fn bck(&self) -> Result<Option<&Reverse>, ()> {
        let Some(h) = &self.bck_hir else { return Ok(None) };
        match self.bck.get_or_init(|| reverse_dfa(h)) {
            Some(r) => Ok(Some(r)),
            None => Err(()),
        }
    }
}

/// Most fixed-offset checks kept per regex sub-pattern.
const MAX_CHECKS: usize = 24;

/// A set of bytes, one bit each.
pub(crate) type ByteBits = [u64; 4];

/// The set of `bytes`.
fn byte_bits(bytes: impl IntoIterator<Item = u8>) -> ByteBits {
    let mut bits = [0u64; 4];
    for b in bytes {
        bits[usize::from(b >> 6)] |= 1 << (b & 63);
    }
    bits
}

/// Whether `b` is in `bits`.
pub(crate) fn has_byte(bits: &ByteBits, b: u8) -> bool {
    bits[usize::from(b >> 6)] & (1 << (b & 63)) != 0
}

/// The one-byte elements right before and after `split` in `units`, as
/// `(offset from the split, byte set)`; sets matching every byte are left
/// out.
fn fixed_checks(units: &[Hir], split: usize) -> Box<[(isize, ByteBits)]> {
    let mut out = Vec::new();
    let fwd = units[split..].iter().enumerate();
    let bck = units[..split].iter().rev().enumerate();
    for (i, u) in fwd {
        let Some(set) = hir::byte_set(u, 256) else { break };
        if set.len() < 256 && out.len() < MAX_CHECKS / 2 {
            out.push((i as isize, byte_bits(set)));
        }
    }
    for (i, u) in bck {
        let Some(set) = hir::byte_set(u, 256) else { break };
        if set.len() < 256 && out.len() < MAX_CHECKS {
            out.push((-(i as isize) - 1, byte_bits(set)));
        }
    }
    out.into_boxed_slice()
}

/// A lazy DFA matching the part of a pattern before its atom backward,
/// with a pool of caches so the set stays immutable and `Sync`.
pub(crate) struct Reverse {
    pub dfa: hybrid::dfa::DFA,
    pub pool: Pool<hybrid::dfa::Cache, CacheFn>,
}

type CacheFn = Box<
    dyn Fn() -> hybrid::dfa::Cache
        + Send
        + Sync
        + std::panic::UnwindSafe
        + std::panic::RefUnwindSafe,
>;

impl std::fmt::Debug for Reverse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reverse").finish_non_exhaustive()
    }
}

/// What an atom hit means: sub-pattern `sub` may start `backoff` bytes
/// before it (with `key` for xor).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AtomRef {
    pub sub: u32,
    pub backoff: u32,
    pub key: u8,
    /// The atom is the whole literal: no comparison needed.
    pub exact: bool,
}

/// Collects patterns, then builds the [`PatternSet`].
#[derive(Debug, Default)]
pub(crate) struct PatternSetBuilder {
    options: PatternOptions,
    finder: FinderKind,
    num_patterns: u32,
    subs: Vec<Sub>,
    atoms: Vec<Vec<u8>>,
    atom_ids: HashMap<Vec<u8>, u32>,
    refs: Vec<Vec<AtomRef>>,
    slow: Vec<u32>,
    /// Wide look-arounds of the regex being lowered.
    edges: hir::WideEdges,
    /// Atoms the pattern being lowered pushed refs to.
    touched: Vec<u32>,
    /// Whether slow-pattern diagnostics of the pattern being lowered wait
    /// for its rule's condition (it may be anchored).
    defer_slow: bool,
    /// Lower the pattern being lowered as a slow pattern (no atoms).
    force_slow: bool,
    /// The regex being lowered has YARA-X's atom inside an unbounded
    /// repetition ([`yarax::atom_in_loop`]).
    atom_in_loop: bool,
    /// [`RegexSub::rereport`] of the regex being lowered.
    rereport: Option<ByteBits>,
    /// YARA-X compiles the pattern being lowered for its fast VM
    /// ([`yarax::fast_vm`]); `Some(greedy)` with its greediness there
    /// ([`yarax::greedy`]).
    fast_vm: Option<bool>,
    /// YARA-X's atoms of the regex being lowered start where it starts
    /// ([`RegexSub::atom_at_start`]).
    atom_at_start: bool,
    /// [`RegexSub::teddy_start`] of the regex being lowered.
    teddy_start: Option<ByteBits>,
    /// The regex being lowered is one branch of an alternation
    /// ([`yarax::branch_splits`]), with where to split it if known.
    branch_split: Option<Option<usize>>,
    /// YARA-X's atoms of the greedy regex form being lowered when some
    /// are exact ([`ExactAtoms`]).
    exact_atoms: Option<Vec<(Vec<u8>, bool)>>,
    /// The width of the one huge jump of the hex pattern being lowered,
    /// made unbounded in its HIR (see `hir::hex_long_jump`).
    long_jump: Option<u32>,
    /// The deferred slow-pattern diagnostic's span.
    deferred_slow: Option<ast::Span>,
    /// Chained patterns, and the piece slots handed out to them.
    chains: Vec<Chain>,
    num_pieces: u32,
    /// The piece slot of the chain piece being lowered.
    cur_piece: Option<u32>,
    /// Anchorable patterns of the rule being compiled.
    pending: Vec<Pending>,
    /// Anchored sub-patterns: `(sub, offset)`.
    anchored: Vec<(u32, usize)>,
    /// YARA-X's atoms per distinct pattern ([`yarax_key`]).
    yarax: HashMap<Vec<u8>, YaraxAtoms>,
    /// YARA-X's atoms of the pattern being lowered.
    yarax_cur: YaraxAtoms,
}

/// An anchorable pattern of the rule being compiled, until its condition
/// says whether it is anchored.
#[derive(Debug)]
struct Pending {
    id: PatternId,
    /// Its [`yarax_key`].
    key: Vec<u8>,
    /// Its sub-patterns, `subs[lo..hi]`.
    subs: (u32, u32),
    /// The atoms it added refs to.
    atoms: Vec<u32>,
    lits: AnchorLits,
    /// Its slow-pattern diagnostic, if any, waiting.
    slow: Option<ast::Span>,
}

/// The literals an anchored pattern is compared with at its offset, in
/// the order YARA-X tries them (the first that matches is reported).
#[derive(Debug)]
struct AnchorLits {
    /// `(bytes, wide)`.
    lits: Vec<(Vec<u8>, bool)>,
    nocase: bool,
    fullword: bool,
}

impl PatternSetBuilder {
    pub fn new(options: PatternOptions) -> PatternSetBuilder {
        PatternSetBuilder { options, ..Default::default() }
    }

    /// Chooses the multi-pattern search (default [`FinderKind::Hash`]);
    /// kept selectable to measure the alternatives.
    pub fn set_finder(&mut self, kind: FinderKind) {
        self.finder = kind;
    }

    /// Adds one pattern and returns its id. Warnings (e.g. a slow pattern)
    /// are pushed to `diagnostics`; an error is returned as `Err` (and may
    /// also be one of the pushed diagnostics).
    pub fn add(
        &mut self,
        pattern: &ast::Pattern,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<PatternId, Diagnostic> {
        let id = self.num_patterns;
        let subs_before = self.subs.len();
        let atoms_before = self.atoms.len();
        let refs_snapshot: Vec<usize> =
            self.refs.iter().map(|r| r.len()).collect();
        let slow_before = self.slow.len();
        let (chains_before, pieces_before) =
            (self.chains.len(), self.num_pieces);
        // A hex pattern's HIR, built once for the three uses below.
        let hex = match &pattern.kind {
            PatternKind::Hex(h) => Some(hir::hex_to_hir(&h.tokens)),
            _ => None,
        };
        let lits = self.anchor_lits(pattern, hex.as_ref());
        let hex_key = hex.as_ref().map(database::hir::encode);
        self.touched.clear();
        self.defer_slow = lits.is_some();
        self.deferred_slow = None;
        self.yarax_cur = YaraxAtoms::new();
        let lowered = self.lower(pattern, hex, id, diagnostics);
        self.defer_slow = false;
        match lowered {
            Ok(()) => {
                self.num_patterns += 1;
                let key = yarax_key(pattern, hex_key.as_deref());
                let cur = self.yarax_cur;
                let e = self.yarax.entry(key.clone()).or_insert(cur);
                e.uses += 1;
                if let Some(lits) = lits {
                    self.pending.push(Pending {
                        id,
                        key,
                        subs: (subs_before as u32, self.subs.len() as u32),
                        atoms: std::mem::take(&mut self.touched),
                        lits,
                        slow: self.deferred_slow.take(),
                    });
                }
                Ok(id)
            }
            Err(e) => {
                // Roll back whatever the failed pattern added.
                self.subs.truncate(subs_before);
                for a in self.atoms.drain(atoms_before..) {
                    self.atom_ids.remove(&a);
                }
                self.refs.truncate(atoms_before);
                for (r, n) in self.refs.iter_mut().zip(refs_snapshot) {
                    r.truncate(n);
                }
                self.slow.truncate(slow_before);
                self.chains.truncate(chains_before);
                self.num_pieces = pieces_before;
                self.cur_piece = None;
                Err(e)
            }
        }
    }

    /// Starts a rule: its patterns are added next, then
    /// [`PatternSetBuilder::finish_rule`] says which are anchored.
    pub fn begin_rule(&mut self) {
        self.pending.clear();
    }

    /// Ends the rule whose patterns were added since
    /// [`PatternSetBuilder::begin_rule`]: patterns in `anchors` (id,
    /// offset) that YARA-X would anchor (literals, alternations of
    /// literals) leave the search and are compared at their offset only;
    /// the others get the slow-pattern diagnostics held back for them.
    pub fn finish_rule(
        &mut self,
        anchors: &[(PatternId, usize)],
        referenced: &HashSet<PatternId>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<(), Diagnostic> {
        for p in std::mem::take(&mut self.pending) {
            let searched = referenced.contains(&p.id);
            let anchor = anchors.iter().find(|(id, _)| *id == p.id);
            let at = match anchor {
                Some(&(_, at)) if searched => Some(at),
                None if searched => {
                    if let Some(span) = p.slow {
                        self.slow_pattern(span, diagnostics)?;
                    }
                    continue;
                }
                // Not referenced once folded: YARA-X never looks for it.
                _ => None,
            };
            // Not searched by YARA-X either: no atoms.
            if let Some(e) = self.yarax.get_mut(&p.key) {
                e.uses = e.uses.saturating_sub(1);
            }
            let (lo, hi) = p.subs;
            let mine = |s: u32| (lo..hi).contains(&s);
            for a in p.atoms {
                if let Some(refs) = self.refs.get_mut(a as usize) {
                    refs.retain(|r| !mine(r.sub));
                }
            }
            self.slow.retain(|&s| !mine(s));
            let Some(at) = at else {
                continue;
            };
            let AnchorLits { lits, nocase, fullword } = p.lits;
            for (bytes, wide) in lits {
                let sub = self.push_sub(Sub {
                    pattern: p.id,
                    fullword,
                    wide,
                    piece: None,
                    kind: SubKind::Literal { bytes: bytes.into(), nocase },
                });
                self.anchored.push((sub, at));
            }
        }
        Ok(())
    }

    /// How `p` is compared when anchored, if YARA-X can anchor it: a text
    /// pattern without `nocase`, `xor` or base64, or a hex pattern or
    /// regex that is a literal or an alternation of literals. `hex`: a
    /// hex pattern's HIR.
    fn anchor_lits(
        &self,
        p: &ast::Pattern,
        hex: Option<&Hir>,
    ) -> Option<AnchorLits> {
        let has = |k: ModifierKind| p.has(&k);
        let wide = has(ModifierKind::Wide);
        let ascii = has(ModifierKind::Ascii) || !wide;
        let fullword = has(ModifierKind::Fullword);
        let nocase = has(ModifierKind::Nocase);
        let mut lits = Vec::new();
        match &p.kind {
            PatternKind::Text(text) => {
                let other = p.modifiers.iter().any(|m| {
                    matches!(
                        m.kind,
                        ModifierKind::Nocase
                            | ModifierKind::Xor { .. }
                            | ModifierKind::Base64 { .. }
                            | ModifierKind::Base64Wide { .. }
                    )
                });
                if other || text.is_empty() {
                    return None;
                }
                // Wide first, as YARA-X adds them.
                if wide {
                    lits.push((widen_bytes(text), true));
                }
                if ascii {
                    lits.push((text.clone(), false));
                }
            }
            PatternKind::Hex(_) => {
                for l in hir::alternation_literals(hex?)? {
                    lits.push((l, false));
                }
            }
            PatternKind::Regex(re) => {
                let h = hir::regex_to_hir(
                    re,
                    nocase,
                    self.options.relaxed_re_syntax,
                )
                .ok()?;
                for l in hir::alternation_literals(&h)? {
                    if ascii {
                        lits.push((l.clone(), false));
                    }
                    if wide {
                        lits.push((widen_bytes(&l), true));
                    }
                }
            }
        }
        Some(AnchorLits { lits, nocase, fullword })
    }

    /// Leaves out atoms no sub-pattern refers to any more (those of
    /// anchored patterns).
    fn drop_unreferenced_atoms(&mut self) {
        if self.refs.iter().all(|r| !r.is_empty()) {
            return;
        }
        let atoms = std::mem::take(&mut self.atoms);
        let refs = std::mem::take(&mut self.refs);
        self.atom_ids.clear();
        for (a, r) in atoms.into_iter().zip(refs) {
            if !r.is_empty() {
                self.atom_ids.insert(a.clone(), self.atoms.len() as u32);
                self.atoms.push(a);
                self.refs.push(r);
            }
        }
    }

    /// Builds the automaton over the atoms of every pattern added.
    pub fn build(mut self) -> Result<PatternSet, Diagnostic> {
        self.drop_unreferenced_atoms();
        let finder = build_finder(&self.atoms, self.finder).map_err(|e| {
            Diagnostic::error(
                DiagnosticKind::TooManyPatterns,
                format!("cannot build the pattern automaton: {e}"),
                ast::Span::default(),
            )
        })?;
        let mut ref_ranges = Vec::with_capacity(self.refs.len());
        let mut flat = Vec::new();
        for r in &self.refs {
            let start = flat.len() as u32;
            flat.extend_from_slice(r);
            ref_ranges.push((start, flat.len() as u32));
        }
        let max_atom = self.atoms.iter().map(|a| a.len()).max().unwrap_or(0);
        let mut yx = YaraxAtoms::new();
        for a in self.yarax.values().filter(|a| a.uses > 0) {
            yx.add(a.count, a.min_len);
            yx.empty |= a.empty;
        }
        let min_len = (!yx.empty && yx.count > 0).then_some(yx.min_len);
        Ok(PatternSet {
            num_patterns: self.num_patterns as usize,
            num_pieces: self.num_pieces as usize,
            chains: self.chains,
            form_order: form_orders(&self.subs, &self.anchored),
            teddy: TeddyModel::new(yx.count, min_len),
            subs: self.subs,
            finder,
            ref_ranges,
            refs: flat,
            slow: self.slow,
            anchored: self.anchored,
            max_atom_len: max_atom,
            atoms: self.atoms,
        })
    }

    fn push_sub(&mut self, sub: Sub) -> u32 {
        self.subs.push(sub);
        (self.subs.len() - 1) as u32
    }

    fn push_atom(&mut self, atom: Vec<u8>, r: AtomRef) {
        let id = match self.atom_ids.get(&atom) {
            Some(&id) => id,
            None => {
                let id = self.atoms.len() as u32;
                self.atom_ids.insert(atom.clone(), id);
                self.atoms.push(atom);
                self.refs.push(Vec::new());
                id
            }
        };
        self.refs[id as usize].push(r);
        if !self.touched.contains(&id) {
            self.touched.push(id);
        }
    }

    /// Lowers `p` (`hex`: a hex pattern's HIR) as pattern `id`.
    fn lower(
        &mut self,
        p: &ast::Pattern,
        hex_hir: Option<Hir>,
        id: PatternId,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<(), Diagnostic> {
        check_modifiers(p)?;
        self.force_slow = false;
        let has = |k: ModifierKind| p.has(&k);
        let nocase = has(ModifierKind::Nocase);
        let wide = has(ModifierKind::Wide);
        let ascii = has(ModifierKind::Ascii) || !wide;
        let fullword = has(ModifierKind::Fullword);
        let mut forms = Vec::new();
        if ascii {
            forms.push(false);
        }
        if wide {
            forms.push(true);
        }
        match &p.kind {
            PatternKind::Text(text) => {
                if text.is_empty() {
                    return Err(Diagnostic::error(
                        DiagnosticKind::EmptyPattern,
                        "empty pattern",
                        p.span,
                    ));
                }
                let mut any_b64 = false;
                let b64 = p.modifiers.iter().find(|m| {
                    matches!(
                        m.kind,
                        ModifierKind::Base64 { .. }
                            | ModifierKind::Base64Wide { .. }
                    )
                });
                if let Some(m) = b64 {
                    if text.len() < 3 {
                        return Err(Diagnostic::error(
                            DiagnosticKind::InvalidModifier,
                            "invalid pattern",
                            p.span,
                        )
                        .with_label("this pattern is too short")
                        .with_secondary(m.span, "base64 modifier")
                        .with_note(
                            "`base64` requires that pattern is at least 3 \
                             bytes long",
                        ));
                    }
                }
                for m in &p.modifiers {
                    // `wide` applies to the text before encoding;
                    // `base64wide` widens the encoding.
                    let (alphabet, wide_enc) = match &m.kind {
                        ModifierKind::Base64 { alphabet } => (alphabet, false),
                        ModifierKind::Base64Wide { alphabet } => {
                            (alphabet, true)
                        }
                        _ => continue,
                    };
                    any_b64 = true;
                    for &w in &forms {
                        let t =
                            if w { widen_bytes(text) } else { text.clone() };
                        self.lower_base64(id, &t, alphabet, wide_enc, m.span)?;
                    }
                }
                if any_b64 {
                    return Ok(());
                }
                let xor = p.modifiers.iter().find_map(|m| match m.kind {
                    ModifierKind::Xor { min, max } => Some((min, max)),
                    _ => None,
                });
                // YARA-X judges the text, not its forms, and neither
                // `xor` nor `fullword` patterns.
                if xor.is_none() && !fullword && yarax::slow_literal(text) {
                    self.slow_pattern(p.span, diagnostics)?;
                }
                for &w in &forms {
                    let bytes =
                        if w { widen_bytes(text) } else { text.clone() };
                    match xor {
                        Some((min, max)) => {
                            self.lower_xor(id, bytes, min, max, fullword, w)
                        }
                        None => {
                            self.lower_literal(id, bytes, nocase, fullword, w);
                        }
                    }
                }
                Ok(())
            }
            PatternKind::Hex(hex) => {
                let full =
                    hex_hir.unwrap_or_else(|| hir::hex_to_hir(&hex.tokens));
                let yx = yarax::Analysis::new(&full);
                self.yarax_cur.add_pattern(yx.atoms(true));
                if yx.slow(true, true) {
                    self.slow_pattern(p.span, diagnostics)?;
                }
                if let Some(masked) = hir::hex_to_masked(&hex.tokens) {
                    if self.lower_masked(id, masked).is_some() {
                        return Ok(());
                    }
                }
                if let Some(c) = chainable(&full) {
                    return self.lower_chain(
                        id,
                        &full,
                        c,
                        (false, false),
                        &[false],
                        p.span,
                    );
                }
                let mut h = full;
                self.long_jump = None;
                if let Some((open, width)) = hir::hex_long_jump(&hex.tokens) {
                    h = open;
                    self.long_jump = Some(width);
                }
                if h.properties().minimum_len() == Some(0) {
                    return Err(Diagnostic::error(
                        DiagnosticKind::InvalidHexPattern,
                        "invalid hex pattern",
                        hex.span,
                    )
                    .with_label("this pattern can match empty strings"));
                }
                // Like YARA-X: a pattern split by long jumps into pieces
                // that each have an atom is matched whatever the distance;
                // otherwise the scan limit applies.
                let limit = if hir::hex_is_chain(&hex.tokens) {
                    None
                } else {
                    Some(REGEX_SCAN_LIMIT)
                };
                // A hex pattern is never greedy on YARA-X's fast VM.
                self.fast_vm = (self.long_jump.is_none()
                    && yarax::fast_vm(&h))
                .then_some(false);
                let lowered =
                    self.lower_hir(id, &h, false, limit, false, false, p.span);
                self.long_jump = None;
                self.fast_vm = None;
                lowered
            }
            PatternKind::Regex(re) => {
                let h = hir::regex_to_hir(
                    re,
                    nocase,
                    self.options.relaxed_re_syntax,
                )?;
                if h.properties().minimum_len() == Some(0) {
                    return Err(Diagnostic::error(
                        DiagnosticKind::InvalidRegex,
                        "invalid regular expression",
                        re.span,
                    )
                    .with_label("this regexp can match empty strings"));
                }
                // `/…/i` counts as `nocase` there.
                let maskable = !nocase && !re.case_insensitive && !wide;
                let yx = yarax::Analysis::new(&h);
                if yx.slow(maskable, !fullword) {
                    self.slow_pattern(p.span, diagnostics)?;
                }
                let yx_atoms = yx.atoms(maskable);
                // A wide gap of any byte at the end is dropped, as
                // YARA-X drops it (greediness stays the whole regex's).
                let greedy = hir::is_greedy(&h);
                let exact_atoms = match greedy {
                    true => yarax::exact_atoms(&h, maskable),
                    false => None,
                };
                let h = yarax::trailing_gap_dropped(&h).unwrap_or(h);
                // A `wide` chain only without look-arounds (which would
                // need the wide edges of the whole-pattern path below).
                let looks = !h.properties().look_set().is_empty();
                if forms == [false] || !looks {
                    if let Some(c) = chainable(&h) {
                        for &w in &forms {
                            self.yarax_cur.add_pattern(match w {
                                true => yx_atoms.map(yarax::AtomStats::wide),
                                false => yx_atoms,
                            });
                        }
                        return self.lower_chain(
                            id,
                            &h,
                            c,
                            (true, fullword),
                            &forms,
                            re.span,
                        );
                    }
                }
                // Where YARA-X has no atom, it verifies both forms at
                // each offset, wide first: tried the same way here.
                let mut forms = forms;
                if forms.len() == 2 && yarax::atoms_empty(&h) {
                    forms.reverse();
                    self.force_slow = true;
                }
                self.atom_in_loop = yarax::atom_in_loop(&h);
                self.rereport = match forms.len() {
                    2 => yarax::leading_quirk_element(&h)
                        .and_then(|e| hir::byte_set(e, 256))
                        .map(byte_bits),
                    _ => None,
                };
                self.fast_vm = yarax::fast_vm(&h).then(|| yarax::greedy(&h));
                let split =
                    yarax::atom_split(&h).filter(|_| self.fast_vm.is_none());
                self.atom_at_start = split == Some(0);
                self.teddy_start = match split {
                    Some(k) if k > 0 && forms.len() == 2 => {
                        let mut units = Vec::new();
                        hir::flatten(&h, &mut units);
                        units.get(..k).and_then(nullable_prefix_bytes)
                    }
                    _ => None,
                };
                let h = yarax::rep_quirk(&h).unwrap_or(h);
                for &w in &forms {
                    let (edges, hw) = if w {
                        let (edges, rest) = hir::split_wide_edges(&h);
                        (edges, hir::widen(&rest))
                    } else {
                        (hir::WideEdges::default(), h.clone())
                    };
                    self.yarax_cur.add_pattern(match w {
                        true => yx_atoms.map(yarax::AtomStats::wide),
                        false => yx_atoms,
                    });
                    self.edges = edges;
                    self.exact_atoms = exact_atoms.as_ref().map(|a| match w {
                        true => a
                            .iter()
                            .map(|(b, e)| (widen_bytes(b), *e))
                            .collect(),
                        false => a.clone(),
                    });
                    self.lower_hir(
                        id,
                        &hw,
                        greedy,
                        Some(REGEX_SCAN_LIMIT),
                        fullword,
                        w,
                        re.span,
                    )?;
                    self.edges = hir::WideEdges::default();
                    self.exact_atoms = None;
                }
                self.force_slow = false;
                self.atom_in_loop = false;
                self.rereport = None;
                self.fast_vm = None;
                self.atom_at_start = false;
                self.teddy_start = None;
                Ok(())
            }
        }
    }

    /// Lowers a pattern split into a chain, one per form in `forms`
    /// (`true`: wide): each piece on its own, its sub-patterns in a piece
    /// slot of their own (see [`Chain`]). `(regex, fullword)`: the
    /// pieces keep a regex's (`whole`'s) greediness; `fullword` applies
    /// to the whole chain.
    fn lower_chain(
        &mut self,
        id: PatternId,
        whole: &Hir,
        c: yarax::ChainSplit,
        (regex, fullword): (bool, bool),
        forms: &[bool],
        span: ast::Span,
    ) -> Result<(), Diagnostic> {
        let greedy = regex && hir::is_greedy(whole);
        for &wide in forms {
            let first = self.num_pieces;
            for piece in &c.pieces {
                let widened;
                let piece = match wide {
                    true => {
                        widened = hir::widen(piece);
                        &widened
                    }
                    false => piece,
                };
                self.cur_piece = Some(self.num_pieces);
                self.num_pieces += 1;
                let lowered = self.lower_hir(
                    id,
                    piece,
                    greedy,
                    Some(REGEX_SCAN_LIMIT),
                    false,
                    wide,
                    span,
                );
                self.cur_piece = None;
                lowered?;
            }
            self.chains.push(Chain {
                pattern: id,
                first,
                gaps: c.gaps.clone().into_boxed_slice(),
                greedy,
                fullword,
                wide,
            });
        }
        Ok(())
    }

    /// Returns the quality of the atom chosen.
    fn lower_literal(
        &mut self,
        id: PatternId,
        bytes: Vec<u8>,
        nocase: bool,
        fullword: bool,
        wide: bool,
    ) -> i32 {
        let (start, len, q) = atoms::best_literal_window(&bytes, nocase);
        let window = bytes[start..start + len].to_vec();
        let exact = len == bytes.len();
        let (ys, yl) = yarax::literal_atom(&bytes);
        let cases = match nocase {
            true => bytes[ys..ys + yl]
                .iter()
                .filter(|b| b.is_ascii_alphabetic())
                .count(),
            false => 0,
        };
        self.yarax_cur.add(1 << cases, yl);
        let sub = self.push_sub(Sub {
            pattern: id,
            fullword,
            wide,
            piece: None,
            kind: SubKind::Literal { bytes: bytes.into(), nocase },
        });
        let r = AtomRef { sub, backoff: start as u32, key: 0, exact };
        if nocase {
            for v in atoms::case_variants(&window) {
                self.push_atom(v, r);
            }
        } else {
            self.push_atom(window, r);
        }
        q
    }

    /// Warns about a slow pattern, or fails if told to.
    fn slow_pattern(
        &mut self,
        span: ast::Span,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let msg = "slow pattern";
        let label = "this pattern may slow down the scan";
        if self.defer_slow {
            self.deferred_slow = Some(span);
            return Ok(());
        }
        if self.options.error_on_slow_pattern {
            return Err(Diagnostic::error(
                DiagnosticKind::SlowPattern,
                msg,
                span,
            )
            .with_label(label));
        }
        if !diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::SlowPattern && d.span == span)
        {
            diagnostics.push(
                Diagnostic::warning(DiagnosticKind::SlowPattern, msg, span)
                    .with_label(label),
            );
        }
        Ok(())
    }

    fn lower_xor(
        &mut self,
        id: PatternId,
        bytes: Vec<u8>,
        min: u8,
        max: u8,
        fullword: bool,
        wide: bool,
    ) {
        let (start, len, _) = atoms::best_literal_window(&bytes, false);
        let window = bytes[start..start + len].to_vec();
        let keys = u64::from(max.saturating_sub(min)) + 1;
        self.yarax_cur.add(keys, yarax::literal_atom(&bytes).1);
        let sub = self.push_sub(Sub {
            pattern: id,
            fullword,
            wide,
            piece: None,
            kind: SubKind::Xor { bytes: bytes.into() },
        });
        for key in min..=max {
            let atom: Vec<u8> = window.iter().map(|b| b ^ key).collect();
            let r = AtomRef { sub, backoff: start as u32, key, exact: false };
            self.push_atom(atom, r);
        }
    }

    fn lower_base64(
        &mut self,
        id: PatternId,
        text: &[u8],
        alphabet: &Option<Vec<u8>>,
        wide: bool,
        span: ast::Span,
    ) -> Result<(), Diagnostic> {
        let alpha = base64::Alphabet::new(
            alphabet.as_deref().unwrap_or(base64::STANDARD),
        )
        .ok_or_else(|| {
            Diagnostic::error(
                DiagnosticKind::InvalidBase64Alphabet,
                "invalid base64 alphabet: it must have 64 distinct characters",
                span,
            )
        })?;
        for (padding, enc) in base64::patterns(text, &alpha) {
            let encoded = if wide { widen_bytes(&enc) } else { enc };
            self.yarax_cur.add(1, yarax::literal_atom(&encoded).1);
            let (start, len, _) = atoms::best_literal_window(&encoded, false);
            let window = encoded[start..start + len].to_vec();
            let sub = self.push_sub(Sub {
                pattern: id,
                fullword: false,
                wide,
                piece: None,
                kind: SubKind::Base64 {
                    encoded: encoded.into(),
                    plain: text.into(),
                    padding,
                    alphabet: Box::new(alpha.clone()),
                },
            });
            let r =
                AtomRef { sub, backoff: start as u32, key: 0, exact: false };
            self.push_atom(window, r);
        }
        Ok(())
    }

    /// A fixed-length hex pattern: its best run of bytes with few
    /// alternatives is the atom, the rest a masked compare. Returns the
    /// atom's quality, `None` if it has no usable run (then it goes the
    /// regex way).
    fn lower_masked(
        &mut self,
        id: PatternId,
        m: Vec<hir::MaskedByte>,
    ) -> Option<i32> {
        let sets: Vec<Option<Vec<u8>>> = m.iter().map(byte_set).collect();
        let (start, run, q) = atoms::best_run(&sets)?;
        let exact = run.len() == m.len();
        let sub = self.push_sub(Sub {
            pattern: id,
            fullword: false,
            wide: false,
            piece: None,
            kind: SubKind::Masked {
                value: m.iter().map(|b| b.value).collect(),
                mask: m.iter().map(|b| b.mask).collect(),
                negated: m.iter().map(|b| b.negated).collect(),
            },
        });
        let r = AtomRef { sub, backoff: start as u32, key: 0, exact };
        for a in atoms::expand(&run) {
            self.push_atom(a, r);
        }
        Some(q)
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_hir(
        &mut self,
        id: PatternId,
        h: &Hir,
        greedy: bool,
        limit: Option<usize>,
        fullword: bool,
        wide: bool,
        span: ast::Span,
    ) -> Result<(), Diagnostic> {
        // Atoms in the branches of an alternation: one sub-pattern per
        // branch, each split where YARA-X splits it.
        if !wide
            && self.fast_vm.is_none()
            && self.branch_split.is_none()
            && self.exact_atoms.is_none()
            && self.cur_piece.is_none()
            && !self.force_slow
        {
            if let Some(splits) = yarax::branch_splits(h) {
                for (hb, k) in splits {
                    self.branch_split = Some(k);
                    let lowered = self.lower_hir(
                        id, &hb, greedy, limit, fullword, wide, span,
                    );
                    self.branch_split = None;
                    lowered?;
                }
                return Ok(());
            }
        }
        let too_big = |what: String| {
            Diagnostic::error(
                DiagnosticKind::InvalidRegex,
                format!("pattern too large to compile: {what}"),
                span,
            )
            .with_label("too large")
        };
        // Candidate 1: the best run of one-byte elements along the top
        // level.
        let mut units = Vec::new();
        hir::flatten(h, &mut units);
        // With fullword, a leading lazy `e+?` is run as `e*? e`, its atom
        // in the last `e`: YARA-X's code for it goes backward over the
        // earlier copies, so every start of the run is tried.
        let lazy_head = fullword && split_lazy_head(&mut units);
        // A gap at either end of a pattern YARA-X runs on its fast VM is
        // widened by the byte it checks beyond it (not for `wide`, whose
        // gaps it steps two bytes at a time).
        let mut trim = [false; 2];
        if self.fast_vm.is_some() && !wide && units.len() >= 2 {
            let last = units.len() - 1;
            for (i, at) in [(0, 0), (1, last)] {
                if let Some(u) = yarax::widened_end_gap(&units[at]) {
                    units[at] = u;
                    trim[i] = true;
                }
            }
        }
        let sets: Vec<Option<Vec<u8>>> = units
            .iter()
            .map(|u| hir::byte_set(u, atoms::MAX_VARIANTS))
            .collect();
        let run = atoms::best_run(&sets);
        // Candidate 2: prefix literals.
        let prefixes = prefix_atoms(h);
        let pq = prefixes.as_ref().map(|(_, q)| *q).unwrap_or(i32::MIN);
        let rq = run.as_ref().map(|r| r.2).unwrap_or(i32::MIN);

        let mut chosen: Option<(usize, Vec<Vec<u8>>)> = None;
        if rq >= pq {
            if let Some((k, sets, _)) = run {
                if k > 0 {
                    chosen = Some((k, atoms::expand(&sets)));
                } else {
                    chosen = Some((0, atoms::expand(&sets)));
                }
            }
        } else if let Some((lits, _)) = prefixes {
            chosen = Some((0, lits));
        }
        let mut quality = rq.max(pq);
        // Candidate 3, when neither gives an atom: like YARA-X, the
        // literals of a later part (e.g. an alternation after `.+?`),
        // found from there on with the part before it run backward.
        if chosen.is_none() {
            for k in 1..units.len() {
                let rest = Hir::concat(units[k..].to_vec());
                if let Some((lits, q)) = prefix_atoms(&rest) {
                    if chosen.is_none() || q > quality {
                        chosen = Some((k, lits));
                        quality = q;
                    }
                }
            }
        }

        if lazy_head && chosen.as_ref().is_none_or(|c| c.0 == 0) {
            // Atoms (if any) from the last `e` on; with none, every offset
            // is tried as where it starts.
            let rest = Hir::concat(units[1..].to_vec());
            let lits = prefix_atoms(&rest).map(|(l, _)| l);
            chosen = Some((1, lits.unwrap_or_default()));
        }

        // With fullword, where the regex is split decides which start and
        // end pairs are checked: split where YARA-X's atom is.
        // Without an atom of ours, the split is still made there (every
        // offset tried as where the rest starts).
        if fullword && !wide && !lazy_head {
            if let Some(k) = yarax::atom_split(h).filter(|&k| k < units.len())
            {
                let moved = match &chosen {
                    Some(c) => c.0 != k,
                    None => k > 0,
                };
                if moved {
                    let rest = Hir::concat(units[k..].to_vec());
                    match prefix_atoms(&rest) {
                        Some((lits, _)) => chosen = Some((k, lits)),
                        None => chosen = Some((k, Vec::new())),
                    }
                }
            }
        }
        if let Some(k) = self
            .branch_split
            .flatten()
            .filter(|&k| !lazy_head && k < units.len())
        {
            let rest = Hir::concat(units[k..].to_vec());
            let lits = prefix_atoms(&rest).map(|(l, _)| l);
            chosen = Some((k, lits.unwrap_or_default()));
        }
        // YARA-X's atoms of a greedy regex with exact ones all start
        // where a match starts (`ExactAtoms`): it runs the regex forward
        // from each, with nothing backward, so a start only ever gets
        // the match the regex has from there. Split at the start too.
        if self.exact_atoms.is_some() && !lazy_head {
            let lits = prefix_atoms(h).map(|(l, _)| l);
            chosen = Some((0, lits.unwrap_or_default()));
        }
        // Where the match YARA-X's fast VM reports depends on the order
        // it tries alternatives in, the split is inside its best piece
        // and the part from there on is run as it does.
        let mut fast = None;
        if let (Some(greedy), false, false) = (self.fast_vm, wide, lazy_head) {
            if let Some(r) = yarax::fast_forward_units(&units) {
                let (k, lits) = match atoms::best_run(&sets[r.clone()]) {
                    Some((k, s, _)) => (r.start + k, atoms::expand(&s)),
                    None => {
                        let rest = Hir::concat(units[r.start..].to_vec());
                        let lits = prefix_atoms(&rest).map(|(l, _)| l);
                        (r.start, lits.unwrap_or_default())
                    }
                };
                if let Some(f) = FastForward::new(&units[k..], greedy) {
                    fast = Some((k, Box::new(f)));
                    chosen = Some((k, lits));
                }
            }
        }
        if self.force_slow {
            chosen = None;
        }
        // Build the forward matcher and, when split, the reverse DFA.
        let mut split = chosen.as_ref().map_or(0, |c| c.0);
        let mut bck = None;
        let mut bck_hir = None;
        if split > 0 {
            let prefix = Hir::concat(units[..split].to_vec());
            match reverse_dfa(&prefix) {
                Some(dfa) => {
                    bck = Some(dfa);
                    bck_hir = Some(prefix);
                }
                None => {
                    // Fall back to the prefix literals, or no atom.
                    split = 0;
                    chosen = prefix_atoms(h).map(|(l, _)| (0, l));
                }
            }
        }
        let fwd_hir = if split > 0 {
            Hir::concat(units[split..].to_vec())
        } else if trim == [false, false] {
            h.clone()
        } else {
            Hir::concat(units.clone())
        };
        // A huge jump made unbounded: each side looks as far as its
        // bounded form could match, which bounds the jump exactly.
        let limit = match self.long_jump {
            Some(width) => {
                let width = usize::try_from(width).unwrap_or(usize::MAX);
                let reach = |h: &Hir| {
                    let p = h.properties();
                    p.maximum_len().or_else(|| {
                        p.minimum_len().map(|m| m.saturating_add(width))
                    })
                };
                let f = reach(&fwd_hir);
                let b = bck_hir.as_ref().map_or(Some(0), reach);
                f.zip(b).map(|(f, b)| f.max(b))
            }
            None => limit,
        };
        let fast = fast.filter(|f| f.0 == split).map(|f| f.1);
        let fwd = forward_regex(&fwd_hir).map_err(too_big)?;
        // A slow sub-pattern is tried where its forward part starts.
        let first_bytes = first_bytes(&fwd_hir);
        let checks = fixed_checks(&units, split);
        let exact_atoms = self
            .exact_atoms
            .take()
            .map(|a| Box::new(ExactAtoms::new(a, h.clone())));
        let sub = self.push_sub(Sub {
            pattern: id,
            fullword,
            wide,
            piece: self.cur_piece,
            kind: SubKind::Regex(Box::new(RegexSub {
                fwd: OnceLock::from(Some(fwd)),
                fwd_hir,
                bck: OnceLock::from(bck),
                bck_hir,
                greedy,
                longest_across_forms: greedy && self.atom_in_loop,
                rereport: self.rereport.filter(|_| greedy).map(Box::new),
                limit,
                first_bytes,
                checks,
                edges: self.edges,
                exact_atoms,
                trim,
                atom_at_start: self.atom_at_start,
                teddy_start: self.teddy_start.map(Box::new),
                fast,
            })),
        });
        // The slow-pattern warning is YARA-X's (`yarax::Analysis::slow`,
        // given by `lower`), whatever atoms are searched here.
        match &chosen {
            Some((_, lits)) if !lits.is_empty() => {
                for a in lits.iter().cloned() {
                    let r = AtomRef { sub, backoff: 0, key: 0, exact: false };
                    self.push_atom(a, r);
                }
            }
            _ => self.slow.push(sub),
        }
        Ok(())
    }
}

fn modifier_name(k: &ModifierKind) -> &'static str {
    match k {
        ModifierKind::Nocase => "nocase",
        ModifierKind::Wide => "wide",
        ModifierKind::Ascii => "ascii",
        ModifierKind::Fullword => "fullword",
        ModifierKind::Private => "private",
        ModifierKind::Xor { .. } => "xor",
        ModifierKind::Base64 { .. } => "base64",
        ModifierKind::Base64Wide { .. } => "base64wide",
    }
}

/// Rejects what YARA-X rejects: `xor` with `nocase` or base64, base64
/// with `nocase`, `fullword` or `xor`, and on regexes `xor` and base64,
/// on hex patterns every modifier but `private`. (The parser may check
/// this already; doing it here keeps the pattern set safe on its own.)
fn check_modifiers(p: &ast::Pattern) -> Result<(), Diagnostic> {
    let is_xor = |k: &ModifierKind| matches!(k, ModifierKind::Xor { .. });
    let is_b64 = |k: &ModifierKind| {
        matches!(
            k,
            ModifierKind::Base64 { .. } | ModifierKind::Base64Wide { .. }
        )
    };
    for m in &p.modifiers {
        let allowed = match (&p.kind, &m.kind) {
            (PatternKind::Hex(_), k) => matches!(k, ModifierKind::Private),
            (PatternKind::Regex(_), k) => !is_xor(k) && !is_b64(k),
            (PatternKind::Text(_), _) => true,
        };
        if !allowed {
            let what = match p.kind {
                PatternKind::Hex(_) => "a hex pattern",
                _ => "a regexp",
            };
            return Err(Diagnostic::error(
                DiagnosticKind::InvalidModifier,
                "invalid pattern modifier",
                m.span,
            )
            .with_label(format!("this modifier can't be applied to {what}")));
        }
    }
    let conflicts = |a: &ModifierKind, b: &ModifierKind| {
        (is_xor(a) && (matches!(b, ModifierKind::Nocase) || is_b64(b)))
            || (is_b64(a)
                && matches!(b, ModifierKind::Nocase | ModifierKind::Fullword))
    };
    for a in &p.modifiers {
        for b in &p.modifiers {
            if conflicts(&a.kind, &b.kind) {
                return Err(Diagnostic::error(
                    DiagnosticKind::InvalidModifierCombination,
                    format!(
                        "invalid modifier combination: `{}` `{}`",
                        modifier_name(&a.kind),
                        modifier_name(&b.kind)
                    ),
                    a.span,
                )
                .with_secondary(
                    b.span,
                    format!("`{}` modifier used here", modifier_name(&b.kind)),
                ));
            }
        }
    }
    Ok(())
}

/// Each byte followed by 0x00.
fn widen_bytes(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() * 2);
    for &x in b {
        out.push(x);
        out.push(0);
    }
    out
}

/// Prefix literals of `h` (cut to atom length) and their worst quality,
/// when every match starts with one of a few non-empty literals.
fn prefix_atoms(h: &Hir) -> Option<(Vec<Vec<u8>>, i32)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(atoms::MAX_VARIANTS)
        .limit_total(atoms::MAX_VARIANTS)
        .limit_literal_len(atoms::ATOM_LEN);
    let seq = ex.extract(h);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut worst = i32::MAX;
    for l in lits {
        let b = &l.as_bytes()[..l.len().min(atoms::ATOM_LEN)];
        let sets: Vec<&[u8]> = b.iter().map(std::slice::from_ref).collect();
        worst = worst.min(atoms::quality(&sets));
        if !out.iter().any(|o| o == b) {
            out.push(b.to_vec());
        }
    }
    // Many alternatives dilute the selectivity.
    let bits = usize::BITS - (out.len().max(1) - 1).leading_zeros();
    Some((out, worst - 2 * bits as i32))
}

/// Splits a leading lazy `e{n,}?` (`n >= 1`) of `units` into `e{n-1,}?`
/// and `e`; whether it did.
fn split_lazy_head(units: &mut Vec<Hir>) -> bool {
    use regex_syntax::hir::{HirKind, Repetition};
    let Some(first) = units.first() else { return false };
    let HirKind::Repetition(r) = first.kind() else { return false };
    if r.greedy || r.min == 0 || r.max.is_some() {
        return false;
    }
    let sub = (*r.sub).clone();
    let head = Hir::repetition(Repetition {
        min: r.min - 1,
        max: None,
        greedy: false,
        sub: r.sub.clone(),
    });
    units.splice(0..1, [head, sub]);
    true
}

pub(crate) fn forward_regex(h: &Hir) -> Result<meta::Regex, String> {
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(false)
        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
        .which_captures(thompson::WhichCaptures::Implicit);
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build_from_hir(h)
        .map_err(|e| e.to_string())
}

pub(crate) fn reverse_dfa(h: &Hir) -> Option<Box<Reverse>> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .reverse(true)
                .utf8(false)
                .which_captures(thompson::WhichCaptures::None)
                .nfa_size_limit(Some(NFA_SIZE_LIMIT)),
        )
        .build_from_hir(h)
        .ok()?;
    let dfa = hybrid::dfa::Builder::new()
        .configure(
            hybrid::dfa::Config::new()
                .match_kind(regex_automata::MatchKind::All)
                .starts_for_each_pattern(false)
                .cache_capacity(REVERSE_DFA_LIMIT)
                .skip_cache_capacity_check(true)
                .minimum_cache_clear_count(None),
        )
        .build_from_nfa(nfa)
        .ok()?;
    let for_pool = dfa.clone();
    let create: CacheFn = Box::new(move || for_pool.create_cache());
    Some(Box::new(Reverse { dfa, pool: Pool::new(create) }))
}

/// The bytes a non-empty match of `units` starts with, when each can
/// match nothing (`e?`, `e*`, `e{0,n}`); `None` otherwise.
fn nullable_prefix_bytes(units: &[Hir]) -> Option<ByteBits> {
    let mut bits = [0u64; 4];
    for u in units {
        let regex_syntax::hir::HirKind::Repetition(rep) = u.kind() else {
            return None;
        };
        if rep.min > 0 {
            return None;
        }
        let first = first_bytes(&rep.sub);
        let sub = byte_bits((0..=255).filter(|&b| first[usize::from(b)]));
        for (w, s) in bits.iter_mut().zip(sub) {
            *w |= s;
        }
    }
    Some(bits)
}

/// The bytes a match of `h` can start with (all of them when unknown).
fn first_bytes(h: &Hir) -> Box<[bool; 256]> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut set = Box::new([false; 256]);
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix).limit_literal_len(1).limit_total(256);
    let seq = ex.extract(h);
    match seq.literals() {
        Some(lits) if lits.iter().all(|l| !l.as_bytes().is_empty()) => {
            for l in lits {
                set[l.as_bytes()[0] as usize] = true;
            }
        }
        _ => set.fill(true),
    }
    set
}

#[cfg(test)]
fn ac_patterns(set: &PatternSet) -> Vec<&[u8]> {
    set.atoms.iter().map(|a| a.as_slice()).collect()
}

/// The multi-pattern search over `atoms` (none without atoms): the kind
/// asked for, or `aho-corasick` when the direct tables cannot hold them.
pub(crate) fn build_finder(
    atoms: &[Vec<u8>],
    kind: FinderKind,
) -> Result<Option<finder::Finder>, String> {
    let build_ac = |kind| {
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(atoms)
            .map_err(|e| e.to_string())
    };
    if atoms.is_empty() {
        return Ok(None);
    }
    Ok(Some(match kind {
        FinderKind::AhoCorasick(kind) => finder::Finder::Ac(build_ac(kind)?),
        FinderKind::Hash => match finder::HashFinder::new(atoms) {
            Some(h) => finder::Finder::Hash(Box::new(h)),
            None => finder::Finder::Ac(build_ac(None)?),
        },
    }))
}

/// Every pattern of every rule, ready to search. Immutable, `Send + Sync`.
#[derive(Debug)]
pub(crate) struct PatternSet {
    pub(crate) num_patterns: usize,
    /// Piece slots of the chained patterns: in a search their matches
    /// are kept after the patterns', as patterns `num_patterns..`.
    pub(crate) num_pieces: usize,
    pub(crate) chains: Vec<Chain>,
    pub(crate) subs: Vec<Sub>,
    pub(crate) finder: Option<finder::Finder>,
    /// For atom `i`, `refs[ref_ranges[i].0..ref_ranges[i].1]`.
    pub(crate) ref_ranges: Vec<(u32, u32)>,
    pub(crate) refs: Vec<AtomRef>,
    /// Sub-patterns without atoms, tried at every plausible offset.
    pub(crate) slow: Vec<u32>,
    /// Sub-patterns compared at one offset only: `(sub, offset)`.
    pub(crate) anchored: Vec<(u32, usize)>,
    pub(crate) max_atom_len: usize,
    /// The atoms the finder searches (atom `i` has `ref_ranges[i]`).
    pub(crate) atoms: Vec<Vec<u8>>,
    /// Per sub-pattern: where YARA-X verifies its matches among those
    /// of the other forms of its pattern at one offset, searching with
    /// daachorse (`[0]`) or Teddy (`[1]`) ([`form_orders`]).
    pub(crate) form_order: Vec<[u32; 2]>,
    /// When YARA-X would search these patterns with Teddy.
    pub(crate) teddy: TeddyModel,
}

/// Per sub-pattern, its rank among the forms (ascii, wide) of its
/// pattern in the order YARA-X verifies their matches at one offset,
/// when it searches its atoms with daachorse (`[0]`) and with Teddy
/// (`[1]`); [`MatchTable::add`] keeps the match of the lower rank (of
/// the higher for a greedy regex) whatever order they were found in.
///
/// - A regex: the form lowered first ranks first (ascii, or wide where
///   YARA-X has no atom for it), except with Teddy when YARA-X's atoms
///   start where the pattern starts: both forms' atoms then start at the
///   offset, and YARA-X adds the wide form's first (`/bb{0,2}/ ascii
///   wide` reports `b` in `b\0\0` followed by 30 bytes, `b\0` without
///   them).
/// - A literal or xor form: YARA-X adds the wide form's atom before the
///   ascii one's (its atom is the form's first best window,
///   [`yarax::literal_atom`]). Daachorse reports atom hits by where they
///   end, the longer first, then in the order added; Teddy by where they
///   start, then in the order added (two atoms starting at one offset
///   and both found have the same bytes up to the shorter one's length,
///   so they share a Teddy bucket).
/// - Anchored forms and the others: 0 (the first found stays).
pub(crate) fn form_orders(
    subs: &[Sub],
    anchored: &[(u32, usize)],
) -> Vec<[u32; 2]> {
    let anchored: HashSet<u32> = anchored.iter().map(|&(s, _)| s).collect();
    let mut first: HashMap<PatternId, bool> = HashMap::new();
    let mut out = Vec::with_capacity(subs.len());
    for (i, s) in subs.iter().enumerate() {
        let second = *first.entry(s.pattern).or_insert(s.wide) != s.wide;
        out.push(match &s.kind {
            _ if anchored.contains(&(i as u32)) => [0; 2],
            SubKind::Regex(r) if r.longest_across_forms => {
                [MatchTable::LONGEST; 2]
            }
            SubKind::Regex(r) => {
                let teddy = second != r.atom_at_start;
                [u32::from(second), u32::from(teddy)]
            }
            SubKind::Literal { bytes, .. } | SubKind::Xor { bytes } => {
                let (start, len) = yarax::literal_atom(bytes);
                let rank = |pos: usize| {
                    let pos = u32::try_from(pos).unwrap_or(u32::MAX / 2);
                    pos.saturating_mul(2).saturating_add(u32::from(!s.wide))
                };
                let end = (start + len) * 8 + (8 - len);
                [rank(end), rank(start)]
            }
            _ => [0; 2],
        });
    }
    out
}

/// Whether YARA-X 1.22 searches the atoms with Teddy, whose order of
/// atom hits differs from daachorse's (see [`form_orders`]): it does
/// with 1 to 64 atoms, none empty, at most 16 when one is a single byte
/// (on aarch64: 16, 32, 48 or 64 for a shortest atom of 1, 2, 3 or 4+
/// bytes), on an x86_64 CPU with SSSE3 or aarch64 with NEON, over data
/// of at least 15 bytes plus the shortest atom's length (up to 4).
/// Rules YARA-X deserializes rebuild the same Teddy searcher, so a
/// database holds the model too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TeddyModel {
    /// Atoms YARA-X searches.
    pub atoms: u32,
    /// The length of its shortest atom (0: none, or one is empty).
    pub min_len: u32,
}

impl TeddyModel {
    /// Built from YARA-X's atom count and shortest atom (`None` when one
    /// is empty).
    pub fn new(atoms: u64, min_len: Option<usize>) -> TeddyModel {
        let min_len = min_len.filter(|_| atoms > 0).unwrap_or(0);
        TeddyModel {
            atoms: u32::try_from(atoms).unwrap_or(u32::MAX),
            min_len: u32::try_from(min_len).unwrap_or(u32::MAX),
        }
    }

    /// Whether YARA-X would search `len` bytes with Teddy here.
    pub fn applies(&self, len: usize) -> bool {
        if self.atoms == 0 || self.min_len == 0 {
            return false;
        }
        let mask = self.min_len.min(4);
        let max = if cfg!(target_arch = "aarch64") {
            16 * mask
        } else if mask == 1 {
            16
        } else {
            64
        };
        self.atoms <= max && len >= 15 + mask as usize && cpu_has_teddy()
    }
}

#[cfg(target_arch = "x86_64")]
fn cpu_has_teddy() -> bool {
    std::is_x86_feature_detected!("ssse3")
}

#[cfg(target_arch = "aarch64")]
fn cpu_has_teddy() -> bool {
    cfg!(target_endian = "little")
        && std::arch::is_aarch64_feature_detected!("neon")
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn cpu_has_teddy() -> bool {
    false
}

/// YARA-X's atoms of one pattern, to model [`TeddyModel`].
#[derive(Clone, Copy, Debug, Default)]
struct YaraxAtoms {
    count: u64,
    /// Its shortest atom's length (`usize::MAX` before the first).
    min_len: usize,
    /// One of them is empty.
    empty: bool,
    /// Rules that search it (not anchored, referenced).
    uses: u32,
}

impl YaraxAtoms {
    fn new() -> YaraxAtoms {
        YaraxAtoms { min_len: usize::MAX, ..Default::default() }
    }

    fn add(&mut self, count: u64, len: usize) {
        self.count = self.count.saturating_add(count);
        self.min_len = self.min_len.min(len);
        self.empty |= len == 0;
    }

    /// A hex or regex form's atoms ([`yarax::Analysis::atoms`]).
    fn add_pattern(&mut self, s: Option<yarax::AtomStats>) {
        match s {
            Some(s) => self.add(s.count, s.min_len),
            None => self.empty = true,
        }
    }
}

/// The bytes a masked byte matches, when they can be enumerated in an
/// atom: at most [`atoms::MAX_VARIANTS`] of them, or all.
fn byte_set(b: &hir::MaskedByte) -> Option<Vec<u8>> {
    // The common cases first: an exact byte and `??`.
    match (b.mask, b.negated) {
        (0xFF, false) => return Some(vec![b.value]),
        (0xFF, true) => return None,
        (0, false) if b.value == 0 => return Some((0..=255).collect()),
        _ => {}
    }
    let set: Vec<u8> =
        (0..=255u8).filter(|x| (x & b.mask == b.value) != b.negated).collect();
    let ok =
        set.len() <= atoms::MAX_VARIANTS || set.len() == atoms::EVERY_BYTE;
    ok.then_some(set)
}

/// What makes two patterns one for YARA-X (it compiles identical
/// patterns once): the value and the modifiers. `hex`: a hex pattern's
/// HIR, encoded.
fn yarax_key(p: &ast::Pattern, hex: Option<&[u8]>) -> Vec<u8> {
    let mut mods: Vec<String> =
        p.modifiers.iter().map(|m| format!("{:?}", m.kind)).collect();
    mods.sort();
    let mut key = match &p.kind {
        PatternKind::Text(t) => format!("t{t:?}").into_bytes(),
        PatternKind::Hex(h) => {
            let mut k = b"h".to_vec();
            match hex {
                Some(e) => k.extend_from_slice(e),
                None => k.extend(database::hir::encode(&hir::hex_to_hir(
                    &h.tokens,
                ))),
            }
            k
        }
        PatternKind::Regex(r) => format!(
            "r{:?}{}{}",
            r.source, r.case_insensitive, r.dot_matches_new_line
        )
        .into_bytes(),
    };
    key.extend(format!("{mods:?}").into_bytes());
    key
}

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
    /// Where a search keeps the matches of `sub`: its pattern, or for a
    /// chain piece, slot `num_patterns + piece`.
    pub(crate) fn slot(&self, sub: &Sub) -> PatternId {
        match sub.piece {
            Some(p) => (self.num_patterns as u32).saturating_add(p),
            None => sub.pattern,
        }
    }

    /// Number of patterns (ids are `0..len()`).
    pub fn len(&self) -> usize {
        self.num_patterns
    }

    pub fn is_empty(&self) -> bool {
        self.num_patterns == 0
    }

    /// Number of distinct atoms in the automaton.
    pub fn num_atoms(&self) -> usize {
        self.ref_ranges.len()
    }

    /// Prints the atoms with the most automaton hits over `files` and the
    /// patterns they belong to (a tool for tuning atom choice).
    #[cfg(test)]
    pub fn debug_hits(&self, files: &[Vec<u8>], names: &[String]) {
        let mut hits = vec![0usize; self.ref_ranges.len()];
        for f in files {
            match &self.finder {
                Some(finder::Finder::Ac(ac)) => {
                    for m in ac.find_overlapping_iter(f.as_slice()) {
                        hits[m.pattern().as_usize()] += 1;
                    }
                }
                Some(finder::Finder::Hash(h)) => {
                    h.find(f, 0, f.len(), |id, _| hits[id as usize] += 1)
                }
                None => {}
            }
        }
        let total: usize = hits.iter().sum();
        println!("{total} atom hits");
        if let Some(finder::Finder::Hash(h)) = &self.finder {
            h.debug_stats(files);
        }
        let mut by_len = [0usize; 5];
        for a in &self.atoms {
            by_len[a.len().min(4)] += 1;
        }
        println!("atoms by length: {by_len:?}");
        let mut order: Vec<usize> = (0..hits.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(hits[i]));
        let atoms: Vec<&[u8]> = ac_patterns(self);
        for &i in order.iter().take(25) {
            let (a, b) = self.ref_ranges[i];
            let kinds: Vec<String> = self.refs[a as usize..b as usize]
                .iter()
                .map(|r| {
                    let sub = &self.subs[r.sub as usize];
                    let name = names
                        .get(sub.pattern as usize)
                        .map_or("", |s| s.as_str());
                    match &sub.kind {
                        SubKind::Literal { bytes, .. } => {
                            format!("lit {:?}", String::from_utf8_lossy(bytes))
                        }
                        SubKind::Xor { .. } => "xor".into(),
                        SubKind::Base64 { .. } => "b64".into(),
                        SubKind::Masked { value, .. } => {
                            format!("masked len {} of {name}", value.len())
                        }
                        SubKind::Regex(_) => format!("regex {name}"),
                    }
                })
                .collect();
            println!("{:>9} {:?} {:?}", hits[i], atoms.get(i), kinds);
        }
    }

    /// Atom hits in `data`, without verifying them (to time the finder).
    #[cfg(test)]
    pub fn count_atom_hits(&self, data: &[u8]) -> usize {
        let mut n = 0;
        match &self.finder {
            Some(finder::Finder::Ac(ac)) => {
                n = ac.find_overlapping_iter(data).count();
            }
            Some(finder::Finder::Hash(h)) => {
                h.find(data, 0, data.len(), |_, _| n += 1)
            }
            None => {}
        }
        n
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
        search::search(self, data, matches, limits)
    }
}

#[cfg(test)]
mod testparse;
#[cfg(test)]
mod tests;

//! The search: one overlapping pass of the atom automaton over the data,
//! each hit verified in place, plus the slow patterns tried at every
//! offset their first byte allows.
//!
//! The data is searched in chunks of [`CHUNK`] bytes (overlapping by the
//! longest atom less one, hits ending in the overlap are skipped the
//! second time) so the deadline is checked between chunks; verification
//! also checks it every [`CLOCK_EVERY`] verifications. Nothing here
//! allocates per byte: scratch buffers live for the whole search.

use std::time::Instant;

use regex_automata::{Anchored, Input};

use super::base64;
use super::fastvm;
use super::finder::Finder;
use super::hir;
use super::{
    AtomRef, Chain, ExactAtoms, PatternId, PatternSet, REGEX_SCAN_LIMIT,
    RegexSub, SearchLimits, SearchOutcome, Sub, SubKind, has_byte,
};
use crate::scanner::{Match, MatchTable};

/// Bytes searched between two looks at the clock.
const CHUNK: usize = 256 * 1024;

/// Verifications between two looks at the clock.
const CLOCK_EVERY: u32 = 4096;

struct State<'a> {
    data: &'a [u8],
    matches: &'a mut MatchTable,
    max: usize,
    deadline: Option<Instant>,
    /// Patterns that reached the match limit (allocated at the first).
    limited: Vec<bool>,
    num_patterns: usize,
    outcome: SearchOutcome,
    verifications: u32,
    scratch: (Vec<u8>, Vec<u8>),
    /// Buffers of the fast VM's forward runs.
    fast: fastvm::Scratch,
    /// Which of `PatternSet::form_order` applies: 1 where YARA-X would
    /// search this data with Teddy.
    mode: usize,
}

impl State<'_> {
    /// Records a match of sub-pattern `sub` (see [`MatchTable::add`]).
    fn add(&mut self, set: &PatternSet, sub: u32, m: Match, greedy: bool) {
        let Some(s) = set.subs.get(sub as usize) else { return };
        let slot = set.slot(s);
        let order =
            set.form_order.get(sub as usize).map_or(0, |o| o[self.mode]);
        let order = match &s.kind {
            SubKind::Regex(rs) if rereported(rs, self.data, m.offset) => {
                MatchTable::LONGEST
            }
            SubKind::Regex(rs)
                if self.mode == 1
                    && order != MatchTable::LONGEST
                    && atom_at_match_start(rs, self.data, m.offset) =>
            {
                // As `form_orders` gives with `atom_at_start`.
                u32::from(order == 0)
            }
            _ => order,
        };
        if !self.matches.add(slot, m, greedy, order, self.max) {
            self.limit_reached(slot, s.pattern);
        }
    }

    /// Marks slot `slot` (pattern or chain piece) full and reports its
    /// pattern `id` truncated, once.
    fn limit_reached(&mut self, slot: PatternId, id: PatternId) {
        if self.limited.is_empty() {
            self.limited.resize(self.num_patterns, false);
        }
        if let Some(l) = self.limited.get_mut(slot as usize) {
            if !*l {
                *l = true;
                if !self.outcome.truncated.contains(&id) {
                    self.outcome.truncated.push(id);
                }
            }
        }
    }

    fn is_limited(&self, id: PatternId) -> bool {
        self.limited.get(id as usize).copied().unwrap_or(false)
    }

    /// True once the deadline has passed (checked now and then).
    fn tick(&mut self) -> bool {
        self.verifications = self.verifications.wrapping_add(1);
        if self.verifications % CLOCK_EVERY == 0 {
            return self.expired();
        }
        false
    }

    fn expired(&mut self) -> bool {
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                self.outcome.timed_out = true;
                return true;
            }
        }
        false
    }
}

pub(super) fn search(
    set: &PatternSet,
    data: &[u8],
    matches: &mut MatchTable,
    limits: &SearchLimits,
) -> SearchOutcome {
    let slots = set.num_patterns + set.num_pieces;
    matches.reset(slots);
    if data.is_empty() {
        // No pattern matches empty data.
        return SearchOutcome::default();
    }
    let mut st = State {
        data,
        matches,
        max: limits.max_matches_per_pattern,
        deadline: limits.deadline,
        limited: Vec::new(),
        num_patterns: slots,
        outcome: SearchOutcome::default(),
        verifications: 0,
        scratch: (Vec::new(), Vec::new()),
        fast: fastvm::Scratch::default(),
        mode: usize::from(set.teddy.applies(data.len())),
    };
    // Anchored patterns first: each compared at its one offset.
    for &(sub, at) in &set.anchored {
        if at < data.len() {
            let r = AtomRef { sub, backoff: 0, key: 0, exact: false };
            verify_hit(set, &mut st, &r, at);
        }
    }
    // Slow patterns are tried at each offset before the atom hits that
    // start there: YARA-X finds them through one-byte (or empty) atoms,
    // so in the order it verifies hits, which decides the match kept
    // at an offset (`MatchTable::add`), they come first
    // (`/[^a]/ ascii wide` reports the one-byte ascii match).
    let mut slow_pos = 0;
    match &set.finder {
        Some(Finder::Ac(ac)) => {
            let overlap = set.max_atom_len.saturating_sub(1);
            let mut pos = 0;
            'chunks: while pos < data.len() {
                if st.expired() {
                    break;
                }
                let end = pos.saturating_add(CHUNK).min(data.len());
                let from = pos.saturating_sub(overlap);
                let input = aho_corasick::Input::new(data).span(from..end);
                for m in ac.find_overlapping_iter(input) {
                    if m.end() <= pos {
                        continue;
                    }
                    if search_slow(set, &mut st, &mut slow_pos, m.start()) {
                        break 'chunks;
                    }
                    on_atom(set, &mut st, m.pattern().as_u32(), m.start());
                    if st.tick() {
                        break 'chunks;
                    }
                }
                pos = end;
            }
        }
        Some(Finder::Hash(h)) => {
            let mut pos = 0;
            while pos < data.len() {
                if st.expired() {
                    break;
                }
                let end = pos.saturating_add(CHUNK).min(data.len());
                h.find(data, pos, end, |atom, at| {
                    if !st.outcome.timed_out
                        && !search_slow(set, &mut st, &mut slow_pos, at)
                    {
                        on_atom(set, &mut st, atom, at);
                        st.tick();
                    }
                });
                if st.outcome.timed_out {
                    break;
                }
                pos = end;
            }
        }
        None => {}
    }
    if !st.outcome.timed_out {
        search_slow(set, &mut st, &mut slow_pos, data.len());
    }
    if !set.chains.is_empty() {
        let mut ranks = Vec::new();
        for c in &set.chains {
            join_chain(set, &mut st, c, &mut ranks);
        }
        st.matches.clear_from(set.num_patterns);
    }
    st.outcome
}

/// No chain from this piece match reaches a match of the last piece.
const UNREACHED: u32 = u32::MAX;

/// Adds the matches of chained pattern `c` from its pieces' matches (see
/// [`Chain`]): for each match of a piece, from the last piece back, the
/// rank (by offset; from the end when greedy) of the first (last) match
/// of the last piece a chain from it reaches, the minimum over the next
/// piece's matches that start within the gap after it, a range of them
/// as they are sorted by offset (a range-minimum tree answers it).
/// Linear-logarithmic in the pieces' matches, whatever the gaps.
fn join_chain(
    set: &PatternSet,
    st: &mut State<'_>,
    c: &Chain,
    ranks: &mut Vec<u32>,
) {
    let slot = |i: usize| set.num_patterns as u32 + c.first + i as u32;
    let n = c.gaps.len() + 1;
    if (0..n).any(|i| st.matches.get(slot(i)).is_empty()) {
        return;
    }
    // Ranks of the last piece's matches: their own, or from the end;
    // with fullword, none for those not ending at a word boundary.
    let data = st.data;
    let tails = st.matches.get(slot(n - 1));
    let last = tails.len() as u32;
    ranks.clear();
    ranks.extend(tails.iter().enumerate().map(|(i, t)| {
        let end = t.offset.saturating_add(t.len);
        if c.fullword && !fullword_ok(data, 0, end, c.wide, 0) {
            UNREACHED
        } else if c.greedy {
            last - 1 - i as u32
        } else {
            i as u32
        }
    }));
    let mut tree = MinTree::default();
    for i in (0..n - 1).rev() {
        tree.build(ranks);
        let next = st.matches.get(slot(i + 1));
        let (min, max) = c.gaps[i];
        let mut cur = Vec::with_capacity(st.matches.get(slot(i)).len());
        for m in st.matches.get(slot(i)) {
            let end = m.offset.saturating_add(m.len);
            let lo = end.saturating_add(min as usize);
            let hi =
                max.map_or(usize::MAX, |x| end.saturating_add(x as usize));
            let a = next.partition_point(|x| x.offset < lo);
            let b = next.partition_point(|x| x.offset <= hi);
            cur.push(tree.min(a, b));
        }
        *ranks = cur;
    }
    let heads = st.matches.get(slot(0)).to_vec();
    let tails = st.matches.get(slot(n - 1)).to_vec();
    for (h, &r) in heads.iter().zip(ranks.iter()) {
        if r == UNREACHED
            || c.fullword
                && !fullword_ok(data, h.offset, data.len(), c.wide, 0)
        {
            continue;
        }
        let r = if c.greedy { last - 1 - r } else { r };
        let Some(t) = tails.get(r as usize) else { continue };
        let end = t.offset.saturating_add(t.len);
        let m = Match {
            offset: h.offset,
            len: end.saturating_sub(h.offset),
            xor_key: None,
        };
        if !st.matches.add(c.pattern, m, false, 0, st.max) {
            st.limit_reached(c.pattern, c.pattern);
            return;
        }
    }
}

/// Range minimum over a list of ranks ([`UNREACHED`] where none): an
/// iterative segment tree, its buffer reused.
#[derive(Default)]
struct MinTree {
    n: usize,
    t: Vec<u32>,
}

impl MinTree {
    fn build(&mut self, v: &[u32]) {
        self.n = v.len();
        self.t.clear();
        self.t.resize(2 * v.len(), UNREACHED);
        self.t[v.len()..].copy_from_slice(v);
        for i in (1..v.len()).rev() {
            self.t[i] = self.t[2 * i].min(self.t[2 * i + 1]);
        }
    }

    /// The minimum of `v[a..b]`, [`UNREACHED`] when empty.
    fn min(&self, a: usize, b: usize) -> u32 {
        let (mut a, mut b) = (a + self.n, b.min(self.n) + self.n);
        let mut out = UNREACHED;
        while a < b {
            if a & 1 == 1 {
                out = out.min(self.t[a]);
                a += 1;
            }
            if b & 1 == 1 {
                b -= 1;
                out = out.min(self.t[b]);
            }
            a /= 2;
            b /= 2;
        }
        out
    }
}

/// Verifies every sub-pattern of an atom hit.
#[inline]
fn on_atom(set: &PatternSet, st: &mut State<'_>, atom: u32, at: usize) {
    let Some(&(a, b)) = set.ref_ranges.get(atom as usize) else { return };
    let refs = set.refs.get(a as usize..b as usize).unwrap_or(&[]);
    for r in refs {
        verify_hit(set, st, r, at);
    }
}

/// Tries the slow patterns at every offset from `*pos` up to `to`
/// (included, when in the data), in the order of `set.slow`, and moves
/// `*pos` past them. Returns `true` once the deadline has passed.
fn search_slow(
    set: &PatternSet,
    st: &mut State<'_>,
    pos: &mut usize,
    to: usize,
) -> bool {
    if set.slow.is_empty() {
        return false;
    }
    let data = st.data;
    let to = to.min(data.len().saturating_sub(1));
    while *pos <= to && *pos < data.len() {
        let s = *pos;
        if s % CHUNK == 0 && st.expired() {
            return true;
        }
        *pos += 1;
        let b = data[s];
        for &sub_id in &set.slow {
            let Some(sub) = set.subs.get(sub_id as usize) else { continue };
            let SubKind::Regex(rs) = &sub.kind else { continue };
            if rs.first_bytes[b as usize] && !st.is_limited(set.slot(sub)) {
                verify_regex(set, sub_id, rs, st, s);
            }
        }
    }
    false
}

/// Whether YARA-X reports a match of `rs` at `at` again after both
/// forms did, so the longer stays ([`RegexSub::rereport`]): the element
/// of its over-extended repetition matches at `at` and at `at + 1`.
fn rereported(rs: &RegexSub, data: &[u8], at: usize) -> bool {
    let Some(bits) = &rs.rereport else { return false };
    let Some(&[a, b]) = data.get(at..at.saturating_add(2)) else {
        return false;
    };
    has_byte(bits, a) && has_byte(bits, b)
}

/// Whether YARA-X's atom of the match of `rs` at `at` starts there
/// though the pattern's does not ([`RegexSub::teddy_start`]): the
/// match's first byte starts none of the units before it.
fn atom_at_match_start(rs: &RegexSub, data: &[u8], at: usize) -> bool {
    let Some(bits) = &rs.teddy_start else { return false };
    data.get(at).is_some_and(|&b| !has_byte(bits, b))
}

fn verify_hit(set: &PatternSet, st: &mut State<'_>, r: &AtomRef, at: usize) {
    let Some(sub) = set.subs.get(r.sub as usize) else { return };
    if st.is_limited(set.slot(sub)) {
        return;
    }
    let Some(start) = at.checked_sub(r.backoff as usize) else { return };
    let data = st.data;
    match &sub.kind {
        SubKind::Literal { bytes, nocase } => {
            let end = start + bytes.len();
            let Some(found) = data.get(start..end) else { return };
            if !r.exact {
                let ok = if *nocase {
                    found.eq_ignore_ascii_case(bytes)
                } else {
                    found == &bytes[..]
                };
                if !ok {
                    return;
                }
            }
            if sub.fullword && !fullword_ok(data, start, end, sub.wide, 0) {
                return;
            }
            let m = Match { offset: start, len: bytes.len(), xor_key: None };
            st.add(set, r.sub, m, false);
        }
        SubKind::Xor { bytes } => {
            let end = start + bytes.len();
            let Some(found) = data.get(start..end) else { return };
            let key = r.key;
            if !found.iter().zip(bytes.iter()).all(|(f, b)| f ^ key == *b) {
                return;
            }
            if sub.fullword && !fullword_ok(data, start, end, sub.wide, key) {
                return;
            }
            let m =
                Match { offset: start, len: bytes.len(), xor_key: Some(key) };
            st.add(set, r.sub, m, false);
        }
        SubKind::Base64 { encoded, plain, padding, alphabet } => {
            let end = start + encoded.len();
            if data.get(start..end) != Some(&encoded[..]) {
                return;
            }
            if let Some((s, len)) = base64::verify(
                plain,
                data,
                *padding,
                start,
                alphabet,
                sub.wide,
                &mut st.scratch,
            ) {
                let m = Match { offset: s, len, xor_key: None };
                st.add(set, r.sub, m, false);
            }
        }
        SubKind::Masked { value, mask, negated } => {
            let end = start + value.len();
            let Some(found) = data.get(start..end) else { return };
            if !r.exact {
                for i in 0..found.len() {
                    let eq = found[i] & mask[i] == value[i];
                    if eq == negated[i] {
                        return;
                    }
                }
            }
            let m = Match { offset: start, len: value.len(), xor_key: None };
            st.add(set, r.sub, m, false);
        }
        SubKind::Regex(rs) => verify_regex(set, r.sub, rs, st, start),
    }
}

/// Matches the part from the atom on forward (leftmost-first, anchored),
/// then every start of the part before it backward; each start with the
/// forward end is a match.
fn verify_regex(
    set: &PatternSet,
    sub: u32,
    rs: &RegexSub,
    st: &mut State<'_>,
    at: usize,
) {
    let data = st.data;
    for (off, bits) in rs.checks.iter() {
        let Some(&b) = at.checked_add_signed(*off).and_then(|i| data.get(i))
        else {
            return;
        };
        if !has_byte(bits, b) {
            return;
        }
    }
    let fwd_limit = match rs.limit {
        Some(l) => at.saturating_add(l).min(data.len()),
        None => data.len(),
    };
    let end = match &rs.fast {
        Some(f) => {
            let Some(rest) = data.get(at..) else { return };
            let Some(len) = f.run(rest, &mut st.fast) else { return };
            at + len
        }
        None => {
            let input =
                Input::new(data).span(at..fwd_limit).anchored(Anchored::Yes);
            let Some(fwd) = rs.fwd() else { return };
            let Some(m) = fwd.search(&input) else { return };
            m.end()
        }
    };
    let rev = match rs.bck() {
        Ok(Some(rev)) => rev,
        Ok(None) => {
            report(set, sub, rs, st, at, end);
            return;
        }
        Err(()) => return,
    };
    let lo = match rs.limit {
        Some(l) => at.saturating_sub(l),
        None => 0,
    };
    let dfa = &rev.dfa;
    let mut cache = rev.pool.get();
    let input = Input::new(data).span(lo..at).anchored(Anchored::Yes);
    let Ok(mut sid) = dfa.start_state_reverse(&mut cache, &input) else {
        return;
    };
    let mut i = at;
    while i > lo {
        i -= 1;
        sid = match dfa.next_state(&mut cache, sid, data[i]) {
            Ok(s) => s,
            Err(_) => return,
        };
        if sid.is_tagged() {
            if sid.is_match() {
                report(set, sub, rs, st, i + 1, end);
            } else if sid.is_dead() || sid.is_quit() {
                return;
            }
        }
    }
    // A match starting at `lo` shows one byte later (or at the end).
    let next = if lo == 0 {
        dfa.next_eoi_state(&mut cache, sid)
    } else {
        dfa.next_state(&mut cache, sid, data[lo - 1])
    };
    if next.is_ok_and(|s| s.is_match()) {
        report(set, sub, rs, st, lo, end);
    }
}

fn report(
    set: &PatternSet,
    sub_id: u32,
    rs: &RegexSub,
    st: &mut State<'_>,
    start: usize,
    end: usize,
) {
    let start = start + usize::from(rs.trim[0]);
    let end = end.saturating_sub(usize::from(rs.trim[1]));
    if end <= start {
        return;
    }
    let Some(sub) = set.subs.get(sub_id as usize) else { return };
    if !regex_edges_ok(sub, rs, st.data, start, end) {
        return;
    }
    let len = match &rs.exact_atoms {
        Some(x) => yarax_len(x, sub, rs, st, start, end - start),
        None => end - start,
    };
    let m = Match { offset: start, len, xor_key: None };
    st.add(set, sub_id, m, rs.greedy);
}

/// What a regex match `start..end` must have around it: word
/// boundaries for `fullword`, the look-arounds at the ends of a `wide`
/// regex.
fn regex_edges_ok(
    sub: &Sub,
    rs: &RegexSub,
    data: &[u8],
    start: usize,
    end: usize,
) -> bool {
    (!sub.fullword || fullword_ok(data, start, end, sub.wide, 0))
        && hir::wide_edges_ok(&rs.edges, data, start, end)
}

/// The length YARA-X reports at `start` for a greedy regex with exact
/// atoms whose match there is `len` bytes long ([`ExactAtoms`]): its
/// atoms found at `start` come in shortest first (daachorse reports
/// hits by where they end, Teddy those starting at one offset in the
/// order added, which is sorted), an exact one as a match of its length,
/// another as the regex's; each replaces the end of the match at
/// `start` while it is the last match of the pattern, else only a
/// longer one does. With daachorse, a match at a later offset comes in
/// between when an atom found there ends before the hit at `start`.
fn yarax_len(
    x: &ExactAtoms,
    sub: &Sub,
    rs: &RegexSub,
    st: &State<'_>,
    start: usize,
    len: usize,
) -> usize {
    let data = st.data;
    let teddy = st.mode == 1;
    // The length of an atom's match at `at` (`None`: no match).
    let event = |at: usize, n: usize, exact: bool| {
        let n = if exact { n } else { whole_len(x, data, at)? };
        regex_edges_ok(sub, rs, data, at, at + n).then_some(n)
    };
    // Whether a match at an offset after `start` comes before the hit
    // ending at `end`.
    let later_first = |end: usize| {
        !teddy
            && (start + 1..end).any(|at| {
                x.found_at(data, at).any(|(n, exact)| {
                    at + n < end && event(at, n, exact).is_some()
                })
            })
    };
    let mut cur: Option<usize> = None;
    for (n, exact) in x.found_at(data, start) {
        let m = if exact {
            match event(start, n, true) {
                Some(m) => m,
                None => continue,
            }
        } else {
            len
        };
        cur = Some(match cur {
            Some(c) if later_first(start + n) => c.max(m),
            _ => m,
        });
    }
    cur.unwrap_or(len)
}

/// The length of the match of the whole pattern at `at` (`None`: none).
fn whole_len(x: &ExactAtoms, data: &[u8], at: usize) -> Option<usize> {
    let limit = at.saturating_add(REGEX_SCAN_LIMIT).min(data.len());
    let input = Input::new(data).span(at..limit).anchored(Anchored::Yes);
    let m = x.whole()?.search(&input)?;
    (m.end() > at).then(|| m.end() - at)
}

/// No alphanumeric byte (character, for `wide`) right before or after
/// `start..end`, bytes XORed with `key` first.
fn fullword_ok(
    data: &[u8],
    start: usize,
    end: usize,
    wide: bool,
    key: u8,
) -> bool {
    let alnum = |i: usize| (data[i] ^ key).is_ascii_alphanumeric();
    let zero = |i: usize| data[i] ^ key == 0;
    if wide {
        if start >= 2 && zero(start - 1) && alnum(start - 2) {
            return false;
        }
        if end + 1 < data.len() && zero(end + 1) && alnum(end) {
            return false;
        }
    } else {
        if start >= 1 && alnum(start - 1) {
            return false;
        }
        if end < data.len() && alnum(end) {
            return false;
        }
    }
    true
}

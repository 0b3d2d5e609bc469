//! A model of how YARA-X 1.22 picks the atoms of a regex, kept to mirror
//! a quirk of its regex compiler that changes which matches it reports.
//!
//! YARA-X compiles a bounded repetition `e{min,max}` (`max <= 10`, or
//! inside a repetition it counts with an instruction) into copies of
//! `e`. When the atom it searches for lies inside the first copy, the
//! backward code it runs from the atom starts after copy `min` and still
//! holds the `max - min` optional copies, while the forward code from
//! the atom holds all of them: the repetition effectively matches
//! `e{min, 2 * max - min}` (`/b{1,3}/` reports 5 bytes of `bbbbbb`).
//! Whether that happens depends on where its best atom is, so this module
//! follows its choice: every node of the tree offers atoms (literal
//! extraction as `regex-syntax` does it, with YARA-X's limits and
//! clean-ups), scored by YARA-X's atom quality; the best one wins, first
//! found on ties; an alternation offers the atoms of all its branches.
//! [`rep_quirk`] then widens the repetitions that hold the winner.

use std::cmp::Ordering;
use std::collections::HashMap;

use regex_syntax::hir::literal::{Extractor, Literal, Seq};
use regex_syntax::hir::{Class, Hir, HirKind, Repetition};

/// Atom length YARA-X aims for.
const ATOM_SIZE: usize = 4;
/// Most atoms YARA-X extracts from one regex.
const MAX_ATOMS: usize = 16384;
/// Largest repetition count YARA-X unrolls into copies.
const UNROLL_MAX: u32 = 10;

/// YARA-X's quality of one window of at most [`ATOM_SIZE`] bytes.
fn window_quality(bytes: &[u8]) -> i32 {
    let mut q = 0;
    let mut seen = [false; 256];
    let mut unique = 0;
    for &b in bytes {
        q += match b {
            0x20 | 0x90 | 0xcc | 0xff => 12,
            0x00 => 6,
            b'a'..=b'z' | b'A'..=b'Z' => 18,
            _ => 20,
        };
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            unique += 1;
        }
    }
    if unique == 1 {
        match bytes[0] {
            0x00 | 0x20 | 0x90 | 0xcc | 0xff => q - 5,
            _ => q + 2,
        }
    } else {
        q + 2 * unique
    }
}

/// YARA-X's quality of an atom: its best window (`i32::MIN` if empty).
fn atom_quality(bytes: &[u8]) -> i32 {
    if bytes.is_empty() {
        return i32::MIN;
    }
    if bytes.len() < ATOM_SIZE {
        return window_quality(bytes);
    }
    bytes.windows(ATOM_SIZE).map(window_quality).max().unwrap_or(i32::MIN)
}

/// An atom: its bytes and whether finding it proves the match.
type Atom = (Vec<u8>, bool);

/// YARA-X's ranking of a set of atoms.
#[derive(Clone, Copy, Debug)]
struct Quality {
    exact: usize,
    inexact: usize,
    min_len: usize,
    max_len: usize,
    min_q: i32,
    sum_q: i64,
}

impl Quality {
    fn worst() -> Quality {
        Quality {
            exact: 0,
            inexact: 0,
            min_len: 0,
            max_len: 0,
            min_q: i32::MIN,
            sum_q: i64::MIN,
        }
    }

    fn of<'a>(atoms: impl Iterator<Item = (&'a [u8], bool)>) -> Quality {
        let mut q = Quality {
            exact: 0,
            inexact: 0,
            min_len: usize::MAX,
            max_len: 0,
            min_q: i32::MAX,
            sum_q: 0,
        };
        for (bytes, exact) in atoms {
            if exact {
                q.exact += 1;
            } else {
                q.inexact += 1;
            }
            let aq = atom_quality(bytes);
            q.sum_q = q.sum_q.saturating_add(i64::from(aq));
            q.min_q = q.min_q.min(aq);
            q.min_len = q.min_len.min(bytes.len());
            q.max_len = q.max_len.max(bytes.len());
        }
        q
    }

    fn of_seq(seq: &Seq) -> Quality {
        let lits = seq.literals().unwrap_or(&[]);
        Quality::of(lits.iter().map(|l| (l.as_bytes(), l.is_exact())))
    }

    fn merge(&mut self, o: &Quality) {
        self.exact = self.exact.saturating_add(o.exact);
        self.inexact = self.inexact.saturating_add(o.inexact);
        self.sum_q = self.sum_q.saturating_add(o.sum_q);
        self.min_len = self.min_len.min(o.min_len);
        self.max_len = self.max_len.max(o.max_len);
        self.min_q = self.min_q.min(o.min_q);
    }

    fn count(&self) -> usize {
        self.exact + self.inexact
    }

    fn avg(&self) -> f64 {
        self.sum_q as f64 / self.count() as f64
    }

    fn cmp(&self, o: &Quality) -> Ordering {
        if self.min_len.abs_diff(o.min_len) == 1 {
            if self.count() > 0
                && self.count().saturating_mul(256) == o.count()
                && self.avg() * 2.0 >= o.avg()
            {
                return Ordering::Greater;
            }
            if o.count() > 0
                && o.count().saturating_mul(256) == self.count()
                && o.avg() * 2.0 >= self.avg()
            {
                return Ordering::Less;
            }
        }
        if self.min_q != o.min_q {
            return self.min_q.cmp(&o.min_q);
        }
        if self.min_len != o.min_len {
            return self.min_len.cmp(&o.min_len);
        }
        let (a, b) = (self.avg(), o.avg());
        if (a - b).abs() > 15.0 {
            return a.total_cmp(&b);
        }
        if self.inexact != o.inexact {
            return o.inexact.cmp(&self.inexact);
        }
        o.exact.cmp(&self.exact)
    }

    fn better(&self, o: &Quality) -> bool {
        self.cmp(o) == Ordering::Greater
    }
}

/// Replaces literals whose last byte takes all 256 values by their
/// (inexact) prefix; `None` for an infinite sequence.
fn optimize(mut seq: Seq) -> Option<Seq> {
    let lits = seq.literals()?.to_vec();
    if lits.len() == 1 {
        return Some(seq);
    }
    // Prefixes in order of first appearance, each with the set of last
    // bytes seen after it; `index` finds a prefix's entry (a linear
    // search made this quadratic in the up to 16384 literals).
    let mut full: Vec<(&[u8], [bool; 256], usize)> = Vec::new();
    let mut index: HashMap<&[u8], usize> = HashMap::new();
    for l in &lits {
        if let Some((&last, prefix)) = l.as_bytes().split_last() {
            let i = *index.entry(prefix).or_insert_with(|| {
                full.push((prefix, [false; 256], 0));
                full.len() - 1
            });
            let (_, set, n) = &mut full[i];
            if !set[usize::from(last)] {
                set[usize::from(last)] = true;
                *n += 1;
            }
        }
    }
    if full.iter().all(|(_, _, n)| *n < 256) {
        seq.dedup();
        return Some(seq);
    }
    let mut emitted = vec![false; full.len()];
    let mut out = Seq::empty();
    for l in &lits {
        let prefix = l.as_bytes().split_last().map(|(_, p)| p);
        let i = prefix.and_then(|p| index.get(p).copied());
        match i.filter(|&i| full[i].2 == 256) {
            Some(i) => {
                if !emitted[i] {
                    emitted[i] = true;
                    out.push(Literal::inexact(full[i].0.to_vec()));
                }
            }
            None => out.push(l.clone()),
        }
    }
    out.dedup();
    Some(out)
}

/// The atoms of a literal sequence, cleaned up as YARA-X does: sorted,
/// deduplicated, and an atom that extends another dropped (the other
/// becomes inexact).
fn seq_atoms(seq: Seq) -> Option<Vec<Atom>> {
    let seq = optimize(seq)?;
    let mut atoms: Vec<Atom> = seq
        .literals()?
        .iter()
        .map(|l| (l.as_bytes().to_vec(), l.is_exact()))
        .collect();
    atoms.sort();
    atoms.dedup();
    let mut inexact = Vec::new();
    let mut remove = Vec::new();
    for i in 1..atoms.len() {
        let (a, b) = (&atoms[i - 1].0, &atoms[i].0);
        if a == b {
            remove.push(i);
        } else if b.starts_with(a) {
            inexact.push(i - 1);
            remove.push(i);
        }
    }
    for i in inexact {
        atoms[i].1 = false;
    }
    for i in remove.into_iter().rev() {
        atoms.remove(i);
    }
    Some(atoms)
}

/// The literals of a concatenation from its first item on, as YARA-X
/// joins them (up to [`ATOM_SIZE`] bytes).
fn concat_seq(seqs: &[Seq]) -> Option<Seq> {
    let first = seqs.first()?;
    match first.len() {
        None => return None,
        Some(256) if matches!(first.max_literal_len(), Some(1) | None) => {
            return None;
        }
        _ => {}
    }
    let empty_tail = seqs
        .iter()
        .rev()
        .take_while(|s| s.min_literal_len() == Some(0))
        .count();
    let mut added = 0;
    let mut total = 0;
    let mut out = Seq::singleton(Literal::exact(vec![]));
    for seq in &seqs[..seqs.len() - empty_tail] {
        let Some(min) = seq.min_literal_len() else { break };
        match out.max_cross_len(seq) {
            Some(n) if n <= MAX_ATOMS => {}
            _ => break,
        }
        out.cross_forward(&mut seq.clone());
        added += 1;
        total += min;
        if total >= ATOM_SIZE || out.is_inexact() {
            break;
        }
    }
    if added < seqs.len() {
        out.make_inexact();
    }
    out.keep_first_bytes(ATOM_SIZE);
    optimize(out)
}

/// The best atoms found so far: their quality and the paths (child
/// indices from the root) of the nodes they come from.
struct Best {
    quality: Quality,
    count: usize,
    paths: Vec<Vec<usize>>,
    /// Where in its node the atom starts: the child of a concatenation,
    /// the byte of a literal (0 otherwise).
    at: usize,
}

impl Best {
    fn empty() -> Best {
        Best { quality: Quality::worst(), count: 0, paths: Vec::new(), at: 0 }
    }
}

struct Walk {
    ex: Extractor,
    depth: u32,
    zero_rep_depth: u32,
    /// Per enclosing repetition: whether YARA-X counts it with an
    /// instruction instead of unrolling it.
    counted: Vec<bool>,
    stack: Vec<Best>,
    path: Vec<usize>,
}

impl Walk {
    fn extract(&self, h: &Hir) -> Option<Vec<Atom>> {
        seq_atoms(self.ex.extract(h))
    }

    fn visit(&mut self, h: &Hir) {
        match h.kind() {
            HirKind::Alternation(_) => self.stack.push(Best::empty()),
            HirKind::Repetition(rep) => {
                if rep.min == 0 {
                    self.zero_rep_depth += 1;
                }
                let nested = self.counted.last().copied().unwrap_or(false);
                let c = !nested
                    && rep.max.is_some_and(|max| {
                        rep.min > UNROLL_MAX || max > UNROLL_MAX
                    });
                self.counted.push(c);
            }
            _ => {}
        }
        self.depth += 1;
        match h.kind() {
            HirKind::Concat(subs) => self.children(subs, false),
            HirKind::Alternation(subs) => self.children(subs, true),
            HirKind::Capture(c) => {
                self.children(std::slice::from_ref(&c.sub), false)
            }
            HirKind::Repetition(r) => {
                self.children(std::slice::from_ref(&r.sub), false)
            }
            _ => {}
        }
        self.depth -= 1;
        let mut at = 0;
        let atoms = match h.kind() {
            HirKind::Empty => {
                if self.zero_rep_depth > 0 {
                    return;
                }
                Some(vec![(Vec::new(), true)])
            }
            HirKind::Literal(lit) => {
                if self.zero_rep_depth > 0 {
                    return;
                }
                let b = &lit.0;
                let mut best = (0, b.len().min(ATOM_SIZE));
                let mut best_q = i32::MIN;
                for i in 0..=b.len().saturating_sub(ATOM_SIZE) {
                    let end = b.len().min(i + ATOM_SIZE);
                    let q = atom_quality(&b[i..end]);
                    if q > best_q {
                        best_q = q;
                        best = (i, end);
                    }
                }
                let exact = best.0 == 0 && best.1 == b.len();
                at = best.0;
                Some(vec![(b[best.0..best.1].to_vec(), exact)])
            }
            HirKind::Concat(subs) => {
                if self.zero_rep_depth > 0 {
                    return;
                }
                let seqs: Vec<Seq> =
                    subs.iter().map(|s| self.ex.extract(s)).collect();
                let mut best = None;
                let mut best_q = Quality::worst();
                for i in 0..seqs.len() {
                    if let Some(mut seq) = concat_seq(&seqs[i..]) {
                        if i > 0 {
                            seq.make_inexact();
                        }
                        let q = Quality::of_seq(&seq);
                        if q.better(&best_q) {
                            best_q = q;
                            best = seq_atoms(seq);
                            at = i;
                        }
                    }
                }
                best
            }
            HirKind::Alternation(subs) => {
                let n = subs.len();
                let branches = self.stack.split_off(self.stack.len() - n);
                let mut all = Best::empty();
                let mut first = true;
                for b in branches {
                    if first {
                        all = b;
                        first = false;
                    } else {
                        all.quality.merge(&b.quality);
                        all.count += b.count;
                        all.paths.extend(b.paths);
                    }
                }
                if let Some(top) = self.stack.last_mut() {
                    if all.count <= MAX_ATOMS
                        && all.quality.better(&top.quality)
                    {
                        *top = all;
                    }
                }
                if self.zero_rep_depth > 0 {
                    return;
                }
                self.extract(h)
            }
            HirKind::Repetition(rep) => {
                self.counted.pop();
                if rep.min == 0 {
                    self.zero_rep_depth -= 1;
                }
                if rep.min == 0 || self.zero_rep_depth > 0 {
                    return;
                }
                self.extract(h)
            }
            HirKind::Capture(_) | HirKind::Look(_) | HirKind::Class(_) => {
                if self.zero_rep_depth > 0 {
                    return;
                }
                self.extract(h)
            }
        };
        let Some(mut atoms) = atoms else { return };
        if atoms.is_empty() {
            return;
        }
        if self.depth != 0 || !h.properties().look_set().is_empty() {
            for a in &mut atoms {
                a.1 = false;
            }
            atoms.sort();
            atoms.dedup();
        }
        let q = Quality::of(atoms.iter().map(|(b, e)| (b.as_slice(), *e)));
        if let Some(top) = self.stack.last_mut() {
            if q.better(&top.quality) {
                *top = Best {
                    quality: q,
                    count: atoms.len(),
                    paths: vec![self.path.clone()],
                    at,
                };
            }
        }
    }

    fn children(&mut self, subs: &[Hir], branches: bool) {
        for (i, s) in subs.iter().enumerate() {
            if branches && i > 0 {
                self.stack.push(Best::empty());
            }
            self.path.push(i);
            self.visit(s);
            self.path.pop();
        }
    }
}

/// Whether YARA-X unrolls `rep` (given whether the repetition around it,
/// if any, is counted) with optional copies: `1 <= min < max`.
fn widened(rep: &Repetition, nested_in_counted: bool) -> bool {
    let Some(max) = rep.max else { return false };
    let counted =
        !nested_in_counted && (rep.min > UNROLL_MAX || max > UNROLL_MAX);
    !counted && rep.min >= 1 && rep.min < max
}

/// `h` with the repetitions YARA-X over-extends widened to what it
/// matches (see the module docs); `None` when nothing changes.
pub(crate) fn rep_quirk(h: &Hir) -> Option<Hir> {
    let best = best_atoms(h)?;
    if best.paths.is_empty() {
        return None;
    }
    let mut changed = false;
    let out = rewrite(h, &best.paths, &mut Vec::new(), false, &mut changed);
    changed.then_some(out)
}

/// Whether YARA-X finds `h` through an empty atom (or none), i.e. tries
/// it at every offset. With `ascii wide` it then verifies the wide form
/// before the ascii one at each offset, so the ascii match is the one
/// kept (`/.b?/s ascii wide` reports `a` in `a\0b\0`).
pub(crate) fn atoms_empty(h: &Hir) -> bool {
    best_atoms(h).is_none_or(|b| b.paths.is_empty() || b.quality.min_len == 0)
}

/// Whether YARA-X's atoms of `h` lie inside an unbounded repetition of
/// at most one required copy (`e*`, `e+`): the backward code it runs
/// from an atom hit then holds the repetition again, so a hit inside a
/// run reports a match at every earlier start of the run.
pub(crate) fn atom_in_loop(h: &Hir) -> bool {
    let Some(best) = best_atoms(h) else { return false };
    if best.paths.is_empty() || best.quality.min_len == 0 {
        return false;
    }
    best.paths.iter().any(|path| {
        let mut node = h;
        for &i in path {
            let next = match node.kind() {
                HirKind::Repetition(rep) => {
                    if rep.max.is_none() && rep.min <= 1 {
                        return true;
                    }
                    &*rep.sub
                }
                HirKind::Capture(cap) => &*cap.sub,
                HirKind::Concat(subs) | HirKind::Alternation(subs) => {
                    match subs.get(i) {
                        Some(s) => s,
                        None => return false,
                    }
                }
                _ => return false,
            };
            node = next;
        }
        matches!(node.kind(), HirKind::Repetition(rep)
            if rep.max.is_none() && rep.min <= 1)
    })
}

/// Whether YARA-X 1.22 calls a literal slow (`is_slow_pattern_bytes`):
/// one byte, or only `00`, only `90` or only `FF` bytes.
pub(crate) fn slow_literal(bytes: &[u8]) -> bool {
    bytes.len() == 1
        || [0x00, 0x90, 0xff]
            .iter()
            .any(|&b| !bytes.is_empty() && bytes.iter().all(|&x| x == b))
}

/// Whether YARA-X 1.22 warns that the hex or regex pattern `h` (its
/// ascii form, case folded for `nocase`) is slow. It follows YARA-X's
/// compiler: a literal is judged by [`slow_literal`] (when
/// `literal_check`: not for `fullword`, and not when anchored, which the
/// caller defers), an alternation of literals never, a pattern split at
/// gaps wider than 200 bytes by each piece that is not a literal, a
/// masked literal (when `maskable`: neither `nocase` nor `wide`) never,
/// any other by its atoms: none, one shorter than 2 bytes, or more than
/// 2,700 of exactly 2 bytes.
pub(crate) fn slow_regex(
    h: &Hir,
    maskable: bool,
    literal_check: bool,
) -> bool {
    if let HirKind::Literal(lit) = h.kind() {
        return literal_check && slow_literal(&lit.0);
    }
    if alternation_literal(h) {
        return false;
    }
    if let Some(pieces) = chain_pieces(h) {
        return pieces.iter().any(|p| {
            !matches!(p.kind(), HirKind::Literal(_)) && slow_atoms(p)
        });
    }
    if maskable && masked_literal(h) {
        return false;
    }
    slow_atoms(h)
}

fn slow_atoms(h: &Hir) -> bool {
    let Some(best) = best_atoms(h) else { return true };
    if best.paths.is_empty() || best.count == 0 {
        return true;
    }
    let q = best.quality;
    q.min_len < 2 || (q.max_len == 2 && best.count > 2700)
}

/// YARA-X's `is_alternation_literal`: a literal or an alternation of
/// literals, not a concatenation.
fn alternation_literal(h: &Hir) -> bool {
    let lit = |h: &Hir| {
        h.properties().is_alternation_literal()
            && !matches!(h.kind(), HirKind::Concat(_))
    };
    lit(h) || matches!(h.kind(), HirKind::Capture(c) if lit(&c.sub))
}

/// The pieces YARA-X chains `h` into at gaps of any byte wider than
/// [`CHAIN_GAP`] (`split_at_large_gaps`); `None` when it is not split.
fn chain_pieces(h: &Hir) -> Option<Vec<Hir>> {
    let HirKind::Concat(items) = h.kind() else { return None };
    let min_len = |v: &[Hir]| {
        Hir::concat(v.to_vec()).properties().minimum_len().unwrap_or(0)
    };
    let mut pieces: Vec<Hir> = Vec::new();
    let mut chunk: Vec<Hir> = Vec::new();
    let mut gap: Option<Hir> = None;
    for item in items {
        if chain_gap(item) && !chunk.is_empty() {
            if min_len(&chunk) >= CHAIN_MIN_PIECE {
                pieces.push(Hir::concat(std::mem::take(&mut chunk)));
                gap = Some(item.clone());
            } else {
                let whole = Hir::concat(std::mem::take(&mut chunk));
                chunk = vec![whole, item.clone()];
            }
        } else {
            chunk.push(item.clone());
        }
    }
    if pieces.is_empty() {
        return None;
    }
    if !chunk.is_empty() {
        if min_len(&chunk) >= CHAIN_MIN_PIECE {
            pieces.push(Hir::concat(chunk));
        } else if let (Some(last), Some(gap)) = (pieces.pop(), gap) {
            let mut joined = vec![last, gap];
            joined.extend(chunk);
            pieces.push(Hir::concat(joined));
        }
    }
    Some(pieces)
}

/// Whether YARA-X treats `h` as a literal with masks
/// (`try_extract_literal_with_mask`): literals, fixed runs of any byte
/// and classes of a masked byte (`4?`, `?1`, `??`), concatenated.
fn masked_literal(h: &Hir) -> bool {
    match h.kind() {
        HirKind::Literal(_) => true,
        HirKind::Repetition(rep) => {
            rep.max == Some(rep.min) && any_byte(&rep.sub)
        }
        HirKind::Concat(subs) => subs.iter().all(masked_literal),
        HirKind::Capture(c) => masked_literal(&c.sub),
        HirKind::Class(Class::Bytes(c)) => {
            let (Some(lo), Some(hi)) = (c.ranges().first(), c.ranges().last())
            else {
                return false;
            };
            let (lo, hi) = (lo.start(), hi.end());
            let mut n = 0u32;
            for r in c.ranges() {
                if (r.start()..=r.end()).any(|b| b & lo != lo) {
                    return false;
                }
                n += u32::from(r.end() - r.start()) + 1;
            }
            1u32 << (lo ^ hi).count_ones() == n
        }
        _ => false,
    }
}

/// Where YARA-X's atom of a literal form lies (`best_atom_in_bytes`):
/// `(start, len)` of the first best window of up to [`ATOM_SIZE`] bytes.
pub(crate) fn literal_atom(bytes: &[u8]) -> (usize, usize) {
    let len = bytes.len().min(ATOM_SIZE);
    let mut best = (0, len);
    let mut best_q = i32::MIN;
    for start in 0..=bytes.len() - len {
        let q = window_quality(&bytes[start..start + len]);
        if q > best_q {
            best_q = q;
            best = (start, len);
        }
    }
    best
}

/// How many atoms YARA-X searches for the regex or hex pattern `h` and
/// the shortest one's length; `None` when one is empty (it then never
/// uses its Teddy search, see [`TeddyModel`](super::TeddyModel)).
pub(crate) fn regex_atom_stats(h: &Hir) -> Option<(u64, usize)> {
    let best = best_atoms(h)?;
    if best.paths.is_empty() || best.quality.min_len == 0 {
        return None;
    }
    Some((best.count as u64, best.quality.min_len))
}

/// Where YARA-X splits `h` at its atom, as an index into the units of
/// `hir::flatten(h)`, when its atom starts at a unit of the top-level
/// concatenation (`None` otherwise, e.g. atoms inside an alternation).
pub(crate) fn atom_split(h: &Hir) -> Option<usize> {
    let best = best_atoms(h)?;
    let [path] = best.paths.as_slice() else { return None };
    let HirKind::Concat(subs) = h.kind() else { return None };
    let units = |s: &Hir| {
        let mut v = Vec::new();
        super::hir::flatten(s, &mut v);
        v.len()
    };
    let before = |k: usize| subs.get(..k).map(|s| s.iter().map(units).sum());
    match path.as_slice() {
        [] => before(best.at),
        [k] => {
            let n: usize = before(*k)?;
            match subs.get(*k)?.kind() {
                HirKind::Literal(_) => Some(n + best.at),
                HirKind::Class(_) | HirKind::Repetition(_) => Some(n),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The atoms YARA-X picks for `h` (see the module docs).
fn best_atoms(h: &Hir) -> Option<Best> {
    let mut ex = Extractor::new();
    ex.limit_class(256)
        .limit_total(MAX_ATOMS)
        .limit_literal_len(ATOM_SIZE)
        .limit_repeat(ATOM_SIZE);
    let mut w = Walk {
        ex,
        depth: 0,
        zero_rep_depth: 0,
        counted: Vec::new(),
        stack: vec![Best::empty()],
        path: Vec::new(),
    };
    w.visit(h);
    w.stack.pop()
}

/// Rebuilds `h` (at `path`), widening repetitions that strictly contain
/// one of `targets`.
fn rewrite(
    h: &Hir,
    targets: &[Vec<usize>],
    path: &mut Vec<usize>,
    in_counted: bool,
    changed: &mut bool,
) -> Hir {
    let holds = |path: &[usize]| {
        targets.iter().any(|t| t.len() > path.len() && t.starts_with(path))
    };
    if !holds(path) {
        return h.clone();
    }
    let mut sub = |i: usize, s: &Hir, counted: bool, path: &mut Vec<usize>| {
        path.push(i);
        let r = rewrite(s, targets, path, counted, changed);
        path.pop();
        r
    };
    match h.kind() {
        HirKind::Concat(subs) => Hir::concat(
            subs.iter()
                .enumerate()
                .map(|(i, s)| sub(i, s, in_counted, path))
                .collect(),
        ),
        HirKind::Alternation(subs) => Hir::alternation(
            subs.iter()
                .enumerate()
                .map(|(i, s)| sub(i, s, in_counted, path))
                .collect(),
        ),
        HirKind::Capture(c) => {
            let inner = sub(0, &c.sub, in_counted, path);
            Hir::capture(regex_syntax::hir::Capture {
                index: c.index,
                name: c.name.clone(),
                sub: Box::new(inner),
            })
        }
        HirKind::Repetition(rep) => {
            let counted = !in_counted
                && rep.max.is_some_and(|max| {
                    rep.min > UNROLL_MAX || max > UNROLL_MAX
                });
            let inner = sub(0, &rep.sub, counted, path);
            let mut max = rep.max;
            if widened(rep, in_counted) {
                *changed = true;
                max = rep.max.map(|m| (2 * m).saturating_sub(rep.min));
            }
            Hir::repetition(Repetition {
                min: rep.min,
                max,
                greedy: rep.greedy,
                sub: Box::new(inner),
            })
        }
        _ => h.clone(),
    }
}

/// Widest any-byte gap (`max - min`) YARA-X keeps inside one regex; a
/// wider one splits it into a chain of pieces.
const CHAIN_GAP: u32 = 200;
/// Shortest piece YARA-X lets such a split produce.
const CHAIN_MIN_PIECE: usize = 2;

/// What YARA-X actually matches for a regex that ends with a wide gap
/// of any byte (`/A.A.*/s`, `/ab.{0,300}/s`): it splits regexes at such
/// gaps into chained pieces and, when nothing follows the last gap, drops
/// that gap, so `/A.A.*/s` reports `AxA` in `AxAxyz` (and `/ab.+/s`
/// matches a final `ab`). Follows its split: only top-level gaps count,
/// after some piece, and only when the piece before is at least
/// [`CHAIN_MIN_PIECE`] bytes long (otherwise the gap stays in).
/// Returns the regex without its dropped gap, if one is dropped.
pub(crate) fn trailing_gap_dropped(h: &Hir) -> Option<Hir> {
    let HirKind::Concat(items) = h.kind() else { return None };
    // Items since the last split, and where they start in `items`.
    let mut piece: Vec<Hir> = Vec::new();
    let mut dropped_at = None;
    for (i, item) in items.iter().enumerate() {
        dropped_at = None;
        if chain_gap(item) && !piece.is_empty() {
            let joined = Hir::concat(std::mem::take(&mut piece));
            let long_enough = joined
                .properties()
                .minimum_len()
                .is_some_and(|n| n >= CHAIN_MIN_PIECE);
            if long_enough {
                dropped_at = Some(i);
            } else {
                piece = vec![joined, item.clone()];
            }
        } else {
            piece.push(item.clone());
        }
    }
    let at = dropped_at?;
    Some(Hir::concat(items[..at].to_vec()))
}

/// Whether a top-level item is a gap of any byte wide enough for YARA-X
/// to split the regex there (when a piece precedes it).
fn chain_gap(item: &Hir) -> bool {
    match item.kind() {
        HirKind::Repetition(rep) => {
            rep.max.unwrap_or(u32::MAX).saturating_sub(rep.min) > CHAIN_GAP
                && any_byte(&rep.sub)
        }
        _ => false,
    }
}

/// Whether `h` is a class of all bytes, as YARA-X tests it.
fn any_byte(h: &Hir) -> bool {
    match h.kind() {
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .first()
            .is_some_and(|r| r.start() == 0 && r.end() == u8::MAX),
        _ => false,
    }
}

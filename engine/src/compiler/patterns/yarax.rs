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
//!
//! How many atoms YARA-X searches per pattern also matters (it picks its
//! Teddy search by their number, see `TeddyModel`), and there its
//! compiler takes other paths first: chain pieces, alternations of
//! literals, masked literals, and its fast VM for hex-like patterns,
//! whose atom is the best piece's ([`Analysis::atoms`]).

use std::cell::{OnceCell, RefCell};
use std::cmp::Ordering;
use std::collections::HashMap;

use regex_syntax::hir::literal::{Extractor, Literal, Seq};
use regex_syntax::hir::{Class, ClassBytes, Hir, HirKind, Repetition};

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
#[derive(Clone)]
struct Best {
    quality: Quality,
    count: usize,
    paths: Vec<Vec<usize>>,
    /// Where in its node the atom starts: the child of a concatenation,
    /// the byte of a literal (0 otherwise).
    at: usize,
    /// `at` per path.
    ats: Vec<usize>,
    /// The atoms themselves when they come from the root (the only node
    /// whose atoms can stay exact), empty otherwise.
    root_atoms: Vec<Atom>,
}

impl Best {
    fn empty() -> Best {
        Best {
            quality: Quality::worst(),
            count: 0,
            paths: Vec::new(),
            at: 0,
            ats: Vec::new(),
            root_atoms: Vec::new(),
        }
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
                        all.ats.extend(b.ats);
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
                let count = atoms.len();
                let root_atoms =
                    if self.depth == 0 { atoms } else { Vec::new() };
                *top = Best {
                    quality: q,
                    count,
                    paths: vec![self.path.clone()],
                    at,
                    ats: vec![at],
                    root_atoms,
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

/// The repeated element of the repetition YARA-X over-extends
/// ([`rep_quirk`]) when that repetition starts the pattern (after
/// look-arounds) and holds all of YARA-X's atoms (`/\b.{1,3}/`: `.`).
/// Each atom hit on a later copy then runs backward over the earlier
/// copies and reports their start again, the way [`atom_in_loop`]
/// describes for unbounded repetitions; with `ascii wide` that decides
/// which form's match an offset keeps (`RegexSub::rereport`).
pub(crate) fn leading_quirk_element(h: &Hir) -> Option<&Hir> {
    let best = best_atoms(h)?;
    if best.paths.is_empty() || best.quality.min_len == 0 {
        return None;
    }
    let (index, rep) = match h.kind() {
        HirKind::Repetition(rep) => (None, rep),
        HirKind::Concat(subs) => {
            let i = subs
                .iter()
                .position(|s| !matches!(s.kind(), HirKind::Look(_)))?;
            match subs[i].kind() {
                HirKind::Repetition(rep) => (Some(i), rep),
                _ => return None,
            }
        }
        _ => return None,
    };
    let inside = |p: &Vec<usize>| match index {
        Some(i) => p.len() >= 2 && p[0] == i,
        None => !p.is_empty(),
    };
    (widened(rep, false) && best.paths.iter().all(inside)).then_some(&*rep.sub)
}

/// Whether YARA-X 1.22 calls a literal slow (`is_slow_pattern_bytes`):
/// one byte, or only `00`, only `90` or only `FF` bytes.
pub(crate) fn slow_literal(bytes: &[u8]) -> bool {
    bytes.len() == 1
        || [0x00, 0x90, 0xff]
            .iter()
            .any(|&b| !bytes.is_empty() && bytes.iter().all(|&x| x == b))
}

/// Whether atoms are slow for YARA-X: none, one shorter than 2 bytes, or
/// more than 2,700 of exactly 2 bytes.
fn slow_atoms(s: Option<AtomStats>) -> bool {
    match s {
        None => true,
        Some(s) => s.min_len < 2 || (s.max_len == 2 && s.count > 2700),
    }
}

/// One hex or regex pattern judged as YARA-X judges it: its atoms
/// ([`Analysis::atoms`]) and whether it is slow ([`Analysis::slow`]),
/// the parts both need (the chain split, the masked-literal atoms, the
/// regex atoms: each a walk of the HIR) computed once.
pub(crate) struct Analysis<'h> {
    h: &'h Hir,
    chain: OnceCell<Option<Vec<Hir>>>,
    /// Per chain piece, its atoms.
    piece_atoms: OnceCell<Vec<Option<AtomStats>>>,
    masked: OnceCell<Option<AtomStats>>,
    regexp: OnceCell<Option<AtomStats>>,
}

impl<'h> Analysis<'h> {
    pub(crate) fn new(h: &'h Hir) -> Analysis<'h> {
        Analysis {
            h,
            chain: OnceCell::new(),
            piece_atoms: OnceCell::new(),
            masked: OnceCell::new(),
            regexp: OnceCell::new(),
        }
    }

    fn chain(&self) -> Option<&[Hir]> {
        self.chain.get_or_init(|| chain_pieces(self.h)).as_deref()
    }

    fn piece_atoms(&self) -> &[Option<AtomStats>] {
        self.piece_atoms.get_or_init(|| {
            let pieces = self.chain().unwrap_or_default();
            pieces
                .iter()
                .map(|p| match p.kind() {
                    HirKind::Literal(lit) => {
                        Some(AtomStats::one(literal_atom(&lit.0).1))
                    }
                    _ => regexp_atoms(p),
                })
                .collect()
        })
    }

    fn masked(&self) -> Option<AtomStats> {
        *self.masked.get_or_init(|| masked_literal_atoms(self.h))
    }

    fn regexp(&self) -> Option<AtomStats> {
        *self.regexp.get_or_init(|| regexp_atoms(self.h))
    }

    /// Whether YARA-X 1.22 warns that the pattern is slow (see
    /// [`slow_literal`] and [`slow_atoms`]). It follows YARA-X's
    /// compiler: a literal is judged by its bytes (when `literal_check`:
    /// not for `fullword`, and not when anchored, which the caller
    /// defers), an alternation of literals never, a pattern split at gaps
    /// wider than 200 bytes by each piece that is not a literal, a masked
    /// literal (when `maskable`: neither `nocase` nor `wide`) never, any
    /// other by its atoms.
    pub(crate) fn slow(&self, maskable: bool, literal_check: bool) -> bool {
        let h = self.h;
        if let HirKind::Literal(lit) = h.kind() {
            return literal_check && slow_literal(&lit.0);
        }
        if alternation_literal(h) {
            return false;
        }
        if let Some(pieces) = self.chain() {
            return pieces.iter().zip(self.piece_atoms()).any(|(p, s)| {
                !matches!(p.kind(), HirKind::Literal(_)) && slow_atoms(*s)
            });
        }
        if maskable && self.masked().is_some() {
            return false;
        }
        slow_atoms(self.regexp())
    }

    /// YARA-X's atoms of the pattern (its ascii form, case
    /// folded for `nocase`), following its compiler (`c_regexp_pattern`):
    /// pieces of a chain each by their own atoms (a literal by its best
    /// window), an alternation of literals one atom per literal, a masked
    /// literal (when `maskable`: neither `nocase` nor `wide`) by the mask
    /// combinations of its best masked window, any other by its regex
    /// compiler's atoms ([`regexp_atoms`]). `None` when one atom is empty or
    /// there is none (YARA-X then never uses Teddy, see
    /// [`TeddyModel`](super::TeddyModel)).
    pub(crate) fn atoms(&self, maskable: bool) -> Option<AtomStats> {
        if self.chain().is_some() {
            let mut all: Option<AtomStats> = None;
            for &s in self.piece_atoms() {
                let s = s?;
                all = Some(all.map_or(s, |a| a.add(s)));
            }
            return all.filter(|s| s.min_len > 0);
        }
        if let Some(lits) = alternation_literals(self.h) {
            let mut all: Option<AtomStats> = None;
            for l in lits {
                let s = AtomStats::one(literal_atom(l).1);
                all = Some(all.map_or(s, |a| a.add(s)));
            }
            return all.filter(|s| s.min_len > 0);
        }
        if maskable {
            if let Some(s) = self.masked() {
                return Some(s);
            }
        }
        self.regexp()
    }
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
    chain_split(h).map(|c| c.pieces)
}

/// A pattern split into pieces at wide gaps of any byte, matched as a
/// chain: piece `i + 1` starts `gaps[i]` bytes after piece `i` ends.
#[derive(Debug)]
pub(crate) struct ChainSplit {
    pub pieces: Vec<Hir>,
    /// `(min, max)` between consecutive pieces; `max` is `None` when
    /// unbounded. One fewer than the pieces.
    pub gaps: Vec<(u32, Option<u32>)>,
}

/// How YARA-X splits `h` into a chain (`split_at_large_gaps`): at each
/// top-level gap of any byte wider than [`CHAIN_GAP`] that follows a
/// piece at least [`CHAIN_MIN_PIECE`] bytes long (a shorter piece keeps
/// the gap inside), the last piece taking a too short tail along with
/// the gap before it. `None` when it is not split; a split into one
/// piece is returned as such.
pub(crate) fn chain_split(h: &Hir) -> Option<ChainSplit> {
    let HirKind::Concat(items) = h.kind() else { return None };
    let min_len = |v: &[Hir]| {
        Hir::concat(v.to_vec()).properties().minimum_len().unwrap_or(0)
    };
    let mut pieces: Vec<Hir> = Vec::new();
    let mut gaps = Vec::new();
    let mut chunk: Vec<Hir> = Vec::new();
    // The gap after the last piece, before `chunk`.
    let mut gap: Option<&Hir> = None;
    for item in items {
        if chain_gap(item) && !chunk.is_empty() {
            if min_len(&chunk) >= CHAIN_MIN_PIECE {
                if let Some(g) = gap {
                    gaps.push(gap_bounds(g));
                }
                pieces.push(Hir::concat(std::mem::take(&mut chunk)));
                gap = Some(item);
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
            if let Some(g) = gap {
                gaps.push(gap_bounds(g));
            }
            pieces.push(Hir::concat(chunk));
        } else if let (Some(last), Some(gap)) = (pieces.pop(), gap) {
            let mut joined = vec![last, gap.clone()];
            joined.extend(chunk);
            pieces.push(Hir::concat(joined));
        }
    }
    gaps.truncate(pieces.len().saturating_sub(1));
    Some(ChainSplit { pieces, gaps })
}

/// The bounds of a gap [`chain_gap`] accepts.
fn gap_bounds(item: &Hir) -> (u32, Option<u32>) {
    match item.kind() {
        HirKind::Repetition(rep) => (rep.min, rep.max),
        _ => (0, None),
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

/// Where YARA-X splits `h` at its atom, as an index into the units of
/// `hir::flatten(h)`, when its atom starts at a unit of the top-level
/// concatenation (`None` otherwise, e.g. atoms inside an alternation).
pub(crate) fn atom_split(h: &Hir) -> Option<usize> {
    let best = best_atoms(h)?;
    let [path] = best.paths.as_slice() else { return None };
    if !matches!(h.kind(), HirKind::Concat(_)) {
        return None;
    }
    split_at_path(h, path, best.at)
}

/// How many units `hir::flatten` cuts `h` into.
fn num_units(h: &Hir) -> usize {
    let mut v = Vec::new();
    super::hir::flatten(h, &mut v);
    v.len()
}

/// The unit of `hir::flatten(h)` where an atom found at `path` (from
/// `h`), `at` in its node, starts; `None` where that is not a unit
/// boundary.
fn split_at_path(h: &Hir, path: &[usize], at: usize) -> Option<usize> {
    let before = |subs: &[Hir], k: usize| {
        subs.get(..k).map(|s| s.iter().map(num_units).sum::<usize>())
    };
    let (n, mut node, inner) = match (h.kind(), path) {
        (HirKind::Concat(subs), []) => return before(subs, at),
        (HirKind::Concat(subs), [k, inner @ ..]) => {
            (before(subs, *k)?, subs.get(*k)?, inner)
        }
        (_, inner) => (0, h, inner),
    };
    // Groups are flattened away: follow the path through them. Into a
    // repetition too: an atom at the start of its first copy splits
    // YARA-X's code before the repetition (the forward code holds every
    // copy, see `rep_quirk`).
    let mut in_rep = false;
    for &i in inner {
        match node.kind() {
            HirKind::Capture(c) if i == 0 => node = &c.sub,
            HirKind::Repetition(r) if i == 0 => {
                in_rep = true;
                node = &r.sub;
            }
            _ => return None,
        }
    }
    match node.kind() {
        HirKind::Literal(_) if in_rep && at > 0 => None,
        HirKind::Literal(_) => Some(n + at),
        HirKind::Class(_)
        | HirKind::Repetition(_)
        | HirKind::Alternation(_)
        | HirKind::Capture(_) => Some(n),
        _ => None,
    }
}

/// Most branches [`branch_splits`] splits a regex into.
const MAX_BRANCH_SPLITS: usize = 16;

/// When YARA-X's atoms of `h` come from the branches of an alternation
/// at its top level (`/\wa(b{2}|b{0,2}\w?b+)/`), the regex with that
/// alternation replaced by each branch in turn and where YARA-X splits
/// it: each branch's atom carries its own forward and backward code,
/// so a match at one start can come from any branch whose atom is found
/// (with a greedy regex the longest stays), not only from the branch a
/// leftmost-first regex takes. A branch whose atoms YARA-X takes from
/// several places (a nested alternation) or from inside a unit has no
/// split (`None`). `None` when the atoms have one location, or are not
/// in the branches of one alternation at the top level.
pub(crate) fn branch_splits(h: &Hir) -> Option<Vec<(Hir, Option<usize>)>> {
    let best = best_atoms(h)?;
    if best.paths.len() < 2 || best.quality.min_len == 0 {
        return None;
    }
    let HirKind::Concat(subs) = h.kind() else { return None };
    let first = best.paths.first()?;
    let k = *first.first()?;
    let mut node = subs.get(k)?;
    let mut depth = 1;
    while let HirKind::Capture(c) = node.kind() {
        if first.get(depth) != Some(&0) {
            return None;
        }
        node = &c.sub;
        depth += 1;
    }
    let HirKind::Alternation(alts) = node.kind() else { return None };
    if alts.len() > MAX_BRANCH_SPLITS {
        return None;
    }
    let head: usize = subs[..k].iter().map(num_units).sum();
    // Per branch: the splits of its atoms' paths.
    let mut found: Vec<Vec<Option<usize>>> = vec![Vec::new(); alts.len()];
    for (p, &at) in best.paths.iter().zip(&best.ats) {
        if p.len() <= depth || p[..depth] != first[..depth] {
            return None;
        }
        let branch = alts.get(p[depth])?;
        let split = split_at_path(branch, &p[depth + 1..], at);
        found.get_mut(p[depth])?.push(split.map(|s| head + s));
    }
    let mut out = Vec::with_capacity(alts.len());
    for (branch, splits) in alts.iter().zip(found) {
        let first = *splits.first()?;
        let split = first.filter(|_| splits.iter().all(|&s| s == first));
        let mut parts = subs[..k].to_vec();
        parts.push(branch.clone());
        parts.extend_from_slice(&subs[k + 1..]);
        out.push((Hir::concat(parts), split));
    }
    Some(out)
}

thread_local! {
    /// The last pattern [`best_atoms`] walked and what it found: a regex
    /// asks for its atoms up to six times in a row (its atoms, whether
    /// they are empty, in a loop, exact, where they split it, the
    /// repetition quirk), each a walk that dominated compiling regex-heavy
    /// sets (82% of bartblaze's).
    static LAST_BEST: RefCell<Option<(Hir, Option<Best>)>> =
        const { RefCell::new(None) };
}

/// The atoms YARA-X picks for `h` (see the module docs).
fn best_atoms(h: &Hir) -> Option<Best> {
    let cached = LAST_BEST.with_borrow(|last| match last {
        Some((k, b)) if k == h => Some(b.clone()),
        _ => None,
    });
    if let Some(b) = cached {
        return b;
    }
    let b = walk_best_atoms(h);
    LAST_BEST.set(Some((h.clone(), b.clone())));
    b
}

fn walk_best_atoms(h: &Hir) -> Option<Best> {
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

/// How many atoms YARA-X searches for one form of a pattern, and the
/// lengths of the shortest and the longest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AtomStats {
    pub count: u64,
    pub min_len: usize,
    pub max_len: usize,
}

impl AtomStats {
    fn one(len: usize) -> AtomStats {
        AtomStats { count: 1, min_len: len, max_len: len }
    }

    fn add(self, o: AtomStats) -> AtomStats {
        AtomStats {
            count: self.count.saturating_add(o.count),
            min_len: self.min_len.min(o.min_len),
            max_len: self.max_len.max(o.max_len),
        }
    }

    /// The same atoms for the wide form (YARA-X widens each atom).
    pub fn wide(self) -> AtomStats {
        AtomStats {
            min_len: self.min_len * 2,
            max_len: self.max_len * 2,
            ..self
        }
    }
}

/// The literals of a literal or an alternation of literals (YARA-X's
/// `is_alternation_literal`, not a concatenation).
fn alternation_literals(h: &Hir) -> Option<Vec<&[u8]>> {
    if !alternation_literal(h) {
        return None;
    }
    let h = match h.kind() {
        HirKind::Capture(c) => &*c.sub,
        _ => h,
    };
    match h.kind() {
        HirKind::Literal(l) => Some(vec![&l.0[..]]),
        HirKind::Alternation(subs) => subs
            .iter()
            .map(|s| match s.kind() {
                HirKind::Literal(l) => Some(&l.0[..]),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Most atoms YARA-X derives from one masked atom before shortening it.
const MAX_MASK_COMBINATIONS: u64 = MAX_ATOMS as u64;

/// Atoms of a masked literal as YARA-X extracts them
/// (`try_extract_literal_with_mask`): its best masked window, shortened
/// while it has more than 16,384 combinations; `None` if `h` is no
/// masked literal or the window ends up empty.
fn masked_literal_atoms(h: &Hir) -> Option<AtomStats> {
    let (bytes, mask) = masked_literal_bytes(h)?;
    let (range, _) = best_range_in_masked_bytes(&bytes, &mask);
    let mut m = mask.get(range)?.to_vec();
    while combinations(&m) > MAX_MASK_COMBINATIONS {
        m.pop();
        while m.last() == Some(&0) {
            m.pop();
        }
    }
    if m.is_empty() {
        return None;
    }
    Some(AtomStats {
        count: combinations(&m),
        min_len: m.len(),
        max_len: m.len(),
    })
}

/// How many byte strings a mask admits.
fn combinations(mask: &[u8]) -> u64 {
    mask.iter()
        .map(|m| 1u64 << m.count_zeros())
        .fold(1u64, |a, b| a.saturating_mul(b))
}

/// The bytes and mask of `h` if YARA-X treats it as a literal with
/// masks: literals, fixed runs of any byte and classes of a masked byte
/// (`4?`, `?1`, `??`), concatenated.
fn masked_literal_bytes(h: &Hir) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut bytes = Vec::new();
    let mut mask = Vec::new();
    let mut stack = vec![h];
    while let Some(h) = stack.pop() {
        match h.kind() {
            HirKind::Literal(l) => {
                bytes.extend_from_slice(&l.0);
                mask.extend(std::iter::repeat_n(0xff, l.0.len()));
            }
            HirKind::Repetition(rep)
                if rep.max == Some(rep.min) && any_byte(&rep.sub) =>
            {
                let n = rep.min as usize;
                bytes.extend(std::iter::repeat_n(0, n));
                mask.extend(std::iter::repeat_n(0, n));
            }
            HirKind::Concat(subs) => stack.extend(subs.iter().rev()),
            HirKind::Capture(c) => stack.push(&c.sub),
            HirKind::Class(Class::Bytes(c)) => {
                let (value, m) = masked_byte(c)?;
                bytes.push(value);
                mask.push(m);
            }
            _ => return None,
        }
    }
    Some((bytes, mask))
}

/// A class of a masked byte (`4?`) as `(value, mask)`.
fn masked_byte(c: &ClassBytes) -> Option<(u8, u8)> {
    let lo = c.ranges().first()?.start();
    let hi = c.ranges().last()?.end();
    let mut n = 0u32;
    for r in c.ranges() {
        if lo != 0 && (r.start()..=r.end()).any(|b| b & lo != lo) {
            return None;
        }
        n += u32::from(r.end() - r.start()) + 1;
    }
    (1u32 << (lo ^ hi).count_ones() == n).then_some((lo, !(lo ^ hi)))
}

/// A class that is an alternation of masked bytes, one per range.
fn masked_bytes_alternation(c: &ClassBytes) -> Option<Vec<(u8, u8)>> {
    if c.ranges().is_empty() {
        return None;
    }
    c.ranges()
        .iter()
        .map(|r| {
            let neg = r.start() ^ r.end();
            let n = u32::from(r.end() - r.start()) + 1;
            (r.start() & r.end() == r.start() && 1u32 << neg.count_ones() == n)
                .then_some((r.start(), !neg))
        })
        .collect()
}

/// The atoms YARA-X's regex compiler gives `h`: its fast VM's when `h`
/// suits it ([`fast_atoms`]), else the general compiler's
/// ([`best_atoms`]); `None` when one is empty or there is none.
pub(crate) fn regexp_atoms(h: &Hir) -> Option<AtomStats> {
    if let Some(s) = fast_atoms(h) {
        return Some(s);
    }
    let best = best_atoms(h)?;
    if best.paths.is_empty() || best.quality.min_len == 0 {
        return None;
    }
    Some(AtomStats {
        count: best.count as u64,
        min_len: best.quality.min_len,
        max_len: best.quality.max_len,
    })
}

/// YARA-X's atoms of the regex `h` (as in [`Analysis::atoms`]) when some
/// of them are exact, with whether each is: it reports a hit of
/// an exact atom as a match of the atom's length without running the
/// regex. Exact atoms only come from the whole regex (its root node),
/// so all of its atoms then start where a match starts. `None` when
/// its compiler takes another path (chain pieces, alternation of
/// literals, masked literal, fast VM: their atoms are never exact here)
/// or no atom is exact.
pub(crate) fn exact_atoms(h: &Hir, maskable: bool) -> Option<Vec<Atom>> {
    if chain_pieces(h).is_some()
        || alternation_literal(h)
        || (maskable && masked_literal_atoms(h).is_some())
        || fast_atoms(h).is_some()
    {
        return None;
    }
    let best = best_atoms(h)?;
    if best.paths.is_empty() || best.quality.min_len == 0 {
        return None;
    }
    let atoms = best.root_atoms;
    atoms.iter().any(|a| a.1).then_some(atoms)
}

/// A piece of a pattern for YARA-X's fast VM: bytes with a mask (all
/// `FF` for a plain literal), an alternation of those, or a jump over
/// `min..=max` bytes (`None`: unbounded), `newline` when `\n` may be
/// among them. Also the program [`super::fastvm`] runs.
#[derive(Clone, Debug)]
pub(crate) enum FastPiece {
    Bytes(Vec<u8>, Vec<u8>),
    Alternation(Vec<(Vec<u8>, Vec<u8>)>),
    Jump { min: u32, max: Option<u32>, newline: bool },
}

/// Splits `h` into [`FastPiece`]s as YARA-X's `PatternSplitter` does;
/// `Err` when the fast VM cannot run it.
struct FastSplitter {
    bytes: Vec<u8>,
    mask: Vec<u8>,
    pieces: Vec<FastPiece>,
    alternatives: Vec<(Vec<u8>, Vec<u8>)>,
    in_alternation: bool,
    in_repetition: bool,
}

impl FastSplitter {
    fn new() -> FastSplitter {
        FastSplitter {
            bytes: Vec::new(),
            mask: Vec::new(),
            pieces: Vec::new(),
            alternatives: Vec::new(),
            in_alternation: false,
            in_repetition: false,
        }
    }

    fn finish_literal(&mut self) -> Option<(Vec<u8>, Vec<u8>)> {
        if !self.in_alternation && self.bytes.is_empty() {
            return None;
        }
        Some((std::mem::take(&mut self.bytes), std::mem::take(&mut self.mask)))
    }

    fn flush(&mut self) {
        if let Some((b, m)) = self.finish_literal() {
            self.pieces.push(FastPiece::Bytes(b, m));
        }
    }
}

/// Alternatives YARA-X allows in one alternation.
const MAX_ALTERNATIVES: usize = 255;

impl regex_syntax::hir::Visitor for FastSplitter {
    type Output = Vec<FastPiece>;
    type Err = ();

    fn finish(mut self) -> Result<Vec<FastPiece>, ()> {
        self.flush();
        Ok(self.pieces)
    }

    fn visit_pre(&mut self, h: &Hir) -> Result<(), ()> {
        match h.kind() {
            HirKind::Literal(l) => {
                self.bytes.extend_from_slice(&l.0);
                self.mask.extend(std::iter::repeat_n(0xff, l.0.len()));
            }
            HirKind::Class(_) if self.in_repetition => {}
            HirKind::Class(Class::Bytes(c)) => {
                if let Some((v, m)) = masked_byte(c) {
                    self.bytes.push(v);
                    self.mask.push(m);
                    return Ok(());
                }
                if self.in_alternation {
                    return Err(());
                }
                let alts = masked_bytes_alternation(c).ok_or(())?;
                self.flush();
                self.pieces.push(FastPiece::Alternation(
                    alts.into_iter()
                        .map(|(v, m)| (vec![v], vec![m]))
                        .collect(),
                ));
            }
            HirKind::Class(Class::Unicode(_)) | HirKind::Look(_) => {
                return Err(());
            }
            HirKind::Repetition(rep) => {
                if self.in_repetition || self.in_alternation {
                    return Err(());
                }
                let newline = any_byte(&rep.sub);
                if !newline && !any_byte_but_newline(&rep.sub) {
                    return Err(());
                }
                match rep.max {
                    Some(max) if max == rep.min && max <= 8 && newline => {
                        for _ in 0..max {
                            self.bytes.push(0);
                            self.mask.push(0);
                        }
                    }
                    max => {
                        self.flush();
                        self.pieces.push(FastPiece::Jump {
                            min: rep.min,
                            max,
                            newline,
                        });
                    }
                }
                self.in_repetition = true;
            }
            HirKind::Alternation(alts) => {
                if self.in_repetition || self.in_alternation {
                    return Err(());
                }
                if alts.len() > MAX_ALTERNATIVES {
                    return Err(());
                }
                self.flush();
                self.in_alternation = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_post(&mut self, h: &Hir) -> Result<(), ()> {
        match h.kind() {
            HirKind::Repetition(_) => self.in_repetition = false,
            HirKind::Alternation(_) => {
                if let Some(p) = self.finish_literal() {
                    self.alternatives.push(p);
                }
                let alts = std::mem::take(&mut self.alternatives);
                self.pieces.push(FastPiece::Alternation(alts));
                self.in_alternation = false;
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_alternation_in(&mut self) -> Result<(), ()> {
        if let Some(p) = self.finish_literal() {
            self.alternatives.push(p);
        }
        Ok(())
    }
}

/// Whether `h` is `.` without the `s` flag: every byte but `\n`.
fn any_byte_but_newline(h: &Hir) -> bool {
    match h.kind() {
        HirKind::Class(Class::Bytes(c)) => {
            let r = c.ranges();
            r.len() == 2
                && (r[0].start(), r[0].end()) == (0, 9)
                && (r[1].start(), r[1].end()) == (11, 255)
        }
        _ => false,
    }
}

/// Whether YARA-X takes a regex as greedy: its repetitions (all of one
/// kind, else it is refused) are greedy, fixed ones included.
pub(crate) fn greedy(h: &Hir) -> bool {
    match h.kind() {
        HirKind::Repetition(rep) => rep.greedy || greedy(&rep.sub),
        HirKind::Capture(c) => greedy(&c.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().any(greedy)
        }
        _ => false,
    }
}

/// Whether YARA-X compiles the regex `h` for its fast VM (not chained,
/// not an alternation of literals, and [`fast_atoms`] has atoms).
pub(crate) fn fast_vm(h: &Hir) -> bool {
    // A split into one piece (a short tail merged back) is not chained.
    chain_pieces(h).is_none_or(|p| p.len() < 2)
        && !alternation_literal(h)
        && fast_atoms(h).is_some()
}

/// A variable gap of any byte (`.{n,m}`, `.*`, `.+?`, with the `s` flag
/// or without) widened by one byte: what YARA-X's fast VM checks when
/// the gap is at either end of a pattern (`None` for other units). Its
/// jumps are made to be followed by a literal, so it looks one byte
/// beyond the gap, which must be in the data (and not `\n` without
/// `s`): `/.+Aa/` never starts at the first byte of the data, nor
/// `/Aa.{0,9}/` ends at the last.
pub(crate) fn widened_end_gap(u: &Hir) -> Option<Hir> {
    let HirKind::Repetition(rep) = u.kind() else { return None };
    if rep.max == Some(rep.min)
        || !(any_byte(&rep.sub) || any_byte_but_newline(&rep.sub))
    {
        return None;
    }
    Some(Hir::repetition(Repetition {
        min: rep.min.saturating_add(1),
        max: rep.max.map(|m| m.saturating_add(1)),
        greedy: rep.greedy,
        sub: rep.sub.clone(),
    }))
}

/// The atoms YARA-X's fast VM compiler picks for `h`, `None` when it
/// does not compile `h` (not hex-like, or its best atom is shorter than
/// 2 bytes, when YARA-X falls back to its general compiler): the piece
/// whose worst atom is best (first on ties), one atom per alternative,
/// a masked window standing for all its combinations.
fn fast_atoms(h: &Hir) -> Option<AtomStats> {
    let pieces = regex_syntax::hir::visit(h, FastSplitter::new()).ok()?;
    let (_, best) = best_fast_piece(&pieces)?;
    let mut out: Option<AtomStats> = None;
    for (count, len, _) in best {
        let s = AtomStats { count, min_len: len, max_len: len };
        out = Some(out.map_or(s, |a| a.add(s)));
    }
    out.filter(|s| s.min_len >= 2)
}

/// One atom of a fast-VM piece: its combinations (a masked atom stands
/// for several), length and quality.
type FastAtom = (u64, usize, i32);

/// The piece of `pieces` YARA-X's fast VM compiler takes its atoms from
/// (the one whose worst atom is best, first on ties) and its atoms.
fn best_fast_piece(pieces: &[FastPiece]) -> Option<(usize, Vec<FastAtom>)> {
    let piece_atoms = |(b, m): &(Vec<u8>, Vec<u8>)| {
        if m.iter().all(|&x| x == 0xff) {
            let (r, q) = best_range_in_bytes(b);
            (1, r.len(), q)
        } else {
            let (r, q) = best_range_in_masked_bytes(b, m);
            (combinations(&m[r.clone()]), r.len(), q)
        }
    };
    let mut best_q = i32::MIN;
    let mut best = None;
    for (i, p) in pieces.iter().enumerate() {
        let atoms: Vec<FastAtom> = match p {
            FastPiece::Bytes(b, m) => {
                vec![piece_atoms(&(b.clone(), m.clone()))]
            }
            FastPiece::Alternation(alts) => {
                alts.iter().map(piece_atoms).collect()
            }
            FastPiece::Jump { .. } => Vec::new(),
        };
        let q = atoms.iter().map(|a| a.2).min().unwrap_or(i32::MIN);
        if q > best_q {
            best_q = q;
            best = Some((i, atoms));
        }
    }
    best
}

/// `units` (a flattened pattern) as YARA-X's fast VM pieces, with the
/// index of the unit each piece starts at; `None` when a unit does not
/// suit the fast VM.
pub(crate) fn fast_pieces(units: &[Hir]) -> Option<Vec<(usize, FastPiece)>> {
    let mut out: Vec<(usize, FastPiece)> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let pieces = regex_syntax::hir::visit(u, FastSplitter::new()).ok()?;
        for p in pieces {
            match (out.last_mut(), p) {
                (
                    Some((_, FastPiece::Bytes(b, m))),
                    FastPiece::Bytes(nb, nm),
                ) => {
                    b.extend(nb);
                    m.extend(nm);
                }
                (_, p) => out.push((i, p)),
            }
        }
    }
    Some(out)
}

/// Where YARA-X's fast VM starts the forward code of `units` (a
/// pattern it runs on that VM, flattened): the units of its best piece,
/// when the order the VM tries things in can change the match it
/// reports from there on (an alternation after a variable jump, or
/// after an alternation of different lengths): its forward code then
/// tries each alternative at every position reached before the next
/// alternative, which a leftmost-first regex does not
/// (`{ 63 61 [2-20] ( 61 | 63 64 ) }` reports all of `ca..cd.....a`).
pub(crate) fn fast_forward_units(
    units: &[Hir],
) -> Option<std::ops::Range<usize>> {
    let pieces = fast_pieces(units)?;
    let only: Vec<FastPiece> = pieces.iter().map(|p| p.1.clone()).collect();
    let (best, atoms) = best_fast_piece(&only)?;
    if atoms.iter().any(|a| a.1 < 2) || !order_matters(&only[best..]) {
        return None;
    }
    let start = pieces[best].0;
    let end = pieces.get(best + 1).map_or(units.len(), |p| p.0);
    Some(start..end)
}

/// Whether an alternation follows something that leaves several
/// positions in `pieces`.
fn order_matters(pieces: &[FastPiece]) -> bool {
    let mut several = false;
    for p in pieces {
        match p {
            FastPiece::Bytes(..) => {}
            FastPiece::Jump { min, max, .. } => {
                several |= *max != Some(*min);
            }
            FastPiece::Alternation(alts) => {
                if several && alts.len() > 1 {
                    return true;
                }
                several |= alts.iter().any(|a| a.0.len() != alts[0].0.len());
            }
        }
    }
    false
}

/// YARA-X's `best_range_in_bytes`: the first best window of up to
/// [`ATOM_SIZE`] bytes and its quality.
fn best_range_in_bytes(bytes: &[u8]) -> (std::ops::Range<usize>, i32) {
    let mut best = (0..0, i32::MIN);
    for i in 0..=bytes.len().saturating_sub(ATOM_SIZE) {
        let r = i..bytes.len().min(i + ATOM_SIZE);
        let q = atom_quality(&bytes[r.clone()]);
        if q > best.1 {
            best = (r, q);
        }
    }
    best
}

/// YARA-X's quality of a masked byte on its own (without the bonus for
/// distinct bytes).
fn masked_byte_quality(byte: u8, mask: u8) -> i32 {
    match mask.count_zeros() as i32 {
        0 => match byte {
            0x20 | 0x90 | 0xcc | 0xff => 12,
            0x00 => 6,
            b'a'..=b'z' | b'A'..=b'Z' => 18,
            _ => 20,
        },
        8 => -13,
        zeros => 2 * (8 - zeros) - zeros,
    }
}

/// YARA-X's quality of a masked window.
fn masked_window_quality(bytes: &[u8], mask: &[u8]) -> i32 {
    let q: i32 =
        bytes.iter().zip(mask).map(|(&b, &m)| masked_byte_quality(b, m)).sum();
    // Distinct exact bytes (a window is short: compared pairwise).
    let exact = |i: usize| (mask[i] == 0xff).then_some(bytes[i]);
    let unique = (0..bytes.len().min(mask.len()))
        .filter(|&i| {
            exact(i).is_some_and(|b| (0..i).all(|j| exact(j) != Some(b)))
        })
        .count() as i32;
    if unique == 1 {
        match bytes.first() {
            Some(0x00 | 0x20 | 0x90 | 0xcc | 0xff) => q - 5,
            _ => q + 2,
        }
    } else {
        q + 2 * unique
    }
}

/// YARA-X's `best_range_in_masked_bytes`: per window size 1 to
/// [`ATOM_SIZE`], the first best window (or the whole, shorter, input),
/// then the best of those, the shorter on ties.
fn best_range_in_masked_bytes(
    bytes: &[u8],
    mask: &[u8],
) -> (std::ops::Range<usize>, i32) {
    let mut best: Option<(std::ops::Range<usize>, i32)> = None;
    for size in 1..=ATOM_SIZE {
        let found = if bytes.len() < size {
            if bytes.is_empty() {
                None
            } else {
                Some((0..bytes.len(), masked_window_quality(bytes, mask)))
            }
        } else {
            let mut f: Option<(std::ops::Range<usize>, i32)> = None;
            for i in 0..=bytes.len() - size {
                let q = masked_window_quality(
                    &bytes[i..i + size],
                    &mask[i..i + size],
                );
                if f.as_ref().is_none_or(|(_, bq)| q > *bq) {
                    f = Some((i..i + size, q));
                }
            }
            f
        };
        let Some((r, q)) = found else { continue };
        best = match best {
            None => Some((r, q)),
            Some((br, bq)) => {
                if q > bq || (q == bq && r.len() < br.len()) {
                    Some((r, q))
                } else {
                    Some((br, bq))
                }
            }
        };
    }
    best.unwrap_or((0..0, i32::MIN))
}

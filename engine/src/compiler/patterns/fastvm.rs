//! The forward half of YARA-X's fast VM, for the patterns whose match
//! depends on the order it tries things in ([`yarax::fast_forward_units`]).
//!
//! The VM keeps the positions reached so far in the order they were
//! first reached. A literal keeps those it matches at; a jump replaces
//! each position by every one it can land on, shortest first; an
//! alternation tries its first alternative at every position, then its
//! second at every position, and so on. The match reported is the
//! first position left at the end (the last for a greedy regex). The
//! VM looks at most [`SCAN_LIMIT`] bytes ahead.

use super::yarax::{self, FastPiece};

/// Bytes YARA-X's fast VM looks at from where it starts.
const SCAN_LIMIT: usize = 4096;

/// The program run forward from a hit: YARA-X's pieces from the split
/// on.
#[derive(Debug)]
pub(crate) struct FastForward {
    pieces: Box<[FastPiece]>,
    /// YARA-X takes the last match, not the first.
    pub(crate) greedy: bool,
}

/// Reusable buffers of [`FastForward::run`].
#[derive(Default)]
pub(crate) struct Scratch {
    cur: Vec<usize>,
    next: Vec<usize>,
    /// Per position (relative to the start): the step it was last
    /// inserted at, to keep the first insertion only.
    seen: Vec<u32>,
    step: u32,
}

impl Scratch {
    /// Inserts `pos` into `next` unless already there in this step.
    fn insert(&mut self, pos: usize) {
        match self.seen.get_mut(pos) {
            Some(s) if *s == self.step => {}
            Some(s) => {
                *s = self.step;
                self.next.push(pos);
            }
            // Past the input (an exact jump does not check): rare,
            // checked by hand.
            None => {
                if !self.next.contains(&pos) {
                    self.next.push(pos);
                }
            }
        }
    }

    /// Starts a new step: `next` becomes `cur`, `next` empties.
    fn advance(&mut self) {
        std::mem::swap(&mut self.cur, &mut self.next);
        self.next.clear();
        self.next_step();
    }

    /// A step number no entry of `seen` holds.
    fn next_step(&mut self) {
        self.step = self.step.wrapping_add(1);
        if self.step == 0 {
            self.seen.fill(0);
            self.step = 1;
        }
    }
}

impl FastForward {
    /// The program for the flattened part `units` of a pattern (from
    /// the split on), `None` when YARA-X's fast VM does not suit it.
    pub(crate) fn new(
        units: &[regex_syntax::hir::Hir],
        greedy: bool,
    ) -> Option<Self> {
        let pieces = yarax::fast_pieces(units)?;
        let pieces = pieces.into_iter().map(|p| p.1).collect();
        Some(FastForward { pieces, greedy })
    }

    /// The length of the match starting at `data[0]`, as YARA-X's fast
    /// VM reports it: the first position reached at the end, or the
    /// last when greedy.
    pub(crate) fn run(&self, data: &[u8], s: &mut Scratch) -> Option<usize> {
        let input = &data[..data.len().min(SCAN_LIMIT)];
        if s.seen.len() < input.len() + 1 {
            s.seen.resize(input.len() + 1, 0);
        }
        s.next.clear();
        s.next_step();
        s.insert(0);
        s.advance();
        for (i, piece) in self.pieces.iter().enumerate() {
            if s.cur.is_empty() {
                return None;
            }
            let cur = std::mem::take(&mut s.cur);
            match piece {
                FastPiece::Bytes(v, m) => {
                    for &p in &cur {
                        if p < input.len() && masked_eq(&input[p..], v, m) {
                            s.insert(p + v.len());
                        }
                    }
                }
                FastPiece::Alternation(alts) => {
                    for (v, m) in alts {
                        for &p in &cur {
                            if p < input.len() && masked_eq(&input[p..], v, m)
                            {
                                s.insert(p + v.len());
                            }
                        }
                    }
                }
                FastPiece::Jump { min, max, newline } => {
                    let min = *min as usize;
                    let next = self.pieces.get(i + 1);
                    let after = match next {
                        Some(FastPiece::Bytes(v, m))
                            if m.first() == Some(&0xff) =>
                        {
                            v.first().copied()
                        }
                        _ => None,
                    };
                    match *max {
                        Some(max) if max as usize == min => {
                            for &p in &cur {
                                let to = p + min;
                                if *newline
                                    || input
                                        .get(p..to)
                                        .is_some_and(|r| !r.contains(&b'\n'))
                                {
                                    s.insert(to);
                                }
                            }
                        }
                        max => {
                            let max = max.map_or(SCAN_LIMIT, |m| m as usize);
                            for &p in &cur {
                                if p < input.len() {
                                    jump(
                                        &input[p..],
                                        p,
                                        min,
                                        max,
                                        *newline,
                                        after,
                                        s,
                                    );
                                }
                            }
                        }
                    }
                }
            }
            s.cur = cur;
            s.cur.clear();
            s.advance();
        }
        match self.greedy {
            true => s.cur.last().copied(),
            false => s.cur.first().copied(),
        }
    }
}

/// Whether `input` starts with `v` under `m`.
fn masked_eq(input: &[u8], v: &[u8], m: &[u8]) -> bool {
    input.len() >= v.len()
        && input.iter().zip(v).zip(m).all(|((d, v), m)| d & m == v & m)
}

/// The positions a jump of `min..=max` bytes from `p` (`input` starts
/// there) lands on, as YARA-X's `jump_fwd`: never at the end of the
/// input, and, without `newline`, before the first `\n` from `p` on
/// (a `\n` where the next literal's first byte `after` is `\n` stays).
fn jump(
    input: &[u8],
    p: usize,
    min: usize,
    max: usize,
    newline: bool,
    after: Option<u8>,
    s: &mut Scratch,
) {
    let hi = input.len().min(max.saturating_add(1));
    if min >= hi {
        return;
    }
    if !newline && input[..min].contains(&b'\n') {
        return;
    }
    for (off, &b) in input[min..hi].iter().enumerate() {
        match after {
            Some(a) if b != a && (newline || b != b'\n') => continue,
            Some(a) if !newline && b == b'\n' && a != b'\n' => return,
            Some(_) => {}
            None if !newline && b == b'\n' => return,
            None => {}
        }
        s.insert(p + min + off);
    }
}

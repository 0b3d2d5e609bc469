//! The multi-pattern search over atoms.
//!
//! Two implementations behind one interface, chosen by
//! [`FinderKind`](super::FinderKind) so they can be measured against each
//! other:
//!
//! - [`Finder::Ac`]: the `aho-corasick` crate with overlapping semantics.
//! - [`Finder::Hash`]: since every atom is 1 to 4 bytes, each offset of
//!   the data that passes a filter is looked up directly: a 256-entry
//!   table for one-byte atoms, a 65 536-bit table for two-byte atoms, and
//!   exact open-addressing tables for three- and four-byte atoms. The
//!   filter ([`ShiftOr`]) is a shift-or over bucketed two-byte windows
//!   after Hyperscan's FDR: one table read per byte, no branch, eight
//!   offsets decided at a time. Hits come out by start offset. When the
//!   atoms are few (at most [`PACKED_MAX`]), a SIMD prefilter runs
//!   first: the `aho-corasick` crate's packed searcher (Teddy) finds the
//!   next offset where some atom starts, skipping the bytes between, and
//!   the tables are asked only there. Where candidates come too densely
//!   for that to pay, the filter loop takes over for a stretch of
//!   [`DENSE_STRETCH`] bytes. A single atom is searched with `memchr`'s
//!   `memmem` alone (one SIMD pass, no tables): one short pattern is
//!   its case, and it outruns Teddy there.

use aho_corasick::AhoCorasick;
use aho_corasick::packed::{self, MatchKind};
use memchr::memmem;

/// Most atoms searched with the packed prefilter (Teddy's own limit).
const PACKED_MAX: usize = 64;

/// The packed prefilter gives way to the table loop when it stops
/// [`DENSE_HITS`] times within `DENSE_HITS * DENSE_GAP` bytes...
const DENSE_HITS: usize = 64;
const DENSE_GAP: usize = 16;

/// ... for this many bytes, then it is tried again.
const DENSE_STRETCH: usize = 16 * 1024;

/// The atom search.
#[derive(Debug)]
pub(crate) enum Finder {
    Ac(AhoCorasick),
    Hash(Box<HashFinder>),
}

/// Direct tables over atoms of at most four bytes.
#[derive(Debug)]
pub(crate) struct HashFinder {
    /// Atom id + 1 of each one-byte atom, 0 if none.
    one: Box<[u32; 256]>,
    /// Which two-byte values are atoms (bit per value).
    two_bits: Box<[u64; 1024]>,
    /// Atom id + 1 per two-byte value.
    two_ids: Box<[u32]>,
    three: Table,
    four: Table,
    /// The filter in front of the exact tables.
    shift_or: ShiftOr,
    /// The SIMD prefilter, when the atoms are few and the CPU has it.
    packed: Option<packed::Searcher>,
    /// The searcher of the one atom, when there is exactly one: every
    /// offset it stops at is a hit, with no table to ask.
    single: Option<memmem::Finder<'static>>,
}

/// Entries of the shift-or filter's table: one per two-byte window.
const SHIFT_OR_SIZE: usize = 1 << 16;

/// Buckets of the shift-or filter: the bits of a byte.
const BUCKETS: usize = 8;

/// The filter in front of the exact tables, after Hyperscan's FDR: the
/// atoms are split into eight buckets, and an offset is a candidate for
/// a bucket when each of the two-byte windows at its first three
/// positions (as far as the atom is long) is a window some atom of that
/// bucket has at that position. One table read per byte of data, indexed
/// by the window there, gives for the three positions which
/// buckets have no atom with that window; shifted into place and OR-ed
/// over eight offsets at a time, the bytes still not all ones are the
/// candidates, and which buckets they passed tells which atom lengths to
/// look up. No branch per byte. The table (256 KB) stays in L2: measured
/// against the window hashed into 4K to 64K entries (L1-resident at the
/// small end), the false passes the hash adds cost more than the slower
/// reads (`benches/README.md`).
#[derive(Debug)]
struct ShiftOr {
    /// Per window: byte `2 - k` has bit `b` set when no atom of
    /// bucket `b` has this window at position `k` (`k` = 0, 1, 2). A
    /// bucket whose shortest atom has no window at a position has its
    /// bit clear there everywhere.
    table: Box<[u32; SHIFT_OR_SIZE]>,
    /// Per set of buckets an offset passed: the atom lengths those
    /// buckets hold (bit `len - 1`).
    kinds: [u8; 256],
}

/// The shift-or table's index for the window `lo hi`: the window itself.
#[inline(always)]
fn window_index(lo: u8, hi: u8) -> usize {
    usize::from(lo) | usize::from(hi) << 8
}

impl ShiftOr {
    fn new(atoms: &[Vec<u8>]) -> ShiftOr {
        // Atoms of one or two bytes, of three and of four go to buckets
        // of their own (a bucket's short atoms would let every offset
        // through at the positions they do not reach); each class gets
        // buckets in proportion to its atoms, and within a class, sorted
        // atoms are cut into runs of equal size, so a bucket's atoms
        // share prefixes.
        let class = |a: &[u8]| a.len().clamp(2, 4) - 2;
        let mut classes: [Vec<&[u8]>; 3] = Default::default();
        for a in atoms.iter().filter(|a| (1..=4).contains(&a.len())) {
            classes[class(a)].push(a);
        }
        let mut shares = [0usize; 3];
        for (c, atoms) in classes.iter().enumerate() {
            shares[c] = usize::from(!atoms.is_empty());
        }
        for _ in shares.iter().sum::<usize>()..BUCKETS {
            let most = (0..3)
                .filter(|&c| shares[c] > 0)
                .max_by_key(|&c| classes[c].len() / shares[c]);
            if let Some(c) = most {
                shares[c] += 1;
            }
        }
        let mut table = Box::new([0x00FF_FFFFu32; SHIFT_OR_SIZE]);
        // The fail bits no window sets: a bucket's at the positions its
        // shortest atom has no window at.
        let mut unconstrained = 0u32;
        let mut bucket_lens = [0u8; BUCKETS];
        let mut b = 0;
        for (c, atoms) in classes.iter_mut().enumerate() {
            atoms.sort_unstable();
            atoms.dedup();
            let per = atoms.len().div_ceil(shares[c].max(1)).max(1);
            for run in atoms.chunks(per) {
                let bit = 1u32 << b;
                let shortest = run.iter().map(|a| a.len()).min().unwrap_or(4);
                for k in shortest.saturating_sub(1).max(1)..3 {
                    unconstrained |= bit << (8 * (2 - k));
                }
                for a in run {
                    bucket_lens[b] |= 1 << (a.len() - 1);
                    if let [a0] = a[..] {
                        for hi in 0..=255 {
                            table[window_index(a0, hi)] &= !(bit << 16);
                        }
                    }
                    for (k, w) in a.windows(2).enumerate().take(3) {
                        table[window_index(w[0], w[1])] &=
                            !(bit << (8 * (2 - k)));
                    }
                }
                b += 1;
            }
        }
        for e in table.iter_mut() {
            *e &= !unconstrained;
        }
        let mut kinds = [0u8; 256];
        for (set, kind) in kinds.iter_mut().enumerate() {
            for (b, lens) in bucket_lens.iter().enumerate() {
                if set & (1 << b) != 0 {
                    *kind |= lens;
                }
            }
        }
        ShiftOr { table, kinds }
    }

    /// Every atom length there is (bit `len - 1`): the kinds of all
    /// buckets.
    #[inline(always)]
    fn all_lengths(&self) -> u8 {
        self.kinds[0xFF]
    }

    /// The buckets' fail bits of the window starting at `b[j]`, as a
    /// `u64`.
    #[inline(always)]
    fn reach(&self, b: &[u8; 9], j: usize) -> u64 {
        u64::from(self.table[window_index(b[j], b[j + 1])])
    }
}

/// An exact table of `(key, atom id)`.
#[derive(Debug)]
struct Table {
    /// Open addressing, power-of-two size; `id == u32::MAX` is empty.
    slots: Box<[(u32, u32)]>,
    mask: usize,
    /// `32 - log2(size)`: the hash's top bits pick the slot.
    shift: u32,
}

/// The slot of `key` in a table of `32 - shift` bits: Fibonacci hashing,
/// the top bits of the product, which depend on every byte of the key.
/// (The low bits would depend only on the key's low bytes, and atoms
/// that differ only in a later byte, such as the 256 variants of an atom
/// with an any-byte position, would share one chain.)
#[inline(always)]
fn slot(key: u32, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> shift) as usize
}

impl Table {
    fn new(entries: &[(u32, u32)]) -> Table {
        let size = (entries.len() * 2).next_power_of_two().max(2);
        let mut slots = vec![(0u32, u32::MAX); size].into_boxed_slice();
        let mask = size - 1;
        let shift = 32 - size.trailing_zeros();
        for &(key, id) in entries {
            let mut i = slot(key, shift);
            while slots[i].1 != u32::MAX {
                i = (i + 1) & mask;
            }
            slots[i] = (key, id);
        }
        Table { slots, mask, shift }
    }

    #[inline(always)]
    fn get(&self, key: u32) -> Option<u32> {
        let mut i = slot(key, self.shift);
        loop {
            let (k, id) = self.slots[i];
            if id == u32::MAX {
                return None;
            }
            if k == key {
                return Some(id);
            }
            i = (i + 1) & self.mask;
        }
    }
}

impl HashFinder {
    /// `None` if some atom is empty or longer than four bytes.
    pub fn new(atoms: &[Vec<u8>]) -> Option<HashFinder> {
        let mut one = Box::new([0u32; 256]);
        let mut two_bits = Box::new([0u64; 1024]);
        let mut two_ids = vec![0u32; 1 << 16].into_boxed_slice();
        let (mut threes, mut fours) = (Vec::new(), Vec::new());
        for (id, a) in atoms.iter().enumerate() {
            let id = u32::try_from(id).ok()?;
            match a[..] {
                [a0] => one[usize::from(a0)] = id + 1,
                [a0, a1] => {
                    let v = usize::from(u16::from_le_bytes([a0, a1]));
                    two_bits[v >> 6] |= 1 << (v & 63);
                    two_ids[v] = id + 1;
                }
                [a0, a1, a2] => {
                    threes.push((u32::from_le_bytes([a0, a1, a2, 0]), id))
                }
                [a0, a1, a2, a3] => {
                    fours.push((u32::from_le_bytes([a0, a1, a2, a3]), id))
                }
                _ => return None,
            }
        }
        let packed = if atoms.len() <= PACKED_MAX {
            packed::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .builder()
                .extend(atoms)
                .build()
        } else {
            None
        };
        let single = match atoms {
            [a] => Some(memmem::Finder::new(a).into_owned()),
            _ => None,
        };
        Some(HashFinder {
            packed,
            single,
            one,
            two_bits,
            two_ids,
            three: Table::new(&threes),
            four: Table::new(&fours),
            shift_or: ShiftOr::new(atoms),
        })
    }

    /// Whether the packed prefilter is in use.
    pub fn is_packed(&self) -> bool {
        self.packed.is_some()
    }

    /// Calls `f(atom id, start)` for every atom occurrence starting in
    /// `from..to`, by start offset.
    #[inline]
    pub fn find(
        &self,
        data: &[u8],
        from: usize,
        to: usize,
        mut f: impl FnMut(u32, usize),
    ) {
        let to = to.min(data.len());
        if let Some(s) = &self.single {
            return find_single(s, data, from, to, &mut f);
        }
        let Some(p) = &self.packed else {
            return self.find_tables(data, from, to, &mut f);
        };
        let mut i = from;
        while i < to {
            i = self.find_packed(p, data, i, to, &mut f);
            let next = i.saturating_add(DENSE_STRETCH).min(to);
            self.find_tables(data, i, next, &mut f);
            i = next;
        }
    }

    /// The prefilter's search from `from`: each offset it stops at is
    /// looked up in the tables. Returns `to` when done, or where it gave
    /// up because candidates came too densely.
    #[inline(always)]
    fn find_packed(
        &self,
        p: &packed::Searcher,
        data: &[u8],
        from: usize,
        to: usize,
        f: &mut impl FnMut(u32, usize),
    ) -> usize {
        // An atom starting before `to` ends at most three bytes later.
        let end = to.saturating_add(3).min(data.len());
        let (mut i, mut hits, mut since) = (from, 0, from);
        while i < to {
            let Some(m) = p.find_in(data, aho_corasick::Span::from(i..end))
            else {
                return to;
            };
            let at = m.start();
            if at >= to {
                return to;
            }
            self.check_at(data, at, self.shift_or.all_lengths(), f);
            i = at + 1;
            hits += 1;
            if hits == DENSE_HITS {
                if i - since < DENSE_HITS * DENSE_GAP {
                    return i;
                }
                (hits, since) = (0, i);
            }
        }
        to
    }

    /// The shift-or filter and the exact lookups over `from..to`.
    #[inline]
    fn find_tables(
        &self,
        data: &[u8],
        from: usize,
        to: usize,
        f: &mut impl FnMut(u32, usize),
    ) {
        let so = &self.shift_or;
        // A block at `base` reads `data[base..base + 9]` and completes
        // the offsets `base - 2 .. base + 6`; the fail bits of the next
        // two are carried over (at the start: fail, nothing before
        // `from` is reported).
        let mut base = from;
        let mut carry = 0xFFFFu64;
        while base.saturating_add(6) <= to {
            let Some(b) = data.get(base..base + 9) else { break };
            let Ok(b) = <&[u8; 9]>::try_from(b) else { break };
            let (t6, t7) = (so.reach(b, 6), so.reach(b, 7));
            let out = carry
                | so.reach(b, 0)
                | so.reach(b, 1) << 8
                | so.reach(b, 2) << 16
                | so.reach(b, 3) << 24
                | so.reach(b, 4) << 32
                | so.reach(b, 5) << 40
                | t6 << 48
                | t7 << 56;
            carry = (t6 >> 16) | (t7 >> 8);
            let mut pass = !out;
            while pass != 0 {
                let lane = pass.trailing_zeros() / 8;
                let buckets = (pass >> (8 * lane)) as u8;
                pass &= !(0xFF << (8 * lane));
                // (Lanes 0 and 1 of the first block never pass.)
                let at = (base + lane as usize).wrapping_sub(2);
                self.check_at(data, at, so.kinds[usize::from(buckets)], f);
            }
            base += 8;
        }
        for at in base.saturating_sub(2).max(from)..to {
            self.check_at(data, at, self.shift_or.all_lengths(), f);
        }
    }

    /// Prints how many offsets pass the shift-or filter.
    #[cfg(test)]
    pub fn debug_stats(&self, files: &[Vec<u8>]) {
        let (mut n, mut pass) = (0usize, 0usize);
        for d in files {
            n += d.len();
            for w in d.windows(4) {
                let so = &self.shift_or;
                let fail = so.table[window_index(w[0], w[1])] >> 16
                    | so.table[window_index(w[1], w[2])] >> 8
                    | so.table[window_index(w[2], w[3])];
                pass += usize::from(fail & 0xFF != 0xFF);
            }
        }
        println!("offsets {n}, shift-or filter passes {pass}");
    }

    /// Looks up the atoms of the lengths in `kind` (bit `len - 1`) that
    /// start at `at`.
    #[inline(always)]
    fn check_at(
        &self,
        data: &[u8],
        at: usize,
        kind: u8,
        f: &mut impl FnMut(u32, usize),
    ) {
        let Some(rest) = data.get(at..) else { return };
        let avail = rest.len().min(4);
        let mut b = [0u8; 4];
        b[..avail].copy_from_slice(&rest[..avail]);
        let w = u32::from_le_bytes(b);
        if kind & 1 != 0 && avail >= 1 {
            let id = self.one[(w & 0xFF) as usize];
            if id != 0 {
                f(id - 1, at);
            }
        }
        if kind & 2 != 0 && avail >= 2 {
            let v2 = (w & 0xFFFF) as usize;
            if self.two_bits[v2 >> 6] & (1 << (v2 & 63)) != 0 {
                let id = self.two_ids[v2];
                if id != 0 {
                    f(id - 1, at);
                }
            }
        }
        if kind & 4 != 0 && avail >= 3 {
            if let Some(id) = self.three.get(w & 0x00FF_FFFF) {
                f(id, at);
            }
        }
        if kind & 8 != 0 && avail >= 4 {
            if let Some(id) = self.four.get(w) {
                f(id, at);
            }
        }
    }
}

/// Every occurrence of the one atom `s` searches for that starts in
/// `from..to`, overlapping ones too (`memmem`'s own iterator skips
/// them), as atom 0. Kept out of line: inlined, it slowed the scan of
/// empty data, which never gets here, by 60% (code layout; measured
/// in `per_file/one-rule`, benches/README.md).
#[inline(never)]
fn find_single(
    s: &memmem::Finder<'_>,
    data: &[u8],
    from: usize,
    to: usize,
    f: &mut impl FnMut(u32, usize),
) {
    let len = s.needle().len();
    let end = to.saturating_add(len.saturating_sub(1)).min(data.len());
    let mut i = from;
    while let Some(hay) = data.get(i..end) {
        let Some(at) = s.find(hay) else { return };
        f(0, i + at);
        i += at + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_length_overlapping() {
        let atoms: Vec<Vec<u8>> = vec![
            b"a".to_vec(),
            b"ab".to_vec(),
            b"abc".to_vec(),
            b"bcd".to_vec(),
            b"abcd".to_vec(),
        ];
        let f = HashFinder::new(&atoms).unwrap();
        let mut hits = Vec::new();
        f.find(b"xabcd", 0, 5, |id, at| hits.push((id, at)));
        assert_eq!(hits, vec![(0, 1), (1, 1), (2, 1), (4, 1), (3, 2)]);
        hits.clear();
        f.find(b"abc", 0, 3, |id, at| hits.push((id, at)));
        assert_eq!(hits, vec![(0, 0), (1, 0), (2, 0)]);
    }

    /// Every occurrence of every atom starting in `from..to`, the naive
    /// way, sorted.
    fn naive(
        atoms: &[Vec<u8>],
        data: &[u8],
        from: usize,
        to: usize,
    ) -> Vec<(u32, usize)> {
        let mut out = Vec::new();
        for at in from..to.min(data.len()) {
            for (id, a) in atoms.iter().enumerate() {
                if data[at..].starts_with(a) {
                    out.push((id as u32, at));
                }
            }
        }
        out.sort();
        out
    }

    /// Data of `len` bytes, random, where every `sparse`-th piece on
    /// average is one of the atoms.
    fn data_with(atoms: &[Vec<u8>], len: usize, sparse: u32) -> Vec<u8> {
        let mut data = Vec::new();
        let mut x = 7u32;
        while data.len() < len {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            if (x >> 16) % sparse == 0 {
                let a = &atoms[(x >> 8) as usize % atoms.len()];
                data.extend_from_slice(a);
            } else {
                data.push((x >> 8) as u8);
            }
        }
        data
    }

    fn assert_finds_all(atoms: &[Vec<u8>], data: &[u8]) {
        let f = HashFinder::new(atoms).unwrap();
        let n = data.len();
        for (from, to) in [(0, n), (1, n - 1), (n / 3, 2 * n / 3), (5, 6)] {
            let mut hits = Vec::new();
            f.find(data, from, to, |id, at| hits.push((id, at)));
            let by_offset = hits.windows(2).all(|w| w[0].1 <= w[1].1);
            assert!(by_offset, "hits out of order");
            hits.sort();
            assert_eq!(hits, naive(atoms, data, from, to), "{from}..{to}");
        }
    }

    /// With few atoms the packed prefilter runs first (where the CPU has
    /// it); sparse and dense hits (the dense ones hand over to the table
    /// loop) give exactly the naive search's hits, in any range.
    #[test]
    fn packed_prefilter_keeps_every_hit() {
        let atoms: Vec<Vec<u8>> = vec![
            b"ab".to_vec(),
            b"abc".to_vec(),
            b"bcd".to_vec(),
            b"abcd".to_vec(),
            b"\x00\xff".to_vec(),
            b"zq\x01".to_vec(),
            b"Q".to_vec(),
        ];
        if cfg!(target_arch = "x86_64") {
            assert!(HashFinder::new(&atoms).unwrap().is_packed());
        }
        for sparse in [2, 7, 500] {
            let data = data_with(&atoms, 100_000, sparse);
            assert_finds_all(&atoms, &data);
        }
        // Many atoms: the tables alone.
        let many: Vec<Vec<u8>> = (0..200u32)
            .map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes().to_vec())
            .collect();
        assert!(!HashFinder::new(&many).unwrap().is_packed());
        assert_finds_all(&many, &data_with(&many, 50_000, 20));
    }

    /// One atom of each length, searched by `memmem` alone: every hit,
    /// overlapping ones too (`aa` in `aaaa`), in any range, at the data's
    /// ends and in data shorter than the atom.
    #[test]
    fn single_atom_keeps_every_hit() {
        for atom in [&b"a"[..], b"aa", b"aba", b"abab", b"\x00\xff"] {
            let atoms = vec![atom.to_vec()];
            let f = HashFinder::new(&atoms).unwrap();
            assert!(f.single.is_some());
            let mut data = data_with(&atoms, 2000, 3);
            data.extend_from_slice(b"aaaaababab");
            for len in [0, 1, 2, 3, 4, 7, 100, data.len()] {
                let data = &data[..len];
                for from in 0..5.min(len + 1) {
                    for cut in 0..5.min(len + 1 - from) {
                        let to = len - cut;
                        let mut hits = Vec::new();
                        f.find(data, from, to, |id, at| hits.push((id, at)));
                        let want = naive(&atoms, data, from, to);
                        assert_eq!(hits, want, "{len}: {from}..{to}");
                    }
                }
            }
        }
    }

    /// Many atoms of every length (more than the packed prefilter takes)
    /// go through the shift-or filter: every hit of a naive search comes
    /// out, whatever the alignment of the range against the filter's
    /// blocks of eight offsets, the data's end, or data shorter than one
    /// block.
    #[test]
    fn shift_or_filter_keeps_every_hit() {
        let mut atoms: Vec<Vec<u8>> = (0..300u32)
            .map(|i| {
                let b = i.wrapping_mul(2_654_435_761).to_le_bytes();
                b[..1 + (i as usize % 7).min(3)].to_vec()
            })
            .collect();
        atoms.sort();
        atoms.dedup();
        let f = HashFinder::new(&atoms).unwrap();
        assert!(!f.is_packed());
        let data = data_with(&atoms, 3000, 3);
        for len in [0, 1, 2, 5, 8, 9, 10, 17, 100, 3000] {
            let data = &data[..len];
            for from in 0..10.min(len + 1) {
                for cut in 0..10.min(len + 1 - from) {
                    let to = len - cut;
                    let mut hits = Vec::new();
                    f.find(data, from, to, |id, at| hits.push((id, at)));
                    assert!(hits.windows(2).all(|w| w[0].1 <= w[1].1));
                    hits.sort();
                    let want = naive(&atoms, data, from, to);
                    assert_eq!(hits, want, "{len}: {from}..{to}");
                }
            }
        }
    }

    /// Without one-byte atoms; every hit of a naive search still comes
    /// out, over more than one block.
    #[test]
    fn prefix_filter_keeps_every_hit() {
        let atoms: Vec<Vec<u8>> = vec![
            b"ab".to_vec(),
            b"abc".to_vec(),
            b"bcd".to_vec(),
            b"abcd".to_vec(),
            b"\x00\xff".to_vec(),
            b"zq\x01".to_vec(),
        ];
        let f = HashFinder::new(&atoms).unwrap();
        let mut data = Vec::new();
        let mut x = 7u32;
        while data.len() < 3 * 1024 + 5 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            match (x >> 16) % 7 {
                0 => data.extend_from_slice(b"abcd"),
                1 => data.extend_from_slice(b"zq\x01"),
                2 => data.extend_from_slice(b"\x00\xff"),
                _ => data.push((x >> 8) as u8),
            }
        }
        let mut expected = Vec::new();
        for at in 0..data.len() {
            for (id, a) in atoms.iter().enumerate() {
                if data[at..].starts_with(a) {
                    expected.push((id as u32, at));
                }
            }
        }
        let mut hits = Vec::new();
        f.find(&data, 0, data.len(), |id, at| hits.push((id, at)));
        hits.sort();
        expected.sort();
        assert_eq!(hits, expected);
    }
}

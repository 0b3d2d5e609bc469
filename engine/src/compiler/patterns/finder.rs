//! The multi-pattern search over atoms.
//!
//! Two implementations behind one interface, chosen by
//! [`FinderKind`](super::FinderKind) so they can be measured against each
//! other:
//!
//! - [`Finder::Ac`]: the `aho-corasick` crate with overlapping semantics.
//! - [`Finder::Hash`]: since every atom is 1 to 4 bytes, each offset of
//!   the data is looked up directly: a 256-entry table for one-byte atoms,
//!   a 65 536-bit table for two-byte atoms, and for three- and four-byte
//!   atoms a hashed bitmap filter (a few percent dense, L1/L2 resident)
//!   followed by an exact open-addressing table. One unaligned 32-bit load
//!   and a few table reads per byte, no state machine. Hits come out by
//!   start offset. When the atoms are few (at most [`PACKED_MAX`]), a
//!   SIMD prefilter runs first: the `aho-corasick` crate's packed
//!   searcher (Teddy) finds the next offset where some atom starts,
//!   skipping the bytes between, and the tables are asked only there.
//!   Where candidates come too densely for that to pay, the table loop
//!   takes over for a stretch of [`DENSE_STRETCH`] bytes.

use aho_corasick::AhoCorasick;
use aho_corasick::packed::{self, MatchKind};

/// Bits of the hashed filters of 3- and 4-byte atoms.
const FILTER_BITS: u32 = 20;

/// Words of a hashed filter.
const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);

/// Offsets filtered before the exact lookups.
const BLOCK: usize = 1024;

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
    has_one: bool,
    /// Which two-byte values are atoms (bit per value).
    two_bits: Box<[u64; 1024]>,
    /// Atom id + 1 per two-byte value.
    two_ids: Box<[u32]>,
    has_two: bool,
    /// One hashed filter over the two-, three- and four-byte atoms (keys
    /// of different lengths kept apart by a tag in the unused high byte):
    /// most offsets stop at it. It stays in L1.
    filter: Box<[u64; FILTER_WORDS]>,
    /// A smaller filter for the three-byte atoms (usually few), with a
    /// cheaper hash (shifts, no multiply).
    small: Box<[u64; SMALL_WORDS]>,
    three: Table,
    four: Table,
    /// Which two-byte values begin some atom of two to four bytes (bit
    /// per value, 8 KB, L1-resident): without one-byte atoms, offsets
    /// whose first two bytes miss it stop after one load, no hashing.
    prefix2: Box<[u64; 1024]>,
    /// The SIMD prefilter, when the atoms are few and the CPU has it.
    packed: Option<packed::Searcher>,
}

/// Bits of the filter of three-byte atoms.
const SMALL_BITS: u32 = 16;
const SMALL_WORDS: usize = 1 << (SMALL_BITS - 6);

/// The small filter's bit for a three-byte key.
#[inline(always)]
fn small_bit(key: u32) -> usize {
    let k = key & 0x00FF_FFFF;
    ((k ^ (k >> 9) ^ (k >> 17)) & ((1 << SMALL_BITS) - 1)) as usize
}

#[inline(always)]
fn small_test(small: &[u64; SMALL_WORDS], w: u32) -> bool {
    let bit = small_bit(w);
    small[(bit >> 6) & (SMALL_WORDS - 1)] & (1 << (bit & 63)) != 0
}

/// The filter key of the two-byte atom at the start of `w`.
#[inline(always)]
fn key2(w: u32) -> u32 {
    (w & 0xFFFF) | 0x5A00_0000
}

/// The filter key of the three-byte atom at the start of `w`.
#[inline(always)]
fn key3(w: u32) -> u32 {
    (w & 0x00FF_FFFF) | 0xA500_0000
}

/// Which filter bit a key sets: the top bits of a 64-bit multiplicative
/// hash.
#[inline(always)]
fn filter_bit(key: u32) -> usize {
    (u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FILTER_BITS))
        as usize
}

#[inline(always)]
fn filter_test(filter: &[u64; FILTER_WORDS], key: u32) -> bool {
    let bit = filter_bit(key);
    filter[(bit >> 6) & (FILTER_WORDS - 1)] & (1 << (bit & 63)) != 0
}

/// An exact table of `(key, atom id)`.
#[derive(Debug)]
struct Table {
    /// Open addressing, power-of-two size; `id == u32::MAX` is empty.
    slots: Box<[(u32, u32)]>,
    mask: usize,
    len: usize,
}

#[inline(always)]
fn hash(key: u32) -> u32 {
    // (for the exact tables)
    key.wrapping_mul(0x9E37_79B1)
}

impl Table {
    fn new(entries: &[(u32, u32)]) -> Table {
        let size = (entries.len() * 2).next_power_of_two().max(2);
        let mut slots = vec![(0u32, u32::MAX); size].into_boxed_slice();
        let mask = size - 1;
        for &(key, id) in entries {
            let mut i = hash(key) as usize & mask;
            while slots[i].1 != u32::MAX {
                i = (i + 1) & mask;
            }
            slots[i] = (key, id);
        }
        Table { slots, mask, len: entries.len() }
    }

    #[inline(always)]
    fn get(&self, key: u32) -> Option<u32> {
        let mut i = hash(key) as usize & self.mask;
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
        let mut filter = Box::new([0u64; FILTER_WORDS]);
        let mut small = Box::new([0u64; SMALL_WORDS]);
        let mut two_ids = vec![0u32; 1 << 16].into_boxed_slice();
        let mut prefix2 = Box::new([0u64; 1024]);
        let (mut threes, mut fours) = (Vec::new(), Vec::new());
        let (mut has_one, mut has_two) = (false, false);
        for (id, a) in atoms.iter().enumerate() {
            let id = u32::try_from(id).ok()?;
            let key = match a.len() {
                2 => Some(key2(u32::from_le_bytes([a[0], a[1], 0, 0]))),
                3 => Some(key3(u32::from_le_bytes([a[0], a[1], a[2], 0]))),
                4 => Some(u32::from_le_bytes([a[0], a[1], a[2], a[3]])),
                _ => None,
            };
            match (a.len(), key) {
                (4, Some(key)) => {
                    let bit = filter_bit(key);
                    filter[(bit >> 6) & (FILTER_WORDS - 1)] |= 1 << (bit & 63);
                }
                (3, Some(key)) => {
                    let bit = small_bit(key);
                    small[(bit >> 6) & (SMALL_WORDS - 1)] |= 1 << (bit & 63);
                }
                _ => {}
            }
            if let [b0, b1, ..] = a[..] {
                let v = usize::from(u16::from_le_bytes([b0, b1]));
                prefix2[v >> 6] |= 1 << (v & 63);
            }
            match a.len() {
                1 => {
                    one[a[0] as usize] = id + 1;
                    has_one = true;
                }
                2 => {
                    let v = usize::from(u16::from_le_bytes([a[0], a[1]]));
                    two_bits[v >> 6] |= 1 << (v & 63);
                    two_ids[v] = id + 1;
                    has_two = true;
                }
                3 => threes
                    .push((u32::from_le_bytes([a[0], a[1], a[2], 0]), id)),
                4 => fours
                    .push((u32::from_le_bytes([a[0], a[1], a[2], a[3]]), id)),
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
        Some(HashFinder {
            packed,
            one,
            has_one,
            two_bits,
            two_ids,
            has_two,
            filter,
            small,
            three: Table::new(&threes),
            four: Table::new(&fours),
            prefix2,
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
        let (has3, has4) = (self.three.len > 0, self.four.len > 0);
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
            let mut b = [0u8; 4];
            let avail = (data.len() - at).min(4);
            b[..avail].copy_from_slice(&data[at..at + avail]);
            self.check(u32::from_le_bytes(b), avail, at, has3, has4, f);
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

    /// The table loop over `from..to`.
    #[inline]
    fn find_tables(
        &self,
        data: &[u8],
        from: usize,
        to: usize,
        mut f: impl FnMut(u32, usize),
    ) {
        // Offsets with four bytes available take the fast path.
        let fast_end = to.min(data.len().saturating_sub(3));
        let (has3, has4) = (self.three.len > 0, self.four.len > 0);
        let has2 = self.has_two;
        let mut i = from;
        // First a branch-free pass over a block records the offsets that
        // pass any filter, then only those are looked up exactly.
        let mut cand = [0u16; BLOCK];
        let mut kinds = [0u8; BLOCK];
        while i < fast_end {
            let end = (i + BLOCK).min(fast_end);
            let Some(block) = data.get(i..end + 3) else { break };
            let n = match (self.has_one, has2, has3) {
                (false, false, false) => self
                    .filter_block::<false, false, false>(
                        block, &mut cand, &mut kinds,
                    ),
                (false, false, true) => self
                    .filter_block::<false, false, true>(
                        block, &mut cand, &mut kinds,
                    ),
                (false, true, false) => self
                    .filter_block::<false, true, false>(
                        block, &mut cand, &mut kinds,
                    ),
                (false, true, true) => self.filter_block::<false, true, true>(
                    block, &mut cand, &mut kinds,
                ),
                _ => self.filter_block::<true, true, true>(
                    block, &mut cand, &mut kinds,
                ),
            };
            for (&k, &kind) in cand[..n].iter().zip(&kinds[..n]) {
                let at = i + usize::from(k);
                let w = u32::from_le_bytes([
                    data[at],
                    data[at + 1],
                    data[at + 2],
                    data[at + 3],
                ]);
                self.check(w, 4, at, kind & 4 != 0, kind & 8 != 0, &mut f);
            }
            i = end;
        }
        while i < to {
            let mut b = [0u8; 4];
            let avail = (data.len() - i).min(4);
            b[..avail].copy_from_slice(&data[i..i + avail]);
            let w = u32::from_le_bytes(b);
            self.check(w, avail, i, has3, has4, &mut f);
            i += 1;
        }
    }

    /// Prints how many offsets pass the hashed filter.
    #[cfg(test)]
    pub fn debug_stats(&self, files: &[Vec<u8>]) {
        let (mut n, mut p) = (0usize, [0usize; 3]);
        for d in files {
            for w in d.windows(4) {
                n += 1;
                let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                let v2 = (w & 0xFFFF) as usize;
                p[0] += usize::from(
                    self.two_bits[v2 >> 6] & (1 << (v2 & 63)) != 0,
                );
                p[1] += usize::from(small_test(&self.small, w));
                p[2] += usize::from(filter_test(&self.filter, w));
            }
        }
        println!("offsets {n}, filter passes (2, 3, 4 bytes) {p:?}");
    }

    /// The filter pass over one block (`block.len() - 3` offsets): the
    /// offsets that pass and which filters they passed (bit 0: one byte,
    /// 1: two, 2: three, 3: four). Specialised on the atom lengths
    /// present so the common loop is short.
    #[inline(always)]
    fn filter_block<const ONE: bool, const TWO: bool, const THREE: bool>(
        &self,
        block: &[u8],
        cand: &mut [u16; BLOCK],
        kinds: &mut [u8; BLOCK],
    ) -> usize {
        let mut n = 0;
        for (k, win) in block.windows(4).enumerate() {
            let w = u32::from_le_bytes([win[0], win[1], win[2], win[3]]);
            if !ONE {
                let v2 = (w & 0xFFFF) as usize;
                if self.prefix2[v2 >> 6] & (1 << (v2 & 63)) == 0 {
                    continue;
                }
            }
            let mut kind = u8::from(filter_test(&self.filter, w)) << 3;
            if ONE {
                kind |= u8::from(self.one[(w & 0xFF) as usize] != 0);
            }
            if TWO {
                let v2 = (w & 0xFFFF) as usize;
                kind |=
                    u8::from(self.two_bits[v2 >> 6] & (1 << (v2 & 63)) != 0)
                        << 1;
            }
            if THREE {
                kind |= u8::from(small_test(&self.small, w)) << 2;
            }
            cand[n & (BLOCK - 1)] = k as u16;
            kinds[n & (BLOCK - 1)] = kind;
            n += usize::from(kind != 0);
        }
        n.min(BLOCK)
    }

    #[inline(always)]
    fn check(
        &self,
        w: u32,
        avail: usize,
        i: usize,
        has3: bool,
        has4: bool,
        f: &mut impl FnMut(u32, usize),
    ) {
        if self.has_one {
            let id = self.one[(w & 0xFF) as usize];
            if id != 0 {
                f(id - 1, i);
            }
        }
        if avail < 2 {
            return;
        }
        if self.has_two {
            let v2 = (w & 0xFFFF) as usize;
            if self.two_bits[v2 >> 6] & (1 << (v2 & 63)) != 0 {
                let id = self.two_ids[v2];
                if id != 0 {
                    f(id - 1, i);
                }
            }
        }
        if has3 && avail >= 3 {
            if let Some(id) = self.three.get(w & 0x00FF_FFFF) {
                f(id, i);
            }
        }
        if has4 && avail >= 4 {
            if let Some(id) = self.four.get(w) {
                f(id, i);
            }
        }
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

    /// Without one-byte atoms the filter pass first looks at the two-byte
    /// prefix bitmap; every hit of a naive search still comes out, over
    /// more than one block.
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
        while data.len() < 3 * BLOCK + 5 {
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

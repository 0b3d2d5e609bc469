//! Atoms: the short literals fed to the multi-pattern automaton.
//!
//! Every pattern is found through a few atoms of at most [`ATOM_LEN`]
//! bytes, taken from wherever in the pattern they are most selective; an
//! atom hit is then verified in place. The quality of an atom is the sum of
//! the quality of its bytes: bytes common in binaries (0x00, 0xFF, 0x20,
//! 0x90, 0xCC) are worth little, letters a bit less than other bytes, and
//! alternatives (a case-insensitive letter, a masked nibble) cost their
//! logarithm. Repeating the same byte is penalised.

/// Longest atom.
pub(crate) const ATOM_LEN: usize = 4;

/// Most alternatives (product of per-position choices) an atom may expand
/// to.
pub(crate) const MAX_VARIANTS: usize = 64;

/// Most alternatives of an atom with one position that matches any byte
/// (a hex `??` between fixed bytes, as in `89 ?? 03`): the other positions
/// must then be single bytes. Such an atom is as selective as its fixed
/// bytes, which beats a shorter run of them alone.
pub(crate) const MAX_WILD_VARIANTS: usize = EVERY_BYTE;

/// Size of the byte set of a position that matches any byte.
pub(crate) const EVERY_BYTE: usize = 256;

/// Quality of one byte of an atom.
fn byte_quality(b: u8) -> i32 {
    match b {
        0x00 | 0xFF | 0x20 | 0x90 | 0xCC => 6,
        // Very frequent in x86 code (REX.W, mov, lea, jcc/call, push).
        0x48 | 0x89 | 0x8B | 0x8D | 0x0F | 0xE8 | 0x83 | 0x24 | 0x44
        | 0x4C | 0x85 | 0xC0 => 14,
        b'a'..=b'z' | b'A'..=b'Z' => 18,
        _ => 20,
    }
}

/// The quality of the worst byte of a set (0 for none).
fn worst_quality(set: &[u8]) -> i32 {
    set.iter().map(|&b| byte_quality(b)).min().unwrap_or(0)
}

/// Quality of an atom given its per-position alternatives.
pub(crate) fn quality(positions: &[&[u8]]) -> i32 {
    quality_by(positions, |i| worst_quality(positions[i]))
}

/// [`quality`], with the worst byte quality of position `i` given by
/// `worst(i)` (computed once per unit by [`best_run`]).
fn quality_by(positions: &[&[u8]], worst: impl Fn(usize) -> i32) -> i32 {
    let mut q = 0;
    for (i, set) in positions.iter().enumerate() {
        let worst = worst(i);
        // log2 of the number of alternatives, rounded up.
        let n = set.len().max(1);
        let bits = usize::BITS - (n - 1).leading_zeros();
        let mut bq = worst - 4 * bits as i32;
        if set.len() == 1
            && i > 0
            && positions[i - 1].len() == 1
            && positions[i - 1][0] == set[0]
        {
            bq /= 2;
        }
        q += bq.max(1);
    }
    q
}

/// The best window of a literal: `(start, len, quality)`.
pub(crate) fn best_literal_window(
    lit: &[u8],
    nocase: bool,
) -> (usize, usize, i32) {
    let len = lit.len().min(ATOM_LEN);
    let mut best = (0, len);
    let mut best_q = i32::MIN;
    let mut sets: Vec<Vec<u8>> = Vec::with_capacity(len);
    for start in 0..=lit.len() - len {
        sets.clear();
        for &b in &lit[start..start + len] {
            if nocase && b.is_ascii_alphabetic() {
                sets.push(vec![
                    b.to_ascii_lowercase(),
                    b.to_ascii_uppercase(),
                ]);
            } else {
                sets.push(vec![b]);
            }
        }
        let refs: Vec<&[u8]> = sets.iter().map(|s| s.as_slice()).collect();
        let q = quality(&refs);
        if q > best_q {
            best_q = q;
            best = (start, len);
        }
    }
    (best.0, best.1, best_q)
}

/// Every byte string obtained by picking one byte per position.
pub(crate) fn expand(positions: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![Vec::new()];
    for set in positions {
        let mut next = Vec::with_capacity(out.len() * set.len());
        for prefix in &out {
            for &b in set {
                let mut v = prefix.clone();
                v.push(b);
                next.push(v);
            }
        }
        out = next;
    }
    out
}

/// Case variants of a literal window (letters in both cases).
pub(crate) fn case_variants(window: &[u8]) -> Vec<Vec<u8>> {
    let sets: Vec<Vec<u8>> = window
        .iter()
        .map(|&b| {
            if b.is_ascii_alphabetic() {
                vec![b.to_ascii_lowercase(), b.to_ascii_uppercase()]
            } else {
                vec![b]
            }
        })
        .collect();
    expand(&sets)
}

/// The best run of one-byte elements in a flattened sequence: `(start,
/// per-position byte sets, quality)`, where the product of the set sizes
/// stays within [`MAX_VARIANTS`], or within [`MAX_WILD_VARIANTS`] when one
/// set is every byte. A set of every byte is never at either end.
pub(crate) fn best_run(
    units: &[Option<Vec<u8>>],
) -> Option<(usize, Vec<Vec<u8>>, i32)> {
    // `(start, len, quality)` of the best run so far.
    let mut best: Option<(usize, usize, i32)> = None;
    let worst: Vec<i32> =
        units.iter().map(|u| u.as_deref().map_or(0, worst_quality)).collect();
    let mut refs: Vec<&[u8]> = Vec::with_capacity(ATOM_LEN);
    for start in 0..units.len() {
        refs.clear();
        let mut variants = 1usize;
        // Whether the run holds a position of every byte; then every
        // other position must be a single byte.
        let mut wild = false;
        for u in units[start..].iter().take(ATOM_LEN) {
            let Some(set) = u else { break };
            let v = variants.saturating_mul(set.len());
            let every = set.len() == EVERY_BYTE;
            let limit =
                if every || wild { MAX_WILD_VARIANTS } else { MAX_VARIANTS };
            if v > limit {
                break;
            }
            variants = v;
            wild |= every;
            refs.push(set);
        }
        // A unit matching any byte adds nothing at either end.
        while refs.last().is_some_and(|s| s.len() == EVERY_BYTE) {
            refs.pop();
        }
        if refs.first().is_none_or(|s| s.len() == EVERY_BYTE) {
            continue;
        }
        let q = quality_by(&refs, |i| worst[start + i]);
        if best.is_none_or(|b| q > b.2) {
            best = Some((start, refs.len(), q));
        }
    }
    let (start, len, q) = best?;
    let sets = units[start..start + len]
        .iter()
        .map(|u| u.clone().unwrap_or_default())
        .collect();
    Some((start, sets, q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_bytes_win() {
        let w = best_literal_window(b"\x00\x00\x00\x00\x00abcd\x00", false);
        assert_eq!((w.0, w.1), (5, 4));
        let w = best_literal_window(b"ab", false);
        assert_eq!((w.0, w.1), (0, 2));
    }

    #[test]
    fn one_inner_wildcard() {
        let any: Vec<u8> = (0..=255).collect();
        let b = |x: u8| Some(vec![x]);
        // `8B ?? 31 ?? 03 ?? 8B`: the wildcard between two rare bytes.
        let units = [
            b(0x8B),
            Some(any.clone()),
            b(0x31),
            Some(any.clone()),
            b(0x03),
            Some(any.clone()),
            b(0x8B),
        ];
        let (start, sets, _) = best_run(&units).unwrap();
        assert_eq!((start, sets.len()), (2, 3));
        assert_eq!(expand(&sets).len(), 256);
        // Never two wildcards, nor a wildcard with other alternatives.
        let units = [b(0x31), Some(any.clone()), Some(any.clone()), b(0x03)];
        assert_eq!(best_run(&units).unwrap().1.len(), 1);
        let units = [Some(vec![1, 2]), Some(any.clone()), b(0x03)];
        assert_eq!(best_run(&units).unwrap().1.len(), 1);
        // A wildcard at an end adds nothing.
        let units = [Some(any), b(0x31)];
        assert_eq!(best_run(&units).unwrap(), (1, vec![vec![0x31]], 20));
    }

    #[test]
    fn variants() {
        assert_eq!(case_variants(b"a1").len(), 2);
        assert_eq!(expand(&[vec![1, 2], vec![3, 4]]).len(), 4);
    }
}

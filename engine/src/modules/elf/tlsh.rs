//! TLSH (Trend Micro's locality-sensitive hash) as `elf.telfhash()`
//! needs it: 128 buckets, a one-byte checksum, version 4 (`T1` prefix),
//! with YARA-X's quartiles.
//!
//! The digest: every 5-byte window of the data adds one to six buckets
//! chosen by Pearson hashes of byte triples; the first 128 buckets are
//! then coded in two bits each by which quartile of their counts they
//! fall in, after a header of checksum, a log-scale length and two
//! quartile ratios.
//!
//! YARA-X's TLSH finds the quartiles by quickselect and, unlike the
//! reference implementation, gives 0 for the first (third) quartile when
//! no pivot of the search for the median landed at or above (at or
//! below) its position. [`quartiles`] reproduces that, as telfhash must
//! agree with YARA-X's digests.

use std::fmt::Write as _;

/// Pearson's permutation of the bytes, as TLSH defines it.
const PERMUTATION: [u8; 256] = [
    1, 87, 49, 12, 176, 178, 102, 166, 121, 193, 6, 84, 249, 230, 44, 163, 14,
    197, 213, 181, 161, 85, 218, 80, 64, 239, 24, 226, 236, 142, 38, 200, 110,
    177, 104, 103, 141, 253, 255, 50, 77, 101, 81, 18, 45, 96, 31, 222, 25,
    107, 190, 70, 86, 237, 240, 34, 72, 242, 20, 214, 244, 227, 149, 235, 97,
    234, 57, 22, 60, 250, 82, 175, 208, 5, 127, 199, 111, 62, 135, 248, 174,
    169, 211, 58, 66, 154, 106, 195, 245, 171, 17, 187, 182, 179, 0, 243, 132,
    56, 148, 75, 128, 133, 158, 100, 130, 126, 91, 13, 153, 246, 216, 219,
    119, 68, 223, 78, 83, 88, 201, 99, 122, 11, 92, 32, 136, 114, 52, 10, 138,
    30, 48, 183, 156, 35, 61, 26, 143, 74, 251, 94, 129, 162, 63, 152, 170, 7,
    115, 167, 241, 206, 3, 150, 55, 59, 151, 220, 90, 53, 23, 131, 125, 173,
    15, 238, 79, 95, 89, 16, 105, 137, 225, 224, 217, 160, 37, 123, 118, 73,
    2, 157, 46, 116, 9, 145, 134, 228, 207, 212, 202, 215, 69, 229, 27, 188,
    67, 124, 168, 252, 42, 4, 29, 108, 21, 247, 19, 205, 39, 203, 233, 40,
    186, 147, 198, 192, 155, 33, 164, 191, 98, 204, 165, 180, 117, 76, 140,
    36, 210, 172, 41, 54, 159, 8, 185, 232, 113, 196, 231, 47, 146, 120, 51,
    65, 28, 144, 254, 221, 93, 189, 194, 139, 112, 43, 71, 109, 184, 209,
];

/// The buckets the digest codes (of 256 counted).
const CODED: usize = 128;

/// The shortest data with a digest.
const MIN_LEN: usize = 50;

fn pearson(salt: u8, a: u8, b: u8, c: u8) -> u8 {
    [salt, a, b, c].iter().fold(0u8, |h, &x| PERMUTATION[usize::from(h ^ x)])
}

/// The TLSH digest of `data` (72 characters, upper-case hex after
/// `T1`), or `None` when the data is shorter than 50 bytes, too long for
/// the length code, or too uniform (a third quartile of 0).
pub(crate) fn digest(data: &[u8]) -> Option<String> {
    if data.len() < MIN_LEN {
        return None;
    }
    let mut buckets = [0u32; 256];
    let mut checksum = 0u8;
    for w in data.windows(5) {
        // w[4] is the newest byte, w[0] the oldest.
        let [b4, b3, b2, b1, b0] = [w[0], w[1], w[2], w[3], w[4]];
        checksum = pearson(0, b0, b1, checksum);
        for (salt, x, y) in
            [(2, b1, b2), (3, b1, b3), (5, b2, b3), (7, b2, b4), (11, b1, b4)]
                .into_iter()
                .chain([(13, b3, b4)])
        {
            let i = pearson(salt, b0, x, y);
            buckets[usize::from(i)] =
                buckets[usize::from(i)].saturating_add(1);
        }
    }
    let (q1, q2, q3) = quartiles(&buckets[..CODED]);
    if q3 == 0 {
        return None;
    }
    let length = length_code(data.len())?;
    let ratio = |q: u32| ((u64::from(q) * 100 / u64::from(q3)) % 16) as u8;
    let mut code = [0u8; CODED / 4];
    for (byte, quad) in code.iter_mut().zip(buckets[..CODED].chunks(4)) {
        for (j, &count) in quad.iter().enumerate() {
            let level = if count > q3 {
                3
            } else if count > q2 {
                2
            } else if count > q1 {
                1
            } else {
                0
            };
            *byte |= level << (2 * j);
        }
    }
    let swap = |b: u8| b.rotate_left(4);
    let mut out = String::with_capacity(72);
    out.push_str("T1");
    let _ = write!(out, "{:02X}", swap(checksum));
    let _ = write!(out, "{:02X}", swap(length));
    let _ = write!(out, "{:02X}", ratio(q1) << 4 | ratio(q2));
    for b in code.iter().rev() {
        let _ = write!(out, "{b:02X}");
    }
    Some(out)
}

/// The largest length of each length code, as TLSH tabulates it (about
/// 1.5, then 1.3, then 1.1 times the one before; its closed formula
/// drifts from the table past 190 kB, and YARA-X uses the table).
const LENGTH_TOPS: [u64; 170] = [
    1, 2, 3, 5, 7, 11, 17, 25, 38, 57, 86, 129, 194, 291, 437, 656, 854, 1110,
    1443, 1876, 2439, 3171, 3475, 3823, 4205, 4626, 5088, 5597, 6157, 6772,
    7450, 8195, 9014, 9916, 10907, 11998, 13198, 14518, 15970, 17567, 19323,
    21256, 23382, 25720, 28292, 31121, 34233, 37656, 41422, 45564, 50121,
    55133, 60646, 66711, 73382, 80721, 88793, 97672, 107439, 118183, 130002,
    143002, 157302, 173032, 190335, 209369, 230306, 253337, 278670, 306538,
    337191, 370911, 408002, 448802, 493682, 543050, 597356, 657091, 722800,
    795081, 874589, 962048, 1058252, 1164078, 1280486, 1408534, 1549388,
    1704327, 1874759, 2062236, 2268459, 2495305, 2744836, 3019320, 3321252,
    3653374, 4018711, 4420582, 4862641, 5348905, 5883796, 6472176, 7119394,
    7831333, 8614467, 9475909, 10423501, 11465851, 12612437, 13873681,
    15261050, 16787154, 18465870, 20312458, 22343706, 24578077, 27035886,
    29739474, 32713425, 35984770, 39583245, 43541573, 47895730, 52685306,
    57953837, 63749221, 70124148, 77136564, 84850228, 93335252, 102668779,
    112935659, 124229227, 136652151, 150317384, 165349128, 181884040,
    200072456, 220079703, 242087671, 266296456, 292926096, 322218735,
    354440623, 389884688, 428873168, 471760495, 518936559, 570830240,
    627913311, 690704607, 759775136, 835752671, 919327967, 1011260767,
    1112386880, 1223623232, 1345985727, 1480584256, 1628642751, 1791507135,
    1970657856, 2167723648, 2384496256, 2622945920, 2885240448, 3173764736,
    3491141248, 3840255616, 4224281216,
];

/// The log-scale length code: the smallest `i` with `len <=
/// LENGTH_TOPS[i]`.
fn length_code(len: usize) -> Option<u8> {
    let len = u64::try_from(len).ok()?;
    let code = LENGTH_TOPS.partition_point(|&top| top < len);
    u8::try_from(code).ok().filter(|&c| usize::from(c) < LENGTH_TOPS.len())
}

/// YARA-X's quartiles of `counts` (see the module docs): the values at
/// sorted positions n/4-1, n/2-1 and 3n/4-1, with the first and third
/// replaced by 0 when its quickselect never narrowed towards them.
fn quartiles(counts: &[u32]) -> (u32, u32, u32) {
    let n = counts.len();
    let (p1, p2, p3) = (n / 4 - 1, n / 2 - 1, 3 * n / 4 - 1);
    let mut work = counts.to_vec();
    let (mut lo, mut hi) = (0, n - 1);
    let (mut low_seen, mut high_seen) = (false, false);
    loop {
        let pivot = partition(&mut work, lo, hi);
        if pivot > p2 {
            high_seen |= pivot <= p3;
            hi = pivot - 1;
        } else if pivot < p2 {
            low_seen |= pivot >= p1;
            lo = pivot + 1;
        } else {
            break;
        }
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let q1 = if low_seen { sorted[p1] } else { 0 };
    let q3 = if high_seen { sorted[p3] } else { 0 };
    (q1, sorted[p2], q3)
}

/// Lomuto partition of `v[lo..=hi]` around its middle element: returns
/// the element's final position (smaller elements before it).
fn partition(v: &mut [u32], lo: usize, hi: usize) -> usize {
    if lo >= hi {
        return lo;
    }
    if lo + 1 == hi {
        if v[lo] > v[hi] {
            v.swap(lo, hi);
        }
        return lo;
    }
    let mid = (lo + hi) / 2;
    let value = v[mid];
    v.swap(mid, hi);
    let mut store = lo;
    for i in lo..hi {
        if v[i] < value {
            v.swap(i, store);
            store += 1;
        }
    }
    v.swap(store, hi);
    store
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TLSH's own test strings: `prefix` over `A…Z` repeated, `len`
    /// bytes in all, the last one NUL.
    fn tlsh_test_string(prefix: &str, len: usize) -> Vec<u8> {
        let mut s: Vec<u8> =
            (0..len - 1).map(|i| b'A' + (i % 26) as u8).collect();
        s.push(0);
        s[..prefix.len()].copy_from_slice(prefix.as_bytes());
        s
    }

    #[test]
    fn digests_of_tlsh_test_strings() {
        let cases = [
            (
                "This is a test for Lili Diao. This is a string. Hello Hello Hello ",
                512,
                "T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E68114448",
            ),
            (
                "This is a test for Jon Oliver. This is a string. Hello Hello Hello ",
                1024,
                "T1301124198C869A5A4F0F9380A9AE92F2B9278F42089EA34272885F0FB2D34E6911444C",
            ),
        ];
        for (prefix, len, want) in cases {
            let got = digest(&tlsh_test_string(prefix, len));
            assert_eq!(got.as_deref(), Some(want), "{prefix}");
        }
    }

    #[test]
    fn short_or_uniform_data_has_no_digest() {
        assert_eq!(digest(&[b'a'; 49]), None);
        assert_eq!(digest(&[0u8; 1000]), None);
    }

    #[test]
    fn length_codes_follow_tlsh_table() {
        // A few entries of TLSH's table of the largest length per code.
        for (len, code) in [(1, 0), (3, 2), (656, 15), (657, 16), (190336, 65)]
        {
            assert_eq!(length_code(len), Some(code), "{len}");
        }
    }
}

//! `base64` and `base64wide`, as YARA-X does them.
//!
//! A string `s` inside base64 text shows up as one of three encodings,
//! depending on its offset modulo 3 in the encoded data: those of `s`,
//! `X+s` and `XX+s`, with the characters influenced by the unknown
//! neighbours trimmed from both ends. Those three trimmed strings are
//! searched as literals. A hit is confirmed by decoding the surrounding
//! base64 text (a few characters more on each side, as many as the
//! padding needs) with a strict decoder (no padding inside, zero trailing
//! bits) and comparing the decoded bytes with `s`: no false positive from
//! a partial decode.

/// The standard alphabet.
pub(crate) const STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// An alphabet ready to encode and decode.
#[derive(Clone, Debug)]
pub(crate) struct Alphabet {
    enc: [u8; 64],
    /// 0xFF for bytes outside the alphabet.
    dec: [u8; 256],
}

impl Alphabet {
    /// `None` if `chars` is not 64 distinct bytes.
    pub fn new(chars: &[u8]) -> Option<Alphabet> {
        let enc: [u8; 64] = chars.try_into().ok()?;
        let mut dec = [0xFFu8; 256];
        for (i, &c) in enc.iter().enumerate() {
            if dec[c as usize] != 0xFF || c == b'=' {
                return None;
            }
            dec[c as usize] = i as u8;
        }
        Some(Alphabet { enc, dec })
    }

    /// The 64 characters, in order.
    pub fn chars(&self) -> &[u8; 64] {
        &self.enc
    }

    /// Encodes without padding.
    pub fn encode(&self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4);
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16)
                | (u32::from(b[1]) << 8)
                | u32::from(b[2]);
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(self.enc[((n >> (18 - 6 * i)) & 63) as usize]);
            }
        }
        out
    }

    /// Strict decoding into `out`: every character in the alphabet, a
    /// length that is not 1 modulo 4, zero trailing bits.
    pub fn decode_into(&self, text: &[u8], out: &mut Vec<u8>) -> bool {
        out.clear();
        if text.len() % 4 == 1 {
            return false;
        }
        for chunk in text.chunks(4) {
            let mut n = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                let v = self.dec[c as usize];
                if v == 0xFF {
                    return false;
                }
                n |= u32::from(v) << (18 - 6 * i);
            }
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            let keep = chunk.len() - 1;
            // Bits below the last kept byte must be zero.
            let extra = match keep {
                1 => n & 0xFFFF,
                2 => n & 0xFF,
                _ => 0,
            };
            if extra != 0 {
                return false;
            }
            out.extend_from_slice(&bytes[..keep]);
        }
        true
    }
}

/// The three searched strings for `s`: `(padding, trimmed encoding)`.
pub(crate) fn patterns(s: &[u8], alphabet: &Alphabet) -> Vec<(u8, Vec<u8>)> {
    let mut padded = b"XX".to_vec();
    padded.extend_from_slice(s);
    let mut out = Vec::with_capacity(3);
    for i in 0..=2usize {
        let p = &padded[i..];
        let enc = alphabet.encode(p);
        let right_trim = usize::from(p.len() % 3 != 0);
        let left = [3, 2, 0][i];
        let end = enc.len().saturating_sub(right_trim);
        if left < end {
            out.push(((2 - i) as u8, enc[left..end].to_vec()));
        }
    }
    out
}

/// Confirms a hit of the trimmed encoding of `plain` at `start`; returns
/// the match range as YARA-X reports it.
pub(crate) fn verify(
    plain: &[u8],
    data: &[u8],
    padding: u8,
    start: usize,
    alphabet: &Alphabet,
    wide: bool,
    scratch: &mut (Vec<u8>, Vec<u8>),
) -> Option<(usize, usize)> {
    let len = plain.len().div_ceil(3) * 4 - (3 - plain.len() % 3) % 3;
    let (mut delta, mut dlen, mut mlen) = match (padding, len % 4) {
        (0, 0) => (0, len, len),
        (0, 2) => (0, len + 2, len - 1),
        (0, 3) => (0, len + 1, len - 1),
        (1, 0) => (2, len + 4, len - 1),
        (1, 2) => (2, len + 2, len - 2),
        (1, 3) => (2, len + 1, len - 1),
        (2, 0) => (3, len + 4, len - 1),
        (2, 2) => (3, len + 2, len - 1),
        (2, 3) => (3, len + 5, len - 1),
        _ => return None,
    };
    if wide {
        delta *= 2;
        dlen *= 2;
        mlen *= 2;
    }
    let dstart = start.checked_sub(delta)?;
    let dend = dstart.saturating_add(dlen).min(data.len());
    let region = data.get(dstart..dend)?;
    let (text, decoded) = scratch;
    text.clear();
    let encoded: &[u8] = if wide {
        for (i, &b) in region.iter().enumerate() {
            if i % 2 == 0 {
                if b != b'=' {
                    text.push(b);
                }
            } else if b != 0 {
                return None;
            }
        }
        text
    } else if let Some(r) = region.strip_suffix(b"==") {
        r
    } else if let Some(r) = region.strip_suffix(b"=") {
        r
    } else {
        region
    };
    if !alphabet.decode_into(encoded, decoded) {
        return None;
    }
    let p = usize::from(padding);
    if decoded.get(p..p + plain.len())? == plain {
        Some((start, mlen))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_patterns() {
        let a = Alphabet::new(STANDARD).unwrap();
        let p = patterns(b"foobar", &a);
        let p: Vec<(u8, &[u8])> =
            p.iter().map(|(n, s)| (*n, s.as_slice())).collect();
        assert_eq!(
            p,
            vec![
                (2, &b"mb29iYX"[..]),
                (1, &b"Zvb2Jhc"[..]),
                (0, &b"Zm9vYmFy"[..])
            ]
        );
        let p = patterns(b"fo", &a);
        assert_eq!(p[0].1, b"mb");
        assert_eq!(p[1].1, b"Zv");
        assert_eq!(p[2].1, b"Zm");
    }

    #[test]
    fn strict_decode() {
        let a = Alphabet::new(STANDARD).unwrap();
        let mut out = Vec::new();
        assert!(a.decode_into(b"Zm9vYmFy", &mut out));
        assert_eq!(out, b"foobar");
        assert!(a.decode_into(b"Zm9vYg", &mut out));
        assert_eq!(out, b"foob");
        assert!(!a.decode_into(b"Zm9vYh", &mut out));
        assert!(!a.decode_into(b"Zm9vY", &mut out));
    }
}

//! Arbitrary bytes as a compiled rule database: `Rules::load` refuses
//! them or loads them, and loaded rules scan a small buffer safely.
//!
//! Each input is tried twice: as it is (header and digest checks), and
//! with its SHA-256 appended as the digest, so that mutations of a
//! serialized database (the seeds are `Rules::serialize` output without
//! the digest) reach the section parsers and validation behind it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use sigscan_fuzz::scan_limited;

const DATA: &[u8] = b"MZ\x90\x00abcAB1 abc\x00a\x00b\x00c\x00xyz qqq cXF4 \
    \x7fELF\x02\x01\x01 aaaaaaaaaaaabbbbbbbcccc 0123456789";

fuzz_target!(|data: &[u8]| {
    if let Ok(rules) = sigscan::Rules::load(data) {
        scan_limited(&rules, DATA);
    }
    let mut db = data.to_vec();
    db.extend_from_slice(&Sha256::digest(data));
    if let Ok(rules) = sigscan::Rules::load(&db) {
        scan_limited(&rules, DATA);
    }
});

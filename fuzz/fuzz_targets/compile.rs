//! Structured rules (`sigscan_fuzz::RuleSet`: patterns with modifiers,
//! hex jumps, masks and alternatives, regexes, conditions with
//! quantifiers, arithmetic and module calls) compiled, and when they
//! compile scanned over a small fixed buffer. Time and memory are bounded
//! by libFuzzer's `-timeout` and `-rss_limit_mb`; the scan by a timeout.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscan_fuzz::{RuleSet, scan_limited};

const DATA: &[u8] = b"MZ\x90\x00abcAB1 abc\x00a\x00b\x00c\x00\xff. YWJj \
    \x7fELF\x02\x01\x01 aaaaaaaaaaaaaaaabbbbbbbbcccc 0123456789";

fuzz_target!(|rules: RuleSet| {
    let mut compiler = sigscan::Compiler::new();
    if compiler.add_source(&rules.text).is_err() {
        return;
    }
    if let Ok(compiled) = compiler.build() {
        scan_limited(&compiled, DATA);
    }
});

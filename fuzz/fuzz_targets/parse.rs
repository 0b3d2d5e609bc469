//! Arbitrary bytes as rule source (UTF-8 or not): the parser returns
//! diagnostics or an AST, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscan::syntax::{ParseOptions, SourceMap, parse_bytes};

fuzz_target!(|data: &[u8]| {
    let mut sources = SourceMap::new();
    let options =
        ParseOptions { includes_enabled: false, ..Default::default() };
    let _ = parse_bytes(data, "fuzz.yar", &options, &mut sources);
});

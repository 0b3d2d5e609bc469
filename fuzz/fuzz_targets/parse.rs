//! Arbitrary bytes as rule source: the parser returns diagnostics or an
//! AST, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscan::syntax::{ParseOptions, SourceMap, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut sources = SourceMap::new();
        let options =
            ParseOptions { includes_enabled: false, ..Default::default() };
        let _ = parse(text, "fuzz.yar", &options, &mut sources);
    }
});

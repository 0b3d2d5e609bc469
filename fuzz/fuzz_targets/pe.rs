//! Arbitrary bytes through the `pe` module's parser: every field of
//! its value tree and every function, on every struct it is a method of
//! (see `sigscan::fuzzing::walk_module`). No panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sigscan::fuzzing::walk_module("pe", data);
});

//! Arbitrary data scanned by a fixed, realistic rule set
//! (`fuzz/rules/scan.yar`: `pe`, `elf`, `dotnet`, `math` and `hash`
//! rules, literal, hex and regex patterns), with a scan timeout.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigscan_fuzz::scan_limited;

fn rules() -> &'static sigscan::Rules {
    static RULES: OnceLock<sigscan::Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut compiler = sigscan::Compiler::new();
        compiler
            .add_source(include_str!("../rules/scan.yar"))
            .expect("fuzz/rules/scan.yar compiles");
        compiler.build().expect("fuzz/rules/scan.yar builds")
    })
}

fuzz_target!(|data: &[u8]| {
    scan_limited(rules(), data);
});

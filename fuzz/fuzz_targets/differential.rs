//! Structured rules and data seeded with their patterns
//! (`sigscan_fuzz::Case`) through sigscan and YARA-X 1.22.1: the two must
//! agree on whether the rules compile, which rules match, and every
//! reported match (offset and length). Any difference panics with both
//! outcomes; the `Debug` of the input is the reproducer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigscan_benches::{
    Source, sigscan_compile, sigscan_scan, yarax_compile, yarax_scan,
};
use sigscan_fuzz::Case;

fuzz_target!(|case: Case| {
    let source = Source {
        namespace: "default".into(),
        origin: "fuzz.yar".into(),
        text: case.rules.text.clone(),
    };
    let sources = std::slice::from_ref(&source);
    let (ours, theirs) =
        match (sigscan_compile(sources, false), yarax_compile(sources, false))
        {
            (Ok(a), Ok(b)) => (a, b),
            (Err(_), Err(_)) => return,
            (Ok(_), Err(e)) => panic!("only yara-x rejects the rules:\n{e}"),
            (Err(e), Ok(_)) => panic!("only sigscan rejects the rules:\n{e}"),
        };
    let mut s1 = sigscan::Scanner::new(&ours);
    let mut s2 = yara_x::Scanner::new(&theirs);
    let a = sigscan_scan(&mut s1, &case.data).expect("sigscan scans");
    let b = yarax_scan(&mut s2, &case.data).expect("yara-x scans");
    if let Some(d) = a.diff(&b) {
        panic!("sigscan and yara-x differ:\n{d}");
    }
});

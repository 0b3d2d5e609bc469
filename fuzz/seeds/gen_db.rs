//! Writes the seeds of the `database` fuzz target: small rule sets
//! compiled and serialized, without their trailing SHA-256 digest (the
//! target appends it). Run it as the `main.rs` of a scratch crate that
//! depends on `sigscan = { path = "<checkout>/engine" }`, with the
//! checkout's `fuzz/corpus/database` as its argument, after every change
//! of the database format.
fn main() {
    let out = std::env::args().nth(1).expect("usage: gen_db <out dir>");
    let out = std::path::Path::new(&out);
    std::fs::create_dir_all(out).unwrap();
    let sets = [
        ("literal", "rule a { strings: $a = \"abc\" nocase condition: $a }".to_string()),
        ("mixed", r#"import "math"
rule h { strings: $h = { 4D 5A [2-4] ( 01 | 02 ) ?? } $r = /ab+c/ wide condition: #h > 1 or $r at 0 or math.entropy(0, filesize) > 7 }
private rule p { strings: $x = "xyz" xor(1-3) $b = "qqq" base64 condition: any of them }
rule q : t { meta: a = "m" condition: p and for any i in (1..3) : (uint8(i) == 0x41) }"#.to_string()),
    ];
    for (name, text) in sets {
        let mut c = sigscan::Compiler::new();
        c.add_source(&text).unwrap();
        let db = c.build().unwrap().serialize();
        // Without the digest: the fuzz target appends it.
        std::fs::write(out.join(name), &db[..db.len() - 32]).unwrap();
    }
}

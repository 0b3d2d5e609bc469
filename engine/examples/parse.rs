//! Parses rule files (or, with `-e`, condition snippets) and prints each
//! rule as S-expressions, or the diagnostics.
//!
//! ```text
//! cargo run -p sigscan --example parse -- rules.yar
//! cargo run -p sigscan --example parse -- -e '1 + 2 * 3 == 7'
//! ```

use sigscan::syntax::{ParseOptions, SourceMap, parse_bytes, sexpr};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-e" {
            let Some(src) = it.next() else { break };
            let text = if src.trim_start().starts_with("rule")
                || src.contains("rule ")
            {
                src.clone()
            } else {
                format!("rule a {{ condition: {src} }}")
            };
            inputs.push(("line".into(), text.into_bytes()));
        } else {
            match std::fs::read(a) {
                Ok(b) => inputs.push((a.clone(), b)),
                Err(e) => eprintln!("{a}: {e}"),
            }
        }
    }
    for (name, bytes) in inputs {
        let mut sources = SourceMap::new();
        let out =
            parse_bytes(&bytes, &name, &ParseOptions::default(), &mut sources);
        for r in &out.file.rules {
            print!("{}", sexpr::rule(r));
        }
        for d in &out.diagnostics {
            print!("{}", d.render(&sources));
        }
    }
}

//! Parses rule files (or, with `-e`, condition snippets) and prints each
//! rule as S-expressions, or the diagnostics.
//!
//! ```text
//! cargo run -p sigscan --example parse -- rules.yar
//! cargo run -p sigscan --example parse -- -e '1 + 2 * 3 == 7'
//! cargo run -p sigscan --example parse -- --batch < sources
//! ```
//!
//! `--batch` reads NUL-separated sources from standard input and prints one
//! line per source: `ok`, or the codes of its errors.

use sigscan::syntax::{ParseOptions, SourceMap, parse_bytes, sexpr};

fn batch() {
    use std::io::Read;
    let mut input = Vec::new();
    if std::io::stdin().read_to_end(&mut input).is_err() {
        return;
    }
    for src in input.split(|&b| b == 0) {
        let mut sources = SourceMap::new();
        let out =
            parse_bytes(src, "batch", &ParseOptions::default(), &mut sources);
        let codes: Vec<&str> = out
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code())
            .collect();
        if codes.is_empty() {
            println!("ok");
        } else {
            println!("{}", codes.join(" "));
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--batch") {
        return batch();
    }
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

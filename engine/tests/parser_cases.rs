//! Data-driven parser tests: `parser_cases.txt` holds cases separated by
//! `### name` lines; each case is an input, a `---` line and the expected
//! output.
//!
//! A one-line input that does not start with `rule`, `private`, `global`,
//! `import` or `include` is a condition: it is wrapped as
//! `rule a { condition: … }` and the output is the condition as an
//! S-expression. Otherwise the output is every rule rendered by
//! `sexpr::rule`. Diagnostics are listed as `error[CODE]: message` lines.
//!
//! `SIGSCAN_BLESS=1 cargo test --test parser_cases` rewrites the expected
//! outputs.

use sigscan::syntax::{ParseOptions, SourceMap, parse, sexpr};

const FILE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parser_cases.txt");

struct Case {
    name: String,
    input: String,
    expected: String,
}

fn load(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for block in text.split("\n### ").skip(1) {
        let (name, rest) = block.split_once('\n').unwrap_or((block, ""));
        let (input, expected) =
            rest.split_once("\n---\n").unwrap_or((rest, ""));
        cases.push(Case {
            name: name.trim().to_string(),
            input: input.trim_end_matches('\n').to_string(),
            expected: expected.trim_end_matches('\n').to_string(),
        });
    }
    cases
}

fn is_condition(input: &str) -> bool {
    !input.contains('\n')
        && !["rule", "private", "global", "import", "include"]
            .iter()
            .any(|k| input.trim_start().starts_with(k))
}

fn run(input: &str) -> String {
    let cond = is_condition(input);
    let text = if cond {
        format!("rule a {{ condition: {input} }}")
    } else {
        input.to_string()
    };
    let mut sources = SourceMap::new();
    let out = parse(&text, "case.yar", &ParseOptions::default(), &mut sources);
    let mut lines = Vec::new();
    if out.has_errors() {
        for d in &out.diagnostics {
            lines.push(d.to_string());
        }
        return lines.join("\n");
    }
    for r in &out.file.rules {
        if cond {
            lines.push(sexpr::expr(&r.condition));
        } else {
            lines.push(sexpr::rule(r).trim_end().to_string());
        }
    }
    for d in &out.diagnostics {
        lines.push(d.to_string());
    }
    lines.join("\n")
}

#[test]
fn parser_cases() {
    let text = std::fs::read_to_string(FILE).expect("parser_cases.txt");
    let cases = load(&text);
    assert!(cases.len() > 50, "too few cases: {}", cases.len());
    let bless = std::env::var_os("SIGSCAN_BLESS").is_some();
    let mut failures = Vec::new();
    let mut blessed = String::new();
    let header_end = text.find("\n### ").map_or(text.len(), |i| i + 1);
    blessed.push_str(&text[..header_end]);
    for c in &cases {
        let got = run(&c.input);
        if got != c.expected {
            failures.push(format!(
                "case `{}`:\n  input:    {}\n  expected: {}\n  got:      {}",
                c.name, c.input, c.expected, got
            ));
        }
        blessed.push_str(&format!(
            "### {}\n{}\n---\n{}\n\n",
            c.name, c.input, got
        ));
    }
    if bless {
        std::fs::write(FILE, blessed.trim_end().to_string() + "\n")
            .expect("write parser_cases.txt");
        return;
    }
    println!("{} parser cases", cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

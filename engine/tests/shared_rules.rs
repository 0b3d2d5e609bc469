//! Every rule file of the shared corpus (`../shared/rules`) parses without
//! errors, and compiles with the full compiler (relaxed regex syntax, as
//! YARA-X needs for them), every module they import included.

use sigscan::syntax::{ParseOptions, SourceMap, parse_bytes};

mod common;
use common::shared;

#[test]
fn shared_rules_parse() {
    let root = shared().join("rules");
    assert!(
        root.is_dir(),
        "the shared rule corpus is missing: {} (it must sit next to the \
         checkout)",
        root.display()
    );
    let files = common::rule_files(&root);
    let options =
        ParseOptions { relaxed_re_syntax: true, ..Default::default() };
    let mut ok = 0;
    let mut failures = Vec::new();
    let mut rules = 0;
    for f in &files {
        let bytes = std::fs::read(f).expect("readable rule file");
        let mut sources = SourceMap::new();
        let out = parse_bytes(
            &bytes,
            &f.display().to_string(),
            &options,
            &mut sources,
        );
        if out.has_errors() {
            let first: Vec<String> = out
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .take(3)
                .map(|d| {
                    let r = d.render(&sources);
                    r.lines()
                        .take(6)
                        .map(|l| &l[..l.len().min(200)])
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .collect();
            failures.push(format!("{}:\n{}", f.display(), first.join("")));
        } else {
            ok += 1;
            rules += out.file.rules.len();
        }
    }
    println!(
        "parsed {ok} of {} rule files ({rules} rules) under {}",
        files.len(),
        root.display()
    );
    assert!(failures.is_empty(), "{} files failed:\n{}", failures.len(), {
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    });
    assert_eq!(files.len(), 541, "the shared corpus should hold 541 files");
    assert_eq!(ok, files.len());
}

#[test]
fn shared_rules_compile() {
    let root = shared().join("rules");
    let files = common::rule_files(&root);
    let mut ok = 0;
    let mut failures = Vec::new();
    for f in &files {
        // Mandiant's `rules/` folder repeats `all-yara.yar` rule by rule.
        if f.to_string_lossy().contains("mandiant-rttc/rules/") {
            continue;
        }
        let mut c = sigscan::Compiler::new();
        c.relaxed_re_syntax(true);
        let result =
            c.add_file(f).map(|_| ()).and_then(|()| c.build().map(|_| ()));
        match result {
            Ok(()) => ok += 1,
            Err(e) => failures.push(format!("{}:\n{e}", f.display())),
        }
    }
    println!("compiled {ok} rule files, none skipped");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ok > 0, "no rule file found under {}", root.display());
}

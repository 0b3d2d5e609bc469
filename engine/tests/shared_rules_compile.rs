//! Every rule file of the shared corpus (`../shared/rules`) compiles with
//! the full compiler (relaxed regex syntax, as YARA-X needs for them),
//! except files importing a module not built yet, which are skipped with
//! the reason printed.

use std::path::{Path, PathBuf};

/// Modules the engine does not have yet.
const MISSING_MODULES: &[&str] = &["pe", "elf", "dotnet", "macho", "magic"];

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yar" | "yara")
        ) {
            out.push(p);
        }
    }
}

#[test]
fn shared_rules_compile() {
    let root =
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/rules"));
    let mut files = Vec::new();
    collect(root, &mut files);
    let (mut ok, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    for f in &files {
        // Mandiant's `rules/` folder repeats `all-yara.yar` rule by rule.
        if f.to_string_lossy().contains("mandiant-rttc/rules/") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap_or_default();
        if let Some(m) = MISSING_MODULES
            .iter()
            .find(|m| text.contains(&format!("import \"{m}\"")))
        {
            println!("skip {}: module `{m}` is not built yet", f.display());
            skipped += 1;
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
    println!("compiled {ok}, skipped {skipped}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ok > 0, "no rule file found under {}", root.display());
}

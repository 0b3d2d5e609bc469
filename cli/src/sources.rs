//! Finding rule source files: a file is taken as it is, a directory gives
//! all its `*.yar` and `*.yara` files, at any depth, in name order.
//! Symbolic links are followed (a directory of links to rule files is a
//! common way to enable rules), and links back to an ancestor skipped.

use std::io;
use std::path::{Path, PathBuf};

/// Whether `path` names a rule source file.
fn is_rule_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yar") | Some("yara")
    )
}

/// The rule files under `path`, at most `max_depth` levels of
/// subdirectories deep (`None`: no limit).
pub fn rule_files(
    path: &Path,
    max_depth: Option<usize>,
) -> io::Result<Vec<PathBuf>> {
    let md = std::fs::metadata(path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("can't open `{}`: {e}", path.display()),
        )
    })?;
    if !md.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut walker =
        walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name();
    if let Some(depth) = max_depth {
        walker = walker.max_depth(depth.saturating_add(1));
    }
    let mut files = Vec::new();
    for entry in walker {
        if entry.as_ref().is_err_and(|e| e.loop_ancestor().is_some()) {
            // A link back to an ancestor: its files are found anyway.
            continue;
        }
        let entry = entry.map_err(|e| {
            let at = e.path().unwrap_or(path).display().to_string();
            io::Error::other(format!("can't walk `{at}`: {e}"))
        })?;
        if entry.file_type().is_file() && is_rule_file(entry.path()) {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn finds_rule_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::create_dir_all(p.join("x/y")).unwrap();
        for f in ["b.yar", "a.yara", "c.txt", "x/d.yar", "x/y/e.yar"] {
            fs::write(p.join(f), "").unwrap();
        }
        let rel = |v: Vec<PathBuf>| -> Vec<String> {
            v.iter()
                .map(|f| f.strip_prefix(p).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(
            rel(rule_files(p, None).unwrap()),
            ["a.yara", "b.yar", "x/d.yar", "x/y/e.yar"]
        );
        assert_eq!(rel(rule_files(p, Some(0)).unwrap()), ["a.yara", "b.yar"]);
        std::os::unix::fs::symlink(p, p.join("x/loop")).unwrap();
        std::os::unix::fs::symlink(p.join("b.yar"), p.join("x/ln.yar"))
            .unwrap();
        assert_eq!(
            rel(rule_files(p, None).unwrap()),
            ["a.yara", "b.yar", "x/d.yar", "x/ln.yar", "x/y/e.yar"]
        );
        let txt = p.join("c.txt");
        assert_eq!(rule_files(&txt, None).unwrap(), [txt]);
        let err = rule_files(&p.join("nope"), None).unwrap_err();
        assert!(err.to_string().starts_with("can't open `"));
    }
}

//! sigscan-benches: criterion benchmarks and differential tests that hold
//! sigscan's answers against YARA-X's.
//!
//! YARA-X is a dependency of this crate alone: the oracle in differential
//! tests and the peer in benchmarks. The engine never calls it.
//!
//! # Parts
//!
//! - [`Outcome`]: what one engine said about one scan, in a form both
//!   engines produce, so that two outcomes compare with `==`.
//! - [`Source`]: a rule source with its origin and namespace.
//! - [`sigscan_compile`] / [`yarax_compile`], [`sigscan_scan`] /
//!   [`yarax_scan`]: the same steps on each engine.
//! - [`shared_dir`] and [`shared_rule_sets`]: the material in `../shared`.
//! - [`Rng`]: a small seeded generator for generated cases.
//! - [`compilable_shared_sources`], [`gather_files`], [`real_binaries`],
//!   [`literal_rules`], [`hex_rules`], [`regex_rules`]: the rules and bytes
//!   the benchmarks measure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A rule source as given to both engines.
#[derive(Clone, Debug)]
pub struct Source {
    pub namespace: String,
    pub origin: String,
    pub text: String,
}

/// One matching rule: namespace, identifier, and per reported pattern its
/// matches as `(offset, length)`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleOutcome {
    pub namespace: String,
    pub identifier: String,
    pub patterns: BTreeMap<String, Vec<(usize, usize)>>,
}

/// Every matching rule of one scan, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub rules: Vec<RuleOutcome>,
}

impl Outcome {
    fn from_unsorted(mut rules: Vec<RuleOutcome>) -> Outcome {
        rules.sort();
        Outcome { rules }
    }

    /// A readable account of how `self` differs from `other`, or `None`.
    pub fn diff(&self, other: &Outcome) -> Option<String> {
        if self == other {
            return None;
        }
        let mut out = String::new();
        let key =
            |r: &RuleOutcome| (r.namespace.clone(), r.identifier.clone());
        let a: BTreeMap<_, _> =
            self.rules.iter().map(|r| (key(r), r)).collect();
        let b: BTreeMap<_, _> =
            other.rules.iter().map(|r| (key(r), r)).collect();
        for (k, ra) in &a {
            match b.get(k) {
                None => out.push_str(&format!("  only sigscan: {k:?}\n")),
                Some(rb) if ra != rb => {
                    for (p, ma) in &ra.patterns {
                        let mb = rb.patterns.get(p);
                        if mb != Some(ma) {
                            out.push_str(&format!(
                                "  {k:?} {p}: sigscan {} vs yara-x {}\n",
                                brief(ma),
                                mb.map_or("none".into(), |m| brief(m)),
                            ));
                        }
                    }
                    for p in rb.patterns.keys() {
                        if !ra.patterns.contains_key(p) {
                            out.push_str(&format!(
                                "  {k:?} {p}: only yara-x reports it\n"
                            ));
                        }
                    }
                }
                Some(_) => {}
            }
        }
        for k in b.keys() {
            if !a.contains_key(k) {
                out.push_str(&format!("  only yara-x: {k:?}\n"));
            }
        }
        Some(out)
    }
}

fn brief(m: &[(usize, usize)]) -> String {
    let head: Vec<String> =
        m.iter().take(6).map(|(o, l)| format!("{o}+{l}")).collect();
    format!(
        "{} matches [{}{}]",
        m.len(),
        head.join(" "),
        if m.len() > 6 { " …" } else { "" }
    )
}

/// Compiles with sigscan. Errors come back rendered.
pub fn sigscan_compile(
    sources: &[Source],
    relaxed: bool,
) -> Result<sigscan::Rules, String> {
    let mut c = sigscan::Compiler::new();
    c.relaxed_re_syntax(relaxed);
    for s in sources {
        c.new_namespace(&s.namespace);
        c.add_source_with_origin(&s.text, &s.origin)
            .map_err(|e| e.to_string())?;
    }
    c.build().map_err(|e| e.to_string())
}

/// Compiles with YARA-X.
pub fn yarax_compile(
    sources: &[Source],
    relaxed: bool,
) -> Result<yara_x::Rules, String> {
    let mut c = yara_x::Compiler::new();
    c.relaxed_re_syntax(relaxed);
    for s in sources {
        c.new_namespace(&s.namespace);
        let src = yara_x::SourceCode::from(s.text.as_str())
            .with_origin(s.origin.as_str());
        c.add_source(src).map_err(|e| e.to_string())?;
    }
    Ok(c.build())
}

/// Scans `data` with sigscan.
pub fn sigscan_scan(
    scanner: &mut sigscan::Scanner<'_>,
    data: &[u8],
) -> Result<Outcome, String> {
    let results = scanner.scan(data).map_err(|e| e.to_string())?;
    let rules = results
        .matching_rules()
        .map(|r| RuleOutcome {
            namespace: r.namespace().to_string(),
            identifier: r.identifier().to_string(),
            patterns: r
                .patterns()
                .filter(|p| !p.matches().is_empty())
                .map(|p| {
                    let m = p.matches().iter().map(|m| (m.offset, m.len));
                    (p.identifier().to_string(), m.collect())
                })
                .collect(),
        })
        .collect();
    Ok(Outcome::from_unsorted(rules))
}

/// Scans `data` with YARA-X.
pub fn yarax_scan(
    scanner: &mut yara_x::Scanner<'_>,
    data: &[u8],
) -> Result<Outcome, String> {
    let results = scanner.scan(data).map_err(|e| e.to_string())?;
    let rules = results
        .matching_rules()
        .map(|r| RuleOutcome {
            namespace: r.namespace().to_string(),
            identifier: r.identifier().to_string(),
            patterns: r
                .patterns()
                .filter(|p| p.matches().len() > 0)
                .map(|p| {
                    let m = p
                        .matches()
                        .map(|m| (m.range().start, m.range().len()));
                    (p.identifier().to_string(), m.collect())
                })
                .collect(),
        })
        .collect();
    Ok(Outcome::from_unsorted(rules))
}

/// `../shared` beside the workspace.
pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The five shared rule sets as (name, sources), each file its own
/// namespace (its path under `rules/`). Mandiant's set is read from its
/// `all-yara.yar`, which holds every rule of its `rules/` folder.
pub fn shared_rule_sets() -> std::io::Result<Vec<(String, Vec<Source>)>> {
    let root = shared_dir().join("rules");
    let mut sets = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&root)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let dir = root.join(&name);
        let mut files = Vec::new();
        if name.starts_with("mandiant") {
            files.push(dir.join("all-yara.yar"));
        } else {
            collect_rule_files(&dir, &mut files)?;
        }
        files.sort();
        let mut sources = Vec::new();
        for f in files {
            let bytes = std::fs::read(&f)?;
            let rel = f.strip_prefix(&root).unwrap_or(&f);
            let origin = rel.to_string_lossy().into_owned();
            sources.push(Source {
                namespace: origin.clone(),
                origin,
                text: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
        sets.push((name, sources));
    }
    Ok(sets)
}

/// Every `*.yar`/`*.yara` file below `dir`, recursively.
pub fn collect_rule_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect_rule_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "yar" || x == "yara") {
            out.push(p);
        }
    }
    Ok(())
}

/// The seeded generator of the generated cases (one home: the corpus
/// generator's), so that a failing case is reproduced from its printed
/// seed.
pub use sigscan_corpus::Rng;

/// Sources left out, as `(origin, first line of the error)`.
pub type LeftOut = Vec<(String, String)>;

/// Every source of the five shared rule sets that sigscan compiles on its
/// own, and the origins (with the first line of the error) of those it
/// cannot, which the benchmarks leave out of both engines.
pub fn compilable_shared_sources() -> std::io::Result<(Vec<Source>, LeftOut)> {
    let mut accepted = Vec::new();
    let mut left_out = Vec::new();
    for (_, sources) in shared_rule_sets()? {
        for s in sources {
            match sigscan_compile(std::slice::from_ref(&s), true) {
                Ok(_) => accepted.push(s),
                Err(e) => {
                    let first = e.lines().next().unwrap_or("").to_string();
                    left_out.push((s.origin.clone(), first));
                }
            }
        }
    }
    Ok((accepted, left_out))
}

/// Regular, non-empty files (at most 64 MiB each) below `dirs`, in sorted
/// path order, read until `budget` bytes are gathered. Symbolic links are
/// not followed.
pub fn gather_files(
    dirs: &[PathBuf],
    budget: usize,
) -> Vec<(PathBuf, Vec<u8>)> {
    let mut paths = Vec::new();
    for d in dirs {
        walk(d, &mut paths, 0);
    }
    paths.sort();
    let mut out = Vec::new();
    let mut total = 0usize;
    for p in paths {
        if total >= budget {
            break;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        if !meta.is_file() || meta.len() == 0 || meta.len() > 64 << 20 {
            continue;
        }
        if let Ok(data) = std::fs::read(&p) {
            total += data.len();
            out.push((p, data));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&e.path(), out, depth + 1);
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
}

/// `len` bytes of real binaries: the ELF files of `/usr/bin` in sorted
/// order, concatenated (shorter if the folder holds less).
pub fn real_binaries(len: usize) -> Vec<u8> {
    let mut paths = Vec::new();
    walk(Path::new("/usr/bin"), &mut paths, 8);
    paths.sort();
    let mut out = Vec::with_capacity(len);
    for p in paths {
        if out.len() >= len {
            break;
        }
        let Ok(data) = std::fs::read(&p) else { continue };
        if data.starts_with(b"\x7fELF") {
            out.extend_from_slice(&data);
        }
    }
    out.truncate(len);
    out
}

/// `n` rules of one text literal each: ten random lowercase letters and
/// digits, which real binaries almost never hold.
pub fn literal_rules(n: usize, seed: u64) -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    for i in 0..n {
        let lit: String = (0..10).map(|_| *rng.pick(ALNUM) as char).collect();
        out.push_str(&format!(
            "rule lit_{i} {{ strings: $a = \"{lit}\" condition: $a }}\n"
        ));
    }
    out
}

/// `n` rules of one hex pattern each, with wildcards and two jumps:
/// `{ B1 B2 B3 B4 [1-16] B5 ?? B6 [0-64] B7 B8 }`, random bytes.
pub fn hex_rules(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    for i in 0..n {
        let mut b = || format!("{:02X}", rng.below(256));
        let (b1, b2, b3, b4) = (b(), b(), b(), b());
        let (b5, b6, b7, b8) = (b(), b(), b(), b());
        out.push_str(&format!(
            "rule hex_{i} {{ strings: $a = {{ {b1} {b2} {b3} {b4} [1-16] \
             {b5} ?? {b6} [0-64] {b7} {b8} }} condition: $a }}\n"
        ));
    }
    out
}

/// `n` rules of one regex each, of a few shapes seen in real rule sets:
/// a literal word, classes with bounded repetition, alternations.
pub fn regex_rules(n: usize, seed: u64) -> String {
    const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    for i in 0..n {
        let mut word = |len: usize| -> String {
            (0..len).map(|_| *rng.pick(LOWER) as char).collect()
        };
        let (w1, w2, w3) = (word(5), word(4), word(6));
        let re = match i % 4 {
            0 => format!("{w1}[0-9]{{2,8}}{w2}"),
            1 => format!("(https?|ftp):\\/\\/{w1}\\.[a-z]{{2,6}}\\/{w2}"),
            2 => format!("{w1}(_|-){w2}[a-z0-9]{{0,16}}\\.(dll|exe)"),
            _ => format!("[A-Z][a-z]{{3,}}{w3}[0-9a-f]{{4}}"),
        };
        out.push_str(&format!(
            "rule re_{i} {{ strings: $a = /{re}/ condition: $a }}\n"
        ));
    }
    out
}

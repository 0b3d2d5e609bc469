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

/// A small, fast, seeded generator (xorshift64*), so that a failing
/// generated case is reproduced from its printed seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

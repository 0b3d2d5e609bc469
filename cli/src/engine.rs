//! The one place where the command meets the `sigscan` engine: compiling
//! rule files with the command's options, reporting diagnostics, and
//! scanning with one [`Scanner`] per worker thread.
//!
//! For `-s`, the engine's results say each pattern's kind, so hex
//! patterns print as hex bytes, as `yr` prints them, with rules from
//! sources or from a compiled database alike.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use sigscan::{Compiler, MetaValue, Rules, Scanner, Value};

use crate::args::{CompileOptions, Define, ExternalValue, RulesPath};
use crate::output::{self, MatchReport, OutputOptions, RuleReport};
use crate::scan::{FileScanner, Outcome};
use crate::sources;

impl From<&ExternalValue> for Value {
    fn from(v: &ExternalValue) -> Value {
        match v {
            ExternalValue::Bool(b) => Value::Bool(*b),
            ExternalValue::Integer(i) => Value::Int(*i),
            ExternalValue::Float(x) => Value::Float(*x),
            ExternalValue::String(s) => Value::Str(s.clone()),
        }
    }
}

/// The rule files to compile, each with its namespace, in order.
pub fn plan(
    paths: &[RulesPath],
    opts: &CompileOptions,
) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut plan = Vec::new();
    for rp in paths {
        let ns = rp.namespace.as_deref().unwrap_or("default");
        for file in sources::rule_files(&rp.path, None)? {
            let ns = if opts.path_as_namespace {
                file.to_string_lossy().into_owned()
            } else {
                ns.to_string()
            };
            plan.push((ns, file));
        }
    }
    Ok(plan)
}

/// A compiler set up with the command's options.
fn new_compiler(opts: &CompileOptions) -> anyhow::Result<Compiler> {
    let mut compiler = Compiler::new();
    compiler.relaxed_re_syntax(opts.relaxed_re_syntax);
    for dir in &opts.include_dirs {
        compiler.add_include_dir(dir);
    }
    for Define { name, value } in &opts.defines {
        compiler
            .define_global(name, Value::from(value))
            .with_context(|| format!("can't define `{name}`"))?;
    }
    Ok(compiler)
}

/// Compiled rules, from sources or a database.
pub struct Compiled {
    /// The rules.
    pub rules: Rules,
}

impl Compiled {
    /// Rules loaded from a database.
    pub fn loaded(rules: Rules) -> Compiled {
        Compiled { rules }
    }
}

/// The compiler's warnings that are not disabled, rendered with their
/// source line and caret.
fn rendered_warnings(
    compiler: &Compiler,
    opts: &CompileOptions,
) -> Vec<String> {
    compiler
        .warnings()
        .iter()
        .filter(|w| opts.warning_enabled(w.code()))
        .map(|w| compiler.render(w).trim_end().to_string())
        .collect()
}

/// How many errors a compile error holds (at least one).
fn error_count(err: &sigscan::CompileError) -> usize {
    err.diagnostics().iter().filter(|d| d.is_error()).count().max(1)
}

/// Compiles the rule files of `paths`. Warnings (unless disabled) and
/// errors are printed on stderr, rendered; any error fails the whole
/// compilation with "N error(s) found", unless `--ignore-invalid-rules`
/// asks to go on without the files that failed.
pub fn compile(
    paths: &[RulesPath],
    opts: &CompileOptions,
) -> anyhow::Result<Compiled> {
    let plan = plan(paths, opts)?;
    let mut compiler = new_compiler(opts)?;
    let mut errors: Vec<String> = Vec::new();
    let mut num_errors = 0;
    // All files on one thread with a deep stack, not one each.
    sigscan::on_deep_stack(|| {
        for (ns, file) in &plan {
            compiler.new_namespace(ns);
            if let Err(err) = compiler.add_file(file) {
                num_errors += error_count(&err);
                errors.push(err.to_string());
            }
        }
    });
    for w in rendered_warnings(&compiler, opts) {
        eprintln!("{w}");
    }
    let rules = if errors.is_empty() || opts.ignore_invalid_rules {
        match compiler.build() {
            Ok(rules) => Some(rules),
            Err(err) => {
                num_errors += error_count(&err);
                errors.push(err.to_string());
                None
            }
        }
    } else {
        None
    };
    for e in &errors {
        eprintln!("{e}");
    }
    match rules {
        Some(rules) => Ok(Compiled { rules }),
        None => bail!("{num_errors} error(s) found"),
    }
}

/// How `check` found one file.
#[derive(Debug, Default)]
pub struct Checked {
    /// Rendered errors.
    pub errors: Vec<String>,
    /// Rendered warnings (those not disabled).
    pub warnings: Vec<String>,
}

/// Compiles one file on its own and collects its diagnostics.
pub fn check_file(
    file: &Path,
    opts: &CompileOptions,
) -> anyhow::Result<Checked> {
    let mut compiler = new_compiler(opts)?;
    let mut checked = Checked::default();
    let added = compiler.add_file(file).map(|_| ()).map_err(|e| e.to_string());
    checked.warnings = rendered_warnings(&compiler, opts);
    let result = match added {
        Ok(()) => compiler.build().map(|_| ()).map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        checked.errors.push(e);
    }
    Ok(checked)
}

/// What the scan loop asks of each file's results.
#[derive(Clone, Debug, Default)]
pub struct Want {
    /// `-n`: report the rules that did not match.
    pub negate: bool,
    /// `-t`: report only rules with this tag.
    pub tag: Option<String>,
    /// What to print of each rule.
    pub output: OutputOptions,
}

/// Scan settings applied to each worker's scanner.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `--max-matches-per-pattern`.
    pub max_matches_per_pattern: Option<usize>,
}

/// One worker's scanner, turning results into reports.
pub struct Worker<'a> {
    scanner: Scanner<'a>,
    want: &'a Want,
}

impl<'a> Worker<'a> {
    /// A scanner for `compiled`.
    pub fn new(
        compiled: &'a Compiled,
        settings: &Settings,
        want: &'a Want,
    ) -> Worker<'a> {
        let mut scanner = Scanner::new(&compiled.rules);
        if let Some(n) = settings.max_matches_per_pattern {
            scanner.max_matches_per_pattern(n);
        }
        Worker { scanner, want }
    }
}

/// A metadata value as the output shows it.
fn meta_value(v: &MetaValue) -> output::MetaValue {
    match v {
        MetaValue::Int(i) => output::MetaValue::Integer(*i),
        MetaValue::Float(x) => output::MetaValue::Float(*x),
        MetaValue::Bool(b) => output::MetaValue::Bool(*b),
        MetaValue::Str(s) => match std::str::from_utf8(s) {
            Ok(s) => output::MetaValue::String(s.to_string()),
            Err(_) => output::MetaValue::Bytes(s.clone()),
        },
    }
}

impl FileScanner for Worker<'_> {
    fn scan(
        &mut self,
        data: &[u8],
        timeout: Option<Duration>,
    ) -> Result<Outcome, String> {
        if let Some(t) = timeout {
            self.scanner.set_timeout(t);
        }
        let results = self.scanner.scan(data).map_err(|e| e.to_string())?;
        if results.timed_out() {
            return Ok(Outcome { rules: Vec::new(), timed_out: true });
        }
        let want = self.want;
        let opts = &want.output;
        let rules: Box<dyn Iterator<Item = sigscan::MatchingRule<'_, '_>>> =
            if want.negate {
                Box::new(results.non_matching_rules())
            } else {
                Box::new(results.matching_rules())
            };
        let mut reports = Vec::new();
        for rule in rules {
            if let Some(tag) = &want.tag {
                if !rule.tags().any(|t| t == tag) {
                    continue;
                }
            }
            let mut report = RuleReport {
                identifier: rule.identifier().to_string(),
                namespace: rule.namespace().to_string(),
                ..Default::default()
            };
            if opts.tags {
                report.tags = rule.tags().map(str::to_string).collect();
            }
            if opts.meta {
                report.meta = rule
                    .metadata()
                    .map(|(k, v)| (k.to_string(), meta_value(v)))
                    .collect();
            }
            if let Some(limit) = opts.strings {
                for p in rule.patterns() {
                    let kind = match p.kind() {
                        sigscan::PatternKind::Text => {
                            output::PatternKind::Text
                        }
                        sigscan::PatternKind::Hex => output::PatternKind::Hex,
                        sigscan::PatternKind::Regex => {
                            output::PatternKind::Regexp
                        }
                    };
                    for m in p.matches() {
                        let end = m.offset.saturating_add(m.len.min(limit));
                        let shown = data.get(m.offset..end.min(data.len()));
                        report.matches.push(MatchReport {
                            identifier: p.identifier().to_string(),
                            kind,
                            offset: m.offset,
                            len: m.len,
                            data: shown.unwrap_or_default().to_vec(),
                            xor_key: m.xor_key,
                        });
                    }
                }
            }
            reports.push(report);
        }
        Ok(Outcome { rules: reports, timed_out: false })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::FileScanner;
    use output::PatternKind::{Hex, Regexp, Text};

    /// The kinds `-s` prints with, from rules compiled from sources and
    /// from the same rules loaded from a database.
    #[test]
    fn match_reports_carry_pattern_kinds() {
        let mut c = Compiler::new();
        c.add_source(
            "rule r { strings: $a = \"x\" $h = { 01 02 } \
             $p = \"y\" private $r = /z/ condition: any of them }",
        )
        .unwrap();
        let rules = c.build().unwrap();
        let loaded = Rules::load(&rules.serialize()).unwrap();
        let want = Want {
            negate: false,
            tag: None,
            output: OutputOptions { strings: Some(16), ..Default::default() },
        };
        for rules in [rules, loaded] {
            let compiled = Compiled::loaded(rules);
            let mut w = Worker::new(&compiled, &Settings::default(), &want);
            let out = w.scan(b"x\x01\x02yz", None).unwrap();
            let kinds: Vec<_> = out.rules[0]
                .matches
                .iter()
                .map(|m| (m.identifier.as_str(), m.kind))
                .collect();
            assert_eq!(kinds, [("$a", Text), ("$h", Hex), ("$r", Regexp)]);
        }
    }
}

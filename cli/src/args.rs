//! Command-line arguments: the `scan`, `compile` and `check` commands.
//!
//! Option names, short letters and defaults follow YARA-X's `yr`, so that
//! `sigscan` can stand in for it in scripts.

use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The `sigscan` command line.
#[derive(Debug, Parser)]
#[command(
    name = "sigscan",
    version,
    about = "Scan files with YARA rules",
    arg_required_else_help = true
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// One of the commands.
impl Cli {
    /// Parses the command line like [`Parser::try_parse_from`], then
    /// splits `scan`'s positional paths into rules and target. The paths
    /// are one argument so that options may come between them (clap ends
    /// a multi-valued positional at the first option after it).
    pub fn parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::CommandFactory;
        use clap::error::ErrorKind;
        let mut cli = Cli::try_parse_from(args)?;
        if let Command::Scan(scan) = &mut cli.command {
            let error = |kind, message: String| {
                let mut command = Cli::command();
                command.build();
                let scan = command.find_subcommand_mut("scan");
                scan.expect("scan is a subcommand").error(kind, message)
            };
            let mut paths = std::mem::take(&mut scan.paths);
            let Some(target) = paths.pop().filter(|_| !paths.is_empty())
            else {
                return Err(error(
                    ErrorKind::MissingRequiredArgument,
                    "the following required arguments were not provided:\n  \
                     <TARGET_PATH>"
                        .into(),
                ));
            };
            scan.target = PathBuf::from(target);
            for path in &paths {
                let rules = RulesPath::parse(path)
                    .map_err(|e| error(ErrorKind::ValueValidation, e))?;
                scan.rules.push(rules);
            }
        }
        Ok(cli)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a file or directory.
    Scan(ScanArgs),
    /// Compile rules to a database file.
    Compile(CompileArgs),
    /// Check rule files for errors and warnings.
    Check(CheckArgs),
    /// Write a new Ed25519 key pair (OUT.key, OUT.pub) for signing
    /// databases.
    Keygen(crate::db::KeygenArgs),
    /// Sign a compiled database (in place).
    Sign(crate::db::SignArgs),
    /// Verify a compiled database's signature.
    Verify(crate::db::VerifyArgs),
    /// Describe a compiled database: versions, digest, rules, sources.
    Info(crate::db::InfoArgs),
    /// Show the data the pe, elf and dotnet modules produce for a file.
    Dump(crate::dump::DumpArgs),
}

/// A rules path with an optional namespace: `[NAMESPACE:]PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesPath {
    /// The namespace before the first `:`, if any.
    pub namespace: Option<String>,
    /// The file or directory.
    pub path: PathBuf,
}

impl RulesPath {
    /// Parses `[NAMESPACE:]PATH`: everything before the first `:` is the
    /// namespace.
    pub fn parse(input: &str) -> Result<RulesPath, String> {
        match input.split_once(':') {
            Some((ns, path)) => Ok(RulesPath {
                namespace: Some(ns.to_string()),
                path: PathBuf::from(path),
            }),
            None => Ok(RulesPath { namespace: None, path: input.into() }),
        }
    }
}

/// The value of an external variable given with `--define`.
#[derive(Clone, Debug, PartialEq)]
pub enum ExternalValue {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A number with a fraction or an exponent.
    Float(f64),
    /// A string, written in double quotes on the command line.
    String(String),
}

impl fmt::Display for ExternalValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternalValue::Bool(b) => write!(f, "{b}"),
            ExternalValue::Integer(i) => write!(f, "{i}"),
            ExternalValue::Float(x) => write!(f, "{x}"),
            ExternalValue::String(s) => write!(f, "{s:?}"),
        }
    }
}

/// An external variable definition: `VAR=VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Define {
    /// The variable's identifier.
    pub name: String,
    /// Its value.
    pub value: ExternalValue,
}

impl Define {
    /// Parses `VAR=VALUE`, where VALUE is written as in JSON: `true`,
    /// `false`, an integer, a float, or a string in double quotes.
    pub fn parse(input: &str) -> Result<Define, String> {
        let (name, value) = input.split_once('=').ok_or_else(|| {
            format!(
                "the equal sign is missing, use the syntax VAR=VALUE \
                 (example: {input}=10)"
            )
        })?;
        let invalid = || {
            format!(
                "`{value}` is not a valid value, did you mean \\\"{value}\\\"?"
            )
        };
        let json: serde_json::Value =
            serde_json::from_str(value).map_err(|_| invalid())?;
        let value = match json {
            serde_json::Value::Bool(b) => ExternalValue::Bool(b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    ExternalValue::Integer(i)
                } else if n.is_u64() {
                    return Err(format!("`{value}` is out of range"));
                } else {
                    ExternalValue::Float(n.as_f64().ok_or_else(invalid)?)
                }
            }
            serde_json::Value::String(s) => ExternalValue::String(s),
            _ => {
                return Err(format!(
                    "`{value}` is not a valid value: only booleans, \
                     integers, floats and strings are accepted"
                ));
            }
        };
        Ok(Define { name: name.to_string(), value })
    }
}

/// Output formats of `scan`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Default output format.
    #[default]
    Text,
    /// Newline delimited JSON (i.e: one JSON object per line).
    Ndjson,
    /// JSON output (i.e: one JSON object for all results, only printed out
    /// at the end).
    Json,
}

/// Options that control how rules are compiled, shared by every command.
#[derive(Clone, Debug, Default, Args)]
pub struct CompileOptions {
    /// Define external variable
    #[arg(short = 'd', long = "define", value_name = "VAR=VALUE")]
    #[arg(value_parser = Define::parse)]
    pub defines: Vec<Define>,

    /// Disable warnings (all of them, or the ones with the given codes)
    #[arg(short = 'w', long = "disable-warnings", value_name = "WARNING_ID")]
    #[arg(num_args = 0.., require_equals = true, value_delimiter = ',')]
    #[arg(default_missing_value = "all")]
    pub disable_warnings: Option<Vec<String>>,

    /// Ignore rule files that fail to compile and continue with the valid
    /// ones
    #[arg(long)]
    pub ignore_invalid_rules: bool,

    /// Directory in which to search for included files
    #[arg(long = "include-dir", value_name = "PATH")]
    pub include_dirs: Vec<PathBuf>,

    /// Use file path as rule namespace
    #[arg(long)]
    pub path_as_namespace: bool,

    /// Use a more relaxed syntax check while parsing regular expressions
    #[arg(long)]
    pub relaxed_re_syntax: bool,
}

impl CompileOptions {
    /// Whether a warning with the given code is to be printed. Warnings
    /// are disabled by sigscan's code (`W003`) or by `yr`'s name for them
    /// (`invariant_expr`).
    pub fn warning_enabled(&self, code: &str) -> bool {
        match &self.disable_warnings {
            None => true,
            Some(ids) => !ids.iter().any(|id| {
                id == "all"
                    || id == code
                    || yr_warning_codes(id).contains(&code)
            }),
        }
    }
}

/// sigscan's codes for the warnings `yr` names `id`.
fn yr_warning_codes(id: &str) -> &'static [&'static str] {
    match id {
        "slow_pattern" => &["E310"],
        "invariant_expr" => &["W001", "W003"],
        "non_bool_expr" => &["W004"],
        "ambiguous_expr" => &["W005"],
        "unsatisfiable_expr" => &["W006"],
        _ => &[],
    }
}

/// Arguments of `sigscan scan`.
#[derive(Debug, Args)]
#[command(
    about = "Scan a file or directory",
    override_usage = "sigscan scan [OPTIONS] <[NAMESPACE:]RULES_PATH>... \
                      <TARGET_PATH>",
    after_help = "Rules paths are files, or directories whose *.yar and \
                  *.yara files are all read (recursively)."
)]
pub struct ScanArgs {
    /// Paths to YARA source files or directories (optionally prefixed
    /// with a namespace), then the file or directory that will be scanned.
    /// Options may come before, between or after them.
    #[arg(value_name = "PATHS")]
    #[arg(required = true, num_args = 1..)]
    paths: Vec<String>,

    /// The rules paths: all of `paths` but the last (set by
    /// [`Cli::parse_args`]).
    #[arg(skip)]
    pub rules: Vec<RulesPath>,

    /// The file or directory that will be scanned: the last of `paths`.
    #[arg(skip)]
    pub target: PathBuf,

    /// Options for compiling the rules.
    #[command(flatten)]
    pub compile: CompileOptions,

    /// Indicate that RULES_PATH is a file with compiled rules
    #[arg(short = 'C', long = "compiled-rules")]
    #[arg(conflicts_with = "relaxed_re_syntax")]
    pub compiled_rules: bool,

    /// With -C: refuse the database unless signed by this public key
    #[arg(long, value_name = "PUBKEY", requires = "compiled_rules")]
    pub public_key: Option<PathBuf>,

    /// Print only the number of matches per file
    #[arg(short = 'c', long)]
    pub count: bool,

    /// Limit the CPU usage of the scan (percentage from 1 to 99)
    #[arg(long, value_name = "PERCENTAGE")]
    #[arg(value_parser = clap::value_parser!(u8).range(1..=99))]
    pub cpu_limit: Option<u8>,

    /// Disable printing console log messages (accepted for compatibility:
    /// console messages are not printed yet)
    #[arg(long)]
    pub disable_console_logs: bool,

    /// Enable fast-scan mode (accepted for compatibility: no effect yet)
    #[arg(short = 'f', long)]
    pub fast_scan: bool,

    /// Maximum number of matches per pattern
    #[arg(long, value_name = "MATCHES")]
    pub max_matches_per_pattern: Option<usize>,

    /// Print non-satisfied rules only
    #[arg(short = 'n', long)]
    pub negate: bool,

    /// Don't use memory-mapped files
    #[arg(long)]
    pub no_mmap: bool,

    /// Output format for results
    #[arg(short = 'o', long, value_name = "FORMAT", value_enum)]
    pub output_format: Option<OutputFormat>,

    /// Print rule metadata
    #[arg(short = 'm', long)]
    pub print_meta: bool,

    /// Print rule namespace
    #[arg(short = 'e', long)]
    pub print_namespace: bool,

    /// Print matching patterns, at most N bytes of each (default: 120)
    #[arg(short = 's', long, value_name = "N")]
    #[arg(num_args = 0..=1, require_equals = true)]
    #[arg(default_missing_value = "120")]
    pub print_strings: Option<usize>,

    /// Print rule tags
    #[arg(short = 'g', long)]
    pub print_tags: bool,

    /// Scan directories recursively, at most MAX_DEPTH levels deep
    /// (default: 1000)
    #[arg(short = 'r', long, value_name = "MAX_DEPTH")]
    #[arg(num_args = 0..=1, require_equals = true)]
    #[arg(default_missing_value = "1000")]
    pub recursive: Option<usize>,

    /// Indicate that TARGET_PATH is a file containing the paths to be
    /// scanned, one per line (`-` for standard input)
    #[arg(long)]
    pub scan_list: bool,

    /// Skip files larger than the given size (in bytes)
    #[arg(short = 'z', long, value_name = "FILE_SIZE")]
    pub skip_larger: Option<u64>,

    /// Print only rules tagged as TAG
    #[arg(short = 't', long, value_name = "TAG")]
    pub tag: Option<String>,

    /// Use the given number of threads (default: one per core)
    #[arg(short = 'p', long, value_name = "NUM_THREADS")]
    #[arg(value_parser = clap::value_parser!(u8).range(1..))]
    pub threads: Option<u8>,

    /// Abort scanning after the given number of seconds
    #[arg(short = 'a', long, value_name = "SECONDS")]
    #[arg(value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
}

/// Arguments of `sigscan compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Path to a YARA source file or directory (optionally prefixed with a
    /// namespace)
    #[arg(value_name = "[NAMESPACE:]RULES_PATH", required = true)]
    #[arg(value_parser = RulesPath::parse)]
    pub rules: Vec<RulesPath>,

    /// Options for compiling the rules.
    #[command(flatten)]
    pub compile: CompileOptions,

    /// Output file with compiled results
    #[arg(short = 'o', long, value_name = "OUTPUT_PATH")]
    #[arg(default_value = "output.yarc")]
    pub output: PathBuf,

    /// Also write a JSON manifest of the inputs (paths relative to
    /// --root, SHA-256s, defines, versions, database digest)
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// The folder manifest paths are relative to (default: the current
    /// directory)
    #[arg(long, value_name = "DIR", requires = "manifest")]
    pub root: Option<PathBuf>,

    /// Sign the database with this secret key (from `sigscan keygen`)
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

/// Arguments of `sigscan check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Path to a YARA source file or directory
    #[arg(value_name = "RULES_PATH", required = true)]
    pub rules: Vec<PathBuf>,

    /// Options for compiling the rules.
    #[command(flatten)]
    pub compile: CompileOptions,

    /// Walk directories recursively up to a given depth (default: 1000)
    #[arg(short = 'r', long, value_name = "MAX_DEPTH")]
    #[arg(num_args = 0..=1, require_equals = true)]
    #[arg(default_missing_value = "1000")]
    pub recursive: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::parse_args(std::iter::once("sigscan").chain(args.iter().copied()))
    }

    fn scan(args: &[&str]) -> ScanArgs {
        let mut v = vec!["scan"];
        v.extend_from_slice(args);
        match parse(&v).unwrap().command {
            Command::Scan(s) => s,
            other => panic!("not a scan: {other:?}"),
        }
    }

    #[test]
    fn command_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn rules_and_target() {
        let s = scan(&["a.yar", "ns:b", "target"]);
        assert_eq!(
            s.rules,
            vec![
                RulesPath { namespace: None, path: "a.yar".into() },
                RulesPath { namespace: Some("ns".into()), path: "b".into() },
            ]
        );
        assert_eq!(s.target, PathBuf::from("target"));
        assert!(parse(&["scan", "only-one"]).is_err());
        // Options anywhere among the paths.
        for args in [
            &["-c", "a.yar", "ns:b", "target"][..],
            &["a.yar", "-c", "ns:b", "target"],
            &["a.yar", "ns:b", "-c", "target"],
            &["a.yar", "ns:b", "target", "-c"],
        ] {
            let s = scan(args);
            assert!(s.count, "{args:?}");
            assert_eq!(s.rules.len(), 2, "{args:?}");
            assert_eq!(s.rules[1].namespace.as_deref(), Some("ns"));
            assert_eq!(s.target, PathBuf::from("target"), "{args:?}");
        }
    }

    #[test]
    fn optional_values_need_equals() {
        let s = scan(&["-s", "-r", "r.yar", "dir"]);
        assert_eq!(s.print_strings, Some(120));
        assert_eq!(s.recursive, Some(1000));
        assert_eq!(s.rules.len(), 1);
        let s = scan(&["--print-strings=7", "--recursive=2", "r", "t"]);
        assert_eq!(s.print_strings, Some(7));
        assert_eq!(s.recursive, Some(2));
        let s = scan(&["r", "t"]);
        assert_eq!(s.print_strings, None);
        assert_eq!(s.recursive, None);
    }

    #[test]
    fn disable_warnings() {
        let s = scan(&["-w", "r", "t"]);
        assert!(!s.compile.warning_enabled("slow_pattern"));
        let s = scan(&["--disable-warnings=a,b", "r", "t"]);
        assert!(!s.compile.warning_enabled("a"));
        assert!(!s.compile.warning_enabled("b"));
        assert!(s.compile.warning_enabled("c"));
        let s = scan(&["r", "t"]);
        assert!(s.compile.warning_enabled("c"));
        let s = scan(&["--disable-warnings=invariant_expr", "r", "t"]);
        assert!(!s.compile.warning_enabled("W003"));
        assert!(s.compile.warning_enabled("W004"));
    }

    #[test]
    fn flags() {
        let s = scan(&[
            "-c",
            "-n",
            "-m",
            "-e",
            "-g",
            "-f",
            "-C",
            "--no-mmap",
            "-p",
            "3",
            "-a",
            "5",
            "-z",
            "100",
            "-t",
            "x",
            "-o",
            "ndjson",
            "r",
            "t",
        ]);
        assert!(s.count && s.negate && s.print_meta && s.print_namespace);
        assert!(s.print_tags && s.fast_scan && s.compiled_rules && s.no_mmap);
        assert_eq!(s.threads, Some(3));
        assert_eq!(s.timeout, Some(5));
        assert_eq!(s.skip_larger, Some(100));
        assert_eq!(s.tag.as_deref(), Some("x"));
        assert_eq!(s.output_format, Some(OutputFormat::Ndjson));
        assert!(parse(&["scan", "-p", "0", "r", "t"]).is_err());
        assert!(parse(&["scan", "-a", "0", "r", "t"]).is_err());
        assert!(parse(&["scan", "-o", "xml", "r", "t"]).is_err());
    }

    #[test]
    fn defines() {
        let d = |s| Define::parse(s).map(|d| (d.name, d.value));
        assert_eq!(d("a=1"), Ok(("a".into(), ExternalValue::Integer(1))));
        assert_eq!(d("a=-2"), Ok(("a".into(), ExternalValue::Integer(-2))));
        assert_eq!(d("b=3.5"), Ok(("b".into(), ExternalValue::Float(3.5))));
        assert_eq!(d("c=true"), Ok(("c".into(), ExternalValue::Bool(true))));
        assert_eq!(
            d("s=\"x=y\""),
            Ok(("s".into(), ExternalValue::String("x=y".into())))
        );
        assert!(d("novalue").unwrap_err().contains("equal sign"));
        assert!(d("s=bare").unwrap_err().contains("did you mean"));
        assert!(d("s=[1]").is_err());
        let s = scan(&["-d", "a=1", "--define=b=\"x\"", "r", "t"]);
        assert_eq!(s.compile.defines.len(), 2);
    }

    #[test]
    fn compile_and_check() {
        match parse(&["compile", "a.yar", "b.yar"]).unwrap().command {
            Command::Compile(c) => {
                assert_eq!(c.rules.len(), 2);
                assert_eq!(c.output, PathBuf::from("output.yarc"));
            }
            other => panic!("{other:?}"),
        }
        match parse(&["check", "a.yar", "dir"]).unwrap().command {
            Command::Check(c) => assert_eq!(c.rules.len(), 2),
            other => panic!("{other:?}"),
        }
    }
}

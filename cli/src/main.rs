//! The `sigscan` command: scan files with YARA rules.
//!
//! A drop-in for YARA-X's `yr scan` (same options, same output formats),
//! plus `compile` and `check`, database commands, and `dump` (as
//! `yr dump`).
//!
//! # Parts
//!
//! - `args`: the command line (clap), with `yr`'s option names.
//! - `sources`: rule source files under the given paths.
//! - `engine`: the only module that uses the `sigscan` engine: compiling
//!   with the command's options, rendering diagnostics, and one scanner
//!   per worker thread.
//! - `walk`: the files to scan, handed to a pool of worker threads.
//! - `load`: a file's contents, memory-mapped or read.
//! - `scan`: the scan loop, independent of the engine behind a trait.
//! - `output`: results in text, ndjson and json, as `yr` prints them.
//! - `console`: stdout and stderr under one lock, and the progress line.
//! - `dump`: `sigscan dump`, module outputs as JSON or YAML.
//!
//! # Exit status
//!
//! `scan`: 0 when every file was scanned (whether anything matched or
//! not); 1 when some file could not be scanned (reported on stderr) or
//! the timeout ended the scan; 2 on bad usage or rules that do not
//! compile. `check` exits with 1 when a file has errors and 2 when files
//! have only warnings, as `yr check` does.

mod args;
mod console;
mod db;
mod dump;
mod engine;
mod load;
mod output;
mod scan;
mod sources;
mod walk;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::args::{CheckArgs, Cli, Command, CompileArgs, ScanArgs};
use crate::console::Console;
use crate::output::OutputOptions;

fn main() -> ExitCode {
    let cli = match Cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Scan(args) => scan_command(args).or_else(usage_error),
        Command::Compile(args) => compile_command(args),
        Command::Check(args) => check_command(args),
        Command::Keygen(args) => db::keygen(args).map(|()| ExitCode::SUCCESS),
        Command::Sign(args) => db::sign(args).map(|()| ExitCode::SUCCESS),
        Command::Verify(args) => db::verify(args)
            .map(|ok| if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Info(args) => db::info(args).map(|()| ExitCode::SUCCESS),
        Command::Dump(args) => dump::run(&args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// An error before a scan starts (bad usage, rules that do not compile)
/// exits with 2, as clap does for bad usage.
fn usage_error(err: anyhow::Error) -> anyhow::Result<ExitCode> {
    eprintln!("error: {err:#}");
    Ok(ExitCode::from(2))
}

/// `sigscan scan`.
fn scan_command(args: ScanArgs) -> anyhow::Result<ExitCode> {
    if args.recursive.is_some() && args.target.is_file() {
        bail!("can't use '--recursive' when <TARGET_PATH> is a file");
    }
    if args.compiled_rules {
        if args.rules.len() > 1 {
            bail!(
                "can't use '--compiled-rules' with more than one RULES_PATH"
            );
        }
        if args.rules[0].namespace.is_some() {
            bail!("can't use namespace with '--compiled-rules'");
        }
    }
    let source = if args.scan_list {
        walk::Source::List(args.target.clone())
    } else {
        if let Err(err) = std::fs::metadata(&args.target) {
            bail!("can't open `{}`: {err}", args.target.display());
        }
        walk::Source::Path(args.target.clone())
    };

    let output = OutputOptions {
        count_only: args.count,
        namespace: args.print_namespace,
        meta: args.print_meta,
        tags: args.print_tags,
        strings: args.print_strings,
        color: std::io::stdout().is_terminal(),
    };
    let format = args.output_format.unwrap_or_default();
    let compiled = if args.compiled_rules {
        db::load(&args.rules[0].path, args.public_key.as_deref())?
    } else {
        engine::compile(&args.rules, &args.compile)?
    };

    let want = engine::Want { negate: args.negate, tag: args.tag, output };
    let settings = engine::Settings {
        max_matches_per_pattern: args.max_matches_per_pattern,
    };
    let threads = match args.threads {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let job = scan::Job {
        source,
        walk: walk::WalkOptions {
            max_depth: args.recursive.unwrap_or(0),
            skip_larger: args.skip_larger,
        },
        threads,
        no_mmap: args.no_mmap,
        format,
        output: want.output.clone(),
        // As in `yr`, the timeout counts from the end of compilation.
        deadline: args
            .timeout
            .map(|t| Instant::now() + Duration::from_secs(t)),
        cpu_limit: args.cpu_limit,
        version: env!("CARGO_PKG_VERSION"),
    };
    let console = Console::new();
    let summary = scan::run(&job, &console, || {
        engine::Worker::new(&compiled, &settings, &want)
    });
    Ok(if summary.errors > 0 || summary.timed_out {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `sigscan compile`.
fn compile_command(args: CompileArgs) -> anyhow::Result<ExitCode> {
    db::compile(args)?;
    Ok(ExitCode::SUCCESS)
}

/// `sigscan check`.
fn check_command(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let depth = args.recursive.unwrap_or(0);
    let (mut errors, mut warnings) = (0usize, 0usize);
    for path in &args.rules {
        let files = match sources::rule_files(path, Some(depth)) {
            Ok(files) => files,
            Err(err) => {
                eprintln!("error: {err}");
                errors += 1;
                continue;
            }
        };
        for file in files {
            let checked = engine::check_file(&file, &args.compile)?;
            let shown = file.display();
            if checked.errors.is_empty() && checked.warnings.is_empty() {
                println!("[ PASS ] {shown}");
                continue;
            }
            if !checked.errors.is_empty() {
                println!("[ FAIL ] {shown}");
                errors += checked.errors.len();
                for e in &checked.errors {
                    eprintln!("{e}");
                }
            }
            if !checked.warnings.is_empty() {
                println!("[ WARN ] {shown}");
                warnings += checked.warnings.len();
                for w in &checked.warnings {
                    eprintln!("{w}");
                }
            }
        }
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else if warnings > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

//! The scan loop: walk the target, scan each file on a worker thread with
//! that thread's own scanner, and print each file's results as one piece.
//!
//! The loop does not know the engine: it drives any [`FileScanner`], which
//! turns a file's bytes into the [`RuleReport`]s to print. The engine's
//! adapter lives in `engine.rs`; tests here use a fake.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::args::OutputFormat;
use crate::console::Console;
use crate::load;
use crate::output::{self, JsonCollector, OutputOptions, RuleReport};
use crate::walk::{self, FileEntry, Source, WalkOptions};

/// What scanning one file gave.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The rules to print, in order, with what the options ask for.
    pub rules: Vec<RuleReport>,
    /// Whether the scan stopped at its timeout.
    pub timed_out: bool,
}

/// Scans the contents of one file; one per worker thread.
pub trait FileScanner {
    /// Scans `data`, giving up after `timeout` if set.
    fn scan(
        &mut self,
        data: &[u8],
        timeout: Option<Duration>,
    ) -> Result<Outcome, String>;
}

/// Everything the scan loop needs to know.
#[derive(Clone, Debug)]
pub struct Job {
    /// What to scan.
    pub source: Source,
    /// How to walk it.
    pub walk: WalkOptions,
    /// Number of worker threads.
    pub threads: usize,
    /// Read files instead of mapping them.
    pub no_mmap: bool,
    /// The output format.
    pub format: OutputFormat,
    /// What to print of each rule.
    pub output: OutputOptions,
    /// When to stop scanning (`--timeout`, counted from the start).
    pub deadline: Option<Instant>,
    /// Target CPU usage in percent (`--cpu-limit`).
    pub cpu_limit: Option<u8>,
    /// The version printed in JSON output.
    pub version: &'static str,
}

/// How the scan went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files scanned.
    pub scanned: u64,
    /// Files with at least one rule printed.
    pub matched: u64,
    /// Files that could not be read or scanned.
    pub errors: u64,
    /// Whether the scan stopped at `--timeout`.
    pub timed_out: bool,
}

/// The path as JSON output shows it: absolute, symbolic links resolved.
fn canonical(path: &Path) -> String {
    std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs the scan: `make` is called once per worker thread for its
/// scanner.
pub fn run<S, M>(job: &Job, console: &Console, make: M) -> Summary
where
    S: FileScanner,
    M: Fn() -> S + Sync,
{
    let stop = AtomicBool::new(false);
    let timed_out = AtomicBool::new(false);
    let errors = std::sync::atomic::AtomicU64::new(0);
    let json = Mutex::new(JsonCollector::default());
    let progress = &console.progress;

    let error = |path: &Path, message: &str| {
        errors.fetch_add(1, Ordering::Relaxed);
        console.err(&format!("error: {}: {message}", path.display()));
    };

    let scan_file = |scanner: &mut S, file: FileEntry| {
        let timeout = match job.deadline {
            None => None,
            Some(deadline) => {
                match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => {
                        if !timed_out.swap(true, Ordering::Relaxed) {
                            error(&file.path, "timeout");
                        }
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            }
        };
        let data = match load::load(&file.path, job.no_mmap) {
            Ok(data) => data,
            Err(err) => return error(&file.path, &err.to_string()),
        };
        // A panic while scanning one file (a bug, never expected) is
        // reported like an error, and the worker goes on with a new
        // scanner: one bad file must not end a scan of millions.
        let scanned = panic::catch_unwind(AssertUnwindSafe(|| {
            scanner.scan(&data, timeout)
        }));
        let outcome = match scanned {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(err)) => return error(&file.path, &err),
            Err(_) => {
                *scanner = make();
                return error(
                    &file.path,
                    "internal error: the scanner panicked",
                );
            }
        };
        progress.files.fetch_add(1, Ordering::Relaxed);
        progress.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        drop(data);
        if outcome.timed_out {
            // Like `yr`, a timeout ends the whole scan.
            if !timed_out.swap(true, Ordering::Relaxed) {
                error(&file.path, "timeout");
            }
            stop.store(true, Ordering::Relaxed);
            return;
        }
        if !outcome.rules.is_empty() {
            progress.matched.fetch_add(1, Ordering::Relaxed);
        }
        let text = match job.format {
            OutputFormat::Text => {
                let path = file.path.display().to_string();
                output::text(&job.output, &path, &outcome.rules)
            }
            OutputFormat::Ndjson => {
                let path = file.path.to_string_lossy();
                output::ndjson(&job.output, &path, &outcome.rules)
            }
            OutputFormat::Json => {
                if !outcome.rules.is_empty() {
                    let path = canonical(&file.path);
                    let mut json =
                        json.lock().unwrap_or_else(|e| e.into_inner());
                    json.add(path, outcome.rules);
                }
                String::new()
            }
        };
        if console.out(&text).is_err() {
            // Stdout is closed (e.g. `| head`): nobody reads any more.
            stop.store(true, Ordering::Relaxed);
        }
    };

    std::thread::scope(|s| {
        s.spawn(|| console.run_progress());
        walk::par_walk(
            &job.source,
            &job.walk,
            job.threads,
            &stop,
            &make,
            |scanner, file| {
                let start = Instant::now();
                scan_file(scanner, file);
                throttle(job.cpu_limit, start.elapsed());
            },
            |file| {
                progress.found_files.fetch_add(1, Ordering::Relaxed);
                progress.found_bytes.fetch_add(file.size, Ordering::Relaxed);
            },
            |notice| {
                if let walk::Notice::Error { .. } = notice {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                console.err(&notice.to_string())
            },
        );
        if job.format == OutputFormat::Json {
            let mut json = json.lock().unwrap_or_else(|e| e.into_inner());
            json.sort();
            let _ = console.out(&json.finish(&job.output, job.version));
        }
        console.finish();
    });

    Summary {
        scanned: progress.files.load(Ordering::Relaxed),
        matched: progress.matched.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        timed_out: timed_out.load(Ordering::Relaxed),
    }
}

/// Sleeps long enough after `busy` of work to keep a thread's CPU use near
/// `limit` percent.
fn throttle(limit: Option<u8>, busy: Duration) {
    if let Some(limit) = limit.filter(|l| (1..100).contains(l)) {
        let pause = busy.mul_f64(f64::from(100 - limit) / f64::from(limit));
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Reports rule `has_X` for every byte X of `needles` found in the
    /// data; fails on data starting with `!`.
    struct Fake(&'static [u8]);

    impl FileScanner for Fake {
        fn scan(
            &mut self,
            data: &[u8],
            _: Option<Duration>,
        ) -> Result<Outcome, String> {
            if data.first() == Some(&b'!') {
                return Err("bad data".into());
            }
            if data.first() == Some(&b'?') {
                panic!("fake scanner panics on '?'");
            }
            let rules = self
                .0
                .iter()
                .filter(|b| data.contains(b))
                .map(|&b| RuleReport {
                    identifier: format!("has_{}", b as char),
                    namespace: "default".into(),
                    ..Default::default()
                })
                .collect();
            Ok(Outcome { rules, timed_out: false })
        }
    }

    fn job(source: Source) -> Job {
        Job {
            source,
            walk: WalkOptions::default(),
            threads: 2,
            no_mmap: false,
            format: OutputFormat::Text,
            output: OutputOptions::default(),
            deadline: None,
            cpu_limit: None,
            version: "0",
        }
    }

    #[test]
    fn scans_and_reports_errors() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("ab"), "ab").unwrap();
        fs::write(dir.path().join("b"), "b").unwrap();
        fs::write(dir.path().join("none"), "zzz").unwrap();
        fs::write(dir.path().join("bad"), "!a").unwrap();
        let console = Console::captured();
        let mut job = job(Source::Path(dir.path().into()));
        job.threads = 1;
        let summary = run(&job, &console, || Fake(b"ab"));
        assert_eq!(
            summary,
            Summary { scanned: 3, matched: 2, errors: 1, timed_out: false }
        );
        let root = dir.path().display();
        let (out, err) = console.take();
        assert_eq!(
            out,
            format!("has_a {root}/ab\nhas_b {root}/ab\nhas_b {root}/b\n")
        );
        assert_eq!(err, format!("error: {root}/bad: bad data\n"));
    }

    #[test]
    fn a_panic_is_reported_and_the_scan_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("1"), "?a").unwrap();
        fs::write(dir.path().join("2"), "a").unwrap();
        let console = Console::captured();
        let mut job = job(Source::Path(dir.path().into()));
        job.threads = 1;
        let summary = run(&job, &console, || Fake(b"a"));
        assert_eq!(summary.errors, 1);
        let root = dir.path().display();
        let (out, err) = console.take();
        assert_eq!(out, format!("has_a {root}/2\n"));
        assert_eq!(
            err,
            format!("error: {root}/1: internal error: the scanner panicked\n")
        );
    }

    /// Removes a file when it scans data starting with `-`.
    struct Remover(std::path::PathBuf);

    impl FileScanner for Remover {
        fn scan(
            &mut self,
            data: &[u8],
            _: Option<Duration>,
        ) -> Result<Outcome, String> {
            if data.first() == Some(&b'-') {
                fs::remove_file(&self.0).map_err(|e| e.to_string())?;
            }
            Ok(Outcome::default())
        }
    }

    #[test]
    fn a_file_that_vanishes_is_an_error_and_the_scan_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("1"), "-").unwrap();
        fs::write(dir.path().join("2"), "x").unwrap();
        fs::write(dir.path().join("3"), "x").unwrap();
        let console = Console::captured();
        let mut job = job(Source::Path(dir.path().into()));
        job.threads = 1;
        let gone = dir.path().join("2");
        let summary = run(&job, &console, || Remover(gone.clone()));
        // Removed after the walk found it (reported when it is opened) or
        // before (reported by the walk): an error either way.
        assert_eq!(
            summary,
            Summary { scanned: 2, matched: 0, errors: 1, timed_out: false }
        );
        let (out, err) = console.take();
        assert_eq!(out, "");
        assert_eq!(
            err,
            format!(
                "error: {}: No such file or directory (os error 2)\n",
                gone.display()
            )
        );
    }

    #[test]
    fn timeout_in_the_past_stops() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "a").unwrap();
        let console = Console::captured();
        let mut job = job(Source::Path(dir.path().into()));
        job.deadline = Some(Instant::now());
        let summary = run(&job, &console, || Fake(b"a"));
        assert!(summary.timed_out);
        assert_eq!(summary.scanned, 0);
        let err = console.take().1;
        assert_eq!(
            err,
            format!("error: {}/a: timeout\n", dir.path().display())
        );
    }

    #[test]
    fn json_is_printed_once_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "a").unwrap();
        fs::write(dir.path().join("b"), "b").unwrap();
        let console = Console::captured();
        let mut job = job(Source::Path(dir.path().into()));
        job.format = OutputFormat::Json;
        job.output.count_only = true;
        run(&job, &console, || Fake(b"ab"));
        let (out, err) = console.take();
        assert_eq!(err, "");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let path = |n| root.join(n).display().to_string();
        assert_eq!(
            v,
            serde_json::json!([
                {"path": path("a"), "count": 1},
                {"path": path("b"), "count": 1},
            ])
        );
    }

    #[test]
    fn throttle_sleeps_in_proportion() {
        let start = Instant::now();
        throttle(Some(50), Duration::from_millis(20));
        assert!(start.elapsed() >= Duration::from_millis(20));
        let start = Instant::now();
        throttle(None, Duration::from_secs(10));
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}

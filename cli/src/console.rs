//! The terminal: results on stdout, messages on stderr, and a progress
//! bar on stderr when it is a terminal.
//!
//! Every write goes through one lock and writes whole strings, so the
//! output of two threads is never mixed within a line. When the progress
//! bar is shown (`indicatif`), every write is made with the bar suspended:
//! the bar is cleared first and drawn again after, never cut into a line.
//! Workers only bump atomic counters; a background thread copies them
//! into the bar a few times a second.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counters shown by the progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files found so far by the walk.
    pub found_files: AtomicU64,
    /// Their total size.
    pub found_bytes: AtomicU64,
    /// Files scanned so far.
    pub files: AtomicU64,
    /// Bytes scanned so far.
    pub bytes: AtomicU64,
    /// Files with at least one reported rule.
    pub matched: AtomicU64,
}

impl Progress {
    /// The counts beside the bar: files scanned out of those found so far
    /// (the walk goes on while files are scanned), and files matched.
    pub fn message(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "{}/{} files, {} matched",
            get(&self.files),
            get(&self.found_files),
            get(&self.matched)
        )
    }

    /// Copies the counters into `bar`: its length is the bytes found so
    /// far, its position the bytes scanned, which gives indicatif what it
    /// needs for the throughput and the ETA.
    fn show(&self, bar: &ProgressBar) {
        let found = self.found_bytes.load(Ordering::Relaxed);
        let done = self.bytes.load(Ordering::Relaxed);
        // Until the walk has found something, the length stays unknown
        // (an empty bar) rather than 0 (a full one).
        if found > 0 {
            bar.set_length(found.max(done));
        }
        bar.set_position(done);
        bar.set_message(self.message());
    }
}

/// What the bar looks like.
const TEMPLATE: &str = "{elapsed_precise} [{wide_bar}] \
    {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, \
    ETA {eta}) {msg}";

#[derive(Debug, Default)]
struct State {
    /// Set when the progress thread is to stop.
    done: bool,
    /// When set, stdout and stderr go here instead (for tests).
    captured: Option<(String, String)>,
}

/// The shared output of a command.
#[derive(Debug)]
pub struct Console {
    state: Mutex<State>,
    wake: Condvar,
    /// The progress bar, when shown.
    bar: Option<ProgressBar>,
    /// The counters behind the progress bar.
    pub progress: Progress,
}

impl Console {
    /// A console that shows progress only if stderr is a terminal.
    pub fn new() -> Console {
        Console::with_progress(io::stderr().is_terminal())
    }

    /// A console that shows progress or not. Even when asked to, the bar
    /// is never drawn where stderr is not a terminal.
    pub fn with_progress(show_progress: bool) -> Console {
        let bar = show_progress.then(|| {
            let style = ProgressStyle::with_template(TEMPLATE)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("#>-");
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(style)
        });
        Console {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            bar,
            progress: Progress::default(),
        }
    }

    /// A console that keeps what is written, for tests.
    #[cfg(test)]
    pub fn captured() -> Console {
        let c = Console::with_progress(false);
        c.lock().captured = Some(Default::default());
        c
    }

    /// What a [`Console::captured`] console got on stdout and stderr.
    #[cfg(test)]
    pub fn take(&self) -> (String, String) {
        self.lock().captured.take().unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panicking writer cannot leave the state inconsistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `write` with the progress bar, if any, cleared.
    fn suspended<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Writes `s` (whole lines) to stdout. Returns an error when stdout is
    /// closed, so that the caller can stop.
    pub fn out(&self, s: &str) -> io::Result<()> {
        if s.is_empty() {
            return Ok(());
        }
        let mut state = self.lock();
        if let Some((out, _)) = &mut state.captured {
            out.push_str(s);
            return Ok(());
        }
        self.suspended(|| {
            let mut stdout = io::stdout().lock();
            stdout.write_all(s.as_bytes())?;
            stdout.flush()
        })
    }

    /// Writes one line to stderr.
    pub fn err(&self, line: &str) {
        let mut state = self.lock();
        if let Some((_, err)) = &mut state.captured {
            err.push_str(line);
            err.push('\n');
            return;
        }
        self.suspended(|| {
            let _ = writeln!(io::stderr().lock(), "{line}");
        });
    }

    /// Updates the progress bar until [`Console::finish`] is called.
    /// Meant to run on a thread of its own; returns at once if progress is
    /// not shown.
    pub fn run_progress(&self) {
        let Some(bar) = &self.bar else { return };
        let mut state = self.lock();
        while !state.done {
            self.progress.show(bar);
            let (s, _) = self
                .wake
                .wait_timeout(state, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner());
            state = s;
        }
    }

    /// Stops the progress bar and clears it.
    pub fn finish(&self) {
        let mut state = self.lock();
        state.done = true;
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.wake.notify_all();
    }
}

impl Default for Console {
    fn default() -> Console {
        Console::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_message_and_bar() {
        let p = Progress::default();
        assert_eq!(p.message(), "0/0 files, 0 matched");
        let bar = ProgressBar::hidden();
        bar.unset_length();
        p.show(&bar);
        assert_eq!(bar.length(), None);
        p.found_files.store(10, Ordering::Relaxed);
        p.found_bytes.store(8192, Ordering::Relaxed);
        p.files.store(3, Ordering::Relaxed);
        p.bytes.store(2048, Ordering::Relaxed);
        p.matched.store(1, Ordering::Relaxed);
        assert_eq!(p.message(), "3/10 files, 1 matched");
        let bar = ProgressBar::hidden();
        p.show(&bar);
        assert_eq!(bar.length(), Some(8192));
        assert_eq!(bar.position(), 2048);
        assert_eq!(bar.message(), "3/10 files, 1 matched");
    }

    #[test]
    fn progress_thread_stops() {
        let c = Console::with_progress(true);
        std::thread::scope(|s| {
            s.spawn(|| c.run_progress());
            std::thread::sleep(Duration::from_millis(20));
            c.finish();
        });
        assert!(c.bar.as_ref().is_some_and(|b| b.is_finished()));
        // Without a bar, there is nothing to run.
        Console::with_progress(false).run_progress();
    }
}

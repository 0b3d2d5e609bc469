//! The terminal: results on stdout, messages on stderr, and a progress
//! line on stderr when it is a terminal.
//!
//! Every write goes through one lock and writes whole strings, so the
//! output of two threads is never mixed within a line. When the progress
//! line is shown, it is erased before anything else is written and drawn
//! again by a background thread a few times a second.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Counters shown by the progress line.
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

/// Formats a byte count with a binary unit.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

impl Progress {
    /// The progress line, without the line erasure: a bar of the bytes
    /// scanned out of those found so far (the walk goes on while files
    /// are scanned), then the counts.
    pub fn line(&self, elapsed: Duration) -> String {
        const WIDTH: u64 = 20;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let (files, bytes) = (get(&self.files), get(&self.bytes));
        let (found, found_bytes) =
            (get(&self.found_files), get(&self.found_bytes));
        let filled = bytes
            .min(found_bytes)
            .saturating_mul(WIDTH)
            .checked_div(found_bytes)
            .unwrap_or(0) as usize;
        format!(
            "[{}{}] {files}/{found} file(s), {}/{}, {} matched, {:.1}s",
            "#".repeat(filled),
            "-".repeat(WIDTH as usize - filled),
            human_bytes(bytes),
            human_bytes(found_bytes),
            get(&self.matched),
            elapsed.as_secs_f64(),
        )
    }
}

#[derive(Debug, Default)]
struct State {
    /// Whether the progress line is on the screen now.
    drawn: bool,
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
    /// Whether to show the progress line.
    show_progress: bool,
    /// The counters behind the progress line.
    pub progress: Progress,
    start: Instant,
}

/// ANSI: carriage return and erase the whole line.
const ERASE: &str = "\r\x1b[2K";

impl Console {
    /// A console that shows progress only if stderr is a terminal.
    pub fn new() -> Console {
        Console::with_progress(io::stderr().is_terminal())
    }

    /// A console that shows progress or not.
    pub fn with_progress(show_progress: bool) -> Console {
        Console {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            show_progress,
            progress: Progress::default(),
            start: Instant::now(),
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

    fn erase(state: &mut State) {
        if state.drawn {
            let _ = io::stderr().write_all(ERASE.as_bytes());
            state.drawn = false;
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
        Console::erase(&mut state);
        let mut stdout = io::stdout().lock();
        stdout.write_all(s.as_bytes())?;
        stdout.flush()
    }

    /// Writes one line to stderr.
    pub fn err(&self, line: &str) {
        let mut state = self.lock();
        if let Some((_, err)) = &mut state.captured {
            err.push_str(line);
            err.push('\n');
            return;
        }
        Console::erase(&mut state);
        let _ = writeln!(io::stderr().lock(), "{line}");
    }

    /// Draws the progress line until [`Console::finish`] is called. Meant
    /// to run on a thread of its own; returns at once if progress is not
    /// shown.
    pub fn run_progress(&self) {
        if !self.show_progress {
            return;
        }
        let mut state = self.lock();
        loop {
            let (s, _) = self
                .wake
                .wait_timeout(state, Duration::from_millis(150))
                .unwrap_or_else(|e| e.into_inner());
            state = s;
            if state.done {
                Console::erase(&mut state);
                return;
            }
            let line = self.progress.line(self.start.elapsed());
            let _ = write!(io::stderr().lock(), "{ERASE}{line}");
            state.drawn = true;
        }
    }

    /// Stops the progress line and erases it.
    pub fn finish(&self) {
        let mut state = self.lock();
        state.done = true;
        Console::erase(&mut state);
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
    fn bytes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }

    #[test]
    fn progress_line() {
        let p = Progress::default();
        assert_eq!(
            p.line(Duration::ZERO),
            "[--------------------] 0/0 file(s), 0 B/0 B, 0 matched, 0.0s"
        );
        p.found_files.store(10, Ordering::Relaxed);
        p.found_bytes.store(8192, Ordering::Relaxed);
        p.files.store(3, Ordering::Relaxed);
        p.bytes.store(2048, Ordering::Relaxed);
        p.matched.store(1, Ordering::Relaxed);
        assert_eq!(
            p.line(Duration::from_millis(1500)),
            "[#####---------------] 3/10 file(s), 2.0 KiB/8.0 KiB, \
             1 matched, 1.5s"
        );
    }

    #[test]
    fn progress_thread_stops() {
        let c = Console::with_progress(true);
        std::thread::scope(|s| {
            s.spawn(|| c.run_progress());
            std::thread::sleep(Duration::from_millis(20));
            c.finish();
        });
        assert!(!c.lock().drawn);
    }
}

//! Finding the files to scan, and handing them to a pool of workers.
//!
//! [`walk`] goes through a target (a file, a directory tree, or a list of
//! paths) on the calling thread and reports every regular file, and a
//! [`Notice`] for everything it skips or cannot read. [`par_walk`] runs
//! [`walk`] on the calling thread and feeds the files through a bounded
//! channel to `threads` workers, each of which owns its own state (its own
//! scanner): nothing is shared or locked while a file is scanned.
//!
//! As in `yr`, symbolic links met inside a directory are not followed:
//! they are skipped silently, so a tree is walked once, without the
//! duplicates of versioned library links and without escaping the tree or
//! going round a loop. A target or a listed path that is a link is
//! followed. Named pipes, sockets and devices are reported and skipped:
//! reading them could block forever.

use std::fs;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

/// What to walk.
#[derive(Clone, Debug)]
pub enum Source {
    /// A file, or a directory whose files are walked.
    Path(PathBuf),
    /// A text file with one path per line (`-` for standard input).
    List(PathBuf),
}

/// How to walk.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkOptions {
    /// How many levels of subdirectories to enter below a directory
    /// target: 0 walks only the files directly in it.
    pub max_depth: usize,
    /// Files larger than this many bytes are skipped silently.
    pub skip_larger: Option<u64>,
}

/// A regular file to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// Its path, as it will be printed.
    pub path: PathBuf,
    /// Its size when it was found.
    pub size: u64,
}

/// Something that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Not a regular file (or a link loop): skipped on purpose.
    Skipped {
        /// The path.
        path: PathBuf,
        /// What it is: "named pipe", "socket", …
        what: &'static str,
    },
    /// Could not be read.
    Error {
        /// The path.
        path: PathBuf,
        /// The reason.
        message: String,
    },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Skipped { path, what } => {
                write!(f, "notice: {}: skipped ({what})", path.display())
            }
            Notice::Error { path, message } => {
                write!(f, "error: {}: {message}", path.display())
            }
        }
    }
}

/// What a kind of file that is not scanned is called.
fn special_kind(ft: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "named pipe"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() {
        "block device"
    } else if ft.is_char_device() {
        "character device"
    } else if ft.is_dir() {
        "directory"
    } else {
        "not a regular file"
    }
}

/// Calls `on_file` for every regular file of `source`, and `on_notice` for
/// everything skipped or unreadable, on the calling thread. Stops early
/// when `on_file` returns `false`.
pub fn walk(
    source: &Source,
    opts: &WalkOptions,
    mut on_file: impl FnMut(FileEntry) -> bool,
    mut on_notice: impl FnMut(Notice),
) {
    // Reports one path found by its metadata; returns false to stop.
    let mut visit = |path: PathBuf,
                     md: io::Result<fs::Metadata>,
                     on_notice: &mut dyn FnMut(Notice)|
     -> bool {
        match md {
            Err(err) => {
                on_notice(Notice::Error { path, message: err.to_string() });
                true
            }
            Ok(md) if md.is_file() => {
                if opts.skip_larger.is_some_and(|max| md.len() > max) {
                    return true;
                }
                on_file(FileEntry { path, size: md.len() })
            }
            Ok(md) => {
                on_notice(Notice::Skipped {
                    path,
                    what: special_kind(md.file_type()),
                });
                true
            }
        }
    };

    match source {
        Source::List(list) => {
            let reader: Box<dyn BufRead> = if list == Path::new("-") {
                Box::new(io::stdin().lock())
            } else {
                match fs::File::open(list) {
                    Ok(f) => Box::new(io::BufReader::new(f)),
                    Err(err) => {
                        on_notice(Notice::Error {
                            path: list.clone(),
                            message: err.to_string(),
                        });
                        return;
                    }
                }
            };
            for line in reader.lines() {
                let line = match line {
                    Ok(line) => line,
                    Err(err) => {
                        on_notice(Notice::Error {
                            path: list.clone(),
                            message: err.to_string(),
                        });
                        return;
                    }
                };
                let line = line.strip_suffix('\r').unwrap_or(&line);
                if line.is_empty() {
                    continue;
                }
                let path = PathBuf::from(line);
                let md = fs::metadata(&path);
                if !visit(path, md, &mut on_notice) {
                    return;
                }
            }
        }
        Source::Path(root) => {
            // Like `yr`, print `dir/x` rather than `./dir/x`.
            let root = if root.as_os_str().len() > 2 {
                root.strip_prefix("./").unwrap_or(root)
            } else {
                root
            };
            let walker = walkdir::WalkDir::new(root)
                .max_depth(opts.max_depth.saturating_add(1))
                .sort_by_file_name();
            for entry in walker {
                let keep_going = match entry {
                    Ok(entry) if entry.file_type().is_dir() => true,
                    // Links inside the tree are not followed (the root,
                    // depth 0, is).
                    Ok(entry)
                        if entry.path_is_symlink() && entry.depth() > 0 =>
                    {
                        true
                    }
                    Ok(entry) => {
                        let md = if entry.depth() == 0 {
                            fs::metadata(entry.path())
                        } else {
                            entry.metadata().map_err(io::Error::from)
                        };
                        if md.as_ref().is_ok_and(|md| md.is_dir()) {
                            // The root, a link to a directory.
                            continue;
                        }
                        visit(entry.into_path(), md, &mut on_notice)
                    }
                    Err(err) => {
                        let path = err.path().unwrap_or(root).to_path_buf();
                        let message = match err.into_io_error() {
                            Some(io) => io.to_string(),
                            None => "cannot be read".to_string(),
                        };
                        on_notice(Notice::Error { path, message });
                        true
                    }
                };
                if !keep_going {
                    return;
                }
            }
        }
    }
}

/// Walks `source` on the calling thread and hands each file to one of
/// `threads` workers. Each worker starts with its own state from `init`,
/// then calls `action` with it for each file it takes. `on_found` (each
/// file as it is found) and `on_notice` (everything skipped) are called
/// from the calling thread. Setting `stop` makes the walk and the workers
/// finish early.
#[allow(clippy::too_many_arguments)]
pub fn par_walk<T, I, A, F, N>(
    source: &Source,
    opts: &WalkOptions,
    threads: usize,
    stop: &AtomicBool,
    init: I,
    action: A,
    mut on_found: F,
    on_notice: N,
) where
    I: Fn() -> T + Sync,
    A: Fn(&mut T, FileEntry) + Sync,
    F: FnMut(&FileEntry),
    N: FnMut(Notice),
{
    let threads = threads.max(1);
    // The walk may run this far ahead of the workers: far enough for the
    // progress line to know most of the work ahead, a few megabytes of
    // paths at most.
    let (send, recv) = crossbeam_channel::bounded::<FileEntry>(1 << 16);
    thread::scope(|s| {
        for _ in 0..threads {
            let recv = recv.clone();
            let (init, action) = (&init, &action);
            s.spawn(move || {
                let mut state = init();
                for file in recv {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    action(&mut state, file);
                }
            });
        }
        drop(recv);
        walk(
            source,
            opts,
            |file| {
                on_found(&file);
                !stop.load(Ordering::Relaxed) && send.send(file).is_ok()
            },
            on_notice,
        );
        drop(send);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn collect(
        source: &Source,
        opts: &WalkOptions,
    ) -> (Vec<String>, Vec<String>) {
        let mut files = Vec::new();
        let mut notices = Vec::new();
        walk(
            source,
            opts,
            |f| {
                files.push(f.path.display().to_string());
                true
            },
            |n| notices.push(n.to_string()),
        );
        (files, notices)
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::write(p.join("a"), "aaaa").unwrap();
        fs::write(p.join("b"), "b").unwrap();
        fs::create_dir_all(p.join("sub/deeper")).unwrap();
        fs::write(p.join("sub/c"), "c").unwrap();
        fs::write(p.join("sub/deeper/d"), "d").unwrap();
        dir
    }

    fn names(root: &Path, files: &[String]) -> Vec<String> {
        let root = root.display().to_string();
        files.iter().map(|f| f[root.len() + 1..].to_string()).collect()
    }

    #[test]
    fn depth() {
        let dir = tree();
        let src = Source::Path(dir.path().into());
        let (f, n) = collect(&src, &WalkOptions::default());
        assert_eq!(names(dir.path(), &f), ["a", "b"]);
        assert!(n.is_empty());
        let opts = WalkOptions { max_depth: 1, ..Default::default() };
        let (f, _) = collect(&src, &opts);
        assert_eq!(names(dir.path(), &f), ["a", "b", "sub/c"]);
        let opts = WalkOptions { max_depth: 1000, ..Default::default() };
        let (f, _) = collect(&src, &opts);
        assert_eq!(names(dir.path(), &f), ["a", "b", "sub/c", "sub/deeper/d"]);
    }

    #[test]
    fn skip_larger() {
        let dir = tree();
        let src = Source::Path(dir.path().into());
        let opts = WalkOptions { skip_larger: Some(3), max_depth: 0 };
        let (f, n) = collect(&src, &opts);
        assert_eq!(names(dir.path(), &f), ["b"]);
        assert!(n.is_empty());
    }

    #[test]
    fn single_file() {
        let dir = tree();
        let a = dir.path().join("a");
        let (f, _) =
            collect(&Source::Path(a.clone()), &WalkOptions::default());
        assert_eq!(f, [a.display().to_string()]);
    }

    #[test]
    fn fifo_and_links_are_skipped() {
        let dir = tree();
        let p = dir.path();
        let fifo = p.join("fifo");
        let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(ok.unwrap().success());
        std::os::unix::fs::symlink(p, p.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(p.join("nowhere"), p.join("broken"))
            .unwrap();
        std::os::unix::fs::symlink(p.join("a"), p.join("link")).unwrap();
        let opts = WalkOptions { max_depth: 1000, ..Default::default() };
        let (f, n) = collect(&Source::Path(p.into()), &opts);
        assert_eq!(names(p, &f), ["a", "b", "sub/c", "sub/deeper/d"]);
        let root = p.display();
        assert_eq!(n, [format!("notice: {root}/fifo: skipped (named pipe)")]);
        // A link given as the target is followed.
        let link = p.join("link");
        let (f, n) = collect(&Source::Path(link.clone()), &opts);
        assert_eq!(f, [link.display().to_string()]);
        assert!(n.is_empty());
        let (f, _) = collect(&Source::Path(p.join("sub/loop")), &opts);
        assert_eq!(f.len(), 4, "{f:?}");
    }

    #[test]
    fn list() {
        let dir = tree();
        let p = dir.path();
        let list = p.join("list");
        let text = format!(
            "{}\n\n{}\r\n{}\n",
            p.join("a").display(),
            p.join("missing").display(),
            p.join("sub").display()
        );
        fs::write(&list, text).unwrap();
        let (f, n) = collect(&Source::List(list), &WalkOptions::default());
        assert_eq!(names(p, &f), ["a"]);
        assert_eq!(n.len(), 2);
        assert!(n[0].starts_with("error: ") && n[0].contains("missing"));
        assert!(n[1].ends_with("sub: skipped (directory)"));
    }

    #[test]
    fn parallel_workers_see_every_file_once() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..200 {
            fs::write(dir.path().join(format!("f{i:03}")), "x").unwrap();
        }
        let seen = Mutex::new(Vec::new());
        let inits = Mutex::new(0);
        let stop = AtomicBool::new(false);
        par_walk(
            &Source::Path(dir.path().into()),
            &WalkOptions::default(),
            4,
            &stop,
            || {
                *inits.lock().unwrap() += 1;
                Vec::new()
            },
            |mine: &mut Vec<PathBuf>, f| {
                mine.push(f.path.clone());
                seen.lock().unwrap().push(f.path);
            },
            |_| {},
            |_| {},
        );
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 200);
        assert_eq!(*inits.lock().unwrap(), 4);
    }

    #[test]
    fn stop_ends_early() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..100 {
            fs::write(dir.path().join(format!("f{i:03}")), "x").unwrap();
        }
        let stop = AtomicBool::new(false);
        let count = Mutex::new(0);
        par_walk(
            &Source::Path(dir.path().into()),
            &WalkOptions::default(),
            1,
            &stop,
            || (),
            |_, _| {
                *count.lock().unwrap() += 1;
                stop.store(true, Ordering::Relaxed);
            },
            |_| {},
            |_| {},
        );
        assert!(*count.lock().unwrap() < 100);
    }
}

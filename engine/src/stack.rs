//! Deep recursion (parsing, lowering conditions) runs on a thread with a
//! large stack. Each source used to start two such threads; a caller
//! compiling many sources can start one for all of them
//! ([`on_deep_stack`]), inside which that work runs in place.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::thread;

/// The stack size of that thread (reserved, not committed: only the pages
/// a deep input touches are used).
pub(crate) const DEEP_STACK: usize = 64 << 20;

thread_local! {
    /// Whether this thread runs [`on_deep_stack`]'s closure.
    static ON_DEEP_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` on a new thread whose stack is deep enough for parsing and
/// compiling any rule source; the [`Compiler`](crate::Compiler) calls
/// made there then parse and lower in place instead of each starting a
/// thread of its own (for the 541 shared sources, those thread starts
/// and their fresh stack pages were about a fifth of the compile time).
/// Runs `f` on the calling thread if no thread can be started; a panic
/// in `f` is resumed in the caller.
pub fn on_deep_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let mut f = Some(f);
    let spawned = thread::scope(|s| {
        let f = &mut f;
        thread::Builder::new()
            .name("sigscan-deep".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(s, move || {
                ON_DEEP_STACK.set(true);
                f.take().map(|f| f())
            })
            .ok()
            .map(|h| h.join())
    });
    match spawned {
        Some(Ok(Some(r))) => r,
        Some(Err(p)) => panic::resume_unwind(p),
        // Not started: here. (A thread that started took `f` and gave
        // its result above.)
        Some(Ok(None)) | None => match f.take() {
            Some(f) => f(),
            None => unreachable!("a started thread returns f's result"),
        },
    }
}

/// Runs `f` with a [`DEEP_STACK`] stack: in place inside
/// [`on_deep_stack`] (its callers are a few frames deep there), else on a
/// new thread named `name`. `None` when no thread could be started;
/// `Some(Err(_))` when `f` panicked, as from [`thread::JoinHandle::join`].
pub(crate) fn deep<R: Send>(
    name: &str,
    f: impl FnOnce() -> R + Send,
) -> Option<thread::Result<R>> {
    if ON_DEEP_STACK.get() {
        return Some(panic::catch_unwind(AssertUnwindSafe(f)));
    }
    thread::scope(|s| {
        thread::Builder::new()
            .name(name.into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(s, f)
            .ok()
            .map(|h| h.join())
    })
}

//! sigscan-ffi: the C API of the sigscan engine, built as `libsigscan.so`
//! and `libsigscan.a` with one header, `include/sigscan.h` (generated from
//! this crate by cbindgen; see `cbindgen.toml`).
//!
//! # Parts
//!
//! - `error`: the `sigscan_result` codes and their messages, the
//!   thread-local last error (`sigscan_last_error`), and the panic
//!   boundary every export runs in: a panic becomes `SIGSCAN_PANIC` (or
//!   a harmless default), never an unwind into C.
//! - `rules`: `sigscan_compile*`, `sigscan_compiler_*` (namespaces,
//!   external variables), `sigscan_rules_*` (count, free, and the
//!   compiled-database entry points) over shared, immutable rules.
//! - `scanner`: `sigscan_scanner_*` (limits, external variables, scans
//!   of bytes and files) and the `sigscan_match_*` accessors of the
//!   borrowed match view given to callbacks.
//! - `util`: checked conversions of C arguments (NULL, UTF-8, paths,
//!   buffers, out-pointers).
//!
//! # The rules of the boundary
//!
//! Handles are opaque boxes handed out by `_new`/`_compile` and taken
//! back by `_free` (NULL-safe). Every pointer argument is NULL-checked;
//! out-pointers are cleared first so a failing call leaves NULL. Rules
//! sit behind an `Arc`: scanners hold a clone, so rules may be freed
//! before their scanners. A scanner guards its state with a busy flag, so
//! concurrent or reentrant use is refused instead of undefined. Every
//! `unsafe` block names its invariant in a `// SAFETY:` comment.

#![allow(non_camel_case_types)]
#![forbid(unsafe_op_in_unsafe_fn)]

mod error;
mod rules;
mod scanner;
mod util;

pub use error::{
    sigscan_last_error, sigscan_result, sigscan_result_message,
    sigscan_version,
};
pub use rules::*;
pub use scanner::*;

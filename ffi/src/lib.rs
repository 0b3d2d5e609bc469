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

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;
    use crate::error::{Failure, boundary, boundary_or};

    fn last_error() -> String {
        // SAFETY: `sigscan_last_error` never returns NULL, and the string
        // lives until the next failing call on this thread.
        unsafe { CStr::from_ptr(sigscan_last_error()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_sigscan_panic() {
        let r = boundary(|| panic!("boom"));
        assert_eq!(r, sigscan_result::SIGSCAN_PANIC);
        assert!(last_error().contains("boom"), "{}", last_error());
        assert_eq!(boundary_or(7, || panic!("again")), 7);
        assert!(last_error().contains("again"));
    }

    #[test]
    fn a_failure_sets_the_last_error() {
        let r = boundary(|| Err(Failure::arg("bad \0 thing")));
        assert_eq!(r, sigscan_result::SIGSCAN_INVALID_ARGUMENT);
        assert_eq!(last_error(), "bad \\0 thing");
        assert_eq!(boundary(|| Ok(())), sigscan_result::SIGSCAN_OK);
        assert_eq!(last_error(), "bad \\0 thing");
    }

    #[test]
    fn null_arguments_are_refused() {
        let src = "rule a { condition: true }";
        // SAFETY: every pointer is NULL or valid for the call.
        unsafe {
            let mut rules = ptr::null_mut();
            assert_eq!(
                sigscan_compile(ptr::null(), 0, &mut rules),
                sigscan_result::SIGSCAN_INVALID_ARGUMENT
            );
            assert_eq!(
                sigscan_compile(
                    src.as_ptr().cast(),
                    src.len(),
                    ptr::null_mut()
                ),
                sigscan_result::SIGSCAN_INVALID_ARGUMENT
            );
            assert_eq!(
                sigscan_compile(src.as_ptr().cast(), src.len(), &mut rules),
                sigscan_result::SIGSCAN_OK
            );
            assert_eq!(sigscan_rules_count(rules), 1);
            let mut s = ptr::null_mut();
            assert_eq!(
                sigscan_scanner_new(rules, &mut s),
                sigscan_result::SIGSCAN_OK
            );
            assert_eq!(
                sigscan_scanner_scan_bytes(
                    s,
                    ptr::null(),
                    0,
                    None,
                    ptr::null_mut()
                ),
                sigscan_result::SIGSCAN_INVALID_ARGUMENT
            );
            sigscan_rules_free(rules);
            sigscan_scanner_free(s);
            sigscan_rules_free(ptr::null_mut());
            sigscan_scanner_free(ptr::null_mut());
        }
    }

    #[test]
    fn every_code_has_a_message() {
        for n in 0..=8 {
            // SAFETY: static, NUL-terminated strings.
            let m = unsafe { CStr::from_ptr(sigscan_result_message(n)) };
            assert!(!m.to_bytes().is_empty());
            assert_ne!(m.to_str(), Ok("unknown result"));
        }
        // SAFETY: as above.
        let m = unsafe { CStr::from_ptr(sigscan_result_message(9)) };
        assert_eq!(m.to_str(), Ok("unknown result"));
    }
}

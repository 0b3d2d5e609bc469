//! Result codes, the thread-local last error and the panic boundary.

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The result of a call. The numbers are fixed: new codes are only ever
/// appended.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sigscan_result {
    /// Success.
    SIGSCAN_OK = 0,
    /// A NULL pointer, a bad value or a call at the wrong time (e.g. a
    /// scanner used from its own callback or from two threads at once).
    SIGSCAN_INVALID_ARGUMENT = 1,
    /// The rules do not compile; `sigscan_last_error()` has the
    /// diagnostics with file, line, column and caret.
    SIGSCAN_SYNTAX_ERROR = 2,
    /// A file could not be read.
    SIGSCAN_IO_ERROR = 3,
    /// The scan was stopped at the scanner's timeout; no rule was
    /// reported.
    SIGSCAN_TIMEOUT = 4,
    /// A compiled rule database is corrupt, of another version, or not
    /// supported by this build.
    SIGSCAN_INVALID_DATABASE = 5,
    /// A compiled rule database's signature does not verify.
    SIGSCAN_SIGNATURE_ERROR = 6,
    /// A bug: the library panicked. The call had no effect beyond what
    /// `sigscan_last_error()` describes; the handles stay usable.
    SIGSCAN_PANIC = 7,
    /// The data or file is larger than the scanner's maximum size.
    SIGSCAN_FILE_TOO_LARGE = 8,
}

use sigscan_result::*;

impl sigscan_result {
    fn message(self) -> &'static str {
        match self {
            SIGSCAN_OK => "ok\0",
            SIGSCAN_INVALID_ARGUMENT => "invalid argument\0",
            SIGSCAN_SYNTAX_ERROR => "rules do not compile\0",
            SIGSCAN_IO_ERROR => "I/O error\0",
            SIGSCAN_TIMEOUT => "scan timed out\0",
            SIGSCAN_INVALID_DATABASE => "invalid compiled rule database\0",
            SIGSCAN_SIGNATURE_ERROR => "database signature does not verify\0",
            SIGSCAN_PANIC => "internal error (panic)\0",
            SIGSCAN_FILE_TOO_LARGE => "data exceeds the maximum size\0",
        }
    }

    fn from_int(n: u32) -> Option<sigscan_result> {
        [
            SIGSCAN_OK,
            SIGSCAN_INVALID_ARGUMENT,
            SIGSCAN_SYNTAX_ERROR,
            SIGSCAN_IO_ERROR,
            SIGSCAN_TIMEOUT,
            SIGSCAN_INVALID_DATABASE,
            SIGSCAN_SIGNATURE_ERROR,
            SIGSCAN_PANIC,
            SIGSCAN_FILE_TOO_LARGE,
        ]
        .into_iter()
        .find(|r| *r as u32 == n)
    }
}

/// A failed call: its code and the message for `sigscan_last_error`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub code: sigscan_result,
    pub message: String,
}

impl Failure {
    pub fn new(code: sigscan_result, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }

    /// `SIGSCAN_INVALID_ARGUMENT` with a message.
    pub fn arg(message: impl Into<String>) -> Self {
        Failure::new(SIGSCAN_INVALID_ARGUMENT, message)
    }

    /// `SIGSCAN_INVALID_ARGUMENT` for a NULL pointer argument.
    pub fn null(name: &str) -> Self {
        Failure::arg(format!("argument `{name}` is NULL"))
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last error.
pub(crate) fn set_last_error(message: &str) {
    let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // `try_with` fails only while the thread is being torn down; the
    // message is then dropped.
    let _ = LAST_ERROR.try_with(|e| {
        if let Ok(mut e) = e.try_borrow_mut() {
            *e = c;
        }
    });
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.as_str()
    } else {
        "unknown panic"
    };
    format!("internal error (panic): {what}")
}

/// The panic boundary of every call that returns a result: runs `f`,
/// records a failure's message, and turns a panic into `SIGSCAN_PANIC`.
pub(crate) fn boundary(
    f: impl FnOnce() -> Result<(), Failure>,
) -> sigscan_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => SIGSCAN_OK,
        Ok(Err(failure)) => {
            set_last_error(&failure.message);
            failure.code
        }
        Err(payload) => {
            set_last_error(&panic_message(&*payload));
            SIGSCAN_PANIC
        }
    }
}

/// The panic boundary of a call that returns a value: a panic gives
/// `default` (and is recorded as the last error).
pub(crate) fn boundary_or<T>(default: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(payload) => {
            set_last_error(&panic_message(&*payload));
            default
        }
    }
}

/// A static, NUL-terminated description of a result code (`"unknown
/// result"` for a number that is not one). Never NULL.
///
/// Takes the code as an integer so that any number a caller passes is
/// defined behaviour.
#[unsafe(no_mangle)]
pub extern "C" fn sigscan_result_message(result: u32) -> *const c_char {
    boundary_or(c"internal error".as_ptr(), || match sigscan_result::from_int(
        result,
    ) {
        Some(r) => r.message().as_ptr().cast(),
        None => c"unknown result".as_ptr(),
    })
}

/// The message of the last call that failed on this thread, NUL-terminated:
/// for `SIGSCAN_SYNTAX_ERROR` the rendered diagnostics (file:line:col and
/// a caret under the offending text). An empty string when no call has
/// failed on this thread. Never NULL.
///
/// The pointer stays valid until the next failing call on this thread;
/// calls that succeed leave it unchanged. Copy it to keep it.
#[unsafe(no_mangle)]
pub extern "C" fn sigscan_last_error() -> *const c_char {
    boundary_or(c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|e| e.try_borrow().map(|e| e.as_ptr()).ok())
            .ok()
            .flatten()
            .unwrap_or(c"".as_ptr())
    })
}

/// The library's version, e.g. `"0.1.0"`; static, NUL-terminated.
#[unsafe(no_mangle)]
pub extern "C" fn sigscan_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

//! Checked conversions of C arguments.

use std::ffi::{CStr, OsStr, c_char};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::error::Failure;

/// A NUL-terminated C string argument.
///
/// # Safety
///
/// `p` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
pub(crate) unsafe fn c_str<'a>(
    p: *const c_char,
    name: &str,
) -> Result<&'a CStr, Failure> {
    if p.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string
    // valid for 'a.
    Ok(unsafe { CStr::from_ptr(p) })
}

/// A NUL-terminated UTF-8 C string argument.
///
/// # Safety
///
/// As [`c_str`].
pub(crate) unsafe fn utf8<'a>(
    p: *const c_char,
    name: &str,
) -> Result<&'a str, Failure> {
    // SAFETY: forwarded from this function's contract.
    let s = unsafe { c_str(p, name) }?;
    s.to_str()
        .map_err(|_| Failure::arg(format!("argument `{name}` is not UTF-8")))
}

/// A file path argument (any bytes but NUL, as the OS takes them).
///
/// # Safety
///
/// As [`c_str`].
pub(crate) unsafe fn path<'a>(
    p: *const c_char,
    name: &str,
) -> Result<&'a Path, Failure> {
    // SAFETY: forwarded from this function's contract.
    let s = unsafe { c_str(p, name) }?;
    Ok(Path::new(OsStr::from_bytes(s.to_bytes())))
}

/// A `(pointer, length)` byte buffer argument; NULL is accepted when
/// `len` is 0.
///
/// # Safety
///
/// When non-NULL, `p` points to `len` readable bytes that stay valid and
/// unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(
    p: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Failure> {
    if p.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Failure::null(name));
    }
    if len > isize::MAX as usize {
        return Err(Failure::arg(format!("argument `{name}` is too long")));
    }
    // SAFETY: non-NULL, `len` fits in isize, and the caller guarantees
    // `len` readable bytes valid for 'a.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Checks an out-pointer argument and clears what it points to, so that
/// the caller sees NULL on every failure.
///
/// # Safety
///
/// `out` is NULL or points to a writable, aligned `*mut T`.
pub(crate) unsafe fn out_ptr<'a, T>(
    out: *mut *mut T,
    name: &str,
) -> Result<&'a mut *mut T, Failure> {
    if out.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL, and the caller guarantees it is writable and
    // aligned; no other reference to it exists during the call.
    let out = unsafe { &mut *out };
    *out = std::ptr::null_mut();
    Ok(out)
}

/// Writes `value` through `p` when `p` is not NULL.
///
/// # Safety
///
/// `p` is NULL or points to a writable, aligned `T`.
pub(crate) unsafe fn write_opt<T>(p: *mut T, value: T) {
    if !p.is_null() {
        // SAFETY: non-NULL, and the caller guarantees it is writable and
        // aligned.
        unsafe { p.write(value) }
    }
}

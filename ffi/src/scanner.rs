//! Scanning: `sigscan_scanner` and the `sigscan_match` view given to
//! callbacks.

use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, c_void};
use std::fs::File;
use std::mem::ManuallyDrop;
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sigscan::{
    Match, MetaValue, Rules, ScanError, ScanResults, Scanner, Value,
};

use crate::error::{Failure, boundary, boundary_or, sigscan_result};
use crate::rules::{rules_ref, sigscan_rules};
use crate::util;

/// The longest timeout: `Instant::now()` plus this never overflows.
const MAX_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A scanner: per-scan state over shared rules. Used by one thread at a
/// time (a second concurrent or reentrant call is refused with
/// `SIGSCAN_INVALID_ARGUMENT`, never undefined behaviour).
pub struct sigscan_scanner {
    /// Set while a call uses `inner`.
    busy: AtomicBool,
    inner: UnsafeCell<Inner>,
}

struct Inner {
    /// Borrows `_rules`: declared first so that it is dropped first.
    scanner: Scanner<'static>,
    /// The limit given to `scanner.max_file_size`, checked before reading
    /// a file descriptor.
    max_file_size: Option<u64>,
    /// Keeps the rules `scanner` borrows alive and in place.
    _rules: Arc<Rules>,
}

// The busy flag makes `sigscan_scanner` a try-lock around `Inner`, which C
// may hand from thread to thread: that is sound only while `Inner` is
// `Send` (as `Mutex<T>: Sync` needs `T: Send`). Rules are shared by
// scanners on many threads: `Sync`.
const _: () = {
    const fn send<T: Send>() {}
    const fn send_sync<T: Send + Sync>() {}
    send::<Inner>();
    send_sync::<Rules>();
};

/// Exclusive use of a scanner's state for the length of one call.
struct Lease<'a> {
    scanner: &'a sigscan_scanner,
}

impl Lease<'_> {
    fn inner(&mut self) -> &mut Inner {
        // SAFETY: a `Lease` exists only while `busy` was switched from
        // false to true by this lease, so no other reference to `inner`
        // exists; `&mut self` makes this one unique.
        unsafe { &mut *self.scanner.inner.get() }
    }

    fn get(&mut self) -> &mut Scanner<'static> {
        &mut self.inner().scanner
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        self.scanner.busy.store(false, Ordering::Release);
    }
}

/// Takes exclusive use of a scanner argument.
///
/// # Safety
///
/// `p` is NULL or a live `sigscan_scanner` from this library.
unsafe fn lease<'a>(p: *mut sigscan_scanner) -> Result<Lease<'a>, Failure> {
    // SAFETY: the caller guarantees `p` is NULL or live; only shared
    // references to the handle itself are made, `inner` is guarded by
    // `busy`.
    let scanner = unsafe { p.as_ref() }.ok_or_else(|| Failure::null("s"))?;
    if scanner
        .busy
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return Err(Failure::arg(
            "the scanner is in use (by another thread, or by the callback \
             of its own scan)",
        ));
    }
    Ok(Lease { scanner })
}

/// Creates a scanner over `rules` into `*out`, freed with
/// `sigscan_scanner_free`. The scanner keeps the compiled rules alive:
/// `rules` may be freed before it.
///
/// # Safety
///
/// `rules` is a live handle; `out` points to a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_new(
    rules: *const sigscan_rules,
    out: *mut *mut sigscan_scanner,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        // SAFETY: `rules` is NULL or live (contract).
        let rules = Arc::clone(&unsafe { rules_ref(rules) }?.rules);
        let ptr: *const Rules = Arc::as_ptr(&rules);
        // SAFETY: the `Rules` lives in the `Arc`'s allocation, which never
        // moves and is never mutated; `Inner::_rules` keeps it alive and
        // is dropped after `Inner::scanner` (field order), and the
        // 'static borrow never leaves `Inner` except as borrows of a
        // `Lease`, shorter than the `Inner`.
        let scanner = Scanner::new(unsafe { &*ptr });
        let s = sigscan_scanner {
            busy: AtomicBool::new(false),
            inner: UnsafeCell::new(Inner {
                scanner,
                max_file_size: None,
                _rules: rules,
            }),
        };
        *out = Box::into_raw(Box::new(s));
        Ok(())
    })
}

/// Stops each scan after `ms` milliseconds (`SIGSCAN_TIMEOUT`); 0 removes
/// the timeout.
///
/// # Safety
///
/// `s` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_set_timeout(
    s: *mut sigscan_scanner,
    ms: u64,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `s` is NULL or live (contract).
        let mut lease = unsafe { lease(s) }?;
        let t = match ms {
            0 => MAX_TIMEOUT,
            ms => Duration::from_millis(ms).min(MAX_TIMEOUT),
        };
        lease.get().set_timeout(t);
        Ok(())
    })
}

/// Refuses data (and files) larger than `bytes` with
/// `SIGSCAN_FILE_TOO_LARGE`.
///
/// # Safety
///
/// `s` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_set_max_file_size(
    s: *mut sigscan_scanner,
    bytes: u64,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `s` is NULL or live (contract).
        let mut lease = unsafe { lease(s) }?;
        let inner = lease.inner();
        inner.scanner.max_file_size(bytes);
        inner.max_file_size = Some(bytes);
        Ok(())
    })
}

/// Keeps at most `n` matches per pattern (default 1000000); a rule
/// counting matches then sees at most `n`.
///
/// # Safety
///
/// `s` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_set_max_matches_per_pattern(
    s: *mut sigscan_scanner,
    n: usize,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `s` is NULL or live (contract).
        let mut lease = unsafe { lease(s) }?;
        lease.get().max_matches_per_pattern(n);
        Ok(())
    })
}

/// Sets an external variable for this scanner's following scans.
///
/// # Safety
///
/// `s` is NULL or a live handle; `name` is NULL or NUL-terminated.
unsafe fn define(
    s: *mut sigscan_scanner,
    name: *const c_char,
    value: impl FnOnce() -> Result<Value, Failure>,
) -> Result<(), Failure> {
    // SAFETY: NULL or live (this function's contract).
    let mut lease = unsafe { lease(s) }?;
    // SAFETY: NULL or NUL-terminated (this function's contract).
    let name = unsafe { util::utf8(name, "name") }?;
    let value = value()?;
    lease
        .get()
        .set_global(name, value)
        .map_err(|e| Failure::arg(e.to_string()))?;
    Ok(())
}

/// Sets the integer external variable `name` (declared with
/// `sigscan_compiler_define_int`) for this scanner's following scans.
/// `SIGSCAN_INVALID_ARGUMENT` when it is not declared or not an integer.
///
/// # Safety
///
/// `s` is a live handle; `name` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_define_int(
    s: *mut sigscan_scanner,
    name: *const c_char,
    v: i64,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    boundary(|| unsafe { define(s, name, || Ok(Value::Int(v))) })
}

/// Sets a boolean external variable (`v` 0 is false).
///
/// # Safety
///
/// As `sigscan_scanner_define_int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_define_bool(
    s: *mut sigscan_scanner,
    name: *const c_char,
    v: i32,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    boundary(|| unsafe { define(s, name, || Ok(Value::Bool(v != 0))) })
}

/// Sets a float external variable.
///
/// # Safety
///
/// As `sigscan_scanner_define_int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_define_float(
    s: *mut sigscan_scanner,
    name: *const c_char,
    v: f64,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    boundary(|| unsafe { define(s, name, || Ok(Value::Float(v))) })
}

/// Sets a string external variable (`v`: NUL-terminated UTF-8, copied).
///
/// # Safety
///
/// As `sigscan_scanner_define_int`; `v` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_define_str(
    s: *mut sigscan_scanner,
    name: *const c_char,
    v: *const c_char,
) -> sigscan_result {
    boundary(|| {
        let value = || {
            // SAFETY: NULL or NUL-terminated (contract).
            let v = unsafe { util::utf8(v, "v") }?;
            Ok(Value::Str(v.to_string()))
        };
        // SAFETY: forwarded from this function's contract.
        unsafe { define(s, name, value) }
    })
}

/// Called once per matching rule, in rule order, on the scanning thread.
/// `m` and every pointer read from it are valid only until the callback
/// returns. Return 0 to go on, non-zero to stop the scan (which then
/// returns `SIGSCAN_OK`). The callback must not use the scanner that
/// calls it (such calls return `SIGSCAN_INVALID_ARGUMENT`), must not
/// unwind (C++ exceptions, `longjmp`) and must return.
pub type sigscan_on_match = Option<
    unsafe extern "C" fn(
        m: *const sigscan_match<'_>,
        user_data: *mut c_void,
    ) -> c_int,
>;

/// A matching rule, borrowed: valid only during the callback it is given
/// to. Read it with the `sigscan_match_*` accessors.
pub struct sigscan_match<'a> {
    identifier: &'a str,
    namespace: &'a str,
    tags: Vec<&'a str>,
    meta: Vec<(&'a str, &'a MetaValue)>,
    /// Every match of every non-private pattern, pattern by pattern in
    /// declaration order, then by offset.
    matches: Vec<(&'a str, Match)>,
}

fn scan_error(e: ScanError) -> Failure {
    let code = if e.is_file_too_large() {
        sigscan_result::SIGSCAN_FILE_TOO_LARGE
    } else if e.path().is_some() {
        sigscan_result::SIGSCAN_IO_ERROR
    } else {
        sigscan_result::SIGSCAN_INVALID_ARGUMENT
    };
    Failure::new(code, e.to_string())
}

/// Reports the results to the callback.
///
/// # Safety
///
/// `cb` is a callback with the contract of `sigscan_on_match`, and
/// `user_data` what it expects.
unsafe fn report(
    results: &ScanResults<'_, '_>,
    cb: unsafe extern "C" fn(*const sigscan_match<'_>, *mut c_void) -> c_int,
    user_data: *mut c_void,
) -> Result<(), Failure> {
    if results.timed_out() {
        return Err(Failure::new(
            sigscan_result::SIGSCAN_TIMEOUT,
            "the scan was stopped at the timeout; no rule is reported",
        ));
    }
    for rule in results.matching_rules() {
        let mut matches = Vec::new();
        for p in rule.patterns() {
            let id = p.identifier();
            matches.extend(p.matches().iter().map(|m| (id, *m)));
        }
        let m = sigscan_match {
            identifier: rule.identifier(),
            namespace: rule.namespace(),
            tags: rule.tags().collect(),
            meta: rule.metadata().collect(),
            matches,
        };
        // SAFETY: `cb` follows `sigscan_on_match`'s contract (this
        // function's contract); `m` outlives the call.
        if unsafe { cb(&m, user_data) } != 0 {
            break;
        }
    }
    Ok(())
}

/// Scans `len` bytes at `data` (NULL is accepted when `len` is 0) and
/// calls `cb` for each matching rule.
///
/// Returns `SIGSCAN_OK` (also when the callback stopped the scan),
/// `SIGSCAN_TIMEOUT`, `SIGSCAN_FILE_TOO_LARGE`, or
/// `SIGSCAN_INVALID_ARGUMENT` (NULL `s` or `cb`, or the scanner in use).
///
/// # Safety
///
/// `s` is a live handle; `data` points to `len` readable bytes that do
/// not change during the call; `cb` follows `sigscan_on_match`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_scan_bytes(
    s: *mut sigscan_scanner,
    data: *const u8,
    len: usize,
    cb: sigscan_on_match,
    user_data: *mut c_void,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `s` is NULL or live (contract).
        let mut lease = unsafe { lease(s) }?;
        let cb = cb.ok_or_else(|| Failure::null("cb"))?;
        // SAFETY: `len` readable bytes, unchanged during the call
        // (contract).
        let data = unsafe { util::bytes(data, len, "data") }?;
        let results = lease.get().scan(data).map_err(scan_error)?;
        // SAFETY: `cb` follows `sigscan_on_match` (contract).
        unsafe { report(&results, cb, user_data) }
    })
}

/// Scans the file at `path` (NUL-terminated) and calls `cb` for each
/// matching rule. Small files are read, larger ones mapped into memory:
/// the file must not be truncated while it is scanned (a mapped file cut
/// short raises `SIGBUS`).
///
/// Returns `SIGSCAN_OK`, `SIGSCAN_IO_ERROR`, `SIGSCAN_TIMEOUT`,
/// `SIGSCAN_FILE_TOO_LARGE` or `SIGSCAN_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `s` is a live handle; `path` is NUL-terminated; `cb` follows
/// `sigscan_on_match`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_scan_file(
    s: *mut sigscan_scanner,
    path: *const c_char,
    cb: sigscan_on_match,
    user_data: *mut c_void,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `s` is NULL or live (contract).
        let mut lease = unsafe { lease(s) }?;
        // SAFETY: NULL or NUL-terminated (contract).
        let path = unsafe { util::path(path, "path") }?;
        let cb = cb.ok_or_else(|| Failure::null("cb"))?;
        let results = lease.get().scan_file(path).map_err(scan_error)?;
        // SAFETY: `cb` follows `sigscan_on_match` (contract).
        unsafe { report(&results, cb, user_data) }
    })
}

/// Reads all of `fd` from offset 0 with positional reads.
fn read_fd(fd: RawFd, max: Option<u64>) -> Result<Vec<u8>, Failure> {
    let io = |e: std::io::Error| {
        Failure::new(
            sigscan_result::SIGSCAN_IO_ERROR,
            format!("can not read file descriptor {fd}: {e}"),
        )
    };
    // SAFETY: `fd` is an open descriptor the caller owns for the length
    // of the call (contract of `sigscan_scanner_scan_fd`); `ManuallyDrop`
    // keeps it from being closed here.
    let file = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
    let size = file.metadata().map_err(io)?.len();
    let too_large = |size: u64| {
        Failure::new(
            sigscan_result::SIGSCAN_FILE_TOO_LARGE,
            format!(
                "data of {size} bytes exceeds the limit of {}",
                max.unwrap_or_default()
            ),
        )
    };
    if max.is_some_and(|m| size > m) {
        return Err(too_large(size));
    }
    let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match file.read_at(&mut chunk, buf.len() as u64) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        buf.extend_from_slice(&chunk[..n]);
        if max.is_some_and(|m| buf.len() as u64 > m) {
            return Err(too_large(buf.len() as u64));
        }
    }
    Ok(buf)
}

/// Scans the file open as `fd` (e.g. from fanotify) and calls `cb` for
/// each matching rule. The whole file is read into memory from offset 0
/// with positional reads: the descriptor's offset is unchanged, it is not
/// closed, and a file changed or truncated meanwhile can not crash the
/// scan (unlike a mapped file).
///
/// Returns `SIGSCAN_OK`, `SIGSCAN_IO_ERROR`, `SIGSCAN_TIMEOUT`,
/// `SIGSCAN_FILE_TOO_LARGE` (checked before reading) or
/// `SIGSCAN_INVALID_ARGUMENT` (negative `fd`, NULL `s` or `cb`).
///
/// # Safety
///
/// `s` is a live handle; `fd` is an open file descriptor owned by the
/// caller during the call; `cb` follows `sigscan_on_match`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_scan_fd(
    s: *mut sigscan_scanner,
    fd: c_int,
    cb: sigscan_on_match,
    user_data: *mut c_void,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `s` is NULL or live (contract).
        let mut lease = unsafe { lease(s) }?;
        let cb = cb.ok_or_else(|| Failure::null("cb"))?;
        if fd < 0 {
            return Err(Failure::arg(format!("invalid file descriptor {fd}")));
        }
        let data = read_fd(fd, lease.inner().max_file_size)?;
        let results = lease.get().scan(&data).map_err(scan_error)?;
        // SAFETY: `cb` follows `sigscan_on_match` (contract).
        unsafe { report(&results, cb, user_data) }
    })
}

/// Frees a scanner. `sigscan_scanner_free(NULL)` does nothing; a scanner
/// in use (from its own callback) is not freed.
///
/// # Safety
///
/// `s` is NULL or a live handle, not used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_scanner_free(s: *mut sigscan_scanner) {
    boundary_or((), || {
        // SAFETY: `s` is NULL or live (contract).
        let Ok(lease) = (unsafe { lease(s) }) else { return };
        std::mem::forget(lease);
        // SAFETY: a live handle made by `Box::into_raw`, not in use (the
        // lease was taken), given up by the caller (contract).
        drop(unsafe { Box::from_raw(s) });
    })
}

/// A match argument.
///
/// # Safety
///
/// `p` is NULL or the `sigscan_match` of a running callback.
unsafe fn match_ref<'a>(
    p: *const sigscan_match<'_>,
) -> Option<&'a sigscan_match<'a>> {
    // SAFETY: NULL or valid during the callback (contract); the result is
    // used only within the accessor call.
    unsafe { p.cast::<sigscan_match<'a>>().as_ref() }
}

/// Writes a string as `(pointer, length)`.
///
/// # Safety
///
/// `ptr` and `len` are NULL or writable.
unsafe fn put_str(s: Option<&[u8]>, ptr: *mut *const c_char, len: *mut usize) {
    let (p, n) = s.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()));
    // SAFETY: NULL or writable (this function's contract).
    unsafe {
        util::write_opt(ptr, p.cast());
        util::write_opt(len, n);
    }
}

/// The rule's identifier as `*ptr` and `*len` (not NUL-terminated; valid
/// during the callback). NULL and 0 when `m` is NULL; NULL out-pointers
/// are skipped.
///
/// # Safety
///
/// `m` is NULL or the match of a running callback; `ptr` and `len` are
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_rule(
    m: *const sigscan_match<'_>,
    ptr: *mut *const c_char,
    len: *mut usize,
) {
    boundary_or((), || {
        // SAFETY: NULL or a running callback's match (contract).
        let m = unsafe { match_ref(m) };
        // SAFETY: NULL or writable (contract).
        unsafe { put_str(m.map(|m| m.identifier.as_bytes()), ptr, len) }
    })
}

/// The rule's namespace (`"default"` unless set), as
/// `sigscan_match_rule`.
///
/// # Safety
///
/// As `sigscan_match_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_namespace(
    m: *const sigscan_match<'_>,
    ptr: *mut *const c_char,
    len: *mut usize,
) {
    boundary_or((), || {
        // SAFETY: NULL or a running callback's match (contract).
        let m = unsafe { match_ref(m) };
        // SAFETY: NULL or writable (contract).
        unsafe { put_str(m.map(|m| m.namespace.as_bytes()), ptr, len) }
    })
}

/// The number of the rule's tags; 0 when `m` is NULL.
///
/// # Safety
///
/// `m` is NULL or the match of a running callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_tag_count(
    m: *const sigscan_match<'_>,
) -> usize {
    boundary_or(0, || {
        // SAFETY: NULL or a running callback's match (contract).
        unsafe { match_ref(m) }.map_or(0, |m| m.tags.len())
    })
}

/// Tag `i` (0-based) as `sigscan_match_rule`; NULL and 0 when `i` is out
/// of range.
///
/// # Safety
///
/// As `sigscan_match_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_tag(
    m: *const sigscan_match<'_>,
    i: usize,
    ptr: *mut *const c_char,
    len: *mut usize,
) {
    boundary_or((), || {
        // SAFETY: NULL or a running callback's match (contract).
        let m = unsafe { match_ref(m) };
        let tag = m.and_then(|m| m.tags.get(i)).map(|t| t.as_bytes());
        // SAFETY: NULL or writable (contract).
        unsafe { put_str(tag, ptr, len) }
    })
}

/// The number of pattern matches of the rule: every match of every
/// non-private pattern, pattern by pattern in declaration order, then by
/// offset. 0 when `m` is NULL.
///
/// # Safety
///
/// `m` is NULL or the match of a running callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_pattern_count(
    m: *const sigscan_match<'_>,
) -> usize {
    boundary_or(0, || {
        // SAFETY: NULL or a running callback's match (contract).
        unsafe { match_ref(m) }.map_or(0, |m| m.matches.len())
    })
}

/// Pattern match `i` (0-based): the pattern's identifier (`$a`, or `$`
/// for an anonymous one) as `*id`/`*id_len`, and the match's `*offset`
/// and `*length` in bytes in the scanned data. NULL and zeros when `m` is
/// NULL or `i` out of range; NULL out-pointers are skipped.
///
/// # Safety
///
/// `m` is NULL or the match of a running callback; the out-pointers are
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_pattern(
    m: *const sigscan_match<'_>,
    i: usize,
    id: *mut *const c_char,
    id_len: *mut usize,
    offset: *mut u64,
    length: *mut u64,
) {
    boundary_or((), || {
        // SAFETY: NULL or a running callback's match (contract).
        let m = unsafe { match_ref(m) };
        let hit = m.and_then(|m| m.matches.get(i));
        let (o, l) = hit.map_or((0, 0), |(_, m)| (m.offset, m.len));
        // SAFETY: NULL or writable (contract).
        unsafe {
            put_str(hit.map(|(p, _)| p.as_bytes()), id, id_len);
            util::write_opt(offset, o as u64);
            util::write_opt(length, l as u64);
        }
    })
}

/// The type of a metadata value.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sigscan_meta_type {
    SIGSCAN_META_INTEGER = 0,
    SIGSCAN_META_FLOAT = 1,
    SIGSCAN_META_BOOLEAN = 2,
    SIGSCAN_META_STRING = 3,
}

/// One metadata entry of a matching rule, borrowed like the match.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sigscan_meta {
    /// The identifier, not NUL-terminated.
    pub identifier: *const c_char,
    pub identifier_len: usize,
    /// Which of the value fields is set.
    pub value_type: sigscan_meta_type,
    /// `SIGSCAN_META_INTEGER`'s value; 0 or 1 for `SIGSCAN_META_BOOLEAN`.
    pub integer: i64,
    /// `SIGSCAN_META_FLOAT`'s value.
    pub float_value: f64,
    /// `SIGSCAN_META_STRING`'s bytes (escapes resolved; may hold NUL; not
    /// NUL-terminated).
    pub string: *const u8,
    pub string_len: usize,
}

/// The number of the rule's metadata entries; 0 when `m` is NULL.
///
/// # Safety
///
/// `m` is NULL or the match of a running callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_meta_count(
    m: *const sigscan_match<'_>,
) -> usize {
    boundary_or(0, || {
        // SAFETY: NULL or a running callback's match (contract).
        unsafe { match_ref(m) }.map_or(0, |m| m.meta.len())
    })
}

/// Metadata entry `i` (0-based, in declaration order) into `*out`.
/// `SIGSCAN_INVALID_ARGUMENT` when `m` or `out` is NULL or `i` is out of
/// range.
///
/// # Safety
///
/// `m` is NULL or the match of a running callback; `out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_match_meta(
    m: *const sigscan_match<'_>,
    i: usize,
    out: *mut sigscan_meta,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: NULL or a running callback's match (contract).
        let m = unsafe { match_ref(m) }.ok_or_else(|| Failure::null("m"))?;
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let (id, value) = m.meta.get(i).ok_or_else(|| {
            Failure::arg(format!("metadata index {i} out of range"))
        })?;
        let mut meta = sigscan_meta {
            identifier: id.as_ptr().cast(),
            identifier_len: id.len(),
            value_type: sigscan_meta_type::SIGSCAN_META_INTEGER,
            integer: 0,
            float_value: 0.0,
            string: std::ptr::null(),
            string_len: 0,
        };
        match value {
            MetaValue::Int(v) => meta.integer = *v,
            MetaValue::Float(v) => {
                meta.value_type = sigscan_meta_type::SIGSCAN_META_FLOAT;
                meta.float_value = *v;
            }
            MetaValue::Bool(v) => {
                meta.value_type = sigscan_meta_type::SIGSCAN_META_BOOLEAN;
                meta.integer = i64::from(*v);
            }
            MetaValue::Str(v) => {
                meta.value_type = sigscan_meta_type::SIGSCAN_META_STRING;
                meta.string = v.as_ptr();
                meta.string_len = v.len();
            }
        }
        // SAFETY: non-NULL and writable (contract).
        unsafe { out.write(meta) };
        Ok(())
    })
}

//! Compiling rules: `sigscan_rules`, `sigscan_compiler`, and the compiled
//! database entry points.

use std::ffi::{CString, c_char};
use std::sync::Arc;

use sigscan::{CompileError, Compiler, Rules, Value};

use crate::error::{Failure, boundary, boundary_or, sigscan_result};
use crate::util;

/// Compiled rules: immutable and thread-safe. One `sigscan_rules` may be
/// shared by any number of scanners on any number of threads.
pub struct sigscan_rules {
    pub(crate) rules: Arc<Rules>,
}

/// A rule compiler with options: namespaces and external variables. Used
/// by one thread at a time.
pub struct sigscan_compiler {
    /// `None` once built.
    compiler: Option<Compiler>,
    /// The compiler's warnings so far, rendered.
    warnings: Vec<CString>,
}

impl sigscan_compiler {
    /// Renders the warnings found since the last call.
    fn refresh_warnings(&mut self) {
        let Some(c) = &self.compiler else { return };
        for d in &c.warnings()[self.warnings.len().min(c.warnings().len())..] {
            let text = c.render(d).trim_end().replace('\0', "\\0");
            self.warnings.push(CString::new(text).unwrap_or_default());
        }
    }
}

fn syntax(e: CompileError) -> Failure {
    Failure::new(sigscan_result::SIGSCAN_SYNTAX_ERROR, e.to_string())
}

fn hand_out(rules: Rules, out: &mut *mut sigscan_rules) {
    let boxed = Box::new(sigscan_rules { rules: Arc::new(rules) });
    *out = Box::into_raw(boxed);
}

/// A rules argument.
///
/// # Safety
///
/// `p` is NULL or a live `sigscan_rules` from this library.
pub(crate) unsafe fn rules_ref<'a>(
    p: *const sigscan_rules,
) -> Result<&'a sigscan_rules, Failure> {
    // SAFETY: the caller guarantees `p` is NULL or a live handle, and
    // rules are only ever accessed shared.
    unsafe { p.as_ref() }.ok_or_else(|| Failure::null("rules"))
}

/// Compiles `len` bytes of rule source (UTF-8, need not be NUL-terminated)
/// into `*out`, to be freed with `sigscan_rules_free`.
///
/// Includes are resolved relative to the current directory. On failure
/// `*out` is NULL and `sigscan_last_error()` holds the diagnostics.
///
/// Returns `SIGSCAN_OK`, `SIGSCAN_SYNTAX_ERROR`, or
/// `SIGSCAN_INVALID_ARGUMENT` when `source` or `out` is NULL.
///
/// # Safety
///
/// `source` points to `len` readable bytes; `out` to a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compile(
    source: *const c_char,
    len: usize,
    out: *mut *mut sigscan_rules,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (this function's contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        if source.is_null() {
            return Err(Failure::null("source"));
        }
        // SAFETY: `source` has `len` readable bytes (contract).
        let text = unsafe { util::bytes(source.cast(), len, "source") }?;
        let mut c = Compiler::new();
        c.add_source_bytes_with_origin(text, "line").map_err(syntax)?;
        hand_out(c.build().map_err(syntax)?, out);
        Ok(())
    })
}

/// Compiles the rule file at `path` (NUL-terminated) into `*out`, to be
/// freed with `sigscan_rules_free`. Includes are resolved relative to the
/// file's folder.
///
/// Returns `SIGSCAN_OK`, `SIGSCAN_IO_ERROR` when the file can not be read,
/// `SIGSCAN_SYNTAX_ERROR`, or `SIGSCAN_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `path` is a NUL-terminated string; `out` points to a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compile_file(
    path: *const c_char,
    out: *mut *mut sigscan_rules,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        // SAFETY: `path` is NULL or NUL-terminated (contract).
        let path = unsafe { util::path(path, "path") }?;
        let text = read_file(path)?;
        let mut c = Compiler::new();
        let origin = path.to_string_lossy();
        c.add_source_bytes_with_origin(&text, &origin).map_err(syntax)?;
        hand_out(c.build().map_err(syntax)?, out);
        Ok(())
    })
}

fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        Failure::new(
            sigscan_result::SIGSCAN_IO_ERROR,
            format!("can not read `{}`: {e}", path.display()),
        )
    })
}

/// A database error as a C result: signature problems are
/// `SIGSCAN_SIGNATURE_ERROR`, unreadable files `SIGSCAN_IO_ERROR`, the
/// rest `SIGSCAN_INVALID_DATABASE`.
fn database_failure(e: sigscan::DatabaseError) -> Failure {
    use sigscan::DatabaseError as E;
    let code = match &e {
        E::Unsigned | E::BadSignature | E::InvalidKey => {
            sigscan_result::SIGSCAN_SIGNATURE_ERROR
        }
        E::Io(_) => sigscan_result::SIGSCAN_IO_ERROR,
        _ => sigscan_result::SIGSCAN_INVALID_DATABASE,
    };
    Failure::new(code, e.to_string())
}

/// Serializes `rules` into a new compiled rule database `*out` of
/// `*out_len` bytes (unsigned; the same rules give the same bytes),
/// freed with `sigscan_buffer_free(*out, *out_len)`. On failure `*out`
/// is NULL and `*out_len` 0.
///
/// # Safety
///
/// `rules` is a live handle; `out` and `out_len` point to writable values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_rules_serialize(
    rules: *const sigscan_rules,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        if out_len.is_null() {
            return Err(Failure::null("out_len"));
        }
        // SAFETY: non-NULL and writable (contract).
        unsafe { out_len.write(0) };
        // SAFETY: `rules` is NULL or live (contract).
        let rules = unsafe { rules_ref(rules) }?;
        let bytes = rules.rules.serialize().into_boxed_slice();
        let len = bytes.len();
        *out = Box::into_raw(bytes).cast::<u8>();
        // SAFETY: non-NULL and writable (contract).
        unsafe { out_len.write(len) };
        Ok(())
    })
}

/// Frees a buffer returned by `sigscan_rules_serialize`; `len` is the
/// length it returned. `sigscan_buffer_free(NULL, 0)` does nothing.
///
/// # Safety
///
/// `buf` is NULL or a buffer from this library not freed yet, with its
/// length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_buffer_free(buf: *mut u8, len: usize) {
    boundary_or((), || {
        if buf.is_null() {
            return;
        }
        let slice = std::ptr::slice_from_raw_parts_mut(buf, len);
        // SAFETY: the caller passes a buffer this library made with
        // `Box::<[u8]>::into_raw` and its length, not freed yet.
        drop(unsafe { Box::from_raw(slice) });
    })
}

/// Loads compiled rules from `len` bytes of a database (signed or not,
/// the signature is not checked: use `sigscan_rules_load_file` with a
/// public key for that). Every part is validated first: corrupt or
/// hostile bytes give `SIGSCAN_INVALID_DATABASE`, never a crash. The
/// bytes are copied, the buffer may be freed after the call.
///
/// # Safety
///
/// `buf` points to `len` readable bytes; `out` to a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_rules_load(
    buf: *const u8,
    len: usize,
    out: *mut *mut sigscan_rules,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        if buf.is_null() {
            return Err(Failure::null("buf"));
        }
        // SAFETY: `buf` has `len` readable bytes (contract).
        let bytes = unsafe { util::bytes(buf, len, "buf") }?;
        hand_out(Rules::load(bytes).map_err(database_failure)?, out);
        Ok(())
    })
}

/// Loads a compiled rule database file. When `public_key` (32 bytes, raw
/// Ed25519) is not NULL, the database must carry a signature that
/// verifies with it, checked before anything else is parsed
/// (`SIGSCAN_SIGNATURE_ERROR` for an unsigned or tampered database); NULL
/// accepts unsigned databases. Returns `SIGSCAN_IO_ERROR` when the file
/// cannot be read and `SIGSCAN_INVALID_DATABASE` when it is not a valid
/// database.
///
/// # Safety
///
/// `path` is NUL-terminated; `public_key` is NULL or 32 readable bytes;
/// `out` points to a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_rules_load_file(
    path: *const c_char,
    public_key: *const u8,
    out: *mut *mut sigscan_rules,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        // SAFETY: `path` is NULL or NUL-terminated (contract).
        let path = unsafe { util::path(path, "path") }?;
        let key: Option<[u8; 32]> = if public_key.is_null() {
            None
        } else {
            // SAFETY: a non-NULL key has 32 readable bytes (contract).
            let k = unsafe { util::bytes(public_key, 32, "public_key") }?;
            k.try_into().ok()
        };
        let bytes = read_file(path)?;
        let rules = match key {
            Some(k) => Rules::load_verified(&bytes, &k),
            None => Rules::load(&bytes),
        }
        .map_err(database_failure)?;
        hand_out(rules, out);
        Ok(())
    })
}

/// The number of rules in `rules` (private and global ones included); 0
/// when `rules` is NULL.
///
/// # Safety
///
/// `rules` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_rules_count(
    rules: *const sigscan_rules,
) -> usize {
    boundary_or(0, || {
        // SAFETY: `rules` is NULL or live (contract).
        unsafe { rules_ref(rules) }.map_or(0, |r| r.rules.len())
    })
}

/// Frees rules. Scanners made from them keep the compiled rules alive and
/// stay usable, so rules may be freed before their scanners.
/// `sigscan_rules_free(NULL)` does nothing.
///
/// # Safety
///
/// `rules` is NULL or a live handle, not used by the caller after this
/// call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_rules_free(rules: *mut sigscan_rules) {
    boundary_or((), || {
        if !rules.is_null() {
            // SAFETY: a live handle made by `Box::into_raw`, given up by
            // the caller (contract).
            drop(unsafe { Box::from_raw(rules) });
        }
    })
}

/// A compiler argument that is not built yet.
///
/// # Safety
///
/// `p` is NULL or a live `sigscan_compiler` not used by another thread.
unsafe fn compiler_mut<'a>(
    p: *mut sigscan_compiler,
) -> Result<&'a mut Compiler, Failure> {
    // SAFETY: the caller guarantees `p` is NULL or a live handle used by
    // this thread alone, so this is the only reference.
    let c = unsafe { p.as_mut() }.ok_or_else(|| Failure::null("compiler"))?;
    c.compiler
        .as_mut()
        .ok_or_else(|| Failure::arg("the compiler was already built"))
}

/// Creates a compiler, to be freed with `sigscan_compiler_free`.
///
/// # Safety
///
/// `out` points to a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_new(
    out: *mut *mut sigscan_compiler,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        let c = sigscan_compiler {
            compiler: Some(Compiler::new()),
            warnings: Vec::new(),
        };
        *out = Box::into_raw(Box::new(c));
        Ok(())
    })
}

/// Rules added from now on go to namespace `name` (created if new; the
/// first namespace is `default`).
///
/// # Safety
///
/// `compiler` is a live handle; `name` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_new_namespace(
    compiler: *mut sigscan_compiler,
    name: *const c_char,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: NULL or live, this thread's (contract).
        let c = unsafe { compiler_mut(compiler) }?;
        // SAFETY: NULL or NUL-terminated (contract).
        let name = unsafe { util::utf8(name, "name") }?;
        c.new_namespace(name);
        Ok(())
    })
}

/// Sets a compiler option.
///
/// # Safety
///
/// `compiler` is NULL or a live handle used by this thread alone.
unsafe fn option(
    compiler: *mut sigscan_compiler,
    set: impl FnOnce(&mut Compiler),
) -> sigscan_result {
    boundary(|| {
        // SAFETY: NULL or live, this thread's (this function's contract).
        set(unsafe { compiler_mut(compiler) }?);
        Ok(())
    })
}

/// Whether `include` directives are allowed (`yes` non-zero; they are by
/// default). Agents compiling rules they do not fully trust may turn them
/// off. Set before adding sources.
///
/// # Safety
///
/// `compiler` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_enable_includes(
    compiler: *mut sigscan_compiler,
    yes: i32,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        option(compiler, |c| {
            c.enable_includes(yes != 0);
        })
    }
}

/// Adds a folder searched for included files.
///
/// # Safety
///
/// `compiler` is a live handle; `dir` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_add_include_dir(
    compiler: *mut sigscan_compiler,
    dir: *const c_char,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: NULL or live, this thread's (contract).
        let c = unsafe { compiler_mut(compiler) }?;
        // SAFETY: NULL or NUL-terminated (contract).
        c.add_include_dir(unsafe { util::path(dir, "dir") }?);
        Ok(())
    })
}

/// Accepts what YARA-X accepts with `--relaxed-re-syntax` (`yes`
/// non-zero). Set before adding sources.
///
/// # Safety
///
/// `compiler` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_relaxed_re_syntax(
    compiler: *mut sigscan_compiler,
    yes: i32,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        option(compiler, |c| {
            c.relaxed_re_syntax(yes != 0);
        })
    }
}

/// Makes slow patterns (those YARA-X calls slow) an error instead of a
/// warning (`yes` non-zero). Set before adding sources.
///
/// # Safety
///
/// `compiler` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_error_on_slow_pattern(
    compiler: *mut sigscan_compiler,
    yes: i32,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        option(compiler, |c| {
            c.error_on_slow_pattern(yes != 0);
        })
    }
}

/// Declares an external variable.
///
/// # Safety
///
/// `compiler` is NULL or a live handle used by this thread alone; `name`
/// is NULL or NUL-terminated.
unsafe fn define(
    compiler: *mut sigscan_compiler,
    name: *const c_char,
    value: impl FnOnce() -> Result<Value, Failure>,
) -> Result<(), Failure> {
    // SAFETY: NULL or live, this thread's (this function's contract).
    let c = unsafe { compiler_mut(compiler) }?;
    // SAFETY: NULL or NUL-terminated (this function's contract).
    let name = unsafe { util::utf8(name, "name") }?;
    let value = value()?;
    c.define_global(name, value).map_err(|e| Failure::arg(e.to_string()))?;
    Ok(())
}

/// Declares an integer external variable with its default value; scanners
/// may change it with `sigscan_scanner_define_int`. Declare before adding
/// the sources that use it.
///
/// # Safety
///
/// `compiler` is a live handle; `name` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_define_int(
    compiler: *mut sigscan_compiler,
    name: *const c_char,
    value: i64,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    boundary(|| unsafe { define(compiler, name, || Ok(Value::Int(value))) })
}

/// Declares a boolean external variable (`value` 0 is false).
///
/// # Safety
///
/// As `sigscan_compiler_define_int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_define_bool(
    compiler: *mut sigscan_compiler,
    name: *const c_char,
    value: i32,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    boundary(|| unsafe {
        define(compiler, name, || Ok(Value::Bool(value != 0)))
    })
}

/// Declares a float external variable.
///
/// # Safety
///
/// As `sigscan_compiler_define_int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_define_float(
    compiler: *mut sigscan_compiler,
    name: *const c_char,
    value: f64,
) -> sigscan_result {
    // SAFETY: forwarded from this function's contract.
    boundary(|| unsafe { define(compiler, name, || Ok(Value::Float(value))) })
}

/// Declares a string external variable (`value`: NUL-terminated UTF-8,
/// copied).
///
/// # Safety
///
/// As `sigscan_compiler_define_int`; `value` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_define_str(
    compiler: *mut sigscan_compiler,
    name: *const c_char,
    value: *const c_char,
) -> sigscan_result {
    boundary(|| {
        let value = || {
            // SAFETY: NULL or NUL-terminated (contract).
            let v = unsafe { util::utf8(value, "value") }?;
            Ok(Value::Str(v.to_string()))
        };
        // SAFETY: forwarded from this function's contract.
        unsafe { define(compiler, name, value) }
    })
}

/// Adds `len` bytes of rule source (UTF-8, need not be NUL-terminated);
/// `origin` (NUL-terminated, or NULL for `"line"`) names it in
/// diagnostics and is the base of relative includes.
///
/// Returns `SIGSCAN_SYNTAX_ERROR` with the diagnostics in
/// `sigscan_last_error()` when the source does not compile; the compiler
/// stays usable.
///
/// # Safety
///
/// `compiler` is a live handle; `source` points to `len` readable bytes;
/// `origin` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_add_source(
    compiler: *mut sigscan_compiler,
    source: *const c_char,
    len: usize,
    origin: *const c_char,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: NULL or live, this thread's (contract).
        let c = unsafe { compiler_mut(compiler) }?;
        if source.is_null() {
            return Err(Failure::null("source"));
        }
        // SAFETY: `len` readable bytes (contract).
        let text = unsafe { util::bytes(source.cast(), len, "source") }?;
        let origin = if origin.is_null() {
            "line"
        } else {
            // SAFETY: non-NULL and NUL-terminated (contract).
            unsafe { util::utf8(origin, "origin") }?
        };
        let r = c.add_source_bytes_with_origin(text, origin).map(|_| ());
        // SAFETY: as above; the borrow `c` has ended.
        unsafe { refresh_warnings(compiler) };
        r.map_err(syntax)
    })
}

/// Reads and adds the rule file at `path`; includes resolve relative to
/// its folder. `SIGSCAN_IO_ERROR` when it can not be read.
///
/// # Safety
///
/// `compiler` is a live handle; `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_add_file(
    compiler: *mut sigscan_compiler,
    path: *const c_char,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: NULL or live, this thread's (contract).
        let c = unsafe { compiler_mut(compiler) }?;
        // SAFETY: NULL or NUL-terminated (contract).
        let path = unsafe { util::path(path, "path") }?;
        let text = read_file(path)?;
        let origin = path.to_string_lossy();
        let r = c.add_source_bytes_with_origin(&text, &origin).map(|_| ());
        // SAFETY: as above; the borrow `c` has ended.
        unsafe { refresh_warnings(compiler) };
        r.map_err(syntax)
    })
}

/// Renders a compiler's new warnings.
///
/// # Safety
///
/// `p` is NULL or a live `sigscan_compiler` used by this thread alone,
/// with no other reference to it alive.
unsafe fn refresh_warnings(p: *mut sigscan_compiler) {
    // SAFETY: NULL or live, unique (this function's contract).
    if let Some(c) = unsafe { p.as_mut() } {
        c.refresh_warnings();
    }
}

/// The number of warnings found so far (slow patterns, invariant
/// conditions, ...); they stay readable after `sigscan_compiler_build`.
/// 0 when `compiler` is NULL.
///
/// # Safety
///
/// `compiler` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_warning_count(
    compiler: *const sigscan_compiler,
) -> usize {
    boundary_or(0, || {
        // SAFETY: NULL or live, not used by another thread (contract).
        unsafe { compiler.as_ref() }.map_or(0, |c| c.warnings.len())
    })
}

/// Warning `i` (0-based), rendered with file, line, column and caret;
/// NUL-terminated, valid until the compiler is freed. NULL when
/// `compiler` is NULL or `i` is out of range.
///
/// # Safety
///
/// `compiler` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_warning(
    compiler: *const sigscan_compiler,
    i: usize,
) -> *const c_char {
    boundary_or(std::ptr::null(), || {
        // SAFETY: NULL or live, not used by another thread (contract).
        let c = unsafe { compiler.as_ref() };
        c.and_then(|c| c.warnings.get(i))
            .map_or(std::ptr::null(), |w| w.as_ptr())
    })
}

/// Builds the rules added so far into `*out` (freed with
/// `sigscan_rules_free`). The compiler is spent: later calls on it return
/// `SIGSCAN_INVALID_ARGUMENT`, and it must still be freed with
/// `sigscan_compiler_free`.
///
/// # Safety
///
/// `compiler` is a live handle; `out` points to a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_build(
    compiler: *mut sigscan_compiler,
    out: *mut *mut sigscan_rules,
) -> sigscan_result {
    boundary(|| {
        // SAFETY: `out` is NULL or writable (contract).
        let out = unsafe { util::out_ptr(out, "out") }?;
        // SAFETY: NULL or live, this thread's (contract).
        let c = unsafe { compiler.as_mut() }
            .ok_or_else(|| Failure::null("compiler"))?;
        let Some(inner) = c.compiler.take() else {
            return Err(Failure::arg("the compiler was already built"));
        };
        hand_out(inner.build().map_err(syntax)?, out);
        Ok(())
    })
}

/// Frees a compiler (built or not). `sigscan_compiler_free(NULL)` does
/// nothing.
///
/// # Safety
///
/// `compiler` is NULL or a live handle, not used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigscan_compiler_free(
    compiler: *mut sigscan_compiler,
) {
    boundary_or((), || {
        if !compiler.is_null() {
            // SAFETY: a live handle made by `Box::into_raw`, given up by
            // the caller (contract).
            drop(unsafe { Box::from_raw(compiler) });
        }
    })
}

//! sigscan-ffi: the C API of the sigscan engine (`include/sigscan.h`).
//!
//! Filled by the C API issue.

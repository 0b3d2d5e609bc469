//! The `elf` module.

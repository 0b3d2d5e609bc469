//! Modules (`pe`, `elf`, `math`, `hash`, …): each sees only the bytes.

pub(crate) mod dotnet;
pub(crate) mod elf;
pub(crate) mod pe;

//! Modules (`pe`, `elf`, `math`, `hash`, …): each sees only the bytes.

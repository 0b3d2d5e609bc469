//! sigscan-corpus: the test corpus and the benchmark corpus.
//!
//! # Parts
//!
//! - [`small`]: the small committed corpus under `corpus/files/`, every
//!   file generated here from constants, byte for byte reproducible.
//! - [`build`]: a large benchmark corpus, deterministic from a seed and the
//!   host's files: real binaries from `/usr`, generated PE files, text and
//!   data files, with a manifest of sizes and SHA-256 digests.
//! - [`pe`] and [`elf`]: the writers of the generated executables.
//! - [`tar`]: a minimal ustar writer for the archive samples.
//! - [`Rng`]: the seeded generator behind everything random.

pub mod elf;
pub mod pe;
pub mod tar;

mod build;
mod small;

pub use build::{BuildReport, build, parse_size};
pub use small::small;

/// A small, fast, seeded generator (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// `true` with a chance of `percent` in 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items`, which must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

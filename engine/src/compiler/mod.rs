//! The compiler: AST to immutable, shareable rules.

pub(crate) mod patterns;

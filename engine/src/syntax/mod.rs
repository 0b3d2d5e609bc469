//! The YARA language front end: lexer, parser, AST and diagnostics.
//!
//! - [`ast`]: the tree, every node with its [`Span`].
//! - [`parse`] / [`parse_bytes`]: text to [`SourceFile`], resolving
//!   `include`s, reporting every error it can find as a [`Diagnostic`].
//! - [`Diagnostic`]: a stable code, a message, a span, rendered with the
//!   source line and a caret.
//! - [`sexpr`]: a compact S-expression rendering of conditions and
//!   patterns, for tests and debugging.
//!
//! Internally: `lexer` (tokens on demand), `parser` (recursive descent with
//! precedence climbing), `checks` (the semantic checks YARA-X makes while
//! parsing).
//!
//! This module knows nothing of the compiler or the scanner, and has no
//! `unsafe`.

pub mod ast;
mod checks;
mod diagnostic;
mod lexer;
mod parser;
pub mod sexpr;

pub use ast::{SourceFile, Span};
pub use diagnostic::{Diagnostic, DiagnosticKind, Label, Severity, SourceMap};
pub use parser::{
    MAX_AST_DEPTH, MAX_NESTING, PARSER_STACK, ParseOptions, ParseOutput,
    is_keyword, parse, parse_bytes,
};

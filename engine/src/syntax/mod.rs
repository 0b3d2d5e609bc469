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
//! # Notes for consumers of the tree
//!
//! - Integer literals above `i64::MAX` (YARA-X accepts up to `u64::MAX`)
//!   keep their bit pattern in [`ast::ExprKind::Int`]; `-<literal>` is
//!   folded into the literal, so `-9223372036854775808` is `i64::MIN`.
//! - `uint32(x)` and friends with exactly one argument are `ReadInt`;
//!   with another number of arguments they are a `Call` of the identifier
//!   (YARA-X reports that as wrong arguments, at compile time).
//! - Adjacent hex jumps are merged; a jump is never first or last in a
//!   hex pattern or an alternative.
//! - Expression trees are at most [`MAX_AST_DEPTH`] deep (a 2000-term
//!   `or` chain is 2000 deep): recursive consumers should budget for that.
//! - Type checking, identifier and module resolution and regex syntax are
//!   the compiler's: `Ident`, `Field`, `Call` and `Regex::source` are
//!   unchecked.
//! - Anonymous references (`$`, `#`, `@`, `!`) appear only inside the body
//!   of a `for … of`; every `$name` reference names a declared pattern.
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
    INVALID_BYTE_BASE, MAX_AST_DEPTH, MAX_NESTING, PARSER_STACK, ParseOptions,
    ParseOutput, is_keyword, map_invalid_utf8, parse, parse_bytes,
};

//! The YARA language front end: lexer, parser, AST and diagnostics.
//!
//! - [`ast`]: the tree, every node with its [`Span`].
//! - `parse`: text to [`SourceFile`], resolving `include`s, reporting every
//!   error it can find as a [`Diagnostic`].
//! - [`Diagnostic`]: a stable code, a message, a span, rendered with the
//!   source line and a caret.
//!
//! This module knows nothing of the compiler or the scanner, and has no
//! `unsafe`.

pub mod ast;
mod diagnostic;
mod parser;

pub use ast::{SourceFile, Span};
pub use diagnostic::{Diagnostic, DiagnosticKind, Label, Severity, SourceMap};
pub use parser::{ParseOptions, ParseOutput, parse};

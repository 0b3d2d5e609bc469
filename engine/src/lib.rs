//! sigscan: a high-throughput signature-scanning engine for rules in the
//! YARA language (the dialect YARA-X 1.22 accepts).
//!
//! # Parts
//!
//! - `syntax`: lexer, parser, AST and diagnostics.
//! - `compiler`: rule sources to immutable [`Rules`]: patterns lowered to
//!   atoms and one multi-pattern automaton, conditions to compact code.
//! - `scanner`: [`Scanner`] runs [`Rules`] over bytes and files and returns
//!   [`ScanResults`].
//! - `modules`: `pe`, `elf`, `math`, `hash`, … (parsed lazily per scan).
//! - `database`: the compiled rule database format.
//!
//! # Example
//!
//! ```ignore
//! let mut compiler = sigscan::Compiler::new();
//! compiler.add_source(r#"rule a { strings: $a = "abc" condition: $a }"#)?;
//! let rules = compiler.build()?;
//! let mut scanner = sigscan::Scanner::new(&rules);
//! let results = scanner.scan(b"xxabcxx")?;
//! assert_eq!(results.matching_rules().count(), 1);
//! ```

#![forbid(unsafe_op_in_unsafe_fn)]
// The compiler and scanner are being wired together; until the public
// `Compiler`/`Scanner` use every internal piece, allow what is unused.
#![allow(dead_code, unused_imports)]

pub mod syntax;

mod compiler;
mod modules;
mod scanner;

pub use compiler::{CompileError, Compiler, RuleInfo, Rules, Value};
pub use scanner::{
    Match, MatchingRule, PatternMatches, ScanError, ScanResults, Scanner,
};
pub use syntax::ast::MetaValue;
pub use syntax::{Diagnostic, DiagnosticKind, Label, Severity, Span};

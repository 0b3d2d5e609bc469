//! sigscan: a high-throughput signature-scanning engine for rules in the
//! YARA language (the dialect YARA-X 1.22 accepts).
//!
//! # Parts
//!
//! - `syntax` (public): lexer, parser, AST and [`Diagnostic`]s with
//!   stable codes, rendered with file, line, column and caret.
//! - `compiler`: [`Compiler`] turns sources into immutable [`Rules`]:
//!   patterns lowered to atoms and one multi-pattern automaton
//!   (`compiler::patterns`), conditions resolved, type-checked and lowered
//!   to a flat arena of typed nodes (`compiler::cond`, `compiler::code`),
//!   constants folded where YARA-X folds them.
//! - `scanner`: [`Scanner`] runs [`Rules`] over bytes and files: one search
//!   pass, then conditions evaluated in rule order with YARA-X's semantics
//!   for undefined values; [`ScanResults`] lists [`MatchingRule`]s and
//!   their [`PatternMatches`].
//! - [`database`] (public): [`Rules::serialize`], [`Rules::load`] and
//!   [`Rules::load_verified`]: the compiled rule database, versioned,
//!   digested, optionally signed (Ed25519), validated on load.
//! - `modules`: `pe`, `elf`, `dotnet`, `math`, `hash`, `string`, `time`,
//!   `console` behind one interface (a schema plus a lazily run parser per
//!   scan); [`module_output`] gives what a module makes of some bytes as
//!   a [`ModuleValue`] tree (what `sigscan dump` prints).
//!
//! # Example
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut compiler = sigscan::Compiler::new();
//! compiler.add_source(r#"rule a { strings: $a = "abc" condition: $a }"#)?;
//! let rules = compiler.build()?;
//! let mut scanner = sigscan::Scanner::new(&rules);
//! let results = scanner.scan(b"xxabcxx")?;
//! let rule = results.matching_rules().next().expect("a matches");
//! assert_eq!(rule.identifier(), "a");
//! let pattern = rule.patterns().next().expect("$a");
//! assert_eq!(pattern.matches()[0].offset, 2);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_op_in_unsafe_fn)]

pub mod syntax;

#[doc(hidden)]
pub mod fuzzing;

mod compiler;
pub mod database;
mod modules;
mod scanner;
mod stack;

pub use compiler::{
    CompileError, Compiler, PatternKind, RuleInfo, Rules, Value,
};
pub use database::{DatabaseError, DatabaseInfo};
pub use modules::{ModuleValue, module_names, module_output};
pub use scanner::{
    Match, MatchingRule, PatternMatches, ScanError, ScanResults, Scanner,
};
pub use stack::on_deep_stack;
pub use syntax::ast::{MetaValue, ModifierKind};
pub use syntax::{Diagnostic, DiagnosticKind, Label, Severity, Span};

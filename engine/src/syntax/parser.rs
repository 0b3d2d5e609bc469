//! Parser entry point.

use std::path::PathBuf;

use super::ast::SourceFile;
use super::diagnostic::{Diagnostic, SourceMap};

/// How to parse.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Accept what YARA-X accepts with `--relaxed-re-syntax`.
    pub relaxed_re_syntax: bool,
    /// Whether `include` is allowed at all.
    pub includes_enabled: bool,
    /// Folders searched for an include not found relative to the including
    /// file.
    pub include_dirs: Vec<PathBuf>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            relaxed_re_syntax: false,
            includes_enabled: true,
            include_dirs: Vec::new(),
        }
    }
}

/// What parsing produced: the tree (partial when there are errors) and every
/// diagnostic found, errors and warnings.
#[derive(Clone, Debug, Default)]
pub struct ParseOutput {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseOutput {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }
}

/// Parses `text`, whose origin (a path, or a name such as `line`) is
/// `origin`. Includes are resolved relative to `origin`'s folder, then the
/// include dirs. Every source read is added to `sources`.
pub fn parse(
    text: &str,
    origin: &str,
    options: &ParseOptions,
    sources: &mut SourceMap,
) -> ParseOutput {
    let _ = (text, origin, options, sources);
    ParseOutput::default()
}

//! Diagnostics: errors and warnings about rule sources, with stable codes,
//! spans and a rendered report (source line and caret).

use std::fmt;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

use super::ast::Span;

/// The texts of every source seen by the parser, indexed by
/// [`Span::source`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceText>,
}

#[derive(Clone, Debug)]
struct SourceText {
    name: String,
    text: String,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a source and returns its id (the value of `Span::source`).
    pub fn add(&mut self, name: &str, text: &str) -> u32 {
        self.files.push(SourceText {
            name: name.to_string(),
            text: text.to_string(),
        });
        u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX)
    }

    /// The name (origin) of source `id`, e.g. a path or `line`.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.files.get(id as usize).map(|f| f.name.as_str())
    }

    pub fn text(&self, id: u32) -> Option<&str> {
        self.files.get(id as usize).map(|f| f.text.as_str())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: u32, offset: u32) -> Option<(usize, usize)> {
        let text = self.text(id)?;
        let mut off = (offset as usize).min(text.len());
        while !text.is_char_boundary(off) {
            off -= 1;
        }
        let before = &text[..off];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Some((line, col))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// What a diagnostic is about. Each kind has a stable code (see
/// [`DiagnosticKind::code`]); codes are never reused for something else.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    // ---- lexical and syntax errors (E0xx)
    /// Unexpected token or character.
    SyntaxError,
    /// A string literal that is not closed before the end of the line.
    UnterminatedString,
    /// A `/* */` comment that is not closed.
    UnterminatedComment,
    /// A regular expression that is not closed.
    UnterminatedRegex,
    /// An escape sequence not allowed in a text string.
    InvalidEscape,
    /// An integer literal that does not fit in 64 bits.
    IntegerOverflow,
    /// A malformed number.
    InvalidNumber,
    /// Source text that is not valid UTF-8.
    InvalidUtf8,
    /// Nesting deeper than the parser allows.
    TooDeep,
    // ---- includes (E1xx)
    IncludeNotFound,
    IncludeCycle,
    IncludesDisabled,
    // ---- declarations (E2xx)
    DuplicateRule,
    DuplicatePattern,
    DuplicateTag,
    DuplicateModifier,
    UnusedPattern,
    UnknownModule,
    UnknownIdentifier,
    UnknownPattern,
    UnknownField,
    // ---- patterns (E3xx)
    InvalidModifier,
    InvalidModifierCombination,
    EmptyPattern,
    InvalidHexPattern,
    InvalidJump,
    InvalidRegex,
    InvalidXorRange,
    InvalidBase64Alphabet,
    TooManyPatterns,
    SlowPattern,
    // ---- conditions (E4xx)
    WrongType,
    WrongArguments,
    InvalidRange,
    NumberOutOfRange,
    DivisionByZero,
    PatternOutsideFor,
    InvalidPercentage,
    NotIndexable,
    NotCallable,
    AssignmentMismatch,
    // ---- warnings (W0xx)
    /// `all of them` in a rule without patterns and similar.
    ConstantCondition,
    /// A regex or pattern YARA-X accepts only with relaxed syntax.
    RelaxedRegex,
    /// An `Ident` in `of (...)` that names nothing.
    InvariantExpression,
    /// Other warnings.
    Other,
    /// A construct YARA-X no longer supports (e.g. `entrypoint`).
    Unsupported,
    /// An integer, float or string used as a boolean (warning).
    NonBooleanAsBoolean,
    /// An expression that reads two ways, e.g. `0 of them` (warning).
    AmbiguousExpression,
    /// A comparison that can never hold, e.g. `uint8(0) == 0x100`
    /// (warning).
    UnsatisfiableExpression,
}

impl DiagnosticKind {
    /// The stable code of this kind, e.g. `E001`.
    pub fn code(self) -> &'static str {
        use DiagnosticKind::*;
        match self {
            SyntaxError => "E001",
            UnterminatedString => "E002",
            UnterminatedComment => "E003",
            UnterminatedRegex => "E004",
            InvalidEscape => "E005",
            IntegerOverflow => "E006",
            InvalidNumber => "E007",
            InvalidUtf8 => "E008",
            TooDeep => "E009",
            IncludeNotFound => "E101",
            IncludeCycle => "E102",
            IncludesDisabled => "E103",
            DuplicateRule => "E201",
            DuplicatePattern => "E202",
            DuplicateTag => "E203",
            DuplicateModifier => "E204",
            UnusedPattern => "E205",
            UnknownModule => "E206",
            UnknownIdentifier => "E207",
            UnknownPattern => "E208",
            UnknownField => "E209",
            InvalidModifier => "E301",
            InvalidModifierCombination => "E302",
            EmptyPattern => "E303",
            InvalidHexPattern => "E304",
            InvalidJump => "E305",
            InvalidRegex => "E306",
            InvalidXorRange => "E307",
            InvalidBase64Alphabet => "E308",
            TooManyPatterns => "E309",
            SlowPattern => "E310",
            WrongType => "E401",
            WrongArguments => "E402",
            InvalidRange => "E403",
            NumberOutOfRange => "E404",
            DivisionByZero => "E405",
            PatternOutsideFor => "E406",
            InvalidPercentage => "E407",
            NotIndexable => "E408",
            NotCallable => "E409",
            AssignmentMismatch => "E410",
            ConstantCondition => "W001",
            RelaxedRegex => "W002",
            InvariantExpression => "W003",
            Other => "W999",
            Unsupported => "E411",
            NonBooleanAsBoolean => "W004",
            AmbiguousExpression => "W005",
            UnsatisfiableExpression => "W006",
        }
    }
}

/// A secondary note pointing at a span.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// An error or warning about rule sources.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: DiagnosticKind,
    pub message: String,
    /// Where the problem is.
    pub span: Span,
    /// What to say under the caret of the primary span.
    pub label: String,
    /// Further spans worth showing (e.g. the first declaration of a
    /// duplicate).
    pub secondary: Vec<Label>,
    /// Free-text notes printed after the snippet (e.g. the include chain).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(
        kind: DiagnosticKind,
        message: impl Into<String>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            kind,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn warning(
        kind: DiagnosticKind,
        message: impl Into<String>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(kind, message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_secondary(
        mut self,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.secondary.push(Label { span, message: message.into() });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Renders the diagnostic as plain text (no colours): a header with
    /// severity, code and message, then `--> file:line:column`, the source
    /// line and a caret under the span, then the notes.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut files = SimpleFiles::new();
        let ids: Vec<usize> = sources
            .files
            .iter()
            .map(|f| files.add(f.name.clone(), f.text.clone()))
            .collect();
        let file_of = |s: Span| ids.get(s.source as usize).copied();
        let sev = match self.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
        };
        let mut d = cs::Diagnostic::new(sev)
            .with_code(self.code())
            .with_message(&self.message)
            .with_notes(self.notes.clone());
        let mut labels = Vec::new();
        if let Some(f) = file_of(self.span) {
            labels.push(
                cs::Label::primary(f, range(self.span))
                    .with_message(&self.label),
            );
        }
        for l in &self.secondary {
            if let Some(f) = file_of(l.span) {
                labels.push(
                    cs::Label::secondary(f, range(l.span))
                        .with_message(&l.message),
                );
            }
        }
        d = d.with_labels(labels);
        let config = term::Config::default();
        let mut out = String::new();
        if term::emit_to_string(&mut out, &config, &files, &d).is_err() {
            return format!(
                "{}[{}]: {}\n",
                sev_name(self.severity),
                self.code(),
                self.message
            );
        }
        out
    }
}

fn sev_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn range(s: Span) -> std::ops::Range<usize> {
    s.start as usize..(s.end.max(s.start)) as usize
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]: {}",
            sev_name(self.severity),
            self.code(),
            self.message
        )
    }
}

impl std::error::Error for Diagnostic {}

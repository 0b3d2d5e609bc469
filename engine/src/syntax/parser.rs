//! The parser: tokens to the [`ast`](super::ast), with `include`s resolved.
//!
//! A hand-written recursive-descent parser. Boolean structure (`or`, `and`,
//! `not`, quantifiers, `for`, `with`) is parsed by one family of functions
//! and value expressions (arithmetic, bitwise, field access, …) by a
//! precedence-climbing loop, following the grammar YARA-X 1.22 accepts:
//!
//! | precedence (low to high) | operators                                |
//! |--------------------------|------------------------------------------|
//! | 1                        | `or`                                     |
//! | 2                        | `and`                                    |
//! | 3                        | `not`, `defined` (prefix)                |
//! | 4                        | `==` `!=` `<` `<=` `>` `>=` `contains` … |
//! | 5                        | `\|`                                     |
//! | 6                        | `^`                                      |
//! | 7                        | `&`                                      |
//! | 8                        | `<<` `>>`                                |
//! | 9                        | `+` `-`                                  |
//! | 10                       | `*` `\` `%`                              |
//! | 11                       | `-` `~` (prefix)                         |
//! | 12                       | `.field` `[index]` `(args)`              |
//!
//! Binary operators are left-associative. `true`, `false`, pattern matches
//! and the results of comparisons are not value expressions: they cannot
//! be operands of arithmetic or comparisons (YARA-X rejects `true == true`).
//!
//! Errors abort the current rule; parsing resumes at the next `rule`.
//! Nesting is bounded ([`MAX_NESTING`], [`MAX_AST_DEPTH`]) so hostile input
//! cannot exhaust the stack.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use super::ast::*;
use super::checks;
use super::diagnostic::{Diagnostic, DiagnosticKind, SourceMap};
use super::lexer::{Lexer, Tok, Token, hex_val, space_len};

/// How deeply expressions may nest, in units: a parenthesised boolean
/// expression costs 2, a prefix operator 1, a parenthesised value 3. YARA-X
/// 1.22 accepts about 495 levels of parentheses and 996 of `not`; this
/// accepts 500 and 1000.
pub const MAX_NESTING: u32 = 1000;

/// The deepest expression tree the parser builds (a long `1 + 2 + …`
/// chain counts one level per operator; `and` / `or` chains are
/// balanced, see `LEFT_DEEP_CHAIN`).
pub const MAX_AST_DEPTH: u32 = 2000;

/// Longer `and` / `or` chains are built as balanced trees (see
/// `Parser::chain`).
const LEFT_DEEP_CHAIN: usize = 64;

/// How many errors are reported before the parser gives up on a source.
const MAX_ERRORS: usize = 100;

/// How deeply includes may nest.
const MAX_INCLUDE_DEPTH: usize = 32;

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
///
/// The parser is recursive; it runs on a helper thread with a large stack
/// ([`PARSER_STACK`]) so that the nesting YARA-X accepts (hundreds of
/// levels) parses whatever the caller's stack, and falls back to the
/// caller's thread if no thread can be started.
pub fn parse(
    text: &str,
    origin: &str,
    options: &ParseOptions,
    sources: &mut SourceMap,
) -> ParseOutput {
    run(text, origin, options, sources, false)
}

/// Runs the parser on its own thread (see [`parse`]). `mapped` says that
/// `text` came from [`map_invalid_utf8`].
fn run(
    text: &str,
    origin: &str,
    options: &ParseOptions,
    sources: &mut SourceMap,
    mapped: bool,
) -> ParseOutput {
    let spawned = crate::stack::deep("sigscan-parser", || {
        parse_here(text, origin, options, sources, mapped)
    });
    match spawned {
        Some(Ok(out)) => out,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => parse_here(text, origin, options, sources, mapped),
    }
}

/// The stack size of the parser thread (reserved, not committed: only the
/// pages a deep input touches are used).
pub const PARSER_STACK: usize = crate::stack::DEEP_STACK;

fn parse_here(
    text: &str,
    origin: &str,
    options: &ParseOptions,
    sources: &mut SourceMap,
    mapped: bool,
) -> ParseOutput {
    let mut ctx = Ctx {
        options,
        sources,
        out: ParseOutput::default(),
        rule_names: HashMap::new(),
        chain: Vec::new(),
    };
    ctx.parse_source(text, origin, Path::new(origin), mapped);
    ctx.out
}

/// Like [`parse`], for source bytes that may not be UTF-8.
///
/// As in YARA-X, bytes that are not UTF-8 are accepted inside text strings
/// (where they stand for themselves: a Latin-1 `é` is the byte 0xE9) and
/// comments; anywhere else they are reported as
/// [`DiagnosticKind::InvalidUtf8`]. Regular expressions with such bytes are
/// reported too.
///
/// The text kept in `sources` (and the spans) is the source with each
/// invalid byte replaced by a private-use character (see
/// [`map_invalid_utf8`]).
pub fn parse_bytes(
    bytes: &[u8],
    origin: &str,
    options: &ParseOptions,
    sources: &mut SourceMap,
) -> ParseOutput {
    match std::str::from_utf8(bytes) {
        Ok(text) => run(text, origin, options, sources, false),
        Err(_) => {
            let text = map_invalid_utf8(bytes);
            run(&text, origin, options, sources, true)
        }
    }
}

/// The first of the 256 private-use characters that stand for the bytes of
/// a source that are not UTF-8 (U+10FF00 is the byte 0x00, U+10FFFF 0xFF).
pub const INVALID_BYTE_BASE: u32 = 0x10FF00;

/// `bytes` as text, each byte of an invalid UTF-8 sequence replaced by the
/// character `INVALID_BYTE_BASE + byte`.
pub fn map_invalid_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 4);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            let c = char::from_u32(INVALID_BYTE_BASE + u32::from(b));
            out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        }
    }
    out
}

/// State shared by a source and the files it includes.
struct Ctx<'o> {
    options: &'o ParseOptions,
    sources: &'o mut SourceMap,
    out: ParseOutput,
    rule_names: HashMap<String, Span>,
    /// The include chain: (canonical path, source name).
    chain: Vec<(PathBuf, String)>,
}

impl Ctx<'_> {
    fn parse_source(
        &mut self,
        text: &str,
        name: &str,
        path: &Path,
        mapped: bool,
    ) {
        let id = self.sources.add(name, text);
        let canonical = path.canonicalize().unwrap_or(path.to_path_buf());
        self.chain.push((canonical, name.to_string()));
        let mut p = Parser::new(text, id, mapped);
        let start_errors = self.out.diagnostics.len();
        loop {
            if self.out.diagnostics.len() - start_errors + p.diags.len()
                > MAX_ERRORS
            {
                let sp = p.peek().clone();
                let span = p.span(sp.start, sp.end);
                p.diags.push(Diagnostic::error(
                    DiagnosticKind::SyntaxError,
                    "too many errors, giving up on this source",
                    span,
                ));
                break;
            }
            match p.top_item() {
                Ok(None) => break,
                Ok(Some(Item::Import(i))) => self.out.file.imports.push(i),
                Ok(Some(Item::Rule(r))) => {
                    self.flush(&mut p);
                    self.add_rule(r);
                }
                Ok(Some(Item::Include(file, span))) => {
                    self.flush(&mut p);
                    self.include(&file, span, path, name);
                }
                Err(Abort) => p.recover(),
            }
        }
        self.flush(&mut p);
        self.chain.pop();
    }

    /// Moves the parser's diagnostics to the output, noting the include
    /// chain when the source was included.
    fn flush(&mut self, p: &mut Parser) {
        for d in p.take_diags() {
            let d = self.chain_notes(d);
            self.out.diagnostics.push(d);
        }
    }

    fn add_rule(&mut self, rule: Rule) {
        if let Some(first) = self.rule_names.get(&rule.name.name) {
            let d = Diagnostic::error(
                DiagnosticKind::DuplicateRule,
                format!("duplicate rule `{}`", rule.name.name),
                rule.name.span,
            )
            .with_label(format!("`{}` declared again here", rule.name.name))
            .with_secondary(*first, "first declared here");
            self.out.diagnostics.push(d);
            return;
        }
        self.rule_names.insert(rule.name.name.clone(), rule.name.span);
        self.out.file.rules.push(rule);
    }

    fn chain_notes(&self, d: Diagnostic) -> Diagnostic {
        let mut d = d;
        for (_, name) in self.chain.iter().rev().skip(1) {
            d = d.with_note(format!("included from `{name}`"));
        }
        d
    }

    fn include(
        &mut self,
        file: &str,
        span: Span,
        current: &Path,
        current_name: &str,
    ) {
        if !self.options.includes_enabled {
            let d = Diagnostic::error(
                DiagnosticKind::IncludesDisabled,
                "includes are disabled",
                span,
            )
            .with_label("`include` is not allowed here");
            self.out.diagnostics.push(self.chain_notes(d));
            return;
        }
        let dir = current.parent().unwrap_or(Path::new(""));
        let mut candidates = vec![dir.join(file)];
        candidates
            .extend(self.options.include_dirs.iter().map(|d| d.join(file)));
        let Some(found) = candidates.into_iter().find(|p| p.is_file()) else {
            let d = Diagnostic::error(
                DiagnosticKind::IncludeNotFound,
                format!("included file `{file}` not found"),
                span,
            )
            .with_label("cannot find this file");
            self.out.diagnostics.push(self.chain_notes(d));
            return;
        };
        // Name the source after the path as written (relative to the
        // including source's name, or to the include dir it was found in)
        // so that diagnostics do not depend on where the rules live.
        let name = if found == dir.join(file) {
            let parent = Path::new(current_name).parent();
            parent.unwrap_or(Path::new("")).join(file).display().to_string()
        } else {
            file.to_string()
        };
        let canonical = found.canonicalize().unwrap_or(found.clone());
        if self.chain.iter().any(|(p, _)| *p == canonical) {
            let mut names: Vec<String> =
                self.chain.iter().map(|(_, n)| format!("`{n}`")).collect();
            names.push(format!("`{name}`"));
            let d = Diagnostic::error(
                DiagnosticKind::IncludeCycle,
                format!("include cycle: `{name}` includes itself"),
                span,
            )
            .with_label("this include closes a cycle")
            .with_note(format!("include chain: {}", names.join(" -> ")));
            self.out.diagnostics.push(d);
            return;
        }
        if self.chain.len() >= MAX_INCLUDE_DEPTH {
            let d = Diagnostic::error(
                DiagnosticKind::TooDeep,
                "includes nested too deeply",
                span,
            )
            .with_label(format!("more than {MAX_INCLUDE_DEPTH} levels"));
            self.out.diagnostics.push(self.chain_notes(d));
            return;
        }
        let bytes = match std::fs::read(&found) {
            Ok(b) => b,
            Err(e) => {
                let d = Diagnostic::error(
                    DiagnosticKind::IncludeNotFound,
                    format!("cannot read included file `{file}`: {e}"),
                    span,
                );
                self.out.diagnostics.push(self.chain_notes(d));
                return;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => self.parse_source(&text, &name, &found, false),
            Err(e) => {
                let text = map_invalid_utf8(e.as_bytes());
                self.parse_source(&text, &name, &found, true);
            }
        }
    }
}

/// A rule, an import or an include.
enum Item {
    Import(Import),
    Include(String, Span),
    Rule(Rule),
}

/// The current rule was abandoned (the error is already reported).
#[derive(Debug)]
pub(crate) struct Abort;

type PResult<T> = Result<T, Abort>;

/// An expression and the depth of its tree.
struct N {
    e: Expr,
    d: u32,
}

const KEYWORDS: &[&str] = &[
    "all",
    "and",
    "any",
    "ascii",
    "at",
    "base64",
    "base64wide",
    "condition",
    "contains",
    "defined",
    "endswith",
    "entrypoint",
    "false",
    "filesize",
    "for",
    "fullword",
    "global",
    "icontains",
    "iendswith",
    "iequals",
    "import",
    "in",
    "include",
    "istartswith",
    "matches",
    "meta",
    "nocase",
    "none",
    "not",
    "of",
    "or",
    "private",
    "rule",
    "startswith",
    "strings",
    "them",
    "true",
    "wide",
    "with",
    "xor",
];

/// Whether `s` is a reserved word of the language.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

fn int_type(name: &str) -> Option<IntType> {
    let (signed, rest) = match name.strip_prefix("u") {
        Some(r) => (false, r),
        None => (true, name),
    };
    let rest = rest.strip_prefix("int")?;
    let (bits, big_endian) = match rest {
        "8" => (8, false),
        "16" => (16, false),
        "32" => (32, false),
        "8be" => (8, true),
        "16be" => (16, true),
        "32be" => (32, true),
        _ => return None,
    };
    Some(IntType { bits, signed, big_endian })
}

fn describe(tok: &Tok, text: &str) -> String {
    match tok {
        Tok::Eof => "end of file".into(),
        Tok::Str(_) => "a string".into(),
        Tok::Regex { .. } => "a regular expression".into(),
        _ => {
            let t: String = text.chars().take(40).collect();
            format!("`{}`", t.escape_debug())
        }
    }
}

fn cmp_op(tok: &Tok, text: &str) -> Option<BinaryOp> {
    Some(match tok {
        Tok::EqEq => BinaryOp::Eq,
        Tok::Ne => BinaryOp::Ne,
        Tok::Lt => BinaryOp::Lt,
        Tok::Le => BinaryOp::Le,
        Tok::Gt => BinaryOp::Gt,
        Tok::Ge => BinaryOp::Ge,
        Tok::Ident => match text {
            "contains" => BinaryOp::Contains,
            "icontains" => BinaryOp::IContains,
            "startswith" => BinaryOp::StartsWith,
            "istartswith" => BinaryOp::IStartsWith,
            "endswith" => BinaryOp::EndsWith,
            "iendswith" => BinaryOp::IEndsWith,
            "iequals" => BinaryOp::IEquals,
            "matches" => BinaryOp::Matches,
            _ => return None,
        },
        _ => return None,
    })
}

/// Binding power of a value (arithmetic/bitwise) operator.
fn value_op(tok: &Tok) -> Option<(u8, BinaryOp)> {
    Some(match tok {
        Tok::Pipe => (1, BinaryOp::BitOr),
        Tok::Caret => (2, BinaryOp::BitXor),
        Tok::Amp => (3, BinaryOp::BitAnd),
        Tok::Shl => (4, BinaryOp::Shl),
        Tok::Shr => (4, BinaryOp::Shr),
        Tok::Plus => (5, BinaryOp::Add),
        Tok::Minus => (5, BinaryOp::Sub),
        Tok::Star => (6, BinaryOp::Mul),
        Tok::Backslash => (6, BinaryOp::Div),
        Tok::Percent => (6, BinaryOp::Mod),
        _ => return None,
    })
}

/// Whether `e` is a value expression (may be an operand of arithmetic and
/// comparisons), as opposed to a boolean-only form.
pub(crate) fn is_value(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::True
        | ExprKind::False
        | ExprKind::PatternMatch { .. }
        | ExprKind::Of { .. }
        | ExprKind::ForOf { .. }
        | ExprKind::ForIn { .. }
        | ExprKind::With { .. } => false,
        ExprKind::Unary { op, .. } => {
            matches!(op, UnaryOp::Neg | UnaryOp::BitNot)
        }
        ExprKind::Binary { op, .. } => value_op_kind(*op),
        _ => true,
    }
}

fn value_op_kind(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        BitOr | BitXor | BitAnd | Shl | Shr | Add | Sub | Mul | Div | Mod
    )
}

/// Appends a jump to a hex token sequence, merging it with a jump right
/// before it (`[1] [2-3]` is `[3-4]`).
fn push_jump(out: &mut Vec<HexToken>, j: HexToken) {
    if let (
        Some(HexToken::Jump { start, end, span }),
        HexToken::Jump { start: s2, end: e2, span: sp2 },
    ) = (out.last_mut(), &j)
    {
        *start = start.saturating_add(*s2);
        *end = match (*end, *e2) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            _ => None,
        };
        *span = span.join(*sp2);
        return;
    }
    out.push(j);
}

/// The parser of one source text.
pub(crate) struct Parser<'a> {
    lx: Lexer<'a>,
    look: VecDeque<Token>,
    diags: Vec<Diagnostic>,
    nesting: u32,
    source: u32,
    last: Span,
}

impl<'a> Parser<'a> {
    pub fn new(text: &'a str, source: u32, mapped: bool) -> Parser<'a> {
        Parser {
            lx: Lexer::new(text, source, mapped),
            look: VecDeque::new(),
            diags: Vec::new(),
            nesting: 0,
            source,
            last: Span { source, start: 0, end: 0 },
        }
    }

    fn take_diags(&mut self) -> Vec<Diagnostic> {
        let mut v = std::mem::take(&mut self.lx.diagnostics);
        v.append(&mut self.diags);
        v.sort_by_key(|d| (d.span.start, d.span.end));
        v
    }

    fn span(&self, start: u32, end: u32) -> Span {
        Span { source: self.source, start, end }
    }

    fn tspan(&self, t: &Token) -> Span {
        self.span(t.start, t.end)
    }

    fn peek_n(&mut self, n: usize) -> &Token {
        while self.look.len() <= n {
            let t = self.lx.next_token();
            self.look.push_back(t);
        }
        &self.look[n]
    }

    fn peek(&mut self) -> &Token {
        self.peek_n(0)
    }

    fn bump(&mut self) -> Token {
        self.peek();
        let t = self.look.pop_front().unwrap_or(Token {
            tok: Tok::Eof,
            start: 0,
            end: 0,
        });
        self.last = self.span(t.start, t.end);
        t
    }

    fn text_of(&self, t: &Token) -> &'a str {
        self.lx.text().get(t.start as usize..t.end as usize).unwrap_or("")
    }

    /// Whether the next token is the keyword (or identifier) `kw`.
    fn at_kw(&mut self, kw: &str) -> bool {
        let t = self.peek().clone();
        t.tok == Tok::Ident && self.text_of(&t) == kw
    }

    fn at_kw_n(&mut self, n: usize, kw: &str) -> bool {
        let t = self.peek_n(n).clone();
        t.tok == Tok::Ident && self.text_of(&t) == kw
    }

    fn eat_kw(&mut self, kw: &str) -> Option<Token> {
        if self.at_kw(kw) { Some(self.bump()) } else { None }
    }

    fn at(&mut self, tok: &Tok) -> bool {
        self.peek().tok == *tok
    }

    fn eat(&mut self, tok: &Tok) -> Option<Token> {
        if self.at(tok) { Some(self.bump()) } else { None }
    }

    /// Reports "expected …, found …" at the next token.
    fn expected(&mut self, what: &str) -> Abort {
        let t = self.peek().clone();
        if t.tok == Tok::Error {
            return Abort; // the lexer reported it
        }
        let found = describe(&t.tok, self.text_of(&t));
        let span = self.tspan(&t);
        self.report(
            DiagnosticKind::SyntaxError,
            format!("syntax error: expected {what}, found {found}"),
            span,
            format!("expected {what}"),
        );
        Abort
    }

    fn expect(&mut self, tok: Tok, what: &str) -> PResult<Token> {
        match self.eat(&tok) {
            Some(t) => Ok(t),
            None => Err(self.expected(what)),
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<Token> {
        match self.eat_kw(kw) {
            Some(t) => Ok(t),
            None => Err(self.expected(&format!("`{kw}`"))),
        }
    }

    /// Records an error with a label under its span.
    fn report(
        &mut self,
        kind: DiagnosticKind,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(kind, message, span).with_label(label));
    }

    fn error(&mut self, kind: DiagnosticKind, msg: String, span: Span) {
        self.diags.push(Diagnostic::error(kind, msg, span));
    }

    fn enter(&mut self, at: Span) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            self.nesting -= 1;
            return Err(self.err_nesting(at));
        }
        Ok(())
    }

    #[cold]
    fn err_nesting(&mut self, at: Span) -> Abort {
        self.report(
            DiagnosticKind::TooDeep,
            "expression nested too deeply",
            at,
            format!("more than {MAX_NESTING} levels of nesting"),
        );
        Abort
    }

    fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    /// Skips to the next token that can start a top-level item.
    fn recover(&mut self) {
        self.nesting = 0;
        // Lexical errors while skipping are noise: drop them. (Tokens
        // already looked at were lexed, and reported, before.)
        self.lx.quiet = true;
        loop {
            let t = self.peek().clone();
            if t.tok == Tok::Eof {
                break;
            }
            if t.tok == Tok::Ident
                && matches!(
                    self.text_of(&t),
                    "rule" | "private" | "global" | "import" | "include"
                )
            {
                // `private` is also a modifier; only stop if a rule follows.
                let name = self.text_of(&t);
                if name != "private" && name != "global" {
                    break;
                }
                let mut n = 1;
                while self.at_kw_n(n, "private") || self.at_kw_n(n, "global") {
                    n += 1;
                }
                if self.at_kw_n(n, "rule") {
                    break;
                }
            }
            self.bump();
        }
        self.lx.quiet = false;
    }

    // ---- top level

    fn top_item(&mut self) -> PResult<Option<Item>> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Eof => Ok(None),
            Tok::Ident => match self.text_of(&t) {
                "import" => {
                    self.bump();
                    let (s, span) = self.string_lit("a module name")?;
                    let span = self.tspan(&t).join(span);
                    let module = String::from_utf8_lossy(&s).into_owned();
                    Ok(Some(Item::Import(Import { module, span })))
                }
                "include" => {
                    self.bump();
                    let (s, span) = self.string_lit("a file name")?;
                    let span = self.tspan(&t).join(span);
                    let file = String::from_utf8_lossy(&s).into_owned();
                    Ok(Some(Item::Include(file, span)))
                }
                "rule" | "private" | "global" => {
                    Ok(Some(Item::Rule(self.rule()?)))
                }
                _ => Err(self.expected("`import`, `include` or `rule`")),
            },
            _ => Err(self.expected("`import`, `include` or `rule`")),
        }
    }

    fn string_lit(&mut self, what: &str) -> PResult<(Vec<u8>, Span)> {
        let t = self.peek().clone();
        if let Tok::Str(s) = t.tok {
            self.bump();
            return Ok((s, self.span(t.start, t.end)));
        }
        Err(self.expected(what))
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        let t = self.peek().clone();
        if t.tok == Tok::Ident {
            let name = self.text_of(&t);
            if !is_keyword(name) {
                self.bump();
                return Ok(Ident { name: name.into(), span: self.tspan(&t) });
            }
        }
        Err(self.expected(what))
    }

    fn rule(&mut self) -> PResult<Rule> {
        let first = self.peek().clone();
        let mut is_private = false;
        let mut is_global = false;
        loop {
            if let Some(t) = self.eat_kw("private") {
                if is_private {
                    self.dup_rule_modifier(&t);
                }
                is_private = true;
            } else if let Some(t) = self.eat_kw("global") {
                if is_global {
                    self.dup_rule_modifier(&t);
                }
                is_global = true;
            } else {
                break;
            }
        }
        self.expect_kw("rule")?;
        let name = self.ident("a rule identifier")?;
        let mut tags: Vec<Ident> = Vec::new();
        if self.eat(&Tok::Colon).is_some() {
            loop {
                let t = self.peek().clone();
                if t.tok != Tok::Ident || is_keyword(self.text_of(&t)) {
                    break;
                }
                let tag = self.ident("a tag")?;
                if let Some(prev) = tags.iter().find(|p| p.name == tag.name) {
                    let d = Diagnostic::error(
                        DiagnosticKind::DuplicateTag,
                        format!("duplicate tag `{}`", tag.name),
                        tag.span,
                    )
                    .with_label("duplicate tag")
                    .with_secondary(prev.span, "first used here");
                    self.diags.push(d);
                } else {
                    tags.push(tag);
                }
            }
            if tags.is_empty() {
                return Err(self.expected("a tag"));
            }
        }
        self.expect(Tok::LBrace, "`{`")?;
        let mut meta = Vec::new();
        let mut patterns = Vec::new();
        if self.at_kw("meta") {
            self.bump();
            self.expect(Tok::Colon, "`:`")?;
            meta = self.meta_section()?;
        }
        if self.at_kw("strings") {
            self.bump();
            self.expect(Tok::Colon, "`:`")?;
            patterns = self.strings_section()?;
        }
        if !self.at_kw("condition") {
            let what = if patterns.is_empty() && meta.is_empty() {
                "`meta`, `strings` or `condition`"
            } else {
                "`condition`"
            };
            return Err(self.expected(what));
        }
        self.bump();
        self.expect(Tok::Colon, "`:`")?;
        let condition = self.boolean_expr()?.e;
        let end = self.expect(Tok::RBrace, "an operator or `}`")?;
        let rule = Rule {
            is_private,
            is_global,
            name,
            tags,
            meta,
            patterns,
            condition,
            span: self.span(first.start, end.end),
        };
        checks::check_rule(&rule, &mut self.diags);
        Ok(rule)
    }

    fn dup_rule_modifier(&mut self, t: &Token) {
        let span = self.tspan(t);
        let name = self.text_of(t);
        self.report(
            DiagnosticKind::DuplicateModifier,
            format!("duplicate rule modifier `{name}`"),
            span,
            "duplicate modifier",
        );
    }

    fn meta_section(&mut self) -> PResult<Vec<Meta>> {
        let mut out = Vec::new();
        loop {
            let t = self.peek().clone();
            if t.tok != Tok::Ident
                || matches!(self.text_of(&t), "strings" | "condition")
            {
                break;
            }
            let key = self.ident("a metadata identifier")?;
            self.expect(Tok::Assign, "`=`")?;
            let v = self.bump();
            let neg = v.tok == Tok::Minus;
            let v = if neg { self.bump() } else { v };
            let value = match (&v.tok, neg) {
                (Tok::Str(s), false) => MetaValue::Str(s.clone()),
                (Tok::Int(i), _) => {
                    MetaValue::Int(if neg { i.wrapping_neg() } else { *i })
                }
                (Tok::Float(f), _) => {
                    MetaValue::Float(if neg { -f } else { *f })
                }
                (Tok::Ident, false) if self.text_of(&v) == "true" => {
                    MetaValue::Bool(true)
                }
                (Tok::Ident, false) if self.text_of(&v) == "false" => {
                    MetaValue::Bool(false)
                }
                _ => {
                    self.look.push_front(v);
                    return Err(self.expected(
                        "a string, number or boolean metadata value",
                    ));
                }
            };
            let span = key.span.join(self.tspan(&v));
            out.push(Meta { key, value, span });
        }
        if out.is_empty() {
            return Err(self.expected("a metadata identifier"));
        }
        Ok(out)
    }

    fn strings_section(&mut self) -> PResult<Vec<Pattern>> {
        let mut out: Vec<Pattern> = Vec::new();
        while matches!(self.peek().tok, Tok::PatternIdent) {
            let t = self.bump();
            let ident = Ident {
                name: self.text_of(&t).to_string(),
                span: self.tspan(&t),
            };
            // `=` is consumed without looking further: a hex pattern has
            // its own lexical rules.
            self.expect(Tok::Assign, "`=`")?;
            let pat = self.pattern(ident)?;
            if pat.ident.name != "$" {
                if let Some(prev) =
                    out.iter().find(|p| p.ident.name == pat.ident.name)
                {
                    let d = Diagnostic::error(
                        DiagnosticKind::DuplicatePattern,
                        format!("duplicate pattern `{}`", pat.ident.name),
                        pat.ident.span,
                    )
                    .with_label(format!(
                        "`{}` declared again here",
                        pat.ident.name
                    ))
                    .with_secondary(prev.ident.span, "first declared here");
                    self.diags.push(d);
                    continue;
                }
            }
            out.push(pat);
        }
        if out.is_empty() {
            return Err(self.expected("a pattern identifier"));
        }
        Ok(out)
    }

    fn pattern(&mut self, ident: Ident) -> PResult<Pattern> {
        let kind;
        let kind_span;
        if self.look.is_empty() {
            self.lx.skip_trivia();
            if self.lx.text().as_bytes().get(self.lx.pos()) == Some(&b'{') {
                let hex = self.hex_pattern()?;
                kind_span = hex.span;
                kind = PatternKind::Hex(hex);
                return self.modifiers(ident, kind, kind_span);
            }
        }
        let t = self.peek().clone();
        match t.tok.clone() {
            Tok::Str(s) => {
                self.bump();
                kind_span = self.tspan(&t);
                if s.is_empty() {
                    self.report(
                        DiagnosticKind::EmptyPattern,
                        format!("empty pattern `{}`", ident.name),
                        kind_span,
                        "a pattern can't be empty",
                    );
                }
                kind = PatternKind::Text(s);
            }
            Tok::Regex { .. } => {
                self.bump();
                let re = self.regex_of(&t);
                kind_span = re.span;
                kind = PatternKind::Regex(re);
            }
            _ => {
                return Err(self.expected(
                    "a string, a hex pattern or a regular expression",
                ));
            }
        }
        self.modifiers(ident, kind, kind_span)
    }

    fn regex_of(&self, t: &Token) -> Regex {
        let Tok::Regex { source_end, case_insensitive, dot_all } = t.tok
        else {
            return Regex {
                source: String::new(),
                case_insensitive: false,
                dot_matches_new_line: false,
                span: self.tspan(t),
            };
        };
        let source = self
            .lx
            .text()
            .get(t.start as usize + 1..source_end as usize)
            .unwrap_or("")
            .to_string();
        Regex {
            source,
            case_insensitive,
            dot_matches_new_line: dot_all,
            span: self.tspan(t),
        }
    }

    fn modifiers(
        &mut self,
        ident: Ident,
        kind: PatternKind,
        kind_span: Span,
    ) -> PResult<Pattern> {
        let mut mods: Vec<Modifier> = Vec::new();
        loop {
            let t = self.peek().clone();
            if t.tok != Tok::Ident {
                break;
            }
            let name = self.text_of(&t);
            let start = self.tspan(&t);
            if !matches!(
                name,
                "nocase"
                    | "wide"
                    | "ascii"
                    | "fullword"
                    | "private"
                    | "xor"
                    | "base64"
                    | "base64wide"
            ) {
                break;
            }
            self.bump();
            let (mk, span) = match name {
                "nocase" => (ModifierKind::Nocase, start),
                "wide" => (ModifierKind::Wide, start),
                "ascii" => (ModifierKind::Ascii, start),
                "fullword" => (ModifierKind::Fullword, start),
                "private" => (ModifierKind::Private, start),
                "xor" => self.xor_args(start)?,
                "base64" => {
                    let (alphabet, span) = self.base64_args(start)?;
                    (ModifierKind::Base64 { alphabet }, span)
                }
                _ => {
                    let (alphabet, span) = self.base64_args(start)?;
                    (ModifierKind::Base64Wide { alphabet }, span)
                }
            };
            let m = Modifier { kind: mk, span };
            if let Some(prev) = mods.iter().find(|p| {
                std::mem::discriminant(&p.kind)
                    == std::mem::discriminant(&m.kind)
            }) {
                let d = Diagnostic::error(
                    DiagnosticKind::DuplicateModifier,
                    format!("duplicate modifier `{name}`"),
                    m.span,
                )
                .with_label("duplicate modifier")
                .with_secondary(prev.span, "first used here");
                self.diags.push(d);
                continue;
            }
            mods.push(m);
        }
        let span = ident.span.join(kind_span);
        let span = mods.iter().fold(span, |s, m| s.join(m.span));
        let pat = Pattern { ident, kind, modifiers: mods, span };
        checks::check_modifiers(&pat, &mut self.diags);
        Ok(pat)
    }

    fn xor_args(&mut self, start: Span) -> PResult<(ModifierKind, Span)> {
        if self.eat(&Tok::LParen).is_none() {
            return Ok((ModifierKind::Xor { min: 0, max: 255 }, start));
        }
        let min = self.xor_byte()?;
        let max = if self.eat(&Tok::Minus).is_some() {
            self.xor_byte()?
        } else {
            min
        };
        let end = self.expect(Tok::RParen, "`)`")?;
        let span = start.join(self.tspan(&end));
        if min.0 > max.0 {
            self.report(
                DiagnosticKind::InvalidXorRange,
                "invalid xor range",
                span,
                format!(
                    "lower bound ({}) is greater than upper bound ({})",
                    min.0, max.0
                ),
            );
        }
        Ok((ModifierKind::Xor { min: min.0, max: max.0 }, span))
    }

    fn xor_byte(&mut self) -> PResult<(u8, Span)> {
        let t = self.peek().clone();
        let Tok::Int(v) = t.tok else {
            return Err(self.expected("an integer"));
        };
        self.bump();
        let span = self.tspan(&t);
        match u8::try_from(v) {
            Ok(b) => Ok((b, span)),
            Err(_) => {
                self.report(
                    DiagnosticKind::NumberOutOfRange,
                    "xor key out of range",
                    span,
                    "this number is not in the range [0, 255]",
                );
                Ok((255, span))
            }
        }
    }

    fn base64_args(
        &mut self,
        start: Span,
    ) -> PResult<(Option<Vec<u8>>, Span)> {
        if self.eat(&Tok::LParen).is_none() {
            return Ok((None, start));
        }
        let (alphabet, aspan) = self.string_lit("a base64 alphabet")?;
        let end = self.expect(Tok::RParen, "`)`")?;
        let mut seen = [false; 256];
        let dup = alphabet
            .iter()
            .find(|&&b| std::mem::replace(&mut seen[b as usize], true));
        if let (Some(&b), 64) = (dup, alphabet.len()) {
            self.report(
                DiagnosticKind::InvalidBase64Alphabet,
                "invalid base64 alphabet",
                aspan,
                format!("the byte 0x{b:02x} appears twice"),
            );
        }
        if alphabet.len() != 64 {
            self.report(
                DiagnosticKind::InvalidBase64Alphabet,
                "invalid base64 alphabet",
                aspan,
                format!(
                    "the alphabet must be 64 bytes long, not {}",
                    alphabet.len()
                ),
            );
        }
        Ok((Some(alphabet), start.join(self.tspan(&end))))
    }

    // ---- hex patterns

    fn hex_pattern(&mut self) -> PResult<HexPattern> {
        let text = self.lx.text();
        let start = self.lx.pos();
        let mut pos = start + 1;
        let tokens = self.hex_seq(text, &mut pos, 0)?;
        let b = text.as_bytes();
        if b.get(pos) != Some(&b'}') {
            return Err(self.hex_error(
                text,
                pos,
                "a hex byte, `[`, `(` or `}`",
            ));
        }
        pos += 1;
        self.lx.set_pos(pos);
        let span = self.lx.span(start, pos);
        if tokens.is_empty() {
            self.report(
                DiagnosticKind::EmptyPattern,
                "empty hex pattern",
                span,
                "a hex pattern needs at least one byte",
            );
        } else {
            self.check_hex_edges(&tokens, "pattern");
        }
        Ok(HexPattern { tokens, span })
    }

    fn check_hex_edges(&mut self, tokens: &[HexToken], what: &str) {
        let report = |p: &mut Parser, t: &HexToken, where_: &str| {
            if let HexToken::Jump { span, .. } = t {
                p.diags.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidJump,
                        format!(
                            "a jump can't be at the {where_} of a hex {what}"
                        ),
                        *span,
                    )
                    .with_label("jump not allowed here"),
                );
            }
        };
        if let Some(t) = tokens.first() {
            report(self, t, "start");
        }
        if tokens.len() > 1 {
            if let Some(t) = tokens.last() {
                report(self, t, "end");
            }
        }
    }

    fn hex_error(&mut self, text: &str, pos: usize, what: &str) -> Abort {
        let found = match text[pos.min(text.len())..].chars().next() {
            Some(c) => format!("`{}`", c.escape_debug()),
            None => "end of file".to_string(),
        };
        let end = (pos + found.len().min(1)).min(text.len());
        let span = self.lx.span(pos, end.max(pos));
        self.report(
            DiagnosticKind::SyntaxError,
            format!(
                "syntax error in hex pattern: expected {what}, found {found}"
            ),
            span,
            format!("expected {what}"),
        );
        // Resume after the hex pattern if there is a closing brace.
        let resume = text[pos.min(text.len())..]
            .find('}')
            .map_or(text.len(), |i| pos + i + 1);
        self.lx.set_pos(resume);
        Abort
    }

    fn hex_skip(&mut self, text: &str, pos: &mut usize) -> PResult<()> {
        let b = text.as_bytes();
        loop {
            match b.get(*pos) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => *pos += 1,
                Some(0xc2 | 0xe2) if space_len(&b[*pos..]) > 0 => {
                    *pos += space_len(&b[*pos..]);
                }
                Some(b'/') if b.get(*pos + 1) == Some(&b'/') => {
                    while b.get(*pos).is_some_and(|&c| c != b'\n') {
                        *pos += 1;
                    }
                }
                Some(b'/') if b.get(*pos + 1) == Some(&b'*') => {
                    match text[*pos + 2..].find("*/") {
                        Some(i) => *pos += 2 + i + 2,
                        None => {
                            let span = self.lx.span(*pos, *pos + 2);
                            self.error(
                                DiagnosticKind::UnterminatedComment,
                                "unterminated comment".into(),
                                span,
                            );
                            self.lx.set_pos(text.len());
                            return Err(Abort);
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// A sequence of hex tokens, up to `}`, `|` or `)`.
    fn hex_seq(
        &mut self,
        text: &str,
        pos: &mut usize,
        level: u32,
    ) -> PResult<Vec<HexToken>> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        loop {
            self.hex_skip(text, pos)?;
            let start = *pos;
            match b.get(*pos) {
                None | Some(b'}' | b'|' | b')') => {
                    self.check_jumps(&out);
                    return Ok(out);
                }
                Some(b'[') => {
                    *pos += 1;
                    let j = self.hex_jump(text, pos, start)?;
                    push_jump(&mut out, j);
                }
                Some(b'(') => {
                    *pos += 1;
                    let span = self.lx.span(start, start + 1);
                    self.enter(span)?;
                    let r = self.hex_alts(text, pos, start, level);
                    self.leave();
                    out.push(r?);
                }
                Some(_) => {
                    let negated = b.get(*pos) == Some(&b'~');
                    if negated {
                        *pos += 1;
                    }
                    let nib = |c: Option<&u8>| match c {
                        Some(b'?') => Some(None),
                        Some(&c) => hex_val(c).map(Some),
                        None => None,
                    };
                    let (Some(h), Some(l)) =
                        (nib(b.get(*pos)), nib(b.get(*pos + 1)))
                    else {
                        return Err(self.hex_error(
                            text,
                            *pos,
                            "a hex byte, `?`, `[`, `(` or `}`",
                        ));
                    };
                    *pos += 2;
                    let span = self.lx.span(start, *pos);
                    let value = h.unwrap_or(0) << 4 | l.unwrap_or(0);
                    let mask = if h.is_some() { 0xF0 } else { 0 }
                        | if l.is_some() { 0x0F } else { 0 };
                    if negated && mask == 0 {
                        self.report(
                            DiagnosticKind::InvalidHexPattern,
                            "invalid hex pattern",
                            span,
                            "`~??` is not allowed",
                        );
                    }
                    out.push(HexToken::Byte { value, mask, negated, span });
                }
            }
        }
    }

    /// Reports reversed and zero-length jumps, after merging adjacent jumps
    /// as YARA-X does (`[1-2] [0]` is fine, `[0]` alone is not; `[-] [3-1]`
    /// is `[3-]`).
    fn check_jumps(&mut self, tokens: &[HexToken]) {
        for t in tokens {
            if let HexToken::Jump { start, end: Some(end), span } = t {
                if start > end {
                    self.report(
                        DiagnosticKind::InvalidJump,
                        "invalid jump",
                        *span,
                        format!(
                            "lower bound ({start}) is greater than upper \
                             bound ({end})"
                        ),
                    );
                    continue;
                }
            }
            if let HexToken::Jump { end: Some(0), span, .. } = t {
                self.report(
                    DiagnosticKind::InvalidJump,
                    "invalid jump",
                    *span,
                    "a zero-length jump is useless",
                );
            }
        }
    }

    fn hex_alts(
        &mut self,
        text: &str,
        pos: &mut usize,
        start: usize,
        level: u32,
    ) -> PResult<HexToken> {
        let b = text.as_bytes();
        let mut alternatives = Vec::new();
        loop {
            let seq = self.hex_seq(text, pos, level + 1)?;
            if seq.is_empty() {
                return Err(self.hex_error(
                    text,
                    *pos,
                    "a hex byte or `(` in the alternative",
                ));
            }
            self.check_hex_edges(&seq, "alternative");
            alternatives.push(seq);
            match b.get(*pos) {
                Some(b'|') => *pos += 1,
                Some(b')') => {
                    *pos += 1;
                    break;
                }
                _ => return Err(self.hex_error(text, *pos, "`|` or `)`")),
            }
        }
        Ok(HexToken::Alternatives {
            alternatives,
            span: self.lx.span(start, *pos),
        })
    }

    fn hex_jump(
        &mut self,
        text: &str,
        pos: &mut usize,
        start: usize,
    ) -> PResult<HexToken> {
        let b = text.as_bytes();
        let num = |p: &mut Parser, pos: &mut usize| -> PResult<Option<u32>> {
            p.hex_skip(text, pos)?;
            let s = *pos;
            // Decimal, `0x` hex or `0o` octal, as in YARA-X.
            let (radix, digits) = match (b.get(s), b.get(s + 1)) {
                (Some(b'0'), Some(b'x')) => (16, s + 2),
                (Some(b'0'), Some(b'o')) => (8, s + 2),
                _ => (10, s),
            };
            *pos = digits;
            while b.get(*pos).is_some_and(|c| c.is_ascii_hexdigit()) {
                *pos += 1;
            }
            if s == *pos {
                return Ok(None);
            }
            match u32::from_str_radix(&text[digits..*pos], radix) {
                Ok(v) => Ok(Some(v)),
                Err(e) if *e.kind() != std::num::IntErrorKind::PosOverflow => {
                    Err(p.hex_error(text, s, "a jump length"))
                }
                Err(_) => {
                    let span = p.lx.span(s, *pos);
                    p.diags.push(
                        Diagnostic::error(
                            DiagnosticKind::IntegerOverflow,
                            "jump length out of range",
                            span,
                        )
                        .with_label("this number is too large"),
                    );
                    Ok(Some(u32::MAX))
                }
            }
        };
        let lo = num(self, pos)?;
        self.hex_skip(text, pos)?;
        let (lo, hi) = if b.get(*pos) == Some(&b'-') {
            *pos += 1;
            let hi = num(self, pos)?;
            (lo.unwrap_or(0), hi)
        } else {
            match lo {
                Some(v) => (v, Some(v)),
                None => {
                    return Err(self.hex_error(text, *pos, "a jump length"));
                }
            }
        };
        self.hex_skip(text, pos)?;
        if b.get(*pos) != Some(&b']') {
            return Err(self.hex_error(text, *pos, "`]`"));
        }
        *pos += 1;
        let span = self.lx.span(start, *pos);
        Ok(HexToken::Jump { start: lo, end: hi, span })
    }

    // ---- conditions

    fn mk(&mut self, kind: ExprKind, span: Span, d: u32) -> PResult<N> {
        if d > MAX_AST_DEPTH {
            return Err(self.err_too_deep(span));
        }
        Ok(N { e: Expr { kind, span }, d })
    }

    #[cold]
    fn err_too_deep(&mut self, span: Span) -> Abort {
        self.report(
            DiagnosticKind::TooDeep,
            "expression too deep",
            span,
            format!("more than {MAX_AST_DEPTH} levels of operators"),
        );
        Abort
    }

    fn binary(&mut self, op: BinaryOp, l: N, r: N) -> PResult<N> {
        let span = l.e.span.join(r.e.span);
        let d = l.d.max(r.d) + 1;
        self.mk(
            ExprKind::Binary { op, lhs: Box::new(l.e), rhs: Box::new(r.e) },
            span,
            d,
        )
    }

    /// `or`-level expression. Every recursive path of the expression
    /// grammar goes through this function or [`Self::value_expr`], both
    /// bounded by [`MAX_NESTING`].
    fn boolean_expr(&mut self) -> PResult<N> {
        let at = self.peek().clone();
        self.enter(self.tspan(&at))?;
        let r = self.boolean_expr_inner();
        self.leave();
        r
    }

    fn boolean_expr_inner(&mut self) -> PResult<N> {
        let mut items = vec![self.and_expr()?];
        while self.eat_kw("or").is_some() {
            items.push(self.and_expr()?);
        }
        self.chain(BinaryOp::Or, items)
    }

    fn and_expr(&mut self) -> PResult<N> {
        let mut items = vec![self.boolean_term()?];
        while self.eat_kw("and").is_some() {
            items.push(self.boolean_term()?);
        }
        self.chain(BinaryOp::And, items)
    }

    /// The operands of one `and` (or `or`) chain as a tree: left-deep
    /// (`(a or b) or c`) up to [`LEFT_DEEP_CHAIN`] operands, balanced
    /// beyond, so that the hash lists of real rules (thousands of `or`
    /// terms; YARA-X compiles up to about 9,000 `filesize == N` terms)
    /// stay far from [`MAX_AST_DEPTH`] and every walk of the tree stays
    /// shallow. Both operators are associative, and the compiler
    /// flattens a chain into one list whatever its shape.
    fn chain(&mut self, op: BinaryOp, items: Vec<N>) -> PResult<N> {
        let mut items = items.into_iter();
        let Some(first) = items.next() else {
            return Err(Abort);
        };
        if items.len() < LEFT_DEEP_CHAIN {
            let mut lhs = first;
            for rhs in items {
                lhs = self.binary(op, lhs, rhs)?;
            }
            return Ok(lhs);
        }
        // Pairwise rounds: each halves the level's length.
        let mut level: Vec<N> = std::iter::once(first).chain(items).collect();
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            let mut it = level.into_iter();
            while let Some(l) = it.next() {
                match it.next() {
                    Some(r) => next.push(self.binary(op, l, r)?),
                    None => next.push(l),
                }
            }
            level = next;
        }
        level.pop().ok_or(Abort)
    }

    // Debug builds give every local of a function its own stack slot, so
    // the functions on recursive paths are kept small: each form has its
    // own function and the dispatchers hold almost nothing.

    fn boolean_term(&mut self) -> PResult<N> {
        let t = self.peek();
        match t.tok {
            Tok::PatternIdent => self.term_pattern(),
            Tok::LParen => self.term_paren(),
            Tok::Ident => {
                let t = t.clone();
                match self.text_of(&t) {
                    "true" => self.term_literal(ExprKind::True),
                    "false" => self.term_literal(ExprKind::False),
                    "not" => self.term_prefix(UnaryOp::Not),
                    "defined" => self.term_prefix(UnaryOp::Defined),
                    "for" => self.nested(Self::for_expr),
                    "with" => self.nested(Self::with_expr),
                    "all" | "any" | "none" => self.term_of(),
                    _ => self.value_term(),
                }
            }
            _ => self.value_term(),
        }
    }

    /// Runs `f` one nesting level deeper.
    fn nested(&mut self, f: fn(&mut Self) -> PResult<N>) -> PResult<N> {
        let t = self.peek().clone();
        self.enter(self.tspan(&t))?;
        let r = f(self);
        self.leave();
        r
    }

    fn term_literal(&mut self, kind: ExprKind) -> PResult<N> {
        let t = self.bump();
        let span = self.tspan(&t);
        self.mk(kind, span, 1)
    }

    fn term_of(&mut self) -> PResult<N> {
        let t = self.peek().clone();
        let span = self.tspan(&t);
        let q = self.quantifier()?;
        self.of_expr(q, span)
    }

    fn term_pattern(&mut self) -> PResult<N> {
        let t = self.bump();
        let span = self.tspan(&t);
        let pattern = Ident { name: self.text_of(&t).to_string(), span };
        let (anchor, d, end) = self.anchor()?;
        let span = end.map_or(span, |e| span.join(e));
        self.mk(ExprKind::PatternMatch { pattern, anchor }, span, d)
    }

    fn term_prefix(&mut self, op: UnaryOp) -> PResult<N> {
        let t = self.bump();
        let span = self.tspan(&t);
        self.enter(span)?;
        let r = self.boolean_term();
        self.leave();
        let operand = r?;
        let sp = span.join(operand.e.span);
        let d = operand.d + 1;
        self.mk(ExprKind::Unary { op, operand: Box::new(operand.e) }, sp, d)
    }

    /// `( … )` at boolean-term position: a boolean expression, or a value
    /// expression that may continue (`(1 + 2) * 3 == 9`).
    fn term_paren(&mut self) -> PResult<N> {
        let inner = self.paren()?;
        if !is_value(&inner.e) {
            return Ok(inner);
        }
        let lhs = self.value_binary_rest(inner, 0)?;
        self.after_value(lhs)
    }

    /// `( boolean_expr )`, its span covering the parentheses.
    fn paren(&mut self) -> PResult<N> {
        let open = self.bump();
        self.enter(self.tspan(&open))?;
        let inner = self.boolean_expr();
        self.leave();
        let mut inner = inner?;
        let close = self.expect(Tok::RParen, "an operator or `)`")?;
        inner.e.span = self.tspan(&open).join(self.tspan(&close));
        Ok(inner)
    }

    /// A value expression at boolean-term position, followed by `of` (a
    /// quantifier) or comparisons.
    fn value_term(&mut self) -> PResult<N> {
        let lhs = self.value_expr()?;
        self.after_value(lhs)
    }

    fn after_value(&mut self, lhs: N) -> PResult<N> {
        let start = lhs.e.span;
        if self.at_kw("of") {
            let q = Quantifier::Count(Box::new(lhs.e));
            return self.of_expr(q, start);
        }
        if self.at(&Tok::Percent) && self.at_kw_n(1, "of") {
            self.bump();
            let q = Quantifier::Percent(Box::new(lhs.e));
            return self.of_expr(q, start);
        }
        let mut lhs = lhs;
        loop {
            let t = self.peek().clone();
            let Some(op) = cmp_op(&t.tok, self.text_of(&t)) else {
                break;
            };
            self.bump();
            let rhs = self.value_expr()?;
            lhs = self.binary(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    /// `at <expr>` or `in (<lo>..<hi>)` after a pattern or pattern set.
    fn anchor(&mut self) -> PResult<(Option<Anchor>, u32, Option<Span>)> {
        if self.eat_kw("at").is_some() {
            let e = self.value_expr()?;
            let span = e.e.span;
            return Ok((Some(Anchor::At(Box::new(e.e))), e.d + 1, Some(span)));
        }
        if self.eat_kw("in").is_some() {
            let (r, d) = self.range()?;
            let span = r.span;
            return Ok((Some(Anchor::In(r)), d + 1, Some(span)));
        }
        Ok((None, 1, None))
    }

    fn range(&mut self) -> PResult<(Range, u32)> {
        let open = self.expect(Tok::LParen, "`(`")?;
        let lo = self.value_expr()?;
        self.expect(Tok::DotDot, "`..`")?;
        let hi = self.value_expr()?;
        let close = self.expect(Tok::RParen, "`)`")?;
        let span = self.tspan(&open).join(self.tspan(&close));
        let d = lo.d.max(hi.d) + 1;
        Ok((Range { lo: Box::new(lo.e), hi: Box::new(hi.e), span }, d))
    }

    fn quantifier(&mut self) -> PResult<Quantifier> {
        for (kw, q) in [
            ("all", Quantifier::All),
            ("any", Quantifier::Any),
            ("none", Quantifier::None),
        ] {
            if self.eat_kw(kw).is_some() {
                return Ok(q);
            }
        }
        // `50% …`: a primary expression and `%` (`for 50% i in …` must not
        // read as `50 % i`).
        let first = self.unary()?;
        if self.at(&Tok::Percent) {
            self.bump();
            return Ok(Quantifier::Percent(Box::new(first.e)));
        }
        let e = self.value_binary_rest(first, 0)?;
        Ok(Quantifier::Count(Box::new(e.e)))
    }

    fn of_expr(&mut self, quantifier: Quantifier, start: Span) -> PResult<N> {
        self.expect_kw("of")?;
        let t = self.peek().clone();
        let (set, mut end, d) = if self.at_kw("them") {
            self.bump();
            let span = self.tspan(&t);
            (OfSet::Patterns(PatternSet::Them { span }), span, 1)
        } else if t.tok == Tok::LParen && self.at_pattern_tuple() {
            let (set, span) = self.pattern_set()?;
            (OfSet::Patterns(set), span, 1)
        } else if t.tok == Tok::LParen {
            self.bump();
            self.enter(self.tspan(&t))?;
            let r = self.of_tuple(&t);
            self.leave();
            r?
        } else {
            return Err(self.expected("`them` or `(`"));
        };
        let mut d = d;
        let mut anchor = None;
        if let OfSet::Patterns(_) = set {
            let (a, ad, aend) = self.anchor()?;
            anchor = a;
            d = d.max(ad);
            if let Some(e) = aend {
                end = e;
            }
        }
        self.mk(
            ExprKind::Of { quantifier, set, anchor },
            start.join(end),
            d + 1,
        )
    }

    /// Whether the `(` under the cursor opens a pure pattern set,
    /// `($a, $b*, …)`. A tuple that mixes patterns with other boolean
    /// expressions (`($a, true)`, `($a at 0, false)`) is a tuple of
    /// expressions, as in YARA-X.
    fn at_pattern_tuple(&mut self) -> bool {
        let mut i = 1;
        loop {
            if !matches!(
                self.peek_n(i).tok,
                Tok::PatternIdent | Tok::PatternWildcard
            ) {
                return false;
            }
            let next = self.peek_n(i + 1).tok.clone();
            match next {
                // `($a,)`: a trailing comma is allowed.
                Tok::Comma => {
                    if self.peek_n(i + 2).tok == Tok::RParen {
                        return true;
                    }
                    i += 2;
                }
                Tok::RParen => return true,
                _ => return false,
            }
        }
    }

    /// The items of `of ( … )` that is not a pattern set.
    fn of_tuple(&mut self, open: &Token) -> PResult<(OfSet, Span, u32)> {
        let mut items: Vec<N> = Vec::new();
        let mut rules: Vec<RuleSetItem> = Vec::new();
        let mut all_idents = true;
        let mut d = 1;
        loop {
            let t = self.peek().clone();
            if t.tok == Tok::IdentWildcard {
                self.bump();
                let span = self.tspan(&t);
                self.report(
                    DiagnosticKind::SyntaxError,
                    "syntax error: rule wildcards are not supported",
                    span,
                    "YARA-X does not accept `rule*` in a set",
                );
                return Err(Abort);
            }
            let e = self.boolean_expr()?;
            d = d.max(e.d);
            if let ExprKind::Ident(id) = &e.e.kind {
                rules.push(RuleSetItem {
                    name: id.name.clone(),
                    wildcard: false,
                    span: id.span,
                });
            } else {
                all_idents = false;
            }
            items.push(e);
            if self.eat(&Tok::Comma).is_none() {
                break;
            }
        }
        let close = self.expect(Tok::RParen, "`,` or `)`")?;
        let span = self.tspan(open).join(self.tspan(&close));
        if all_idents {
            Ok((OfSet::Rules(rules), span, d))
        } else {
            Ok((
                OfSet::Exprs(items.into_iter().map(|n| n.e).collect()),
                span,
                d,
            ))
        }
    }

    fn pattern_set(&mut self) -> PResult<(PatternSet, Span)> {
        if let Some(t) = self.eat_kw("them") {
            let span = self.tspan(&t);
            return Ok((PatternSet::Them { span }, span));
        }
        let open = self.expect(Tok::LParen, "`them` or `(`")?;
        let mut items = Vec::new();
        loop {
            let t = self.peek().clone();
            let wildcard = match t.tok {
                Tok::PatternIdent => false,
                Tok::PatternWildcard => true,
                _ => return Err(self.expected("a pattern identifier")),
            };
            self.bump();
            let text = self.text_of(&t);
            let name = text.strip_suffix('*').unwrap_or(text).to_string();
            items.push(PatternSetItem {
                name,
                wildcard,
                span: self.tspan(&t),
            });
            if self.eat(&Tok::Comma).is_none() {
                break;
            }
        }
        let close = self.expect(Tok::RParen, "`,` or `)`")?;
        let span = self.tspan(&open).join(self.tspan(&close));
        Ok((PatternSet::List(items), span))
    }

    fn body(&mut self) -> PResult<N> {
        self.expect(Tok::Colon, "`:`")?;
        self.expect(Tok::LParen, "`(`")?;
        let body = self.boolean_expr()?;
        self.expect(Tok::RParen, "an operator or `)`")?;
        Ok(body)
    }

    fn for_expr(&mut self) -> PResult<N> {
        let start = self.bump();
        let start = self.tspan(&start);
        let quantifier = self.quantifier()?;
        if self.eat_kw("of").is_some() {
            let (set, _) = self.pattern_set()?;
            let body = self.body()?;
            let span = start.join(self.last_span());
            let d = body.d + 1;
            return self.mk(
                ExprKind::ForOf { quantifier, set, body: Box::new(body.e) },
                span,
                d,
            );
        }
        let mut vars = vec![self.ident("a loop variable or `of`")?];
        while self.eat(&Tok::Comma).is_some() {
            vars.push(self.ident("a loop variable")?);
        }
        self.expect_kw("in")?;
        let (iterable, d0) = self.iterable()?;
        let body = self.body()?;
        let span = start.join(self.last_span());
        let d = body.d.max(d0) + 1;
        self.mk(
            ExprKind::ForIn {
                quantifier,
                vars,
                iterable,
                body: Box::new(body.e),
            },
            span,
            d,
        )
    }

    /// The span of the token consumed last.
    fn last_span(&self) -> Span {
        self.last
    }

    fn iterable(&mut self) -> PResult<(Iterable, u32)> {
        if !self.at(&Tok::LParen) {
            let e = self.value_expr()?;
            return Ok((Iterable::Expr(Box::new(e.e)), e.d));
        }
        let open = self.bump();
        let first = self.value_expr()?;
        if self.eat(&Tok::DotDot).is_some() {
            let hi = self.value_expr()?;
            let close = self.expect(Tok::RParen, "`)`")?;
            let span = self.tspan(&open).join(self.tspan(&close));
            let d = first.d.max(hi.d) + 1;
            let r = Range { lo: Box::new(first.e), hi: Box::new(hi.e), span };
            return Ok((Iterable::Range(r), d));
        }
        let mut d = first.d;
        let mut items = vec![first.e];
        while self.eat(&Tok::Comma).is_some() {
            let e = self.value_expr()?;
            d = d.max(e.d);
            items.push(e.e);
        }
        self.expect(Tok::RParen, "`..`, `,` or `)`")?;
        Ok((Iterable::Tuple(items), d + 1))
    }

    fn with_expr(&mut self) -> PResult<N> {
        let start = self.bump();
        let start = self.tspan(&start);
        let mut decls = Vec::new();
        let mut d = 1;
        loop {
            let id = self.ident("an identifier")?;
            self.expect(Tok::Assign, "`=`")?;
            let e = self.value_expr()?;
            d = d.max(e.d);
            decls.push((id, e.e));
            if self.eat(&Tok::Comma).is_none() {
                break;
            }
        }
        let body = self.body()?;
        let span = start.join(self.last_span());
        let d = d.max(body.d) + 1;
        self.mk(ExprKind::With { decls, body: Box::new(body.e) }, span, d)
    }

    // ---- value expressions

    fn value_expr(&mut self) -> PResult<N> {
        let at = self.peek().clone();
        self.enter(self.tspan(&at))?;
        let r = self.unary().and_then(|lhs| self.value_binary_rest(lhs, 0));
        self.leave();
        r
    }

    /// Precedence climbing over the value operators, starting from `lhs`:
    /// consumes operators binding tighter than `min`.
    fn value_binary_rest(&mut self, mut lhs: N, min: u8) -> PResult<N> {
        let mut consumed = false;
        loop {
            let t = self.peek().clone();
            let Some((prec, op)) = value_op(&t.tok) else { break };
            if prec <= min {
                break;
            }
            // `50% of them`: the `%` belongs to the quantifier, but only
            // right after a primary expression (`1 + 1 % of` is an error
            // in YARA-X too).
            if !consumed && t.tok == Tok::Percent && self.at_kw_n(1, "of") {
                break;
            }
            self.bump();
            consumed = true;
            let rhs = self.unary()?;
            let rhs = self.value_binary_rest(rhs, prec)?;
            lhs = self.binary(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<N> {
        let t = self.peek().clone();
        let op = match t.tok {
            Tok::Minus => UnaryOp::Neg,
            Tok::Tilde => UnaryOp::BitNot,
            _ => return self.primary(),
        };
        self.bump();
        let span = self.tspan(&t);
        // `-5` is the literal -5 (so `-9223372036854775808` fits).
        if op == UnaryOp::Neg {
            if let Tok::Int(v) = self.peek().tok {
                let lit = self.bump();
                let sp = span.join(self.tspan(&lit));
                return self.mk(ExprKind::Int(v.wrapping_neg()), sp, 1);
            }
            if let Tok::Float(v) = self.peek().tok {
                let lit = self.bump();
                let sp = span.join(self.tspan(&lit));
                return self.mk(ExprKind::Float(-v), sp, 1);
            }
        }
        self.enter(span)?;
        let r = self.unary();
        self.leave();
        let operand = r?;
        let sp = span.join(operand.e.span);
        let d = operand.d + 1;
        self.mk(ExprKind::Unary { op, operand: Box::new(operand.e) }, sp, d)
    }

    fn primary(&mut self) -> PResult<N> {
        let n = match self.peek().tok {
            Tok::Int(_) | Tok::Float(_) | Tok::Str(_) | Tok::Regex { .. } => {
                self.primary_literal()?
            }
            Tok::PatternCount => self.primary_count()?,
            Tok::PatternOffset | Tok::PatternLength => {
                self.primary_offset_length()?
            }
            Tok::LParen => self.primary_paren()?,
            Tok::Ident => return self.primary_ident(),
            Tok::PatternIdent | Tok::PatternWildcard => {
                return Err(self.err_pattern_not_value());
            }
            _ => return Err(self.expected("an expression")),
        };
        Ok(n)
    }

    fn primary_literal(&mut self) -> PResult<N> {
        let t = self.bump();
        let span = self.tspan(&t);
        let kind = match t.tok {
            Tok::Int(v) => ExprKind::Int(v),
            Tok::Float(v) => ExprKind::Float(v),
            Tok::Str(s) => ExprKind::Str(s),
            _ => ExprKind::Regex(self.regex_of(&t)),
        };
        self.mk(kind, span, 1)
    }

    fn primary_count(&mut self) -> PResult<N> {
        let t = self.bump();
        let span = self.tspan(&t);
        let pattern = self.pattern_name(&t);
        if self.eat_kw("in").is_none() {
            return self.mk(
                ExprKind::PatternCount { pattern, range: None },
                span,
                1,
            );
        }
        let (r, d) = self.range()?;
        let sp = span.join(r.span);
        self.mk(ExprKind::PatternCount { pattern, range: Some(r) }, sp, d + 1)
    }

    fn primary_offset_length(&mut self) -> PResult<N> {
        let t = self.bump();
        let span = self.tspan(&t);
        let pattern = self.pattern_name(&t);
        let (index, d, sp) = if self.eat(&Tok::LBracket).is_some() {
            let e = self.value_expr()?;
            let close = self.expect(Tok::RBracket, "`]`")?;
            let sp = span.join(self.tspan(&close));
            (Some(Box::new(e.e)), e.d + 1, sp)
        } else {
            (None, 1, span)
        };
        let kind = if t.tok == Tok::PatternOffset {
            ExprKind::PatternOffset { pattern, index }
        } else {
            ExprKind::PatternLength { pattern, index }
        };
        self.mk(kind, sp, d)
    }

    fn primary_paren(&mut self) -> PResult<N> {
        let inner = self.paren()?;
        if !is_value(&inner.e) {
            return Err(self.err_bool_operand(inner.e.span));
        }
        Ok(inner)
    }

    fn primary_ident(&mut self) -> PResult<N> {
        let t = self.peek().clone();
        let span = self.tspan(&t);
        let name = self.text_of(&t);
        match name {
            "filesize" => self.term_literal(ExprKind::Filesize),
            "entrypoint" => self.term_literal(ExprKind::Entrypoint),
            _ if is_keyword(name) => Err(self.expected("an expression")),
            _ => match int_type(name) {
                Some(ty) if self.peek_n(1).tok == Tok::LParen => {
                    let n = self.read_int(ty)?;
                    self.ident_chain(n, true)
                }
                _ => {
                    self.bump();
                    let id = Ident { name: name.to_string(), span };
                    let n = self.mk(ExprKind::Ident(id), span, 1)?;
                    self.ident_chain(n, false)
                }
            },
        }
    }

    /// The rest of `a[i].b(x).c`: as in YARA-X, each identifier may be
    /// followed by one index or one call (`suffixed` says the first one
    /// already was), and identifiers are joined by `.`. Nothing but an
    /// identifier takes a field, index or call (`(a).b` and `"s"[0]` are
    /// syntax errors).
    fn ident_chain(&mut self, mut n: N, mut suffixed: bool) -> PResult<N> {
        loop {
            if !suffixed {
                n = match self.peek().tok {
                    Tok::LBracket => self.postfix_index(n)?,
                    Tok::LParen => self.postfix_call(n)?,
                    _ => n,
                };
            }
            if self.peek().tok != Tok::Dot {
                return Ok(n);
            }
            n = self.postfix_field(n)?;
            suffixed = false;
        }
    }

    /// `uint32(…)` and friends. YARA-X parses them as ordinary calls
    /// (`int8(true)` is a type error, not a syntax error), so this does
    /// too; with exactly one argument the call becomes a `ReadInt`.
    fn read_int(&mut self, ty: IntType) -> PResult<N> {
        let t = self.bump();
        let span = self.tspan(&t);
        self.bump(); // `(`
        let (mut args, d) = self.call_args()?;
        let close = self.expect(Tok::RParen, "`,` or `)`")?;
        let sp = span.join(self.tspan(&close));
        if args.len() == 1 {
            let offset = Box::new(args.remove(0));
            return self.mk(ExprKind::ReadInt { ty, offset }, sp, d + 1);
        }
        let name = self.text_of(&t).to_string();
        let callee = Box::new(Expr {
            kind: ExprKind::Ident(Ident { name, span }),
            span,
        });
        self.mk(ExprKind::Call { callee, args }, sp, d + 1)
    }

    #[cold]
    fn err_pattern_not_value(&mut self) -> Abort {
        let t = self.peek().clone();
        let span = self.tspan(&t);
        self.report(
            DiagnosticKind::SyntaxError,
            "syntax error: a pattern match is not an expression",
            span,
            "use `#a`, `@a` or `!a` for numbers",
        );
        Abort
    }

    #[cold]
    fn err_bool_operand(&mut self, span: Span) -> Abort {
        self.report(
            DiagnosticKind::SyntaxError,
            "syntax error: expected an expression, found a boolean \
                 condition",
            span,
            "a boolean condition can't be an operand here",
        );
        Abort
    }

    fn pattern_name(&self, t: &Token) -> Ident {
        let text = self.text_of(t);
        Ident { name: format!("${}", &text[1..]), span: self.tspan(t) }
    }

    fn postfix_field(&mut self, n: N) -> PResult<N> {
        self.bump();
        let field = self.ident("a field name")?;
        let span = n.e.span.join(field.span);
        let d = n.d + 1;
        self.mk(ExprKind::Field { object: Box::new(n.e), field }, span, d)
    }

    fn postfix_index(&mut self, n: N) -> PResult<N> {
        self.bump();
        let index = self.value_expr()?;
        let close = self.expect(Tok::RBracket, "`]`")?;
        let span = n.e.span.join(self.tspan(&close));
        let d = n.d.max(index.d) + 1;
        let kind = ExprKind::Index {
            object: Box::new(n.e),
            index: Box::new(index.e),
        };
        self.mk(kind, span, d)
    }

    fn postfix_call(&mut self, n: N) -> PResult<N> {
        self.bump();
        let (args, ad) = self.call_args()?;
        let close = self.expect(Tok::RParen, "`,` or `)`")?;
        let span = n.e.span.join(self.tspan(&close));
        let d = n.d.max(ad) + 1;
        self.mk(ExprKind::Call { callee: Box::new(n.e), args }, span, d)
    }

    fn call_args(&mut self) -> PResult<(Vec<Expr>, u32)> {
        let mut args = Vec::new();
        let mut d = 0;
        if self.at(&Tok::RParen) {
            return Ok((args, d));
        }
        loop {
            let e = self.boolean_expr()?;
            d = d.max(e.d);
            args.push(e.e);
            if self.eat(&Tok::Comma).is_none() {
                return Ok((args, d));
            }
        }
    }
}

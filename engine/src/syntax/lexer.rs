//! The tokenizer: source text to tokens, on demand.
//!
//! Tokens are produced lazily because the YARA language is context
//! sensitive in one place: the body of a hex pattern (`{ 4D 5A ?? }`) has
//! its own lexical rules, and the parser scans it directly from the text
//! (see [`Lexer::pos`] and [`Lexer::set_pos`]). Everywhere else `/` always
//! starts a regular expression (division is `\`), so no other context is
//! needed.

use super::ast::Span;
use super::diagnostic::{Diagnostic, DiagnosticKind};

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// An identifier or a keyword (the parser tells them apart).
    Ident,
    /// `name*` directly followed by `,` or `)`: a rule set item.
    IdentWildcard,
    /// `$name` (or `$`).
    PatternIdent,
    /// `$name*` (or `$*`).
    PatternWildcard,
    /// `#name` (or `#`).
    PatternCount,
    /// `@name` (or `@`).
    PatternOffset,
    /// `!name` (or `!`).
    PatternLength,
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
    /// A regular expression; flags as found after the closing slash.
    Regex {
        source_end: u32,
        case_insensitive: bool,
        dot_all: bool,
    },
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Colon,
    Comma,
    Dot,
    DotDot,
    Assign,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Backslash,
    Percent,
    Amp,
    Pipe,
    Caret,
    Tilde,
    Shl,
    Shr,
    /// Something the lexer already reported.
    Error,
    Eof,
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: u32,
    pub end: u32,
}

/// Produces tokens from one source text.
pub(crate) struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    source: u32,
    /// Whether the text came from `map_invalid_utf8` (and characters
    /// U+10FF00..=U+10FFFF stand for raw bytes).
    mapped: bool,
    /// While the parser skips to the next rule, errors are not recorded.
    pub quiet: bool,
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(crate) fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str, source: u32, mapped: bool) -> Lexer<'a> {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            source,
            mapped,
            quiet: false,
            diagnostics: Vec::new(),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.bytes.len());
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        Span {
            source: self.source,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    fn error(&mut self, kind: DiagnosticKind, msg: &str, s: usize, e: usize) {
        if self.quiet {
            return;
        }
        let span = self.span(s, e);
        let label = match kind {
            DiagnosticKind::UnterminatedString => "missing closing `\"`",
            DiagnosticKind::UnterminatedComment => {
                "this comment is not closed"
            }
            DiagnosticKind::UnterminatedRegex => "missing closing `/`",
            DiagnosticKind::InvalidEscape => "invalid escape sequence",
            DiagnosticKind::IntegerOverflow => {
                "the largest integer is 18446744073709551615"
            }
            DiagnosticKind::InvalidNumber => "not a valid number",
            DiagnosticKind::InvalidRegex => "only `i` and `s` are allowed",
            _ => "",
        };
        self.diagnostics
            .push(Diagnostic::error(kind, msg, span).with_label(label));
    }

    fn peek_byte(&self, off: usize) -> Option<u8> {
        self.bytes.get(self.pos + off).copied()
    }

    /// Skips whitespace and comments. Returns false (after reporting) if a
    /// block comment is not closed.
    pub fn skip_trivia(&mut self) {
        loop {
            match self.peek_byte(0) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(0xc2 | 0xe2)
                    if space_len(&self.bytes[self.pos..]) > 0 =>
                {
                    self.pos += space_len(&self.bytes[self.pos..]);
                }
                Some(b'/') if self.peek_byte(1) == Some(b'/') => {
                    while let Some(b) = self.peek_byte(0) {
                        if b == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.peek_byte(1) == Some(b'*') => {
                    let start = self.pos;
                    match self.text[self.pos + 2..].find("*/") {
                        Some(i) => self.pos += 2 + i + 2,
                        None => {
                            self.pos = self.bytes.len();
                            self.error(
                                DiagnosticKind::UnterminatedComment,
                                "unterminated comment",
                                start,
                                start + 2,
                            );
                        }
                    }
                }
                _ => return,
            }
        }
    }

    /// The raw byte that the character at `pos` stands for, if the text is
    /// mapped and that character is one of the stand-ins.
    fn raw_byte(&self, pos: usize) -> Option<u8> {
        if !self.mapped {
            return None;
        }
        match self.bytes.get(pos..pos + 4)? {
            [0xf4, 0x8f, b2 @ 0xbc..=0xbf, b3 @ 0x80..=0xbf] => {
                Some((b2 - 0xbc) << 6 | (b3 - 0x80))
            }
            _ => None,
        }
    }

    fn invalid_utf8(&mut self, pos: usize) {
        if self.quiet {
            return;
        }
        let byte = self.raw_byte(pos).unwrap_or(0);
        let span = self.span(pos, pos + 4);
        self.diagnostics.push(
            Diagnostic::error(
                DiagnosticKind::InvalidUtf8,
                "invalid UTF-8",
                span,
            )
            .with_label(format!(
                "the byte 0x{byte:02x} is not UTF-8; such bytes are only \
                 allowed in text strings and comments"
            )),
        );
    }

    fn tok(&self, tok: Tok, start: usize) -> Token {
        Token {
            tok,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(self.pos).unwrap_or(u32::MAX),
        }
    }

    fn ident_end(&self, mut i: usize) -> usize {
        while i < self.bytes.len() && is_ident_char(self.bytes[i]) {
            i += 1;
        }
        i
    }

    /// The next token.
    pub fn next_token(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        let Some(b) = self.peek_byte(0) else {
            return self.tok(Tok::Eof, start);
        };
        let simple = |n: usize, t: Tok, l: &mut Lexer| {
            l.pos += n;
            l.tok(t, start)
        };
        match b {
            b'(' => simple(1, Tok::LParen, self),
            b')' => simple(1, Tok::RParen, self),
            b'{' => simple(1, Tok::LBrace, self),
            b'}' => simple(1, Tok::RBrace, self),
            b'[' => simple(1, Tok::LBracket, self),
            b']' => simple(1, Tok::RBracket, self),
            b':' => simple(1, Tok::Colon, self),
            b',' => simple(1, Tok::Comma, self),
            b'.' if self.peek_byte(1) == Some(b'.') => {
                simple(2, Tok::DotDot, self)
            }
            b'.' => simple(1, Tok::Dot, self),
            b'=' if self.peek_byte(1) == Some(b'=') => {
                simple(2, Tok::EqEq, self)
            }
            b'=' => simple(1, Tok::Assign, self),
            b'!' if self.peek_byte(1) == Some(b'=') => {
                simple(2, Tok::Ne, self)
            }
            b'<' if self.peek_byte(1) == Some(b'=') => {
                simple(2, Tok::Le, self)
            }
            b'<' if self.peek_byte(1) == Some(b'<') => {
                simple(2, Tok::Shl, self)
            }
            b'<' => simple(1, Tok::Lt, self),
            b'>' if self.peek_byte(1) == Some(b'=') => {
                simple(2, Tok::Ge, self)
            }
            b'>' if self.peek_byte(1) == Some(b'>') => {
                simple(2, Tok::Shr, self)
            }
            b'>' => simple(1, Tok::Gt, self),
            b'+' => simple(1, Tok::Plus, self),
            b'-' => simple(1, Tok::Minus, self),
            b'*' => simple(1, Tok::Star, self),
            b'\\' => simple(1, Tok::Backslash, self),
            b'%' => simple(1, Tok::Percent, self),
            b'&' => simple(1, Tok::Amp, self),
            b'|' => simple(1, Tok::Pipe, self),
            b'^' => simple(1, Tok::Caret, self),
            b'~' => simple(1, Tok::Tilde, self),
            b'$' | b'#' | b'@' | b'!' => {
                let end = self.ident_end(self.pos + 1);
                self.pos = end;
                let tok = match b {
                    b'$' if self.peek_byte(0) == Some(b'*') => {
                        self.pos += 1;
                        Tok::PatternWildcard
                    }
                    b'$' => Tok::PatternIdent,
                    b'#' => Tok::PatternCount,
                    b'@' => Tok::PatternOffset,
                    _ => Tok::PatternLength,
                };
                self.tok(tok, start)
            }
            b'"' => self.string(),
            b'/' => self.regex(),
            b'0'..=b'9' => self.number(),
            b if is_ident_start(b) => {
                self.pos = self.ident_end(self.pos);
                if self.peek_byte(0) == Some(b'*') {
                    let mut i = self.pos + 1;
                    while matches!(
                        self.bytes.get(i),
                        Some(b' ' | b'\t' | b'\r' | b'\n')
                    ) {
                        i += 1;
                    }
                    if matches!(self.bytes.get(i), Some(b',' | b')')) {
                        self.pos += 1;
                        return self.tok(Tok::IdentWildcard, start);
                    }
                }
                self.tok(Tok::Ident, start)
            }
            _ if self.raw_byte(start).is_some() => {
                self.invalid_utf8(start);
                self.pos += 4;
                self.tok(Tok::Error, start)
            }
            _ => {
                let ch = self.text[start..].chars().next().unwrap_or('?');
                self.pos += ch.len_utf8();
                let msg =
                    format!("unexpected character `{}`", ch.escape_debug());
                self.error(DiagnosticKind::SyntaxError, &msg, start, self.pos);
                self.tok(Tok::Error, start)
            }
        }
    }

    fn string(&mut self) -> Token {
        let start = self.pos;
        let triple = self.bytes[self.pos..].starts_with(b"\"\"\"");
        self.pos += if triple { 3 } else { 1 };
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek_byte(0) else {
                self.error(
                    DiagnosticKind::UnterminatedString,
                    "unterminated string",
                    start,
                    self.pos,
                );
                return self.tok(Tok::Error, start);
            };
            match b {
                b'"' if !triple => {
                    self.pos += 1;
                    break;
                }
                b'"' => {
                    // `"""…"""` may span lines but holds no bare `"`.
                    if self.bytes[self.pos..].starts_with(b"\"\"\"") {
                        self.pos += 3;
                        break;
                    }
                    self.error(
                        DiagnosticKind::UnterminatedString,
                        "unterminated string",
                        start,
                        self.pos,
                    );
                    self.pos += 1;
                    return self.tok(Tok::Error, start);
                }
                b'\n' if triple => {
                    out.push(b);
                    self.pos += 1;
                }
                b'\n' => {
                    self.error(
                        DiagnosticKind::UnterminatedString,
                        "unterminated string",
                        start,
                        self.pos,
                    );
                    return self.tok(Tok::Error, start);
                }
                b'\\' => {
                    let esc = self.pos;
                    match self.peek_byte(1) {
                        Some(b'n') => out.push(b'\n'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b'\\') => out.push(b'\\'),
                        Some(b'"') => out.push(b'"'),
                        Some(b'x') => {
                            let h = self.peek_byte(2).and_then(hex_val);
                            let l = self.peek_byte(3).and_then(hex_val);
                            if let (Some(h), Some(l)) = (h, l) {
                                out.push(h << 4 | l);
                                self.pos += 4;
                                continue;
                            }
                            let end = (esc + 2..esc + 4)
                                .take_while(|&i| {
                                    self.bytes
                                        .get(i)
                                        .is_some_and(|b| b.is_ascii_hexdigit())
                                })
                                .last()
                                .map_or(esc + 2, |i| i + 1);
                            self.error(
                                DiagnosticKind::InvalidEscape,
                                "invalid escape sequence `\\x`: two hex \
                                 digits expected",
                                esc,
                                end,
                            );
                            self.pos = end;
                            continue;
                        }
                        Some(b'\n') | None => {
                            self.pos += 1;
                            continue;
                        }
                        Some(_) => {
                            let ch = self.text[esc + 1..]
                                .chars()
                                .next()
                                .unwrap_or('?');
                            let end = esc + 1 + ch.len_utf8();
                            let msg = format!(
                                "invalid escape sequence `\\{}`",
                                ch.escape_debug()
                            );
                            self.error(
                                DiagnosticKind::InvalidEscape,
                                &msg,
                                esc,
                                end,
                            );
                            self.pos = end;
                            continue;
                        }
                    }
                    self.pos += 2;
                }
                _ => match self.raw_byte(self.pos) {
                    Some(raw) => {
                        out.push(raw);
                        self.pos += 4;
                    }
                    None => {
                        out.push(b);
                        self.pos += 1;
                    }
                },
            }
        }
        // After a bad escape (reported) parsing goes on with what was
        // understood.
        self.tok(Tok::Str(out), start)
    }

    fn regex(&mut self) -> Token {
        let start = self.pos;
        self.pos += 1;
        loop {
            let Some(b) = self.peek_byte(0) else {
                self.error(
                    DiagnosticKind::UnterminatedRegex,
                    "unterminated regular expression",
                    start,
                    self.pos,
                );
                return self.tok(Tok::Error, start);
            };
            match b {
                b'\n' => {
                    self.error(
                        DiagnosticKind::UnterminatedRegex,
                        "unterminated regular expression",
                        start,
                        self.pos,
                    );
                    return self.tok(Tok::Error, start);
                }
                b'\\' => {
                    self.pos += 1;
                    if let Some(c) = self.text[self.pos..].chars().next() {
                        if c == '\n' {
                            continue;
                        }
                        self.pos += c.len_utf8();
                    }
                }
                // As in YARA-X, an unescaped `/` ends the regex even inside
                // a character class.
                b'/' => break,
                _ if self.raw_byte(self.pos).is_some() => {
                    self.invalid_utf8(self.pos);
                    self.pos += 4;
                }
                _ => self.pos += 1,
            }
        }
        let source_end = self.pos;
        self.pos += 1;
        if source_end == start + 1 {
            self.error(
                DiagnosticKind::InvalidRegex,
                "empty regular expression",
                start,
                self.pos,
            );
        }
        let mut ci = false;
        let mut dot_all = false;
        while let Some(b) = self.peek_byte(0) {
            match b {
                b'i' => ci = true,
                b's' => dot_all = true,
                b if is_ident_char(b) => {
                    let msg = format!(
                        "invalid regular expression modifier `{}`",
                        b as char
                    );
                    self.error(
                        DiagnosticKind::InvalidRegex,
                        &msg,
                        self.pos,
                        self.pos + 1,
                    );
                }
                _ => break,
            }
            self.pos += 1;
        }
        let end = u32::try_from(source_end).unwrap_or(u32::MAX);
        self.tok(
            Tok::Regex { source_end: end, case_insensitive: ci, dot_all },
            start,
        )
    }

    fn number(&mut self) -> Token {
        let start = self.pos;
        let (radix, digits_start) =
            match (self.peek_byte(0), self.peek_byte(1)) {
                (Some(b'0'), Some(b'x')) => (16, start + 2),
                (Some(b'0'), Some(b'o')) => (8, start + 2),
                _ => (10, start),
            };
        let mut i = digits_start;
        while i < self.bytes.len() && self.bytes[i].is_ascii_alphanumeric() {
            // stop at a KB/MB suffix of a decimal number
            if radix == 10 && !self.bytes[i].is_ascii_digit() {
                break;
            }
            i += 1;
        }
        // a float: digits '.' digits
        if radix == 10
            && self.bytes.get(i) == Some(&b'.')
            && self.bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit())
        {
            let mut j = i + 1;
            while j < self.bytes.len() && self.bytes[j].is_ascii_digit() {
                j += 1;
            }
            self.pos = j;
            return match self.text[start..j].parse::<f64>() {
                Ok(f) if f.is_finite() => self.tok(Tok::Float(f), start),
                _ => {
                    self.error(
                        DiagnosticKind::InvalidNumber,
                        "invalid float",
                        start,
                        j,
                    );
                    self.tok(Tok::Error, start)
                }
            };
        }
        let digits = &self.text[digits_start..i];
        self.pos = i;
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            self.error(
                DiagnosticKind::InvalidNumber,
                "invalid number",
                start,
                i,
            );
            return self.tok(Tok::Error, start);
        }
        let mut value = u64::from_str_radix(digits, radix).ok();
        if radix == 10 {
            let mult = match (self.peek_byte(0), self.peek_byte(1)) {
                (Some(b'K'), Some(b'B')) => 1024,
                (Some(b'M'), Some(b'B')) => 1024 * 1024,
                _ => 1,
            };
            if mult > 1 && !self.peek_byte(2).is_some_and(is_ident_char) {
                self.pos += 2;
                value = value.and_then(|v| v.checked_mul(mult));
            }
        }
        match value {
            // YARA-X accepts literals up to u64::MAX; those above
            // i64::MAX keep their bit pattern.
            Some(v) => self.tok(Tok::Int(v as i64), start),
            None => {
                self.error(
                    DiagnosticKind::IntegerOverflow,
                    "integer literal out of range",
                    start,
                    self.pos,
                );
                self.tok(Tok::Error, start)
            }
        }
    }
}

/// The length of the Unicode space character (U+00A0, U+2000 to U+200A,
/// U+202F, U+205F) at the start of `b`, or 0. YARA-X treats these as
/// whitespace.
pub(crate) fn space_len(b: &[u8]) -> usize {
    match b {
        [0xc2, 0xa0, ..] => 2,
        [0xe2, 0x80, 0x80..=0x8a | 0xaf, ..] => 3,
        [0xe2, 0x81, 0x9f, ..] => 3,
        _ => 0,
    }
}

pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

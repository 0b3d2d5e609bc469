//! A tiny parser of pattern declarations (`"ab" xor wide`, `{ 61 ?? }`,
//! `/a.c/is`) used only by the tests, so the data-driven cases can be
//! written in YARA syntax before the real parser is merged.

use crate::syntax::ast::{
    self, HexPattern, HexToken, Ident, Modifier, ModifierKind, PatternKind,
    Span,
};

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn num(&mut self) -> Option<u32> {
        self.ws();
        if self.s[self.i..].starts_with(b"0x") {
            self.i += 2;
            let st = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.i += 1;
            }
            let h = std::str::from_utf8(&self.s[st..self.i]).ok()?;
            return u32::from_str_radix(h, 16).ok();
        }
        let st = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[st..self.i]).ok()?.parse().ok()
    }
    fn string(&mut self) -> Option<Vec<u8>> {
        if !self.eat(b'"') {
            return None;
        }
        let mut out = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return Some(out),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'x' => {
                            let h = std::str::from_utf8(
                                self.s.get(self.i..self.i + 2)?,
                            )
                            .ok()?;
                            out.push(u8::from_str_radix(h, 16).ok()?);
                            self.i += 2;
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
    }
    fn nibble(c: u8) -> Option<(u8, u8)> {
        match c {
            b'?' => Some((0, 0)),
            _ => Some(((c as char).to_digit(16)? as u8, 0xF)),
        }
    }
    fn hex_seq(&mut self) -> Option<Vec<HexToken>> {
        let mut out = Vec::new();
        loop {
            self.ws();
            let c = self.peek()?;
            match c {
                b'}' | b'|' | b')' => return Some(out),
                b'(' => {
                    self.i += 1;
                    let mut alts = vec![self.hex_seq()?];
                    while self.eat(b'|') {
                        alts.push(self.hex_seq()?);
                    }
                    if !self.eat(b')') {
                        return None;
                    }
                    out.push(HexToken::Alternatives {
                        alternatives: alts,
                        span: Span::default(),
                    });
                }
                b'[' => {
                    self.i += 1;
                    self.ws();
                    let (start, end) = if self.eat(b'-') {
                        (0, None)
                    } else {
                        let a = self.num()?;
                        if self.eat(b'-') {
                            self.ws();
                            if self.peek() == Some(b']') {
                                (a, None)
                            } else {
                                (a, Some(self.num()?))
                            }
                        } else {
                            (a, Some(a))
                        }
                    };
                    if !self.eat(b']') {
                        return None;
                    }
                    out.push(HexToken::Jump {
                        start,
                        end,
                        span: Span::default(),
                    });
                }
                _ => {
                    let negated = c == b'~';
                    if negated {
                        self.i += 1;
                    }
                    let hi = Self::nibble(*self.s.get(self.i)?)?;
                    let lo = Self::nibble(*self.s.get(self.i + 1)?)?;
                    self.i += 2;
                    out.push(HexToken::Byte {
                        value: (hi.0 << 4) | lo.0,
                        mask: (hi.1 << 4) | lo.1,
                        negated,
                        span: Span::default(),
                    });
                }
            }
        }
    }
    fn word(&mut self) -> String {
        self.ws();
        let st = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[st..self.i]).into_owned()
    }
}

/// Parses `<string|hex|regex> <modifiers>`.
pub(crate) fn pattern(src: &str) -> Option<ast::Pattern> {
    let mut p = P { s: src.as_bytes(), i: 0 };
    p.ws();
    let kind = match p.peek()? {
        b'"' => PatternKind::Text(p.string()?),
        b'{' => {
            p.i += 1;
            let tokens = p.hex_seq()?;
            if !p.eat(b'}') {
                return None;
            }
            PatternKind::Hex(HexPattern { tokens, span: Span::default() })
        }
        b'/' => {
            p.i += 1;
            let st = p.i;
            loop {
                match p.peek()? {
                    b'\\' => p.i += 2,
                    b'/' => break,
                    _ => p.i += 1,
                }
            }
            let source = String::from_utf8_lossy(&p.s[st..p.i]).into_owned();
            p.i += 1;
            let (mut i, mut s) = (false, false);
            while let Some(c) = p.peek() {
                match c {
                    b'i' => i = true,
                    b's' => s = true,
                    _ => break,
                }
                p.i += 1;
            }
            PatternKind::Regex(ast::Regex {
                source,
                case_insensitive: i,
                dot_matches_new_line: s,
                span: Span::default(),
            })
        }
        _ => return None,
    };
    let mut modifiers = Vec::new();
    loop {
        let w = p.word();
        let kind = match w.as_str() {
            "" => break,
            "nocase" => ModifierKind::Nocase,
            "wide" => ModifierKind::Wide,
            "ascii" => ModifierKind::Ascii,
            "fullword" => ModifierKind::Fullword,
            "private" => ModifierKind::Private,
            "xor" => {
                if p.eat(b'(') {
                    let a = p.num()?;
                    let b = if p.eat(b'-') { p.num()? } else { a };
                    if !p.eat(b')') {
                        return None;
                    }
                    ModifierKind::Xor { min: a as u8, max: b as u8 }
                } else {
                    ModifierKind::Xor { min: 0, max: 255 }
                }
            }
            "base64" | "base64wide" => {
                let alphabet = if p.eat(b'(') {
                    let a = p.string()?;
                    if !p.eat(b')') {
                        return None;
                    }
                    Some(a)
                } else {
                    None
                };
                if w == "base64" {
                    ModifierKind::Base64 { alphabet }
                } else {
                    ModifierKind::Base64Wide { alphabet }
                }
            }
            _ => return None,
        };
        modifiers.push(Modifier { kind, span: Span::default() });
    }
    Some(ast::Pattern {
        ident: Ident { name: "$a".into(), span: Span::default() },
        kind,
        modifiers,
        span: Span::default(),
    })
}

//! Hex and regex patterns lowered to one form: a `regex-syntax` [`Hir`] in
//! bytes mode.
//!
//! - Hex patterns are built node by node: a masked byte is a byte class,
//!   a jump `[n-m]` a lazy repetition of "any byte" (hex jumps are lazy in
//!   YARA), alternatives an alternation.
//! - Regexes are parsed with YARA's dialect: `regex-syntax`'s AST parser
//!   (with `{,n}` allowed) and its translator with Unicode off, so `\w`,
//!   `\d`, `\s`, `\b` are ASCII and `.` is any byte but `\n` unless the `s`
//!   flag. With relaxed syntax, unknown escapes (`\R`) become the literal
//!   character and a `{` that does not open a repetition is a literal.
//! - `wide` rewrites the tree so every byte it matches is followed by 0x00.

use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, Hir, HirKind, Look,
};

use crate::syntax::ast::{self, HexToken};
use crate::syntax::{Diagnostic, DiagnosticKind};

/// Deepest nesting of hex alternatives or regex groups accepted.
const NEST_LIMIT: u32 = 200;

/// The byte class of a masked hex byte.
fn masked_class(value: u8, mask: u8, negated: bool) -> ClassBytes {
    let mut ranges = Vec::new();
    if mask == 0xFF {
        ranges.push(ClassBytesRange::new(value, value));
    } else if mask == 0 {
        ranges.push(ClassBytesRange::new(0, 255));
    } else {
        for b in 0..=255u8 {
            if b & mask == value & mask {
                ranges.push(ClassBytesRange::new(b, b));
            }
        }
    }
    let mut class = ClassBytes::new(ranges);
    if negated {
        class.negate();
    }
    class
}

fn any_byte() -> Hir {
    Hir::class(Class::Bytes(ClassBytes::new([ClassBytesRange::new(0, 255)])))
}

/// One position of a fixed-length hex pattern (`value` already masked).
#[derive(Clone, Copy, Debug)]
pub(crate) struct MaskedByte {
    pub value: u8,
    pub mask: u8,
    pub negated: bool,
}

/// Most positions of a hex pattern compared with masks.
const MAX_MASKED_LEN: usize = 4096;

/// A hex pattern without alternatives or variable jumps as masked bytes.
pub(crate) fn hex_to_masked(tokens: &[HexToken]) -> Option<Vec<MaskedByte>> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            HexToken::Byte { value, mask, negated, .. } => {
                out.push(MaskedByte {
                    value: value & mask,
                    mask: *mask,
                    negated: *negated,
                });
            }
            HexToken::Jump { start, end: Some(end), .. } if start == end => {
                let n = *start as usize;
                if out.len() + n > MAX_MASKED_LEN {
                    return None;
                }
                let any = MaskedByte { value: 0, mask: 0, negated: false };
                out.extend(std::iter::repeat_n(any, n));
            }
            _ => return None,
        }
        if out.len() > MAX_MASKED_LEN {
            return None;
        }
    }
    Some(out)
}

/// Whether YARA-X matches a hex pattern as a chain of pieces (without
/// its scan limit): it has a long or unbounded jump at the top level
/// and every piece between such jumps has at least two fixed bytes.
pub(crate) fn hex_is_chain(tokens: &[HexToken]) -> bool {
    const LONG_JUMP: u32 = 200;
    let mut splits = 0;
    let mut fixed = 0;
    let mut pieces_ok = true;
    for t in tokens {
        match t {
            HexToken::Jump { start, end, .. }
                if end.is_none_or(|e| {
                    e > LONG_JUMP || e - start > LONG_JUMP
                }) =>
            {
                splits += 1;
                pieces_ok &= fixed >= 2;
                fixed = 0;
            }
            HexToken::Byte { mask: 0xFF, negated: false, .. } => fixed += 1,
            _ => {}
        }
    }
    pieces_ok &= fixed >= 2;
    splits > 0 && pieces_ok
}

/// Jumps wider than this (`[n-m]`, `m - n`) would make an NFA too large:
/// see [`hex_long_jump`].
pub(crate) const HUGE_JUMP: u32 = 32 * 1024;

/// For a hex pattern whose only variable part is one top-level jump
/// wider than [`HUGE_JUMP`]: its HIR with that jump unbounded and the
/// jump's width `m - n`. Every match of the pattern then has length
/// `min + gap - n`, so a scan limit of the bounded maximum on the side of
/// the split holding the jump gives exactly the bounded matches, without
/// an NFA of `m` states.
pub(crate) fn hex_long_jump(tokens: &[HexToken]) -> Option<(Hir, u32)> {
    let mut found = None;
    for (i, t) in tokens.iter().enumerate() {
        if let HexToken::Jump { start, end: Some(end), .. } = t {
            if end - start > HUGE_JUMP {
                if found.is_some() {
                    return None;
                }
                found = Some((i, end - start));
            }
        }
    }
    let (i, width) = found?;
    let bounded = hex_to_hir(tokens);
    let p = bounded.properties();
    let (min, max) = (p.minimum_len()?, p.maximum_len()?);
    if max.checked_sub(min)? != usize::try_from(width).ok()? {
        return None;
    }
    let mut open = tokens.to_vec();
    if let Some(HexToken::Jump { end, .. }) = open.get_mut(i) {
        *end = None;
    }
    Some((hex_to_hir(&open), width))
}

/// Lowers hex tokens to a HIR.
pub(crate) fn hex_to_hir(tokens: &[HexToken]) -> Hir {
    hex_seq(tokens, 0)
}

fn hex_seq(tokens: &[HexToken], depth: u32) -> Hir {
    let mut out = Vec::with_capacity(tokens.len());
    // A run of exact bytes becomes one literal (as `Hir::concat` would
    // make it, without a literal per byte first).
    let mut run = Vec::new();
    for t in tokens {
        if let HexToken::Byte { value, mask: 0xFF, negated: false, .. } = t {
            run.push(*value);
            continue;
        }
        if !run.is_empty() {
            out.push(Hir::literal(std::mem::take(&mut run)));
        }
        match t {
            HexToken::Byte { value, mask, negated, .. } => {
                let class = masked_class(*value, *mask, *negated);
                match class.ranges() {
                    [r] if r.start() == r.end() => {
                        out.push(Hir::literal([r.start()]))
                    }
                    _ => out.push(Hir::class(Class::Bytes(class))),
                }
            }
            HexToken::Jump { start, end, .. } => {
                out.push(Hir::repetition(regex_syntax::hir::Repetition {
                    min: *start,
                    max: *end,
                    greedy: false,
                    sub: Box::new(any_byte()),
                }));
            }
            HexToken::Alternatives { alternatives, .. } => {
                if depth >= NEST_LIMIT {
                    out.push(Hir::fail());
                    continue;
                }
                out.push(Hir::alternation(
                    alternatives
                        .iter()
                        .map(|a| hex_seq(a, depth + 1))
                        .collect(),
                ));
            }
        }
    }
    if !run.is_empty() {
        out.push(Hir::literal(run));
    }
    Hir::concat(out)
}

/// Parses a regex in YARA's dialect.
pub(crate) fn regex_to_hir(
    re: &ast::Regex,
    nocase: bool,
    relaxed: bool,
) -> Result<Hir, Diagnostic> {
    let source = dialect(&re.source, relaxed);
    // YARA-X's multi-line anchors know both `\r` and `\n`.
    let crlf = source.contains("(?") && source.contains('m');
    let err = |msg: String| {
        Diagnostic::error(
            DiagnosticKind::InvalidRegex,
            format!("invalid regular expression: {msg}"),
            re.span,
        )
        .with_label(msg)
    };
    let ast = regex_syntax::ast::parse::ParserBuilder::new()
        .empty_min_range(true)
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(&source)
        .map_err(|e| err(e.kind().to_string()))?;
    if arbitrary_prefix(&ast, re.dot_matches_new_line) {
        return Err(Diagnostic::error(
            DiagnosticKind::InvalidRegex,
            "arbitrary regular expression prefix",
            re.span,
        )
        .with_label(
            "this prefix can be arbitrarily long and matches all bytes",
        ));
    }
    if mixed_greediness(&ast) {
        return Err(Diagnostic::error(
            DiagnosticKind::InvalidRegex,
            "mixing greedy and non-greedy quantifiers in regular expression",
            re.span,
        )
        .with_label("greedy and non-greedy quantifiers mixed"));
    }
    let hir = regex_syntax::hir::translate::TranslatorBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(re.case_insensitive || nocase)
        .dot_matches_new_line(re.dot_matches_new_line)
        .crlf(crlf)
        .build()
        .translate(&source, &ast)
        .map_err(|e| err(e.kind().to_string()))?;
    Ok(hir)
}

/// Whether the regex starts with something matching arbitrarily long runs
/// of any byte (`/.*a/s`), which YARA-X refuses. Follows its rules: only
/// `.` under the `s` flag counts as any byte, only a concatenation outside
/// other concatenations and alternations is checked, and two unbounded
/// runs in a row cancel out.
fn arbitrary_prefix(ast: &regex_syntax::ast::Ast, dot_all: bool) -> bool {
    use regex_syntax::ast::{Ast, RepetitionKind, RepetitionRange};
    #[derive(Clone, Copy, PartialEq)]
    enum K {
        Non,
        Data,
        LenData,
    }
    fn merge(a: K, b: K) -> K {
        match (a, b) {
            (K::Data, K::Data) => K::Data,
            (K::LenData, K::Data) | (K::Data, K::LenData) => K::LenData,
            _ => K::Non,
        }
    }
    // `cur` is the kind left by the previous node (look-arounds and flags
    // keep it); `nested` is whether a concat/alternation encloses `ast`.
    fn walk(ast: &Ast, cur: K, nested: bool, dot_all: bool) -> (K, bool) {
        match ast {
            Ast::Flags(_) | Ast::Assertion(_) => (cur, false),
            Ast::Dot(_) if dot_all => (K::Data, false),
            Ast::Group(g) => walk(&g.ast, cur, nested, dot_all),
            Ast::Repetition(rep) => {
                let (k, err) = walk(&rep.ast, cur, nested, dot_all);
                let unbounded = matches!(
                    rep.op.kind,
                    RepetitionKind::Range(RepetitionRange::AtLeast(_))
                        | RepetitionKind::ZeroOrMore
                        | RepetitionKind::OneOrMore
                );
                if k == K::Data && unbounded {
                    (K::LenData, err)
                } else {
                    (k, err)
                }
            }
            Ast::Alternation(a) => {
                let mut kinds = Vec::with_capacity(a.asts.len());
                let mut c = cur;
                for x in &a.asts {
                    let (k, err) = walk(x, c, true, dot_all);
                    if err {
                        return (K::Non, true);
                    }
                    kinds.push(k);
                    c = K::Non;
                }
                let mut out = c;
                for k in kinds {
                    match k {
                        K::Non => {}
                        K::Data => out = K::Data,
                        K::LenData => {
                            out = K::LenData;
                            break;
                        }
                    }
                }
                (out, false)
            }
            Ast::Concat(c) => {
                let mut kinds = Vec::with_capacity(c.asts.len());
                let mut k = cur;
                for x in &c.asts {
                    let (nk, err) = walk(x, k, true, dot_all);
                    if err {
                        return (K::Non, true);
                    }
                    kinds.push(nk);
                    k = K::Non;
                }
                if nested {
                    let out =
                        kinds.into_iter().reduce(merge).unwrap_or(K::Non);
                    (out, false)
                } else {
                    let lead = kinds
                        .into_iter()
                        .take_while(|k| *k != K::Non)
                        .reduce(merge)
                        .unwrap_or(K::Non);
                    (K::Non, lead == K::LenData)
                }
            }
            _ => (K::Non, false),
        }
    }
    walk(ast, K::Non, false, dot_all).1
}

/// Whether the regex has both a greedy and a non-greedy quantifier.
///
/// YARA-X refuses such pattern regexes (a match's length would be ill
/// defined). Every quantifier counts, `{n}` too (greedy unless written
/// `{n}?`).
fn mixed_greediness(ast: &regex_syntax::ast::Ast) -> bool {
    fn walk(ast: &regex_syntax::ast::Ast, seen: &mut Option<bool>) -> bool {
        use regex_syntax::ast::Ast;
        match ast {
            Ast::Repetition(rep) => {
                if *seen.get_or_insert(rep.greedy) != rep.greedy {
                    return true;
                }
                walk(&rep.ast, seen)
            }
            Ast::Group(g) => walk(&g.ast, seen),
            Ast::Alternation(a) => a.asts.iter().any(|x| walk(x, seen)),
            Ast::Concat(c) => c.asts.iter().any(|x| walk(x, seen)),
            _ => false,
        }
    }
    walk(ast, &mut None)
}

/// Rewrites YARA's dialect into `regex-syntax`'s: `\<` and `\>` are the
/// literal characters; with relaxed syntax, unknown escapes are the
/// literal character and braces that do not form a repetition literals.
fn dialect(src: &str, relaxed: bool) -> String {
    if !relaxed {
        if !src.contains("\\<") && !src.contains("\\>") {
            return src.to_string();
        }
        let mut out = String::with_capacity(src.len());
        let mut chars = src.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some(n @ ('<' | '>')) => out.push(n),
                    Some(n) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    const KNOWN: &str = "xdDwWsSbBnrtfav0123456789pPuUAzk";
    let mut out = String::with_capacity(src.len() + 8);
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                match chars.get(i + 1) {
                    Some(&n)
                        if (n.is_ascii_alphanumeric()
                            && !KNOWN.contains(n))
                            || n == '<'
                            || n == '>' =>
                    {
                        out.push(n)
                    }
                    Some(&n) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => out.push('\\'),
                }
                i += 2;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '{' if !in_class => {
                let rest = chars.get(i + 1..).unwrap_or(&[]);
                match repetition_len(rest) {
                    Some(n) if !out.is_empty() => {
                        out.push('{');
                        out.extend(&rest[..n]);
                        i += 1 + n;
                    }
                    _ => {
                        out.push_str("\\{");
                        i += 1;
                    }
                }
                continue;
            }
            '}' if !in_class => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// If `rest` (after a `{`) is `n}`, `n,}`, `n,m}` or `,m}`, its length
/// up to and including the `}`.
fn repetition_len(rest: &[char]) -> Option<usize> {
    let mut digits = 0;
    let mut comma = false;
    for (i, &c) in rest.iter().enumerate() {
        match c {
            '0'..='9' => digits += 1,
            ',' if !comma => comma = true,
            '}' if digits > 0 => return Some(i + 1),
            _ => return None,
        }
    }
    None
}

/// Rewrites `hir` so that each byte it matches is followed by 0x00.
pub(crate) fn widen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => {
            let mut bytes = Vec::with_capacity(lit.0.len() * 2);
            for &b in lit.0.iter() {
                bytes.push(b);
                bytes.push(0);
            }
            Hir::literal(bytes)
        }
        HirKind::Class(_) => Hir::concat(vec![hir.clone(), Hir::literal([0])]),
        HirKind::Look(_) => hir.clone(),
        HirKind::Repetition(rep) => {
            Hir::repetition(regex_syntax::hir::Repetition {
                min: rep.min,
                max: rep.max,
                greedy: rep.greedy,
                sub: Box::new(widen(&rep.sub)),
            })
        }
        HirKind::Capture(cap) => widen(&cap.sub),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(widen).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(widen).collect())
        }
    }
}

/// Look-arounds at the very start and end of a wide regex, checked on
/// two-byte characters after the match (YARA-X reads wide data as
/// characters: `$` holds when less than a character remains, `\b` looks
/// at the characters, not the bytes, around the position).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WideEdges {
    pub start: Option<Look>,
    pub end: Option<Look>,
}

/// Removes the look-arounds `WideEdges` handles from both ends of `h`.
pub(crate) fn split_wide_edges(h: &Hir) -> (WideEdges, Hir) {
    let mut units = Vec::new();
    match h.kind() {
        HirKind::Concat(subs) => units.extend(subs.iter().cloned()),
        _ => units.push(h.clone()),
    }
    let mut edges = WideEdges::default();
    let look = |u: &Hir| match u.kind() {
        HirKind::Look(l) => Some(*l),
        _ => None,
    };
    if let Some(l) = units.first().and_then(look) {
        if matches!(l, Look::Start | Look::WordAscii | Look::WordAsciiNegate) {
            edges.start = Some(l);
            units.remove(0);
        }
    }
    if let Some(l) = units.last().and_then(look) {
        if matches!(l, Look::End | Look::WordAscii | Look::WordAsciiNegate) {
            edges.end = Some(l);
            units.pop();
        }
    }
    (edges, Hir::concat(units))
}

/// Checks `edges` for a wide match `start..end` of `data`.
pub(crate) fn wide_edges_ok(
    edges: &WideEdges,
    data: &[u8],
    start: usize,
    end: usize,
) -> bool {
    // The character at `i` if two bytes remain there. Like YARA-X, only
    // its first byte counts: `a1` before a match is the word character
    // `a`, a lone trailing byte is no character.
    let ch = |i: usize| match data.get(i..i.saturating_add(2)) {
        Some([c, _]) => Some(*c),
        _ => None,
    };
    let word = |c: Option<u8>| {
        c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
    };
    let boundary = |p: usize| {
        let before = p.checked_sub(2).and_then(ch);
        word(before) != word(ch(p))
    };
    let check = |l: Look, p: usize| match l {
        Look::Start => p == 0,
        Look::End => data.len().saturating_sub(p) < 2,
        Look::WordAscii => boundary(p),
        Look::WordAsciiNegate => !boundary(p),
        _ => true,
    };
    edges.start.is_none_or(|l| check(l, start))
        && edges.end.is_none_or(|l| check(l, end))
}

/// Whether `hir` has a greedy repetition of variable length (the longest
/// match at a start offset wins, as in YARA-X).
pub(crate) fn is_greedy(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Repetition(rep) => {
            (rep.greedy && rep.max != Some(rep.min)) || is_greedy(&rep.sub)
        }
        HirKind::Capture(cap) => is_greedy(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().any(is_greedy)
        }
        _ => false,
    }
}

/// Splits the top level of `hir` into a sequence whose concatenation is
/// `hir`: nested concatenations and groups are flattened and literals cut
/// into single bytes, so atoms can be picked anywhere along it.
pub(crate) fn flatten(hir: &Hir, out: &mut Vec<Hir>) {
    match hir.kind() {
        HirKind::Concat(subs) => subs.iter().for_each(|s| flatten(s, out)),
        HirKind::Capture(cap) => flatten(&cap.sub, out),
        HirKind::Literal(lit) => {
            out.extend(lit.0.iter().map(|b| Hir::literal([*b])))
        }
        _ => out.push(hir.clone()),
    }
}

/// The bytes a one-byte element matches, if it is one and has at most
/// `max` of them.
pub(crate) fn byte_set(hir: &Hir, max: usize) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(lit) if lit.0.len() == 1 => Some(vec![lit.0[0]]),
        HirKind::Class(Class::Bytes(c)) => {
            let mut n = 0usize;
            for r in c.ranges() {
                n += usize::from(r.end() - r.start()) + 1;
                if n > max {
                    return None;
                }
            }
            let mut v = Vec::with_capacity(n);
            for r in c.ranges() {
                v.extend(r.start()..=r.end());
            }
            Some(v)
        }
        HirKind::Class(Class::Unicode(c)) => {
            let bytes = c.to_byte_class()?;
            byte_set(&Hir::class(Class::Bytes(bytes)), max)
        }
        _ => None,
    }
}

/// The literals of `hir` when it is one literal or an alternation of
/// literals (possibly in a group), as YARA-X tells them apart: a
/// concatenation is neither, even of literals.
pub(crate) fn alternation_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let lit = |h: &Hir| match h.kind() {
        HirKind::Literal(l) => Some(l.0.to_vec()),
        _ => None,
    };
    match hir.kind() {
        HirKind::Literal(l) => Some(vec![l.0.to_vec()]),
        HirKind::Alternation(alts) => alts.iter().map(lit).collect(),
        HirKind::Capture(cap) => match cap.sub.kind() {
            HirKind::Capture(_) => None,
            _ => alternation_literals(&cap.sub),
        },
        _ => None,
    }
}

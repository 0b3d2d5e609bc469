//! Unit tests: patterns built as AST values, results checked against
//! what YARA-X 1.22 reports for the same rule and data.

use super::*;
use crate::scanner::{Match, MatchTable};
use crate::syntax::ast::{HexPattern, HexToken, Ident, Modifier, Span};

fn m(kind: ModifierKind) -> Modifier {
    Modifier { kind, span: Span::default() }
}

fn text(s: &[u8], mods: Vec<ModifierKind>) -> ast::Pattern {
    ast::Pattern {
        ident: Ident { name: "$a".into(), span: Span::default() },
        kind: PatternKind::Text(s.to_vec()),
        modifiers: mods.into_iter().map(m).collect(),
        span: Span::default(),
    }
}

fn regex(
    src: &str,
    i: bool,
    s: bool,
    mods: Vec<ModifierKind>,
) -> ast::Pattern {
    ast::Pattern {
        ident: Ident { name: "$a".into(), span: Span::default() },
        kind: PatternKind::Regex(ast::Regex {
            source: src.into(),
            case_insensitive: i,
            dot_matches_new_line: s,
            span: Span::default(),
        }),
        modifiers: mods.into_iter().map(m).collect(),
        span: Span::default(),
    }
}

fn hex(tokens: Vec<HexToken>) -> ast::Pattern {
    ast::Pattern {
        ident: Ident { name: "$a".into(), span: Span::default() },
        kind: PatternKind::Hex(HexPattern { tokens, span: Span::default() }),
        modifiers: vec![],
        span: Span::default(),
    }
}

fn b(v: u8) -> HexToken {
    HexToken::Byte {
        value: v,
        mask: 0xFF,
        negated: false,
        span: Span::default(),
    }
}

fn jump(start: u32, end: Option<u32>) -> HexToken {
    HexToken::Jump { start, end, span: Span::default() }
}

fn run(p: &ast::Pattern, data: &[u8]) -> Vec<(usize, usize, Option<u8>)> {
    let mut builder = PatternSetBuilder::new(PatternOptions::default());
    let mut diags = Vec::new();
    let id = builder.add(p, &mut diags).expect("pattern compiles");
    let set = builder.build().expect("set builds");
    let mut table = MatchTable::default();
    let limits =
        SearchLimits { max_matches_per_pattern: 1_000_000, deadline: None };
    let out = set.search(data, &mut table, &limits);
    assert_eq!(out, SearchOutcome::default());
    table
        .get(id)
        .iter()
        .map(|m: &Match| (m.offset, m.len, m.xor_key))
        .collect()
}

#[test]
fn literal_overlapping() {
    assert_eq!(
        run(&text(b"aa", vec![]), b"aaaa"),
        vec![(0, 2, None), (1, 2, None), (2, 2, None)]
    );
}

#[test]
fn regex_greedy_and_lazy() {
    assert_eq!(
        run(&regex("a.*b", false, false, vec![]), b"aXbXbab"),
        vec![(0, 7, None), (5, 2, None)]
    );
    assert_eq!(
        run(&regex("a.*?b", false, false, vec![]), b"aXbXbab"),
        vec![(0, 3, None), (5, 2, None)]
    );
}

#[test]
fn hex_jump_lazy() {
    assert_eq!(
        run(&hex(vec![b(0x61), jump(1, Some(3)), b(0x62)]), b"aXbXbXXXb"),
        vec![(0, 3, None)]
    );
}

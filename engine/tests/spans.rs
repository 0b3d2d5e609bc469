//! Spans: every node of every rule of the shared corpus lies inside its
//! parent, and every span is a valid range of its source.

use sigscan::syntax::ast::*;
use sigscan::syntax::{ParseOptions, SourceMap, parse_bytes};

mod common;

fn children(e: &Expr) -> Vec<&Expr> {
    let mut v: Vec<&Expr> = Vec::new();
    match &e.kind {
        ExprKind::Field { object, .. } => v.push(object),
        ExprKind::Index { object, index } => {
            v.push(object);
            v.push(index);
        }
        ExprKind::Call { callee, args } => {
            v.push(callee);
            v.extend(args.iter());
        }
        ExprKind::ReadInt { offset, .. } => v.push(offset),
        ExprKind::PatternMatch { anchor: Some(Anchor::At(x)), .. } => {
            v.push(x)
        }
        ExprKind::PatternMatch { anchor: Some(Anchor::In(r)), .. }
        | ExprKind::PatternCount { range: Some(r), .. } => {
            v.push(&r.lo);
            v.push(&r.hi);
        }
        ExprKind::PatternOffset { index: Some(i), .. }
        | ExprKind::PatternLength { index: Some(i), .. } => v.push(i),
        ExprKind::Unary { operand, .. } => v.push(operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            v.push(lhs);
            v.push(rhs);
        }
        ExprKind::Of { set: OfSet::Exprs(es), .. } => v.extend(es.iter()),
        ExprKind::ForOf { body, .. } => v.push(body),
        ExprKind::ForIn { body, iterable, .. } => {
            v.push(body);
            match iterable {
                Iterable::Range(r) => {
                    v.push(&r.lo);
                    v.push(&r.hi);
                }
                Iterable::Expr(x) => v.push(x),
                Iterable::Tuple(xs) => v.extend(xs.iter()),
            }
        }
        ExprKind::With { decls, body } => {
            v.extend(decls.iter().map(|(_, x)| x));
            v.push(body);
        }
        _ => {}
    }
    v
}

fn check(e: &Expr, parent: Span, len: u32, bad: &mut Vec<String>) {
    let s = e.span;
    if s.start > s.end
        || s.end > len
        || s.start < parent.start
        || s.end > parent.end
    {
        bad.push(format!("{:?} not inside {:?}: {:?}", s, parent, e.kind));
        return;
    }
    for c in children(e) {
        check(c, s, len, bad);
    }
}

#[test]
fn spans_nest() {
    let files = common::rule_files(&common::shared().join("rules"));
    assert!(!files.is_empty());
    let mut bad = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        let mut sources = SourceMap::new();
        let out = parse_bytes(
            &bytes,
            "x.yar",
            &ParseOptions::default(),
            &mut sources,
        );
        for r in &out.file.rules {
            let len =
                sources.text(r.span.source).map_or(0, |t| t.len() as u32);
            assert!(r.span.end <= len && r.name.span.start >= r.span.start);
            for p in &r.patterns {
                assert!(
                    p.span.start >= r.span.start && p.span.end <= r.span.end
                );
            }
            check(&r.condition, r.span, len, &mut bad);
        }
    }
    assert!(
        bad.is_empty(),
        "{} bad spans, e.g.:\n{}",
        bad.len(),
        bad[..bad.len().min(5)].join("\n")
    );
}

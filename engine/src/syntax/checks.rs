//! Semantic checks YARA-X makes while parsing: modifier validity and
//! combinations, pattern references (unknown, unused, anonymous outside
//! `for … of`).
//!
//! Type checking and identifier resolution are left to the compiler.

use super::ast::*;
use super::diagnostic::{Diagnostic, DiagnosticKind};

fn mod_name(k: &ModifierKind) -> &'static str {
    match k {
        ModifierKind::Nocase => "nocase",
        ModifierKind::Wide => "wide",
        ModifierKind::Ascii => "ascii",
        ModifierKind::Fullword => "fullword",
        ModifierKind::Private => "private",
        ModifierKind::Xor { .. } => "xor",
        ModifierKind::Base64 { .. } => "base64",
        ModifierKind::Base64Wide { .. } => "base64wide",
    }
}

fn is_base64(k: &ModifierKind) -> bool {
    matches!(k, ModifierKind::Base64 { .. } | ModifierKind::Base64Wide { .. })
}

/// Checks the modifiers of one pattern against its kind and each other.
pub(crate) fn check_modifiers(pat: &Pattern, diags: &mut Vec<Diagnostic>) {
    let what = match &pat.kind {
        PatternKind::Hex(_) => Some("a hex pattern"),
        PatternKind::Regex(_) => Some("a regular expression"),
        PatternKind::Text(_) => None,
    };
    let mut bad_kind = false;
    for m in &pat.modifiers {
        let invalid = match &pat.kind {
            PatternKind::Hex(_) => !matches!(m.kind, ModifierKind::Private),
            PatternKind::Regex(_) => matches!(
                m.kind,
                ModifierKind::Xor { .. }
                    | ModifierKind::Base64 { .. }
                    | ModifierKind::Base64Wide { .. }
            ),
            PatternKind::Text(_) => false,
        };
        if invalid {
            bad_kind = true;
            diags.push(
                Diagnostic::error(
                    DiagnosticKind::InvalidModifier,
                    format!(
                        "invalid modifier `{}` for pattern `{}`",
                        mod_name(&m.kind),
                        pat.ident.name
                    ),
                    m.span,
                )
                .with_label(format!(
                    "`{}` can't be applied to {}",
                    mod_name(&m.kind),
                    what.unwrap_or("this pattern")
                )),
            );
        }
    }
    if bad_kind {
        return;
    }
    let conflicts = |a: &ModifierKind, b: &ModifierKind| -> bool {
        use ModifierKind as M;
        let pair = |x: &M, y: &M| match x {
            M::Nocase => matches!(y, M::Xor { .. }) || is_base64(y),
            M::Fullword => is_base64(y),
            M::Xor { .. } => is_base64(y),
            _ => false,
        };
        pair(a, b) || pair(b, a)
    };
    let mods = &pat.modifiers;
    for (i, a) in mods.iter().enumerate() {
        for b in &mods[i + 1..] {
            if conflicts(&a.kind, &b.kind) {
                let (na, nb) = (mod_name(&a.kind), mod_name(&b.kind));
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidModifierCombination,
                        format!(
                            "invalid modifier combination: `{na}` and `{nb}`"
                        ),
                        b.span,
                    )
                    .with_label(format!("`{nb}` can't be used with `{na}`"))
                    .with_secondary(a.span, format!("`{na}` used here")),
                );
            }
        }
    }
    if let PatternKind::Text(s) = &pat.kind {
        if let Some(m) = mods.iter().find(|m| is_base64(&m.kind)) {
            if !s.is_empty() && s.len() < 3 {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidModifier,
                        format!(
                            "invalid modifier `{}` for pattern `{}`",
                            mod_name(&m.kind),
                            pat.ident.name
                        ),
                        m.span,
                    )
                    .with_label("the pattern is too short for this modifier")
                    .with_note(format!(
                        "`{}` needs a pattern of at least 3 bytes",
                        mod_name(&m.kind)
                    )),
                );
            }
        }
    }
}

struct Walk<'r> {
    rule: &'r Rule,
    used: Vec<bool>,
    diags: Vec<Diagnostic>,
}

impl Walk<'_> {
    fn mark_name(&mut self, name: &str, span: Span, in_for_of: bool) {
        if name == "$" {
            if !in_for_of {
                self.diags.push(
                    Diagnostic::error(
                        DiagnosticKind::PatternOutsideFor,
                        "anonymous pattern reference outside `for … of`",
                        span,
                    )
                    .with_label(
                        "this is only valid in the body of a `for … of` loop",
                    ),
                );
            }
            return;
        }
        let mut found = false;
        for (i, p) in self.rule.patterns.iter().enumerate() {
            if p.ident.name == name {
                self.used[i] = true;
                found = true;
            }
        }
        if !found {
            self.diags.push(
                Diagnostic::error(
                    DiagnosticKind::UnknownPattern,
                    format!("unknown pattern `{name}`"),
                    span,
                )
                .with_label(
                    "no pattern with this name in the `strings` section",
                ),
            );
        }
    }

    fn mark_set(&mut self, set: &PatternSet) {
        match set {
            PatternSet::Them { span } => {
                if self.rule.patterns.is_empty() {
                    self.diags.push(
                        Diagnostic::error(
                            DiagnosticKind::UnknownPattern,
                            "no patterns for `them`",
                            *span,
                        )
                        .with_label("this rule declares no patterns"),
                    );
                }
                self.used.iter_mut().for_each(|u| *u = true);
            }
            PatternSet::List(items) => {
                for item in items {
                    if !item.wildcard {
                        self.mark_name(&item.name, item.span, false);
                        continue;
                    }
                    let mut found = false;
                    for (i, p) in self.rule.patterns.iter().enumerate() {
                        if p.ident.name.starts_with(&item.name) {
                            self.used[i] = true;
                            found = true;
                        }
                    }
                    if !found {
                        self.diags.push(
                            Diagnostic::error(
                                DiagnosticKind::UnknownPattern,
                                format!("no pattern matches `{}*`", item.name),
                                item.span,
                            )
                            .with_label("this set is empty"),
                        );
                    }
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr, f: bool) {
        match &e.kind {
            ExprKind::True
            | ExprKind::False
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Regex(_)
            | ExprKind::Filesize
            | ExprKind::Entrypoint
            | ExprKind::Ident(_) => {}
            ExprKind::Field { object, .. } => self.expr(object, f),
            ExprKind::Index { object, index } => {
                self.expr(object, f);
                self.expr(index, f);
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee, f);
                args.iter().for_each(|a| self.expr(a, f));
            }
            ExprKind::ReadInt { offset, .. } => self.expr(offset, f),
            ExprKind::PatternMatch { pattern, anchor } => {
                self.mark_name(&pattern.name, pattern.span, f);
                if let Some(a) = anchor {
                    self.anchor(a, f);
                }
            }
            ExprKind::PatternCount { pattern, range } => {
                self.mark_name(&pattern.name, pattern.span, f);
                if let Some(r) = range {
                    self.range(r, f);
                }
            }
            ExprKind::PatternOffset { pattern, index }
            | ExprKind::PatternLength { pattern, index } => {
                self.mark_name(&pattern.name, pattern.span, f);
                if let Some(i) = index {
                    self.expr(i, f);
                }
            }
            ExprKind::Unary { operand, .. } => self.expr(operand, f),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs, f);
                self.expr(rhs, f);
            }
            ExprKind::Of { quantifier, set, anchor } => {
                self.quantifier(quantifier, f);
                match set {
                    OfSet::Patterns(s) => self.mark_set(s),
                    OfSet::Rules(_) => {}
                    OfSet::Exprs(es) => {
                        es.iter().for_each(|x| self.expr(x, f))
                    }
                }
                if let Some(a) = anchor {
                    self.anchor(a, f);
                }
            }
            ExprKind::ForOf { quantifier, set, body } => {
                self.quantifier(quantifier, f);
                self.mark_set(set);
                self.expr(body, true);
            }
            ExprKind::ForIn { quantifier, iterable, body, .. } => {
                self.quantifier(quantifier, f);
                match iterable {
                    Iterable::Range(r) => self.range(r, f),
                    Iterable::Expr(x) => self.expr(x, f),
                    Iterable::Tuple(xs) => {
                        xs.iter().for_each(|x| self.expr(x, f))
                    }
                }
                self.expr(body, f);
            }
            ExprKind::With { decls, body } => {
                decls.iter().for_each(|(_, x)| self.expr(x, f));
                self.expr(body, f);
            }
        }
    }

    fn quantifier(&mut self, q: &Quantifier, f: bool) {
        if let Quantifier::Count(e) | Quantifier::Percent(e) = q {
            self.expr(e, f);
        }
    }

    fn anchor(&mut self, a: &Anchor, f: bool) {
        match a {
            Anchor::At(e) => self.expr(e, f),
            Anchor::In(r) => self.range(r, f),
        }
    }

    fn range(&mut self, r: &Range, f: bool) {
        self.expr(&r.lo, f);
        self.expr(&r.hi, f);
    }
}

/// Checks pattern references in the condition of `rule`.
pub(crate) fn check_rule(rule: &Rule, diags: &mut Vec<Diagnostic>) {
    let mut w = Walk {
        rule,
        used: vec![false; rule.patterns.len()],
        diags: Vec::new(),
    };
    w.expr(&rule.condition, false);
    for (p, used) in rule.patterns.iter().zip(&w.used) {
        if !used && !p.ident.name.starts_with("$_") {
            w.diags.push(
                Diagnostic::error(
                    DiagnosticKind::UnusedPattern,
                    format!("unused pattern `{}`", p.ident.name),
                    p.ident.span,
                )
                .with_label("this pattern is not used in the condition")
                .with_note(
                    "patterns whose name starts with `$_` may be unused",
                ),
            );
        }
    }
    diags.append(&mut w.diags);
}

//! S-expression rendering of the AST: `1 + 2 * 3` is `(+ 1 (* 2 3))`.
//!
//! Meant for tests and debugging; the format is stable enough to be
//! compared against expected text.

use std::fmt::Write;

use super::ast::*;

fn bytes(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    s.push('"');
    s
}

fn op(o: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match o {
        Or => "or",
        And => "and",
        Eq => "==",
        Ne => "!=",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        Contains => "contains",
        IContains => "icontains",
        StartsWith => "startswith",
        IStartsWith => "istartswith",
        EndsWith => "endswith",
        IEndsWith => "iendswith",
        IEquals => "iequals",
        Matches => "matches",
        BitOr => "|",
        BitXor => "^",
        BitAnd => "&",
        Shl => "<<",
        Shr => ">>",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "\\",
        Mod => "%",
    }
}

fn regex(r: &Regex) -> String {
    let mut s = format!("/{}/", r.source);
    if r.case_insensitive {
        s.push('i');
    }
    if r.dot_matches_new_line {
        s.push('s');
    }
    s
}

fn quantifier(q: &Quantifier) -> String {
    match q {
        Quantifier::All => "all".into(),
        Quantifier::Any => "any".into(),
        Quantifier::None => "none".into(),
        Quantifier::Count(e) => expr(e),
        Quantifier::Percent(e) => format!("(% {})", expr(e)),
    }
}

fn range(r: &Range) -> String {
    format!("(range {} {})", expr(&r.lo), expr(&r.hi))
}

fn anchor(a: &Option<Anchor>) -> String {
    match a {
        None => String::new(),
        Some(Anchor::At(e)) => format!(" (at {})", expr(e)),
        Some(Anchor::In(r)) => format!(" (in {})", range(r)),
    }
}

fn pattern_set(s: &PatternSet) -> String {
    match s {
        PatternSet::Them { .. } => "them".into(),
        PatternSet::List(items) => {
            let v: Vec<String> = items
                .iter()
                .map(|i| {
                    format!("{}{}", i.name, if i.wildcard { "*" } else { "" })
                })
                .collect();
            format!("({})", v.join(" "))
        }
    }
}

fn join(es: &[Expr]) -> String {
    es.iter().map(expr).collect::<Vec<_>>().join(" ")
}

/// Renders a condition expression.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::True => "true".into(),
        ExprKind::False => "false".into(),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Str(s) => bytes(s),
        ExprKind::Regex(r) => regex(r),
        ExprKind::Filesize => "filesize".into(),
        ExprKind::Entrypoint => "entrypoint".into(),
        ExprKind::Ident(i) => i.name.clone(),
        ExprKind::Field { object, field } => {
            format!("(. {} {})", expr(object), field.name)
        }
        ExprKind::Index { object, index } => {
            format!("([] {} {})", expr(object), expr(index))
        }
        ExprKind::Call { callee, args } => {
            if args.is_empty() {
                format!("(call {})", expr(callee))
            } else {
                format!("(call {} {})", expr(callee), join(args))
            }
        }
        ExprKind::ReadInt { ty, offset } => format!(
            "({}int{}{} {})",
            if ty.signed { "" } else { "u" },
            ty.bits,
            if ty.big_endian { "be" } else { "" },
            expr(offset)
        ),
        ExprKind::PatternMatch { pattern, anchor: a } => {
            if a.is_none() {
                pattern.name.clone()
            } else {
                format!("(match {}{})", pattern.name, anchor(a))
            }
        }
        ExprKind::PatternCount { pattern, range: r } => match r {
            None => format!("(# {})", pattern.name),
            Some(r) => format!("(# {} (in {}))", pattern.name, range(r)),
        },
        ExprKind::PatternOffset { pattern, index } => match index {
            None => format!("(@ {})", pattern.name),
            Some(i) => format!("(@ {} {})", pattern.name, expr(i)),
        },
        ExprKind::PatternLength { pattern, index } => match index {
            None => format!("(! {})", pattern.name),
            Some(i) => format!("(! {} {})", pattern.name, expr(i)),
        },
        ExprKind::Unary { op, operand } => {
            let o = match op {
                UnaryOp::Not => "not",
                UnaryOp::Defined => "defined",
                UnaryOp::Neg => "-",
                UnaryOp::BitNot => "~",
            };
            format!("({o} {})", expr(operand))
        }
        ExprKind::Binary { op: o, lhs, rhs } => {
            format!("({} {} {})", op(*o), expr(lhs), expr(rhs))
        }
        ExprKind::Of { quantifier: q, set, anchor: a } => {
            let set = match set {
                OfSet::Patterns(p) => pattern_set(p),
                OfSet::Rules(rs) => {
                    let v: Vec<String> = rs
                        .iter()
                        .map(|r| {
                            format!(
                                "{}{}",
                                r.name,
                                if r.wildcard { "*" } else { "" }
                            )
                        })
                        .collect();
                    format!("(rules {})", v.join(" "))
                }
                OfSet::Exprs(es) => format!("(exprs {})", join(es)),
            };
            format!("(of {} {}{})", quantifier(q), set, anchor(a))
        }
        ExprKind::ForOf { quantifier: q, set, body } => format!(
            "(for {} of {} {})",
            quantifier(q),
            pattern_set(set),
            expr(body)
        ),
        ExprKind::ForIn { quantifier: q, vars, iterable, body } => {
            let vars: Vec<&str> =
                vars.iter().map(|v| v.name.as_str()).collect();
            let it = match iterable {
                Iterable::Range(r) => range(r),
                Iterable::Expr(e) => expr(e),
                Iterable::Tuple(es) => format!("(tuple {})", join(es)),
            };
            format!(
                "(for {} ({}) in {} {})",
                quantifier(q),
                vars.join(" "),
                it,
                expr(body)
            )
        }
        ExprKind::With { decls, body } => {
            let d: Vec<String> = decls
                .iter()
                .map(|(i, e)| format!("({} {})", i.name, expr(e)))
                .collect();
            format!("(with ({}) {})", d.join(" "), expr(body))
        }
    }
}

fn hex_tokens(ts: &[HexToken]) -> String {
    let v: Vec<String> = ts
        .iter()
        .map(|t| match t {
            HexToken::Byte { value, mask, negated, .. } => {
                let n = |shift: u8| {
                    if mask >> shift & 0xF == 0 {
                        "?".to_string()
                    } else {
                        format!("{:X}", value >> shift & 0xF)
                    }
                };
                format!("{}{}{}", if *negated { "~" } else { "" }, n(4), n(0))
            }
            HexToken::Jump { start, end, .. } => match end {
                Some(e) if e == start => format!("[{start}]"),
                Some(e) => format!("[{start}-{e}]"),
                None => format!("[{start}-]"),
            },
            HexToken::Alternatives { alternatives, .. } => {
                let a: Vec<String> =
                    alternatives.iter().map(|a| hex_tokens(a)).collect();
                format!("({})", a.join(" | "))
            }
        })
        .collect();
    v.join(" ")
}

/// Renders a pattern: its kind, then its modifiers.
pub fn pattern(p: &Pattern) -> String {
    let kind = match &p.kind {
        PatternKind::Text(s) => bytes(s),
        PatternKind::Hex(h) => format!("{{ {} }}", hex_tokens(&h.tokens)),
        PatternKind::Regex(r) => regex(r),
    };
    let mut s = format!("{} = {}", p.ident.name, kind);
    for m in &p.modifiers {
        s.push(' ');
        match &m.kind {
            ModifierKind::Nocase => s.push_str("nocase"),
            ModifierKind::Wide => s.push_str("wide"),
            ModifierKind::Ascii => s.push_str("ascii"),
            ModifierKind::Fullword => s.push_str("fullword"),
            ModifierKind::Private => s.push_str("private"),
            ModifierKind::Xor { min, max } => {
                let _ = write!(s, "xor({min}-{max})");
            }
            ModifierKind::Base64 { alphabet } => {
                s.push_str("base64");
                if let Some(a) = alphabet {
                    let _ = write!(s, "({})", bytes(a));
                }
            }
            ModifierKind::Base64Wide { alphabet } => {
                s.push_str("base64wide");
                if let Some(a) = alphabet {
                    let _ = write!(s, "({})", bytes(a));
                }
            }
        }
    }
    s
}

/// Renders a whole rule: header, meta, patterns and condition, one item
/// per line.
pub fn rule(r: &Rule) -> String {
    let mut s = String::new();
    if r.is_private {
        s.push_str("private ");
    }
    if r.is_global {
        s.push_str("global ");
    }
    let _ = write!(s, "rule {}", r.name.name);
    if !r.tags.is_empty() {
        let t: Vec<&str> = r.tags.iter().map(|t| t.name.as_str()).collect();
        let _ = write!(s, " : {}", t.join(" "));
    }
    s.push('\n');
    for m in &r.meta {
        let v = match &m.value {
            MetaValue::Int(i) => i.to_string(),
            MetaValue::Float(f) => format!("{f:?}"),
            MetaValue::Bool(b) => b.to_string(),
            MetaValue::Str(b) => bytes(b),
        };
        let _ = writeln!(s, "  meta {} = {}", m.key.name, v);
    }
    for p in &r.patterns {
        let _ = writeln!(s, "  {}", pattern(p));
    }
    let _ = writeln!(s, "  condition {}", expr(&r.condition));
    s
}

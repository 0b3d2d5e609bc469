//! Conditions: name resolution, type checking and lowering of an AST
//! expression to [`Code`] nodes, folding constants where YARA-X does.

use std::collections::HashMap;
use std::sync::Arc;

use super::code::{
    Arith, Bits, Cmp, Code, Node, NodeId, Num, Pat, Quant, StrOp, Where,
};
use super::patterns::PatternId;
use crate::modules::{self, Signature, StructType};
use crate::syntax::ast::{self, BinaryOp, Expr, ExprKind, Span, UnaryOp};
use crate::syntax::{Diagnostic, DiagnosticKind};

/// Nesting deeper than this is refused (the evaluator recurses).
const MAX_DEPTH: u32 = 2000;

/// The static type of an expression.
#[derive(Clone, Debug)]
pub(crate) enum Ty {
    Bool,
    Int,
    Float,
    Str,
    Struct(Arc<StructType>),
    Array(modules::Type),
    Dict(modules::Type),
    /// A module function: the struct it is a field of, the module index,
    /// its overloads.
    Func(NodeId, u32, Vec<Signature>),
    /// A regular expression literal passed to a module function.
    Regex,
}

impl Ty {
    fn name(&self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Int => "integer",
            Ty::Float => "float",
            Ty::Str => "string",
            Ty::Struct(_) => "struct",
            Ty::Array(_) => "array",
            Ty::Dict(_) => "dict",
            Ty::Func(..) => "function",
            Ty::Regex => "regexp",
        }
    }

    fn from_module(t: &modules::Type) -> Ty {
        match t {
            modules::Type::Int => Ty::Int,
            modules::Type::Float => Ty::Float,
            modules::Type::Str => Ty::Str,
            modules::Type::Bool => Ty::Bool,
            modules::Type::Struct(s) => Ty::Struct(s.clone()),
            modules::Type::Array(t) => Ty::Array((**t).clone()),
            modules::Type::Dict(t) => Ty::Dict((**t).clone()),
            modules::Type::Regex => Ty::Regex,
        }
    }

    fn num(&self) -> Option<Num> {
        match self {
            Ty::Bool => Some(Num::Bool),
            Ty::Int => Some(Num::Int),
            Ty::Float => Some(Num::Float),
            Ty::Str => Some(Num::Str),
            _ => None,
        }
    }
}

/// A rule visible to conditions: its name and index.
pub(crate) struct RuleSym {
    pub name: String,
    pub index: u32,
}

/// A pattern of the rule being compiled.
pub(crate) struct PatSym {
    pub name: String,
    pub id: PatternId,
    pub span: Span,
    pub used: bool,
}

/// What a condition can refer to.
pub(crate) struct Env<'a> {
    /// Rules of the current namespace declared so far, in order.
    pub rules: &'a [RuleSym],
    /// External variables: name to (index, type).
    pub globals: &'a HashMap<String, (u32, Ty)>,
    /// Modules imported by the current source: name to (index, schema).
    pub modules: &'a HashMap<String, (u32, Arc<StructType>)>,
}

/// Lowers one rule's condition.
pub(crate) struct Lowerer<'a> {
    pub code: &'a mut Code,
    pub env: Env<'a>,
    pub patterns: Vec<PatSym>,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Loop and `with` variables in scope, innermost last.
    scopes: Vec<(String, Ty, u32)>,
    /// Slots of the enclosing `for … of`, innermost last.
    pat_vars: Vec<u32>,
    next_slot: u32,
    depth: u32,
    /// The module each variable slot over module values belongs to.
    var_modules: HashMap<u32, u32>,
    /// `with` slots bound to a constant node.
    var_consts: HashMap<u32, NodeId>,
    /// The lowered left operand of the next binary node of a left-deep
    /// chain (identified by address).
    pre: Option<(*const Expr, NodeId, Ty)>,
    /// Integer sums, differences and products of constants whose exact
    /// value does not fit in an `i64`, with that value: not an error yet
    /// while the chain of the same operator they start goes on (see
    /// [`Lowerer::binary`]).
    unfitted: HashMap<NodeId, i128>,
}

type R<T> = Result<T, ()>;

fn ty_err(e: &Expr, want: &str, got: &Ty) -> Diagnostic {
    let got = match got {
        Ty::Func(..) => "a function".to_string(),
        Ty::Struct(_) => "a struct".to_string(),
        Ty::Array(_) => "an array".to_string(),
        Ty::Dict(_) => "a dict".to_string(),
        t => format!("`{}`", t.name()),
    };
    Diagnostic::error(DiagnosticKind::WrongType, "wrong type", e.span)
        .with_label(format!("expression should be {want}, but it is {got}"))
}

fn out_of_range(span: Span, lo: i64, hi: i64) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::NumberOutOfRange,
        "number out of range",
        span,
    )
    .with_label(format!("this number is out of the allowed range [{lo}-{hi}]"))
}

impl<'a> Lowerer<'a> {
    pub fn new(
        code: &'a mut Code,
        env: Env<'a>,
        patterns: Vec<PatSym>,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Lowerer {
            code,
            env,
            patterns,
            diags,
            scopes: Vec::new(),
            pat_vars: Vec::new(),
            next_slot: 0,
            depth: 0,
            var_modules: HashMap::new(),
            var_consts: HashMap::new(),
            pre: None,
            unfitted: HashMap::new(),
        }
    }

    /// Lowers the condition as a boolean, then reports unused patterns.
    pub fn condition(&mut self, e: &Expr) -> R<NodeId> {
        let root = self.boolean(e)?;
        if let Some(b) = literal_truth(e, 0) {
            self.diags.push(
                Diagnostic::warning(
                    DiagnosticKind::InvariantExpression,
                    "invariant boolean expression",
                    e.span,
                )
                .with_label(format!("this expression is always {b}")),
            );
        }
        let mut ok = true;
        for p in &self.patterns {
            if !p.used && !p.name.starts_with("$_") {
                ok = false;
                self.diags.push(
                    Diagnostic::error(
                        DiagnosticKind::UnusedPattern,
                        format!("unused pattern `{}`", p.name),
                        p.span,
                    )
                    .with_label("this pattern was not used in the condition"),
                );
            }
        }
        self.code.slots = self.code.slots.max(self.next_slot);
        if ok { Ok(root) } else { Err(()) }
    }

    fn fail<T>(&mut self, d: Diagnostic) -> R<T> {
        self.diags.push(d);
        Err(())
    }

    fn push(&mut self, n: Node) -> NodeId {
        self.code.push(n)
    }

    fn slot(&mut self) -> u32 {
        let s = self.next_slot;
        self.next_slot += 1;
        s
    }

    /// An expression in a boolean context: any scalar is accepted.
    fn boolean(&mut self, e: &Expr) -> R<NodeId> {
        let (n, t) = self.expr(e)?;
        self.as_bool(e, n, &t)
    }

    fn as_bool(&mut self, e: &Expr, n: NodeId, t: &Ty) -> R<NodeId> {
        match t {
            Ty::Bool => Ok(n),
            Ty::Int | Ty::Float | Ty::Str => {
                self.diags.push(non_boolean(e.span, t));
                Ok(match *self.code.node(n) {
                    Node::Int(i) => self.push(Node::Bool(i != 0)),
                    Node::Float(f) => self.push(Node::Bool(f != 0.0)),
                    _ => self.push(Node::ToBool(n)),
                })
            }
            _ => self.fail(ty_err(e, "`bool`", t)),
        }
    }

    fn int(&mut self, e: &Expr) -> R<NodeId> {
        let (n, t) = self.expr(e)?;
        match t {
            Ty::Int => Ok(n),
            t => self.fail(ty_err(e, "`integer`", &t)),
        }
    }

    fn string(&mut self, e: &Expr) -> R<NodeId> {
        let (n, t) = self.expr(e)?;
        match t {
            Ty::Str => Ok(n),
            t => self.fail(ty_err(e, "`string`", &t)),
        }
    }

    /// An integer or float operand.
    fn number(&mut self, e: &Expr) -> R<(NodeId, Ty)> {
        let (n, t) = self.expr(e)?;
        match t {
            Ty::Int | Ty::Float => Ok((n, t)),
            t => self.fail(ty_err(e, "`float` or `integer`", &t)),
        }
    }

    fn as_float(&mut self, n: NodeId, t: &Ty) -> NodeId {
        match (t, self.code.node(n)) {
            (Ty::Float, _) => n,
            (_, Node::Int(i)) => {
                let f = *i as f64;
                self.push(Node::Float(f))
            }
            _ => self.push(Node::ToFloat(n)),
        }
    }

    fn const_int(&self, n: NodeId) -> Option<i64> {
        match self.code.node(n) {
            Node::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn expr(&mut self, e: &Expr) -> R<(NodeId, Ty)> {
        if let Some((p, _, _)) = &self.pre {
            if std::ptr::eq(*p, e) {
                if let Some((_, n, t)) = self.pre.take() {
                    return Ok((n, t));
                }
            }
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return self.fail(
                Diagnostic::error(
                    DiagnosticKind::TooDeep,
                    "condition nested too deeply",
                    e.span,
                )
                .with_label("this expression is nested too deeply"),
            );
        }
        let r = self.expr_inner(e);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, e: &Expr) -> R<(NodeId, Ty)> {
        Ok(match &e.kind {
            ExprKind::True => (self.push(Node::Bool(true)), Ty::Bool),
            ExprKind::False => (self.push(Node::Bool(false)), Ty::Bool),
            ExprKind::Int(i) => (self.push(Node::Int(*i)), Ty::Int),
            ExprKind::Float(f) => (self.push(Node::Float(*f)), Ty::Float),
            ExprKind::Str(s) => {
                let idx = u32::try_from(self.code.strings.len()).unwrap_or(0);
                self.code.strings.push(s.clone());
                (self.push(Node::Str(idx)), Ty::Str)
            }
            ExprKind::Regex(_) => {
                return self.fail(
                    Diagnostic::error(
                        DiagnosticKind::WrongType,
                        "wrong type",
                        e.span,
                    )
                    .with_label(
                        "a regular expression is only allowed after \
                         `matches`",
                    ),
                );
            }
            ExprKind::Filesize => (self.push(Node::Filesize), Ty::Int),
            ExprKind::Entrypoint => {
                return self.fail(
                    Diagnostic::error(
                        DiagnosticKind::Unsupported,
                        "`entrypoint` is unsupported",
                        e.span,
                    )
                    .with_label(
                        "the `entrypoint` keyword is not supported anymore",
                    )
                    .with_note(
                        "use `pe.entry_point` or `elf.entry_point` instead",
                    ),
                );
            }
            ExprKind::Ident(id) => self.ident(id)?,
            ExprKind::Field { object, field } => {
                let (obj, t) = self.expr(object)?;
                self.field(object, obj, &t, field)?
            }
            ExprKind::Index { object, index } => {
                let (obj, t) = self.expr(object)?;
                match t {
                    Ty::Array(item) => {
                        let i = self.int(index)?;
                        (
                            self.push(Node::Index(obj, i)),
                            Ty::from_module(&item),
                        )
                    }
                    Ty::Dict(item) => {
                        let k = self.string(index)?;
                        (self.push(Node::Key(obj, k)), Ty::from_module(&item))
                    }
                    t => {
                        return self.fail(
                            Diagnostic::error(
                                DiagnosticKind::NotIndexable,
                                "wrong type",
                                object.span,
                            )
                            .with_label(format!(
                                "expression should be an array or a dict, \
                                 but it is `{}`",
                                t.name()
                            )),
                        );
                    }
                }
            }
            ExprKind::Call { callee, args } => self.call(e, callee, args)?,
            ExprKind::ReadInt { ty, offset } => {
                let off = self.int(offset)?;
                (self.push(Node::ReadInt(*ty, off)), Ty::Int)
            }
            ExprKind::PatternMatch { pattern, anchor } => {
                let p = self.pattern(pattern)?;
                let n = match anchor {
                    None => Node::PatMatch(p),
                    Some(ast::Anchor::At(at)) => {
                        let at = self.non_negative_int(at)?;
                        Node::PatAt(p, at)
                    }
                    Some(ast::Anchor::In(r)) => {
                        let (lo, hi) = self.range(r)?;
                        Node::PatIn(p, lo, hi)
                    }
                };
                (self.push(n), Ty::Bool)
            }
            ExprKind::PatternCount { pattern, range } => {
                let p = self.pattern(pattern)?;
                let n = match range {
                    None => Node::PatCount(p),
                    Some(r) => {
                        let (lo, hi) = self.range(r)?;
                        Node::PatCountIn(p, lo, hi)
                    }
                };
                (self.push(n), Ty::Int)
            }
            ExprKind::PatternOffset { pattern, index } => {
                let p = self.pattern(pattern)?;
                let i = self.match_index(index.as_deref())?;
                (self.push(Node::PatOffset(p, i)), Ty::Int)
            }
            ExprKind::PatternLength { pattern, index } => {
                let p = self.pattern(pattern)?;
                let i = self.match_index(index.as_deref())?;
                (self.push(Node::PatLength(p, i)), Ty::Int)
            }
            ExprKind::Unary { op, operand } => self.unary(e, *op, operand)?,
            ExprKind::Binary { op, lhs, rhs }
                if !matches!(op, BinaryOp::And | BinaryOp::Or) =>
            {
                // Left-deep chains (`1 + 2 + 3 …`) are lowered bottom-up
                // in a loop, each result handed to its parent as the
                // already lowered left operand: no recursion per link.
                let mut spine = vec![e];
                let mut cur: &Expr = lhs;
                while let ExprKind::Binary { op: o, lhs: l, .. } = &cur.kind {
                    if matches!(o, BinaryOp::And | BinaryOp::Or) {
                        break;
                    }
                    spine.push(cur);
                    cur = l;
                }
                let mut done: Option<(NodeId, Ty)> = None;
                for (i, node) in spine.iter().enumerate().rev() {
                    let ExprKind::Binary { op, lhs, rhs } = &node.kind else {
                        continue;
                    };
                    if let Some((n, t)) = done.take() {
                        self.pre = Some((&**lhs as *const Expr, n, t));
                    }
                    let r = self.binary(node, *op, lhs, rhs);
                    self.pre = None;
                    let r = r?;
                    // A constant chain that does not fit is an error once
                    // the chain of its operator ends (YARA-X folds `a op
                    // b op c` as one operation, in exact arithmetic).
                    let next_op = i
                        .checked_sub(1)
                        .and_then(|i| spine.get(i))
                        .and_then(|x| match &x.kind {
                            ExprKind::Binary { op, .. } => Some(*op),
                            _ => None,
                        });
                    if self.unfitted.contains_key(&r.0) && next_op != Some(*op)
                    {
                        return self.fail(out_of_range(
                            node.span,
                            i64::MIN,
                            i64::MAX,
                        ));
                    }
                    done = Some(r);
                }
                done.ok_or(())?
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.binary(e, *op, lhs, rhs)?
            }
            ExprKind::Of { quantifier, set, anchor } => {
                (self.of(e, quantifier, set, anchor.as_ref())?, Ty::Bool)
            }
            ExprKind::ForOf { quantifier, set, body } => {
                let ids = self.pattern_set(set)?;
                let q = self.quant(quantifier, e.span)?;
                let slot = self.slot();
                self.pat_vars.push(slot);
                let body = self.boolean(body);
                self.pat_vars.pop();
                let body = body?;
                let list = self.code.list(&ids);
                (self.push(Node::ForOf(q, list, slot, body)), Ty::Bool)
            }
            ExprKind::ForIn { quantifier, vars, iterable, body } => (
                self.for_in(e.span, quantifier, vars, iterable, body)?,
                Ty::Bool,
            ),
            ExprKind::With { decls, body } => {
                let mut pairs = Vec::new();
                let depth = self.scopes.len();
                let mut result = Ok(());
                for (id, value) in decls {
                    match self.expr(value) {
                        Ok((n, t)) => {
                            let slot = self.slot();
                            if matches!(
                                self.code.node(n),
                                Node::Int(_)
                                    | Node::Float(_)
                                    | Node::Bool(_)
                                    | Node::Str(_)
                            ) {
                                self.var_consts.insert(slot, n);
                            }
                            self.scopes.push((id.name.clone(), t, slot));
                            pairs.push(slot);
                            pairs.push(n);
                        }
                        Err(()) => {
                            result = Err(());
                            break;
                        }
                    }
                }
                let body = result.and_then(|()| self.boolean(body));
                self.scopes.truncate(depth);
                let body = body?;
                let list = self.code.list(&pairs);
                (self.push(Node::With(list, body)), Ty::Bool)
            }
        })
    }

    fn ident(&mut self, id: &ast::Ident) -> R<(NodeId, Ty)> {
        if let Some((_, t, slot)) =
            self.scopes.iter().rev().find(|(n, _, _)| *n == id.name)
        {
            let (t, slot) = (t.clone(), *slot);
            // A `with` variable bound to a constant is that constant (so
            // it folds, as in YARA-X).
            if let Some(&c) = self.var_consts.get(&slot) {
                return Ok((c, t));
            }
            return Ok((self.push(Node::Var(slot)), t));
        }
        if let Some(r) = self.env.rules.iter().find(|r| r.name == id.name) {
            let idx = r.index;
            return Ok((self.push(Node::Rule(idx)), Ty::Bool));
        }
        if let Some((idx, t)) = self.env.globals.get(&id.name) {
            let (idx, t) = (*idx, t.clone());
            return Ok((self.push(Node::Global(idx)), t));
        }
        if let Some((idx, schema)) = self.env.modules.get(&id.name) {
            let (idx, schema) = (*idx, schema.clone());
            return Ok((self.push(Node::Module(idx)), Ty::Struct(schema)));
        }
        self.fail(unknown_ident(id))
    }

    fn field(
        &mut self,
        object: &Expr,
        obj: NodeId,
        t: &Ty,
        field: &ast::Ident,
    ) -> R<(NodeId, Ty)> {
        let Ty::Struct(s) = t else {
            return self.fail(ty_err(object, "a struct", t));
        };
        let Some(pos) = s.fields.iter().position(|f| f.name == field.name)
        else {
            return self.fail(
                Diagnostic::error(
                    DiagnosticKind::UnknownField,
                    format!("unknown field or method `{}`", field.name),
                    field.span,
                )
                .with_label("this field or method doesn't exist"),
            );
        };
        let module = self.module_of(obj);
        Ok(match &s.fields[pos].kind {
            modules::FieldKind::Value(ft) => {
                let idx = u32::try_from(pos).unwrap_or(0);
                (self.push(Node::Field(obj, idx)), Ty::from_module(ft))
            }
            modules::FieldKind::Func(sigs) => {
                (obj, Ty::Func(obj, module, sigs.clone()))
            }
            modules::FieldKind::Const(c) => match c {
                modules::Const::Int(i) => (self.push(Node::Int(*i)), Ty::Int),
                modules::Const::Float(f) => {
                    (self.push(Node::Float(*f)), Ty::Float)
                }
                modules::Const::Bool(b) => {
                    (self.push(Node::Bool(*b)), Ty::Bool)
                }
                modules::Const::Str(v) => {
                    let idx =
                        u32::try_from(self.code.strings.len()).unwrap_or(0);
                    self.code.strings.push(v.as_bytes().to_vec());
                    (self.push(Node::Str(idx)), Ty::Str)
                }
            },
        })
    }

    /// The module a struct-valued node belongs to.
    fn module_of(&self, mut n: NodeId) -> u32 {
        loop {
            match *self.code.node(n) {
                Node::Module(m) => return m,
                Node::Field(o, _) | Node::Index(o, _) | Node::Key(o, _) => {
                    n = o
                }
                Node::Var(slot) => {
                    // A loop variable over a module array: its module is
                    // recorded with the scope entry's origin node.
                    return self.var_modules.get(&slot).copied().unwrap_or(0);
                }
                _ => return 0,
            }
        }
    }

    fn call(
        &mut self,
        e: &Expr,
        callee: &Expr,
        args: &[Expr],
    ) -> R<(NodeId, Ty)> {
        if let ExprKind::Ident(id) = &callee.kind {
            if let Some(r) = self.builtin_read(e, &id.name, args)? {
                return Ok(r);
            }
        }
        let (_, t) = self.expr(callee)?;
        let Ty::Func(this, module, sigs) = t else {
            return self.fail(
                Diagnostic::error(
                    DiagnosticKind::NotCallable,
                    "wrong type",
                    callee.span,
                )
                .with_label(format!(
                    "expression should be a function, but it is `{}`",
                    t.name()
                )),
            );
        };
        let mut lowered = Vec::with_capacity(args.len());
        for a in args {
            if let ExprKind::Regex(re) = &a.kind {
                // Regex literals are accepted as arguments of module
                // functions that take one (`pe.exports(/re/)`).
                let idx = self.regex_literal(re)?;
                lowered.push((self.push(Node::Regex(idx)), Ty::Regex));
                continue;
            }
            lowered.push(self.expr(a)?);
        }
        let exact = sigs.iter().find(|s| {
            s.args.len() == lowered.len()
                && s.args.iter().zip(&lowered).all(|(p, (_, t))| {
                    matches!(
                        (p, t),
                        (modules::Type::Int, Ty::Int)
                            | (modules::Type::Float, Ty::Float)
                            | (modules::Type::Str, Ty::Str)
                            | (modules::Type::Bool, Ty::Bool)
                            | (modules::Type::Regex, Ty::Regex)
                    )
                })
        });
        let coerced = || {
            sigs.iter().find(|s| {
                s.args.len() == lowered.len()
                    && s.args.iter().zip(&lowered).all(|(p, (_, t))| {
                        matches!(
                            (p, t),
                            (modules::Type::Int, Ty::Int)
                                | (modules::Type::Float, Ty::Float | Ty::Int)
                                | (modules::Type::Str, Ty::Str)
                                | (modules::Type::Bool, Ty::Bool)
                                | (modules::Type::Regex, Ty::Regex)
                        )
                    })
            })
        };
        let Some(sig) = exact.or_else(coerced).cloned() else {
            let mut note = String::from("accepted argument combinations:\n");
            for s in &sigs {
                let names: Vec<&str> =
                    s.args.iter().map(|a| a.name()).collect();
                note.push_str(&format!("\n({})", names.join(", ")));
            }
            let span = args
                .first()
                .zip(args.last())
                .map_or(e.span, |(a, b)| a.span.join(b.span));
            return self.fail(
                Diagnostic::error(
                    DiagnosticKind::WrongArguments,
                    "wrong arguments",
                    span,
                )
                .with_label("wrong arguments in this call")
                .with_note(note),
            );
        };
        let mut ids = Vec::with_capacity(lowered.len());
        for (p, (n, t)) in sig.args.iter().zip(&lowered) {
            let n = if matches!(p, modules::Type::Float) {
                self.as_float(*n, t)
            } else {
                *n
            };
            ids.push(n);
        }
        let list = self.code.list(&ids);
        let ret = Ty::from_module(&sig.ret);
        Ok((self.push(Node::Call(this, module, sig.func, list)), ret))
    }

    /// Compiles a regex literal into [`Code::regexes`]; its index.
    fn regex_literal(&mut self, re: &ast::Regex) -> R<u32> {
        let compiled = match super::regex::compile(re) {
            Ok(r) => r,
            Err(msg) => {
                return self.fail(
                    Diagnostic::error(
                        DiagnosticKind::InvalidRegex,
                        "invalid regular expression",
                        re.span,
                    )
                    .with_label(msg),
                );
            }
        };
        let idx = u32::try_from(self.code.regexes.len()).unwrap_or(0);
        self.code.regexes.push(compiled);
        self.code.regex_src.push((
            re.source.clone(),
            re.case_insensitive,
            re.dot_matches_new_line,
        ));
        Ok(idx)
    }

    /// `float32(off)` and friends when the parser leaves them as calls,
    /// and the integer reads too.
    fn builtin_read(
        &mut self,
        e: &Expr,
        name: &str,
        args: &[Expr],
    ) -> R<Option<(NodeId, Ty)>> {
        if self.scopes.iter().any(|(n, _, _)| n == name)
            || self.env.globals.contains_key(name)
        {
            return Ok(None);
        }
        let (float, rest) = if let Some(r) = name.strip_prefix("float") {
            (true, r)
        } else if let Some(r) = name.strip_prefix("uint") {
            (false, r)
        } else if let Some(r) = name.strip_prefix("int") {
            (false, r)
        } else {
            return Ok(None);
        };
        let (bits, be) = match rest {
            "8" | "8be" if !float => (8, rest.ends_with("be")),
            "16" | "32" => (rest.parse().unwrap_or(32), false),
            "16be" | "32be" => (rest[..2].parse().unwrap_or(32), true),
            "64" if float => (64, false),
            "64be" if float => (64, true),
            _ => return Ok(None),
        };
        if float && bits == 16 {
            return Ok(None);
        }
        let [arg] = args else {
            return self.fail(
                Diagnostic::error(
                    DiagnosticKind::WrongArguments,
                    "wrong arguments",
                    e.span,
                )
                .with_label("this function takes one argument"),
            );
        };
        let off = self.int(arg)?;
        if float {
            Ok(Some((self.push(Node::ReadFloat(bits, be, off)), Ty::Float)))
        } else {
            let ty = ast::IntType {
                bits,
                signed: !name.starts_with('u'),
                big_endian: be,
            };
            Ok(Some((self.push(Node::ReadInt(ty, off)), Ty::Int)))
        }
    }

    fn non_negative_int(&mut self, e: &Expr) -> R<NodeId> {
        let n = self.int(e)?;
        if let Some(i) = self.const_int(n) {
            if i < 0 {
                return self.fail(negative(e.span));
            }
        }
        Ok(n)
    }

    fn range(&mut self, r: &ast::Range) -> R<(NodeId, NodeId)> {
        let lo = self.non_negative_int(&r.lo)?;
        let hi = self.non_negative_int(&r.hi)?;
        if let (Some(a), Some(b)) = (self.const_int(lo), self.const_int(hi)) {
            if a > b {
                return self.fail(
                    Diagnostic::error(
                        DiagnosticKind::InvalidRange,
                        "invalid range",
                        r.span,
                    )
                    .with_label(format!(
                        "lower bound ({a}) is greater than upper bound ({b})"
                    )),
                );
            }
        }
        Ok((lo, hi))
    }

    /// The index of `@a[i]`/`!a[i]` (1 when absent).
    fn match_index(&mut self, index: Option<&Expr>) -> R<NodeId> {
        match index {
            None => Ok(self.push(Node::Int(1))),
            Some(i) => {
                let n = self.int(i)?;
                if let Some(v) = self.const_int(n) {
                    if v < 1 {
                        return self.fail(out_of_range(i.span, 1, i64::MAX));
                    }
                }
                Ok(n)
            }
        }
    }

    fn pattern(&mut self, id: &ast::Ident) -> R<Pat> {
        if id.name == "$" {
            return match self.pat_vars.last() {
                Some(&slot) => Ok(Pat::Var(slot)),
                None => self.fail(
                    Diagnostic::error(
                        DiagnosticKind::PatternOutsideFor,
                        "`$` outside of a `for .. of`",
                        id.span,
                    )
                    .with_label(
                        "this `$` is outside of the body of a `for .. of` \
                         statement",
                    ),
                ),
            };
        }
        match self.patterns.iter_mut().find(|p| p.name == id.name) {
            Some(p) => {
                p.used = true;
                Ok(Pat::Id(p.id))
            }
            None => self.fail(
                Diagnostic::error(
                    DiagnosticKind::UnknownPattern,
                    format!("unknown pattern `{}`", id.name),
                    id.span,
                )
                .with_label(
                    "this pattern is not declared in the `strings` section",
                ),
            ),
        }
    }

    fn pattern_set(&mut self, set: &ast::PatternSet) -> R<Vec<u32>> {
        match set {
            ast::PatternSet::Them { span } => {
                if self.patterns.is_empty() {
                    return self.fail(
                        Diagnostic::error(
                            DiagnosticKind::UnknownPattern,
                            "no matching patterns",
                            *span,
                        )
                        .with_label("there's no pattern in this set")
                        .with_note("this rule doesn't define any patterns"),
                    );
                }
                Ok(self
                    .patterns
                    .iter_mut()
                    .map(|p| {
                        p.used = true;
                        p.id
                    })
                    .collect())
            }
            ast::PatternSet::List(items) => {
                let mut ids = Vec::new();
                for item in items {
                    let mut found = false;
                    for p in &mut self.patterns {
                        let hit = if item.wildcard {
                            p.name.starts_with(&item.name)
                        } else {
                            p.name == item.name
                        };
                        if hit {
                            found = true;
                            p.used = true;
                            if !ids.contains(&p.id) {
                                ids.push(p.id);
                            }
                        }
                    }
                    if !found {
                        let d = if item.wildcard {
                            Diagnostic::error(
                                DiagnosticKind::UnknownPattern,
                                "no matching patterns",
                                item.span,
                            )
                            .with_label("there's no pattern in this set")
                            .with_note(format!(
                                "`{}*` doesn't match any pattern identifier",
                                item.name
                            ))
                        } else {
                            Diagnostic::error(
                                DiagnosticKind::UnknownPattern,
                                format!("unknown pattern `{}`", item.name),
                                item.span,
                            )
                            .with_label(
                                "this pattern is not declared in the \
                                 `strings` section",
                            )
                        };
                        return self.fail(d);
                    }
                }
                Ok(ids)
            }
        }
    }

    fn quant(&mut self, q: &ast::Quantifier, whole: Span) -> R<Quant> {
        Ok(match q {
            ast::Quantifier::All => Quant::All,
            ast::Quantifier::Any => Quant::Any,
            ast::Quantifier::None => Quant::None,
            ast::Quantifier::Count(e) => {
                let n = self.int(e)?;
                match self.const_int(n) {
                    Some(0) => {
                        self.diags.push(
                            Diagnostic::warning(
                                DiagnosticKind::AmbiguousExpression,
                                "ambiguous expression",
                                whole,
                            )
                            .with_label("this expression is ambiguous")
                            .with_note("consider using `none` instead of `0`"),
                        );
                        Quant::None
                    }
                    Some(i) if i < 0 => return self.fail(negative(e.span)),
                    _ => Quant::Count(n),
                }
            }
            ast::Quantifier::Percent(e) => {
                let n = self.int(e)?;
                if let Some(i) = self.const_int(n) {
                    if !(0..=100).contains(&i) {
                        return self.fail(out_of_range(e.span, 0, 100));
                    }
                }
                Quant::Percent(n)
            }
        })
    }

    fn of(
        &mut self,
        e: &Expr,
        q: &ast::Quantifier,
        set: &ast::OfSet,
        anchor: Option<&ast::Anchor>,
    ) -> R<NodeId> {
        let quant = self.quant(q, e.span)?;
        match set {
            ast::OfSet::Patterns(set) => {
                let ids = self.pattern_set(set)?;
                let w = match anchor {
                    None => Where::Anywhere,
                    Some(ast::Anchor::At(at)) => {
                        Where::At(self.non_negative_int(at)?)
                    }
                    Some(ast::Anchor::In(r)) => {
                        let (lo, hi) = self.range(r)?;
                        Where::In(lo, hi)
                    }
                };
                self.check_invariant(e.span, quant, ids.len(), "patterns");
                let list = self.code.list(&ids);
                Ok(self.push(Node::OfPats(quant, list, w)))
            }
            ast::OfSet::Rules(items) => {
                let mut ids = Vec::new();
                for item in items {
                    let before = ids.len();
                    for r in self.env.rules {
                        let hit = if item.wildcard {
                            r.name.starts_with(&item.name)
                        } else {
                            r.name == item.name
                        };
                        if hit {
                            ids.push(r.index);
                        }
                    }
                    if ids.len() == before {
                        let id = ast::Ident {
                            name: item.name.clone(),
                            span: item.span,
                        };
                        return self.fail(unknown_ident(&id));
                    }
                }
                let mut nodes = Vec::with_capacity(ids.len());
                for r in ids {
                    nodes.push(self.push(Node::Rule(r)));
                }
                self.of_exprs(e, quant, nodes, anchor)
            }
            ast::OfSet::Exprs(exprs) => {
                let mut nodes = Vec::with_capacity(exprs.len());
                for x in exprs {
                    nodes.push(self.boolean(x)?);
                }
                self.of_exprs(e, quant, nodes, anchor)
            }
        }
    }

    /// Warns when `N of` asks for more items than the set has.
    fn check_invariant(&mut self, span: Span, q: Quant, n: usize, what: &str) {
        let Quant::Count(c) = q else { return };
        let Some(k) = self.const_int(c) else { return };
        if usize::try_from(k).is_ok_and(|k| k > n) {
            self.diags.push(
                Diagnostic::warning(
                    DiagnosticKind::InvariantExpression,
                    "invariant boolean expression",
                    span,
                )
                .with_label("this expression is always false")
                .with_note(format!(
                    "the expression requires {k} matching {what} out of {n}"
                )),
            );
        }
    }

    fn of_exprs(
        &mut self,
        e: &Expr,
        quant: Quant,
        nodes: Vec<NodeId>,
        anchor: Option<&ast::Anchor>,
    ) -> R<NodeId> {
        if anchor.is_some() {
            return self.fail(
                Diagnostic::error(
                    DiagnosticKind::WrongType,
                    "`at` and `in` apply to patterns only",
                    e.span,
                )
                .with_label("this is not a set of patterns"),
            );
        }
        self.check_invariant(e.span, quant, nodes.len(), "expressions");
        let list = self.code.list(&nodes);
        Ok(self.push(Node::OfExprs(quant, list)))
    }

    fn for_in(
        &mut self,
        whole: Span,
        q: &ast::Quantifier,
        vars: &[ast::Ident],
        iterable: &ast::Iterable,
        body: &Expr,
    ) -> R<NodeId> {
        let quant = self.quant(q, whole)?;
        let depth = self.scopes.len();
        let arity_err = |this: &mut Self, want: usize| {
            let span = vars
                .first()
                .zip(vars.last())
                .map_or(body.span, |(a, b)| a.span.join(b.span));
            this.fail::<NodeId>(
                Diagnostic::error(
                    DiagnosticKind::AssignmentMismatch,
                    "assignment mismatch",
                    span,
                )
                .with_label(format!(
                    "this expects {want} variable(s), but {} given",
                    vars.len()
                )),
            )
        };
        let node = match iterable {
            ast::Iterable::Range(r) => {
                if vars.len() != 1 {
                    return arity_err(self, 1);
                }
                let lo = self.non_negative_int(&r.lo)?;
                let hi = self.non_negative_int(&r.hi)?;
                if let (Some(a), Some(b)) =
                    (self.const_int(lo), self.const_int(hi))
                {
                    if a > b {
                        return self.fail(
                            Diagnostic::error(
                                DiagnosticKind::InvalidRange,
                                "invalid range",
                                r.span,
                            )
                            .with_label(format!(
                                "lower bound ({a}) is greater than upper \
                                 bound ({b})"
                            )),
                        );
                    }
                }
                let slot = self.slot();
                self.scopes.push((vars[0].name.clone(), Ty::Int, slot));
                let b = self.boolean(body);
                self.scopes.truncate(depth);
                Node::ForRange(quant, lo, hi, slot, b?)
            }
            ast::Iterable::Tuple(items) => {
                if vars.len() != 1 {
                    return arity_err(self, 1);
                }
                let mut nodes = Vec::new();
                let mut ty: Option<(Ty, Span)> = None;
                for it in items {
                    let (n, t) = self.expr(it)?;
                    if !matches!(t, Ty::Int | Ty::Float | Ty::Str | Ty::Bool) {
                        return self.fail(ty_err(it, "a scalar", &t));
                    }
                    if let Some((t0, s0)) = &ty {
                        if t0.name() != t.name() {
                            return self.fail(mismatch(*s0, t0, it.span, &t));
                        }
                    } else {
                        ty = Some((t.clone(), it.span));
                    }
                    nodes.push(n);
                }
                let t = ty.map_or(Ty::Int, |(t, _)| t);
                let slot = self.slot();
                self.scopes.push((vars[0].name.clone(), t, slot));
                let b = self.boolean(body);
                self.scopes.truncate(depth);
                let list = self.code.list(&nodes);
                Node::ForTuple(quant, list, slot, b?)
            }
            ast::Iterable::Expr(x) => {
                let (n, t) = self.expr(x)?;
                let module = self.module_of(n);
                match t {
                    Ty::Array(item) => {
                        if vars.len() != 1 {
                            return arity_err(self, 1);
                        }
                        let slot = self.slot();
                        self.var_modules.insert(slot, module);
                        self.scopes.push((
                            vars[0].name.clone(),
                            Ty::from_module(&item),
                            slot,
                        ));
                        let b = self.boolean(body);
                        self.scopes.truncate(depth);
                        Node::ForArray(quant, n, slot, b?)
                    }
                    Ty::Dict(item) => {
                        if vars.len() != 2 {
                            return arity_err(self, 2);
                        }
                        let ks = self.slot();
                        let vs = self.slot();
                        self.var_modules.insert(vs, module);
                        self.scopes.push((vars[0].name.clone(), Ty::Str, ks));
                        self.scopes.push((
                            vars[1].name.clone(),
                            Ty::from_module(&item),
                            vs,
                        ));
                        let b = self.boolean(body);
                        self.scopes.truncate(depth);
                        Node::ForDict(quant, n, ks, vs, b?)
                    }
                    t => {
                        return self.fail(ty_err(x, "an array or a dict", &t));
                    }
                }
            }
        };
        Ok(self.push(node))
    }

    fn unary(
        &mut self,
        e: &Expr,
        op: UnaryOp,
        operand: &Expr,
    ) -> R<(NodeId, Ty)> {
        Ok(match op {
            UnaryOp::Not => {
                let n = self.boolean(operand)?;
                let r = match *self.code.node(n) {
                    Node::Bool(b) => Node::Bool(!b),
                    _ => Node::Not(n),
                };
                (self.push(r), Ty::Bool)
            }
            UnaryOp::Defined => {
                let (n, t) = self.expr(operand)?;
                if !matches!(t, Ty::Int | Ty::Float | Ty::Str | Ty::Bool) {
                    return self.fail(ty_err(operand, "a scalar", &t));
                }
                (self.push(Node::Defined(n)), Ty::Bool)
            }
            UnaryOp::Neg => {
                let (n, t) = self.number(operand)?;
                let r = match *self.code.node(n) {
                    Node::Int(i) => match i.checked_neg() {
                        Some(v) => Node::Int(v),
                        None => {
                            return self.fail(out_of_range(
                                e.span,
                                i64::MIN,
                                i64::MAX,
                            ));
                        }
                    },
                    Node::Float(f) => Node::Float(-f),
                    _ => Node::Neg(n),
                };
                (self.push(r), t)
            }
            UnaryOp::BitNot => {
                let n = self.int(operand)?;
                let r = match *self.code.node(n) {
                    Node::Int(i) => Node::Int(!i),
                    _ => Node::BitNot(n),
                };
                (self.push(r), Ty::Int)
            }
        })
    }

    fn binary(
        &mut self,
        e: &Expr,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
    ) -> R<(NodeId, Ty)> {
        use BinaryOp as B;
        match op {
            B::And | B::Or => {
                // Flatten chains of the same operator.
                let mut items = Vec::new();
                let absorbing = op == B::Or;
                let mut absorbed = false;
                let mut stack = vec![rhs, lhs];
                while let Some(x) = stack.pop() {
                    match &x.kind {
                        ExprKind::Binary { op: o, lhs: l, rhs: r }
                            if *o == op =>
                        {
                            stack.push(r);
                            stack.push(l);
                        }
                        _ => {
                            items.push(self.boolean(x)?);
                            absorbed |= literal_truth(x, 0) == Some(absorbing);
                        }
                    }
                }
                // `… or true` is `true` and `… and false` is `false`, the
                // other operands dropped, as YARA-X folds them: the
                // patterns only they refer to are then not searched.
                if absorbed {
                    return Ok((self.push(Node::Bool(absorbing)), Ty::Bool));
                }
                let list = self.code.list(&items);
                let n = if op == B::And {
                    Node::And(list)
                } else {
                    Node::Or(list)
                };
                Ok((self.push(n), Ty::Bool))
            }
            B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => {
                let cmp = match op {
                    B::Eq => Cmp::Eq,
                    B::Ne => Cmp::Ne,
                    B::Lt => Cmp::Lt,
                    B::Le => Cmp::Le,
                    B::Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                let (l, lt) = self.expr(lhs)?;
                let (r, rt) = self.expr(rhs)?;
                let num = match (&lt, &rt) {
                    (Ty::Int, Ty::Int) => Num::Int,
                    (Ty::Int | Ty::Float, Ty::Int | Ty::Float) => Num::Float,
                    (Ty::Str, Ty::Str) => Num::Str,
                    (Ty::Bool, Ty::Bool) => Num::Bool,
                    _ => {
                        for (x, t) in [(lhs, &lt), (rhs, &rt)] {
                            if t.num().is_none() {
                                return self.fail(ty_err(x, "a scalar", t));
                            }
                        }
                        return self
                            .fail(mismatch(lhs.span, &lt, rhs.span, &rt));
                    }
                };
                if matches!(cmp, Cmp::Eq) {
                    self.check_satisfiable(l, lhs.span, r, rhs.span);
                    self.check_satisfiable(r, rhs.span, l, lhs.span);
                }
                let (l, r) = if num == Num::Float {
                    (self.as_float(l, &lt), self.as_float(r, &rt))
                } else {
                    (l, r)
                };
                if let (Node::Int(a), Node::Int(b)) =
                    (self.code.node(l), self.code.node(r))
                {
                    let (a, b) = (*a, *b);
                    let v = match cmp {
                        Cmp::Eq => a == b,
                        Cmp::Ne => a != b,
                        Cmp::Lt => a < b,
                        Cmp::Le => a <= b,
                        Cmp::Gt => a > b,
                        Cmp::Ge => a >= b,
                    };
                    return Ok((self.push(Node::Bool(v)), Ty::Bool));
                }
                Ok((self.push(Node::Cmp(cmp, num, l, r)), Ty::Bool))
            }
            B::Contains
            | B::IContains
            | B::StartsWith
            | B::IStartsWith
            | B::EndsWith
            | B::IEndsWith
            | B::IEquals => {
                let l = self.string(lhs)?;
                let r = self.string(rhs)?;
                let s = match op {
                    B::Contains => StrOp::Contains,
                    B::IContains => StrOp::IContains,
                    B::StartsWith => StrOp::StartsWith,
                    B::IStartsWith => StrOp::IStartsWith,
                    B::EndsWith => StrOp::EndsWith,
                    B::IEndsWith => StrOp::IEndsWith,
                    _ => StrOp::IEquals,
                };
                Ok((self.push(Node::StrOp(s, l, r)), Ty::Bool))
            }
            B::Matches => {
                let l = self.string(lhs)?;
                let ExprKind::Regex(re) = &rhs.kind else {
                    let (_, t) = self.expr(rhs)?;
                    return self.fail(ty_err(rhs, "a regexp", &t));
                };
                let idx = self.regex_literal(re)?;
                Ok((self.push(Node::Matches(l, idx)), Ty::Bool))
            }
            B::BitOr | B::BitXor | B::BitAnd | B::Shl | B::Shr => {
                let l = self.int(lhs)?;
                let r = self.int(rhs)?;
                let b = match op {
                    B::BitOr => Bits::Or,
                    B::BitXor => Bits::Xor,
                    B::BitAnd => Bits::And,
                    B::Shl => Bits::Shl,
                    _ => Bits::Shr,
                };
                let (cl, cr) = (self.const_int(l), self.const_int(r));
                if matches!(b, Bits::Shl | Bits::Shr) {
                    if let Some(v) = cr {
                        if v < 0 {
                            return self.fail(negative(rhs.span));
                        }
                    }
                }
                if let (Some(a), Some(c)) = (cl, cr) {
                    if let Some(v) = crate::scanner::eval_bits(b, a, c) {
                        return Ok((self.push(Node::Int(v)), Ty::Int));
                    }
                }
                Ok((self.push(Node::Bits(b, l, r)), Ty::Int))
            }
            B::Add | B::Sub | B::Mul | B::Div | B::Mod => {
                let a = match op {
                    B::Add => Arith::Add,
                    B::Sub => Arith::Sub,
                    B::Mul => Arith::Mul,
                    B::Div => Arith::Div,
                    _ => Arith::Mod,
                };
                let (l, lt) = if a == Arith::Mod {
                    (self.int(lhs)?, Ty::Int)
                } else {
                    self.number(lhs)?
                };
                let (r, rt) = if a == Arith::Mod {
                    (self.int(rhs)?, Ty::Int)
                } else {
                    self.number(rhs)?
                };
                if matches!((&lt, &rt), (Ty::Int, Ty::Int)) {
                    // `a op b op c` with constants: exact arithmetic, an
                    // error only if the whole chain does not fit (checked
                    // where the chain ends, in `expr`); with a variable
                    // operand anywhere in it, YARA-X folds none of it.
                    let exact = |me: &Self, n: NodeId| {
                        me.unfitted
                            .get(&n)
                            .copied()
                            .or_else(|| me.const_int(n).map(i128::from))
                    };
                    if matches!(a, Arith::Add | Arith::Sub | Arith::Mul) {
                        if let (Some(x), Some(y)) =
                            (exact(self, l), self.const_int(r))
                        {
                            let y = i128::from(y);
                            let v = match a {
                                Arith::Add => x.checked_add(y),
                                Arith::Sub => x.checked_sub(y),
                                _ => x.checked_mul(y),
                            };
                            let Some(v) = v else {
                                return self.fail(out_of_range(
                                    e.span,
                                    i64::MIN,
                                    i64::MAX,
                                ));
                            };
                            if let Ok(v) = i64::try_from(v) {
                                return Ok((self.push(Node::Int(v)), Ty::Int));
                            }
                            let n = self.push(Node::Arith(a, Num::Int, l, r));
                            self.unfitted.insert(n, v);
                            return Ok((n, Ty::Int));
                        }
                    }
                    // Division: by zero (or `MIN \ -1`) it is undefined
                    // at run time, not an error: left unfolded.
                    if let (Some(x), Some(y)) =
                        (self.const_int(l), self.const_int(r))
                    {
                        let v = match a {
                            Arith::Div => x.checked_div(y),
                            Arith::Mod => x.checked_rem(y),
                            _ => None,
                        };
                        if let Some(v) = v {
                            return Ok((self.push(Node::Int(v)), Ty::Int));
                        }
                    }
                    return Ok((
                        self.push(Node::Arith(a, Num::Int, l, r)),
                        Ty::Int,
                    ));
                }
                let l = self.as_float(l, &lt);
                let r = self.as_float(r, &rt);
                Ok((self.push(Node::Arith(a, Num::Float, l, r)), Ty::Float))
            }
        }
    }
}

impl Lowerer<'_> {
    /// Warns about `uintN(…) == k` with `k` outside what the read yields.
    fn check_satisfiable(
        &mut self,
        read: NodeId,
        rs: Span,
        k: NodeId,
        ks: Span,
    ) {
        let Node::ReadInt(ty, _) = *self.code.node(read) else { return };
        let Some(k) = self.const_int(k) else { return };
        let bits = u32::from(ty.bits);
        let (lo, hi) = if ty.signed {
            (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
        } else {
            (0, (1i64 << bits) - 1)
        };
        if k < lo || k > hi {
            self.diags.push(
                Diagnostic::warning(
                    DiagnosticKind::UnsatisfiableExpression,
                    "unsatisfiable expression",
                    rs,
                )
                .with_label(format!(
                    "this expression is an integer in the range [{lo},{hi}]"
                ))
                .with_secondary(
                    ks,
                    format!("this integer is outside the range [{lo},{hi}]"),
                ),
            );
        }
    }
}

/// The truth of a condition made of literals, `not`, `and` and `or` only
/// (what YARA-X calls invariant).
fn literal_truth(e: &Expr, depth: u32) -> Option<bool> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &e.kind {
        ExprKind::True => Some(true),
        ExprKind::False => Some(false),
        ExprKind::Int(i) => Some(*i != 0),
        ExprKind::Float(f) => Some(*f != 0.0),
        ExprKind::Str(s) => Some(!s.is_empty()),
        ExprKind::Unary { op: UnaryOp::Not, operand } => {
            literal_truth(operand, depth + 1).map(|b| !b)
        }
        ExprKind::Binary {
            op: op @ (BinaryOp::And | BinaryOp::Or),
            lhs,
            rhs,
        } => {
            let absorbing = *op == BinaryOp::Or;
            let (l, r) =
                (literal_truth(lhs, depth + 1), literal_truth(rhs, depth + 1));
            if l == Some(absorbing) || r == Some(absorbing) {
                Some(absorbing)
            } else if l.is_some() && r.is_some() {
                Some(!absorbing)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn non_boolean(span: Span, t: &Ty) -> Diagnostic {
    let note = match t {
        Ty::Int => {
            "non-zero integers are considered `true`, while zero is \
                    `false`"
        }
        Ty::Float => {
            "non-zero floats are considered `true`, while zero is \
                      `false`"
        }
        _ => {
            "non-empty strings are considered `true`, while the empty \
              string (\"\") is `false`"
        }
    };
    Diagnostic::warning(
        DiagnosticKind::NonBooleanAsBoolean,
        "non-boolean expression used as boolean",
        span,
    )
    .with_label(format!(
        "this expression is `{}` but is being used as `bool`",
        t.name()
    ))
    .with_note(note)
}

fn negative(span: Span) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::NumberOutOfRange,
        "unexpected negative number",
        span,
    )
    .with_label("this number can not be negative")
}

fn mismatch(ls: Span, lt: &Ty, rs: Span, rt: &Ty) -> Diagnostic {
    Diagnostic::error(DiagnosticKind::WrongType, "mismatching types", ls)
        .with_label(format!("this expression is `{}`", lt.name()))
        .with_secondary(rs, format!("this expression is `{}`", rt.name()))
}

fn unknown_ident(id: &ast::Ident) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::UnknownIdentifier,
        format!("unknown identifier `{}`", id.name),
        id.span,
    )
    .with_label("this identifier has not been declared")
}

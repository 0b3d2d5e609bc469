//! The compiled form of conditions: one flat arena of typed nodes shared by
//! every rule, children referred to by `u32` index, lists (of nodes or of
//! pattern ids) stored out of line in one vector.
//!
//! Types are settled at compile time: each node knows whether it yields a
//! boolean, an integer, a float, a string or a module value, so the
//! evaluator never checks types, only definedness.

use std::collections::{HashMap, HashSet};

use regex_automata::meta::Regex;

use super::patterns::PatternId;
use crate::modules::ModFn;
use crate::syntax::ast::IntType;

/// Index of a node in [`Code::nodes`].
pub(crate) type NodeId = u32;

/// A slice of [`Code::lists`]: `(start, len)`.
pub(crate) type List = (u32, u32);

/// A pattern operand: a fixed pattern, or the `$` of an enclosing
/// `for … of` (a variable slot holding a pattern id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pat {
    Id(PatternId),
    Var(u32),
}

/// `all`, `any`, `none`, `N`, `N%`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quant {
    All,
    Any,
    None,
    Count(NodeId),
    Percent(NodeId),
}

/// `at e`, `in (lo..hi)` after `… of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Where {
    Anywhere,
    At(NodeId),
    In(NodeId, NodeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bits {
    And,
    Or,
    Xor,
    Shl,
    Shr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StrOp {
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
    IEquals,
}

/// How operands compare or compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Num {
    Int,
    Float,
    Str,
    Bool,
}

/// One node. Integers are `i64`, floats `f64`; strings are byte strings.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Index into [`Code::strings`].
    Str(u32),
    Filesize,
    /// An external variable (index into the rules' globals).
    Global(u32),
    /// The result of an earlier rule.
    Rule(u32),
    /// A loop or `with` variable.
    Var(u32),
    PatMatch(Pat),
    PatAt(Pat, NodeId),
    PatIn(Pat, NodeId, NodeId),
    PatCount(Pat),
    PatCountIn(Pat, NodeId, NodeId),
    /// `@a[i]` (1-based).
    PatOffset(Pat, NodeId),
    /// `!a[i]` (1-based).
    PatLength(Pat, NodeId),
    ReadInt(IntType, NodeId),
    /// `float32`/`float64` reads: bits and big-endianness.
    ReadFloat(u8, bool, NodeId),
    Not(NodeId),
    Defined(NodeId),
    Neg(NodeId),
    BitNot(NodeId),
    ToFloat(NodeId),
    /// Any value as a boolean (non-zero, non-empty).
    ToBool(NodeId),
    And(List),
    Or(List),
    Arith(Arith, Num, NodeId, NodeId),
    Bits(Bits, NodeId, NodeId),
    Cmp(Cmp, Num, NodeId, NodeId),
    StrOp(StrOp, NodeId, NodeId),
    /// Index into [`Code::regexes`].
    Matches(NodeId, u32),
    /// A regex literal argument of a module function (index into
    /// [`Code::regexes`]); only read by [`Node::Call`].
    Regex(u32),
    /// `… of` over patterns (a list of pattern ids).
    OfPats(Quant, List, Where),
    /// `… of` over boolean expressions or rules.
    OfExprs(Quant, List),
    /// `for … of <patterns> : (body)`; the slot holds the pattern id.
    ForOf(Quant, List, u32, NodeId),
    /// `for … v in (lo..hi) : (body)`.
    ForRange(Quant, NodeId, NodeId, u32, NodeId),
    /// `for … v in (e1, e2, …) : (body)`.
    ForTuple(Quant, List, u32, NodeId),
    /// `for … v in array : (body)`.
    ForArray(Quant, NodeId, u32, NodeId),
    /// `for … k, v in dict : (body)`.
    ForDict(Quant, NodeId, u32, u32, NodeId),
    /// `with` declarations: a list of `(slot, node)` pairs, then the body.
    With(List, NodeId),
    /// A module's root value (index into `modules::MODULES`).
    Module(u32),
    Field(NodeId, u32),
    Index(NodeId, NodeId),
    Key(NodeId, NodeId),
    /// A module function: the struct it belongs to, the module's index,
    /// the function and its arguments.
    Call(NodeId, u32, ModFn, List),
}

/// Every rule's condition code.
#[derive(Debug, Default)]
pub(crate) struct Code {
    pub nodes: Vec<Node>,
    pub lists: Vec<u32>,
    pub strings: Vec<Vec<u8>>,
    pub regexes: Vec<Regex>,
    /// What each of [`Code::regexes`] was compiled from: the source
    /// between the slashes, `i` and `s` flags (kept for the database).
    pub regex_src: Vec<(String, bool, bool)>,
    /// The number of variable slots a condition may use.
    pub slots: u32,
}

impl Code {
    pub fn push(&mut self, node: Node) -> NodeId {
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(node);
        id
    }

    pub fn list(&mut self, items: &[u32]) -> List {
        let start = u32::try_from(self.lists.len()).unwrap_or(u32::MAX);
        self.lists.extend_from_slice(items);
        (start, u32::try_from(items.len()).unwrap_or(u32::MAX))
    }

    pub fn get_list(&self, (start, len): List) -> &[u32] {
        let s = start as usize;
        self.lists.get(s..s + len as usize).unwrap_or(&[])
    }

    pub fn node(&self, id: NodeId) -> &Node {
        static FALSE: Node = Node::Bool(false);
        self.nodes.get(id as usize).unwrap_or(&FALSE)
    }
}

/// What a condition needs besides the data: used to decide before the
/// search whether any rule could still match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    /// Reads pattern matches (directly, or through another rule).
    pub matches: bool,
    /// Calls a module function (possibly costly: not worth evaluating
    /// twice).
    pub calls: bool,
}

impl Code {
    /// The children of a node.
    fn children(&self, n: NodeId, out: &mut Vec<NodeId>) {
        let q = |q: Quant, out: &mut Vec<NodeId>| {
            if let Quant::Count(c) | Quant::Percent(c) = q {
                out.push(c);
            }
        };
        match *self.node(n) {
            Node::Bool(_)
            | Node::Int(_)
            | Node::Float(_)
            | Node::Str(_)
            | Node::Filesize
            | Node::Global(_)
            | Node::Rule(_)
            | Node::Var(_)
            | Node::PatMatch(_)
            | Node::PatCount(_)
            | Node::Regex(_)
            | Node::Module(_) => {}
            Node::PatAt(_, a)
            | Node::PatOffset(_, a)
            | Node::PatLength(_, a)
            | Node::ReadInt(_, a)
            | Node::ReadFloat(_, _, a)
            | Node::Not(a)
            | Node::Defined(a)
            | Node::Neg(a)
            | Node::BitNot(a)
            | Node::ToFloat(a)
            | Node::ToBool(a)
            | Node::Matches(a, _)
            | Node::Field(a, _) => out.push(a),
            Node::PatIn(_, a, b)
            | Node::PatCountIn(_, a, b)
            | Node::Arith(_, _, a, b)
            | Node::Bits(_, a, b)
            | Node::Cmp(_, _, a, b)
            | Node::StrOp(_, a, b)
            | Node::Index(a, b)
            | Node::Key(a, b) => out.extend([a, b]),
            Node::And(l) | Node::Or(l) => out.extend(self.get_list(l)),
            Node::OfPats(qq, _, w) => {
                q(qq, out);
                match w {
                    Where::Anywhere => {}
                    Where::At(a) => out.push(a),
                    Where::In(a, b) => out.extend([a, b]),
                }
            }
            Node::OfExprs(qq, l) => {
                q(qq, out);
                out.extend(self.get_list(l));
            }
            Node::ForOf(qq, _, _, body) => {
                q(qq, out);
                out.push(body);
            }
            Node::ForRange(qq, lo, hi, _, body) => {
                q(qq, out);
                out.extend([lo, hi, body]);
            }
            Node::ForTuple(qq, l, _, body) => {
                q(qq, out);
                out.extend(self.get_list(l));
                out.push(body);
            }
            Node::ForArray(qq, a, _, body)
            | Node::ForDict(qq, a, _, _, body) => {
                q(qq, out);
                out.extend([a, body]);
            }
            Node::With(l, body) => {
                let pairs = self.get_list(l);
                out.extend(pairs.chunks_exact(2).map(|p| p[1]));
                out.push(body);
            }
            Node::Call(this, _, _, l) => {
                out.push(this);
                out.extend(self.get_list(l));
            }
        }
    }

    /// Whether no node's subtree, with shared children counted once per
    /// use, has more than `limit` nodes. The compiler shares few nodes;
    /// a crafted database whose nodes share children could otherwise make
    /// one evaluation walk exponentially many nodes. Children must come before their parents
    /// (the database loader checks that first).
    pub(crate) fn expanded_size_within(&self, limit: u64) -> bool {
        let mut size = vec![0u64; self.nodes.len()];
        let mut children = Vec::new();
        for n in 0..self.nodes.len() {
            children.clear();
            self.children(n as NodeId, &mut children);
            let mut total = 1u64;
            for &c in &children {
                let s = size.get(c as usize).copied().unwrap_or(u64::MAX);
                total = total.saturating_add(s);
            }
            if total > limit {
                return false;
            }
            size[n] = total;
        }
        true
    }

    /// What the subtree at `n` needs (iterative: no recursion).
    pub fn needs(&self, n: NodeId) -> Needs {
        let mut needs = Needs::default();
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            match self.node(n) {
                Node::Rule(_)
                | Node::PatMatch(_)
                | Node::PatAt(..)
                | Node::PatIn(..)
                | Node::PatCount(_)
                | Node::PatCountIn(..)
                | Node::PatOffset(..)
                | Node::PatLength(..)
                | Node::OfPats(..)
                | Node::ForOf(..) => needs.matches = true,
                Node::Call(..) => needs.calls = true,
                _ => {}
            }
            self.children(n, &mut stack);
        }
        needs
    }

    /// The conjuncts of `root` that can be decided without the search:
    /// if one of them is not true, the rule cannot match whatever the
    /// patterns find.
    pub fn guards(&self, root: NodeId) -> Vec<NodeId> {
        let items: Vec<NodeId> = match self.node(root) {
            Node::And(l) => self.get_list(*l).to_vec(),
            _ => vec![root],
        };
        items
            .into_iter()
            .filter(|&i| {
                let n = self.needs(i);
                !n.matches && !n.calls
            })
            .collect()
    }
}

/// How deep [`Code::shape_key`] looks into an expression.
const SHAPE_DEPTH: u32 = 12;

impl Code {
    /// A key equal for expressions that compute the same value on every
    /// scan (the same shape over the same constants: `uint16(0) ==
    /// 0x5A4D` in a thousand rules), so a scan evaluates one of them for
    /// all. `None` for shapes not shared this way (variables, patterns,
    /// calls, loops) or deeper than [`SHAPE_DEPTH`].
    pub fn shape_key(&self, n: NodeId) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.shape(n, &mut out, SHAPE_DEPTH).then_some(out)
    }

    fn shape(&self, n: NodeId, out: &mut Vec<u8>, depth: u32) -> bool {
        if depth == 0 {
            return false;
        }
        let sub = |a: NodeId, out: &mut Vec<u8>| self.shape(a, out, depth - 1);
        match *self.node(n) {
            Node::Bool(b) => out.extend([0, u8::from(b)]),
            Node::Int(i) => {
                out.push(1);
                out.extend(i.to_le_bytes());
            }
            Node::Float(f) => {
                out.push(2);
                out.extend(f.to_bits().to_le_bytes());
            }
            Node::Str(i) => {
                let Some(bytes) = self.strings.get(i as usize) else {
                    return false;
                };
                out.push(3);
                out.extend((bytes.len() as u64).to_le_bytes());
                out.extend_from_slice(bytes);
            }
            Node::Filesize => out.push(4),
            Node::Global(g) => {
                out.push(5);
                out.extend(g.to_le_bytes());
            }
            Node::Module(m) => {
                out.push(6);
                out.extend(m.to_le_bytes());
            }
            Node::Field(a, f) => {
                out.push(7);
                out.extend(f.to_le_bytes());
                return sub(a, out);
            }
            Node::ReadInt(t, a) => {
                out.extend([8, t.bits, u8::from(t.signed)]);
                out.push(u8::from(t.big_endian));
                return sub(a, out);
            }
            Node::Not(a) => {
                out.push(9);
                return sub(a, out);
            }
            Node::Defined(a) => {
                out.push(10);
                return sub(a, out);
            }
            Node::ToBool(a) => {
                out.push(11);
                return sub(a, out);
            }
            Node::Cmp(op, num, a, b) => {
                out.extend([12, op as u8, num as u8]);
                return sub(a, out) && sub(b, out);
            }
            Node::Arith(op, num, a, b) => {
                out.extend([13, op as u8, num as u8]);
                return sub(a, out) && sub(b, out);
            }
            Node::Bits(op, a, b) => {
                out.extend([14, op as u8]);
                return sub(a, out) && sub(b, out);
            }
            Node::Index(a, b) => {
                out.push(15);
                return sub(a, out) && sub(b, out);
            }
            Node::And(l) | Node::Or(l) => {
                let tag =
                    if matches!(self.node(n), Node::And(_)) { 16 } else { 17 };
                let items = self.get_list(l);
                out.push(tag);
                out.extend((items.len() as u64).to_le_bytes());
                return items.iter().all(|&a| sub(a, out));
            }
            _ => return false,
        }
        true
    }
}

/// How deep [`Code::required_patterns`] looks into a condition.
const REQUIRED_DEPTH: u32 = 32;

impl Code {
    /// Patterns of which at least one must match for the condition at
    /// `root` to be true, when that can be told from its shape: `$a`,
    /// `$a at`/`in`, `#a > K`, `N of (…)` with a constant `N ≥ 1`, `and`
    /// (its smallest such set), `or` (the union), `with` bodies. `None`
    /// when the condition might hold with no match at all (or is too
    /// complex to tell): the scanner then evaluates it.
    pub fn required_patterns(&self, root: NodeId) -> Option<Vec<PatternId>> {
        let mut out = self.required(root, REQUIRED_DEPTH)?;
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    fn required(&self, n: NodeId, depth: u32) -> Option<Vec<PatternId>> {
        let depth = depth.checked_sub(1)?;
        let count_at_least_one = |cmp: Cmp, a: NodeId, b: NodeId| {
            let (Node::PatCount(Pat::Id(p))
            | Node::PatCountIn(Pat::Id(p), ..)) = *self.node(a)
            else {
                return None;
            };
            let k = self.const_int(b)?;
            let ok = match cmp {
                Cmp::Gt => k >= 0,
                Cmp::Ge | Cmp::Eq => k >= 1,
                _ => false,
            };
            ok.then(|| vec![p])
        };
        match *self.node(n) {
            Node::PatMatch(Pat::Id(p))
            | Node::PatAt(Pat::Id(p), _)
            | Node::PatIn(Pat::Id(p), ..) => Some(vec![p]),
            Node::Cmp(cmp, Num::Int, a, b) => {
                let mirrored = match cmp {
                    Cmp::Lt => Cmp::Gt,
                    Cmp::Le => Cmp::Ge,
                    Cmp::Gt => Cmp::Lt,
                    Cmp::Ge => Cmp::Le,
                    c => c,
                };
                count_at_least_one(cmp, a, b)
                    .or_else(|| count_at_least_one(mirrored, b, a))
            }
            Node::And(l) => self
                .get_list(l)
                .iter()
                .filter_map(|&i| self.required(i, depth))
                .min_by_key(|v| v.len()),
            Node::Or(l) => {
                let mut all = Vec::new();
                for &i in self.get_list(l) {
                    all.extend(self.required(i, depth)?);
                }
                Some(all)
            }
            Node::With(_, body) => self.required(body, depth),
            Node::OfPats(q, l, _) => {
                let at_least_one = match q {
                    Quant::All | Quant::Any => true,
                    Quant::Count(c) => {
                        self.const_int(c).is_some_and(|k| k >= 1)
                    }
                    Quant::None | Quant::Percent(_) => false,
                };
                let items = self.get_list(l);
                (at_least_one && !items.is_empty()).then(|| items.to_vec())
            }
            _ => None,
        }
    }
}

/// What the condition says about where a pattern can match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    At(i64),
    Anywhere,
}

impl Code {
    fn const_int(&self, n: NodeId) -> Option<i64> {
        match self.node(n) {
            Node::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Whether quantifier `q` over `n` items needs every item true.
    fn needs_all(&self, q: Quant, n: usize) -> bool {
        match q {
            Quant::All => true,
            Quant::Any => n == 1,
            Quant::None => false,
            Quant::Percent(c) => self.const_int(c).is_some_and(|p| p >= 100),
            Quant::Count(c) => {
                self.const_int(c).is_some_and(|k| k >= n as i64)
            }
        }
    }

    /// Patterns the condition at `root` requires at a constant offset
    /// whatever else holds: `$a at K` reached from the root through
    /// `and`, `with` bodies and `of` tuples needing all their items.
    fn top_level_anchors(&self, root: NodeId) -> Vec<(PatternId, i64)> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            match *self.node(n) {
                Node::And(l) => stack.extend(self.get_list(l)),
                Node::With(_, body) => stack.push(body),
                Node::OfExprs(q, l)
                    if self.needs_all(q, self.get_list(l).len()) =>
                {
                    stack.extend(self.get_list(l))
                }
                Node::PatAt(Pat::Id(p), at) => {
                    if let Some(k) = self.const_int(at) {
                        out.push((p, k));
                    }
                }
                Node::OfPats(q, l, Where::At(at)) => {
                    let items = self.get_list(l);
                    if let Some(k) = self.const_int(at) {
                        if self.needs_all(q, items.len()) {
                            out.extend(items.iter().map(|&p| (p, k)));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The patterns the condition at `root` refers to once folded, which
    /// are the ones YARA-X searches for: a pattern reference reachable
    /// from the root (`$a`, `#a`, `@a[i]`, `!a[i]`, `$a at/in`, `… of
    /// (…)`), or the set of a `for … of` whose body uses `$`. A pattern
    /// only in a branch folded away (`$a or true`), or only in the set of
    /// a `for … of` whose body never uses `$`, is not searched by YARA-X
    /// and reports no matches.
    pub fn referenced_patterns(&self, root: NodeId) -> HashSet<PatternId> {
        let mut out = HashSet::new();
        let mut loops: Vec<(u32, List)> = Vec::new();
        let mut vars_used: HashSet<u32> = HashSet::new();
        let mut seen: HashSet<NodeId> = HashSet::new();
        let mut stack = vec![root];
        let mut children = Vec::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            match *self.node(n) {
                Node::PatMatch(p)
                | Node::PatAt(p, _)
                | Node::PatIn(p, ..)
                | Node::PatCount(p)
                | Node::PatCountIn(p, ..)
                | Node::PatOffset(p, _)
                | Node::PatLength(p, _) => match p {
                    Pat::Id(p) => {
                        out.insert(p);
                    }
                    Pat::Var(slot) => {
                        vars_used.insert(slot);
                    }
                },
                Node::OfPats(_, l, _) => out.extend(self.get_list(l)),
                Node::ForOf(_, l, slot, _) => loops.push((slot, l)),
                _ => {}
            }
            children.clear();
            self.children(n, &mut children);
            stack.extend(children.iter().copied());
        }
        for (slot, l) in loops {
            if vars_used.contains(&slot) {
                out.extend(self.get_list(l));
            }
        }
        out
    }

    /// The patterns of the condition at `root` that can only matter at
    /// one offset, with that offset, decided as YARA-X decides which
    /// patterns to anchor: every use is `$a at K` (or `… of (…) at K`)
    /// with the same constant `K`, or a plain `$a` / `… of` when `$a at
    /// K` is required at the top level; `#a`, `@a`, `!a`, `in`, `for …
    /// of` and non-constant offsets rule it out.
    pub fn anchors(&self, root: NodeId) -> Vec<(PatternId, usize)> {
        let top: HashSet<PatternId> =
            self.top_level_anchors(root).into_iter().map(|(p, _)| p).collect();
        let is_top = |p: PatternId| top.contains(&p);
        let mut state: HashMap<PatternId, Anchor> = HashMap::new();
        let mut set = |p: PatternId, a: Anchor| {
            let cur = state.entry(p).or_insert(a);
            if *cur != a {
                *cur = Anchor::Anywhere;
            }
        };
        let at_or_anywhere = |at: NodeId| match self.const_int(at) {
            Some(k) => Anchor::At(k),
            None => Anchor::Anywhere,
        };
        let mut stack = vec![root];
        let mut children = Vec::new();
        while let Some(n) = stack.pop() {
            match *self.node(n) {
                Node::PatAt(Pat::Id(p), at) => set(p, at_or_anywhere(at)),
                Node::PatMatch(Pat::Id(p)) if !is_top(p) => {
                    set(p, Anchor::Anywhere)
                }
                Node::PatIn(Pat::Id(p), ..)
                | Node::PatCount(Pat::Id(p))
                | Node::PatCountIn(Pat::Id(p), ..)
                | Node::PatOffset(Pat::Id(p), _)
                | Node::PatLength(Pat::Id(p), _) => set(p, Anchor::Anywhere),
                Node::OfPats(_, l, w) => {
                    for &p in self.get_list(l) {
                        match w {
                            Where::At(at) => set(p, at_or_anywhere(at)),
                            Where::Anywhere if is_top(p) => {}
                            _ => set(p, Anchor::Anywhere),
                        }
                    }
                }
                Node::ForOf(_, l, ..) => {
                    for &p in self.get_list(l) {
                        set(p, Anchor::Anywhere);
                    }
                }
                _ => {}
            }
            children.clear();
            self.children(n, &mut children);
            stack.extend(children.iter().rev());
        }
        let mut out: Vec<(PatternId, usize)> = state
            .into_iter()
            .filter_map(|(p, a)| match a {
                Anchor::At(k) => {
                    Some((p, usize::try_from(k).unwrap_or(usize::MAX)))
                }
                Anchor::Anywhere => None,
            })
            .collect();
        out.sort_unstable();
        out
    }
}

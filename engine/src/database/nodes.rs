//! Condition nodes: one tag byte, then the operands. Reading checks every
//! reference: children come before their parent (so the arena has no
//! cycle), lists, strings, regexes, globals, rules, slots, patterns and
//! module tables are in range.

use super::DatabaseError;
use super::bytes::{Reader, Writer};
use crate::compiler::code::{
    Arith, Bits, Cmp, List, Node, Num, Pat, Quant, StrOp, Where,
};
use crate::syntax::ast::IntType;

/// Bounds every reference of a node is checked against.
pub(super) struct Bounds {
    /// Index of the node being read: children must be below it.
    pub node: usize,
    pub lists: usize,
    pub strings: usize,
    pub regexes: usize,
    pub globals: usize,
    pub rules: usize,
    pub slots: usize,
    pub patterns: usize,
    pub modules: usize,
    pub functions: usize,
}

fn arith(a: Arith) -> u8 {
    match a {
        Arith::Add => 0,
        Arith::Sub => 1,
        Arith::Mul => 2,
        Arith::Div => 3,
        Arith::Mod => 4,
    }
}

fn bits(b: Bits) -> u8 {
    match b {
        Bits::And => 0,
        Bits::Or => 1,
        Bits::Xor => 2,
        Bits::Shl => 3,
        Bits::Shr => 4,
    }
}

fn cmp(c: Cmp) -> u8 {
    match c {
        Cmp::Eq => 0,
        Cmp::Ne => 1,
        Cmp::Lt => 2,
        Cmp::Le => 3,
        Cmp::Gt => 4,
        Cmp::Ge => 5,
    }
}

fn strop(s: StrOp) -> u8 {
    match s {
        StrOp::Contains => 0,
        StrOp::IContains => 1,
        StrOp::StartsWith => 2,
        StrOp::IStartsWith => 3,
        StrOp::EndsWith => 4,
        StrOp::IEndsWith => 5,
        StrOp::IEquals => 6,
    }
}

fn num(n: Num) -> u8 {
    match n {
        Num::Int => 0,
        Num::Float => 1,
        Num::Str => 2,
        Num::Bool => 3,
    }
}

fn w_list(w: &mut Writer, (s, l): List) {
    w.u32(s);
    w.u32(l);
}

fn w_pat(w: &mut Writer, p: Pat) {
    match p {
        Pat::Id(i) => {
            w.u8(0);
            w.u32(i);
        }
        Pat::Var(v) => {
            w.u8(1);
            w.u32(v);
        }
    }
}

fn w_quant(w: &mut Writer, q: Quant) {
    match q {
        Quant::All => w.u8(0),
        Quant::Any => w.u8(1),
        Quant::None => w.u8(2),
        Quant::Count(n) => {
            w.u8(3);
            w.u32(n);
        }
        Quant::Percent(n) => {
            w.u8(4);
            w.u32(n);
        }
    }
}

/// Writes one node; `module` maps a module index to its table index,
/// `call` is `(module table index, function table index)` of a call.
pub(super) fn write(
    w: &mut Writer,
    n: &Node,
    module: &dyn Fn(u32) -> u32,
    call: (u32, u32),
) {
    match *n {
        Node::Bool(b) => {
            w.u8(0);
            w.bool(b);
        }
        Node::Int(i) => {
            w.u8(1);
            w.i64(i);
        }
        Node::Float(f) => {
            w.u8(2);
            w.f64(f);
        }
        Node::Str(s) => {
            w.u8(3);
            w.u32(s);
        }
        Node::Filesize => w.u8(4),
        Node::Global(g) => {
            w.u8(5);
            w.u32(g);
        }
        Node::Rule(r) => {
            w.u8(6);
            w.u32(r);
        }
        Node::Var(v) => {
            w.u8(7);
            w.u32(v);
        }
        Node::PatMatch(p) => {
            w.u8(8);
            w_pat(w, p);
        }
        Node::PatAt(p, a) => {
            w.u8(9);
            w_pat(w, p);
            w.u32(a);
        }
        Node::PatIn(p, a, b) => {
            w.u8(10);
            w_pat(w, p);
            w.u32(a);
            w.u32(b);
        }
        Node::PatCount(p) => {
            w.u8(11);
            w_pat(w, p);
        }
        Node::PatCountIn(p, a, b) => {
            w.u8(12);
            w_pat(w, p);
            w.u32(a);
            w.u32(b);
        }
        Node::PatOffset(p, a) => {
            w.u8(13);
            w_pat(w, p);
            w.u32(a);
        }
        Node::PatLength(p, a) => {
            w.u8(14);
            w_pat(w, p);
            w.u32(a);
        }
        Node::ReadInt(t, a) => {
            w.u8(15);
            w.u8(t.bits);
            w.bool(t.signed);
            w.bool(t.big_endian);
            w.u32(a);
        }
        Node::ReadFloat(b, be, a) => {
            w.u8(16);
            w.u8(b);
            w.bool(be);
            w.u32(a);
        }
        Node::Not(a) => {
            w.u8(17);
            w.u32(a);
        }
        Node::Defined(a) => {
            w.u8(18);
            w.u32(a);
        }
        Node::Neg(a) => {
            w.u8(19);
            w.u32(a);
        }
        Node::BitNot(a) => {
            w.u8(20);
            w.u32(a);
        }
        Node::ToFloat(a) => {
            w.u8(21);
            w.u32(a);
        }
        Node::ToBool(a) => {
            w.u8(22);
            w.u32(a);
        }
        Node::And(l) => {
            w.u8(23);
            w_list(w, l);
        }
        Node::Or(l) => {
            w.u8(24);
            w_list(w, l);
        }
        Node::Arith(op, k, a, b) => {
            w.u8(25);
            w.u8(arith(op));
            w.u8(num(k));
            w.u32(a);
            w.u32(b);
        }
        Node::Bits(op, a, b) => {
            w.u8(26);
            w.u8(bits(op));
            w.u32(a);
            w.u32(b);
        }
        Node::Cmp(op, k, a, b) => {
            w.u8(27);
            w.u8(cmp(op));
            w.u8(num(k));
            w.u32(a);
            w.u32(b);
        }
        Node::StrOp(op, a, b) => {
            w.u8(28);
            w.u8(strop(op));
            w.u32(a);
            w.u32(b);
        }
        Node::Matches(a, r) => {
            w.u8(29);
            w.u32(a);
            w.u32(r);
        }
        Node::Regex(r) => {
            w.u8(30);
            w.u32(r);
        }
        Node::OfPats(q, l, wh) => {
            w.u8(31);
            w_quant(w, q);
            w_list(w, l);
            match wh {
                Where::Anywhere => w.u8(0),
                Where::At(a) => {
                    w.u8(1);
                    w.u32(a);
                }
                Where::In(a, b) => {
                    w.u8(2);
                    w.u32(a);
                    w.u32(b);
                }
            }
        }
        Node::OfExprs(q, l) => {
            w.u8(32);
            w_quant(w, q);
            w_list(w, l);
        }
        Node::ForOf(q, l, s, body) => {
            w.u8(33);
            w_quant(w, q);
            w_list(w, l);
            w.u32(s);
            w.u32(body);
        }
        Node::ForRange(q, lo, hi, s, body) => {
            w.u8(34);
            w_quant(w, q);
            w.u32(lo);
            w.u32(hi);
            w.u32(s);
            w.u32(body);
        }
        Node::ForTuple(q, l, s, body) => {
            w.u8(35);
            w_quant(w, q);
            w_list(w, l);
            w.u32(s);
            w.u32(body);
        }
        Node::ForArray(q, a, s, body) => {
            w.u8(36);
            w_quant(w, q);
            w.u32(a);
            w.u32(s);
            w.u32(body);
        }
        Node::ForDict(q, a, k, v, body) => {
            w.u8(37);
            w_quant(w, q);
            w.u32(a);
            w.u32(k);
            w.u32(v);
            w.u32(body);
        }
        Node::With(l, body) => {
            w.u8(38);
            w_list(w, l);
            w.u32(body);
        }
        Node::Module(m) => {
            w.u8(39);
            w.u32(module(m));
        }
        Node::Field(a, slot) => {
            w.u8(40);
            w.u32(a);
            w.u32(slot);
        }
        Node::Index(a, b) => {
            w.u8(41);
            w.u32(a);
            w.u32(b);
        }
        Node::Key(a, b) => {
            w.u8(42);
            w.u32(a);
            w.u32(b);
        }
        Node::Call(this, _, _, l) => {
            w.u8(43);
            w.u32(this);
            let (mi, fi) = call;
            w.u32(mi);
            w.u32(fi);
            w_list(w, l);
        }
    }
}

/// What a read node needs resolved by the caller.
pub(super) struct Tables<'a> {
    /// Module table index to `MODULES` index.
    pub modules: &'a [u32],
    /// Function table: `(module table index, function)`.
    pub functions: &'a [(u32, crate::modules::ModFn)],
    /// The flat lists, to check what a list holds.
    pub lists: &'a [u32],
}

struct Rd<'r, 'a, 'b> {
    r: &'r mut Reader<'a>,
    b: &'b Bounds,
    t: &'b Tables<'b>,
}

impl Rd<'_, '_, '_> {
    fn child(&mut self) -> Result<u32, DatabaseError> {
        self.r.index(self.b.node, "child node")
    }

    fn slot(&mut self) -> Result<u32, DatabaseError> {
        self.r.index(self.b.slots, "variable slot")
    }

    fn list(&mut self) -> Result<List, DatabaseError> {
        let s = self.r.u32()?;
        let l = self.r.u32()?;
        let end = u64::from(s) + u64::from(l);
        if end > self.b.lists as u64 {
            return Err(self.r.err("list out of range"));
        }
        Ok((s, l))
    }

    fn items(&self, (s, l): List) -> &[u32] {
        let s = s as usize;
        self.t.lists.get(s..s + l as usize).unwrap_or(&[])
    }

    /// A list whose items are all below `bound`.
    fn list_of(
        &mut self,
        bound: usize,
        what: &str,
    ) -> Result<List, DatabaseError> {
        let l = self.list()?;
        if self.items(l).iter().any(|&i| i as usize >= bound) {
            return Err(self.r.err(format!("{what} in a list out of range")));
        }
        Ok(l)
    }

    fn pat(&mut self) -> Result<Pat, DatabaseError> {
        match self.r.u8()? {
            0 => Ok(Pat::Id(self.r.index(self.b.patterns, "pattern")?)),
            1 => Ok(Pat::Var(self.slot()?)),
            t => Err(self.r.err(format!("invalid pattern operand {t}"))),
        }
    }

    fn quant(&mut self) -> Result<Quant, DatabaseError> {
        Ok(match self.r.u8()? {
            0 => Quant::All,
            1 => Quant::Any,
            2 => Quant::None,
            3 => Quant::Count(self.child()?),
            4 => Quant::Percent(self.child()?),
            t => return Err(self.r.err(format!("invalid quantifier {t}"))),
        })
    }

    fn op<T: Copy>(&mut self, all: &[T]) -> Result<T, DatabaseError> {
        let i = self.r.u8()?;
        all.get(usize::from(i))
            .copied()
            .ok_or_else(|| self.r.err(format!("invalid operator {i}")))
    }

    fn node(&mut self) -> Result<Node, DatabaseError> {
        use Arith as A;
        use Bits as B;
        use Cmp as C;
        use StrOp as S;
        const NUMS: [Num; 4] = [Num::Int, Num::Float, Num::Str, Num::Bool];
        let b = self.b;
        Ok(match self.r.u8()? {
            0 => Node::Bool(self.r.bool()?),
            1 => Node::Int(self.r.i64()?),
            2 => Node::Float(self.r.f64()?),
            3 => Node::Str(self.r.index(b.strings, "string")?),
            4 => Node::Filesize,
            5 => Node::Global(self.r.index(b.globals, "global")?),
            6 => Node::Rule(self.r.index(b.rules, "rule")?),
            7 => Node::Var(self.slot()?),
            8 => Node::PatMatch(self.pat()?),
            9 => Node::PatAt(self.pat()?, self.child()?),
            10 => Node::PatIn(self.pat()?, self.child()?, self.child()?),
            11 => Node::PatCount(self.pat()?),
            12 => Node::PatCountIn(self.pat()?, self.child()?, self.child()?),
            13 => Node::PatOffset(self.pat()?, self.child()?),
            14 => Node::PatLength(self.pat()?, self.child()?),
            15 => {
                let bits = self.r.u8()?;
                if !matches!(bits, 8 | 16 | 32) {
                    return Err(self.r.err("invalid integer width"));
                }
                let signed = self.r.bool()?;
                let big_endian = self.r.bool()?;
                Node::ReadInt(
                    IntType { bits, signed, big_endian },
                    self.child()?,
                )
            }
            16 => {
                let bits = self.r.u8()?;
                if !matches!(bits, 32 | 64) {
                    return Err(self.r.err("invalid float width"));
                }
                Node::ReadFloat(bits, self.r.bool()?, self.child()?)
            }
            17 => Node::Not(self.child()?),
            18 => Node::Defined(self.child()?),
            19 => Node::Neg(self.child()?),
            20 => Node::BitNot(self.child()?),
            21 => Node::ToFloat(self.child()?),
            22 => Node::ToBool(self.child()?),
            23 => Node::And(self.list_of(b.node, "node")?),
            24 => Node::Or(self.list_of(b.node, "node")?),
            25 => {
                let op = self.op(&[A::Add, A::Sub, A::Mul, A::Div, A::Mod])?;
                Node::Arith(op, self.op(&NUMS)?, self.child()?, self.child()?)
            }
            26 => {
                let op = self.op(&[B::And, B::Or, B::Xor, B::Shl, B::Shr])?;
                Node::Bits(op, self.child()?, self.child()?)
            }
            27 => {
                let op =
                    self.op(&[C::Eq, C::Ne, C::Lt, C::Le, C::Gt, C::Ge])?;
                Node::Cmp(op, self.op(&NUMS)?, self.child()?, self.child()?)
            }
            28 => {
                let op = self.op(&[
                    S::Contains,
                    S::IContains,
                    S::StartsWith,
                    S::IStartsWith,
                    S::EndsWith,
                    S::IEndsWith,
                    S::IEquals,
                ])?;
                Node::StrOp(op, self.child()?, self.child()?)
            }
            29 => {
                Node::Matches(self.child()?, self.r.index(b.regexes, "regex")?)
            }
            30 => Node::Regex(self.r.index(b.regexes, "regex")?),
            31 => {
                let q = self.quant()?;
                let l = self.list_of(b.patterns, "pattern")?;
                let wh = match self.r.u8()? {
                    0 => Where::Anywhere,
                    1 => Where::At(self.child()?),
                    2 => Where::In(self.child()?, self.child()?),
                    _ => return Err(self.r.err("invalid `of` anchor")),
                };
                Node::OfPats(q, l, wh)
            }
            32 => Node::OfExprs(self.quant()?, self.list_of(b.node, "node")?),
            33 => Node::ForOf(
                self.quant()?,
                self.list_of(b.patterns, "pattern")?,
                self.slot()?,
                self.child()?,
            ),
            34 => Node::ForRange(
                self.quant()?,
                self.child()?,
                self.child()?,
                self.slot()?,
                self.child()?,
            ),
            35 => Node::ForTuple(
                self.quant()?,
                self.list_of(b.node, "node")?,
                self.slot()?,
                self.child()?,
            ),
            36 => Node::ForArray(
                self.quant()?,
                self.child()?,
                self.slot()?,
                self.child()?,
            ),
            37 => Node::ForDict(
                self.quant()?,
                self.child()?,
                self.slot()?,
                self.slot()?,
                self.child()?,
            ),
            38 => {
                let l = self.list()?;
                let items = self.items(l);
                let ok = items.len() % 2 == 0
                    && items.chunks_exact(2).all(|p| {
                        (p[0] as usize) < b.slots && (p[1] as usize) < b.node
                    });
                if !ok {
                    return Err(self.r.err("invalid `with` declarations"));
                }
                Node::With(l, self.child()?)
            }
            39 => {
                let m = self.r.index(b.modules, "module")?;
                Node::Module(self.t.modules[m as usize])
            }
            40 => Node::Field(self.child()?, self.r.u32()?),
            41 => Node::Index(self.child()?, self.child()?),
            42 => Node::Key(self.child()?, self.child()?),
            43 => {
                let this = self.child()?;
                let m = self.r.index(b.modules, "module")?;
                let f = self.r.index(b.functions, "function")?;
                let (fm, func) = self.t.functions[f as usize];
                if fm != m {
                    return Err(self.r.err("function of another module"));
                }
                let l = self.list_of(b.node, "node")?;
                Node::Call(this, self.t.modules[m as usize], func, l)
            }
            t => return Err(self.r.err(format!("invalid node {t}"))),
        })
    }
}

/// Reads one node checked against `b`.
pub(super) fn read(
    r: &mut Reader<'_>,
    b: &Bounds,
    t: &Tables<'_>,
) -> Result<Node, DatabaseError> {
    Rd { r, b, t }.node()
}

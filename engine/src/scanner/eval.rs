//! Condition evaluation over the compiled [`Code`], with YARA-X
//! semantics: undefined values propagate through arithmetic, comparisons
//! and `not`; `and`/`or` and quantifiers count undefined as false; a rule
//! whose condition is undefined does not match.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::time::Instant;

use super::MatchTable;
use crate::compiler::code::{
    Arith, Bits, Cmp, Code, List, Node, NodeId, Num, Pat, Quant, StrOp, Where,
};
use crate::compiler::{PatternId, Value as ExternalValue};
use crate::modules::{Arg, Ctx, MODULES, Value as MValue};

/// A value met during evaluation.
#[derive(Clone, Debug, Default)]
pub(crate) enum V<'a> {
    #[default]
    Undef,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, [u8]>),
    /// A module struct, array or dictionary.
    Ref(&'a MValue),
}

impl<'a> V<'a> {
    fn from_module(v: &'a MValue) -> V<'a> {
        match v {
            MValue::Undef => V::Undef,
            MValue::Int(i) => V::Int(*i),
            MValue::Float(f) => V::Float(*f),
            MValue::Bool(b) => V::Bool(*b),
            MValue::Str(s) => V::Str(Cow::Borrowed(s)),
            v => V::Ref(v),
        }
    }

    fn from_owned(v: MValue) -> V<'a> {
        match v {
            MValue::Int(i) => V::Int(i),
            MValue::Float(f) => V::Float(f),
            MValue::Bool(b) => V::Bool(b),
            MValue::Str(s) => V::Str(Cow::Owned(s)),
            _ => V::Undef,
        }
    }
}

/// Loop iterations between two looks at the clock.
const CLOCK_EVERY: u32 = 4096;

/// Stack bytes one condition's evaluation may use below where it started;
/// deeper, it stops as undefined instead of overflowing the thread's
/// stack (2 MiB for spawned threads by default).
const STACK_BUDGET: usize = 1 << 20;

/// The address of a local: where the stack is now.
#[inline(always)]
fn stack_here() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The state of one scan's condition evaluation.
pub(crate) struct Eval<'a> {
    pub code: &'a Code,
    pub data: &'a [u8],
    pub matches: &'a MatchTable,
    /// Results of the rules evaluated so far.
    pub results: Vec<bool>,
    pub globals: &'a [ExternalValue],
    pub modules: &'a [OnceCell<MValue>],
    pub slots: Vec<V<'a>>,
    pub deadline: Option<Instant>,
    pub timed_out: bool,
    ticks: u32,
    /// Set by a quantifier item to stop the quantifier (undefined).
    abort: bool,
    /// The stack position when the current condition started.
    stack_base: usize,
    /// A condition went deeper than [`STACK_BUDGET`].
    pub too_deep: bool,
}

/// `a << b` / `a >> b` (arithmetic) as YARA-X computes them: a shift of
/// 64 or more gives 0, a negative one counts modulo 64. `None` for the
/// other operators' impossible cases (never).
pub(crate) fn eval_bits(op: Bits, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        Bits::And => a & b,
        Bits::Or => a | b,
        Bits::Xor => a ^ b,
        Bits::Shl => {
            if b >= 64 {
                0
            } else {
                a.wrapping_shl(b as u32)
            }
        }
        Bits::Shr => {
            if b >= 64 {
                0
            } else {
                a.wrapping_shr(b as u32)
            }
        }
    })
}

fn lower(b: u8) -> u8 {
    b.to_ascii_lowercase()
}

fn eq_icase(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| lower(*x) == lower(*y))
}

fn find(hay: &[u8], needle: &[u8], icase: bool) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.len() > hay.len() {
        return false;
    }
    if icase {
        hay.windows(needle.len()).any(|w| eq_icase(w, needle))
    } else {
        hay.windows(needle.len()).any(|w| w == needle)
    }
}

/// The lowercase of a string, as YARA-X compares with `icontains` and
/// friends (Unicode lowercase when the bytes are UTF-8).
fn fold(s: &[u8]) -> Cow<'_, [u8]> {
    match std::str::from_utf8(s) {
        Ok(t) if !t.is_ascii() => Cow::Owned(t.to_lowercase().into_bytes()),
        _ => Cow::Borrowed(s),
    }
}

impl<'a> Eval<'a> {
    pub fn new(
        code: &'a Code,
        data: &'a [u8],
        matches: &'a MatchTable,
        results: Vec<bool>,
        globals: &'a [ExternalValue],
        modules: &'a [OnceCell<MValue>],
        deadline: Option<Instant>,
    ) -> Self {
        Eval {
            code,
            data,
            matches,
            results,
            globals,
            modules,
            slots: vec![V::Undef; code.slots as usize],
            deadline,
            timed_out: false,
            ticks: 0,
            abort: false,
            stack_base: stack_here(),
            too_deep: false,
        }
    }

    /// Evaluates a rule condition: true only when defined and true.
    pub fn rule(&mut self, n: NodeId) -> bool {
        self.stack_base = stack_here();
        self.truth(n)
    }

    /// Whether there is stack left for one more level.
    #[inline(always)]
    fn deep(&mut self) -> bool {
        if self.stack_base.abs_diff(stack_here()) > STACK_BUDGET {
            self.too_deep = true;
        }
        self.too_deep
    }

    fn tick(&mut self) -> bool {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks % CLOCK_EVERY == 0 {
            if let Some(d) = self.deadline {
                if Instant::now() >= d {
                    self.timed_out = true;
                }
            }
        }
        self.timed_out
    }

    fn list(&self, l: List) -> &'a [u32] {
        self.code.get_list(l)
    }

    /// [`Eval::int`] with constants and variables read in place (saves a
    /// call and a dispatch for the most common operands).
    #[inline(always)]
    fn int_operand(&mut self, n: NodeId) -> Option<i64> {
        match self.code.node(n) {
            Node::Int(i) => Some(*i),
            Node::Var(s) => match self.slots.get(*s as usize) {
                Some(V::Int(i)) => Some(*i),
                _ => None,
            },
            _ => self.int(n),
        }
    }

    /// An integer node, evaluated without building a [`V`] for the
    /// common kinds (the hot path of loops).
    fn int(&mut self, n: NodeId) -> Option<i64> {
        if self.deep() {
            return None;
        }
        let code = self.code;
        match *code.node(n) {
            Node::Int(i) => Some(i),
            Node::Var(s) => match self.slots.get(s as usize) {
                Some(V::Int(i)) => Some(*i),
                _ => None,
            },
            Node::Filesize => Some(self.data.len() as i64),
            Node::ReadInt(ty, off) => {
                let off = self.int_operand(off)?;
                self.read_int(ty, off)
            }
            Node::Arith(op, Num::Int, a, b) => {
                let (a, b) = (self.int_operand(a)?, self.int_operand(b)?);
                match op {
                    Arith::Add => Some(a.wrapping_add(b)),
                    Arith::Sub => Some(a.wrapping_sub(b)),
                    Arith::Mul => Some(a.wrapping_mul(b)),
                    Arith::Div => a.checked_div(b),
                    Arith::Mod if b == 0 => None,
                    Arith::Mod => Some(a.wrapping_rem(b)),
                }
            }
            Node::Bits(op, a, b) => {
                let (a, b) = (self.int_operand(a)?, self.int_operand(b)?);
                eval_bits(op, a, b)
            }
            _ => match self.eval(n) {
                V::Int(i) => Some(i),
                _ => None,
            },
        }
    }

    /// A boolean node: `None` when undefined. Like [`Eval::int`], the
    /// common kinds skip building a [`V`].
    fn boolean(&mut self, n: NodeId) -> Option<bool> {
        if self.deep() {
            return None;
        }
        let code = self.code;
        match *code.node(n) {
            Node::Bool(b) => Some(b),
            Node::Cmp(op, Num::Int, a, b) => {
                let (a, b) = (self.int_operand(a)?, self.int_operand(b)?);
                Some(match op {
                    Cmp::Eq => a == b,
                    Cmp::Ne => a != b,
                    Cmp::Lt => a < b,
                    Cmp::Le => a <= b,
                    Cmp::Gt => a > b,
                    Cmp::Ge => a >= b,
                })
            }
            Node::And(l) => {
                for &x in self.list(l) {
                    if !self.truth(x) {
                        return Some(false);
                    }
                }
                Some(true)
            }
            Node::Or(l) => {
                for &x in self.list(l) {
                    if self.truth(x) {
                        return Some(true);
                    }
                }
                Some(false)
            }
            Node::Cmp(op, Num::Float, a, b) => {
                let (a, b) = (self.float(a)?, self.float(b)?);
                Some(match op {
                    Cmp::Eq => a == b,
                    Cmp::Ne => a != b,
                    Cmp::Lt => a < b,
                    Cmp::Le => a <= b,
                    Cmp::Gt => a > b,
                    Cmp::Ge => a >= b,
                })
            }
            Node::Not(x) => self.boolean(x).map(|b| !b),
            Node::PatMatch(p) => {
                Some(!self.matches.get(self.pat(p)).is_empty())
            }
            _ => match self.eval(n) {
                V::Bool(b) => Some(b),
                _ => None,
            },
        }
    }

    /// `intN`/`uintN` reads; `None` out of bounds.
    fn read_int(
        &self,
        ty: crate::syntax::ast::IntType,
        off: i64,
    ) -> Option<i64> {
        let off = usize::try_from(off).ok()?;
        let d = self.data;
        let (u, bits) = match ty.bits {
            8 => (u64::from(*d.get(off)?), 8),
            16 => {
                let b: [u8; 2] =
                    d.get(off..off.checked_add(2)?)?.try_into().ok()?;
                let v = if ty.big_endian {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                };
                (u64::from(v), 16)
            }
            _ => {
                let b: [u8; 4] =
                    d.get(off..off.checked_add(4)?)?.try_into().ok()?;
                let v = if ty.big_endian {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                };
                (u64::from(v), 32)
            }
        };
        Some(if ty.signed {
            let shift = 64 - bits;
            ((u << shift) as i64) >> shift
        } else {
            u as i64
        })
    }

    /// A float (or integer) node; like [`Eval::int`], the common kinds
    /// skip building a [`V`].
    fn float(&mut self, n: NodeId) -> Option<f64> {
        if self.deep() {
            return None;
        }
        let code = self.code;
        match *code.node(n) {
            Node::Float(f) => Some(f),
            Node::ToFloat(x) => self.int(x).map(|i| i as f64),
            Node::Arith(op, Num::Float, a, b) => {
                let (a, b) = (self.float(a)?, self.float(b)?);
                Some(match op {
                    Arith::Add => a + b,
                    Arith::Sub => a - b,
                    Arith::Mul => a * b,
                    Arith::Div => a / b,
                    Arith::Mod => a % b,
                })
            }
            _ => match self.eval(n) {
                V::Float(f) => Some(f),
                V::Int(i) => Some(i as f64),
                _ => None,
            },
        }
    }

    fn truth(&mut self, n: NodeId) -> bool {
        self.boolean(n) == Some(true)
    }

    fn pat(&self, p: Pat) -> PatternId {
        match p {
            Pat::Id(id) => id,
            Pat::Var(slot) => match self.slots.get(slot as usize) {
                Some(V::Int(i)) => *i as PatternId,
                _ => PatternId::MAX,
            },
        }
    }

    fn module(&self, idx: u32) -> Option<&'a MValue> {
        let cell = self.modules.get(idx as usize)?;
        let m = MODULES.get(idx as usize)?;
        let data = self.data;
        Some(cell.get_or_init(|| (m.main)(data)))
    }

    /// Whether `p` matched at exactly `at`.
    fn matched_at(&self, p: PatternId, at: i64) -> bool {
        let Ok(at) = usize::try_from(at) else { return false };
        self.matches.get(p).binary_search_by(|m| m.offset.cmp(&at)).is_ok()
    }

    /// How many matches of `p` start in `lo..=hi`.
    fn count_in(&self, p: PatternId, lo: i64, hi: i64) -> i64 {
        if hi < lo || hi < 0 {
            return 0;
        }
        let lo = usize::try_from(lo.max(0)).unwrap_or(usize::MAX);
        let hi = usize::try_from(hi).unwrap_or(usize::MAX);
        let ms = self.matches.get(p);
        let start = ms.partition_point(|m| m.offset < lo);
        let end = ms.partition_point(|m| m.offset <= hi);
        end.saturating_sub(start) as i64
    }

    /// Runs a quantifier over `n` items; `item(i)` says whether item `i`
    /// satisfies the condition. `None` is undefined.
    fn quantify(
        &mut self,
        q: Quant,
        n: usize,
        mut item: impl FnMut(&mut Self, usize) -> bool,
    ) -> V<'a> {
        enum Need {
            All,
            Any,
            None,
            AtLeast(usize),
        }
        let need = match q {
            Quant::All => Need::All,
            Quant::Any => Need::Any,
            Quant::None => Need::None,
            Quant::Count(c) => match self.int(c) {
                Some(0) => Need::None,
                Some(k) if k > 0 => {
                    Need::AtLeast(usize::try_from(k).unwrap_or(usize::MAX))
                }
                _ => return V::Undef,
            },
            Quant::Percent(c) => match self.int(c) {
                Some(p) if (0..=100).contains(&p) => {
                    let k = (p as f64 * n as f64 / 100.0).ceil() as usize;
                    Need::AtLeast(k)
                }
                _ => return V::Undef,
            },
        };
        let mut hits = 0usize;
        for i in 0..n {
            if self.tick() {
                return V::Undef;
            }
            let t = item(self, i);
            if self.abort {
                return V::Undef;
            }
            match need {
                Need::All if !t => return V::Bool(false),
                Need::Any if t => return V::Bool(true),
                Need::None if t => return V::Bool(false),
                Need::AtLeast(k) if t => {
                    hits += 1;
                    if hits >= k {
                        return V::Bool(true);
                    }
                }
                _ => {}
            }
        }
        V::Bool(match need {
            Need::All | Need::None => true,
            Need::Any => false,
            Need::AtLeast(k) => hits >= k,
        })
    }

    pub fn eval(&mut self, n: NodeId) -> V<'a> {
        if self.deep() {
            return V::Undef;
        }
        let code = self.code;
        match *code.node(n) {
            Node::Bool(b) => V::Bool(b),
            Node::Int(i) => V::Int(i),
            Node::Float(f) => V::Float(f),
            Node::Str(i) => match code.strings.get(i as usize) {
                Some(s) => V::Str(Cow::Borrowed(s)),
                None => V::Undef,
            },
            Node::Filesize => V::Int(self.data.len() as i64),
            Node::Global(i) => match self.globals.get(i as usize) {
                Some(ExternalValue::Bool(b)) => V::Bool(*b),
                Some(ExternalValue::Int(i)) => V::Int(*i),
                Some(ExternalValue::Float(f)) => V::Float(*f),
                Some(ExternalValue::Str(s)) => {
                    V::Str(Cow::Borrowed(s.as_bytes()))
                }
                None => V::Undef,
            },
            Node::Rule(i) => {
                V::Bool(self.results.get(i as usize).copied().unwrap_or(false))
            }
            Node::Var(s) => {
                self.slots.get(s as usize).cloned().unwrap_or(V::Undef)
            }
            Node::PatMatch(p) => {
                V::Bool(!self.matches.get(self.pat(p)).is_empty())
            }
            Node::PatAt(p, at) => match self.int(at) {
                Some(at) => V::Bool(self.matched_at(self.pat(p), at)),
                None => V::Undef,
            },
            Node::PatIn(p, lo, hi) => match (self.int(lo), self.int(hi)) {
                (Some(lo), Some(hi)) => {
                    V::Bool(self.count_in(self.pat(p), lo, hi) > 0)
                }
                _ => V::Undef,
            },
            Node::PatCount(p) => {
                V::Int(self.matches.get(self.pat(p)).len() as i64)
            }
            Node::PatCountIn(p, lo, hi) => {
                match (self.int(lo), self.int(hi)) {
                    (Some(lo), Some(hi)) => {
                        V::Int(self.count_in(self.pat(p), lo, hi))
                    }
                    _ => V::Undef,
                }
            }
            Node::PatOffset(p, i) | Node::PatLength(p, i) => {
                let offset = matches!(code.node(n), Node::PatOffset(..));
                let Some(i) = self.int(i) else { return V::Undef };
                let Some(i) =
                    i.checked_sub(1).and_then(|i| usize::try_from(i).ok())
                else {
                    return V::Undef;
                };
                match self.matches.get(self.pat(p)).get(i) {
                    Some(m) if offset => V::Int(m.offset as i64),
                    Some(m) => V::Int(m.len as i64),
                    None => V::Undef,
                }
            }
            Node::ReadInt(ty, off) => {
                let Some(off) = self.int(off) else { return V::Undef };
                self.read_int(ty, off).map_or(V::Undef, V::Int)
            }
            Node::ReadFloat(bits, be, off) => {
                let Some(off) = self.int(off) else { return V::Undef };
                let Ok(off) = usize::try_from(off) else { return V::Undef };
                let len = usize::from(bits / 8);
                let Some(b) = off
                    .checked_add(len)
                    .and_then(|end| self.data.get(off..end))
                else {
                    return V::Undef;
                };
                if len == 4 {
                    let mut a = [0u8; 4];
                    a.copy_from_slice(b);
                    let f = if be {
                        f32::from_be_bytes(a)
                    } else {
                        f32::from_le_bytes(a)
                    };
                    V::Float(f64::from(f))
                } else {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    V::Float(if be {
                        f64::from_be_bytes(a)
                    } else {
                        f64::from_le_bytes(a)
                    })
                }
            }
            Node::Not(x) => match self.eval(x) {
                V::Bool(b) => V::Bool(!b),
                _ => V::Undef,
            },
            Node::Defined(x) => V::Bool(!matches!(self.eval(x), V::Undef)),
            Node::Neg(x) => match self.eval(x) {
                V::Int(i) => V::Int(i.wrapping_neg()),
                V::Float(f) => V::Float(-f),
                _ => V::Undef,
            },
            Node::BitNot(x) => match self.eval(x) {
                V::Int(i) => V::Int(!i),
                _ => V::Undef,
            },
            Node::ToFloat(x) => match self.eval(x) {
                V::Int(i) => V::Float(i as f64),
                v => v,
            },
            Node::ToBool(x) => match self.eval(x) {
                V::Int(i) => V::Bool(i != 0),
                V::Float(f) => V::Bool(f != 0.0),
                V::Str(s) => V::Bool(!s.is_empty()),
                V::Bool(b) => V::Bool(b),
                _ => V::Undef,
            },
            Node::And(l) => {
                for &x in self.list(l) {
                    if !self.truth(x) {
                        return V::Bool(false);
                    }
                }
                V::Bool(true)
            }
            Node::Or(l) => {
                for &x in self.list(l) {
                    if self.truth(x) {
                        return V::Bool(true);
                    }
                }
                V::Bool(false)
            }
            Node::Arith(op, Num::Int, a, b) => {
                let (Some(a), Some(b)) = (self.int(a), self.int(b)) else {
                    return V::Undef;
                };
                match op {
                    Arith::Add => V::Int(a.wrapping_add(b)),
                    Arith::Sub => V::Int(a.wrapping_sub(b)),
                    Arith::Mul => V::Int(a.wrapping_mul(b)),
                    Arith::Div => a.checked_div(b).map_or(V::Undef, V::Int),
                    Arith::Mod if b == 0 => V::Undef,
                    Arith::Mod => V::Int(a.wrapping_rem(b)),
                }
            }
            Node::Arith(op, _, a, b) => {
                let (Some(a), Some(b)) = (self.float(a), self.float(b)) else {
                    return V::Undef;
                };
                V::Float(match op {
                    Arith::Add => a + b,
                    Arith::Sub => a - b,
                    Arith::Mul => a * b,
                    Arith::Div => a / b,
                    Arith::Mod => a % b,
                })
            }
            Node::Bits(op, a, b) => {
                let (Some(a), Some(b)) = (self.int(a), self.int(b)) else {
                    return V::Undef;
                };
                eval_bits(op, a, b).map_or(V::Undef, V::Int)
            }
            Node::Cmp(op, num, a, b) => {
                let ord = match num {
                    Num::Int => match (self.int(a), self.int(b)) {
                        (Some(a), Some(b)) => a.partial_cmp(&b),
                        _ => return V::Undef,
                    },
                    Num::Float => match (self.float(a), self.float(b)) {
                        (Some(a), Some(b)) => {
                            // NaN compares unequal to everything.
                            match a.partial_cmp(&b) {
                                Some(o) => Some(o),
                                None => return V::Bool(op == Cmp::Ne),
                            }
                        }
                        _ => return V::Undef,
                    },
                    Num::Bool => match (self.eval(a), self.eval(b)) {
                        (V::Bool(a), V::Bool(b)) => a.partial_cmp(&b),
                        _ => return V::Undef,
                    },
                    Num::Str => match (self.eval(a), self.eval(b)) {
                        (V::Str(a), V::Str(b)) => a.partial_cmp(&b),
                        _ => return V::Undef,
                    },
                };
                let Some(o) = ord else { return V::Undef };
                use std::cmp::Ordering::*;
                V::Bool(match op {
                    Cmp::Eq => o == Equal,
                    Cmp::Ne => o != Equal,
                    Cmp::Lt => o == Less,
                    Cmp::Le => o != Greater,
                    Cmp::Gt => o == Greater,
                    Cmp::Ge => o != Less,
                })
            }
            Node::StrOp(op, a, b) => {
                let (V::Str(a), V::Str(b)) = (self.eval(a), self.eval(b))
                else {
                    return V::Undef;
                };
                V::Bool(match op {
                    StrOp::Contains => find(&a, &b, false),
                    StrOp::IContains => find(&fold(&a), &fold(&b), true),
                    StrOp::StartsWith => a.starts_with(&b),
                    StrOp::IStartsWith => {
                        let (a, b) = (fold(&a), fold(&b));
                        a.len() >= b.len() && eq_icase(&a[..b.len()], &b)
                    }
                    StrOp::EndsWith => a.ends_with(&b),
                    StrOp::IEndsWith => {
                        let (a, b) = (fold(&a), fold(&b));
                        a.len() >= b.len()
                            && eq_icase(&a[a.len() - b.len()..], &b)
                    }
                    StrOp::IEquals => eq_icase(&fold(&a), &fold(&b)),
                })
            }
            Node::Matches(a, re) => {
                let V::Str(s) = self.eval(a) else { return V::Undef };
                match code.regexes.get(re as usize) {
                    Some(r) => V::Bool(r.is_match(s.as_ref())),
                    None => V::Undef,
                }
            }
            Node::OfPats(q, l, w) => {
                let ids = self.list(l);
                // An undefined `at`/`in` bound makes every item false.
                let place = match w {
                    Where::Anywhere => None,
                    Where::At(at) => Some(self.int(at).map(|at| (at, at))),
                    Where::In(lo, hi) => Some(self.int(lo).zip(self.int(hi))),
                };
                self.quantify(q, ids.len(), |s, i| {
                    let p = ids[i];
                    match place {
                        None => !s.matches.get(p).is_empty(),
                        Some(Some((lo, hi))) => s.count_in(p, lo, hi) > 0,
                        Some(None) => false,
                    }
                })
            }
            Node::OfExprs(q, l) => {
                // Unlike loop bodies, an undefined item reached before the
                // result is settled makes the whole `of` undefined.
                let items = self.list(l);
                let mut undefined = false;
                let v = self.quantify(q, items.len(), |s, i| {
                    match s.boolean(items[i]) {
                        Some(b) => b,
                        None => {
                            undefined = true;
                            s.abort = true;
                            false
                        }
                    }
                });
                self.abort = false;
                if undefined { V::Undef } else { v }
            }
            Node::ForOf(q, l, slot, body) => {
                let ids = self.list(l);
                self.quantify(q, ids.len(), |s, i| {
                    s.set(slot, V::Int(i64::from(ids[i])));
                    s.truth(body)
                })
            }
            Node::ForRange(q, lo, hi, slot, body) => {
                // Undefined bounds, or bounds the wrong way round, make the
                // loop false (not undefined).
                let (Some(lo), Some(hi)) = (self.int(lo), self.int(hi)) else {
                    return V::Bool(false);
                };
                if lo > hi {
                    return V::Bool(false);
                }
                let n = hi.wrapping_sub(lo) as u64;
                let n =
                    usize::try_from(n.saturating_add(1)).unwrap_or(usize::MAX);
                self.quantify(q, n, |s, i| {
                    s.set(slot, V::Int(lo.wrapping_add(i as i64)));
                    s.truth(body)
                })
            }
            Node::ForTuple(q, l, slot, body) => {
                let items = self.list(l);
                self.quantify(q, items.len(), |s, i| {
                    let v = s.eval(items[i]);
                    s.set(slot, v);
                    s.truth(body)
                })
            }
            Node::ForArray(q, arr, slot, body) => {
                let V::Ref(MValue::Array(items)) = self.eval(arr) else {
                    return V::Undef;
                };
                self.quantify(q, items.len(), |s, i| {
                    s.set(slot, V::from_module(&items[i]));
                    s.truth(body)
                })
            }
            Node::ForDict(q, dict, ks, vs, body) => {
                let V::Ref(MValue::Dict(map)) = self.eval(dict) else {
                    return V::Undef;
                };
                let mut it = map.iter();
                self.quantify(q, map.len(), |s, _| {
                    let Some((k, v)) = it.next() else { return false };
                    s.set(ks, V::Str(Cow::Borrowed(k)));
                    s.set(vs, V::from_module(v));
                    s.truth(body)
                })
            }
            Node::With(l, body) => {
                let pairs = self.list(l);
                for pair in pairs.chunks_exact(2) {
                    let v = self.eval(pair[1]);
                    self.set(pair[0], v);
                }
                self.eval(body)
            }
            Node::Module(m) => self.module(m).map_or(V::Undef, V::Ref),
            Node::Field(obj, i) => match self.eval(obj) {
                V::Ref(MValue::Struct(fields)) => {
                    fields.get(i as usize).map_or(V::Undef, V::from_module)
                }
                _ => V::Undef,
            },
            Node::Index(obj, i) => {
                let V::Ref(MValue::Array(items)) = self.eval(obj) else {
                    return V::Undef;
                };
                let Some(i) = self.int(i) else { return V::Undef };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| items.get(i))
                    .map_or(V::Undef, V::from_module)
            }
            Node::Key(obj, k) => {
                let V::Ref(MValue::Dict(map)) = self.eval(obj) else {
                    return V::Undef;
                };
                let V::Str(k) = self.eval(k) else { return V::Undef };
                map.get(k.as_ref()).map_or(V::Undef, V::from_module)
            }
            Node::Call(this, m, func, l) => {
                let V::Ref(this) = self.eval(this) else { return V::Undef };
                let Some(module) = self.module(m) else { return V::Undef };
                let mut vals = Vec::new();
                for &a in self.list(l) {
                    let v = self.eval(a);
                    if matches!(v, V::Undef | V::Ref(_)) {
                        return V::Undef;
                    }
                    vals.push(v);
                }
                let args: Vec<Arg<'_>> = vals
                    .iter()
                    .map(|v| match v {
                        V::Bool(b) => Arg::Bool(*b),
                        V::Int(i) => Arg::Int(*i),
                        V::Float(f) => Arg::Float(*f),
                        V::Str(s) => Arg::Str(s),
                        V::Undef | V::Ref(_) => Arg::Bool(false),
                    })
                    .collect();
                let ctx = Ctx { data: self.data, module, this };
                func(&ctx, &args).map_or(V::Undef, V::from_owned)
            }
        }
    }

    fn set(&mut self, slot: u32, v: V<'a>) {
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = v;
        }
    }
}

//! A `regex-syntax` HIR written as a tree of tagged nodes, and read back
//! through `Hir`'s own constructors (so a hostile tree is still a valid
//! HIR), nesting bounded.

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode,
    ClassUnicodeRange, Hir, HirKind, Look, Repetition,
};

use super::DatabaseError;
use super::bytes::{Reader, Writer};

/// Deepest HIR nesting read back (compiled patterns stay far below: the
/// parser bounds their nesting).
const MAX_DEPTH: u32 = 400;

const EMPTY: u8 = 0;
const LITERAL: u8 = 1;
const CLASS_UNICODE: u8 = 2;
const CLASS_BYTES: u8 = 3;
const LOOK: u8 = 4;
const REPETITION: u8 = 5;
const CAPTURE: u8 = 6;
const CONCAT: u8 = 7;
const ALTERNATION: u8 = 8;

/// `h` encoded as in a database: equal bytes for equal HIRs, a cheap
/// key for telling identical patterns apart.
pub(crate) fn encode(h: &Hir) -> Vec<u8> {
    let mut w = Writer { buf: Vec::new() };
    write(&mut w, h);
    w.buf
}

/// Writes `h` (recursively: HIRs from the compiler are shallow).
pub(super) fn write(w: &mut Writer, h: &Hir) {
    match h.kind() {
        HirKind::Empty => w.u8(EMPTY),
        HirKind::Literal(l) => {
            w.u8(LITERAL);
            w.bytes(&l.0);
        }
        HirKind::Class(Class::Unicode(c)) => {
            w.u8(CLASS_UNICODE);
            w.len(c.ranges().len());
            for r in c.ranges() {
                w.u32(u32::from(r.start()));
                w.u32(u32::from(r.end()));
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            w.u8(CLASS_BYTES);
            w.len(c.ranges().len());
            for r in c.ranges() {
                w.u8(r.start());
                w.u8(r.end());
            }
        }
        HirKind::Look(l) => {
            w.u8(LOOK);
            w.u32(l.as_repr());
        }
        HirKind::Repetition(r) => {
            w.u8(REPETITION);
            w.u32(r.min);
            match r.max {
                Some(m) => {
                    w.u8(1);
                    w.u32(m);
                }
                None => w.u8(0),
            }
            w.bool(r.greedy);
            write(w, &r.sub);
        }
        HirKind::Capture(c) => {
            w.u8(CAPTURE);
            w.u32(c.index);
            match &c.name {
                Some(n) => {
                    w.u8(1);
                    w.str(n);
                }
                None => w.u8(0),
            }
            write(w, &c.sub);
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            let tag = if matches!(h.kind(), HirKind::Concat(_)) {
                CONCAT
            } else {
                ALTERNATION
            };
            w.u8(tag);
            w.len(subs.len());
            for s in subs {
                write(w, s);
            }
        }
    }
}

/// Reads a HIR written by [`write`].
pub(super) fn read(r: &mut Reader<'_>) -> Result<Hir, DatabaseError> {
    read_at(r, 0)
}

fn read_at(r: &mut Reader<'_>, depth: u32) -> Result<Hir, DatabaseError> {
    if depth > MAX_DEPTH {
        return Err(r.err("regex nested too deep"));
    }
    Ok(match r.u8()? {
        EMPTY => Hir::empty(),
        LITERAL => {
            let b = r.bytes()?;
            if b.is_empty() {
                return Err(r.err("empty regex literal"));
            }
            Hir::literal(b)
        }
        CLASS_UNICODE => {
            let n = r.count(8)?;
            let mut ranges = Vec::with_capacity(n);
            for _ in 0..n {
                let a = char::from_u32(r.u32()?);
                let b = char::from_u32(r.u32()?);
                match (a, b) {
                    (Some(a), Some(b)) => {
                        ranges.push(ClassUnicodeRange::new(a, b))
                    }
                    _ => return Err(r.err("invalid character in a class")),
                }
            }
            Hir::class(Class::Unicode(ClassUnicode::new(ranges)))
        }
        CLASS_BYTES => {
            let n = r.count(2)?;
            let mut ranges = Vec::with_capacity(n);
            for _ in 0..n {
                let (a, b) = (r.u8()?, r.u8()?);
                ranges.push(ClassBytesRange::new(a, b));
            }
            Hir::class(Class::Bytes(ClassBytes::new(ranges)))
        }
        LOOK => {
            let v = r.u32()?;
            let look =
                Look::from_repr(v).ok_or_else(|| r.err("invalid look"))?;
            Hir::look(look)
        }
        REPETITION => {
            let min = r.u32()?;
            let max = match r.u8()? {
                0 => None,
                1 => Some(r.u32()?),
                _ => return Err(r.err("invalid repetition")),
            };
            if max.is_some_and(|m| m < min) {
                return Err(r.err("repetition max below min"));
            }
            let greedy = r.bool()?;
            let sub = Box::new(read_at(r, depth + 1)?);
            Hir::repetition(Repetition { min, max, greedy, sub })
        }
        CAPTURE => {
            let index = r.u32()?;
            let name = match r.u8()? {
                0 => None,
                1 => Some(r.str()?.into()),
                _ => return Err(r.err("invalid capture")),
            };
            let sub = Box::new(read_at(r, depth + 1)?);
            Hir::capture(Capture { index, name, sub })
        }
        tag @ (CONCAT | ALTERNATION) => {
            let n = r.count(1)?;
            let mut subs = Vec::with_capacity(n);
            for _ in 0..n {
                subs.push(read_at(r, depth + 1)?);
            }
            if tag == CONCAT {
                Hir::concat(subs)
            } else {
                Hir::alternation(subs)
            }
        }
        t => return Err(r.err(format!("invalid regex node {t}"))),
    })
}

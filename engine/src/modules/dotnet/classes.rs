//! `dotnet.classes`: the types the assembly defines (`TypeDef`), with
//! their base types, generic parameters and methods, named as YARA-X
//! names them.
//!
//! Types in signatures are written C#-like (`int`, `string`,
//! `System.Collections.Generic.List<T>`, `ref T`, `T[]`, `Ptr<byte>`),
//! type names without their generic arity suffix (`` List`1 `` is
//! `List`). YARA-X's quirks are kept: a type that extends nothing (an
//! interface) lists the first `TypeDef` (`<Module>`) as its base type,
//! parameter names are taken from the `Param` rows in order from the
//! method's first (`P_i` past the end), and a method whose signature does
//! not decode is left out. Nesting of names and types is bounded (16),
//! as are type name lengths and the methods decoded in all (beyond
//! YARA-X, which has no such bounds), so hostile metadata cannot make
//! the work grow beyond the tables' size.

use std::collections::HashMap;

use super::{Coded, Meta, T, var_uint};

const MAX_DEPTH: usize = 16;
/// Longest type name built (past it the name is undefined): without it
/// generic instances of generic instances could grow exponentially.
const MAX_NAME: usize = 4096;
/// Most methods decoded in all (hostile method lists can make every
/// class claim most methods).
const MAX_METHODS: usize = 60_000;
const MAX_PARAMS: u32 = 1000;
const MAX_DIMENSIONS: u32 = 50;

/// `dotnet.classes[i]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Class {
    pub fullname: Option<String>,
    pub visibility: &'static str,
    pub interface: bool,
    pub is_abstract: bool,
    pub sealed: bool,
    pub base_types: Vec<String>,
    pub generic_parameters: Vec<String>,
    pub methods: Vec<Method>,
}

impl Class {
    /// `name`: the full name after its last dot.
    pub fn name(&self) -> Option<&str> {
        let full = self.fullname.as_deref()?;
        Some(full.rsplit_once('.').map_or(full, |(_, n)| n))
    }

    /// `namespace`: the full name before its last dot.
    pub fn namespace(&self) -> Option<&str> {
        self.fullname.as_deref()?.rsplit_once('.').map(|(ns, _)| ns)
    }
}

/// `dotnet.classes[i].methods[j]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Method {
    pub name: String,
    pub visibility: &'static str,
    pub is_abstract: bool,
    pub is_static: bool,
    pub is_virtual: bool,
    pub is_final: bool,
    /// Undefined for constructors.
    pub return_type: Option<String>,
    pub generic_parameters: Vec<String>,
    pub parameters: Vec<Param>,
}

/// `dotnet.classes[i].methods[j].parameters[k]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Param {
    pub name: String,
    pub type_: String,
}

/// The generic parameter names of each owner, in table order.
fn generic_params(meta: &Meta<'_>) -> HashMap<(T, usize), Vec<String>> {
    let mut map: HashMap<(T, usize), Vec<String>> = HashMap::new();
    for r in meta.rows(T::GenericParam) {
        if let (Some(c), Some(name)) = (r[2].coded(), meta.string(r[3].num()))
        {
            map.entry((c.table, c.index)).or_default().push(name);
        }
    }
    map
}

/// A type or namespace name without its generic arity (`` List`1 ``).
fn plain(name: &str) -> &str {
    name.rsplit_once('`').map_or(name, |(n, _)| n)
}

/// Every class of the assembly.
pub(super) fn classes(meta: &Meta<'_>) -> Vec<Class> {
    let defs = meta.rows(T::TypeDef);
    let methods = meta.rows(T::MethodDef);
    let generics = generic_params(meta);
    let mut interfaces: HashMap<usize, Vec<Coded>> = HashMap::new();
    for r in meta.rows(T::InterfaceImpl) {
        if let Some(c) = r[1].coded() {
            interfaces.entry(r[0].num() as usize).or_default().push(c);
        }
    }
    let mut enclosing: HashMap<usize, usize> = HashMap::new();
    for r in meta.rows(T::NestedClass) {
        let (nested, outer) = (r[0].num() as usize, r[1].num() as usize);
        if nested != outer {
            enclosing.entry(nested).or_insert(outer);
        }
    }
    let full_name = |idx| full_name(meta, &enclosing, idx);
    let mut budget = MAX_METHODS;
    let mut out = Vec::new();
    for (idx, def) in defs.iter().enumerate() {
        let name = meta.string(def[1].num()).filter(|n| !n.is_empty());
        if name.as_deref().is_none_or(|n| n == "<Module>") {
            continue;
        }
        let flags = def[0].num();
        let gparams = generics.get(&(T::TypeDef, idx)).cloned();
        let gparams = gparams.unwrap_or_default();
        let start = def[5].num() as usize;
        let range = match defs.get(idx + 1) {
            Some(next) => methods.get(start..next[5].num() as usize),
            None => methods.get(start..),
        };
        let ctx = Names {
            meta,
            full_name: &full_name,
            class: &gparams,
            method: &[],
        };
        let mut base_types = Vec::new();
        if let Some(ext) = def[3].coded() {
            base_types.extend(ctx.type_def_or_ref(ext, 0));
        }
        for &c in interfaces.get(&idx).map_or(&[][..], Vec::as_slice) {
            base_types.extend(ctx.type_def_or_ref(c, 0));
        }
        let methods = range.unwrap_or_default();
        let methods = methods[..methods.len().min(budget)].to_vec();
        budget -= methods.len();
        let methods = methods
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let gp = generics.get(&(T::MethodDef, start + i));
                let ctx = Names {
                    meta,
                    full_name: &full_name,
                    class: &gparams,
                    method: gp.map_or(&[], Vec::as_slice),
                };
                method(&ctx, m)
            })
            .collect();
        out.push(Class {
            fullname: full_name(idx),
            visibility: match flags & 7 {
                0 | 5 => "internal",
                1 | 2 => "public",
                4 => "protected",
                6 => "private protected",
                7 => "protected internal",
                _ => "private",
            },
            interface: flags & 0x20 != 0,
            is_abstract: flags & 0x80 != 0,
            sealed: flags & 0x100 != 0,
            base_types,
            generic_parameters: gparams,
            methods,
        });
    }
    out
}

/// The dotted name of `TypeDef` row `idx`, enclosing types first.
fn full_name(
    meta: &Meta<'_>,
    enclosing: &HashMap<usize, usize>,
    idx: usize,
) -> Option<String> {
    let defs = meta.rows(T::TypeDef);
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(idx);
    while let Some(i) = next.take() {
        let def = defs.get(i)?;
        if parts.len() >= MAX_DEPTH {
            return None;
        }
        let name = meta.string(def[1].num()).filter(|n| !n.is_empty())?;
        parts.push(plain(&name).to_owned());
        if let Some(ns) = meta.string(def[2].num()).filter(|n| !n.is_empty()) {
            parts.push(ns);
        }
        if matches!(def[0].num() & 7, 2..=7) {
            next = enclosing.get(&i).copied();
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

/// One method, or `None` when its signature does not decode.
fn method(ctx: &Names<'_, '_>, row: &[super::Val]) -> Option<Method> {
    let meta = ctx.meta;
    let flags = row[2].num();
    let name = meta.string(row[3].num());
    let sig = meta.blob(row[4].num())?;
    let (&conv, mut rest) = sig.split_first()?;
    if conv & 0x10 != 0 {
        rest = rest.get(var_uint(rest)?.1..)?;
    }
    let (count, used) = var_uint(rest)?;
    rest = rest.get(used..)?;
    let mut return_type = String::new();
    rest = ctx.sig_type(rest, &mut return_type, 0)?;
    let first_param = row[5].num() as usize;
    let params = meta.rows(T::Param);
    let mut parameters = Vec::new();
    for i in 0..count {
        let name = params
            .get(first_param.saturating_add(i as usize))
            .and_then(|p| meta.string(p[2].num()))
            .unwrap_or_else(|| format!("P_{i}"));
        let mut type_ = String::new();
        rest = ctx.sig_type(rest, &mut type_, 0)?;
        parameters.push(Param { name, type_ });
    }
    let name = name?;
    let is_ctor = name == ".ctor" || name == ".cctor";
    Some(Method {
        visibility: match flags & 7 {
            2 => "private protected",
            3 => "internal",
            4 => "protected",
            5 => "protected internal",
            6 => "public",
            _ => "private",
        },
        is_abstract: flags & 0x400 != 0,
        is_static: flags & 0x10 != 0,
        is_virtual: flags & 0x40 != 0,
        is_final: flags & 0x20 != 0,
        return_type: (!is_ctor).then_some(return_type),
        name,
        generic_parameters: ctx.method.to_vec(),
        parameters,
    })
}

/// What type names are resolved against.
struct Names<'m, 'a> {
    meta: &'m Meta<'a>,
    full_name: &'m dyn Fn(usize) -> Option<String>,
    class: &'m [String],
    method: &'m [String],
}

impl Names<'_, '_> {
    /// The name of a `TypeDefOrRef` coded index.
    fn type_def_or_ref(&self, c: Coded, depth: usize) -> Option<String> {
        let meta = self.meta;
        match c.table {
            T::TypeDef => (self.full_name)(c.index),
            T::TypeRef => {
                let r = meta.rows(T::TypeRef).get(c.index)?;
                let name = meta.string(r[1].num());
                let name = name.as_deref().map(plain);
                match (meta.string(r[2].num()), name) {
                    (Some(ns), Some(name)) => Some(format!("{ns}.{name}")),
                    (_, name) => name.map(str::to_owned),
                }
            }
            T::TypeSpec => {
                let r = meta.rows(T::TypeSpec).get(c.index)?;
                let blob = meta.blob(r[0].num())?;
                let mut out = String::new();
                self.sig_type(blob, &mut out, depth)?;
                Some(out)
            }
            _ => None,
        }
    }

    /// Decodes one type of a signature into `out`; returns the bytes
    /// after it.
    fn sig_type<'b>(
        &self,
        d: &'b [u8],
        out: &mut String,
        depth: usize,
    ) -> Option<&'b [u8]> {
        if depth >= MAX_DEPTH || out.len() > MAX_NAME {
            return None;
        }
        let depth = depth + 1;
        let (&t, mut rest) = d.split_first()?;
        let simple = match t {
            0x01 => "void",
            0x02 => "bool",
            0x03 => "char",
            0x04 => "sbyte",
            0x05 => "byte",
            0x06 => "short",
            0x07 => "ushort",
            0x08 => "int",
            0x09 => "uint",
            0x0a => "long",
            0x0b => "ulong",
            0x0c => "float",
            0x0d => "double",
            0x0e => "string",
            0x16 => "TypedReference",
            0x18 => "IntPtr",
            0x19 => "UintPtr",
            0x1c => "object",
            _ => "",
        };
        if !simple.is_empty() {
            out.push_str(simple);
            return Some(rest);
        }
        match t {
            // Ptr
            0x0f => {
                out.push_str("Ptr<");
                rest = self.sig_type(rest, out, depth)?;
                out.push('>');
            }
            // ByRef
            0x10 => {
                out.push_str("ref ");
                rest = self.sig_type(rest, out, depth)?;
            }
            // ValueType, Class
            0x11 | 0x12 => {
                let (v, used) = var_uint(rest)?;
                rest = rest.get(used..)?;
                let table = [T::TypeDef, T::TypeRef, T::TypeSpec]
                    .get((v & 3) as usize)
                    .copied()?;
                let index = (v >> 2).saturating_sub(1) as usize;
                out.push_str(
                    &self.type_def_or_ref(Coded { table, index }, depth)?,
                );
            }
            // Var, MVar
            0x13 | 0x1e => {
                let (i, used) = var_uint(rest)?;
                rest = rest.get(used..)?;
                let names = if t == 0x13 { self.class } else { self.method };
                out.push_str(names.get(i as usize)?);
            }
            // Array
            0x14 => {
                rest = self.sig_type(rest, out, depth)?;
                let next = |rest: &mut &[u8], max: bool| -> Option<u32> {
                    let (v, used) = var_uint(rest)?;
                    *rest = rest.get(used..)?;
                    (!max || v <= MAX_DIMENSIONS).then_some(v)
                };
                let rank = next(&mut rest, true)?;
                let n = next(&mut rest, true)?;
                let sizes: Vec<u32> = (0..n)
                    .map(|_| next(&mut rest, false))
                    .collect::<Option<_>>()?;
                let n = next(&mut rest, true)?;
                let mut bounds = Vec::new();
                for _ in 0..n {
                    let (v, used) = var_sint(rest)?;
                    rest = rest.get(used..)?;
                    bounds.push(v);
                }
                out.push('[');
                for i in 0..rank as usize {
                    // Sizes are i32 in YARA-X; sums here are i64.
                    let size = sizes.get(i).map(|&s| i64::from(s as i32));
                    match (bounds.get(i).map(|&l| i64::from(l)), size) {
                        (Some(0), Some(s)) | (None, Some(s)) => {
                            out.push_str(&s.to_string());
                        }
                        (Some(l), Some(s)) if s >= 1 => {
                            out.push_str(&format!("{l}...{}", l + s - 1));
                        }
                        (Some(l), None) => out.push_str(&format!("{l}...")),
                        _ => {}
                    }
                    if i + 1 != rank as usize {
                        out.push(',');
                    }
                }
                out.push(']');
            }
            // GenericInst
            0x15 => {
                rest = self.sig_type(rest, out, depth)?;
                let (count, used) = var_uint(rest)?;
                if count >= MAX_PARAMS {
                    return None;
                }
                rest = rest.get(used..)?;
                out.push('<');
                for i in 1..=count {
                    rest = self.sig_type(rest, out, depth)?;
                    if i < count {
                        out.push(',');
                    }
                }
                out.push('>');
            }
            // FnPtr
            0x1b => {
                rest = rest.get(1..)?;
                let (count, used) = var_uint(rest)?;
                if count >= MAX_PARAMS {
                    return None;
                }
                rest = rest.get(used..)?;
                out.push_str("FnPtr<");
                rest = self.sig_type(rest, out, depth)?;
                out.push('(');
                for i in 1..=count {
                    rest = self.sig_type(rest, out, depth)?;
                    if i < count {
                        out.push_str(", ");
                    }
                }
                out.push_str(")>");
            }
            // SzArray
            0x1d => {
                rest = self.sig_type(rest, out, depth)?;
                out.push_str("[]");
            }
            // CModReqd, CModOpt
            0x1f | 0x20 => {
                rest = rest.get(var_uint(rest)?.1..)?;
                rest = self.sig_type(rest, out, depth)?;
            }
            _ => return None,
        }
        Some(rest)
    }
}

/// ECMA-335 compressed signed integer: value and bytes used.
fn var_sint(d: &[u8]) -> Option<(i32, usize)> {
    let (v, used) = var_uint(d)?;
    let v = v as i32;
    let offset = match used {
        1 => 0x40,
        2 => 0x2000,
        _ => 0x1000_0000,
    };
    Some((if v & 1 != 0 { (v >> 1) - offset } else { v >> 1 }, used))
}

#[cfg(test)]
mod tests {
    use super::super::Val;
    use super::*;

    /// A blob heap with `blobs` (each under 16 kB) after the empty blob.
    fn heap(blobs: &[Vec<u8>]) -> (Vec<u8>, Vec<u32>) {
        let mut heap = vec![0u8];
        let mut at = Vec::new();
        for b in blobs {
            at.push(heap.len() as u32);
            let n = b.len() as u16;
            heap.extend_from_slice(&(0x8000 | n).to_be_bytes());
            heap.extend_from_slice(b);
        }
        (heap, at)
    }

    /// Generic instances of generic instances, 15 deep and 999 wide:
    /// their names would be 999^15 long; they are given up on quickly.
    #[test]
    fn exponential_type_names_are_cut_short() {
        let depth = 15;
        let blobs: Vec<Vec<u8>> = (0..depth)
            .map(|i| {
                // GenericInst Class TypeRef#1, 999 arguments.
                let mut b = vec![0x15, 0x12, (1 << 2) | 1, 0x83, 0xe7];
                for _ in 0..999 {
                    if i + 1 < depth {
                        // Class TypeSpec#(i + 2) (1-based).
                        b.extend_from_slice(&[0x12, ((i as u8 + 2) << 2) | 2]);
                    } else {
                        b.push(0x08);
                    }
                }
                b
            })
            .collect();
        let (blob_heap, at) = heap(&blobs);
        let strings = b"\0List`1\0System\0".to_vec();
        let mut tables = vec![Vec::new(); 64];
        tables[T::TypeRef as usize] =
            vec![vec![Val::Num(0), Val::Num(1), Val::Num(8)]];
        tables[T::TypeSpec as usize] =
            at.iter().map(|&a| vec![Val::Num(a)]).collect();
        let meta = Meta {
            strings: Some(&strings),
            blobs: Some(&blob_heap),
            rows: Vec::new(),
            wide_str: false,
            wide_guid: false,
            wide_blob: false,
            tables,
        };
        let full_name = |_| None;
        let names = Names {
            meta: &meta,
            full_name: &full_name,
            class: &[],
            method: &[],
        };
        let spec = |index| Coded { table: T::TypeSpec, index };
        // The innermost instance is short enough.
        let inner = names.type_def_or_ref(spec(depth - 1), 0).unwrap();
        assert!(inner.starts_with("System.List<int,int,"), "{inner}");
        assert_eq!(names.type_def_or_ref(spec(0), 0), None);
    }
}

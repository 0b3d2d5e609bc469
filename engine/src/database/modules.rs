//! Module references in the database: modules by name with a fingerprint
//! of their schema (field slots are compiled in, so a schema that changed
//! since the database was written is refused), and functions by
//! `(module, field path, overload)`, resolved again at load.

use crate::modules::{Const, FieldKind, MODULES, ModFn, StructType, Type};

/// A canonical text of a schema: field names, kinds and types, in slot
/// order.
fn schema_text(st: &StructType, out: &mut String) {
    out.push('{');
    for f in &st.fields {
        out.push_str(f.name);
        out.push(':');
        match &f.kind {
            FieldKind::Value(t) => type_text(t, out),
            FieldKind::Func(sigs) => {
                out.push_str("fn[");
                for s in sigs {
                    out.push('(');
                    for a in &s.args {
                        type_text(a, out);
                        out.push(',');
                    }
                    out.push_str(")->");
                    type_text(&s.ret, out);
                    out.push(';');
                }
                out.push(']');
            }
            FieldKind::Const(c) => match c {
                Const::Int(i) => out.push_str(&format!("const i{i}")),
                Const::Float(v) => {
                    out.push_str(&format!("const f{}", v.to_bits()))
                }
                Const::Str(s) => out.push_str(&format!("const s{s:?}")),
                Const::Bool(b) => out.push_str(&format!("const b{b}")),
            },
        }
        out.push(';');
    }
    out.push('}');
}

fn type_text(t: &Type, out: &mut String) {
    match t {
        Type::Struct(s) => schema_text(s, out),
        Type::Array(t) => {
            out.push('[');
            type_text(t, out);
            out.push(']');
        }
        Type::Dict(t) => {
            out.push_str("{str:");
            type_text(t, out);
            out.push('}');
        }
        other => out.push_str(other.name()),
    }
}

/// The SHA-256 of module `idx`'s schema.
pub(super) fn fingerprint(idx: usize) -> Option<[u8; 32]> {
    let m = MODULES.get(idx)?;
    let mut text = String::new();
    schema_text(&(m.schema)(), &mut text);
    Some(crate::compiler::sha256(text.as_bytes()))
}

/// The struct type a field's type leads to (through arrays and dicts).
fn struct_of(t: &Type) -> Option<&StructType> {
    match t {
        Type::Struct(s) => Some(s),
        Type::Array(t) | Type::Dict(t) => struct_of(t),
        _ => None,
    }
}

/// Where `func` sits in `st`: dotted field path and overload index.
fn find_fn(
    st: &StructType,
    func: ModFn,
    prefix: &str,
) -> Option<(String, u32)> {
    for f in &st.fields {
        let path = if prefix.is_empty() {
            f.name.to_string()
        } else {
            format!("{prefix}.{}", f.name)
        };
        match &f.kind {
            FieldKind::Func(sigs) => {
                for (i, s) in sigs.iter().enumerate() {
                    if std::ptr::fn_addr_eq(s.func, func) {
                        return Some((path, i as u32));
                    }
                }
            }
            FieldKind::Value(t) => {
                if let Some(s) = struct_of(t) {
                    if let Some(found) = find_fn(s, func, &path) {
                        return Some(found);
                    }
                }
            }
            FieldKind::Const(_) => {}
        }
    }
    None
}

/// The path and overload of `func` in module `module`.
pub(super) fn function_path(
    module: usize,
    func: ModFn,
) -> Option<(String, u32)> {
    let m = MODULES.get(module)?;
    find_fn(&(m.schema)(), func, "")
}

/// The function at `path`/`overload` of module `module`.
pub(super) fn resolve(
    module: usize,
    path: &str,
    overload: u32,
) -> Option<ModFn> {
    let m = MODULES.get(module)?;
    let schema = (m.schema)();
    let mut st: &StructType = &schema;
    let mut parts = path.split('.').peekable();
    while let Some(name) = parts.next() {
        let f = st.fields.iter().find(|f| f.name == name)?;
        match (&f.kind, parts.peek()) {
            (FieldKind::Func(sigs), None) => {
                return sigs.get(overload as usize).map(|s| s.func);
            }
            (FieldKind::Value(t), Some(_)) => st = struct_of(t)?,
            _ => return None,
        }
    }
    None
}

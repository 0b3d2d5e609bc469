//! A module's output as a public tree of defined values
//! ([`ModuleValue`]), for `sigscan dump` and differential tests, and the
//! one walk over a module's schema and value tree that both it and the
//! fuzz targets' [`crate::fuzzing::walk_module`] use.

use super::{FieldKind, MODULES, StructType, Type, Value, find};

/// One defined value of a module's output (see [`module_output`]).
///
/// Undefined fields, functions and constants do not appear, and neither
/// do empty arrays and dictionaries (YARA-X's `yr dump` cannot tell them
/// from absent ones either).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ModuleValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A string, as bytes (module strings need not be UTF-8).
    Str(Vec<u8>),
    /// The defined fields of a struct, in schema order.
    Struct(Vec<(&'static str, ModuleValue)>),
    /// The items of an array.
    Array(Vec<ModuleValue>),
    /// The entries of a dictionary, sorted by key.
    Dict(Vec<(Vec<u8>, ModuleValue)>),
}

/// The names of the built-in modules.
pub fn module_names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|m| m.name)
}

/// Runs module `name`'s parser over `data` (as a scan of `data` would)
/// and returns its output: the fields a rule could read, with the names
/// rules use. `None` when there is no module of that name.
///
/// ```
/// let out = sigscan::module_output("elf", b"not an ELF file").unwrap();
/// assert_eq!(out, sigscan::ModuleValue::Struct(vec![]));
/// ```
pub fn module_output(name: &str, data: &[u8]) -> Option<ModuleValue> {
    let module = MODULES.get(find(name)?)?;
    let root = (module.main)(data);
    walk_struct(&(module.schema)(), &root, &mut |_, _| {})
}

/// Walks the struct value `v` of type `ty` and everything in it, calling
/// `on_struct` on every struct value met (the root included) before its
/// fields, and returns its output (`None` when `v` is undefined).
pub(crate) fn walk_struct<'v>(
    ty: &StructType,
    v: &'v Value,
    on_struct: &mut dyn FnMut(&StructType, &'v Value),
) -> Option<ModuleValue> {
    let Value::Struct(slots) = v else { return None };
    on_struct(ty, v);
    let mut fields = Vec::new();
    for (field, slot) in ty.fields.iter().zip(slots) {
        let FieldKind::Value(t) = &field.kind else { continue };
        if let Some(out) = walk(t, slot, on_struct) {
            fields.push((field.name, out));
        }
    }
    Some(ModuleValue::Struct(fields))
}

fn walk<'v>(
    ty: &Type,
    v: &'v Value,
    on_struct: &mut dyn FnMut(&StructType, &'v Value),
) -> Option<ModuleValue> {
    Some(match (ty, v) {
        (Type::Struct(st), v) => return walk_struct(st, v, on_struct),
        (Type::Array(t), Value::Array(items)) => {
            let items: Vec<_> =
                items.iter().filter_map(|i| walk(t, i, on_struct)).collect();
            if items.is_empty() {
                return None;
            }
            ModuleValue::Array(items)
        }
        (Type::Dict(t), Value::Dict(map)) => {
            let entries: Vec<_> = map
                .iter()
                .filter_map(|(k, i)| Some((k.clone(), walk(t, i, on_struct)?)))
                .collect();
            if entries.is_empty() {
                return None;
            }
            ModuleValue::Dict(entries)
        }
        (_, Value::Int(i)) => ModuleValue::Int(*i),
        (_, Value::Float(f)) => ModuleValue::Float(*f),
        (_, Value::Bool(b)) => ModuleValue::Bool(*b),
        (_, Value::Str(s)) => ModuleValue::Str(s.clone()),
        _ => return None,
    })
}

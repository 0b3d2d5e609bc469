//! A module's output as a public tree of defined values
//! ([`ModuleValue`]), for `sigscan dump` and differential tests, and the
//! one walk over a module's schema and value tree that both it and the
//! fuzz targets' [`crate::fuzzing::walk_module`] use.

use super::{FieldKind, Format, MODULES, StructType, Type, Value, find};

/// One defined value of a module's output (see [`module_output`]).
///
/// Undefined fields, functions and constants do not appear, and neither
/// do empty arrays and dictionaries, nor structs (but the root) with no
/// defined field: YARA-X's `yr dump` cannot tell them from absent ones
/// either.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ModuleValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A string, as bytes (module strings need not be UTF-8).
    Str(Vec<u8>),
    /// A string of bytes that need not be text (a section name, a
    /// certificate's raw bytes: what YARA-X's `bytes` fields hold, which
    /// `yr dump` shows in base64).
    Bytes(Vec<u8>),
    /// An integer that is a Unix time (`pe.timestamp`).
    Time(i64),
    /// An integer that is a value of an enumeration (`pe.machine`), with
    /// the name of its constant (`MACHINE_I386`).
    Enum(i64, &'static str),
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
        if let Some(out) = walk(t, field.format, slot, on_struct) {
            fields.push((field.name, out));
        }
    }
    Some(ModuleValue::Struct(fields))
}

fn walk<'v>(
    ty: &Type,
    format: Format,
    v: &'v Value,
    on_struct: &mut dyn FnMut(&StructType, &'v Value),
) -> Option<ModuleValue> {
    Some(match (ty, v) {
        (Type::Struct(st), v) => {
            // A struct with nothing defined in it (`pe.rich_signature`
            // of a file without one) is left out, as `yr dump` does.
            return walk_struct(st, v, on_struct).filter(
                |s| !matches!(s, ModuleValue::Struct(f) if f.is_empty()),
            );
        }
        (Type::Array(t), Value::Array(items)) => {
            let items: Vec<_> = items
                .iter()
                .filter_map(|i| walk(t, format, i, on_struct))
                .collect();
            if items.is_empty() {
                return None;
            }
            ModuleValue::Array(items)
        }
        (Type::Dict(t), Value::Dict(map)) => {
            let entries: Vec<_> = map
                .iter()
                .filter_map(|(k, i)| {
                    Some((k.clone(), walk(t, format, i, on_struct)?))
                })
                .collect();
            if entries.is_empty() {
                return None;
            }
            ModuleValue::Dict(entries)
        }
        (_, Value::Int(i)) => match format {
            Format::Time => ModuleValue::Time(*i),
            Format::Enum(table, prefix) => table
                .iter()
                .find(|(name, v)| v == i && name.starts_with(prefix))
                .map_or(ModuleValue::Int(*i), |(name, _)| {
                    ModuleValue::Enum(*i, name)
                }),
            _ => ModuleValue::Int(*i),
        },
        (_, Value::Float(f)) => ModuleValue::Float(*f),
        (_, Value::Bool(b)) => ModuleValue::Bool(*b),
        (_, Value::Str(s)) => match format {
            Format::Bytes => ModuleValue::Bytes(s.clone()),
            _ => ModuleValue::Str(s.clone()),
        },
        _ => return None,
    })
}

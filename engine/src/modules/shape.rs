//! [`Shape`]: one description of a structured module's fields that gives
//! both its schema and its values, so the two cannot drift apart.
//!
//! A module writes one function per struct, `fn(&mut Shape, Option<&T>)`,
//! listing every field in order with its value taken from `T`. Run on a
//! schema shape (with `None`) it records the field definitions; run on a
//! values shape it records one value per field, in the same order. Items
//! of arrays of structs are described the same way.

use std::sync::Arc;

use super::{
    Const, FieldDef, FieldKind, Format, Signature, StructType, Type, Value,
};

/// A struct being described (see the module docs).
pub(crate) struct Shape {
    schema: bool,
    fields: Vec<FieldDef>,
    values: Vec<Value>,
}

impl Shape {
    /// A shape that records field definitions.
    pub fn schema() -> Shape {
        Shape { schema: true, fields: Vec::new(), values: Vec::new() }
    }

    /// A shape that records values.
    pub fn values() -> Shape {
        Shape { schema: false, fields: Vec::new(), values: Vec::new() }
    }

    /// The recorded struct type.
    pub fn into_type(self) -> StructType {
        StructType { fields: self.fields }
    }

    /// The recorded values as a struct value.
    pub fn into_value(self) -> Value {
        Value::Struct(self.values)
    }

    /// A field of type `ty` whose value (computed only when recording
    /// values) is `v`.
    pub fn field(
        &mut self,
        name: &'static str,
        ty: Type,
        v: impl FnOnce() -> Value,
    ) {
        if self.schema {
            let kind = FieldKind::Value(ty);
            self.fields.push(FieldDef { name, kind, format: Format::Plain });
        } else {
            self.values.push(v());
        }
    }

    /// An integer field (undefined when `None`).
    pub fn int<T: TryInto<i64>>(&mut self, name: &'static str, v: Option<T>) {
        self.field(name, Type::Int, || {
            v.and_then(|v| v.try_into().ok()).map_or(Value::Undef, Value::Int)
        });
    }

    /// A string field (undefined when `None`).
    pub fn str<T: AsRef<[u8]>>(&mut self, name: &'static str, v: Option<T>) {
        self.field(name, Type::Str, || {
            v.map_or(Value::Undef, |s| Value::Str(s.as_ref().to_vec()))
        });
    }

    /// Sets how `sigscan dump` shows the field described last (its items,
    /// for an array).
    pub fn format(&mut self, format: Format) {
        if let Some(f) = self.fields.last_mut() {
            f.format = format;
        }
    }

    /// A string field of bytes that need not be text (undefined when
    /// `None`).
    pub fn bytes<T: AsRef<[u8]>>(&mut self, name: &'static str, v: Option<T>) {
        self.str(name, v);
        self.format(Format::Bytes);
    }

    /// An integer field holding a Unix time (undefined when `None`).
    pub fn time<T: TryInto<i64>>(&mut self, name: &'static str, v: Option<T>) {
        self.int(name, v);
        self.format(Format::Time);
    }

    /// An integer field whose values are those of the constants of
    /// `table` named `prefix…` (undefined when `None`).
    pub fn enumerated<T: TryInto<i64>>(
        &mut self,
        name: &'static str,
        v: Option<T>,
        table: &'static [(&'static str, i64)],
        prefix: &'static str,
    ) {
        self.int(name, v);
        self.format(Format::Enum(table, prefix));
    }

    /// A boolean field (undefined when `None`).
    pub fn bool(&mut self, name: &'static str, v: Option<bool>) {
        self.field(name, Type::Bool, || v.map_or(Value::Undef, Value::Bool));
    }

    /// A struct field described by `f` (undefined when `v` is `None`).
    pub fn strct<T>(
        &mut self,
        name: &'static str,
        v: Option<&T>,
        f: fn(&mut Shape, Option<&T>),
    ) {
        if self.schema {
            let ty = struct_type(f);
            self.fields.push(FieldDef {
                name,
                kind: FieldKind::Value(Type::Struct(Arc::new(ty))),
                format: Format::Plain,
            });
        } else {
            self.values.push(v.map_or(Value::Undef, |v| struct_value(f, v)));
        }
    }

    /// A struct field described by `f` that always exists: when `v` is
    /// `None` its fields are undefined (and its arrays empty), but its
    /// functions can still be called.
    pub fn strct_always<T>(
        &mut self,
        name: &'static str,
        v: Option<&T>,
        f: fn(&mut Shape, Option<&T>),
    ) {
        if self.schema || v.is_some() {
            self.strct(name, v, f);
        } else {
            let mut s = Shape::values();
            f(&mut s, None);
            self.values.push(s.into_value());
        }
    }

    /// An array of structs, each described by `f`.
    pub fn array<T>(
        &mut self,
        name: &'static str,
        items: &[T],
        f: fn(&mut Shape, Option<&T>),
    ) {
        if self.schema {
            let ty = Type::Struct(Arc::new(struct_type(f)));
            self.fields.push(FieldDef {
                name,
                kind: FieldKind::Value(Type::Array(Box::new(ty))),
                format: Format::Plain,
            });
        } else {
            let items = items.iter().map(|i| struct_value(f, i)).collect();
            self.values.push(Value::Array(items));
        }
    }

    /// An array of scalars of type `ty`.
    pub fn scalars<I: IntoIterator<Item = Value>>(
        &mut self,
        name: &'static str,
        ty: Type,
        items: impl FnOnce() -> I,
    ) {
        self.field(name, Type::Array(Box::new(ty)), || {
            Value::Array(items().into_iter().collect())
        });
    }

    /// A function field with its overloads (its value slot stays
    /// undefined).
    pub fn func(
        &mut self,
        name: &'static str,
        sigs: impl FnOnce() -> Vec<Signature>,
    ) {
        if self.schema {
            let kind = FieldKind::Func(sigs());
            self.fields.push(FieldDef { name, kind, format: Format::Plain });
        } else {
            self.values.push(Value::Undef);
        }
    }

    /// Integer constants (`pe.MACHINE_I386`, …), folded into conditions
    /// at compile time (their value slots stay undefined).
    pub fn consts(&mut self, table: &'static [(&'static str, i64)]) {
        if !self.schema {
            let n = self.values.len() + table.len();
            self.values.resize_with(n, || Value::Undef);
            return;
        }
        for &(name, v) in table {
            let kind = FieldKind::Const(Const::Int(v));
            let format = Format::Plain;
            self.fields.push(FieldDef { name, kind, format });
        }
    }
}

/// The struct type `f` describes.
pub(crate) fn struct_type<T>(f: fn(&mut Shape, Option<&T>)) -> StructType {
    let mut s = Shape::schema();
    f(&mut s, None);
    s.into_type()
}

/// The struct value `f` describes for `v`.
pub(crate) fn struct_value<T>(f: fn(&mut Shape, Option<&T>), v: &T) -> Value {
    let mut s = Shape::values();
    f(&mut s, Some(v));
    s.into_value()
}

/// The index of field `name` in `ty` (for functions that read their
/// struct's slots).
pub(crate) fn slot_of(ty: &StructType, name: &str) -> Option<usize> {
    ty.fields.iter().position(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, MODULES, StructType, Type, Value};

    /// Whether `v` has the shape `ty` says (slot counts, item types),
    /// allowing one trailing native slot at the root.
    fn conforms(ty: &StructType, v: &Value, root: bool) -> Result<(), String> {
        let Value::Struct(slots) = v else {
            return Err(format!("not a struct: {v:?}"));
        };
        let n = ty.fields.len();
        let native = root && slots.len() == n + 1;
        if slots.len() != n && !native {
            return Err(format!("{} slots for {n} fields", slots.len()));
        }
        for (f, s) in ty.fields.iter().zip(slots) {
            let ok = match (&f.kind, s) {
                (_, Value::Undef) => Ok(()),
                (FieldKind::Func(_), _) => Err("a value in a function slot"),
                (FieldKind::Const(_), _) => Err("a value in a constant slot"),
                (FieldKind::Value(t), s) => return_ok(t, s),
            };
            ok.map_err(|e| format!("{}: {e}", f.name))?;
        }
        Ok(())
    }

    fn return_ok(t: &Type, v: &Value) -> Result<(), &'static str> {
        let ok = match (t, v) {
            (Type::Int, Value::Int(_))
            | (Type::Float, Value::Float(_))
            | (Type::Str, Value::Str(_))
            | (Type::Bool, Value::Bool(_)) => true,
            (Type::Struct(s), v) => conforms(s, v, false).is_ok(),
            (Type::Array(t), Value::Array(items)) => {
                items.iter().all(|i| return_ok(t, i).is_ok())
            }
            (Type::Dict(t), Value::Dict(map)) => {
                map.values().all(|i| return_ok(t, i).is_ok())
            }
            _ => false,
        };
        if ok { Ok(()) } else { Err("a value of another type") }
    }

    #[test]
    fn structured_module_values_follow_their_schemas() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/testdata/libyara"
        );
        let Ok(entries) = std::fs::read_dir(dir) else {
            panic!("cannot read {dir}");
        };
        let mut inputs: Vec<Vec<u8>> = entries
            .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
            .collect();
        inputs.push(Vec::new());
        for m in MODULES {
            if !["pe", "elf", "dotnet"].contains(&m.name) {
                continue;
            }
            let ty = (m.schema)();
            let mut names: Vec<_> = ty.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), ty.fields.len(), "{}: duplicates", m.name);
            for data in &inputs {
                let v = (m.main)(data);
                if let Err(e) = conforms(&ty, &v, true) {
                    panic!("{}: {e}", m.name);
                }
            }
        }
    }
}

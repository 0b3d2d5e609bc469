//! Modules (`pe`, `elf`, `dotnet`, `math`, `hash`, `string`, `time`,
//! `console`): each sees only the scanned bytes.
//!
//! # The interface
//!
//! A module is a [`Module`]: a name, a **schema** and a `main` function.
//!
//! - The schema ([`StructType`]) is what rules may write after
//!   `import "name"`: fields of type integer, float, string, bool, struct,
//!   array or dictionary ([`Type`]), and functions ([`FieldKind::Func`])
//!   with one or more overloaded [`Signature`]s, and constants
//!   ([`FieldKind::Const`], folded at compile time). The condition compiler
//!   type-checks `name.field[index].other(args…)` against it and turns
//!   each field name into its index in the struct, so nothing is looked up
//!   by name while scanning.
//! - `main` runs at most once per scan, the first time a condition touches
//!   the module, and only when some rule imports it. It parses the bytes
//!   (every byte is hostile: check before allocating, never panic) and
//!   returns the module's [`Value`] tree: a [`Value::Struct`] whose slots
//!   are in schema field order (function and constant slots stay
//!   [`Value::Undef`]). A
//!   field the data does not define stays `Undef`, which conditions see as
//!   undefined.
//! - A function ([`ModFn`]) receives a [`Ctx`] (the scanned bytes, the
//!   module's root value and the struct the function is a field of) and
//!   its arguments as [`Arg`]s matching the chosen signature; it returns a
//!   scalar [`Value`], or `None` for undefined. A [`Type::Regex`]
//!   parameter takes a regex literal (`pe.exports(/^Dll/)`), compiled with
//!   the rules and passed as [`Arg::Regex`].
//! - A module may keep what its parser built for its functions: `main`
//!   puts it in a [`Value::Native`] slot after the root struct's fields,
//!   and functions get it back with [`Ctx::native`].
//!
//! To add a module: write `fn schema() -> StructType` and
//! `fn main(&[u8]) -> Value` in a new file, and list it in [`MODULES`]
//! (both definitions: the test one adds the `tests` module, whose file is
//! a worked example of structs, arrays, dictionaries and methods). The
//! compiler calls `schema` once per [`crate::Compiler`]; `main` must build
//! structs with the same field order, which [`StructBuilder`] (fill by
//! field name) guarantees; for big structured modules (`pe`, `elf`,
//! `dotnet`) a `shape::Shape` describes each struct once for both its
//! schema and its values.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use regex_automata::meta::Regex;

pub(crate) use output::walk_struct;
pub use output::{ModuleValue, module_names, module_output};

mod console;
pub(crate) mod dotnet;
// Some parser helpers serve only the parsers' own tests.
#[allow(dead_code)]
pub(crate) mod elf;
mod hash;
mod math;
mod output;
// Some parser helpers serve only the parsers' own tests.
#[allow(dead_code)]
pub(crate) mod pe;
mod shape;
mod string;
#[cfg(test)]
mod tests;
mod time;

/// The type of a module field.
// Struct, array and dict fields come with the structured modules (pe,
// elf, dotnet).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub(crate) enum Type {
    Int,
    Float,
    Str,
    Bool,
    Struct(Arc<StructType>),
    /// An array whose items all have this type.
    Array(Box<Type>),
    /// A dictionary with string keys and values of this type.
    Dict(Box<Type>),
    /// A regular expression literal (function arguments only:
    /// `pe.exports(/re/)`).
    Regex,
}

impl Type {
    /// The name YARA-X uses in diagnostics.
    pub fn name(&self) -> &'static str {
        match self {
            Type::Int => "integer",
            Type::Float => "float",
            Type::Str => "string",
            Type::Bool => "boolean",
            Type::Struct(_) => "struct",
            Type::Array(_) => "array",
            Type::Dict(_) => "dict",
            Type::Regex => "regexp",
        }
    }
}

/// The fields of a struct, in slot order.
#[derive(Clone, Debug, Default)]
pub(crate) struct StructType {
    pub fields: Vec<FieldDef>,
}

#[derive(Clone, Debug)]
pub(crate) struct FieldDef {
    pub name: &'static str,
    pub kind: FieldKind,
    /// How `sigscan dump` shows the field's values (of its items, for an
    /// array); conditions ignore it.
    pub format: Format,
}

/// How a value is shown by `sigscan dump` (see [`ModuleValue`]): as
/// YARA-X's protobuf field types have `yr dump` show it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) enum Format {
    #[default]
    Plain,
    /// Bytes that need not be text (a protobuf `bytes` field).
    Bytes,
    /// A Unix time.
    Time,
    /// A value of an enumeration: the module's constants whose names
    /// start with the prefix name its values.
    Enum(&'static [(&'static str, i64)], &'static str),
}

// Data fields come with the structured modules (pe, elf, dotnet); only
// the unit tests' module has them so far.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub(crate) enum FieldKind {
    Value(Type),
    /// A function with its overloads.
    Func(Vec<Signature>),
    /// A constant known at compile time (`pe.MACHINE_I386`,
    /// `math.MEAN_BYTES`): folded into conditions, never stored in the
    /// value tree (its slot stays `Undef`).
    Const(Const),
}

/// The value of a [`FieldKind::Const`] field.
#[allow(dead_code)] // strings and booleans serve the structured modules.
#[derive(Clone, Debug)]
pub(crate) enum Const {
    Int(i64),
    Float(f64),
    Str(&'static str),
    Bool(bool),
}

/// One overload of a module function.
#[derive(Clone, Debug)]
pub(crate) struct Signature {
    /// Argument types (scalars, or [`Type::Regex`] for a regular
    /// expression literal).
    pub args: Vec<Type>,
    /// The result type (a scalar).
    pub ret: Type,
    pub func: ModFn,
}

/// A module function. `None` means undefined.
pub(crate) type ModFn = fn(&Ctx<'_>, &[Arg<'_>]) -> Option<Value>;

/// What a module function sees.
#[allow(dead_code)] // `module` and `this` serve the structured modules.
pub(crate) struct Ctx<'a> {
    /// The scanned bytes.
    pub data: &'a [u8],
    /// The module's root value (from its `main`).
    pub module: &'a Value,
    /// The struct the function is a field of (the root for top-level
    /// functions).
    pub this: &'a Value,
}

/// An argument of a module function.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
    Bool(bool),
    /// A regular expression literal, compiled with the rules.
    Regex(&'a Regex),
}

impl<'a> Arg<'a> {
    pub fn int(&self) -> Option<i64> {
        match *self {
            Arg::Int(i) => Some(i),
            _ => None,
        }
    }
    pub fn float(&self) -> Option<f64> {
        match *self {
            Arg::Float(f) => Some(f),
            Arg::Int(i) => Some(i as f64),
            _ => None,
        }
    }
    pub fn str(&self) -> Option<&'a [u8]> {
        match *self {
            Arg::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        match *self {
            Arg::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// A module's value tree.
#[allow(dead_code)] // arrays and dicts come with the structured modules.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Value {
    #[default]
    Undef,
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
    Bool(bool),
    /// Slots in schema field order.
    Struct(Vec<Value>),
    Array(Vec<Value>),
    Dict(BTreeMap<Vec<u8>, Value>),
    /// What a module's parser built, kept for its functions. It lives in
    /// a struct slot past the schema's fields (see [`Ctx::native`]), so
    /// no condition can name it.
    Native(Native),
}

impl Value {
    /// A struct of `ty` with every slot undefined.
    pub fn new_struct(ty: &StructType) -> Value {
        Value::Struct(vec![Value::Undef; ty.fields.len()])
    }
}

/// An opaque, shared value of any type (see [`Value::Native`]).
#[derive(Clone)]
pub(crate) struct Native(pub Arc<dyn Any + Send + Sync>);

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Native(..)")
    }
}

impl PartialEq for Native {
    fn eq(&self, other: &Native) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<'a> Ctx<'a> {
    /// The native value a module's `main` left in the slot after the
    /// root struct's schema fields, if it is a `T`.
    pub fn native<T: Any>(&self) -> Option<&'a T> {
        let Value::Struct(slots) = self.module else { return None };
        match slots.last()? {
            Value::Native(n) => n.0.downcast_ref::<T>(),
            _ => None,
        }
    }
}

/// Fills a struct value by field name.
#[allow(dead_code)] // for the structured modules, see `FieldKind`.
pub(crate) struct StructBuilder<'t> {
    ty: &'t StructType,
    slots: Vec<Value>,
}

#[allow(dead_code)]
impl<'t> StructBuilder<'t> {
    pub fn new(ty: &'t StructType) -> Self {
        StructBuilder { ty, slots: vec![Value::Undef; ty.fields.len()] }
    }

    /// Sets field `name` (ignored if the schema has no such field).
    pub fn set(&mut self, name: &str, value: Value) -> &mut Self {
        if let Some(i) = self.ty.fields.iter().position(|f| f.name == name) {
            self.slots[i] = value;
        }
        self
    }

    pub fn build(self) -> Value {
        Value::Struct(self.slots)
    }
}

/// A module: its name, schema and parser.
pub(crate) struct Module {
    pub name: &'static str,
    pub schema: fn() -> StructType,
    pub main: fn(&[u8]) -> Value,
}

/// Every built-in module.
#[cfg(not(test))]
pub(crate) static MODULES: &[Module] = &[
    Module { name: "console", schema: console::schema, main: console::main },
    Module {
        name: "dotnet",
        schema: dotnet::bind::schema,
        main: dotnet::bind::main,
    },
    Module { name: "elf", schema: elf::bind::schema, main: elf::bind::main },
    Module { name: "hash", schema: hash::schema, main: hash::main },
    Module { name: "math", schema: math::schema, main: math::main },
    Module { name: "pe", schema: pe::bind::schema, main: pe::bind::main },
    Module { name: "string", schema: string::schema, main: string::main },
    Module { name: "time", schema: time::schema, main: time::main },
];

/// Every built-in module, plus `tests` (structs, arrays, dictionaries and
/// methods) in unit tests.
#[cfg(test)]
pub(crate) static MODULES: &[Module] = &[
    Module { name: "console", schema: console::schema, main: console::main },
    Module {
        name: "dotnet",
        schema: dotnet::bind::schema,
        main: dotnet::bind::main,
    },
    Module { name: "elf", schema: elf::bind::schema, main: elf::bind::main },
    Module { name: "hash", schema: hash::schema, main: hash::main },
    Module { name: "math", schema: math::schema, main: math::main },
    Module { name: "pe", schema: pe::bind::schema, main: pe::bind::main },
    Module { name: "string", schema: string::schema, main: string::main },
    Module { name: "time", schema: time::schema, main: time::main },
    Module { name: "tests", schema: tests::schema, main: tests::main },
];

/// The index in [`MODULES`] of the module called `name`.
pub(crate) fn find(name: &str) -> Option<usize> {
    MODULES.iter().position(|m| m.name == name)
}

// ---- helpers for module authors

/// A field of a scalar or composite type.
#[allow(dead_code)] // for the structured modules, see `FieldKind`.
pub(crate) fn field(name: &'static str, ty: Type) -> FieldDef {
    FieldDef { name, kind: FieldKind::Value(ty), format: Format::Plain }
}

/// A constant field.
pub(crate) fn constant(name: &'static str, value: Const) -> FieldDef {
    FieldDef { name, kind: FieldKind::Const(value), format: Format::Plain }
}

/// A function field with its overloads.
pub(crate) fn func(name: &'static str, sigs: Vec<Signature>) -> FieldDef {
    FieldDef { name, kind: FieldKind::Func(sigs), format: Format::Plain }
}

/// One overload.
pub(crate) fn sig(args: &[Type], ret: Type, func: ModFn) -> Signature {
    Signature { args: args.to_vec(), ret, func }
}

/// The bytes `data[offset..offset + size]`, or `None` when the range is
/// negative or not inside the data.
pub(crate) fn slice(data: &[u8], offset: i64, size: i64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let size = usize::try_from(size).ok()?;
    let end = start.checked_add(size)?;
    data.get(start..end)
}

/// The bytes an `(offset, size)` or `(string)` overload talks about:
/// `args[0..2]` as a range of the data, or `args[0]` as a string.
pub(crate) fn bytes_arg<'a>(
    ctx: &Ctx<'a>,
    args: &[Arg<'a>],
) -> Option<&'a [u8]> {
    match args {
        [Arg::Str(s), ..] => Some(s),
        [Arg::Int(o), Arg::Int(s), ..] => slice(ctx.data, *o, *s),
        _ => None,
    }
}

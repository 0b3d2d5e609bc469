//! Entry points for the fuzz targets in `fuzz/` (not a stable API).
//!
//! The structured modules (`pe`, `elf`, `dotnet`) are private; their fuzz
//! targets reach them through [`walk_module`], which runs a module's
//! parser on arbitrary bytes and then touches everything a rule could:
//! every field of the value tree (through arrays, dictionaries and nested
//! structs, by the same walk that gives [`crate::module_output`]) and
//! every function of the schema, called with a few argument values of
//! each type, on each struct it is a method of.

use regex_automata::meta::Regex;

use crate::modules::{
    Arg, Ctx, FieldKind, MODULES, ModuleValue, Type, Value, find, walk_struct,
};

/// Runs module `name`'s parser over `data` and walks its value tree and
/// every function. Returns how many values and function results it saw
/// (so that the work cannot be optimised away), or `None` when there is
/// no module of that name.
pub fn walk_module(name: &str, data: &[u8]) -> Option<usize> {
    let module = &MODULES[find(name)?];
    let schema = (module.schema)();
    let root = (module.main)(data);
    let regex = Regex::new("(?i)a|dll|^$").ok()?;
    let mut w = Walker { data, root: &root, regex: &regex, seen: 0 };
    let out = walk_struct(&schema, &root, &mut |ty, this| {
        for field in &ty.fields {
            if let FieldKind::Func(sigs) = &field.kind {
                for sig in sigs {
                    w.call(sig, this);
                }
            }
        }
    });
    Some(w.seen + out.as_ref().map_or(0, count))
}

/// How many values `v` holds.
fn count(v: &ModuleValue) -> usize {
    1 + match v {
        ModuleValue::Struct(fields) => {
            fields.iter().map(|(_, v)| count(v)).sum()
        }
        ModuleValue::Array(items) => items.iter().map(count).sum(),
        ModuleValue::Dict(items) => items.iter().map(|(_, v)| count(v)).sum(),
        _ => 0,
    }
}

struct Walker<'a> {
    data: &'a [u8],
    root: &'a Value,
    regex: &'a Regex,
    seen: usize,
}

impl<'a> Walker<'a> {
    /// Calls one overload a few times, each time with the `k`-th
    /// candidate value of every argument.
    fn call(&mut self, sig: &crate::modules::Signature, this: &'a Value) {
        let head = self.data.get(..8).unwrap_or(self.data);
        let mut word = [0u8; 8];
        word[..head.len()].copy_from_slice(head);
        let ints = [0, 1, -1, i64::MAX, i64::from_le_bytes(word), 0x1000];
        let strs: [&[u8]; 4] = [b"", b"kernel32.dll", head, b"CompanyName"];
        let ctx = Ctx { data: self.data, module: self.root, this };
        for k in 0..ints.len() {
            let args: Vec<Arg<'_>> = sig
                .args
                .iter()
                .map(|t| match t {
                    Type::Int => Arg::Int(ints[k]),
                    Type::Float => Arg::Float(ints[k] as f64),
                    Type::Str => Arg::Str(strs[k % strs.len()]),
                    Type::Bool => Arg::Bool(k % 2 == 0),
                    _ => Arg::Regex(self.regex),
                })
                .collect();
            if (sig.func)(&ctx, &args).is_some() {
                self.seen += 1;
            }
        }
    }
}

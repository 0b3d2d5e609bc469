//! `tests`: a module for unit tests only, exercising what the built-in
//! modules do not: nested structs, arrays, dictionaries, methods that read
//! their struct, functions that read the module root and the data.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{
    Arg, Ctx, StructBuilder, StructType, Type, Value, field, func, sig,
};

fn item() -> StructType {
    StructType {
        fields: vec![field("name", Type::Str), field("size", Type::Int)],
    }
}

fn nested() -> StructType {
    StructType {
        fields: vec![
            field("x", Type::Int),
            func("add_x", vec![sig(&[Type::Int], Type::Int, add_x)]),
        ],
    }
}

pub(super) fn schema() -> StructType {
    use Type::{Float as F, Int as I, Str as S};
    StructType {
        fields: vec![
            field("int_field", I),
            super::constant("CONST_INT", super::Const::Int(42)),
            super::constant("CONST_STR", super::Const::Str("c")),
            field("float_field", F),
            field("str_field", S),
            field("bool_field", Type::Bool),
            field("undef_field", I),
            field("nested", Type::Struct(Arc::new(nested()))),
            field("ints", Type::Array(Box::new(I))),
            field(
                "items",
                Type::Array(Box::new(Type::Struct(Arc::new(item())))),
            ),
            field("dict", Type::Dict(Box::new(I))),
            field(
                "dict_of_items",
                Type::Dict(Box::new(Type::Struct(Arc::new(item())))),
            ),
            func("data_len", vec![sig(&[], I, data_len)]),
            func("root_int", vec![sig(&[], I, root_int)]),
            func("undef", vec![sig(&[], I, undef)]),
            func("concat", vec![sig(&[S, S], S, concat)]),
        ],
    }
}

fn item_value(name: &str, size: i64) -> Value {
    let ty = item();
    let mut b = StructBuilder::new(&ty);
    b.set("name", Value::Str(name.as_bytes().to_vec()));
    b.set("size", Value::Int(size));
    b.build()
}

pub(super) fn main(_data: &[u8]) -> Value {
    let ty = schema();
    let nested_ty = nested();
    let mut n = StructBuilder::new(&nested_ty);
    n.set("x", Value::Int(7));
    let mut dict = BTreeMap::new();
    dict.insert(b"a".to_vec(), Value::Int(1));
    dict.insert(b"b".to_vec(), Value::Int(2));
    let mut items = BTreeMap::new();
    items.insert(b"one".to_vec(), item_value("one", 1));
    let mut b = StructBuilder::new(&ty);
    b.set("int_field", Value::Int(1))
        .set("float_field", Value::Float(1.5))
        .set("str_field", Value::Str(b"foo".to_vec()))
        .set("bool_field", Value::Bool(true))
        .set("nested", n.build())
        .set(
            "ints",
            Value::Array(vec![Value::Int(1), Value::Int(2), Value::Int(3)]),
        )
        .set(
            "items",
            Value::Array(vec![item_value("a", 10), item_value("b", 20)]),
        )
        .set("dict", Value::Dict(dict))
        .set("dict_of_items", Value::Dict(items));
    b.build()
}

fn add_x(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let Value::Struct(fields) = ctx.this else { return None };
    let Value::Int(x) = fields.first()? else { return None };
    Some(Value::Int(x + a.first()?.int()?))
}

fn data_len(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(ctx.data.len() as i64))
}

fn root_int(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    let Value::Struct(fields) = ctx.module else { return None };
    fields.first().cloned()
}

fn undef(_: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    None
}

fn concat(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let mut s = a.first()?.str()?.to_vec();
    s.extend_from_slice(a.get(1)?.str()?);
    Some(Value::Str(s))
}

#[cfg(test)]
mod t {
    use crate::{Compiler, DiagnosticKind, Scanner};

    fn check(cond: &str, want: bool) {
        let src = format!("import \"tests\" rule a {{ condition: {cond} }}");
        let mut c = Compiler::new();
        c.add_source(&src).unwrap_or_else(|e| panic!("{cond}: {e}"));
        let rules = c.build().expect("build");
        let mut s = Scanner::new(&rules);
        let got = s.scan(b"abcd").expect("scan").matching_rules().count() == 1;
        assert_eq!(got, want, "{cond}");
    }

    #[test]
    fn fields_and_nested_structs() {
        check("tests.int_field == 1 and tests.float_field == 1.5", true);
        check("tests.str_field == \"foo\" and tests.bool_field", true);
        check("tests.nested.x == 7", true);
        check("tests.CONST_INT == 42 and tests.CONST_STR == \"c\"", true);
        check("not defined tests.undef_field", true);
        check("tests.undef_field == 0", false);
    }

    #[test]
    fn arrays_and_dicts() {
        check("tests.ints[0] == 1 and tests.ints[2] == 3", true);
        check(
            "not defined tests.ints[3] and not defined tests.ints[-1]",
            true,
        );
        check(
            "tests.items[1].name == \"b\" and tests.items[1].size == 20",
            true,
        );
        check(
            "tests.dict[\"b\"] == 2 and not defined tests.dict[\"z\"]",
            true,
        );
        check("tests.dict_of_items[\"one\"].size == 1", true);
        check("for all i in tests.ints : (i > 0)", true);
        check("for 2 i in tests.ints : (i >= 2)", true);
        check("for any it in tests.items : (it.name == \"b\")", true);
        check("for all k, v in tests.dict : (v > 0 and k != \"\")", true);
        check("for any k, v in tests.dict_of_items : (v.size == 1)", true);
        check("for any i in (0..2) : (tests.ints[i] == 3)", true);
    }

    #[test]
    fn functions() {
        check("tests.nested.add_x(3) == 10", true);
        check("tests.data_len() == filesize", true);
        check("tests.root_int() == 1", true);
        check("not defined tests.undef()", true);
        check("tests.concat(\"a\", tests.str_field) == \"afoo\"", true);
        check("tests.concat(\"a\", tests.items[5].name) == \"a\"", false);
    }

    fn error(cond: &str) -> DiagnosticKind {
        let src = format!("import \"tests\" rule a {{ condition: {cond} }}");
        let mut c = Compiler::new();
        let e = c.add_source(&src).expect_err(cond);
        e.diagnostics()[0].kind
    }

    #[test]
    fn type_errors() {
        assert_eq!(error("tests.nope"), DiagnosticKind::UnknownField);
        assert_eq!(error("tests.ints[\"a\"] == 1"), DiagnosticKind::WrongType);
        assert_eq!(error("tests.dict[0] == 1"), DiagnosticKind::WrongType);
        assert_eq!(
            error("tests.int_field[0] == 1"),
            DiagnosticKind::NotIndexable
        );
        assert_eq!(error("tests.int_field()"), DiagnosticKind::NotCallable);
        assert_eq!(
            error("tests.concat(1, 2) == \"\""),
            DiagnosticKind::WrongArguments
        );
        assert_eq!(
            error("for any a, b in tests.ints : (true)"),
            DiagnosticKind::AssignmentMismatch
        );
        assert_eq!(error("tests.items[0]"), DiagnosticKind::WrongType);
    }
}

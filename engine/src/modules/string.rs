//! `string`: conversions of strings.

use super::{Arg, Ctx, StructType, Type, Value, func, sig};

pub(super) fn schema() -> StructType {
    use Type::{Int as I, Str as S};
    StructType {
        fields: vec![
            func(
                "to_int",
                vec![sig(&[S], I, to_int), sig(&[S, I], I, to_int)],
            ),
            func("length", vec![sig(&[S], I, length)]),
        ],
    }
}

pub(super) fn main(_data: &[u8]) -> Value {
    Value::new_struct(&schema())
}

fn to_int(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let s = std::str::from_utf8(a.first()?.str()?).ok()?;
    let base = match a.get(1) {
        Some(b) => u32::try_from(b.int()?).ok()?,
        None => 10,
    };
    if !(2..=36).contains(&base) {
        return None;
    }
    i64::from_str_radix(s, base).ok().map(Value::Int)
}

fn length(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(i64::try_from(a.first()?.str()?.len()).ok()?))
}

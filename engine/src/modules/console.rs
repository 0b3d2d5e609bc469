//! `console`: logging from conditions. Every function returns `true`; the
//! messages are discarded (the scanner has no console of its own).

use super::{Arg, Ctx, StructType, Type, Value, func, sig};

pub(super) fn schema() -> StructType {
    use Type::{Bool as B, Float as F, Int as I, Str as S};
    StructType {
        fields: vec![
            func(
                "log",
                vec![
                    sig(&[S], B, log),
                    sig(&[I], B, log),
                    sig(&[F], B, log),
                    sig(&[B], B, log),
                    sig(&[S, S], B, log),
                    sig(&[S, I], B, log),
                    sig(&[S, F], B, log),
                    sig(&[S, B], B, log),
                ],
            ),
            func("hex", vec![sig(&[I], B, log), sig(&[S, I], B, log)]),
        ],
    }
}

pub(super) fn main(_data: &[u8]) -> Value {
    Value::new_struct(&schema())
}

fn log(_: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Bool(true))
}

//! `time`: the current time.

use super::{Arg, Ctx, StructType, Type, Value, func, sig};

pub(super) fn schema() -> StructType {
    StructType { fields: vec![func("now", vec![sig(&[], Type::Int, now)])] }
}

pub(super) fn main(_data: &[u8]) -> Value {
    Value::new_struct(&schema())
}

fn now(_: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(Value::Int(i64::try_from(d.as_secs()).ok()?))
}

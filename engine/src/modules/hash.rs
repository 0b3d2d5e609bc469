//! `hash`: digests and checksums of data ranges and strings.

use super::{Arg, Ctx, StructType, Type, Value, bytes_arg, func, sig};

pub(super) fn schema() -> StructType {
    use Type::{Int as I, Str as S};
    let both = |ret: Type, f: super::ModFn| {
        vec![sig(&[I, I], ret.clone(), f), sig(&[S], ret, f)]
    };
    StructType {
        fields: vec![
            func("md5", both(S, md5)),
            func("sha1", both(S, sha1)),
            func("sha256", both(S, sha256)),
            func("checksum32", both(I, checksum32)),
            func("crc32", both(I, crc32)),
        ],
    }
}

pub(super) fn main(_data: &[u8]) -> Value {
    Value::new_struct(&schema())
}

fn hex(digest: &[u8]) -> Value {
    let mut s = Vec::with_capacity(digest.len() * 2);
    for b in digest {
        s.extend_from_slice(format!("{b:02x}").as_bytes());
    }
    Value::Str(s)
}

fn md5(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    use md5::Digest as _;
    Some(hex(&md5::Md5::digest(bytes_arg(ctx, a)?)))
}

fn sha1(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    use sha1::Digest as _;
    Some(hex(&sha1::Sha1::digest(bytes_arg(ctx, a)?)))
}

fn sha256(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    use sha2::Digest as _;
    Some(hex(&sha2::Sha256::digest(bytes_arg(ctx, a)?)))
}

fn checksum32(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let sum = bytes_arg(ctx, a)?
        .iter()
        .fold(0u32, |acc, &b| acc.wrapping_add(u32::from(b)));
    Some(Value::Int(i64::from(sum)))
}

fn crc32(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(i64::from(crc32fast::hash(bytes_arg(ctx, a)?))))
}

//! `math`: statistics over ranges of the data or over strings.

use super::{Arg, Const, Ctx, StructType, Type, Value, constant, func, sig};

pub(super) fn schema() -> StructType {
    use Type::{Bool, Float as F, Int as I, Str as S};
    StructType {
        fields: vec![
            constant("MEAN_BYTES", Const::Float(127.5)),
            func("min", vec![sig(&[I, I], I, min)]),
            func("max", vec![sig(&[I, I], I, max)]),
            func("abs", vec![sig(&[I], I, abs)]),
            func(
                "in_range",
                vec![
                    sig(&[F, F, F], Bool, in_range_float),
                    sig(&[I, I, I], Bool, in_range_int),
                ],
            ),
            func(
                "to_string",
                vec![sig(&[I], S, to_string), sig(&[I, I], S, to_string)],
            ),
            func("to_number", vec![sig(&[Bool], I, to_number)]),
            func(
                "count",
                vec![sig(&[I, I, I], I, count), sig(&[I], I, count)],
            ),
            func(
                "percentage",
                vec![sig(&[I, I, I], F, percentage), sig(&[I], F, percentage)],
            ),
            func("mode", vec![sig(&[I, I], I, mode), sig(&[], I, mode)]),
            func(
                "entropy",
                vec![sig(&[I, I], F, entropy), sig(&[S], F, entropy)],
            ),
            func(
                "deviation",
                vec![
                    sig(&[I, I, F], F, deviation),
                    sig(&[S, F], F, deviation),
                ],
            ),
            func("mean", vec![sig(&[I, I], F, mean), sig(&[S], F, mean)]),
            func(
                "serial_correlation",
                vec![
                    sig(&[I, I], F, serial_correlation),
                    sig(&[S], F, serial_correlation),
                ],
            ),
            func(
                "monte_carlo_pi",
                vec![
                    sig(&[I, I], F, monte_carlo_pi),
                    sig(&[S], F, monte_carlo_pi),
                ],
            ),
        ],
    }
}

pub(super) fn main(_data: &[u8]) -> Value {
    Value::new_struct(&schema())
}

/// `data[offset..offset + size]` with the end clamped to the data (the
/// start must be inside it or at its end).
fn clamped(data: &[u8], offset: i64, size: i64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let size = usize::try_from(size).ok()?;
    let end = data.len().min(start.saturating_add(size));
    data.get(start..end)
}

/// The bytes of a `(offset, size, …)` or `(string, …)` overload.
fn bytes<'a>(ctx: &Ctx<'a>, args: &[Arg<'a>]) -> Option<&'a [u8]> {
    match args {
        [Arg::Str(s), ..] => Some(s),
        [Arg::Int(o), Arg::Int(s), ..] => clamped(ctx.data, *o, *s),
        _ => None,
    }
}

fn histogram(data: &[u8]) -> [u64; 256] {
    let mut h = [0u64; 256];
    for &b in data {
        h[b as usize] += 1;
    }
    h
}

fn min(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(a.first()?.int()?.min(a.get(1)?.int()?)))
}

fn max(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(a.first()?.int()?.max(a.get(1)?.int()?)))
}

fn abs(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(a.first()?.int()?.wrapping_abs()))
}

fn in_range_float(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let (x, lo, hi) =
        (a.first()?.float()?, a.get(1)?.float()?, a.get(2)?.float()?);
    Some(Value::Bool(lo <= x && x <= hi))
}

fn in_range_int(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let (x, lo, hi) = (a.first()?.int()?, a.get(1)?.int()?, a.get(2)?.int()?);
    Some(Value::Bool(lo <= x && x <= hi))
}

fn to_string(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let x = a.first()?.int()?;
    let s = match a.get(1).map(|b| b.int()) {
        None => x.to_string(),
        Some(Some(8)) => format!("{x:o}"),
        Some(Some(10)) => x.to_string(),
        Some(Some(16)) => format!("{x:x}"),
        Some(_) => return None,
    };
    Some(Value::Str(s.into_bytes()))
}

fn to_number(_: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(i64::from(a.first()?.bool()?)))
}

fn count(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let byte = u8::try_from(a.first()?.int()?).ok()?;
    let data = match a {
        [_, Arg::Int(o), Arg::Int(s)] => clamped(ctx.data, *o, *s)?,
        _ => ctx.data,
    };
    let n = data.iter().filter(|&&b| b == byte).count();
    Some(Value::Int(i64::try_from(n).ok()?))
}

fn percentage(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let byte = u8::try_from(a.first()?.int()?).ok()?;
    let data = match a {
        [_, Arg::Int(o), Arg::Int(s)] => clamped(ctx.data, *o, *s)?,
        _ => ctx.data,
    };
    if data.is_empty() {
        return None;
    }
    let n = data.iter().filter(|&&b| b == byte).count();
    Some(Value::Float(n as f64 / data.len() as f64))
}

fn mode(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let data = match a {
        [Arg::Int(o), Arg::Int(s)] => clamped(ctx.data, *o, *s)?,
        _ => ctx.data,
    };
    if data.is_empty() {
        return None;
    }
    let h = histogram(data);
    let mut best = 0usize;
    for (i, &n) in h.iter().enumerate() {
        if n > h[best] {
            best = i;
        }
    }
    Some(Value::Int(best as i64))
}

fn entropy(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let data = bytes(ctx, a)?;
    if data.is_empty() {
        return Some(Value::Float(0.0));
    }
    let len = data.len() as f64;
    // Subtract from +0.0 (not `sum`, which starts at -0.0): one distinct
    // byte gives +0.0, as in YARA-X.
    let e = histogram(data).iter().filter(|&&n| n != 0).fold(0.0, |e, &n| {
        let p = n as f64 / len;
        e - p * p.log2()
    });
    Some(Value::Float(e))
}

fn deviation(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let data = bytes(ctx, a)?;
    let mean = a.last()?.float()?;
    if data.is_empty() {
        return None;
    }
    let sum: f64 = histogram(data)
        .iter()
        .enumerate()
        .map(|(i, &n)| (i as f64 - mean).abs() * n as f64)
        .sum();
    Some(Value::Float(sum / data.len() as f64))
}

fn mean(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let data = bytes(ctx, a)?;
    if data.is_empty() {
        return None;
    }
    let sum: f64 = histogram(data)
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    Some(Value::Float(sum / data.len() as f64))
}

fn serial_correlation(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let data = bytes(ctx, a)?;
    let mut s1: f64 =
        data.windows(2).map(|w| f64::from(w[0]) * f64::from(w[1])).sum();
    let total: f64 = data.iter().map(|&b| f64::from(b)).sum();
    let s2 = total * total;
    let s3: f64 = data.iter().map(|&b| f64::from(b) * f64::from(b)).sum();
    if let (Some(&f), Some(&l)) = (data.first(), data.last()) {
        s1 += f64::from(f) * f64::from(l);
    }
    let n = data.len() as f64;
    let scc = (n * s1 - s2) / (n * s3 - s2);
    Some(Value::Float(if scc.is_nan() { -100000.0 } else { scc }))
}

fn monte_carlo_pi(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    // ((256^3) - 1)^2: the radius of the circle, squared.
    const INCIRC: f64 = 281474943156225.0;
    let data = bytes(ctx, a)?;
    let (mut inside, mut total) = (0u64, 0u64);
    for chunk in data.chunks_exact(6) {
        let (mut x, mut y) = (0.0f64, 0.0f64);
        for i in 0..3 {
            x = x * 256.0 + f64::from(chunk[i]);
            y = y * 256.0 + f64::from(chunk[i + 3]);
        }
        if x * x + y * y < INCIRC {
            inside += 1;
        }
        total += 1;
    }
    if total == 0 {
        return None;
    }
    let pi = 4.0 * (inside as f64 / total as f64);
    let p = std::f64::consts::PI;
    Some(Value::Float((pi - p).abs() / p))
}

//! Little-endian primitives: a growing writer and a bounds-checked reader
//! that never allocates more than the bytes left can justify.

use super::DatabaseError;

/// Appends little-endian values.
#[derive(Default)]
pub(super) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn bool(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A length or an index; values past `u32::MAX` cannot come from a
    /// compiler that indexes with `u32`, and are saturated.
    pub fn len(&mut self, v: usize) {
        self.u32(u32::try_from(v).unwrap_or(u32::MAX));
    }

    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }

    pub fn bytes(&mut self, v: &[u8]) {
        self.len(v.len());
        self.buf.extend_from_slice(v);
    }

    pub fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
}

/// Reads what [`Writer`] wrote; every read is checked.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Named in errors.
    pub section: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], section: &'static str) -> Reader<'a> {
        Reader { buf, pos: 0, section }
    }

    /// An error about this section.
    pub fn err(&self, what: impl Into<String>) -> DatabaseError {
        DatabaseError::Malformed { section: self.section, what: what.into() }
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DatabaseError> {
        if n > self.remaining() {
            return Err(self.err("truncated"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DatabaseError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, DatabaseError> {
        Ok(self.array::<1>()?[0])
    }

    pub fn bool(&mut self) -> Result<bool, DatabaseError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(self.err(format!("invalid boolean {b}"))),
        }
    }

    pub fn u32(&mut self) -> Result<u32, DatabaseError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, DatabaseError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn i64(&mut self) -> Result<i64, DatabaseError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub fn f64(&mut self) -> Result<f64, DatabaseError> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// An index that must be below `bound`.
    pub fn index(
        &mut self,
        bound: usize,
        what: &str,
    ) -> Result<u32, DatabaseError> {
        let v = self.u32()?;
        if v as usize >= bound {
            return Err(self.err(format!("{what} {v} out of range ({bound})")));
        }
        Ok(v)
    }

    /// A count of items each taking at least `min_size` bytes: refused if
    /// the bytes left cannot hold them (so capacities stay bounded by the
    /// input).
    pub fn count(&mut self, min_size: usize) -> Result<usize, DatabaseError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.remaining() {
            return Err(self.err(format!("count {n} larger than the data")));
        }
        Ok(n)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], DatabaseError> {
        let n = self.count(1)?;
        self.take(n)
    }

    pub fn str(&mut self) -> Result<&'a str, DatabaseError> {
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|_| self.err("invalid UTF-8"))
    }

    pub fn string(&mut self) -> Result<String, DatabaseError> {
        self.str().map(str::to_string)
    }

    /// The section must be fully read.
    pub fn finish(&self) -> Result<(), DatabaseError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.err(format!("{} trailing bytes", self.remaining())))
        }
    }
}

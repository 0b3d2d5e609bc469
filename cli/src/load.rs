//! Reading a file to scan: memory-mapped, or read into memory.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;

use memmap2::Mmap;

/// The contents of a file, mapped or read.
#[derive(Debug)]
pub enum Contents {
    /// Memory-mapped.
    Mapped(Mmap),
    /// Read into memory.
    Read(Vec<u8>),
}

impl Deref for Contents {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Contents::Mapped(m) => m,
            Contents::Read(v) => v,
        }
    }
}

/// Files smaller than this are read rather than mapped: mapping costs more
/// than copying a few pages.
const MIN_MAP_LEN: u64 = 64 * 1024;

/// Opens and loads `path`, mapping it unless `no_mmap` is set or the file
/// is small.
pub fn load(path: &Path, no_mmap: bool) -> io::Result<Contents> {
    let mut file = File::open(path)?;
    let md = file.metadata()?;
    if !md.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if !no_mmap && md.len() >= MIN_MAP_LEN {
        // SAFETY: see `map`.
        if let Ok(m) = unsafe { map(&file) } {
            return Ok(Contents::Mapped(m));
        }
    }
    let mut buf = Vec::with_capacity(md.len().try_into().unwrap_or(0));
    file.read_to_end(&mut buf)?;
    Ok(Contents::Read(buf))
}

/// Maps `file` read-only.
///
/// # Safety
///
/// The mapping is only valid while nobody truncates or rewrites the file:
/// another process shrinking it while it is scanned makes reads past the
/// new end fault (SIGBUS). That is the accepted trade-off of every
/// mmap-based scanner (`yr` included); `--no-mmap` avoids it.
unsafe fn map(file: &File) -> io::Result<Mmap> {
    // SAFETY: the caller accepts the risk of concurrent modification
    // described above; the map is read-only and private to this process.
    unsafe { Mmap::map(file) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        let large = dir.path().join("large");
        std::fs::write(&small, b"abc").unwrap();
        let big = vec![7u8; 100_000];
        std::fs::write(&large, &big).unwrap();
        assert_eq!(&*load(&small, false).unwrap(), b"abc");
        let l = load(&large, false).unwrap();
        assert!(matches!(l, Contents::Mapped(_)));
        assert_eq!(&*l, &big[..]);
        let l = load(&large, true).unwrap();
        assert!(matches!(l, Contents::Read(_)));
        assert_eq!(&*l, &big[..]);
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(&*load(&empty, false).unwrap(), b"");
        assert!(load(&dir.path().join("missing"), false).is_err());
        assert!(load(dir.path(), false).is_err());
    }
}

//! The large benchmark corpus: host binaries, generated PE files, text and
//! data files, chosen by a seeded shuffle, with a manifest.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Rng;
use crate::pe::{self, PeSpec};

/// What [`build`] wrote, by kind, in bytes.
#[derive(Clone, Debug, Default)]
pub struct BuildReport {
    pub files: usize,
    pub elf_bytes: u64,
    pub pe_bytes: u64,
    pub other_bytes: u64,
}

/// Parses `1GiB`, `512MiB`, `100MB`, `64KiB` or a plain byte count.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mul: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mul)
}

/// Regular files below `dir` (symbolic links not followed), unsorted.
fn walk(dir: &Path, out: &mut Vec<(PathBuf, u64)>, depth: usize) {
    if depth > 10 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&e.path(), out, depth + 1);
        } else if ft.is_file() {
            let Ok(m) = e.metadata() else { continue };
            if m.len() > 0 && m.len() <= 64 << 20 {
                out.push((e.path(), m.len()));
            }
        }
    }
}

fn is_elf(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && head == *b"\x7fELF"
}

/// Files of `dirs`, sorted, then shuffled by `rng`.
fn shuffled(dirs: &[&str], rng: &mut Rng) -> Vec<(PathBuf, u64)> {
    let mut files = Vec::new();
    for d in dirs {
        walk(Path::new(d), &mut files, 0);
    }
    files.sort();
    files.dedup();
    for i in (1..files.len()).rev() {
        files.swap(i, rng.below(i + 1));
    }
    files
}

const DLLS: [(&str, &[&str]); 4] = [
    ("kernel32.dll", &["CreateFileW", "ReadFile", "WriteFile", "ExitProcess"]),
    ("advapi32.dll", &["RegOpenKeyExW", "RegSetValueExW", "OpenProcessToken"]),
    ("ws2_32.dll", &["WSAStartup", "connect", "send", "recv"]),
    ("user32.dll", &["MessageBoxW", "GetForegroundWindow"]),
];

/// A generated PE file of about `size` bytes whose code and data are
/// slices of real machine code from `pool`.
fn generated_pe(rng: &mut Rng, i: usize, size: usize, pool: &[u8]) -> Vec<u8> {
    let slice = |rng: &mut Rng, len: usize| -> Vec<u8> {
        if pool.len() <= len {
            return pool.to_vec();
        }
        let at = rng.below(pool.len() - len);
        pool[at..at + len].to_vec()
    };
    let code_len = size / 2;
    let code = slice(rng, code_len.max(16));
    let data = slice(rng, (size / 4).max(16));
    let imports = DLLS
        .iter()
        .filter(|_| rng.below(2) == 0)
        .map(|(d, f)| {
            (d.to_string(), f.iter().map(|s| s.to_string()).collect())
        })
        .collect();
    let is_dll = rng.below(3) == 0;
    let exports = if is_dll {
        (0..1 + rng.below(20)).map(|j| format!("Export{i}_{j}")).collect()
    } else {
        Vec::new()
    };
    let overlay =
        if rng.below(4) == 0 { slice(rng, size / 8) } else { Vec::new() };
    pe::write(&PeSpec {
        is_64: rng.below(2) == 0,
        is_dll,
        code,
        data,
        imports,
        dll_name: format!("gen{i}.dll"),
        exports,
        resources: vec![(10, 1, 0x409, format!("generated {i}").into_bytes())],
        overlay,
        timestamp: 0x5000_0000 + i as u32,
    })
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Builds a corpus of about `size` bytes in `out`: 60% ELF files from
/// `/usr/bin`, `/usr/sbin`, `/usr/lib` and `/usr/libexec`, 20% generated PE
/// files, 20% other files (text and data) from `/usr/share` and
/// `/usr/include`, each share filled in the order of a shuffle seeded by
/// `seed`. `out/MANIFEST.tsv` lists every file: SHA-256, size, path,
/// origin. The same host files and seed give the same corpus.
pub fn build(out: &Path, size: u64, seed: u64) -> io::Result<BuildReport> {
    let mut rng = Rng::new(seed);
    let mut report = BuildReport::default();
    let mut manifest = Vec::new();
    for sub in ["elf", "pe", "other"] {
        std::fs::create_dir_all(out.join(sub))?;
    }
    let mut record = |rel: String, data: &[u8], origin: &str| {
        manifest.push(format!(
            "{}\t{}\t{rel}\t{origin}",
            sha256_hex(data),
            data.len()
        ));
    };

    let elf_budget = size * 6 / 10;
    let pe_budget = size * 2 / 10;
    let other_budget = size - elf_budget - pe_budget;

    let bins = ["/usr/bin", "/usr/sbin", "/usr/lib", "/usr/libexec"];
    let mut pool = Vec::new();
    for (path, len) in shuffled(&bins, &mut rng) {
        if report.elf_bytes >= elf_budget {
            break;
        }
        if report.elf_bytes + len > elf_budget + (1 << 20) || !is_elf(&path) {
            continue;
        }
        let Ok(data) = std::fs::read(&path) else { continue };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let rel = format!("elf/{:06}-{name}", report.files);
        std::fs::write(out.join(&rel), &data)?;
        record(rel, &data, &path.display().to_string());
        if pool.len() < 16 << 20 {
            pool.extend_from_slice(&data);
        }
        report.elf_bytes += data.len() as u64;
        report.files += 1;
    }

    let mut i = 0;
    while report.pe_bytes < pe_budget {
        // Sizes spread evenly over powers of two from 4 KiB to 4 MiB.
        let size = (4usize << 10) << rng.below(11);
        let size = size + rng.below(size);
        let data = generated_pe(&mut rng, i, size, &pool);
        let rel = format!("pe/{:06}-gen{i}.exe", report.files);
        std::fs::write(out.join(&rel), &data)?;
        record(rel, &data, "generated");
        report.pe_bytes += data.len() as u64;
        report.files += 1;
        i += 1;
    }

    for (path, len) in shuffled(&["/usr/share", "/usr/include"], &mut rng) {
        if report.other_bytes >= other_budget {
            break;
        }
        if report.other_bytes + len > other_budget + (1 << 20) {
            continue;
        }
        let Ok(data) = std::fs::read(&path) else { continue };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let rel = format!("other/{:06}-{name}", report.files);
        std::fs::write(out.join(&rel), &data)?;
        record(rel, &data, &path.display().to_string());
        report.other_bytes += data.len() as u64;
        report.files += 1;
    }

    let mut f = std::fs::File::create(out.join("MANIFEST.tsv"))?;
    writeln!(f, "# sha256\tsize\tpath\torigin (seed {seed})")?;
    for line in &manifest {
        writeln!(f, "{line}")?;
    }
    Ok(report)
}

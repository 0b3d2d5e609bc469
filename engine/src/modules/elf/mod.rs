//! The `elf` module's data: ELF files (32/64-bit, little/big endian)
//! parsed from hostile bytes into [`Elf`], with the field names, types
//! and values YARA-X's `elf` module shows to rules.
//!
//! # Files
//!
//! - `mod.rs`: ELF header, program headers, section headers with names,
//!   the dynamic segment, `.symtab`/`.dynsym`, entry point as a file
//!   offset, and `import_md5()`.
//! - `consts.rs`: the constant tables (`elf.ET_EXEC`, `elf.SHT_SYMTAB`…).
//!
//! # Hostile input
//!
//! Header counts are 16-bit, so tables hold at most 65535 entries; a
//! table is read only when the bytes hold all its declared entries (as
//! YARA-X does), symbol and dynamic tables only as far as their bytes go.
//! Integers wider than the field YARA-X stores wrap the way YARA-X's
//! `as i64` casts wrap. Nothing here panics on any input.

pub(crate) mod bind;
pub(crate) mod consts;
mod tlsh;

#[cfg(test)]
mod tests;

use super::pe::bytes::{
    be_u16_at, be_u32_at, be_u64_at, u16_at, u32_at, u64_at,
};

const PT_DYNAMIC: u32 = 2;
const SHN_LORESERVE: u16 = 0xff00;
const SHT_NULL: u32 = 0;
const SHT_SYMTAB: u32 = 2;
const SHT_NOBITS: u32 = 8;
const SHT_DYNSYM: u32 = 11;
const ET_EXEC: u32 = 2;
const ET_DYN: u32 = 3;

/// One section header (`elf.sections[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Section {
    /// `type` (`elf.SHT_*`), as the i32 YARA-X stores.
    pub type_: i32,
    /// `flags`.
    pub flags: i64,
    /// `address`.
    pub address: i64,
    /// `size`.
    pub size: i64,
    /// `offset`.
    pub offset: i64,
    /// `name` from the section-name string table (lossy UTF-8).
    pub name: Option<String>,
}

/// One program header (`elf.segments[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Segment {
    /// `type` (`elf.PT_*`), as the i32 YARA-X stores.
    pub type_: i32,
    /// `flags` (`elf.PF_*`).
    pub flags: u32,
    /// `offset`.
    pub offset: i64,
    /// `virtual_address`.
    pub virtual_address: i64,
    /// `physical_address`.
    pub physical_address: i64,
    /// `file_size`.
    pub file_size: i64,
    /// `memory_size`.
    pub memory_size: i64,
    /// `alignment`.
    pub alignment: i64,
}

/// One symbol (`elf.symtab[i]`, `elf.dynsym[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sym {
    /// `name` (lossy UTF-8).
    pub name: Option<String>,
    /// `value`.
    pub value: i64,
    /// `size`.
    pub size: i64,
    /// `type` (`elf.STT_*`).
    pub type_: u32,
    /// `bind` (`elf.STB_*`).
    pub bind: u32,
    /// `shndx`.
    pub shndx: u32,
    /// `visibility` (`elf.STV_*`).
    pub visibility: u32,
}

/// One dynamic-segment entry (`elf.dynamic[i]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dyn {
    /// `type` (`elf.DT_*`); YARA-X keeps the tag's low 32 bits.
    pub type_: i32,
    /// `val`.
    pub val: i64,
}

/// A parsed ELF file: everything YARA-X's `elf` module exposes. Built by
/// [`parse`]; not-ELF input gives `None` (every field undefined).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Elf {
    /// `type` (`elf.ET_*`).
    pub type_: u32,
    /// `machine` (`elf.EM_*`).
    pub machine: u32,
    /// `osabi`.
    pub osabi: u32,
    /// `entry_point` as a file offset (undefined when it maps to none,
    /// when it is 0, or when there are 0xff00 or more sections).
    pub entry_point: Option<i64>,
    /// `sh_offset`.
    pub sh_offset: i64,
    /// `sh_entry_size`.
    pub sh_entry_size: u32,
    /// `ph_offset`.
    pub ph_offset: i64,
    /// `ph_entry_size`.
    pub ph_entry_size: u32,
    /// `number_of_sections`: the header's count (not `sections.len()`).
    pub number_of_sections: i64,
    /// `number_of_segments`: the header's count.
    pub number_of_segments: i64,
    /// `sections`.
    pub sections: Vec<Section>,
    /// `segments`.
    pub segments: Vec<Segment>,
    /// `dynamic`; `dynamic_section_entries` is its length.
    pub dynamic: Vec<Dyn>,
    /// `symtab`; `symtab_entries` is its length when defined.
    pub symtab: Vec<Sym>,
    /// `dynsym`; `dynsym_entries` is its length when defined.
    pub dynsym: Vec<Sym>,
    /// Whether the section table was read, which is when YARA-X defines
    /// `symtab_entries` and `dynsym_entries`.
    pub sections_parsed: bool,
}

impl Elf {
    /// `elf.dynamic_section_entries`.
    pub(crate) fn dynamic_section_entries(&self) -> i64 {
        self.dynamic.len() as i64
    }

    /// `elf.symtab_entries`.
    pub(crate) fn symtab_entries(&self) -> Option<i64> {
        self.sections_parsed.then_some(self.symtab.len() as i64)
    }

    /// `elf.dynsym_entries`.
    pub(crate) fn dynsym_entries(&self) -> Option<i64> {
        self.sections_parsed.then_some(self.dynsym.len() as i64)
    }

    /// `elf.import_md5()`: md5 of the sorted, lowercased, comma-joined
    /// names of undefined (`shndx == 0`) symbols of `.dynsym`, or of
    /// `.symtab` when `.dynsym` is empty.
    pub(crate) fn import_md5(&self) -> String {
        use md5::{Digest, Md5};
        let syms =
            if self.dynsym.is_empty() { &self.symtab } else { &self.dynsym };
        let mut names: Vec<String> = syms
            .iter()
            .filter(|s| s.shndx == 0)
            .filter_map(|s| s.name.as_deref())
            .filter(|n| !n.is_empty())
            .map(str::to_lowercase)
            .collect();
        names.sort();
        super::pe::bytes::hex(&Md5::digest(names.join(",").as_bytes()))
    }

    /// The names telfhash hashes: global, default-visibility functions
    /// of `.dynsym` (else `.symtab`) minus the ones telfhash excludes,
    /// lowercased, sorted and comma-joined. (The TLSH of this string is
    /// `elf.telfhash()`, see [`tlsh`].)
    pub(crate) fn telfhash_input(&self) -> String {
        const EXCLUDED: &[&str] = &[
            "__libc_start_main",
            "main",
            "abort",
            "cachectl",
            "cacheflush",
            "puts",
            "atol",
            "malloc_trim",
        ];
        let syms =
            if self.dynsym.is_empty() { &self.symtab } else { &self.dynsym };
        let mut names: Vec<String> = syms
            .iter()
            .filter(|s| s.type_ == 2 && s.bind == 1 && s.visibility == 0)
            .filter_map(|s| s.name.as_deref())
            .filter(|n| {
                !EXCLUDED.contains(n)
                    && !n.starts_with('.')
                    && !n.starts_with('_')
                    && !n.starts_with("mem")
                    && !n.starts_with("str")
                    && !n.ends_with("64")
            })
            .map(str::to_lowercase)
            .collect();
        names.sort();
        names.join(",")
    }
}

/// Endian- and class-aware reads.
#[derive(Clone, Copy)]
struct Reader {
    big: bool,
    is64: bool,
}

impl Reader {
    fn u16(self, d: &[u8], o: usize) -> Option<u16> {
        if self.big { be_u16_at(d, o) } else { u16_at(d, o) }
    }
    fn u32(self, d: &[u8], o: usize) -> Option<u32> {
        if self.big { be_u32_at(d, o) } else { u32_at(d, o) }
    }
    fn u64(self, d: &[u8], o: usize) -> Option<u64> {
        if self.big { be_u64_at(d, o) } else { u64_at(d, o) }
    }
    /// An address or offset: 4 bytes in ELF32, 8 in ELF64.
    fn word(self, d: &[u8], o: usize) -> Option<u64> {
        if self.is64 { self.u64(d, o) } else { self.u32(d, o).map(u64::from) }
    }
    fn word_size(self) -> usize {
        if self.is64 { 8 } else { 4 }
    }
}

/// Raw section header fields needed after parsing.
struct Shdr {
    name: u32,
    type_: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
}

struct Phdr {
    seg: Segment,
    offset: u64,
    vaddr: u64,
    file_size: u64,
    mem_size: u64,
}

/// Parses `data` as ELF; `None` without the magic, a known class and
/// byte order, and a complete ELF header.
pub(crate) fn parse(data: &[u8]) -> Option<Elf> {
    if data.get(..4)? != b"\x7fELF" {
        return None;
    }
    let is64 = match data.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let big = match data.get(5)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let r = Reader { big, is64 };
    let w = r.word_size();
    let h = 16;
    let type_ = r.u16(data, h)?;
    let machine = r.u16(data, h + 2)?;
    r.u32(data, h + 4)?; // version
    let entry = r.word(data, h + 8)?;
    let ph_offset = r.word(data, h + 8 + w)?;
    let sh_offset = r.word(data, h + 8 + 2 * w)?;
    let o = h + 8 + 3 * w;
    r.u32(data, o)?; // flags
    r.u16(data, o + 4)?; // header size
    let ph_entry_size = r.u16(data, o + 6)?;
    let ph_count = r.u16(data, o + 8)?;
    let sh_entry_size = r.u16(data, o + 10)?;
    let sh_count = r.u16(data, o + 12)?;
    let shstrndx = r.u16(data, o + 14)?;

    let mut elf = Elf {
        type_: u32::from(type_),
        machine: u32::from(machine),
        osabi: u32::from(data[7]),
        sh_offset: sh_offset as i64,
        sh_entry_size: u32::from(sh_entry_size),
        ph_offset: ph_offset as i64,
        ph_entry_size: u32::from(ph_entry_size),
        number_of_sections: i64::from(sh_count),
        number_of_segments: i64::from(ph_count),
        ..Elf::default()
    };

    let phdrs = parse_phdrs(r, data, ph_offset, ph_count);
    let shdrs = parse_shdrs(r, data, sh_offset, sh_count);
    for p in phdrs.iter().flatten() {
        elf.segments.push(p.seg.clone());
        if p.seg.type_ as u32 == PT_DYNAMIC {
            dyn_entries(r, data, p, &mut elf.dynamic);
        }
    }
    if sh_count >= SHN_LORESERVE {
        return Some(elf);
    }
    if entry != 0 {
        elf.entry_point = entry_offset(
            elf.type_,
            phdrs.as_deref().unwrap_or_default(),
            shdrs.as_deref().unwrap_or_default(),
            entry,
        )
        .map(|o| o as i64);
    }
    let Some(shdrs) = shdrs else { return Some(elf) };
    elf.sections_parsed = true;
    let shstrtab = shdrs.get(usize::from(shstrndx));
    elf.sections = shdrs
        .iter()
        .map(|s| Section {
            type_: s.type_ as i32,
            flags: s.flags as i64,
            address: s.addr as i64,
            size: s.size as i64,
            offset: s.offset as i64,
            name: name(data, shstrtab, s.name),
        })
        .collect();
    elf.symtab = symbols(r, data, &shdrs, SHT_SYMTAB);
    elf.dynsym = symbols(r, data, &shdrs, SHT_DYNSYM);
    Some(elf)
}

/// The program header table; `None` unless all `count` entries are there.
/// Entries are read back to back, whatever `e_phentsize` says (as in
/// YARA-X).
fn parse_phdrs(
    r: Reader,
    data: &[u8],
    off: u64,
    count: u16,
) -> Option<Vec<Phdr>> {
    let table = data.get(usize::try_from(off).ok()?..)?;
    let size = if r.is64 { 56 } else { 32 };
    if table.len() / size < usize::from(count) {
        return None;
    }
    let mut out = Vec::with_capacity(usize::from(count));
    for e in table.chunks_exact(size).take(usize::from(count)) {
        let (type_, flags, offset, vaddr, paddr, filesz, memsz, align) =
            if r.is64 {
                (
                    r.u32(e, 0)?,
                    r.u32(e, 4)?,
                    r.u64(e, 8)?,
                    r.u64(e, 16)?,
                    r.u64(e, 24)?,
                    r.u64(e, 32)?,
                    r.u64(e, 40)?,
                    r.u64(e, 48)?,
                )
            } else {
                (
                    r.u32(e, 0)?,
                    r.u32(e, 24)?,
                    u64::from(r.u32(e, 4)?),
                    u64::from(r.u32(e, 8)?),
                    u64::from(r.u32(e, 12)?),
                    u64::from(r.u32(e, 16)?),
                    u64::from(r.u32(e, 20)?),
                    u64::from(r.u32(e, 28)?),
                )
            };
        out.push(Phdr {
            seg: Segment {
                type_: type_ as i32,
                flags,
                offset: offset as i64,
                virtual_address: vaddr as i64,
                physical_address: paddr as i64,
                file_size: filesz as i64,
                memory_size: memsz as i64,
                alignment: align as i64,
            },
            offset,
            vaddr,
            file_size: filesz,
            mem_size: memsz,
        });
    }
    Some(out)
}

/// The section header table; `None` unless all `count` entries are there.
fn parse_shdrs(
    r: Reader,
    data: &[u8],
    off: u64,
    count: u16,
) -> Option<Vec<Shdr>> {
    let table = data.get(usize::try_from(off).ok()?..)?;
    let w = r.word_size();
    let size = 16 + 6 * w;
    if table.len() / size < usize::from(count) {
        return None;
    }
    let mut out = Vec::with_capacity(usize::from(count));
    for e in table.chunks_exact(size).take(usize::from(count)) {
        out.push(Shdr {
            name: r.u32(e, 0)?,
            type_: r.u32(e, 4)?,
            flags: r.word(e, 8)?,
            addr: r.word(e, 8 + w)?,
            offset: r.word(e, 8 + 2 * w)?,
            size: r.word(e, 8 + 3 * w)?,
            link: r.u32(e, 8 + 4 * w)?,
        });
    }
    Some(out)
}

/// `file[start..start + len]`, `None` when the sum overflows or the
/// range is not inside the file.
fn range(data: &[u8], start: u64, len: u64) -> Option<&[u8]> {
    let end = start.checked_add(len)?;
    data.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)
}

/// Entries of a `PT_DYNAMIC` segment up to `DT_NULL` or its end.
fn dyn_entries(r: Reader, data: &[u8], p: &Phdr, out: &mut Vec<Dyn>) {
    let Some(seg) = range(data, p.offset, p.file_size) else { return };
    let w = r.word_size();
    for e in seg.chunks_exact(2 * w) {
        let (Some(tag), Some(val)) = (r.word(e, 0), r.word(e, w)) else {
            return;
        };
        if tag == 0 {
            return;
        }
        out.push(Dyn { type_: tag as i32, val: val as i64 });
    }
}

/// Entry point RVA to file offset: through the segments for executables
/// and shared objects, through the sections otherwise.
fn entry_offset(
    type_: u32,
    phdrs: &[Phdr],
    shdrs: &[Shdr],
    rva: u64,
) -> Option<u64> {
    if type_ == ET_EXEC || type_ == ET_DYN {
        for p in phdrs {
            let end = p.vaddr.checked_add(p.mem_size)?;
            if (p.vaddr..end).contains(&rva) {
                return p.offset.checked_add(rva - p.vaddr);
            }
        }
    } else {
        for s in shdrs {
            if s.type_ == SHT_NOBITS || s.type_ == SHT_NULL {
                continue;
            }
            let end = s.addr.checked_add(s.size)?;
            if (s.addr..end).contains(&rva) {
                return s.offset.checked_add(rva - s.addr);
            }
        }
    }
    None
}

/// The NUL-terminated name at `idx` in string table `table`.
fn name(data: &[u8], table: Option<&Shdr>, idx: u32) -> Option<String> {
    let strtab = data.get(usize::try_from(table?.offset).ok()?..)?;
    let s = strtab.get(idx as usize..)?;
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    Some(String::from_utf8_lossy(&s[..end]).into_owned())
}

/// The symbols of the first section of type `kind`.
fn symbols(r: Reader, data: &[u8], shdrs: &[Shdr], kind: u32) -> Vec<Sym> {
    let Some(table) = shdrs.iter().find(|s| s.type_ == kind) else {
        return Vec::new();
    };
    let Some(raw) = range(data, table.offset, table.size) else {
        return Vec::new();
    };
    let strtab = shdrs.get(table.link as usize);
    let size = if r.is64 { 24 } else { 16 };
    let mut out = Vec::with_capacity(raw.len() / size);
    for e in raw.chunks_exact(size) {
        let sym = if r.is64 {
            (|| {
                Some((
                    r.u32(e, 0)?,
                    *e.get(4)?,
                    *e.get(5)?,
                    r.u16(e, 6)?,
                    r.u64(e, 8)?,
                    r.u64(e, 16)?,
                ))
            })()
        } else {
            (|| {
                Some((
                    r.u32(e, 0)?,
                    *e.get(12)?,
                    *e.get(13)?,
                    r.u16(e, 14)?,
                    u64::from(r.u32(e, 4)?),
                    u64::from(r.u32(e, 8)?),
                ))
            })()
        };
        let Some((name_idx, info, other, shndx, value, size)) = sym else {
            break;
        };
        out.push(Sym {
            name: name(data, strtab, name_idx),
            value: value as i64,
            size: size as i64,
            type_: u32::from(info & 0x0f),
            bind: u32::from(info >> 4),
            shndx: u32::from(shndx),
            visibility: u32::from(other & 0x03),
        });
    }
    out
}

//! The `pe` module's data: Windows Portable Executable files parsed from
//! hostile bytes into [`Pe`], with the field names, types and values that
//! YARA-X's `pe` module shows to rules.
//!
//! # Files
//!
//! - `mod.rs`: DOS/NT/optional headers, section table, data directories,
//!   RVA ↔ offset mapping, rich signature, PDB path, overlay, and the
//!   module functions (`imphash`, `section_index`, `imports`, …).
//! - `imports.rs`: import, delayed-import and export directories.
//! - `ordinals.rs`: YARA's names for imports by ordinal.
//! - `rsrc.rs`: the resource tree and `VS_VERSIONINFO`.
//! - `auth.rs`: Authenticode signatures (PKCS#7 in the security
//!   directory).
//! - `consts.rs`: the constant tables (`pe.MACHINE_I386`, …).
//! - `bytes.rs`: bounds-checked reads shared with `elf` and `dotnet`.
//!
//! # Hostile input
//!
//! Every offset, count and size comes from the file and is checked
//! against the bytes before use; loops are capped (96 sections, 16384
//! import descriptors and exports, 65535 resources, 65535 functions per
//! imported DLL) and nothing here panics on any input. Where YARA-X
//! itself is lenient (a broken optional header, a truncated section
//! table) the same partial result is produced.

pub(crate) mod auth;
pub(crate) mod bind;
pub(crate) mod bytes;
pub(crate) mod consts;
pub(crate) mod imports;
pub(crate) mod ordinals;
pub(crate) mod rsrc;

#[cfg(test)]
pub(crate) mod tests;

use bytes::{cstr_at, u16_at, u32_at, u64_at};

pub(crate) use auth::{Certificate, CounterSignature, Signature, SignerInfo};
pub(crate) use imports::{Export, Function, Import};
pub(crate) use rsrc::Resource;

/// `IMAGE_NT_OPTIONAL_HDR32_MAGIC`.
pub(crate) const OPT_HDR32_MAGIC: u16 = 0x10b;
/// `IMAGE_NT_OPTIONAL_HDR64_MAGIC`.
pub(crate) const OPT_HDR64_MAGIC: u16 = 0x20b;

const MAX_SECTIONS: usize = 96;
const MAX_DIR_ENTRIES: usize = 16;
const SIZE_OF_SYMBOL: u32 = 18;

const DIR_EXPORT: usize = 0;
const DIR_IMPORT: usize = 1;
const DIR_RESOURCE: usize = 2;
const DIR_SECURITY: usize = 4;
const DIR_DEBUG: usize = 6;
const DIR_DELAY_IMPORT: usize = 13;

/// A `major.minor` version pair (`pe.linker_version`, `pe.os_version`, …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Version {
    /// `major`.
    pub major: u32,
    /// `minor`.
    pub minor: u32,
}

/// One entry of the section table (`pe.sections[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Section {
    /// The 8-byte name with trailing NULs removed (may be any bytes).
    pub name: Vec<u8>,
    /// The name resolved through the COFF string table for names like
    /// `/4`; otherwise equal to `name`.
    pub full_name: Vec<u8>,
    /// `characteristics`.
    pub characteristics: u32,
    /// `raw_data_size` (SizeOfRawData).
    pub raw_data_size: u32,
    /// `raw_data_offset` (PointerToRawData).
    pub raw_data_offset: u32,
    /// `virtual_address`.
    pub virtual_address: u32,
    /// `virtual_size`.
    pub virtual_size: u32,
    /// `pointer_to_relocations`.
    pub pointer_to_relocations: u32,
    /// `pointer_to_line_numbers`.
    pub pointer_to_line_numbers: u32,
    /// `number_of_relocations`.
    pub number_of_relocations: u32,
    /// `number_of_line_numbers`.
    pub number_of_line_numbers: u32,
}

/// One data directory (`pe.data_directories[i]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DirEntry {
    /// `virtual_address`.
    pub virtual_address: u32,
    /// `size`.
    pub size: u32,
}

/// One `@comp.id` record of the rich signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RichTool {
    /// `toolid` (product id).
    pub toolid: u32,
    /// `version` (build number).
    pub version: u32,
    /// `times` (use count).
    pub times: u32,
}

/// `pe.rich_signature`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RichSignature {
    /// File offset of the (encrypted) `DanS` tag.
    pub offset: u32,
    /// Length of `raw_data`.
    pub length: u32,
    /// The XOR key following `Rich`.
    pub key: u32,
    /// From `DanS` up to (not including) `Rich`, as in the file.
    pub raw_data: Vec<u8>,
    /// `raw_data` XOR-ed with the key.
    pub clear_data: Vec<u8>,
    /// The `@comp.id` records.
    pub tools: Vec<RichTool>,
}

impl RichSignature {
    /// `pe.rich_signature.version(version [, toolid])`: total `times` of
    /// the records matching `version` (and `toolid` when given).
    pub(crate) fn version(&self, version: i64, toolid: Option<i64>) -> i64 {
        self.count(toolid, Some(version))
    }

    /// `pe.rich_signature.toolid(toolid [, version])`.
    pub(crate) fn toolid(&self, toolid: i64, version: Option<i64>) -> i64 {
        self.count(Some(toolid), version)
    }

    fn count(&self, toolid: Option<i64>, version: Option<i64>) -> i64 {
        self.tools
            .iter()
            .filter(|t| toolid.is_none_or(|id| id == i64::from(t.toolid)))
            .filter(|t| version.is_none_or(|v| v == i64::from(t.version)))
            .map(|t| i64::from(t.times))
            .sum()
    }
}

/// `pe.overlay`: bytes after the end of the last section's raw data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Overlay {
    /// `offset` (0 when there is no overlay).
    pub offset: u64,
    /// `size` (0 when there is no overlay).
    pub size: u64,
}

/// A parsed PE file: everything YARA-X's `pe` module exposes. Built by
/// [`parse`]; a file that is not PE gives `None` (`pe.is_pe == false`
/// and every other field undefined).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pe {
    /// `machine` (`pe.MACHINE_*`).
    pub machine: u32,
    /// `subsystem` (`pe.SUBSYSTEM_*`).
    pub subsystem: u32,
    /// `os_version`.
    pub os_version: Version,
    /// `subsystem_version`.
    pub subsystem_version: Version,
    /// `image_version`.
    pub image_version: Version,
    /// `linker_version`.
    pub linker_version: Version,
    /// `opthdr_magic` (0 when the optional header is broken).
    pub opthdr_magic: u32,
    /// `characteristics`.
    pub characteristics: u32,
    /// `dll_characteristics`.
    pub dll_characteristics: u32,
    /// `timestamp`.
    pub timestamp: u32,
    /// `image_base` (a PE32+ base above `i64::MAX` wraps negative, as
    /// in YARA-X).
    pub image_base: i64,
    /// `checksum` (as stored in the header).
    pub checksum: u32,
    /// `base_of_code`.
    pub base_of_code: u32,
    /// `base_of_data` (PE32 only).
    pub base_of_data: Option<u32>,
    /// `entry_point`: the entry point as a file offset, undefined when
    /// the RVA maps to no file offset.
    pub entry_point: Option<u32>,
    /// `entry_point_raw`: AddressOfEntryPoint (an RVA).
    pub entry_point_raw: u32,
    /// `section_alignment`.
    pub section_alignment: u32,
    /// `file_alignment`.
    pub file_alignment: u32,
    /// `loader_flags`.
    pub loader_flags: u32,
    /// `size_of_optional_header`.
    pub size_of_optional_header: u32,
    /// `size_of_code`.
    pub size_of_code: u32,
    /// `size_of_initialized_data`.
    pub size_of_initialized_data: u32,
    /// `size_of_uninitialized_data`.
    pub size_of_uninitialized_data: u32,
    /// `size_of_image`.
    pub size_of_image: u32,
    /// `size_of_headers`.
    pub size_of_headers: u32,
    /// `size_of_stack_reserve`.
    pub size_of_stack_reserve: i64,
    /// `size_of_stack_commit`.
    pub size_of_stack_commit: i64,
    /// `size_of_heap_reserve`.
    pub size_of_heap_reserve: i64,
    /// `size_of_heap_commit`.
    pub size_of_heap_commit: i64,
    /// `pointer_to_symbol_table`.
    pub pointer_to_symbol_table: u32,
    /// `win32_version_value`.
    pub win32_version_value: u32,
    /// `number_of_symbols`.
    pub number_of_symbols: u32,
    /// `number_of_rva_and_sizes`.
    pub number_of_rva_and_sizes: u32,
    /// `sections`; `number_of_sections` is its length (as in YARA-X,
    /// not the header's count).
    pub sections: Vec<Section>,
    /// `data_directories`.
    pub data_directories: Vec<DirEntry>,
    /// `import_details`.
    pub import_details: Vec<Import>,
    /// `delayed_import_details`.
    pub delayed_import_details: Vec<Import>,
    /// `export_details`.
    pub export_details: Vec<Export>,
    /// `dll_name` (from the export directory).
    pub dll_name: Option<String>,
    /// `export_timestamp`.
    pub export_timestamp: Option<u32>,
    /// `resources`.
    pub resources: Vec<Resource>,
    /// `resource_timestamp` (only when there is at least one resource).
    pub resource_timestamp: Option<u32>,
    /// `resource_version`.
    pub resource_version: Option<Version>,
    /// `version_info_list` in file order; `version_info[key]` is the last
    /// value for `key` (see [`Pe::version_info`]).
    pub version_info_list: Vec<(String, String)>,
    /// `rich_signature` (undefined when absent).
    pub rich_signature: Option<RichSignature>,
    /// `pdb_path`.
    pub pdb_path: Option<Vec<u8>>,
    /// `overlay`.
    pub overlay: Overlay,
    /// `signatures`.
    pub signatures: Vec<Signature>,
}

/// Parses `data` as a PE file. `None` when it has no `MZ` header, no
/// `PE\0\0` signature at `e_lfanew` or a truncated file header — the
/// cases where YARA-X reports `is_pe == false`.
pub(crate) fn parse(data: &[u8]) -> Option<Pe> {
    Headers::parse(data).map(|h| h.build())
}

/// The headers and section table of a PE, before any directory is read:
/// what the directory parsers (and the `dotnet` module) build on.
pub(crate) fn headers(data: &[u8]) -> Option<Headers<'_>> {
    Headers::parse(data)
}

/// The bits of the headers the directory parsers need.
pub(crate) struct Headers<'a> {
    data: &'a [u8],
    e_lfanew: usize,
    pe: Pe,
    /// The bytes from the data directory to the end of the file.
    directory: &'a [u8],
}

impl<'a> Headers<'a> {
    fn parse(data: &'a [u8]) -> Option<Self> {
        if data.len() < 64 || u16_at(data, 0)? != 0x5a4d {
            return None;
        }
        let e_lfanew = u32_at(data, 0x3c)? as usize;
        let nt = data.get(e_lfanew..)?;
        if u32_at(nt, 0)? != 0x0000_4550 {
            return None;
        }
        let mut pe = Pe {
            machine: u32::from(u16_at(nt, 4)?),
            timestamp: u32_at(nt, 8)?,
            pointer_to_symbol_table: u32_at(nt, 12)?,
            number_of_symbols: u32_at(nt, 16)?,
            size_of_optional_header: u32::from(u16_at(nt, 20)?),
            characteristics: u32::from(u16_at(nt, 22)?),
            ..Pe::default()
        };
        let number_of_sections = usize::from(u16_at(nt, 6)?);
        let directory = parse_optional_header(&nt[24..], &mut pe)
            .map(|rest| &nt[nt.len() - rest..])
            .unwrap_or_default();

        let string_table_offset = pe.pointer_to_symbol_table.saturating_add(
            pe.number_of_symbols.saturating_mul(SIZE_OF_SYMBOL),
        );
        let string_table = data.get(string_table_offset as usize..);
        let table_start =
            24usize.saturating_add(pe.size_of_optional_header as usize);
        if let Some(table) = nt.get(table_start..) {
            let n = number_of_sections.min(MAX_SECTIONS);
            pe.sections = table
                .chunks_exact(40)
                .take(n)
                .map(|raw| parse_section(raw, string_table))
                .collect();
        }
        Some(Headers { data, e_lfanew, pe, directory })
    }

    fn build(mut self) -> Pe {
        let data = self.data;
        self.pe.data_directories = self.dir_entries();
        self.pe.entry_point = self.rva_to_offset(self.pe.entry_point_raw);
        self.pe.rich_signature =
            parse_rich(data.get(..self.e_lfanew).unwrap_or(data));
        self.pe.pdb_path = self.pdb_path();
        if let Some(imports) = self.imports(false) {
            self.pe.import_details = imports;
        }
        if let Some(imports) = self.imports(true) {
            self.pe.delayed_import_details = imports;
        }
        if let Some(exports) = self.exports() {
            self.pe.dll_name = exports.dll_name;
            self.pe.export_timestamp = Some(exports.timestamp);
            self.pe.export_details = exports.functions;
        }
        if let Some((dir, resources)) = self.resources() {
            self.pe.resource_timestamp = Some(dir.timestamp);
            self.pe.resource_version = Some(Version {
                major: u32::from(dir.major_version),
                minor: u32::from(dir.minor_version),
            });
            self.pe.resources = resources;
        }
        self.pe.version_info_list = self.version_info();
        self.pe.signatures = self.signatures();
        self.pe.overlay = overlay(&self.pe.sections, data.len());
        self.pe
    }

    /// Converts an RVA to a file offset using the parsed section table.
    pub(crate) fn rva_to_offset(&self, rva: u32) -> Option<u32> {
        rva_to_offset(
            rva,
            &self.pe.sections,
            self.pe.file_alignment,
            self.pe.section_alignment,
        )
    }

    /// The file's bytes from `rva` to the end of the file.
    pub(crate) fn data_at_rva(&self, rva: u32) -> Option<&'a [u8]> {
        let off = self.rva_to_offset(rva)? as usize;
        self.data.get(off..)
    }

    /// A UTF-8 string at `rva`, ending at a NUL, the end of the file or
    /// after `max_len` bytes, whichever comes first.
    pub(crate) fn str_at_rva(
        &self,
        rva: u32,
        max_len: usize,
    ) -> Option<String> {
        let bytes = bytes::cstr_at_max(self.data_at_rva(rva)?, 0, max_len)?;
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    }

    /// Like [`Self::str_at_rva`] (at most 512 bytes) but rejects control
    /// characters and the characters YARA-X does not accept in a DLL name.
    pub(crate) fn dll_name_at_rva(&self, rva: u32) -> Option<String> {
        let name = self.str_at_rva(rva, 512)?;
        if name.chars().any(|c| c.is_ascii_control() || " \"*<>?|".contains(c))
        {
            return None;
        }
        Some(name)
    }

    /// `(rva, size, bytes)` of data directory `index`: the bytes run from
    /// the RVA's file offset to the end of the file, or only `size` bytes
    /// when `strict`. Entries past `number_of_rva_and_sizes` are still
    /// read, as YARA-X does.
    pub(crate) fn dir_entry_data(
        &self,
        index: usize,
        strict: bool,
    ) -> Option<(u32, u32, &'a [u8])> {
        let off = index.checked_mul(8)?;
        let rva = u32_at(self.directory, off)?;
        let size = u32_at(self.directory, off + 4)?;
        // The security directory holds a file offset, not an RVA.
        let start =
            if index == DIR_SECURITY { rva } else { self.rva_to_offset(rva)? };
        let end = if strict {
            self.data.len().min(start.saturating_add(size) as usize)
        } else {
            self.data.len()
        };
        Some((rva, size, self.data.get(start as usize..end)?))
    }

    fn dir_entries(&self) -> Vec<DirEntry> {
        // min(number_of_rva_and_sizes, 16) entries, and none at all when
        // the bytes do not hold that many.
        let n =
            (self.pe.number_of_rva_and_sizes as usize).min(MAX_DIR_ENTRIES);
        if self.directory.len() / 8 < n {
            return Vec::new();
        }
        self.directory
            .chunks_exact(8)
            .take(n)
            .map(|e| DirEntry {
                virtual_address: u32_at(e, 0).unwrap_or(0),
                size: u32_at(e, 4).unwrap_or(0),
            })
            .collect()
    }

    /// YARA-X treats every magic but the PE32+ one as PE32.
    fn is_64bit_magic(&self) -> bool {
        self.pe.opthdr_magic == u32::from(OPT_HDR64_MAGIC)
    }

    /// The PDB path from the first CodeView debug entry that has one.
    fn pdb_path(&self) -> Option<Vec<u8>> {
        let (_, _, dbg) = self.dir_entry_data(DIR_DEBUG, true)?;
        for entry in dbg.chunks_exact(28) {
            if u32_at(entry, 12)? != 2 {
                continue; // not IMAGE_DEBUG_TYPE_CODEVIEW
            }
            let va = u32_at(entry, 20)?;
            let raw = u32_at(entry, 24)?;
            let off = if va != 0 { self.rva_to_offset(va) } else { None };
            let off = off.unwrap_or(raw);
            if off == 0 {
                continue;
            }
            let Some(cv) = self.data.get(off as usize..) else { continue };
            let skip = match u32_at(cv, 0) {
                Some(0x5344_5352) => 24, // "RSDS": guid + age
                Some(0x3031_424e) => 16, // "NB10": offset, time, age
                Some(0x434f_544d) => 20, // "MTOC": guid
                _ => continue,
            };
            let Some(path) = cstr_at(cv, skip) else { continue };
            return Some(path.to_vec());
        }
        None
    }
}

/// Parses the optional header into `pe`; returns the length of what
/// follows it (the data directory to the end of the file), or `None` when
/// it is truncated (YARA-X then leaves every optional-header field zero).
/// Any magic but PE32+'s is read with the PE32 layout, as YARA-X does.
fn parse_optional_header(opt: &[u8], pe: &mut Pe) -> Option<usize> {
    let magic = u16_at(opt, 0)?;
    let is32 = magic != OPT_HDR64_MAGIC;
    let mut p = Pe { opthdr_magic: u32::from(magic), ..Pe::default() };
    p.linker_version = Version {
        major: u32::from(opt.get(2).copied()?),
        minor: u32::from(opt.get(3).copied()?),
    };
    p.size_of_code = u32_at(opt, 4)?;
    p.size_of_initialized_data = u32_at(opt, 8)?;
    p.size_of_uninitialized_data = u32_at(opt, 12)?;
    p.entry_point_raw = u32_at(opt, 16)?;
    p.base_of_code = u32_at(opt, 20)?;
    let mut o = 24;
    if is32 {
        p.base_of_data = Some(u32_at(opt, 24)?);
        p.image_base = i64::from(u32_at(opt, 28)?);
        o += 8;
    } else {
        p.image_base = u64_at(opt, 24)? as i64;
        o += 8;
    }
    p.section_alignment = u32_at(opt, o)?;
    p.file_alignment = u32_at(opt, o + 4)?;
    let v = |i: usize| -> Option<u32> {
        u16_at(opt, o + 8 + i * 2).map(u32::from)
    };
    p.os_version = Version { major: v(0)?, minor: v(1)? };
    p.image_version = Version { major: v(2)?, minor: v(3)? };
    p.subsystem_version = Version { major: v(4)?, minor: v(5)? };
    o += 20;
    p.win32_version_value = u32_at(opt, o)?;
    p.size_of_image = u32_at(opt, o + 4)?;
    p.size_of_headers = u32_at(opt, o + 8)?;
    p.checksum = u32_at(opt, o + 12)?;
    p.subsystem = u32::from(u16_at(opt, o + 16)?);
    p.dll_characteristics = u32::from(u16_at(opt, o + 18)?);
    o += 20;
    let uint = |at: usize| -> Option<u64> {
        if is32 { u32_at(opt, at).map(u64::from) } else { u64_at(opt, at) }
    };
    let w = if is32 { 4 } else { 8 };
    p.size_of_stack_reserve = uint(o)? as i64;
    p.size_of_stack_commit = uint(o + w)? as i64;
    p.size_of_heap_reserve = uint(o + 2 * w)? as i64;
    p.size_of_heap_commit = uint(o + 3 * w)? as i64;
    o += 4 * w;
    p.loader_flags = u32_at(opt, o)?;
    p.number_of_rva_and_sizes = u32_at(opt, o + 4)?;
    o += 8;

    pe.opthdr_magic = p.opthdr_magic;
    pe.linker_version = p.linker_version;
    pe.size_of_code = p.size_of_code;
    pe.size_of_initialized_data = p.size_of_initialized_data;
    pe.size_of_uninitialized_data = p.size_of_uninitialized_data;
    pe.entry_point_raw = p.entry_point_raw;
    pe.base_of_code = p.base_of_code;
    pe.base_of_data = p.base_of_data;
    pe.image_base = p.image_base;
    pe.section_alignment = p.section_alignment;
    pe.file_alignment = p.file_alignment;
    pe.os_version = p.os_version;
    pe.image_version = p.image_version;
    pe.subsystem_version = p.subsystem_version;
    pe.win32_version_value = p.win32_version_value;
    pe.size_of_image = p.size_of_image;
    pe.size_of_headers = p.size_of_headers;
    pe.checksum = p.checksum;
    pe.subsystem = p.subsystem;
    pe.dll_characteristics = p.dll_characteristics;
    pe.size_of_stack_reserve = p.size_of_stack_reserve;
    pe.size_of_stack_commit = p.size_of_stack_commit;
    pe.size_of_heap_reserve = p.size_of_heap_reserve;
    pe.size_of_heap_commit = p.size_of_heap_commit;
    pe.loader_flags = p.loader_flags;
    pe.number_of_rva_and_sizes = p.number_of_rva_and_sizes;
    Some(opt.len() - o)
}

/// Parses one 40-byte section header.
fn parse_section(raw: &[u8], string_table: Option<&[u8]>) -> Section {
    let r32 = |o| u32_at(raw, o).unwrap_or(0);
    let r16 = |o| u32::from(u16_at(raw, o).unwrap_or(0));
    let mut name = raw[..8].to_vec();
    while name.last() == Some(&0) {
        name.pop();
    }
    // GNU tools write long names as "/N", N an offset in the string table.
    let mut full_name = name.clone();
    if let (Some(table), Some(off)) = (
        string_table,
        std::str::from_utf8(&name)
            .ok()
            .and_then(|n| n.strip_prefix('/'))
            .and_then(|n| n.parse::<u32>().ok()),
    ) {
        if let Some(s) = cstr_at(table, off as usize) {
            full_name = s.to_vec();
        }
    }
    Section {
        name,
        full_name,
        virtual_size: r32(8),
        virtual_address: r32(12),
        raw_data_size: r32(16),
        raw_data_offset: r32(20),
        pointer_to_relocations: r32(24),
        pointer_to_line_numbers: r32(28),
        number_of_relocations: r16(32),
        number_of_line_numbers: r16(34),
        characteristics: r32(36),
    }
}

/// Rounds a section's raw offset down the way the Windows loader does.
fn align_section_offset(
    off: u32,
    file_alignment: u32,
    sect_align: u32,
) -> u32 {
    let fa = file_alignment.min(0x200);
    let mut off = off;
    if let Some(rem) = off.checked_rem(fa) {
        off -= rem;
    }
    if sect_align >= 0x1000 {
        off -= off % 0x200;
    }
    off
}

/// YARA-X's RVA → file offset mapping (`pe.rva_to_offset`). RVAs below
/// every section map to themselves; otherwise the last section with the
/// highest start containing the RVA (sized by max(virtual, raw) size) is
/// used, and RVAs past its raw data have no offset.
pub(crate) fn rva_to_offset(
    rva: u32,
    sections: &[Section],
    file_alignment: u32,
    section_alignment: u32,
) -> Option<u32> {
    let lowest = sections.iter().map(|s| s.virtual_address).min();
    if matches!(lowest, Some(x) if rva < x) {
        return Some(rva);
    }
    let (mut s_rva, mut s_off, mut s_raw) = (0u32, 0u32, 0u32);
    for s in sections {
        let start = s.virtual_address;
        let end = start.saturating_add(s.virtual_size.max(s.raw_data_size));
        if s_rva <= start && (start..end).contains(&rva) {
            s_rva = start;
            s_off = align_section_offset(
                s.raw_data_offset,
                file_alignment,
                section_alignment,
            );
            s_raw = s.raw_data_size;
        }
    }
    if rva.saturating_sub(s_rva) >= s_raw {
        return None;
    }
    Some(s_off.saturating_add(rva - s_rva))
}

/// YARA-X's file offset → RVA mapping (`pe.offset_to_rva`).
pub(crate) fn offset_to_rva(
    offset: u32,
    sections: &[Section],
    file_alignment: u32,
    section_alignment: u32,
) -> Option<u32> {
    let start_of = |s: &Section| {
        align_section_offset(
            s.raw_data_offset,
            file_alignment,
            section_alignment,
        )
    };
    let lowest =
        sections.iter().filter(|s| s.raw_data_offset > 0).map(start_of).min();
    if matches!(lowest, Some(x) if offset < x) {
        return Some(offset);
    }
    let (mut s_rva, mut s_off, mut s_raw) = (0u32, 0u32, 0u32);
    for s in sections.iter().filter(|s| s.raw_data_offset > 0) {
        let start = start_of(s);
        let end = start.saturating_add(s.raw_data_size);
        if s_off <= start && (start..end).contains(&offset) {
            s_rva = s.virtual_address;
            s_off = start;
            s_raw = s.raw_data_size;
        }
    }
    if offset.saturating_sub(s_off) >= s_raw {
        return None;
    }
    Some(s_rva.saturating_add(offset - s_off))
}

/// Finds the rich header in the DOS stub (`data[..e_lfanew]`).
fn parse_rich(stub: &[u8]) -> Option<RichSignature> {
    let rich = memrfind(stub, b"Rich")?;
    let key = u32_at(stub, rich + 4)?;
    let dans = (key ^ 0x536e_6144).to_le_bytes();
    let start = memrfind(&stub[..rich], &dans)?;
    let raw_data = stub[start..rich].to_vec();
    let k = key.to_le_bytes();
    let clear_data: Vec<u8> =
        raw_data.iter().enumerate().map(|(i, b)| b ^ k[i % 4]).collect();
    let tools = clear_data
        .get(16..)
        .unwrap_or_default()
        .chunks_exact(8)
        .map(|c| RichTool {
            version: u32::from(u16_at(c, 0).unwrap_or(0)),
            toolid: u32::from(u16_at(c, 2).unwrap_or(0)),
            times: u32_at(c, 4).unwrap_or(0),
        })
        .collect();
    Some(RichSignature {
        offset: u32::try_from(start).ok()?,
        length: u32::try_from(raw_data.len()).ok()?,
        key,
        raw_data,
        clear_data,
        tools,
    })
}

/// Position of the last occurrence of `needle` in `hay`.
fn memrfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The overlay: what follows the furthest end of any section's raw data.
fn overlay(sections: &[Section], len: usize) -> Overlay {
    let end = sections
        .iter()
        .map(|s| u64::from(s.raw_data_offset) + u64::from(s.raw_data_size))
        .max();
    match end {
        Some(off) if (len as u64) > off => {
            Overlay { offset: off, size: len as u64 - off }
        }
        _ => Overlay::default(),
    }
}

/// Which import tables `Pe::imports` looks at (`pe.IMPORT_*`).
pub(crate) const IMPORT_STANDARD: i64 = 1;
/// `pe.IMPORT_DELAYED`.
pub(crate) const IMPORT_DELAYED: i64 = 2;
/// `pe.IMPORT_ANY`.
pub(crate) const IMPORT_ANY: i64 = 3;

/// How a module function matches a DLL or function name.
pub(crate) enum Match<'m> {
    /// Anything.
    Any,
    /// Case-insensitive (ASCII) equality.
    Name(&'m [u8]),
    /// A regular expression, supplied by the caller as a predicate.
    Regex(&'m dyn Fn(&[u8]) -> bool),
    /// An ordinal.
    Ordinal(i64),
}

impl Match<'_> {
    fn name(&self, name: Option<&str>) -> bool {
        match self {
            Match::Any => true,
            Match::Name(n) => {
                name.is_some_and(|s| s.as_bytes().eq_ignore_ascii_case(n))
            }
            Match::Regex(f) => name.is_some_and(|s| f(s.as_bytes())),
            Match::Ordinal(_) => false,
        }
    }

    fn func(&self, f: &Function) -> bool {
        match self {
            Match::Ordinal(o) => f.ordinal.is_some_and(|x| i64::from(x) == *o),
            _ => self.name(f.name.as_deref()),
        }
    }
}

impl Pe {
    /// `pe.number_of_sections` (the parsed sections, as YARA-X counts).
    pub(crate) fn number_of_sections(&self) -> usize {
        self.sections.len()
    }

    /// `pe.number_of_imports`.
    pub(crate) fn number_of_imports(&self) -> usize {
        self.import_details.len()
    }

    /// `pe.number_of_imported_functions`.
    pub(crate) fn number_of_imported_functions(&self) -> usize {
        self.import_details.iter().map(|i| i.functions.len()).sum()
    }

    /// `pe.number_of_delayed_imports`.
    pub(crate) fn number_of_delayed_imports(&self) -> usize {
        self.delayed_import_details.len()
    }

    /// `pe.number_of_delayed_imported_functions`.
    pub(crate) fn number_of_delayed_imported_functions(&self) -> usize {
        self.delayed_import_details.iter().map(|i| i.functions.len()).sum()
    }

    /// `pe.number_of_exports`.
    pub(crate) fn number_of_exports(&self) -> usize {
        self.export_details.len()
    }

    /// `pe.number_of_resources`.
    pub(crate) fn number_of_resources(&self) -> usize {
        self.resources.len()
    }

    /// `pe.number_of_version_infos`.
    pub(crate) fn number_of_version_infos(&self) -> usize {
        self.version_info_list.len()
    }

    /// `pe.number_of_signatures`.
    pub(crate) fn number_of_signatures(&self) -> usize {
        self.signatures.len()
    }

    /// `pe.is_signed`: some signature verified.
    pub(crate) fn is_signed(&self) -> bool {
        self.signatures.iter().any(|s| s.verified)
    }

    /// `pe.version_info[key]`: the last value stored under `key`.
    pub(crate) fn version_info(&self, key: &str) -> Option<&str> {
        self.version_info_list
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `pe.is_dll()`.
    pub(crate) fn is_dll(&self) -> bool {
        self.characteristics & 0x2000 != 0
    }

    /// `pe.is_32bit()`.
    pub(crate) fn is_32bit(&self) -> bool {
        self.opthdr_magic == u32::from(OPT_HDR32_MAGIC)
    }

    /// `pe.is_64bit()`.
    pub(crate) fn is_64bit(&self) -> bool {
        self.opthdr_magic == u32::from(OPT_HDR64_MAGIC)
    }

    /// `pe.rva_to_offset(rva)`.
    pub(crate) fn rva_to_offset(&self, rva: i64) -> Option<i64> {
        rva_to_offset(
            u32::try_from(rva).ok()?,
            &self.sections,
            self.file_alignment,
            self.section_alignment,
        )
        .map(i64::from)
    }

    /// `pe.offset_to_rva(offset)`.
    pub(crate) fn offset_to_rva(&self, offset: i64) -> Option<i64> {
        offset_to_rva(
            u32::try_from(offset).ok()?,
            &self.sections,
            self.file_alignment,
            self.section_alignment,
        )
        .map(i64::from)
    }

    /// `pe.section_index(name)`: first section whose name is `name`.
    pub(crate) fn section_index_by_name(&self, name: &[u8]) -> Option<i64> {
        self.sections.iter().position(|s| s.name == name).map(|i| i as i64)
    }

    /// `pe.section_index(offset)`: first section whose raw data contains
    /// the file offset.
    pub(crate) fn section_index_by_offset(&self, offset: i64) -> Option<i64> {
        let off = u32::try_from(offset).ok()?;
        self.sections
            .iter()
            .position(|s| {
                let end = s.raw_data_offset.saturating_add(s.raw_data_size);
                (s.raw_data_offset..end).contains(&off)
            })
            .map(|i| i as i64)
    }

    /// `pe.calculate_checksum()` over the scanned `data` (the same bytes
    /// that were parsed).
    pub(crate) fn calculate_checksum(&self, data: &[u8]) -> i64 {
        let mut sum: u32 = 0;
        let mut carry = false;
        let mut add = |v: u32| {
            let (s1, c1) = sum.overflowing_add(v);
            let (s2, c2) = s1.overflowing_add(u32::from(carry));
            sum = s2;
            carry = c1 || c2;
        };
        let mut words = data.chunks_exact(4);
        for w in &mut words {
            add(u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        }
        let mut tail = words.remainder();
        if tail.len() >= 2 {
            add(u32::from(u16::from_le_bytes([tail[0], tail[1]])));
            tail = &tail[2..];
        }
        // YARA-X reads a last odd byte with nom's `character::u8`, which
        // parses decimal text: a digit adds its value, anything else
        // nothing. Reproduced so that the results agree.
        if let [b @ b'0'..=b'9'] = tail {
            add(u32::from(b - b'0'));
        }
        sum = match sum.overflowing_sub(self.checksum) {
            (s, true) => s.wrapping_sub(1),
            (s, false) => s,
        };
        sum = (sum & 0xffff) + (sum >> 16);
        sum += sum >> 16;
        sum &= 0xffff;
        sum = sum.wrapping_add(data.len() as u32);
        i64::from(sum)
    }

    /// `pe.imphash()`: md5 of `dll.function` pairs (DLL without a
    /// `.dll`/`.sys`/`.ocx` extension, both lowercased), comma-joined.
    pub(crate) fn imphash(&self) -> String {
        use md5::{Digest, Md5};
        let mut h = Md5::new();
        let mut first = true;
        for imp in &self.import_details {
            let dll = trim_dll_extension(&imp.library_name);
            let dll = dll.to_lowercase();
            for f in &imp.functions {
                if !first {
                    h.update(b",");
                }
                first = false;
                h.update(dll.as_bytes());
                h.update(b".");
                h.update(f.name.as_deref().unwrap_or("").to_lowercase());
            }
        }
        bytes::hex(&h.finalize())
    }

    /// `pe.imports(...)` in all its forms: how many functions from DLLs
    /// matching `dll` match `func`, in the tables chosen by `flags`
    /// (`IMPORT_STANDARD`, `IMPORT_DELAYED`, `IMPORT_ANY`). The boolean
    /// overloads are `> 0` of this.
    pub(crate) fn imports(
        &self,
        flags: i64,
        dll: &Match,
        func: &Match,
    ) -> i64 {
        let count = |list: &[Import]| -> usize {
            list.iter()
                .filter(|i| dll.name(Some(&i.library_name)))
                .map(|i| i.functions.iter().filter(|f| func.func(f)).count())
                .sum()
        };
        let mut total = 0;
        if flags & IMPORT_STANDARD != 0 {
            total += count(&self.import_details);
        }
        if flags & IMPORT_DELAYED != 0 {
            total += count(&self.delayed_import_details);
        }
        total as i64
    }

    /// `pe.import_rva(dll, func|ordinal)`, or `pe.delayed_import_rva`
    /// when `delayed`.
    pub(crate) fn import_rva(
        &self,
        delayed: bool,
        dll: &[u8],
        func: &Match,
    ) -> Option<i64> {
        let list = if delayed {
            &self.delayed_import_details
        } else {
            &self.import_details
        };
        list.iter()
            .filter(|i| i.library_name.as_bytes().eq_ignore_ascii_case(dll))
            .flat_map(|i| i.functions.iter())
            .find(|f| func.func(f))
            .map(|f| i64::from(f.rva))
    }

    /// `pe.exports(name|ordinal|regex)`.
    pub(crate) fn exports(&self, m: &Match) -> bool {
        self.exports_index(m).is_some()
    }

    /// `pe.exports_index(name|ordinal|regex)`.
    pub(crate) fn exports_index(&self, m: &Match) -> Option<i64> {
        self.export_details
            .iter()
            .position(|e| match m {
                Match::Ordinal(o) => i64::from(e.ordinal) == *o,
                _ => m.name(e.name.as_deref()),
            })
            .map(|i| i as i64)
    }

    /// `pe.locale(id)`: some resource's language has this locale.
    pub(crate) fn locale(&self, loc: i64) -> bool {
        let Ok(loc) = u32::try_from(loc) else { return false };
        self.resources
            .iter()
            .any(|r| r.language.is_some_and(|l| l & 0xffff == loc))
    }

    /// `pe.language(id)`: some resource's language has this primary
    /// language.
    pub(crate) fn language(&self, lang: i64) -> bool {
        let Ok(lang) = u32::try_from(lang) else { return false };
        self.resources
            .iter()
            .any(|r| r.language.is_some_and(|l| l & 0xff == lang))
    }
}

fn trim_dll_extension(name: &str) -> &str {
    for ext in [".dll", ".sys", ".ocx"] {
        let n = name.len();
        if n >= ext.len()
            && name.is_char_boundary(n - ext.len())
            && name[n - ext.len()..].eq_ignore_ascii_case(ext)
        {
            return &name[..n - ext.len()];
        }
    }
    name
}

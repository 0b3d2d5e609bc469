//! Small PE files with known imports, exports, resources and overlays,
//! written with `object`'s low-level PE writer; the import, export and
//! resource tables are laid out here.

use object::pe;
use object::write::pe::{NtHeaders, Writer};

/// What one generated PE file holds.
#[derive(Clone, Debug)]
pub struct PeSpec {
    pub is_64: bool,
    pub is_dll: bool,
    /// Machine code of `.text`; the entry point is its first byte.
    pub code: Vec<u8>,
    /// Contents of `.data`.
    pub data: Vec<u8>,
    /// `(dll, [function])`, in this order.
    pub imports: Vec<(String, Vec<String>)>,
    /// The DLL's own name and its exported functions (sorted on output),
    /// each pointing into `.text`; no `.edata` when empty.
    pub dll_name: String,
    pub exports: Vec<String>,
    /// `(type, id, language, data)` resources; no `.rsrc` when empty.
    pub resources: Vec<(u32, u32, u32, Vec<u8>)>,
    /// Bytes appended after the last section.
    pub overlay: Vec<u8>,
    pub timestamp: u32,
}

fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn size32(n: usize) -> u32 {
    u32::try_from(n).expect("generated tables are small")
}

/// The import directory: descriptors, then per DLL its lookup table and
/// address table, then hint/name entries and DLL names.
fn import_table(spec: &PeSpec, rva: u32) -> Vec<u8> {
    let thunk = if spec.is_64 { 8 } else { 4 };
    let ndll = spec.imports.len();
    let mut size = (ndll + 1) * 20;
    let mut lookup = Vec::new();
    for (_, funcs) in &spec.imports {
        let table = (funcs.len() + 1) * thunk;
        lookup.push((size, size + table));
        size += 2 * table;
    }
    let mut names = Vec::new();
    for (dll, funcs) in &spec.imports {
        let mut hint_names = Vec::new();
        for f in funcs {
            hint_names.push(size);
            size += (2 + f.len() + 1 + 1) & !1;
        }
        names.push((size, hint_names));
        size += (dll.len() + 1 + 1) & !1;
    }
    let mut b = vec![0u8; size];
    for (i, (dll, funcs)) in spec.imports.iter().enumerate() {
        let (ilt, iat) = lookup[i];
        let (dll_at, hint_names) = &names[i];
        let d = i * 20;
        put32(&mut b, d, rva + size32(ilt));
        put32(&mut b, d + 12, rva + size32(*dll_at));
        put32(&mut b, d + 16, rva + size32(iat));
        b[*dll_at..*dll_at + dll.len()].copy_from_slice(dll.as_bytes());
        for (j, f) in funcs.iter().enumerate() {
            let at = hint_names[j];
            put16(&mut b, at, j as u16);
            b[at + 2..at + 2 + f.len()].copy_from_slice(f.as_bytes());
            let target = u64::from(rva + size32(at));
            for table in [ilt, iat] {
                if spec.is_64 {
                    put64(&mut b, table + j * thunk, target);
                } else {
                    put32(&mut b, table + j * thunk, target as u32);
                }
            }
        }
    }
    b
}

/// The export directory: header, address table, name pointers (sorted
/// names), ordinals, then the strings. Function `i` is at `text_rva + i`.
fn export_table(spec: &PeSpec, rva: u32, text_rva: u32) -> Vec<u8> {
    let mut exports = spec.exports.clone();
    exports.sort();
    let n = exports.len();
    let funcs = 40;
    let name_ptrs = funcs + 4 * n;
    let ordinals = name_ptrs + 4 * n;
    let mut size = ordinals + 2 * n;
    let dll_at = size;
    size += spec.dll_name.len() + 1;
    let mut at = Vec::new();
    for e in &exports {
        at.push(size);
        size += e.len() + 1;
    }
    let mut b = vec![0u8; size];
    put32(&mut b, 4, spec.timestamp);
    put32(&mut b, 12, rva + size32(dll_at));
    put32(&mut b, 16, 1);
    put32(&mut b, 20, size32(n));
    put32(&mut b, 24, size32(n));
    put32(&mut b, 28, rva + size32(funcs));
    put32(&mut b, 32, rva + size32(name_ptrs));
    put32(&mut b, 36, rva + size32(ordinals));
    let name = spec.dll_name.as_bytes();
    b[dll_at..dll_at + name.len()].copy_from_slice(name);
    for (i, e) in exports.iter().enumerate() {
        put32(&mut b, funcs + 4 * i, text_rva + size32(i));
        put32(&mut b, name_ptrs + 4 * i, rva + size32(at[i]));
        put16(&mut b, ordinals + 2 * i, i as u16);
        b[at[i]..at[i] + e.len()].copy_from_slice(e.as_bytes());
    }
    b
}

/// The resource tree, one entry per level for each resource (type, then
/// id, then language), then data entries and the data.
fn resource_table(spec: &PeSpec, rva: u32) -> Vec<u8> {
    let n = spec.resources.len();
    // Root directory with n type entries; per resource a name directory
    // and a language directory of one entry each; then n data entries.
    let root = 0;
    let dirs = 16 + 8 * n;
    let data_entries = dirs + n * 2 * 24;
    let mut size = data_entries + 16 * n;
    let mut data_at = Vec::new();
    for (_, _, _, d) in &spec.resources {
        size = (size + 7) & !7;
        data_at.push(size);
        size += d.len();
    }
    let mut b = vec![0u8; size];
    put16(&mut b, root + 14, n as u16);
    for (i, (typ, id, lang, d)) in spec.resources.iter().enumerate() {
        let name_dir = dirs + i * 48;
        let lang_dir = name_dir + 24;
        let entry = data_entries + 16 * i;
        put32(&mut b, root + 16 + 8 * i, *typ);
        put32(&mut b, root + 20 + 8 * i, 0x8000_0000 | size32(name_dir));
        put16(&mut b, name_dir + 14, 1);
        put32(&mut b, name_dir + 16, *id);
        put32(&mut b, name_dir + 20, 0x8000_0000 | size32(lang_dir));
        put16(&mut b, lang_dir + 14, 1);
        put32(&mut b, lang_dir + 16, *lang);
        put32(&mut b, lang_dir + 20, size32(entry));
        put32(&mut b, entry, rva + size32(data_at[i]));
        put32(&mut b, entry + 4, size32(d.len()));
        b[data_at[i]..data_at[i] + d.len()].copy_from_slice(d);
    }
    b
}

/// Writes the PE file `spec` describes.
pub fn write(spec: &PeSpec) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = Writer::new(spec.is_64, 0x1000, 0x200, &mut buf);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(16);
    let nsections = 2
        + u16::from(!spec.imports.is_empty())
        + u16::from(!spec.exports.is_empty())
        + u16::from(!spec.resources.is_empty());
    w.reserve_section_headers(nsections);
    let text = w.reserve_text_section(size32(spec.code.len()));
    let data = w.reserve_data_section(
        size32(spec.data.len()),
        size32(spec.data.len()),
    );
    // Table sizes do not depend on where they go: build once at 0 to
    // size them, then again at their address.
    let mut idata = None;
    if !spec.imports.is_empty() {
        let len = size32(import_table(spec, 0).len());
        let r = w.reserve_idata_section(len);
        idata = Some((r, import_table(spec, r.virtual_address)));
    }
    let mut edata = None;
    if !spec.exports.is_empty() {
        let len = size32(export_table(spec, 0, 0).len());
        let r = w.reserve_edata_section(len);
        let t = export_table(spec, r.virtual_address, text.virtual_address);
        edata = Some((r, t));
    }
    let mut rsrc = None;
    if !spec.resources.is_empty() {
        let len = size32(resource_table(spec, 0).len());
        let r = w.reserve_rsrc_section(len);
        rsrc = Some((r, resource_table(spec, r.virtual_address)));
    }

    w.write_dos_header_and_stub().expect("writes to a Vec");
    let mut characteristics = pe::IMAGE_FILE_EXECUTABLE_IMAGE;
    if spec.is_64 {
        characteristics |= pe::IMAGE_FILE_LARGE_ADDRESS_AWARE;
    } else {
        characteristics |= pe::IMAGE_FILE_32BIT_MACHINE;
    }
    if spec.is_dll {
        characteristics |= pe::IMAGE_FILE_DLL;
    }
    w.write_nt_headers(NtHeaders {
        machine: if spec.is_64 {
            pe::IMAGE_FILE_MACHINE_AMD64
        } else {
            pe::IMAGE_FILE_MACHINE_I386
        },
        time_date_stamp: spec.timestamp,
        characteristics,
        major_linker_version: 14,
        minor_linker_version: 0,
        address_of_entry_point: text.virtual_address,
        image_base: if spec.is_64 { 0x1_4000_0000 } else { 0x40_0000 },
        major_operating_system_version: 6,
        minor_operating_system_version: 0,
        major_image_version: 1,
        minor_image_version: 0,
        major_subsystem_version: 6,
        minor_subsystem_version: 0,
        subsystem: pe::IMAGE_SUBSYSTEM_WINDOWS_CUI,
        dll_characteristics: pe::IMAGE_DLLCHARACTERISTICS_NX_COMPAT,
        size_of_stack_reserve: 0x10_0000,
        size_of_stack_commit: 0x1000,
        size_of_heap_reserve: 0x10_0000,
        size_of_heap_commit: 0x1000,
    });
    w.write_section_headers();
    w.write_section(text.file_offset, &spec.code);
    w.write_section(data.file_offset, &spec.data);
    for (r, t) in [idata, edata, rsrc].into_iter().flatten() {
        w.write_section(r.file_offset, &t);
    }
    drop(w);
    buf.extend_from_slice(&spec.overlay);
    buf
}

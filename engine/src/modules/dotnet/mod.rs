//! The `dotnet` module's data: the CLI metadata of .NET PE files parsed
//! from hostile bytes into [`Dotnet`], with the field names, types and
//! values YARA-X's `dotnet` module shows to rules.
//!
//! Parsed: the CLI header, the metadata root and stream headers, the
//! `#GUID`, `#US`, `#Strings` and `#Blob` heaps, and every table of the
//! `#~` stream (rows sized from the heap-size flags and row counts, as
//! ECMA-335 II.22 lays them out), from which come the module name, the
//! assembly and its references, module references, manifest resources,
//! string constants, field RVAs and the `GuidAttribute` typelib, and
//! (in `classes`) the defined types with their methods and signatures.
//!
//! # Hostile input
//!
//! Row counts are capped at 15000 per table and at most 16 GUIDs and 256
//! streams are read (YARA-X's limits, kept for identical results); a
//! table that runs past its bytes, a bad coded index or an unknown
//! constant type stops the table walk with the rows read so far, as in
//! YARA-X. Nothing here panics on any input.

pub(crate) mod bind;
mod classes;

#[cfg(test)]
mod tests;

use super::pe::bytes::{u16_at, u32_at, u64_at};

const MAX_ROWS_PER_TABLE: usize = 15000;
const MAX_GUIDS: usize = 16;
const MAX_STREAMS: u16 = 256;
const DIR_COM_DESCRIPTOR: usize = 14;

/// A four-part assembly version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Version {
    /// `major`.
    pub major: u32,
    /// `minor`.
    pub minor: u32,
    /// `build_number`.
    pub build_number: u32,
    /// `revision_number`.
    pub revision_number: u32,
}

/// A metadata stream header (`dotnet.streams[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Stream {
    /// `name` (undefined when not UTF-8).
    pub name: Option<String>,
    /// `offset`: file offset of the stream.
    pub offset: u32,
    /// `size`.
    pub size: u32,
}

/// `dotnet.assembly`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Assembly {
    /// `name`.
    pub name: Option<String>,
    /// `culture` (undefined when empty).
    pub culture: Option<String>,
    /// `version`.
    pub version: Version,
}

/// `dotnet.assembly_refs[i]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AssemblyRef {
    /// `name`.
    pub name: Option<String>,
    /// `public_key_or_token` (undefined when empty).
    pub public_key_or_token: Option<Vec<u8>>,
    /// `version`.
    pub version: Version,
}

/// `dotnet.resources[i]`: a manifest resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Resource {
    /// `name`.
    pub name: Option<String>,
    /// `offset`: file offset of the resource data.
    pub offset: Option<u32>,
    /// `length`.
    pub length: Option<u32>,
}

/// A parsed .NET file: what YARA-X's `dotnet` module exposes. Built by
/// [`parse`]; `None` for anything that is not a PE
/// with CLI metadata (`dotnet.is_dotnet == false`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Dotnet {
    /// `version`: the metadata version string, e.g. `v4.0.30319`.
    pub version: String,
    /// `module_name`.
    pub module_name: Option<String>,
    /// `streams`.
    pub streams: Vec<Stream>,
    /// `guids`, formatted `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    pub guids: Vec<String>,
    /// `typelib`: the assembly's `GuidAttribute` value.
    pub typelib: Option<String>,
    /// `assembly`.
    pub assembly: Option<Assembly>,
    /// `assembly_refs`.
    pub assembly_refs: Vec<AssemblyRef>,
    /// `modulerefs`.
    pub modulerefs: Vec<String>,
    /// `resources`.
    pub resources: Vec<Resource>,
    /// `user_strings`: `#US` entries (UTF-16LE bytes, without the final
    /// flag byte).
    pub user_strings: Vec<Vec<u8>>,
    /// `constants`: values of string constants (UTF-16LE bytes).
    pub constants: Vec<Vec<u8>>,
    /// `field_offsets`: file offsets of fields with an RVA.
    pub field_offsets: Vec<u32>,
    /// `classes`.
    pub classes: Vec<classes::Class>,
}

impl Dotnet {
    /// `dotnet.number_of_streams`.
    pub(crate) fn number_of_streams(&self) -> usize {
        self.streams.len()
    }
    /// `dotnet.number_of_guids`.
    pub(crate) fn number_of_guids(&self) -> usize {
        self.guids.len()
    }
    /// `dotnet.number_of_assembly_refs`.
    pub(crate) fn number_of_assembly_refs(&self) -> usize {
        self.assembly_refs.len()
    }
    /// `dotnet.number_of_modulerefs`.
    pub(crate) fn number_of_modulerefs(&self) -> usize {
        self.modulerefs.len()
    }
    /// `dotnet.number_of_resources`.
    pub(crate) fn number_of_resources(&self) -> usize {
        self.resources.len()
    }
    /// `dotnet.number_of_user_strings`.
    pub(crate) fn number_of_user_strings(&self) -> usize {
        self.user_strings.len()
    }
    /// `dotnet.number_of_constants`.
    pub(crate) fn number_of_constants(&self) -> usize {
        self.constants.len()
    }
    /// `dotnet.number_of_field_offsets`.
    pub(crate) fn number_of_field_offsets(&self) -> usize {
        self.field_offsets.len()
    }
}

/// ECMA-335 metadata tables, in `#~` order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
enum T {
    Module = 0x00,
    TypeRef,
    TypeDef,
    FieldPtr,
    Field,
    MethodDefPtr,
    MethodDef,
    ParamPtr,
    Param,
    InterfaceImpl,
    MemberRef,
    Constant,
    CustomAttribute,
    FieldMarshal,
    DeclSecurity,
    ClassLayout,
    FieldLayout,
    StandaloneSig,
    EventMap,
    EventPtr,
    Event,
    PropertyMap,
    PropertyPtr,
    Property,
    MethodSemantics,
    MethodImpl,
    ModuleRef,
    TypeSpec,
    ImplMap,
    FieldRva,
    EncLog,
    EncMap,
    Assembly,
    AssemblyProcessor,
    AssemblyOs,
    AssemblyRef,
    AssemblyRefProcessor,
    AssemblyRefOs,
    File,
    ExportedType,
    ManifestResource,
    NestedClass,
    GenericParam,
    MethodSpec,
    GenericParamConstraint,
    /// A coded-index slot that names no table.
    Null = 0xff,
}

const TYPE_DEF_OR_REF: &[T] = &[T::TypeDef, T::TypeRef, T::TypeSpec];
const METHOD_DEF_OR_REF: &[T] = &[T::MethodDef, T::MemberRef];
const TYPE_OR_METHOD_DEF: &[T] = &[T::TypeDef, T::MethodDef];
const RESOLUTION_SCOPE: &[T] =
    &[T::Module, T::ModuleRef, T::AssemblyRef, T::TypeRef];
const MEMBER_REF_PARENT: &[T] =
    &[T::TypeDef, T::TypeRef, T::ModuleRef, T::MethodDef, T::TypeSpec];
const HAS_CONSTANT: &[T] = &[T::Field, T::Param, T::Property];
const HAS_FIELD_MARSHAL: &[T] = &[T::Field, T::Param];
const HAS_DECL_SECURITY: &[T] = &[T::TypeDef, T::MethodDef, T::Assembly];
const HAS_SEMANTICS: &[T] = &[T::Event, T::Property];
const MEMBER_FORWARDED: &[T] = &[T::Field, T::MethodDef];
const IMPLEMENTATION: &[T] = &[T::File, T::AssemblyRef, T::ExportedType];
const MANIFEST_IMPL: &[T] = &[T::File, T::AssemblyRef, T::Null];
const CUSTOM_ATTRIBUTE_TYPE: &[T] =
    &[T::Null, T::Null, T::MethodDef, T::MemberRef, T::Null];
const HAS_CUSTOM_ATTRIBUTE: &[T] = &[
    T::MethodDef,
    T::Field,
    T::TypeRef,
    T::TypeDef,
    T::Param,
    T::InterfaceImpl,
    T::MemberRef,
    T::Module,
    T::Null,
    T::Property,
    T::Event,
    T::StandaloneSig,
    T::ModuleRef,
    T::TypeSpec,
    T::Assembly,
    T::AssemblyRef,
    T::File,
    T::ExportedType,
    T::ManifestResource,
    T::GenericParam,
    T::GenericParamConstraint,
    T::MethodSpec,
];

/// A column of a metadata table.
#[derive(Clone, Copy)]
enum Col {
    U8,
    U16,
    U32,
    /// A constant's element type: one byte that must be a known type.
    ConstType,
    Str,
    Guid,
    Blob,
    /// A 1-based row index into a table (0-based when read).
    Tab(T),
    Coded(&'static [T]),
    /// Bytes skipped.
    Skip(usize),
}

use Col::*;

/// The columns of each table, in `#~` order (ECMA-335 II.22).
const SCHEMA: &[(T, &[Col])] = &[
    (T::Module, &[U16, Str, Guid, Guid, Guid]),
    (T::TypeRef, &[Coded(RESOLUTION_SCOPE), Str, Str]),
    (
        T::TypeDef,
        &[
            U32,
            Str,
            Str,
            Coded(TYPE_DEF_OR_REF),
            Tab(T::Field),
            Tab(T::MethodDef),
        ],
    ),
    (T::FieldPtr, &[Tab(T::Field)]),
    (T::Field, &[U16, Str, Blob]),
    (T::MethodDefPtr, &[Tab(T::MethodDef)]),
    (T::MethodDef, &[U32, U16, U16, Str, Blob, Tab(T::Param)]),
    (T::ParamPtr, &[Tab(T::Param)]),
    (T::Param, &[U16, U16, Str]),
    (T::InterfaceImpl, &[Tab(T::TypeDef), Coded(TYPE_DEF_OR_REF)]),
    (T::MemberRef, &[Coded(MEMBER_REF_PARENT), Str, Blob]),
    (T::Constant, &[ConstType, U8, Coded(HAS_CONSTANT), Blob]),
    (
        T::CustomAttribute,
        &[Coded(HAS_CUSTOM_ATTRIBUTE), Coded(CUSTOM_ATTRIBUTE_TYPE), Blob],
    ),
    (T::FieldMarshal, &[Coded(HAS_FIELD_MARSHAL), Blob]),
    (T::DeclSecurity, &[U16, Coded(HAS_DECL_SECURITY), Blob]),
    (T::ClassLayout, &[U16, U32, Tab(T::TypeDef)]),
    (T::FieldLayout, &[U32, Tab(T::Field)]),
    (T::StandaloneSig, &[Blob]),
    (T::EventMap, &[Tab(T::TypeDef), Tab(T::Event)]),
    (T::EventPtr, &[Tab(T::Event)]),
    (T::Event, &[U16, Str, Coded(TYPE_DEF_OR_REF)]),
    (T::PropertyMap, &[Tab(T::TypeDef), Tab(T::Property)]),
    (T::PropertyPtr, &[Tab(T::Property)]),
    (T::Property, &[U16, Str, Blob]),
    (T::MethodSemantics, &[U16, Tab(T::MethodDef), Coded(HAS_SEMANTICS)]),
    (
        T::MethodImpl,
        &[Tab(T::TypeDef), Coded(METHOD_DEF_OR_REF), Coded(METHOD_DEF_OR_REF)],
    ),
    (T::ModuleRef, &[Str]),
    (T::TypeSpec, &[Blob]),
    (T::ImplMap, &[U16, Coded(MEMBER_FORWARDED), Str, Tab(T::ModuleRef)]),
    (T::FieldRva, &[U32, Tab(T::Field)]),
    (T::EncLog, &[Skip(8)]),
    (T::EncMap, &[Skip(4)]),
    (T::Assembly, &[U32, U16, U16, U16, U16, U32, Blob, Str, Str]),
    (T::AssemblyProcessor, &[Skip(4)]),
    (T::AssemblyOs, &[Skip(12)]),
    (T::AssemblyRef, &[U16, U16, U16, U16, U32, Blob, Str, Str, Blob]),
    (T::AssemblyRefProcessor, &[U32, Tab(T::AssemblyRef)]),
    (T::AssemblyRefOs, &[U32, U32, U32, Tab(T::AssemblyRef)]),
    (T::File, &[U32, Str, Blob]),
    (T::ExportedType, &[U32, U32, Str, Str, Coded(IMPLEMENTATION)]),
    (T::ManifestResource, &[U32, U32, Str, Coded(MANIFEST_IMPL)]),
    (T::NestedClass, &[Tab(T::TypeDef), Tab(T::TypeDef)]),
    (T::GenericParam, &[U16, U16, Coded(TYPE_OR_METHOD_DEF), Str]),
    (T::MethodSpec, &[Coded(METHOD_DEF_OR_REF), Blob]),
    (
        T::GenericParamConstraint,
        &[Tab(T::GenericParam), Coded(TYPE_DEF_OR_REF)],
    ),
];

/// Element types a `Constant` row may name (YARA-X rejects the rest).
fn known_type(t: u8) -> bool {
    matches!(t, 0x00..=0x16 | 0x18 | 0x19 | 0x1b..=0x21 | 0x40 | 0x41 | 0x45)
}

/// A decoded coded index: table and 0-based row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Coded {
    table: T,
    index: usize,
}

/// One column value.
#[derive(Clone, Copy, Debug)]
enum Val {
    Num(u32),
    Coded(Coded),
}

impl Val {
    fn num(self) -> u32 {
        match self {
            Val::Num(n) => n,
            Val::Coded(_) => 0,
        }
    }
    fn coded(self) -> Option<Coded> {
        match self {
            Val::Coded(c) => Some(c),
            Val::Num(_) => None,
        }
    }
}

/// Bits needed to tag `n` tables: ceil(log2(n)).
fn tag_bits(n: usize) -> u32 {
    usize::BITS - n.saturating_sub(1).leading_zeros()
}

/// ECMA-335 compressed unsigned integer: value and bytes used.
fn var_uint(d: &[u8]) -> Option<(u32, usize)> {
    let b0 = *d.first()?;
    if b0 & 0x80 == 0 {
        Some((u32::from(b0), 1))
    } else if b0 & 0xc0 == 0x80 {
        Some(((u32::from(b0 & 0x3f) << 8) | u32::from(*d.get(1)?), 2))
    } else if b0 & 0xe0 == 0xc0 {
        let b = d.get(1..4)?;
        let v = (u32::from(b0 & 0x1f) << 24)
            | (u32::from(b[0]) << 16)
            | (u32::from(b[1]) << 8)
            | u32::from(b[2]);
        Some((v, 4))
    } else {
        None
    }
}

/// The heaps and table rows the outputs are built from.
struct Meta<'a> {
    strings: Option<&'a [u8]>,
    blobs: Option<&'a [u8]>,
    rows: Vec<usize>,
    wide_str: bool,
    wide_guid: bool,
    wide_blob: bool,
    tables: Vec<Vec<Vec<Val>>>,
}

impl<'a> Meta<'a> {
    fn string(&self, idx: u32) -> Option<String> {
        let s = self.strings?.get(idx as usize..)?;
        let end = s.iter().position(|&b| b == 0)?;
        std::str::from_utf8(&s[..end]).ok().map(str::to_owned)
    }

    fn blob(&self, idx: u32) -> Option<&'a [u8]> {
        let d = self.blobs?.get(idx as usize..)?;
        let (len, used) = var_uint(d)?;
        d.get(used..used.checked_add(len as usize)?)
    }

    fn rows(&self, t: T) -> &[Vec<Val>] {
        self.tables.get(t as usize).map(Vec::as_slice).unwrap_or_default()
    }

    fn num_rows(&self, t: T) -> usize {
        self.rows.get(t as usize).copied().unwrap_or(0)
    }

    /// Reads one column; `None` ends the table walk.
    fn col(&self, d: &[u8], at: &mut usize, c: Col) -> Option<Val> {
        let idx = |wide: bool, at: &mut usize| -> Option<u32> {
            let v = if wide {
                u32_at(d, *at)?
            } else {
                u32::from(u16_at(d, *at)?)
            };
            *at += if wide { 4 } else { 2 };
            Some(v)
        };
        Some(match c {
            U8 | ConstType => {
                let b = *d.get(*at)?;
                if matches!(c, ConstType) && !known_type(b) {
                    return None;
                }
                *at += 1;
                Val::Num(u32::from(b))
            }
            U16 => Val::Num(idx(false, at)?),
            U32 => Val::Num(idx(true, at)?),
            Str => Val::Num(idx(self.wide_str, at)?),
            Guid => Val::Num(idx(self.wide_guid, at)?),
            Blob => Val::Num(idx(self.wide_blob, at)?),
            Tab(t) => {
                let v = idx(self.num_rows(t) > 65535, at)?;
                Val::Num(v.saturating_sub(1))
            }
            Coded(tables) => {
                let bits = tag_bits(tables.len());
                let max = tables
                    .iter()
                    .map(|t| self.num_rows(*t))
                    .max()
                    .unwrap_or(0);
                let wide = max as u64 > 1u64 << (16 - bits);
                let v = idx(wide, at)?;
                let table = *tables.get((v & ((1 << bits) - 1)) as usize)?;
                Val::Coded(Coded {
                    table,
                    index: (v >> bits).saturating_sub(1) as usize,
                })
            }
            Skip(n) => {
                d.get(*at..at.checked_add(n)?)?;
                *at += n;
                Val::Num(0)
            }
        })
    }

    /// Walks the tables of the `#~` stream.
    fn parse_tables(&mut self, d: &[u8]) {
        let (Some(heap_sizes), Some(valid)) =
            (d.get(6).copied(), u64_at(d, 8))
        else {
            return;
        };
        let n = valid.count_ones() as usize;
        let mut at = 24usize;
        if d.len().saturating_sub(at) / 4 < n {
            return;
        }
        self.rows = vec![0; 64];
        for i in 0..64 {
            if valid & (1 << i) != 0 {
                let r = u32_at(d, at).unwrap_or(0) as usize;
                at += 4;
                self.rows[i] = r.min(MAX_ROWS_PER_TABLE);
            }
        }
        self.wide_str = heap_sizes & 1 != 0;
        self.wide_guid = heap_sizes & 2 != 0;
        self.wide_blob = heap_sizes & 4 != 0;
        self.tables = vec![Vec::new(); SCHEMA.len()];
        for (t, cols) in SCHEMA {
            let n = self.num_rows(*t);
            let mut rows = Vec::with_capacity(n.min(d.len()));
            for _ in 0..n {
                let mut row = Vec::with_capacity(cols.len());
                for c in *cols {
                    match self.col(d, &mut at, *c) {
                        Some(v) => row.push(v),
                        // A table that does not parse whole is dropped,
                        // and so are all the tables after it.
                        None => return,
                    }
                }
                rows.push(row);
            }
            self.tables[*t as usize] = rows;
        }
    }
}

/// Parses `data` as a .NET PE file.
pub(crate) fn parse(data: &[u8]) -> Option<Dotnet> {
    let pe = super::pe::headers(data)?;
    let (_, _, cli) = pe.dir_entry_data(DIR_COM_DESCRIPTOR, false)?;
    if u32_at(cli, 0)? != 72 {
        return None;
    }
    let md_rva = u32_at(cli, 8)?;
    let md_size = u32_at(cli, 12)?;
    let res_rva = u32_at(cli, 24)?;
    let res_size = u32_at(cli, 28)?;
    u32_at(cli, 68)?;
    let md_offset = pe.rva_to_offset(md_rva)?;
    let with_size = |off: u32, size: u32| -> Option<&[u8]> {
        let start = off as usize;
        let end = data.len().min(start.saturating_add(size as usize));
        data.get(start..end)
    };
    let md = with_size(md_offset, md_size)?;
    let res_offset = pe.rva_to_offset(res_rva);
    let resources = res_offset.and_then(|o| with_size(o, res_size));

    // Metadata root.
    if u32_at(md, 0)? != 0x424a_5342 {
        return None;
    }
    let vlen = u32_at(md, 12)?;
    if vlen > 255 {
        return None;
    }
    let vbytes = md.get(16..16 + vlen as usize)?;
    let vend = vbytes.iter().position(|&b| b == 0).unwrap_or(vbytes.len());
    let version = std::str::from_utf8(&vbytes[..vend]).ok()?.to_owned();
    let mut at = 16 + vlen as usize;
    u16_at(md, at)?; // flags
    let nstreams = u16_at(md, at + 2)?;
    if nstreams > MAX_STREAMS {
        return None;
    }
    at += 4;
    let mut headers = Vec::new();
    for _ in 0..nstreams {
        let offset = u32_at(md, at)?;
        let size = u32_at(md, at + 4)?;
        let rest = md.get(at + 8..)?;
        let len = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let name = &rest[..len];
        let padding = (len + 1).next_multiple_of(4);
        rest.get(..padding)?;
        at += 8 + padding;
        headers.push((offset.saturating_add(md_offset), size, name));
    }
    // Unlike the metadata itself, a stream must lie wholly in the file.
    let stream = |i: Option<usize>| -> Option<&[u8]> {
        let (off, size, _) = headers.get(i?)?;
        let start = *off as usize;
        data.get(start..start.saturating_add(*size as usize))
    };
    let find =
        |names: &[&[u8]]| headers.iter().rposition(|h| names.contains(&h.2));
    let tilde = stream(find(&[b"#~", b"#-"]));
    let mut meta = Meta {
        strings: stream(find(&[b"#Strings"])),
        blobs: stream(find(&[b"#Blob"])),
        rows: Vec::new(),
        wide_str: false,
        wide_guid: false,
        wide_blob: false,
        tables: Vec::new(),
    };
    if let Some(t) = tilde {
        meta.parse_tables(t);
    }

    let mut out = Dotnet { version, ..Dotnet::default() };
    out.streams = headers
        .iter()
        .map(|(offset, size, name)| Stream {
            name: std::str::from_utf8(name).ok().map(str::to_owned),
            offset: *offset,
            size: *size,
        })
        .collect();
    if let Some(g) = stream(find(&[b"#GUID"])) {
        out.guids = g.chunks_exact(16).take(MAX_GUIDS).map(guid).collect();
    }
    if let Some(us) = stream(find(&[b"#US"])) {
        out.user_strings = user_strings(us);
    }
    out.module_name =
        meta.rows(T::Module).first().and_then(|r| meta.string(r[1].num()));
    out.assembly = meta.rows(T::Assembly).first().map(|r| Assembly {
        name: meta.string(r[7].num()),
        culture: meta.string(r[8].num()).filter(|c| !c.is_empty()),
        version: Version {
            major: r[1].num(),
            minor: r[2].num(),
            build_number: r[3].num(),
            revision_number: r[4].num(),
        },
    });
    out.assembly_refs = meta
        .rows(T::AssemblyRef)
        .iter()
        .map(|r| AssemblyRef {
            name: meta.string(r[6].num()),
            public_key_or_token: meta
                .blob(r[5].num())
                .filter(|b| !b.is_empty())
                .map(<[u8]>::to_vec),
            version: Version {
                major: r[0].num(),
                minor: r[1].num(),
                build_number: r[2].num(),
                revision_number: r[3].num(),
            },
        })
        .collect();
    out.modulerefs = meta
        .rows(T::ModuleRef)
        .iter()
        .filter_map(|r| meta.string(r[0].num()))
        .collect();
    out.resources = meta
        .rows(T::ManifestResource)
        .iter()
        .map(|r| manifest_resource(&meta, r, resources, res_offset))
        .collect();
    out.constants = meta
        .rows(T::Constant)
        .iter()
        .filter(|r| r[0].num() == 0x0e)
        .filter_map(|r| meta.blob(r[3].num()))
        .map(<[u8]>::to_vec)
        .collect();
    out.field_offsets = meta
        .rows(T::FieldRva)
        .iter()
        .filter_map(|r| pe.rva_to_offset(r[0].num()))
        .collect();
    out.typelib = typelib(&meta);
    out.classes = classes::classes(&meta);
    Some(out)
}

fn manifest_resource(
    meta: &Meta,
    r: &[Val],
    data: Option<&[u8]>,
    data_offset: Option<u32>,
) -> Resource {
    let name = meta.string(r[2].num());
    let off = r[0].num();
    let Some(data) = data else {
        return Resource { name, offset: None, length: None };
    };
    let Some(len) = data.get(off as usize..).and_then(|d| u32_at(d, 0)) else {
        return Resource { name, offset: None, length: None };
    };
    let off = off.saturating_add(4);
    let start = off as usize;
    let bytes = data.get(start..start.saturating_add(len as usize));
    Resource {
        name,
        offset: data_offset.map(|b| b.saturating_add(off)),
        length: bytes.and_then(|b| u32::try_from(b.len()).ok()),
    }
}

/// The assembly's `GuidAttribute` string.
fn typelib(meta: &Meta) -> Option<String> {
    let attr = meta.rows(T::CustomAttribute).iter().find(|r| {
        let (Some(parent), Some(ty)) = (r[0].coded(), r[1].coded()) else {
            return false;
        };
        if parent.table != T::Assembly || ty.table != T::MemberRef {
            return false;
        }
        meta.rows(T::MemberRef)
            .get(ty.index)
            .and_then(|m| m[0].coded())
            .filter(|c| c.table == T::TypeRef)
            .and_then(|c| meta.rows(T::TypeRef).get(c.index))
            .and_then(|t| meta.string(t[1].num()))
            .is_some_and(|n| n == "GuidAttribute")
    })?;
    let value = meta.blob(attr[2].num())?;
    u16_at(value, 0)?;
    let len = usize::from(*value.get(2)?);
    let s = value.get(3..3 + len)?;
    std::str::from_utf8(s).ok().map(str::to_owned)
}

/// `#US` entries of at least 3 bytes, without their final flag byte.
fn user_strings(mut us: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((len, used)) = var_uint(us) {
        let Some(s) = us.get(used..used + len as usize) else { break };
        if s.len() >= 3 {
            out.push(s[..s.len() - 1].to_vec());
        }
        us = &us[used + len as usize..];
    }
    out
}

/// A GUID in its usual text form (first three fields little-endian).
fn guid(b: &[u8]) -> String {
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{}-{}",
        b[3],
        b[2],
        b[1],
        b[0],
        b[5],
        b[4],
        b[7],
        b[6],
        super::pe::bytes::hex(&b[8..10]),
        super::pe::bytes::hex(&b[10..16]),
    )
}

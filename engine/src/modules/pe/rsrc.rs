//! The PE resource tree (`IMAGE_RESOURCE_DIRECTORY`, three levels: type,
//! name, language) and the `VS_VERSIONINFO` resources whose
//! `StringFileInfo` strings become `pe.version_info`.

use std::collections::VecDeque;

use super::bytes::{u16_at, u32_at};
use super::{DIR_RESOURCE, Headers};

const MAX_RESOURCES: usize = 65536;
/// Our own cap (YARA-X has none): directory entries visited in one tree,
/// so that a tree whose directories all point at each other stays cheap.
const MAX_ENTRIES_VISITED: usize = 1 << 20;
const RT_VERSION: u32 = 16;

/// One leaf of the resource tree (`pe.resources[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Resource {
    /// `rva` of the resource data.
    pub rva: u32,
    /// `offset`: file offset of the data (undefined if unmappable).
    pub offset: Option<u32>,
    /// `length`.
    pub length: u32,
    /// `type` (`pe.RESOURCE_TYPE_*`) when the type has a numeric id.
    pub type_: Option<u32>,
    /// `id` when the resource has a numeric id.
    pub id: Option<u32>,
    /// `language` when numeric.
    pub language: Option<u32>,
    /// `type_string`: the type's name as raw UTF-16LE bytes.
    pub type_string: Option<Vec<u8>>,
    /// `name_string`: the resource's name as raw UTF-16LE bytes.
    pub name_string: Option<Vec<u8>>,
    /// `language_string`: the language's name as raw UTF-16LE bytes.
    pub language_string: Option<Vec<u8>>,
}

/// The root directory's header.
pub(crate) struct ResourceDir {
    pub timestamp: u32,
    pub major_version: u16,
    pub minor_version: u16,
}

#[derive(Clone, Copy)]
enum Id<'a> {
    Unknown,
    Num(u32),
    Name(&'a [u8]),
}

/// Parses an `IMAGE_RESOURCE_DIRECTORY`: header and entry count.
fn parse_dir(d: &[u8]) -> Option<(ResourceDir, usize)> {
    if u32_at(d, 0)? != 0 {
        return None;
    }
    let named = u16_at(d, 12)?;
    let ids = u16_at(d, 14)?;
    if named > 32768 || ids > 32768 {
        return None;
    }
    let dir = ResourceDir {
        timestamp: u32_at(d, 4)?,
        major_version: u16_at(d, 8)?,
        minor_version: u16_at(d, 10)?,
    };
    Some((dir, usize::from(named) + usize::from(ids)))
}

impl Headers<'_> {
    /// The resource tree, breadth first; `None` when there are no
    /// resources (YARA-X then leaves `resource_timestamp` undefined).
    pub(crate) fn resources(&self) -> Option<(ResourceDir, Vec<Resource>)> {
        let (_, _, section) = self.dir_entry_data(DIR_RESOURCE, false)?;
        let mut queue = VecDeque::new();
        let mut out = Vec::new();
        let mut root = None;
        let mut visited = 0usize;
        queue.push_back((0u8, [Id::Unknown; 3], section));
        'outer: while let Some((level, ids, dir)) = queue.pop_front() {
            let Some((header, n)) = parse_dir(dir) else { continue };
            if level == 0 {
                root = Some(header);
            }
            let entries = dir.get(16..).unwrap_or_default();
            for raw in entries.chunks_exact(8).take(n) {
                visited += 1;
                if visited > MAX_ENTRIES_VISITED {
                    break 'outer;
                }
                let name_or_id = u32_at(raw, 0).unwrap_or(0);
                let offset = u32_at(raw, 4).unwrap_or(0);
                let is_subdir = offset & 0x8000_0000 != 0;
                let offset = (offset & 0x7fff_ffff) as usize;
                if offset == 0 || offset >= section.len() {
                    continue;
                }
                let id = if name_or_id & 0x8000_0000 != 0 {
                    section
                        .get((name_or_id & 0x7fff_ffff) as usize..)
                        .and_then(|s| {
                            let len = u16_at(s, 0)?;
                            if len >= 1000 {
                                return None;
                            }
                            s.get(2..2 + 2 * usize::from(len))
                        })
                        .map_or(Id::Unknown, Id::Name)
                } else {
                    Id::Num(name_or_id)
                };
                let entry_data = &section[offset..];
                let ids = match (level, id) {
                    (0, _) => [id, Id::Unknown, Id::Unknown],
                    (1, _) => [ids[0], id, Id::Unknown],
                    (2, Id::Num(n)) if n > 0xfffff => continue,
                    (2, _) => [ids[0], ids[1], id],
                    _ => continue,
                };
                if is_subdir {
                    queue.push_back((level + 1, ids, entry_data));
                }
                // As in YARA-X, any entry (a subdirectory too) whose bytes
                // read as a plausible IMAGE_RESOURCE_DATA_ENTRY is a leaf.
                let (Some(rva), Some(length), Some(_)) = (
                    u32_at(entry_data, 0),
                    u32_at(entry_data, 4),
                    u32_at(entry_data, 12),
                ) else {
                    continue;
                };
                if length == 0 || rva == 0 || length >= 0x3fff_ffff {
                    continue;
                }
                let mut r = Resource {
                    rva,
                    length,
                    offset: self.rva_to_offset(rva),
                    ..Resource::default()
                };
                match ids[0] {
                    // YARA-X keeps only types that fit its i32 enum.
                    Id::Num(n) => r.type_ = i32::try_from(n).ok().map(|_| n),
                    Id::Name(s) => r.type_string = Some(s.to_vec()),
                    Id::Unknown => {}
                }
                match ids[1] {
                    Id::Num(n) => r.id = Some(n),
                    Id::Name(s) => r.name_string = Some(s.to_vec()),
                    Id::Unknown => {}
                }
                match ids[2] {
                    Id::Num(n) => r.language = Some(n),
                    Id::Name(s) => r.language_string = Some(s.to_vec()),
                    Id::Unknown => {}
                }
                out.push(r);
                if out.len() == MAX_RESOURCES {
                    break 'outer;
                }
            }
        }
        if out.is_empty() {
            return None;
        }
        Some((root?, out))
    }

    /// `(key, value)` strings of every `VS_VERSIONINFO` resource.
    pub(crate) fn version_info(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for r in &self.pe.resources {
            if r.type_ != Some(RT_VERSION) {
                continue;
            }
            let Some(raw) = r.offset.and_then(|o| self.data.get(o as usize..))
            else {
                continue;
            };
            if let Some(strings) = parse_vs_version_info(raw) {
                out.extend(strings);
            }
        }
        out
    }
}

/// Rounds up to a multiple of 4.
fn round_up(n: usize) -> usize {
    n.div_ceil(4) * 4
}

/// YARA-X's UTF-16LE string reader: units up to a NUL or the end of `d`;
/// the NUL is consumed when present. Fails only when a single odd byte
/// is left where the NUL should be. Returns the string and the bytes
/// consumed.
fn utf16z(d: &[u8]) -> Option<(String, usize)> {
    let mut units = Vec::new();
    let mut i = 0;
    while let Some(u) = u16_at(d, i) {
        if u == 0 {
            break;
        }
        units.push(u);
        i += 2;
    }
    if i < d.len() {
        if d.len() - i < 2 {
            return None;
        }
        i += 2;
    }
    Some((String::from_utf16_lossy(&units), i))
}

/// One node of the version-info tree: its key, the bytes holding its
/// value then its children, and the bytes after it.
struct Node<'a> {
    key: String,
    value_len: u16,
    body: &'a [u8],
    rest: &'a [u8],
}

/// Parses a node's header (length rounded up to 4, value length, type,
/// key, padding to 4).
fn node(input: &[u8]) -> Option<Node<'_>> {
    let length = round_up(usize::from(u16_at(input, 0)?));
    let structure = input.get(..length)?;
    let rest = &input[length..];
    let value_len = u16_at(structure, 2)?;
    u16_at(structure, 4)?;
    let (key, used) = utf16z(&structure[6..])?;
    let body = structure.get(round_up(6 + used)..)?;
    Some(Node { key, value_len, body, rest })
}

fn parse_vs_version_info(raw: &[u8]) -> Option<Vec<(String, String)>> {
    let root = node(raw)?;
    if root.key != "VS_VERSION_INFO" {
        return None;
    }
    // The value, a 52-byte VS_FIXEDFILEINFO, is skipped when it is there.
    let mut children = root.body;
    if root.value_len > 0 && children.len() >= 52 {
        children = &children[52..];
    }
    // An optional VarFileInfo, then an optional StringFileInfo.
    if let Some(n) = node(children) {
        if n.key == "VarFileInfo" {
            children = n.rest;
        }
    }
    let n = node(children)?;
    if n.key != "StringFileInfo" {
        return None;
    }
    // One or more StringTables, each with one or more Strings.
    let mut out = Vec::new();
    let mut tables = n.body;
    let mut any = false;
    while let Some(table) = node(tables) {
        let Some(strings) = string_table(table.body) else { break };
        out.extend(strings);
        any = true;
        tables = table.rest;
    }
    any.then_some(out)
}

fn string_table(mut d: &[u8]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    while let Some(s) = node(d) {
        let value = if s.value_len > 0 {
            utf16z(s.body).map(|v| v.0).unwrap_or_default()
        } else {
            String::new()
        };
        out.push((s.key, value));
        d = s.rest;
    }
    (!out.is_empty()).then_some(out)
}

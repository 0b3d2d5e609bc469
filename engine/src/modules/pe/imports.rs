//! The PE import directory (`IMAGE_IMPORT_DESCRIPTOR`), the delay-load
//! directory (`IMAGE_DELAYLOAD_DESCRIPTOR`) and the export directory
//! (`IMAGE_EXPORT_DIRECTORY`), parsed the way YARA-X parses them.

use std::collections::HashMap;

use super::bytes::{cstr_at_max, u16_at, u32_at, u64_at};
use super::ordinals::{OLEAUT32, WS2_32};
use super::{DIR_DELAY_IMPORT, DIR_EXPORT, DIR_IMPORT, Headers};

const MAX_IMPORTS: usize = 16384;
const MAX_EXPORTS: usize = 16384;
/// Longest function name kept.
const MAX_NAME_LEN: usize = 1024;

/// One imported DLL (`pe.import_details[i]`,
/// `pe.delayed_import_details[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Import {
    /// `library_name`.
    pub library_name: String,
    /// `functions`; `number_of_functions` is its length.
    pub functions: Vec<Function>,
}

/// One imported function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Function {
    /// `name`: the imported name, or for imports by ordinal the name YARA
    /// knows for it (ws2_32, wsock32, oleaut32) or `ordN`.
    pub name: Option<String>,
    /// `ordinal` (imports by ordinal only).
    pub ordinal: Option<u32>,
    /// `rva`: the IAT slot of this function.
    pub rva: u32,
}

/// One exported function (`pe.export_details[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Export {
    /// `name` (exports by ordinal only have none).
    pub name: Option<String>,
    /// `ordinal`.
    pub ordinal: u32,
    /// `rva`.
    pub rva: u32,
    /// `offset` (undefined for forwarders or unmappable RVAs).
    pub offset: Option<u32>,
    /// `forward_name`, e.g. `COMSVCS.SafeRef`.
    pub forward_name: Option<String>,
}

/// What the export directory gives.
pub(crate) struct Exports {
    pub dll_name: Option<String>,
    pub timestamp: u32,
    pub functions: Vec<Export>,
}

/// Descriptor fields common to ordinary and delayed imports.
struct Descriptor {
    /// Values are virtual addresses, not RVAs (old delay-load format).
    va_values: bool,
    name: u32,
    int: u32,
    iat: u32,
}

/// The name YARA gives to `ordinal` imported from `dll`.
pub(crate) fn ord_to_name(dll: &str, ordinal: u16) -> String {
    let table = match dll.to_ascii_lowercase().as_str() {
        "ws2_32.dll" | "wsock32.dll" => WS2_32,
        "oleaut32.dll" => OLEAUT32,
        _ => &[],
    };
    match table.binary_search_by_key(&ordinal, |&(o, _)| o) {
        Ok(i) => table[i].1.to_owned(),
        Err(_) => format!("ord{ordinal}"),
    }
}

impl Headers<'_> {
    /// Ordinary (`delayed == false`) or delayed imports; `None` when the
    /// directory is absent or unreadable.
    pub(crate) fn imports(&self, delayed: bool) -> Option<Vec<Import>> {
        // YARA-X reads ordinary descriptors up to the end of the file but
        // delayed ones only within the directory's declared size.
        let (rva, _, table) = if delayed {
            self.dir_entry_data(DIR_DELAY_IMPORT, true)?
        } else {
            self.dir_entry_data(DIR_IMPORT, false)?
        };
        if rva == 0 {
            return None;
        }
        let is32 = !self.is_64bit_magic();
        let width = if is32 { 4 } else { 8 };
        let max_thunk: u64 =
            if is32 { 0x8000_ffff } else { 0x8000_0000_0000_ffff };
        let image_base = self.pe.image_base as u64;
        let mut result = Vec::new();
        let mut total = 0usize;
        let size = if delayed { 32 } else { 20 };
        for raw in table.chunks_exact(size).take(MAX_IMPORTS) {
            let mut d = if delayed {
                Descriptor {
                    va_values: u32_at(raw, 0)? & 1 == 0,
                    name: u32_at(raw, 4)?,
                    iat: u32_at(raw, 12)?,
                    int: u32_at(raw, 16)?,
                }
            } else {
                Descriptor {
                    va_values: false,
                    int: u32_at(raw, 0)?,
                    name: u32_at(raw, 12)?,
                    iat: u32_at(raw, 16)?,
                }
            };
            if d.name == 0 || (d.iat == 0 && d.int == 0) {
                break;
            }
            if d.va_values {
                let Ok(base) = u32::try_from(image_base) else { continue };
                d.name = d.name.saturating_sub(base);
                d.int = d.int.saturating_sub(base);
                d.iat = d.iat.saturating_sub(base);
            }
            let Some(dll_name) = self.dll_name_at_rva(d.name) else {
                continue;
            };
            let thunks =
                if d.int > 0 { self.data_at_rva(d.int) } else { None }
                    .or_else(|| self.data_at_rva(d.iat));
            let Some(thunks) = thunks else { continue };
            let mut funcs = Vec::new();
            for (i, raw) in
                thunks.chunks_exact(width).take(MAX_IMPORTS).enumerate()
            {
                let mut thunk = if is32 {
                    u64::from(u32_at(raw, 0).unwrap_or(0))
                } else {
                    u64_at(raw, 0).unwrap_or(0)
                };
                if thunk == 0 {
                    break;
                }
                if thunk > max_thunk {
                    continue;
                }
                let by_ordinal = if is32 {
                    thunk & 0x8000_0000 != 0
                } else {
                    thunk & 0x8000_0000_0000_0000 != 0
                };
                let mut f = Function {
                    rva: d.iat.saturating_add((i * width) as u32),
                    ..Function::default()
                };
                if by_ordinal {
                    let ordinal = (thunk & 0xffff) as u16;
                    f.ordinal = Some(u32::from(ordinal));
                    f.name = Some(ord_to_name(&dll_name, ordinal));
                } else {
                    if d.va_values {
                        thunk = thunk.saturating_sub(image_base);
                    }
                    if let Ok(rva) = u32::try_from(thunk) {
                        f.name = self.import_by_name(rva);
                    }
                }
                if f.ordinal.is_some() || f.name.is_some() {
                    funcs.push(f);
                }
            }
            if !funcs.is_empty() {
                total += funcs.len();
                result
                    .push(Import { library_name: dll_name, functions: funcs });
            }
            if total >= MAX_IMPORTS {
                break;
            }
        }
        Some(result)
    }

    /// `IMAGE_IMPORT_BY_NAME` at `rva`: a hint, then a non-empty name of
    /// printable ASCII (at most 1024 bytes are kept).
    fn import_by_name(&self, rva: u32) -> Option<String> {
        let data = self.data_at_rva(rva)?;
        u16_at(data, 0)?;
        let name = cstr_at_max(data, 2, MAX_NAME_LEN)?;
        if name.is_empty() || !name.iter().all(u8::is_ascii_graphic) {
            return None;
        }
        String::from_utf8(name.to_vec()).ok()
    }

    /// The export directory.
    pub(crate) fn exports(&self) -> Option<Exports> {
        let (dir_rva, dir_size, dir) =
            self.dir_entry_data(DIR_EXPORT, true)?;
        if dir_rva == 0 {
            return None;
        }
        let timestamp = u32_at(dir, 4)?;
        let name_rva = u32_at(dir, 12)?;
        let base = u32_at(dir, 16)?;
        let number_of_functions = u32_at(dir, 20)?;
        let number_of_names = u32_at(dir, 24)?;
        let address_of_functions = u32_at(dir, 28)?;
        let address_of_names = u32_at(dir, 32)?;
        let address_of_name_ordinals = u32_at(dir, 36)?;
        let dll_name = self.dll_name_at_rva(name_rva);
        if address_of_functions == 0 {
            return Some(Exports {
                dll_name,
                timestamp,
                functions: Vec::new(),
            });
        }
        let n = (number_of_functions as usize).min(MAX_EXPORTS);
        let num_names = (number_of_names as usize).min(MAX_EXPORTS);
        let funcs = self.data_at_rva(address_of_functions).unwrap_or_default();
        // The name table is used only when it holds all its entries.
        let names = self
            .data_at_rva(address_of_names)
            .filter(|t| t.len() / 4 >= num_names)
            .unwrap_or_default();
        let ords =
            self.data_at_rva(address_of_name_ordinals).unwrap_or_default();
        // First position of each function index in the name-ordinal table.
        let mut first_name: HashMap<u16, usize> = HashMap::new();
        for (pos, raw) in ords.chunks_exact(2).take(num_names).enumerate() {
            let idx = u16_at(raw, 0).unwrap_or(0);
            first_name.entry(idx).or_insert(pos);
        }
        let dir_end = dir_rva.saturating_add(dir_size);
        let mut functions = Vec::with_capacity(n.min(funcs.len() / 4));
        for (i, raw) in funcs.chunks_exact(4).take(n).enumerate() {
            let rva = u32_at(raw, 0).unwrap_or(0);
            let Some(ordinal) = base.checked_add(i as u32) else { continue };
            let mut e = Export { rva, ordinal, ..Export::default() };
            if let Some(&pos) =
                u16::try_from(i).ok().and_then(|i| first_name.get(&i))
            {
                if let Some(name_rva) = u32_at(names, pos * 4) {
                    e.name = self.str_at_rva(name_rva, MAX_NAME_LEN);
                }
            }
            if (dir_rva..dir_end).contains(&rva) {
                e.forward_name = self.str_at_rva(rva, MAX_NAME_LEN);
            } else {
                e.offset = self.rva_to_offset(rva);
            }
            functions.push(e);
        }
        Some(Exports { dll_name, timestamp, functions })
    }
}

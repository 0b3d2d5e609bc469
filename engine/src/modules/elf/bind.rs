//! The `elf` module as rules see it: YARA-X's schema (fields, functions
//! and constants) over the parsed [`Elf`].

use std::sync::Arc;

use super::super::shape::{Shape, struct_type};
use super::super::{Arg, Ctx, Native, StructType, Type, Value, sig};
use super::consts::CONSTANTS;
use super::{Dyn, Elf, Section, Segment, Sym};

pub(crate) fn schema() -> StructType {
    struct_type(root)
}

pub(crate) fn main(data: &[u8]) -> Value {
    let elf = super::parse(data);
    let mut s = Shape::values();
    root(&mut s, elf.as_ref());
    let Value::Struct(mut slots) = s.into_value() else {
        return Value::Undef;
    };
    if let Some(elf) = elf {
        slots.push(Value::Native(Native(Arc::new(elf))));
    }
    Value::Struct(slots)
}

fn section(s: &mut Shape, v: Option<&Section>) {
    s.enumerated("type", v.map(|v| v.type_), CONSTANTS, "SHT_");
    s.int("flags", v.map(|v| v.flags));
    s.int("address", v.map(|v| v.address));
    s.int("size", v.map(|v| v.size));
    s.int("offset", v.map(|v| v.offset));
    s.str("name", v.and_then(|v| v.name.as_ref()));
}

fn segment(s: &mut Shape, v: Option<&Segment>) {
    s.enumerated("type", v.map(|v| v.type_), CONSTANTS, "PT_");
    s.int("flags", v.map(|v| v.flags));
    s.int("offset", v.map(|v| v.offset));
    s.int("virtual_address", v.map(|v| v.virtual_address));
    s.int("physical_address", v.map(|v| v.physical_address));
    s.int("file_size", v.map(|v| v.file_size));
    s.int("memory_size", v.map(|v| v.memory_size));
    s.int("alignment", v.map(|v| v.alignment));
}

fn sym(s: &mut Shape, v: Option<&Sym>) {
    s.str("name", v.and_then(|v| v.name.as_ref()));
    s.int("value", v.map(|v| v.value));
    s.int("size", v.map(|v| v.size));
    s.enumerated("type", v.map(|v| v.type_), CONSTANTS, "STT_");
    s.enumerated("bind", v.map(|v| v.bind), CONSTANTS, "STB_");
    s.int("shndx", v.map(|v| v.shndx));
    s.enumerated("visibility", v.map(|v| v.visibility), CONSTANTS, "STV_");
}

fn dynamic(s: &mut Shape, v: Option<&Dyn>) {
    s.enumerated("type", v.map(|v| v.type_), CONSTANTS, "DT_");
    s.int("val", v.map(|v| v.val));
}

fn root(s: &mut Shape, e: Option<&Elf>) {
    s.enumerated("type", e.map(|e| e.type_), CONSTANTS, "ET_");
    s.enumerated("machine", e.map(|e| e.machine), CONSTANTS, "EM_");
    s.enumerated("osabi", e.map(|e| e.osabi), CONSTANTS, "OSABI_");
    s.int("entry_point", e.and_then(|e| e.entry_point));
    s.int("sh_offset", e.map(|e| e.sh_offset));
    s.int("sh_entry_size", e.map(|e| e.sh_entry_size));
    s.int("ph_offset", e.map(|e| e.ph_offset));
    s.int("ph_entry_size", e.map(|e| e.ph_entry_size));
    s.int("number_of_sections", e.map(|e| e.number_of_sections));
    s.int("number_of_segments", e.map(|e| e.number_of_segments));
    s.int("symtab_entries", e.and_then(|e| e.symtab_entries()));
    s.int("dynsym_entries", e.and_then(|e| e.dynsym_entries()));
    s.int("dynamic_section_entries", e.map(|e| e.dynamic_section_entries()));
    s.array("sections", e.map_or(&[], |e| &e.sections), section);
    s.array("segments", e.map_or(&[], |e| &e.segments), segment);
    s.array("symtab", e.map_or(&[], |e| &e.symtab), sym);
    s.array("dynsym", e.map_or(&[], |e| &e.dynsym), sym);
    s.array("dynamic", e.map_or(&[], |e| &e.dynamic), dynamic);
    s.func("import_md5", || vec![sig(&[], Type::Str, import_md5)]);
    s.func("telfhash", || vec![sig(&[], Type::Str, telfhash)]);
    s.consts(CONSTANTS);
}

/// `elf.import_md5()`: defined for any data (the md5 of no imports
/// when it is not ELF), as in YARA-X.
fn import_md5(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    let md5 = match ctx.native::<Elf>() {
        Some(elf) => elf.import_md5(),
        None => Elf::default().import_md5(),
    };
    Some(Value::Str(md5.into_bytes()))
}

/// `elf.telfhash()`: the TLSH of the names of the imported functions
/// (see `Elf::telfhash_input`), undefined when the file is not ELF or
/// the names are too few for a digest, as in YARA-X.
fn telfhash(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    let elf = ctx.native::<Elf>()?;
    let digest = super::tlsh::digest(elf.telfhash_input().as_bytes())?;
    Some(Value::Str(digest.into_bytes()))
}

//! Small static ELF executables with known sections, symbols and entry
//! point, written with `object`'s low-level ELF writer.

use object::Endianness;
use object::elf;
use object::write::elf::Writer;
use object::write::elf::{FileHeader, ProgramHeader, SectionHeader, Sym};

/// Where the one `PT_LOAD` segment (the whole file) is mapped.
pub const BASE: u64 = 0x40_0000;

/// What one generated ELF file holds.
#[derive(Clone, Debug)]
pub struct ElfSpec {
    pub is_64: bool,
    /// Machine code of `.text`; `_start`, the entry point, is its first
    /// byte.
    pub code: Vec<u8>,
    /// Contents of `.data`, the object `corpus_data`.
    pub data: Vec<u8>,
}

/// Writes the ELF file `spec` describes: sections `.text`, `.data`,
/// `.symtab`, `.strtab`, `.shstrtab` (six with the null section), symbols
/// `_start` and `corpus_data`.
pub fn write(spec: &ElfSpec) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = Writer::new(Endianness::Little, spec.is_64, &mut buf);
    w.reserve_file_header();
    w.reserve_program_headers(1);
    let text_off = w.reserve(spec.code.len(), 16);
    let data_off = w.reserve(spec.data.len(), 16);
    let end = w.reserved_len();

    w.reserve_null_section_index();
    let text_name = w.add_section_name(b".text");
    let text_idx = w.reserve_section_index();
    let data_name = w.add_section_name(b".data");
    let data_idx = w.reserve_section_index();
    w.reserve_symtab_section_index();
    w.reserve_strtab_section_index();
    w.reserve_shstrtab_section_index();

    w.reserve_null_symbol_index();
    let start_name = w.add_string(b"_start");
    w.reserve_symbol_index(Some(text_idx));
    let data_sym = w.add_string(b"corpus_data");
    w.reserve_symbol_index(Some(data_idx));
    w.reserve_symtab();
    w.reserve_strtab();
    w.reserve_shstrtab();
    w.reserve_section_headers();

    let entry = BASE + text_off as u64;
    w.write_file_header(&FileHeader {
        os_abi: elf::ELFOSABI_SYSV,
        abi_version: 0,
        e_type: elf::ET_EXEC,
        e_machine: if spec.is_64 { elf::EM_X86_64 } else { elf::EM_386 },
        e_entry: entry,
        e_flags: 0,
    })
    .expect("writes to a Vec");
    w.write_align_program_headers();
    w.write_program_header(&ProgramHeader {
        p_type: elf::PT_LOAD,
        p_flags: elf::PF_R | elf::PF_X,
        p_offset: 0,
        p_vaddr: BASE,
        p_paddr: BASE,
        p_filesz: end as u64,
        p_memsz: end as u64,
        p_align: 0x1000,
    });
    w.pad_until(text_off);
    w.write(&spec.code);
    w.pad_until(data_off);
    w.write(&spec.data);

    w.write_null_symbol();
    w.write_symbol(&Sym {
        name: Some(start_name),
        section: Some(text_idx),
        st_info: (elf::STB_GLOBAL << 4) | elf::STT_FUNC,
        st_other: elf::STV_DEFAULT,
        st_shndx: 0,
        st_value: entry,
        st_size: spec.code.len() as u64,
    });
    w.write_symbol(&Sym {
        name: Some(data_sym),
        section: Some(data_idx),
        st_info: (elf::STB_GLOBAL << 4) | elf::STT_OBJECT,
        st_other: elf::STV_DEFAULT,
        st_shndx: 0,
        st_value: BASE + data_off as u64,
        st_size: spec.data.len() as u64,
    });
    w.write_strtab();
    w.write_shstrtab();

    w.write_null_section_header();
    w.write_section_header(&SectionHeader {
        name: Some(text_name),
        sh_type: elf::SHT_PROGBITS,
        sh_flags: u64::from(elf::SHF_ALLOC | elf::SHF_EXECINSTR),
        sh_addr: entry,
        sh_offset: text_off as u64,
        sh_size: spec.code.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 16,
        sh_entsize: 0,
    });
    w.write_section_header(&SectionHeader {
        name: Some(data_name),
        sh_type: elf::SHT_PROGBITS,
        sh_flags: u64::from(elf::SHF_ALLOC | elf::SHF_WRITE),
        sh_addr: BASE + data_off as u64,
        sh_offset: data_off as u64,
        sh_size: spec.data.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 16,
        sh_entsize: 0,
    });
    w.write_symtab_section_header(1);
    w.write_strtab_section_header();
    w.write_shstrtab_section_header();
    drop(w);
    buf
}

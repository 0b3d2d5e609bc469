//! The `pe`, `elf` and `dotnet` modules in rule conditions, over the
//! shared test files: each case is a condition and the files on which
//! YARA-X 1.22 finds it true (taken from its Python binding; every other
//! file must not match). The modules a condition names are imported.

use sigscan::{Compiler, Scanner};

const DIR: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/testdata/libyara/");

/// Every file of the shared directory the cases are run over.
const FILES: &[&str] = &[
    "COPYING",
    "ChipTune.efi",
    "base64",
    "elf_with_imports",
    "mtxex.dll",
    "mtxex_modified_rsrc_rva.dll",
    "pe_imports",
    "pe_mingw",
    "tiny",
    "tiny-idata-51ff",
    "tiny-idata-5200",
    "tiny-overlay",
    "tiny.notes",
    "tiny_empty_import_name",
    "undersized_rich",
    "weird_rich",
    "xor.out",
    "xorwide.out",
    "xorwideandascii.out",
];

/// `(condition, files where YARA-X finds it true)`; `FILES` means all.
const CASES: &[(&str, &[&str])] = &[
    (
        "pe.is_pe",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
        ],
    ),
    (
        "pe.number_of_sections == 4 and pe.imports(\"KERNEL32.dll\", \"ExitProcess\")",
        &["pe_imports"],
    ),
    (
        "pe.exports(\"DllGetClassObject\")",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    ("pe.exports(/^Dll/)", &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"]),
    (
        "pe.exports_index(/^Dll/) == 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    ("pe.imports(/kernel32/i, /exit/i) > 0", &["pe_imports"]),
    ("pe.imports(/kernel32/i, /exit/i) == 1", &["pe_imports"]),
    (
        "pe.imports(\"kernel32.dll\") == 21",
        &["tiny", "tiny-idata-51ff", "tiny-overlay"],
    ),
    (
        "pe.imports(pe.IMPORT_ANY, \"kernel32.dll\") > 3",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    ("pe.imports(pe.IMPORT_DELAYED, /./, /./) > 0", &["pe_imports"]),
    (
        "not pe.is_pe",
        &[
            "COPYING",
            "base64",
            "elf_with_imports",
            "tiny.notes",
            "xor.out",
            "xorwide.out",
            "xorwideandascii.out",
        ],
    ),
    (
        "pe.machine == pe.MACHINE_I386",
        &[
            "pe_imports",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
        ],
    ),
    (
        "pe.machine == pe.MACHINE_AMD64",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_mingw",
        ],
    ),
    ("pe.is_dll()", &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"]),
    (
        "pe.is_32bit()",
        &[
            "pe_imports",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
        ],
    ),
    (
        "pe.is_64bit()",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_mingw",
        ],
    ),
    ("pe.calculate_checksum() == pe.checksum", &["mtxex.dll", "tiny"]),
    (
        "pe.section_index(\".text\") == 0",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.section_index(0x400) == 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll", "pe_imports"],
    ),
    (
        "pe.rva_to_offset(pe.entry_point_raw) == pe.entry_point",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.rich_signature.version(0) > 0",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "weird_rich",
        ],
    ),
    (
        "pe.rich_signature.toolid(1) > 0",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "weird_rich",
        ],
    ),
    (
        "pe.rich_signature.clear_data startswith \"DanS\"",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "undersized_rich",
            "weird_rich",
        ],
    ),
    (
        "pe.version_info[\"CompanyName\"] contains \"Microsoft\"",
        &["mtxex.dll"],
    ),
    (
        "for any s in pe.sections : (s.name == \".rsrc\")",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    (
        "for any r in pe.resources : (r.type == pe.RESOURCE_TYPE_VERSION)",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    ("pe.overlay.size > 0", &["ChipTune.efi", "pe_mingw", "tiny-overlay"]),
    (
        "pe.number_of_signatures == 0",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
        ],
    ),
    (
        "for any i in (0..pe.number_of_signatures) : (pe.signatures[i].serial == \"x\")",
        &[],
    ),
    (
        "not for any i in (0..pe.number_of_signatures) : (pe.signatures[i].serial == \"x\")",
        FILES,
    ),
    ("pe.locale(0x0409)", &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"]),
    ("pe.language(0x09)", &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"]),
    ("pe.import_rva(\"KERNEL32.dll\", \"ExitProcess\") > 0", &["pe_imports"]),
    (
        "pe.number_of_exports > 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    ("pe.export_details[0].forward_name contains \".\"", &[]),
    (
        "pe.dll_name == \"mtxex.dll\"",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    (
        "pe.pdb_path contains \".pdb\"",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    ("elf.type == elf.ET_EXEC", &[]),
    ("elf.number_of_sections > 0", &["elf_with_imports"]),
    ("defined elf.import_md5()", FILES),
    ("for any s in elf.dynsym : (s.name == \"printf\")", &[]),
    ("elf.entry_point > 0", &[]),
    ("dotnet.is_dotnet", &[]),
    ("not dotnet.is_dotnet", FILES),
    ("defined dotnet.number_of_streams", &[]),
    (
        "pe.data_directories[pe.IMAGE_DIRECTORY_ENTRY_IMPORT].size > 0",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "weird_rich",
        ],
    ),
    ("pe.SECTION_MEM_WRITE == 0x80000000", FILES),
    (
        "pe.sections[0].characteristics & pe.SECTION_MEM_EXECUTE != 0",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.linker_version.major > 1",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "weird_rich",
        ],
    ),
    (
        "not for all s in pe.sections : (s.raw_data_size > 0)",
        &[
            "COPYING",
            "base64",
            "elf_with_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny.notes",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
            "xor.out",
            "xorwide.out",
            "xorwideandascii.out",
        ],
    ),
    (
        "for all s in pe.sections : (s.raw_data_size > 0)",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
        ],
    ),
    (
        "not defined pe.imphash()",
        &[
            "COPYING",
            "base64",
            "elf_with_imports",
            "tiny.notes",
            "xor.out",
            "xorwide.out",
            "xorwideandascii.out",
        ],
    ),
    (
        "pe.imphash() == \"d41d8cd98f00b204e9800998ecf8427e\"",
        &["ChipTune.efi", "undersized_rich", "weird_rich"],
    ),
    ("not pe.exports(\"x\")", FILES),
    ("not pe.imports(\"x.dll\", \"y\")", FILES),
    ("not (pe.imports(\"x.dll\") > 0)", FILES),
    ("not defined pe.section_index(\"zz\")", FILES),
    (
        "not pe.is_dll()",
        &[
            "ChipTune.efi",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
        ],
    ),
    ("pe.signatures[0].valid_on(1)", &[]),
    ("not defined pe.rich_signature.version(1)", &[]),
    ("pe.rich_signature.version(1) == 0", FILES),
    (
        "not defined pe.number_of_resources",
        &[
            "COPYING",
            "base64",
            "elf_with_imports",
            "tiny.notes",
            "xor.out",
            "xorwide.out",
            "xorwideandascii.out",
        ],
    ),
    (
        "for any k, v in pe.version_info : (k == \"CompanyName\")",
        &["mtxex.dll"],
    ),
    (
        "not for any k, v in pe.version_info : (k == \"CompanyName\")",
        &[
            "COPYING",
            "ChipTune.efi",
            "base64",
            "elf_with_imports",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny.notes",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
            "xor.out",
            "xorwide.out",
            "xorwideandascii.out",
        ],
    ),
    ("pe.number_of_imported_functions > 50", &["pe_imports"]),
    ("pe.number_of_delayed_imports > 0", &["pe_imports"]),
    (
        "pe.delayed_import_details[0].library_name == \"USER32.dll\"",
        &["pe_imports"],
    ),
    (
        "pe.import_details[0].number_of_functions > 5",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "for any i in pe.import_details : (for any f in i.functions : (f.name == \"ExitProcess\"))",
        &["pe_imports"],
    ),
    (
        "for any i in pe.import_details : (for any f in i.functions : (defined f.ordinal))",
        &[],
    ),
    ("pe.imports(\"ws2_32.dll\", 1)", &[]),
    ("pe.imports(pe.IMPORT_STANDARD, /ws2_32/i, /^ord/)", &[]),
    (
        "pe.imports(pe.IMPORT_ANY, \"KERNEL32.dll\", \"ExitProcess\")",
        &["pe_imports"],
    ),
    ("pe.exports(1)", &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"]),
    (
        "pe.exports_index(\"DllGetClassObject\") >= 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    (
        "pe.export_details[0].ordinal == 1",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    ("pe.export_timestamp > 0", &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"]),
    (
        "pe.resource_timestamp >= 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    (
        "pe.resource_version.major == 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    (
        "pe.resources[0].language == 1033",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    ("pe.number_of_version_infos > 5", &["mtxex.dll"]),
    ("pe.version_info_list[0].key == \"CompanyName\"", &["mtxex.dll"]),
    (
        "pe.rich_signature.key != 0",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "undersized_rich",
            "weird_rich",
        ],
    ),
    (
        "pe.rich_signature.tools[0].times > 0",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "weird_rich",
        ],
    ),
    ("pe.rich_signature.version(0x7809) > 0", &["weird_rich"]),
    ("pe.rich_signature.toolid(0x93, 0x7809) > 0", &[]),
    (
        "pe.sections[0].full_name == pe.sections[0].name",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.sections[1].virtual_size > 0",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.entry_point_raw > 0",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "weird_rich",
        ],
    ),
    (
        "pe.opthdr_magic == pe.IMAGE_NT_OPTIONAL_HDR64_MAGIC",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_mingw",
        ],
    ),
    (
        "pe.characteristics & pe.DLL != 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll"],
    ),
    (
        "pe.dll_characteristics & pe.DYNAMIC_BASE != 0",
        &["mtxex.dll", "mtxex_modified_rsrc_rva.dll", "pe_imports"],
    ),
    ("pe.subsystem == pe.SUBSYSTEM_EFI_APPLICATION", &["ChipTune.efi"]),
    (
        "pe.subsystem == pe.SUBSYSTEM_WINDOWS_CUI",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.image_base == 0x400000",
        &[
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.timestamp > 1000000000",
        &[
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "weird_rich",
        ],
    ),
    (
        "pe.size_of_image > 0x4000",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    (
        "pe.base_of_data > 0",
        &[
            "pe_imports",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
            "weird_rich",
        ],
    ),
    (
        "pe.offset_to_rva(pe.entry_point) == pe.entry_point_raw",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny_empty_import_name",
        ],
    ),
    ("pe.overlay.offset > 0", &["ChipTune.efi", "pe_mingw", "tiny-overlay"]),
    ("pe.is_signed", &[]),
    (
        "math.entropy(pe.sections[0].raw_data_offset, pe.sections[0].raw_data_size) > 5.0",
        &[
            "ChipTune.efi",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
        ],
    ),
    ("elf.machine == elf.EM_X86_64", &["elf_with_imports"]),
    ("elf.type == elf.ET_DYN", &["elf_with_imports"]),
    (
        "elf.import_md5() == \"d41d8cd98f00b204e9800998ecf8427e\"",
        &[
            "COPYING",
            "ChipTune.efi",
            "base64",
            "mtxex.dll",
            "mtxex_modified_rsrc_rva.dll",
            "pe_imports",
            "pe_mingw",
            "tiny",
            "tiny-idata-51ff",
            "tiny-idata-5200",
            "tiny-overlay",
            "tiny.notes",
            "tiny_empty_import_name",
            "undersized_rich",
            "weird_rich",
            "xor.out",
            "xorwide.out",
            "xorwideandascii.out",
        ],
    ),
    (
        "for any s in elf.sections : (s.name == \".text\" and s.type == elf.SHT_PROGBITS)",
        &["elf_with_imports"],
    ),
    (
        "for any s in elf.segments : (s.type == elf.PT_LOAD and s.flags & elf.PF_X != 0)",
        &["elf_with_imports"],
    ),
    (
        "for any d in elf.dynamic : (d.type == elf.DT_NEEDED)",
        &["elf_with_imports"],
    ),
    ("elf.symtab_entries > 0", &["elf_with_imports"]),
    ("elf.dynsym_entries > 0", &["elf_with_imports"]),
    (
        "for any s in elf.symtab : (s.bind == elf.STB_GLOBAL and s.type == elf.STT_FUNC)",
        &["elf_with_imports"],
    ),
    ("not defined dotnet.version", FILES),
    ("dotnet.number_of_streams == 0", &[]),
    ("not defined dotnet.assembly.name", FILES),
    ("for any g in dotnet.guids : (true)", &[]),
];

#[test]
fn module_conditions_agree_with_yarax() {
    let data: Vec<(&str, Vec<u8>)> = FILES
        .iter()
        .map(|f| {
            let bytes = std::fs::read(format!("{DIR}{f}"))
                .unwrap_or_else(|e| panic!("cannot read {DIR}{f}: {e}"));
            (*f, bytes)
        })
        .collect();
    let mut failures = Vec::new();
    for (cond, want) in CASES {
        let imports: String = ["pe", "elf", "dotnet", "hash", "math"]
            .iter()
            .filter(|m| cond.contains(&format!("{m}.")))
            .map(|m| format!("import \"{m}\"\n"))
            .collect();
        let src = format!("{imports}rule a {{ condition: {cond} }}");
        let mut c = Compiler::new();
        if let Err(e) = c.add_source(&src) {
            failures.push(format!("{cond}: compile error\n{e}"));
            continue;
        }
        let rules = c.build().expect("build");
        let mut got = Vec::new();
        for (name, bytes) in &data {
            let mut scanner = Scanner::new(&rules);
            let results = scanner.scan(bytes).expect("scan");
            if results.matching_rules().next().is_some() {
                got.push(*name);
            }
        }
        if got != *want {
            failures.push(format!("{cond}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn regex_arguments_only_where_a_function_takes_one() {
    for (src, ok) in [
        (r#"import "pe" rule a { condition: pe.exports(/^Dll/) }"#, true),
        (
            r#"import "pe" rule a { condition: pe.imports(/k/, /e/) > 0 }"#,
            true,
        ),
        (r#"import "pe" rule a { condition: pe.imports(/k/) }"#, false),
        (r#"import "pe" rule a { condition: pe.is_dll(/k/) }"#, false),
        (r#"import "pe" rule a { condition: pe.exports(/(/) }"#, false),
        (r#"import "pe" rule a { condition: pe.imports("k", /e/) }"#, false),
    ] {
        let mut c = Compiler::new();
        assert_eq!(c.add_source(src).is_ok(), ok, "{src}");
    }
}

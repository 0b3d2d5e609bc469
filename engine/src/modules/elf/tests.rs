//! Tests of the ELF parser. `testdata/NAME.json` is YARA-X 1.22's `elf`
//! module output for `shared/testdata/libyara/NAME`, with enum names
//! turned into their numbers.

use serde_json::{Map, Value, json};

use super::*;
use crate::modules::pe::tests::{diff, for_each_mutation, libyara};

fn syms(list: &[Sym]) -> Value {
    list.iter()
        .map(|s| {
            let mut m = Map::new();
            if let Some(n) = &s.name {
                m.insert("name".into(), n.clone().into());
            }
            m.insert("value".into(), s.value.into());
            m.insert("size".into(), s.size.into());
            m.insert("type".into(), s.type_.into());
            m.insert("bind".into(), s.bind.into());
            m.insert("shndx".into(), s.shndx.into());
            m.insert("visibility".into(), s.visibility.into());
            Value::Object(m)
        })
        .collect()
}

/// Renders `elf` like the canonical YARA-X dump.
fn to_json(elf: &Elf) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("type", elf.type_.into());
    put("machine", elf.machine.into());
    put("osabi", elf.osabi.into());
    put("sh_offset", elf.sh_offset.into());
    put("sh_entry_size", elf.sh_entry_size.into());
    put("ph_offset", elf.ph_offset.into());
    put("ph_entry_size", elf.ph_entry_size.into());
    put("number_of_sections", elf.number_of_sections.into());
    put("number_of_segments", elf.number_of_segments.into());
    put("dynamic_section_entries", elf.dynamic_section_entries().into());
    if let Some(e) = elf.entry_point {
        put("entry_point", e.into());
    }
    if let Some(n) = elf.symtab_entries() {
        put("symtab_entries", n.into());
    }
    if let Some(n) = elf.dynsym_entries() {
        put("dynsym_entries", n.into());
    }
    put(
        "sections",
        elf.sections
            .iter()
            .map(|s| {
                let mut m = Map::new();
                m.insert("type".into(), s.type_.into());
                m.insert("flags".into(), s.flags.into());
                m.insert("address".into(), s.address.into());
                m.insert("size".into(), s.size.into());
                m.insert("offset".into(), s.offset.into());
                if let Some(n) = &s.name {
                    m.insert("name".into(), n.clone().into());
                }
                Value::Object(m)
            })
            .collect(),
    );
    put(
        "segments",
        elf.segments
            .iter()
            .map(|s| {
                json!({
                    "type": s.type_, "flags": s.flags, "offset": s.offset,
                    "virtual_address": s.virtual_address,
                    "physical_address": s.physical_address,
                    "file_size": s.file_size, "memory_size": s.memory_size,
                    "alignment": s.alignment,
                })
            })
            .collect(),
    );
    put(
        "dynamic",
        elf.dynamic
            .iter()
            .map(|d| json!({"type": d.type_, "val": d.val}))
            .collect(),
    );
    put("symtab", syms(&elf.symtab));
    put("dynsym", syms(&elf.dynsym));
    Value::Object(m)
}

/// Empty lists are absent in the YARA-X dump.
fn prune(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !matches!(v, Value::Array(a) if a.is_empty()))
                .collect(),
        ),
        v => v,
    }
}

#[test]
fn matches_yara_x_output() {
    let data = libyara("elf_with_imports");
    let elf = parse(&data).unwrap();
    let path = format!(
        "{}/src/modules/elf/testdata/elf_with_imports.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    diff("elf", &prune(to_json(&elf)), &prune(expected), &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(elf.import_md5(), "141ad500037085bdbe4665241c44f936");
}

#[test]
fn not_elf() {
    for name in ["tiny", "COPYING", "base64"] {
        assert!(parse(&libyara(name)).is_none(), "{name}");
    }
    assert!(parse(b"\x7fELF\x02\x01").is_none());
}

#[test]
fn hostile_input_does_not_panic() {
    let data = libyara("elf_with_imports");
    for_each_mutation(&data, 256, |d| {
        if let Some(elf) = parse(d) {
            let _ = elf.import_md5();
        }
    });
    // Big-endian and 32-bit variants of the same bytes.
    for (class, order) in [(1u8, 1u8), (1, 2), (2, 2)] {
        let mut d = data.clone();
        d[4] = class;
        d[5] = order;
        for_each_mutation(&d, 64, |d| {
            let _ = parse(d);
        });
    }
}

/// Prints the JSON rendering of `$SIGSCAN_DUMP` (for comparing with
/// YARA-X by hand on other files).
#[test]
#[ignore = "a tool, not a test: needs $SIGSCAN_DUMP"]
fn dump() {
    let path = std::env::var("SIGSCAN_DUMP").unwrap();
    let elf = parse(&std::fs::read(path).unwrap());
    println!("{}", elf.map(|e| to_json(&e)).unwrap_or(Value::Null));
}

/// Like `pe::tests::dump_list`, for ELF (with `import_md5`).
#[test]
#[ignore = "a tool, not a test: needs $SIGSCAN_DUMP_LIST"]
fn dump_list() {
    let list = std::env::var("SIGSCAN_DUMP_LIST").unwrap();
    for path in std::fs::read_to_string(list).unwrap().lines() {
        let data = std::fs::read(path).unwrap();
        let v = parse(&data).map(|e| {
            let mut v = to_json(&e);
            v["import_md5"] = e.import_md5().into();
            v
        });
        println!("{}", v.unwrap_or(Value::Null));
    }
}

/// `elf.telfhash()` of YARA's test file, as YARA-X 1.22 computes it
/// (more files are compared in `benches/tests/dump_differential.rs`).
#[test]
fn telfhash_matches_yara_x() {
    let data = libyara("elf_with_imports");
    let elf = parse(&data).unwrap();
    let digest = super::tlsh::digest(elf.telfhash_input().as_bytes());
    assert_eq!(
        digest.as_deref(),
        Some(
            "T174B012188204F00184540770331E0B111373086019509C464D0ACE88181266\
             C09774FA"
        )
    );
}

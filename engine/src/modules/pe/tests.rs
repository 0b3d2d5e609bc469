//! Tests of the PE parser. `testdata/NAME.json` is YARA-X 1.22's `pe`
//! module output for `shared/testdata/libyara/NAME`, dumped once with
//! enum names turned into their numbers, bytes into `hex:…` and times
//! into Unix seconds; [`to_json`] renders a [`Pe`] the same way.

use serde_json::{Map, Value, json};

use super::*;

fn hexv(b: &[u8]) -> Value {
    Value::String(format!("hex:{}", bytes::hex(b)))
}

fn version(v: &Version) -> Value {
    json!({"major": v.major, "minor": v.minor})
}

fn cert(c: &Certificate) -> Value {
    json!({
        "issuer": c.issuer, "subject": c.subject,
        "thumbprint": c.thumbprint, "version": c.version,
        "algorithm": c.algorithm, "algorithm_oid": c.algorithm_oid,
        "serial": c.serial, "not_before": c.not_before,
        "not_after": c.not_after,
    })
}

fn insert_opt<T: Into<Value>>(
    m: &mut Map<String, Value>,
    k: &str,
    v: Option<T>,
) {
    if let Some(v) = v {
        m.insert(k.to_owned(), v.into());
    }
}

fn imports(list: &[Import]) -> Value {
    list.iter()
        .map(|i| {
            json!({
                "library_name": i.library_name,
                "number_of_functions": i.functions.len(),
                "functions": i.functions.iter().map(|f| {
                    let mut m = Map::new();
                    m.insert("rva".into(), f.rva.into());
                    insert_opt(&mut m, "name", f.name.clone());
                    insert_opt(&mut m, "ordinal", f.ordinal);
                    Value::Object(m)
                }).collect::<Vec<_>>(),
            })
        })
        .collect()
}

fn signature(s: &Signature) -> Value {
    let mut m = Map::new();
    if let Some(c) = &s.cert {
        if let Value::Object(c) = cert(c) {
            m.extend(c);
        }
    }
    m.insert("verified".into(), s.verified.into());
    insert_opt(&mut m, "digest", s.digest.clone());
    insert_opt(&mut m, "digest_alg", s.digest_alg.clone());
    insert_opt(&mut m, "file_digest", s.file_digest.clone());
    m.insert("number_of_certificates".into(), s.certificates.len().into());
    m.insert("certificates".into(), s.certificates.iter().map(cert).collect());
    m.insert(
        "number_of_countersignatures".into(),
        s.countersignatures.len().into(),
    );
    m.insert(
        "countersignatures".into(),
        s.countersignatures
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("verified".into(), c.verified.into());
                insert_opt(&mut m, "sign_time", c.sign_time);
                insert_opt(&mut m, "digest", c.digest.clone());
                insert_opt(&mut m, "digest_alg", c.digest_alg.clone());
                m.insert("chain".into(), c.chain.iter().map(cert).collect());
                Value::Object(m)
            })
            .collect(),
    );
    if let Some(si) = &s.signer_info {
        let mut m2 = Map::new();
        insert_opt(&mut m2, "program_name", si.program_name.clone());
        insert_opt(&mut m2, "more_info", si.more_info.clone());
        insert_opt(&mut m2, "digest", si.digest.clone());
        insert_opt(&mut m2, "digest_alg", si.digest_alg.clone());
        m2.insert("chain".into(), si.chain.iter().map(cert).collect());
        m.insert("signer_info".into(), Value::Object(m2));
    }
    Value::Object(m)
}

/// Renders `pe` like the canonical YARA-X dump.
pub(super) fn to_json(pe: &Pe) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("is_pe", true.into());
    put("machine", pe.machine.into());
    put("subsystem", pe.subsystem.into());
    put("os_version", version(&pe.os_version));
    put("subsystem_version", version(&pe.subsystem_version));
    put("image_version", version(&pe.image_version));
    put("linker_version", version(&pe.linker_version));
    put("opthdr_magic", pe.opthdr_magic.into());
    put("characteristics", pe.characteristics.into());
    put("dll_characteristics", pe.dll_characteristics.into());
    put("timestamp", pe.timestamp.into());
    put("image_base", pe.image_base.into());
    put("checksum", pe.checksum.into());
    put("base_of_code", pe.base_of_code.into());
    put("entry_point_raw", pe.entry_point_raw.into());
    put("section_alignment", pe.section_alignment.into());
    put("file_alignment", pe.file_alignment.into());
    put("loader_flags", pe.loader_flags.into());
    put("size_of_optional_header", pe.size_of_optional_header.into());
    put("size_of_code", pe.size_of_code.into());
    put("size_of_initialized_data", pe.size_of_initialized_data.into());
    put("size_of_uninitialized_data", pe.size_of_uninitialized_data.into());
    put("size_of_image", pe.size_of_image.into());
    put("size_of_headers", pe.size_of_headers.into());
    put("size_of_stack_reserve", pe.size_of_stack_reserve.into());
    put("size_of_stack_commit", pe.size_of_stack_commit.into());
    put("size_of_heap_reserve", pe.size_of_heap_reserve.into());
    put("size_of_heap_commit", pe.size_of_heap_commit.into());
    put("pointer_to_symbol_table", pe.pointer_to_symbol_table.into());
    put("win32_version_value", pe.win32_version_value.into());
    put("number_of_symbols", pe.number_of_symbols.into());
    put("number_of_rva_and_sizes", pe.number_of_rva_and_sizes.into());
    put("number_of_sections", pe.number_of_sections().into());
    put(
        "number_of_imported_functions",
        pe.number_of_imported_functions().into(),
    );
    put(
        "number_of_delayed_imported_functions",
        pe.number_of_delayed_imported_functions().into(),
    );
    put("number_of_resources", pe.number_of_resources().into());
    put("number_of_version_infos", pe.number_of_version_infos().into());
    put("number_of_imports", pe.number_of_imports().into());
    put("number_of_delayed_imports", pe.number_of_delayed_imports().into());
    put("number_of_exports", pe.number_of_exports().into());
    put("number_of_signatures", pe.number_of_signatures().into());
    put("is_signed", pe.is_signed().into());
    put(
        "sections",
        pe.sections
            .iter()
            .map(|s| {
                json!({
                    "name": hexv(&s.name), "full_name": hexv(&s.full_name),
                    "characteristics": s.characteristics,
                    "raw_data_size": s.raw_data_size,
                    "raw_data_offset": s.raw_data_offset,
                    "virtual_address": s.virtual_address,
                    "virtual_size": s.virtual_size,
                    "pointer_to_relocations": s.pointer_to_relocations,
                    "pointer_to_line_numbers": s.pointer_to_line_numbers,
                    "number_of_relocations": s.number_of_relocations,
                    "number_of_line_numbers": s.number_of_line_numbers,
                })
            })
            .collect(),
    );
    put(
        "data_directories",
        pe.data_directories
            .iter()
            .map(|d| json!({"virtual_address": d.virtual_address, "size": d.size}))
            .collect(),
    );
    put("import_details", imports(&pe.import_details));
    put("delayed_import_details", imports(&pe.delayed_import_details));
    put(
        "export_details",
        pe.export_details
            .iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("ordinal".into(), e.ordinal.into());
                m.insert("rva".into(), e.rva.into());
                insert_opt(&mut m, "name", e.name.clone());
                insert_opt(&mut m, "offset", e.offset);
                insert_opt(&mut m, "forward_name", e.forward_name.clone());
                Value::Object(m)
            })
            .collect(),
    );
    put(
        "resources",
        pe.resources
            .iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("rva".into(), r.rva.into());
                m.insert("length".into(), r.length.into());
                insert_opt(&mut m, "offset", r.offset);
                insert_opt(&mut m, "type", r.type_);
                insert_opt(&mut m, "id", r.id);
                insert_opt(&mut m, "language", r.language);
                insert_opt(
                    &mut m,
                    "type_string",
                    r.type_string.as_deref().map(hexv),
                );
                insert_opt(
                    &mut m,
                    "name_string",
                    r.name_string.as_deref().map(hexv),
                );
                insert_opt(
                    &mut m,
                    "language_string",
                    r.language_string.as_deref().map(hexv),
                );
                Value::Object(m)
            })
            .collect(),
    );
    let mut vi = Map::new();
    for (k, v) in &pe.version_info_list {
        vi.insert(k.clone(), v.clone().into());
    }
    put("version_info", Value::Object(vi));
    put(
        "version_info_list",
        pe.version_info_list
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    );
    put(
        "overlay",
        json!({"offset": pe.overlay.offset, "size": pe.overlay.size}),
    );
    put("signatures", pe.signatures.iter().map(signature).collect());
    insert_opt(&mut m, "base_of_data", pe.base_of_data);
    insert_opt(&mut m, "entry_point", pe.entry_point);
    insert_opt(&mut m, "dll_name", pe.dll_name.clone());
    insert_opt(&mut m, "export_timestamp", pe.export_timestamp);
    insert_opt(&mut m, "resource_timestamp", pe.resource_timestamp);
    insert_opt(
        &mut m,
        "resource_version",
        pe.resource_version.as_ref().map(version),
    );
    insert_opt(&mut m, "pdb_path", pe.pdb_path.as_deref().map(hexv));
    if let Some(r) = &pe.rich_signature {
        m.insert(
            "rich_signature".into(),
            json!({
                "offset": r.offset, "length": r.length, "key": r.key,
                "raw_data": hexv(&r.raw_data),
                "clear_data": hexv(&r.clear_data),
                "tools": r.tools.iter().map(|t| json!({
                    "toolid": t.toolid, "version": t.version, "times": t.times,
                })).collect::<Vec<_>>(),
            }),
        );
    }
    Value::Object(m)
}

/// Drops empty lists/maps and YARA-X's always-empty outputs so that a
/// missing repeated field and an empty one compare equal.
fn prune(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| match v {
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    Value::Null => false,
                    _ => true,
                })
                .map(|(k, v)| (k.clone(), prune(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(prune).collect()),
        v => v.clone(),
    }
}

pub(crate) fn libyara(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../shared/testdata/libyara/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Compares two JSON values and reports every differing path.
pub(crate) fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(a), Some(b)) => diff(&p, a, b, out),
                    (a, b) => out.push(format!("{p}: {a:?} != {b:?}")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (a, b)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), a, b, out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: {a} != {b}")),
    }
}

const FILES: &[&str] = &[
    "tiny",
    "tiny-overlay",
    "tiny-idata-51ff",
    "tiny-idata-5200",
    "tiny_empty_import_name",
    "mtxex.dll",
    "mtxex_modified_rsrc_rva.dll",
    "pe_imports",
    "pe_mingw",
    "ChipTune.efi",
    "undersized_rich",
    "weird_rich",
];

#[test]
fn matches_yara_x_output() {
    let mut failures = Vec::new();
    for name in FILES {
        let data = libyara(name);
        let pe = parse(&data).unwrap_or_else(|| panic!("{name}: not PE"));
        let path = format!(
            "{}/src/modules/pe/testdata/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap())
                .unwrap();
        diff(name, &prune(&to_json(&pe)), &prune(&expected), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A signed PE. None of the shared test files is signed, so this uses
/// Debian's `shim-signed` (Microsoft-signed `shimx64.efi.signed`) when it
/// is present: `$SIGSCAN_SIGNED_PE`, `/usr/lib/shim/shimx64.efi.signed`
/// or `/tmp/shimx64.efi.signed`. Skipped, with a note, otherwise.
#[test]
fn signatures_match_yara_x_output() {
    let candidates = [
        std::env::var("SIGSCAN_SIGNED_PE").unwrap_or_default(),
        "/usr/lib/shim/shimx64.efi.signed".to_owned(),
        "/tmp/shimx64.efi.signed".to_owned(),
    ];
    let Some(data) = candidates.iter().find_map(|p| std::fs::read(p).ok())
    else {
        eprintln!("skipped: no signed PE (install shim-signed)");
        return;
    };
    let pe = parse(&data).unwrap();
    assert!(pe.is_signed());
    let path = format!(
        "{}/src/modules/pe/testdata/shimx64.efi.signed.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    diff("shim", &prune(&to_json(&pe)), &prune(&expected), &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let sig = &pe.signatures[0];
    assert_eq!(sig.valid_on(1_700_000_000), Some(true));
    assert_eq!(sig.valid_on(1_600_000_000), Some(false));
}

/// DSA and ECDSA signatures verify, as YARA-X says they do (see
/// `testdata/README.md`; the whole outputs are compared with YARA-X's in
/// `benches/tests/dump_differential.rs`).
#[test]
fn dsa_and_ecdsa_signatures_verify() {
    let cases = [
        ("tiny-dsa.exe", "dsa_with_SHA256", "sha256"),
        ("tiny-dsa-sha1.exe", "dsa_with_SHA256", "sha1"),
        ("tiny-p256.exe", "ecdsa-with-SHA256", "sha256"),
        ("tiny-p384.exe", "ecdsa-with-SHA384", "sha256"),
        ("tiny-ecdsa-chain.exe", "ecdsa-with-SHA384", "sha512"),
    ];
    for (name, algorithm, digest_alg) in cases {
        let path = format!(
            "{}/src/modules/pe/testdata/signed/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&path).unwrap();
        let pe = parse(&data).unwrap();
        assert!(pe.is_signed(), "{name}");
        let sig = &pe.signatures[0];
        assert!(sig.verified, "{name}");
        assert_eq!(sig.digest_alg.as_deref(), Some(digest_alg), "{name}");
        let cert = sig.cert.as_ref().unwrap();
        assert_eq!(cert.algorithm, algorithm, "{name}");
        // One byte changed in the signed part: no longer verified.
        let mut bad = data.clone();
        bad[0x1500] ^= 1;
        let pe = parse(&bad).unwrap();
        assert!(!pe.is_signed(), "{name} altered");
    }
}

#[test]
fn md2_digests() {
    // RFC 1319's test suite.
    assert_eq!(auth::md2_hex(b""), "8350e5a3e24c153df2275c9f80692773");
    assert_eq!(auth::md2_hex(b"abc"), "da853b0d3f88d99b30283a69e6ded6bb");
}

#[test]
fn not_pe() {
    for name in ["COPYING", "base64", "elf_with_imports", "tiny.notes"] {
        assert!(parse(&libyara(name)).is_none(), "{name}");
    }
    assert!(parse(b"").is_none());
    assert!(parse(b"MZ").is_none());
}

#[test]
fn functions() {
    let pe = parse(&libyara("tiny")).unwrap();
    assert_eq!(pe.imphash(), "1720bf764274b7a4052bbef0a71adc0d");
    assert!(!pe.is_dll());
    assert!(pe.is_32bit() && !pe.is_64bit());
    assert_eq!(
        pe.imports(
            IMPORT_STANDARD,
            &Match::Name(b"kernel32.dll"),
            &Match::Name(b"sleep")
        ),
        1
    );
    assert_eq!(
        pe.imports(IMPORT_ANY, &Match::Name(b"KERNEL32.DLL"), &Match::Any),
        21
    );
    assert_eq!(pe.section_index_by_name(b".data"), Some(1));
    assert_eq!(pe.section_index_by_offset(12288), Some(1));
    assert_eq!(pe.rva_to_offset(0x1000), Some(0x1000));

    let dll = parse(&libyara("mtxex.dll")).unwrap();
    assert!(dll.is_dll() && dll.is_64bit());
    assert!(dll.exports(&Match::Name(b"dllgetclassobject")));
    assert_eq!(dll.exports_index(&Match::Ordinal(3)), Some(2));
    assert_eq!(dll.version_info("InternalName"), Some("MTXEX.DLL"));
    assert!(dll.locale(1033) && dll.language(9) && !dll.language(10));
    let rich = dll.rich_signature.as_ref().unwrap();
    assert_eq!(rich.toolid(259, None), 2);
    assert_eq!(rich.version(26213, None), 22);
    assert_eq!(rich.version(26213, Some(260)), 10);
}

#[test]
fn checksums() {
    for (name, sum) in CHECKSUMS {
        let data = libyara(name);
        let pe = parse(&data).unwrap();
        assert_eq!(pe.calculate_checksum(&data), *sum, "{name}");
    }
}

/// `pe.calculate_checksum()` from YARA-X for each file.
const CHECKSUMS: &[(&str, i64)] = &[
    ("tiny", 43228),
    ("tiny-overlay", 62244),
    ("tiny-idata-51ff", 43739),
    ("tiny-idata-5200", 43740),
    ("tiny_empty_import_name", 80280),
    ("mtxex.dll", 57102),
    ("mtxex_modified_rsrc_rva.dll", 59202),
    ("pe_imports", 125715),
    ("pe_mingw", 364610),
    ("ChipTune.efi", 98109),
    ("undersized_rich", 22277),
    ("weird_rich", 51521),
];

/// Feeds `parse` deterministic corruptions of `data`: prefixes at a
/// stride, and at a stride of positions (every position in the first
/// `dense` bytes) the byte XOR-ed with 0xff and set to 0x80.
/// The callers only check that nothing panics or hangs.
pub(crate) fn for_each_mutation(
    data: &[u8],
    dense: usize,
    mut parse: impl FnMut(&[u8]),
) {
    let stride = (data.len() / 128).max(1);
    for end in (0..data.len()).step_by(stride) {
        parse(&data[..end]);
    }
    let mut buf = data.to_vec();
    let sparse = (data.len() / 128).max(1);
    let positions =
        (0..dense.min(data.len())).chain((dense..data.len()).step_by(sparse));
    for i in positions {
        let orig = buf[i];
        for v in [orig ^ 0xff, 0x80] {
            buf[i] = v;
            parse(&buf);
        }
        buf[i] = orig;
    }
}

#[test]
fn hostile_input_does_not_panic() {
    for name in FILES {
        let data = libyara(name);
        for_each_mutation(&data, 512, |d| {
            if let Some(pe) = parse(d) {
                let _ = pe.imphash();
            }
        });
    }
}

/// Prints one JSON line per file listed (one path a line) in
/// `$SIGSCAN_DUMP_LIST`: the rendering of the file's PE, or `null`. A
/// tool for differential runs against YARA-X, not a test.
#[test]
#[ignore = "a tool, not a test: needs $SIGSCAN_DUMP_LIST"]
fn dump_list() {
    let list = std::env::var("SIGSCAN_DUMP_LIST").unwrap();
    for path in std::fs::read_to_string(list).unwrap().lines() {
        let data = std::fs::read(path).unwrap();
        let v = parse(&data).map(|pe| {
            let mut v = to_json(&pe);
            v["imphash"] = pe.imphash().into();
            v["calculate_checksum"] = pe.calculate_checksum(&data).into();
            v
        });
        println!("{}", v.unwrap_or(Value::Null));
    }
}

/// Prints how long parsing each shared PE (and the signed sample) takes.
/// A quick look, not a benchmark: run with `--release --ignored`.
#[test]
#[ignore = "timing printout, run by hand in release mode"]
fn parse_timing() {
    let mut files: Vec<(String, Vec<u8>)> =
        FILES.iter().map(|n| (n.to_string(), libyara(n))).collect();
    if let Ok(d) = std::fs::read("/tmp/samples/shimx64.efi.signed") {
        files.push(("shimx64.efi.signed".into(), d));
    }
    for (name, data) in &files {
        let n = 200;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(parse(std::hint::black_box(data)));
        }
        println!("{name}: {:?} per parse", t.elapsed() / n);
    }
}

#[test]
fn parsed_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Pe>();
    check::<crate::modules::elf::Elf>();
    check::<crate::modules::dotnet::Dotnet>();
}

/// Corrupts bytes of the signed sample's security directory (when the
/// sample is there; see `signatures_match_yara_x_output`).
#[test]
fn hostile_signatures_do_not_panic() {
    let signed = format!(
        "{}/src/modules/pe/testdata/signed",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut samples: Vec<Vec<u8>> = ["tiny-dsa.exe", "tiny-ecdsa-chain.exe"]
        .iter()
        .map(|n| std::fs::read(format!("{signed}/{n}")).unwrap())
        .collect();
    match std::fs::read("/tmp/samples/shimx64.efi.signed")
        .or_else(|_| std::fs::read("/usr/lib/shim/shimx64.efi.signed"))
    {
        Ok(shim) => samples.push(shim),
        Err(_) => eprintln!("shim skipped: no shimx64.efi.signed"),
    }
    for data in samples {
        let pe = parse(&data).unwrap();
        let dir = pe.data_directories[DIR_SECURITY];
        let (start, len) = (dir.virtual_address as usize, dir.size as usize);
        let mut buf = data.clone();
        for i in (start..start + len).step_by((len / 48).max(1)) {
            let orig = buf[i];
            buf[i] = orig ^ 0xff;
            let _ = parse(&buf);
            buf[i] = orig;
        }
        // Truncations inside the signature.
        for end in (start..start + len).step_by((len / 16).max(1)) {
            let _ = parse(&data[..end]);
        }
    }
}

/// `tiny` with its two import descriptors copied, as RVA-based
/// delay-load descriptors, into the header padding at 0x300 and
/// directory entry 13 pointing there. YARA-X reports the same functions
/// as delayed imports (checked by hand against its output).
#[test]
fn delayed_imports() {
    let mut data = libyara("tiny");
    let e_lfanew = u32_at(&data, 0x3c).unwrap() as usize;
    let dir13 = e_lfanew + 24 + 96 + 13 * 8;
    // (name, IAT, INT) of tiny's KERNEL32.dll and msvcrt.dll.
    let descs = [(25864u32, 24836u32, 24636u32), (25988, 24924, 24724)];
    for (i, (name, iat, int)) in descs.iter().enumerate() {
        let at = 0x300 + 32 * i;
        for (j, v) in [1, *name, 0, *iat, *int].iter().enumerate() {
            data[at + 4 * j..at + 4 * j + 4].copy_from_slice(&v.to_le_bytes());
        }
    }
    data[dir13..dir13 + 4].copy_from_slice(&0x300u32.to_le_bytes());
    data[dir13 + 4..dir13 + 8].copy_from_slice(&96u32.to_le_bytes());
    let pe = parse(&data).unwrap();
    assert_eq!(pe.number_of_delayed_imports(), 2);
    assert_eq!(pe.number_of_delayed_imported_functions(), 48);
    assert_eq!(pe.delayed_import_details, pe.import_details);
    assert_eq!(
        pe.import_rva(true, b"kernel32.dll", &Match::Name(b"Sleep")),
        pe.import_rva(false, b"kernel32.dll", &Match::Name(b"Sleep")),
    );
    assert_eq!(
        pe.imports(IMPORT_DELAYED, &Match::Name(b"msvcrt.dll"), &Match::Any),
        27
    );
    assert_eq!(pe.imports(IMPORT_ANY, &Match::Any, &Match::Any), 96);
}

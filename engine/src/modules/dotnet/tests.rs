//! Tests of the .NET parser. No shared test file is a .NET assembly, so
//! the comparisons with YARA-X's output (`testdata/NAME.json`, without
//! `classes`, which `benches/tests/dump_differential.rs` compares) run on assemblies from Debian's Mono packages
//! (`libmono-accessibility4.0-cil`, `libmono-cecil-cil`) when they are
//! found in `$SIGSCAN_SAMPLES` or `/tmp/samples`, and are skipped with a
//! note otherwise.

use serde_json::{Map, Value, json};

use super::*;
use crate::modules::pe::tests::{diff, for_each_mutation, libyara};

fn hexv(b: &[u8]) -> Value {
    Value::String(format!("hex:{}", crate::modules::pe::bytes::hex(b)))
}

fn version(v: &Version) -> Value {
    json!({
        "major": v.major, "minor": v.minor,
        "build_number": v.build_number, "revision_number": v.revision_number,
    })
}

fn to_json(d: &Dotnet) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("is_dotnet", true.into());
    put("version", d.version.clone().into());
    put("number_of_streams", d.number_of_streams().into());
    put("number_of_guids", d.number_of_guids().into());
    put("number_of_resources", d.number_of_resources().into());
    put("number_of_assembly_refs", d.number_of_assembly_refs().into());
    put("number_of_modulerefs", d.number_of_modulerefs().into());
    put("number_of_user_strings", d.number_of_user_strings().into());
    put("number_of_constants", d.number_of_constants().into());
    put("number_of_field_offsets", d.number_of_field_offsets().into());
    if let Some(n) = &d.module_name {
        put("module_name", n.clone().into());
    }
    if let Some(t) = &d.typelib {
        put("typelib", t.clone().into());
    }
    if let Some(a) = &d.assembly {
        let mut am = Map::new();
        if let Some(n) = &a.name {
            am.insert("name".into(), n.clone().into());
        }
        if let Some(c) = &a.culture {
            am.insert("culture".into(), c.clone().into());
        }
        am.insert("version".into(), version(&a.version));
        put("assembly", Value::Object(am));
    }
    put(
        "streams",
        d.streams
            .iter()
            .map(|s| {
                let mut m = Map::new();
                if let Some(n) = &s.name {
                    m.insert("name".into(), n.clone().into());
                }
                m.insert("offset".into(), s.offset.into());
                m.insert("size".into(), s.size.into());
                Value::Object(m)
            })
            .collect(),
    );
    put("guids", d.guids.iter().map(|g| Value::from(g.clone())).collect());
    put(
        "assembly_refs",
        d.assembly_refs
            .iter()
            .map(|a| {
                let mut m = Map::new();
                if let Some(n) = &a.name {
                    m.insert("name".into(), n.clone().into());
                }
                if let Some(k) = &a.public_key_or_token {
                    m.insert("public_key_or_token".into(), hexv(k));
                }
                m.insert("version".into(), version(&a.version));
                Value::Object(m)
            })
            .collect(),
    );
    put(
        "modulerefs",
        d.modulerefs.iter().map(|s| Value::from(s.clone())).collect(),
    );
    put(
        "resources",
        d.resources
            .iter()
            .map(|r| {
                let mut m = Map::new();
                if let Some(n) = &r.name {
                    m.insert("name".into(), n.clone().into());
                }
                if let Some(o) = r.offset {
                    m.insert("offset".into(), o.into());
                }
                if let Some(l) = r.length {
                    m.insert("length".into(), l.into());
                }
                Value::Object(m)
            })
            .collect(),
    );
    put("user_strings", d.user_strings.iter().map(|s| hexv(s)).collect());
    put("constants", d.constants.iter().map(|s| hexv(s)).collect());
    put(
        "field_offsets",
        d.field_offsets.iter().map(|&o| Value::from(o)).collect(),
    );
    Value::Object(m)
}

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

/// A sample from `$SIGSCAN_SAMPLES` or `/tmp/samples`, if there.
pub(crate) fn sample(name: &str) -> Option<Vec<u8>> {
    let dirs = [
        std::env::var("SIGSCAN_SAMPLES").unwrap_or_default(),
        "/tmp/samples".to_owned(),
    ];
    dirs.iter().find_map(|d| std::fs::read(format!("{d}/{name}")).ok())
}

const SAMPLES: &[&str] =
    &["Accessibility.dll", "Mono.Cecil.Rocks.dll", "Mono.Cecil.dll"];

#[test]
fn matches_yara_x_output() {
    let mut failures = Vec::new();
    for name in SAMPLES {
        let Some(data) = sample(name) else {
            eprintln!(
                "skipped {name}: not in $SIGSCAN_SAMPLES or /tmp/samples"
            );
            continue;
        };
        let d = parse(&data).unwrap_or_else(|| panic!("{name}: not .NET"));
        let path = format!(
            "{}/src/modules/dotnet/testdata/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap())
                .unwrap();
        diff(name, &prune(to_json(&d)), &prune(expected), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn not_dotnet() {
    for name in ["tiny", "mtxex.dll", "elf_with_imports", "COPYING"] {
        assert!(parse(&libyara(name)).is_none(), "{name}");
    }
}

#[test]
fn hostile_input_does_not_panic() {
    for name in &SAMPLES[..2] {
        let Some(data) = sample(name) else { continue };
        for_each_mutation(&data, 0, |d| {
            let _ = parse(d);
        });
        // The metadata, where the tables are.
        if let Some(d) = parse(&data) {
            if let Some(s) = d.streams.first() {
                let start = s.offset as usize;
                let mut buf = data.clone();
                for i in start..(start + 512).min(buf.len()) {
                    let orig = buf[i];
                    buf[i] = orig ^ 0xff;
                    let _ = parse(&buf);
                    buf[i] = orig;
                }
            }
        }
    }
}

/// Like `pe::tests::dump_list`, for .NET.
#[test]
#[ignore = "a tool, not a test: needs $SIGSCAN_DUMP_LIST"]
fn dump_list() {
    let list = std::env::var("SIGSCAN_DUMP_LIST").unwrap();
    for path in std::fs::read_to_string(list).unwrap().lines() {
        let data = std::fs::read(path).unwrap();
        println!(
            "{}",
            parse(&data).map(|d| to_json(&d)).unwrap_or(Value::Null)
        );
    }
}

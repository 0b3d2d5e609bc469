//! `sigscan dump`: what the `pe`, `elf` and `dotnet` modules make of a
//! file, in JSON or YAML, in the form `yr dump` prints.
//!
//! Field names and nesting are YARA-X's (they are the names rules use);
//! undefined fields and empty arrays are left out, as `yr dump` does.
//! Values print as `yr` prints them: enumerations by name
//! (`"MACHINE_I386"`), JSON times as `{ "encoding": "timestamp", "value":
//! … }`, JSON bytes (and strings that are not UTF-8) as `{ "encoding":
//! "base64", "value": … }`. Unlike `yr`, YAML shows integers in decimal,
//! without comments.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use sigscan::ModuleValue;

/// The modules `dump` shows, in `yr dump`'s order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DumpModule {
    Pe,
    Elf,
    Dotnet,
}

impl DumpModule {
    const ALL: [DumpModule; 3] =
        [DumpModule::Pe, DumpModule::Elf, DumpModule::Dotnet];

    fn name(self) -> &'static str {
        match self {
            DumpModule::Pe => "pe",
            DumpModule::Elf => "elf",
            DumpModule::Dotnet => "dotnet",
        }
    }

    /// Whether the module found its kind of file in the output `out`
    /// (what `yr dump` asks before showing a module nobody asked for).
    fn applies(self, out: &ModuleValue) -> bool {
        let flag = match self {
            DumpModule::Pe => "is_pe",
            DumpModule::Elf => "type",
            DumpModule::Dotnet => "is_dotnet",
        };
        let ModuleValue::Struct(fields) = out else { return false };
        fields.iter().any(|(name, v)| {
            *name == flag
                && (self == DumpModule::Elf
                    || matches!(v, ModuleValue::Bool(true))
                    || matches!(v, ModuleValue::Int(i) if *i != 0))
        })
    }
}

/// `dump`'s output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    Json,
    #[default]
    Yaml,
}

/// Arguments of `sigscan dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Path to binary file (standard input when absent)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Module name (default: every module that recognises the file)
    #[arg(short = 'm', long = "module", value_delimiter = ',')]
    pub modules: Vec<DumpModule>,

    /// Turn off colors in YAML output (sigscan never colours it)
    #[arg(long)]
    pub no_colors: bool,

    /// Desired output format (default: yaml)
    #[arg(short = 'o', long, value_name = "FORMAT")]
    pub output_format: Option<DumpFormat>,
}

/// Runs `sigscan dump`.
pub fn run(args: &DumpArgs) -> anyhow::Result<()> {
    let data = match &args.file {
        Some(path) => std::fs::read(path)
            .with_context(|| format!("can't read `{}`", path.display()))?,
        None => {
            let mut data = Vec::new();
            std::io::stdin().read_to_end(&mut data)?;
            data
        }
    };
    let shown = modules(&data, &args.modules);
    let text = match args.output_format.unwrap_or_default() {
        DumpFormat::Json => json(&shown),
        DumpFormat::Yaml => yaml(&shown),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The outputs to show: those of `wanted`, or of every module that
/// applies when `wanted` is empty.
fn modules(
    data: &[u8],
    wanted: &[DumpModule],
) -> Vec<(&'static str, ModuleValue)> {
    DumpModule::ALL
        .into_iter()
        .filter_map(|m| {
            let out = sigscan::module_output(m.name(), data)?;
            let show = if wanted.is_empty() {
                m.applies(&out)
            } else {
                wanted.contains(&m)
            };
            show.then_some((m.name(), out))
        })
        .collect()
}

const INDENT: usize = 4;

/// The outputs as one JSON object, indented as `yr dump -o json`.
fn json(modules: &[(&str, ModuleValue)]) -> String {
    let root: Vec<_> =
        modules.iter().map(|(k, v)| (k.as_bytes(), v)).collect();
    let mut out = String::new();
    json_object(&root, 0, &mut out);
    out.push('\n');
    out
}

fn json_object(
    fields: &[(&[u8], &ModuleValue)],
    indent: usize,
    out: &mut String,
) {
    out.push('{');
    if fields.is_empty() {
        // As `yr` writes it.
        newline(indent + INDENT, out);
        newline(indent, out);
        out.push('}');
        return;
    }
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(indent + INDENT, out);
        quoted(k, out);
        out.push_str(": ");
        json_value(v, indent + INDENT, out);
    }
    newline(indent, out);
    out.push('}');
}

fn json_value(v: &ModuleValue, indent: usize, out: &mut String) {
    match v {
        ModuleValue::Struct(fields) => {
            let fields: Vec<_> =
                fields.iter().map(|(k, v)| (k.as_bytes(), v)).collect();
            json_object(&fields, indent, out);
        }
        ModuleValue::Dict(entries) => {
            let fields: Vec<_> =
                entries.iter().map(|(k, v)| (k.as_slice(), v)).collect();
            json_object(&fields, indent, out);
        }
        ModuleValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent + INDENT, out);
                json_value(item, indent + INDENT, out);
            }
            newline(indent, out);
            out.push(']');
        }
        ModuleValue::Bytes(s) | ModuleValue::Str(s)
            if matches!(v, ModuleValue::Bytes(_))
                || std::str::from_utf8(s).is_err() =>
        {
            out.push_str("{ \"encoding\": \"base64\", \"value\": \"");
            base64(s, out);
            out.push_str("\"}");
        }
        ModuleValue::Enum(_, name) => quoted(name.as_bytes(), out),
        ModuleValue::Time(t) => {
            let _ = write!(
                out,
                "{{ \"encoding\": \"timestamp\", \"value\": {t} }}"
            );
        }
        scalar => scalar_text(scalar, out),
    }
}

/// The outputs as YAML, indented as `yr dump -o yaml`.
fn yaml(modules: &[(&str, ModuleValue)]) -> String {
    let mut out = String::new();
    for (name, v) in modules {
        out.push_str(name);
        out.push(':');
        yaml_nested(v, 0, &mut out);
    }
    out
}

/// Writes `v`, the value of a key already written at `indent`.
fn yaml_nested(v: &ModuleValue, indent: usize, out: &mut String) {
    match v {
        ModuleValue::Struct(fields) if !fields.is_empty() => {
            for (k, v) in fields {
                newline(indent + INDENT, out);
                out.push_str(k);
                out.push(':');
                yaml_nested(v, indent + INDENT, out);
            }
            if indent == 0 {
                out.push('\n');
            }
        }
        ModuleValue::Dict(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                newline(indent + INDENT, out);
                quoted(k, out);
                out.push(':');
                yaml_nested(v, indent + INDENT, out);
            }
        }
        ModuleValue::Array(items) => {
            for item in items {
                newline(indent + 2, out);
                out.push_str("- ");
                yaml_item(item, indent + 2, out);
            }
        }
        ModuleValue::Struct(_) | ModuleValue::Dict(_) => out.push_str(" {}"),
        scalar => {
            out.push(' ');
            scalar_text(scalar, out);
        }
    }
}

/// Writes an array item after its `- ` (the dash at `indent`).
fn yaml_item(v: &ModuleValue, indent: usize, out: &mut String) {
    match v {
        ModuleValue::Struct(fields) if !fields.is_empty() => {
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    newline(indent + 2, out);
                }
                out.push_str(k);
                out.push(':');
                yaml_nested(v, indent + 2, out);
            }
        }
        ModuleValue::Struct(_) => out.push_str("{}"),
        ModuleValue::Array(_) | ModuleValue::Dict(_) => {
            yaml_nested(v, indent, out)
        }
        scalar => scalar_text(scalar, out),
    }
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar as YAML (and JSON, but for enumerations, whose names YAML
/// shows bare): strings quoted and escaped.
fn scalar_text(v: &ModuleValue, out: &mut String) {
    match v {
        ModuleValue::Int(i) | ModuleValue::Time(i) => {
            let _ = write!(out, "{i}");
        }
        ModuleValue::Enum(_, name) => {
            let _ = write!(out, "{name}");
        }
        ModuleValue::Float(f) if f.is_finite() => {
            let _ = write!(out, "{f}");
        }
        ModuleValue::Float(_) => out.push_str("null"),
        ModuleValue::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        ModuleValue::Str(s) | ModuleValue::Bytes(s) => quoted(s, out),
        _ => out.push_str("null"),
    }
}

/// `s` in double quotes, escaped as `yr` escapes strings (bytes that are
/// not UTF-8 as `\xNN`, which only YAML reads; JSON output gives such
/// strings in base64 instead).
fn quoted(s: &[u8], out: &mut String) {
    out.push('"');
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_ascii_control() => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
}

/// Standard base64 with padding.
fn base64(data: &[u8], out: &mut String) {
    const ABC: &[u8; 64] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = (n >> (18 - 6 * i)) & 63;
                out.push(char::from(ABC[idx as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &[u8]) -> String {
        let mut out = String::new();
        base64(s, &mut out);
        out
    }

    #[test]
    fn base64_pads_as_the_standard_says() {
        let cases: [(&[u8], &str); 5] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b".text", "LnRleHQ="),
        ];
        for (input, want) in cases {
            assert_eq!(b64(input), want, "{input:?}");
        }
    }

    #[test]
    fn strings_escape_as_yr_does() {
        let mut out = String::new();
        quoted(b"a\"b\\c\nd\x01\xff", &mut out);
        assert_eq!(out, r#""a\"b\\c\nd\u0001\xff""#);
    }

    #[test]
    fn json_and_yaml_nest_as_yr_does() {
        let v = ModuleValue::Struct(vec![
            ("is_pe", ModuleValue::Bool(true)),
            (
                "sections",
                ModuleValue::Array(vec![ModuleValue::Struct(vec![
                    ("name", ModuleValue::Str(b".text".to_vec())),
                    ("size", ModuleValue::Int(16)),
                ])]),
            ),
            (
                "version",
                ModuleValue::Struct(vec![("major", ModuleValue::Int(4))]),
            ),
            ("raw", ModuleValue::Str(vec![0xff])),
        ]);
        let shown = vec![("pe", v)];
        let want_json = r#"{
    "pe": {
        "is_pe": true,
        "sections": [
            {
                "name": ".text",
                "size": 16
            }
        ],
        "version": {
            "major": 4
        },
        "raw": { "encoding": "base64", "value": "/w=="}
    }
}
"#;
        assert_eq!(json(&shown), want_json);
        let want_yaml = r#"pe:
    is_pe: true
    sections:
      - name: ".text"
        size: 16
    version:
        major: 4
    raw: "\xff"
"#;
        assert_eq!(yaml(&shown), want_yaml);
    }
}

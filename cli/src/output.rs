//! What `scan` prints: one file's results in each output format.
//!
//! The scanner's results are first turned into a small owned model
//! ([`RuleReport`], [`MatchReport`]) holding only what the chosen options
//! print; the functions here turn that model into text exactly as `yr`
//! prints it:
//!
//! - text: one `RULE PATH` line per rule, optionally `NAMESPACE:RULE`, then
//!   ` [tag,…]` and ` [key=value,…]` before the path, and one
//!   `0xOFFSET:LEN:$id: data` line per match under `-s`;
//! - ndjson: one `{"path":…,"rules":[…]}` object per line and file;
//! - json: one pretty-printed document at the end, `{"version":…,
//!   "matches":[{"rule":…,"file":…},…]}`.
//!
//! Match data is escaped like Rust's [`u8::escape_ascii`] (`\n`, `\t`,
//! `\\`, `\'`, `\"`, `\xNN`), and hex patterns print as spaced hex bytes in
//! text output.

use std::fmt::Write as _;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// What to print for each rule.
#[derive(Clone, Debug, Default)]
pub struct OutputOptions {
    /// `-c`: print only the number of matching rules per file.
    pub count_only: bool,
    /// `-e`: prefix rules with their namespace.
    pub namespace: bool,
    /// `-m`: print metadata.
    pub meta: bool,
    /// `-g`: print tags.
    pub tags: bool,
    /// `-s`: print matches, at most this many bytes of each.
    pub strings: Option<usize>,
    /// Paint rule names in bold cyan (text output on a terminal).
    pub color: bool,
}

/// ANSI: bold cyan, and back to normal.
const CYAN: (&str, &str) = ("\x1b[1;36m", "\x1b[0m");

/// Appends `s`, painted when `color` is set.
fn push_painted(out: &mut String, s: &str, color: bool) {
    if color {
        out.push_str(CYAN.0);
        out.push_str(s);
        out.push_str(CYAN.1);
    } else {
        out.push_str(s);
    }
}

/// A metadata value.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaValue {
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A valid UTF-8 string.
    String(String),
    /// A string that is not valid UTF-8.
    Bytes(Vec<u8>),
}

/// The kind of a pattern, which decides how text output shows its data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PatternKind {
    /// A text string: data printed escaped.
    #[default]
    Text,
    /// A hex string: data printed as hex bytes.
    Hex,
    /// A regular expression: data printed escaped.
    Regexp,
}

/// One match of one pattern.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchReport {
    /// The pattern's identifier, with its `$`.
    pub identifier: String,
    /// The pattern's kind.
    pub kind: PatternKind,
    /// Offset of the match in the file.
    pub offset: usize,
    /// Length of the match.
    pub len: usize,
    /// The first bytes of the match, at most the `-s` limit.
    pub data: Vec<u8>,
    /// The key of an `xor` match.
    pub xor_key: Option<u8>,
}

/// One rule reported for a file, with what the options ask to print.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleReport {
    /// The rule's identifier.
    pub identifier: String,
    /// Its namespace.
    pub namespace: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its metadata, in declaration order (keys may repeat).
    pub meta: Vec<(String, MetaValue)>,
    /// The matches of its patterns (only filled under `-s`).
    pub matches: Vec<MatchReport>,
}

/// Appends the escaped form of `data` to `out`, as `yr` prints match data.
pub fn push_escaped(out: &mut String, data: &[u8]) {
    out.reserve(data.len());
    for &b in data {
        for c in b.escape_ascii() {
            out.push(c as char);
        }
    }
}

/// The escaped form of `data`.
pub fn escaped(data: &[u8]) -> String {
    let mut s = String::new();
    push_escaped(&mut s, data);
    s
}

/// Appends `data` as lower-case hex bytes separated by spaces.
pub fn push_hex(out: &mut String, data: &[u8]) {
    for (i, b) in data.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
}

/// `data` xored with `key`.
fn unxor(data: &[u8], key: u8) -> Vec<u8> {
    data.iter().map(|b| b ^ key).collect()
}

/// The ` ... N more bytes` suffix of a match longer than the limit.
fn more_bytes(m: &MatchReport) -> Option<String> {
    match m.len.saturating_sub(m.data.len()) {
        0 => None,
        n => Some(format!(" ... {n} more bytes")),
    }
}

/// Text output: the lines for one file (each ending in a newline), or
/// nothing when no rule is reported.
pub fn text(opts: &OutputOptions, path: &str, rules: &[RuleReport]) -> String {
    let mut out = String::new();
    if opts.count_only {
        if !rules.is_empty() {
            let _ = writeln!(out, "{path}: {}", rules.len());
        }
        return out;
    }
    for rule in rules {
        if opts.namespace {
            push_painted(&mut out, &rule.namespace, opts.color);
            out.push(':');
        }
        push_painted(&mut out, &rule.identifier, opts.color);
        if opts.tags && !rule.tags.is_empty() {
            out.push_str(" [");
            out.push_str(&rule.tags.join(","));
            out.push(']');
        }
        if opts.meta && !rule.meta.is_empty() {
            out.push_str(" [");
            for (i, (key, value)) in rule.meta.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(key);
                out.push('=');
                match value {
                    MetaValue::Integer(v) => {
                        let _ = write!(out, "{v}");
                    }
                    MetaValue::Float(v) => {
                        let _ = write!(out, "{v}");
                    }
                    MetaValue::Bool(v) => {
                        let _ = write!(out, "{v}");
                    }
                    MetaValue::String(v) => {
                        let _ = write!(out, "\"{v}\"");
                    }
                    MetaValue::Bytes(v) => {
                        out.push('"');
                        push_escaped(&mut out, v);
                        out.push('"');
                    }
                }
            }
            out.push(']');
        }
        out.push(' ');
        out.push_str(path);
        out.push('\n');
        if opts.strings.is_some() {
            for m in &rule.matches {
                let _ =
                    write!(out, "{:#x}:{}:{}", m.offset, m.len, m.identifier);
                if let Some(key) = m.xor_key {
                    let _ = write!(out, " xor({key:#x},");
                    push_escaped(&mut out, &unxor(&m.data, key));
                    out.push(')');
                }
                out.push_str(": ");
                match m.kind {
                    PatternKind::Hex => push_hex(&mut out, &m.data),
                    PatternKind::Text | PatternKind::Regexp => {
                        push_escaped(&mut out, &m.data)
                    }
                }
                if let Some(more) = more_bytes(m) {
                    out.push_str(&more);
                }
                out.push('\n');
            }
        }
    }
    out
}

/// Serializes metadata as `yr`'s ndjson does: a list of `[key, value]`.
struct MetaPairs<'a>(&'a [(String, MetaValue)]);

impl Serialize for MetaPairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (k, v) in self.0 {
            seq.serialize_element(&(k, JsonMeta(v)))?;
        }
        seq.end()
    }
}

/// Serializes metadata as `yr`'s json does: an object, with the values of
/// a repeated key gathered in a list.
struct MetaObject<'a>(&'a [(String, MetaValue)]);

impl Serialize for MetaObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut keys: Vec<&str> = Vec::new();
        for (k, _) in self.0 {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        let mut map = s.serialize_map(Some(keys.len()))?;
        for key in keys {
            let values: Vec<JsonMeta<'_>> = self
                .0
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| JsonMeta(v))
                .collect();
            if values.len() == 1 {
                map.serialize_entry(key, &values[0])?;
            } else {
                map.serialize_entry(key, &values)?;
            }
        }
        map.end()
    }
}

/// A metadata value as JSON: a number, boolean, string, or a list of byte
/// values for a string that is not UTF-8.
struct JsonMeta<'a>(&'a MetaValue);

impl Serialize for JsonMeta<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            MetaValue::Integer(v) => s.serialize_i64(*v),
            MetaValue::Float(v) => s.serialize_f64(*v),
            MetaValue::Bool(v) => s.serialize_bool(*v),
            MetaValue::String(v) => s.serialize_str(v),
            MetaValue::Bytes(v) => s.collect_seq(v.iter()),
        }
    }
}

/// One match in JSON output.
#[derive(Serialize)]
struct JsonString<'a> {
    identifier: &'a str,
    offset: usize,
    #[serde(rename = "match")]
    data: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    xor_key: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plaintext: Option<String>,
}

fn json_strings(matches: &[MatchReport]) -> Vec<JsonString<'_>> {
    matches
        .iter()
        .map(|m| {
            let mut data = escaped(&m.data);
            if let Some(more) = more_bytes(m) {
                data.push_str(&more);
            }
            JsonString {
                identifier: &m.identifier,
                offset: m.offset,
                data,
                xor_key: m.xor_key,
                plaintext: m.xor_key.map(|k| escaped(&unxor(&m.data, k))),
            }
        })
        .collect()
}

/// One rule in ndjson output.
#[derive(Serialize)]
struct NdjsonRule<'a> {
    identifier: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<MetaPairs<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strings: Option<Vec<JsonString<'a>>>,
}

#[derive(Serialize)]
struct NdjsonFile<'a> {
    path: &'a str,
    rules: Vec<NdjsonRule<'a>>,
}

#[derive(Serialize)]
struct CountLine<'a> {
    path: &'a str,
    count: usize,
}

/// Ndjson output: one line for the file, or nothing when no rule is
/// reported.
pub fn ndjson(
    opts: &OutputOptions,
    path: &str,
    rules: &[RuleReport],
) -> String {
    if rules.is_empty() {
        return String::new();
    }
    let mut line = if opts.count_only {
        serde_json::to_string(&CountLine { path, count: rules.len() })
    } else {
        let rules = rules
            .iter()
            .map(|r| NdjsonRule {
                identifier: &r.identifier,
                namespace: opts.namespace.then_some(r.namespace.as_str()),
                meta: opts.meta.then_some(MetaPairs(&r.meta)),
                tags: opts.tags.then_some(r.tags.as_slice()),
                strings: opts.strings.map(|_| json_strings(&r.matches)),
            })
            .collect();
        serde_json::to_string(&NdjsonFile { path, rules })
    }
    .expect("serializing to a string cannot fail");
    line.push('\n');
    line
}

/// One rule matching one file in JSON output.
#[derive(Serialize)]
struct JsonMatch<'a> {
    rule: &'a str,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<MetaObject<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strings: Option<Vec<JsonString<'a>>>,
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    version: &'a str,
    matches: Vec<JsonMatch<'a>>,
}

/// JSON output, gathered file by file and printed at the end.
#[derive(Debug, Default)]
pub struct JsonCollector {
    files: Vec<(String, Vec<RuleReport>)>,
}

impl JsonCollector {
    /// Records the rules reported for a file (`path` is the canonical path
    /// `yr` prints in this format). Files without rules are left out.
    pub fn add(&mut self, path: String, rules: Vec<RuleReport>) {
        if !rules.is_empty() {
            self.files.push((path, rules));
        }
    }

    /// Sorts the files by path, so that the document does not depend on
    /// the order in which threads finished.
    pub fn sort(&mut self) {
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// The whole document, pretty-printed, with a final newline.
    pub fn finish(&self, opts: &OutputOptions, version: &str) -> String {
        let mut doc = if opts.count_only {
            let counts: Vec<CountLine<'_>> = self
                .files
                .iter()
                .map(|(path, rules)| CountLine { path, count: rules.len() })
                .collect();
            serde_json::to_string_pretty(&counts)
        } else {
            let matches = self
                .files
                .iter()
                .flat_map(|(path, rules)| {
                    rules.iter().map(move |r| JsonMatch {
                        rule: &r.identifier,
                        file: path,
                        meta: opts.meta.then_some(MetaObject(&r.meta)),
                        tags: opts.tags.then_some(r.tags.as_slice()),
                        strings: opts
                            .strings
                            .map(|_| json_strings(&r.matches)),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&JsonDocument { version, matches })
        }
        .expect("serializing to a string cannot fail");
        doc.push('\n');
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn foo() -> RuleReport {
        RuleReport {
            identifier: "foo".into(),
            namespace: "default".into(),
            tags: vec!["bar".into(), "baz".into()],
            meta: vec![
                ("string".into(), MetaValue::String("foo".into())),
                ("bool".into(), MetaValue::Bool(true)),
                ("int".into(), MetaValue::Integer(1)),
                ("float".into(), MetaValue::Float(2.5)),
            ],
            matches: vec![
                MatchReport {
                    identifier: "$foo".into(),
                    kind: PatternKind::Text,
                    offset: 0,
                    len: 3,
                    data: b"foo".to_vec(),
                    xor_key: None,
                },
                MatchReport {
                    identifier: "$foo_hex".into(),
                    kind: PatternKind::Hex,
                    offset: 16,
                    len: 3,
                    data: b"foo".to_vec(),
                    xor_key: None,
                },
            ],
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(escaped(b"abc"), "abc");
        assert_eq!(escaped(b"a\"b'c\\"), "a\\\"b\\'c\\\\");
        assert_eq!(escaped(b"\n\r\t\0\x7f\xff "), "\\n\\r\\t\\x00\\x7f\\xff ");
        let mut s = String::new();
        push_hex(&mut s, b"\x00\xab\x10");
        assert_eq!(s, "00 ab 10");
    }

    #[test]
    fn text_plain() {
        let opts = OutputOptions::default();
        assert_eq!(text(&opts, "f", &[foo()]), "foo f\n");
        assert_eq!(text(&opts, "f", &[]), "");
    }

    #[test]
    fn text_namespace_tags_meta() {
        let opts = OutputOptions {
            namespace: true,
            tags: true,
            meta: true,
            ..Default::default()
        };
        assert_eq!(
            text(&opts, "d/f", &[foo()]),
            "default:foo [bar,baz] \
             [string=\"foo\",bool=true,int=1,float=2.5] d/f\n"
        );
        let mut r = foo();
        r.tags.clear();
        r.meta = vec![
            ("f".into(), MetaValue::Float(1.0)),
            ("b".into(), MetaValue::Bytes(b"a\xff".to_vec())),
        ];
        assert_eq!(
            text(&opts, "f", &[r]),
            "default:foo [f=1,b=\"a\\xff\"] f\n"
        );
    }

    #[test]
    fn text_strings() {
        let opts = OutputOptions { strings: Some(120), ..Default::default() };
        assert_eq!(
            text(&opts, "f", &[foo()]),
            "foo f\n0x0:3:$foo: foo\n0x10:3:$foo_hex: 66 6f 6f\n"
        );
        let mut r = foo();
        for m in &mut r.matches {
            m.data.truncate(2);
        }
        assert_eq!(
            text(&opts, "f", &[r]),
            "foo f\n0x0:3:$foo: fo ... 1 more bytes\n\
             0x10:3:$foo_hex: 66 6f ... 1 more bytes\n"
        );
    }

    #[test]
    fn text_xor() {
        let opts = OutputOptions { strings: Some(120), ..Default::default() };
        let r = RuleReport {
            identifier: "x".into(),
            matches: vec![MatchReport {
                identifier: "$x".into(),
                offset: 5,
                len: 2,
                data: vec![b'a' ^ 1, b'b' ^ 1],
                xor_key: Some(1),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(text(&opts, "f", &[r]), "x f\n0x5:2:$x xor(0x1,ab): `c\n");
    }

    #[test]
    fn text_color() {
        let opts = OutputOptions {
            namespace: true,
            color: true,
            ..Default::default()
        };
        assert_eq!(
            text(&opts, "f", &[foo()]),
            "\x1b[1;36mdefault\x1b[0m:\x1b[1;36mfoo\x1b[0m f\n"
        );
    }

    #[test]
    fn text_count() {
        let opts = OutputOptions { count_only: true, ..Default::default() };
        assert_eq!(text(&opts, "f", &[foo(), foo()]), "f: 2\n");
        assert_eq!(text(&opts, "f", &[]), "");
    }

    #[test]
    fn ndjson_shapes() {
        let opts = OutputOptions::default();
        assert_eq!(
            ndjson(&opts, "f", &[foo()]),
            "{\"path\":\"f\",\"rules\":[{\"identifier\":\"foo\"}]}\n"
        );
        assert_eq!(ndjson(&opts, "f", &[]), "");
        let all = OutputOptions {
            namespace: true,
            meta: true,
            tags: true,
            strings: Some(2),
            ..Default::default()
        };
        let mut r = foo();
        r.meta.truncate(2);
        r.matches.truncate(1);
        r.matches[0].data.truncate(2);
        assert_eq!(
            ndjson(&all, "f", &[r]),
            "{\"path\":\"f\",\"rules\":[{\"identifier\":\"foo\",\
             \"namespace\":\"default\",\
             \"meta\":[[\"string\",\"foo\"],[\"bool\",true]],\
             \"tags\":[\"bar\",\"baz\"],\
             \"strings\":[{\"identifier\":\"$foo\",\"offset\":0,\
             \"match\":\"fo ... 1 more bytes\"}]}]}\n"
        );
        let count = OutputOptions { count_only: true, ..Default::default() };
        assert_eq!(
            ndjson(&count, "f", &[foo()]),
            "{\"path\":\"f\",\"count\":1}\n"
        );
    }

    #[test]
    fn ndjson_xor_and_bytes() {
        let opts = OutputOptions {
            meta: true,
            strings: Some(10),
            ..Default::default()
        };
        let r = RuleReport {
            identifier: "x".into(),
            meta: vec![("b".into(), MetaValue::Bytes(vec![1, 255]))],
            matches: vec![MatchReport {
                identifier: "$x".into(),
                offset: 1,
                len: 1,
                data: vec![b'a' ^ 2],
                xor_key: Some(2),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            ndjson(&opts, "p", &[r]),
            "{\"path\":\"p\",\"rules\":[{\"identifier\":\"x\",\
             \"meta\":[[\"b\",[1,255]]],\"strings\":[{\"identifier\":\"$x\",\
             \"offset\":1,\"match\":\"c\",\"xor_key\":2,\
             \"plaintext\":\"a\"}]}]}\n"
        );
    }

    #[test]
    fn json_document() {
        let opts = OutputOptions { meta: true, ..Default::default() };
        let mut c = JsonCollector::default();
        let mut r = foo();
        r.meta = vec![
            ("h".into(), MetaValue::String("a".into())),
            ("n".into(), MetaValue::Integer(1)),
            ("h".into(), MetaValue::String("b".into())),
        ];
        c.add("/z".into(), vec![r]);
        c.add("/y".into(), vec![]);
        c.add("/a".into(), vec![foo()]);
        c.sort();
        let doc = c.finish(&opts, "0.1.0");
        let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v["version"], "0.1.0");
        assert_eq!(v["matches"][0]["file"], "/a");
        assert_eq!(v["matches"][1]["file"], "/z");
        assert_eq!(v["matches"][1]["rule"], "foo");
        assert_eq!(
            v["matches"][1]["meta"]["h"],
            serde_json::json!(["a", "b"])
        );
        assert_eq!(v["matches"][1]["meta"]["n"], 1);
        assert!(doc.starts_with("{\n  \"version\": \"0.1.0\",\n"));

        let empty = JsonCollector::default().finish(&opts, "1");
        assert_eq!(empty, "{\n  \"version\": \"1\",\n  \"matches\": []\n}\n");

        let count = OutputOptions { count_only: true, ..Default::default() };
        assert_eq!(
            c.finish(&count, "1"),
            "[\n  {\n    \"path\": \"/a\",\n    \"count\": 1\n  },\n  \
             {\n    \"path\": \"/z\",\n    \"count\": 1\n  }\n]\n"
        );
    }
}

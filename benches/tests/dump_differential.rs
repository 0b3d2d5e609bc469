//! Differential test of module outputs: for each file, sigscan's `pe`,
//! `elf` and `dotnet` output ([`sigscan::module_output`], what `sigscan
//! dump` prints) against YARA-X's (`yara_x::mods::invoke`, what `yr dump`
//! prints), field by field.
//!
//! Files: every file of `../shared/testdata/libyara`, the PE and ELF
//! files of the committed corpus (`corpus/files`), the DSA- and
//! ECDSA-signed PE files of `engine/src/modules/pe/testdata/signed`, the
//! first 30 ELF files
//! of `/usr/bin` (sorted by name; skipped when there is no `/usr/bin`),
//! and the .NET and signed samples of `$SIGSCAN_SAMPLES` or `/tmp/samples`
//! when present.
//!
//! Both sides become one [`Node`] tree: enumerations as their numbers,
//! protobuf `bytes` and `string` alike as bytes, structs and dictionaries
//! as maps, and empty arrays, maps and structs left out (neither `yr
//! dump` nor a rule can tell them from absent ones). A field path listed
//! in [`NOT_IMPLEMENTED`] is left out of both sides; any other difference
//! fails the test, printed as path, ours, theirs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use protobuf::MessageDyn;
use protobuf::reflect::{ReflectFieldRef, ReflectValueRef};
use sigscan::ModuleValue;
use sigscan_benches::shared_dir;

/// Fields YARA-X has and sigscan does not, as paths with `[]` for any
/// array index, each with the reason.
// None at present: every field YARA-X 1.22.1 has for pe, elf and dotnet
// is implemented.
const NOT_IMPLEMENTED: &[(&str, &str)] = &[];

/// A module output in the form both engines are compared in.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Int(i64),
    Float(f64),
    Bool(bool),
    Bytes(Vec<u8>),
    Map(BTreeMap<String, Node>),
    List(Vec<Node>),
}

impl Node {
    fn is_empty(&self) -> bool {
        match self {
            Node::Map(m) => m.is_empty(),
            Node::List(l) => l.is_empty(),
            _ => false,
        }
    }
}

fn ours(v: &ModuleValue) -> Option<Node> {
    let node = match v {
        ModuleValue::Int(i) => Node::Int(*i),
        ModuleValue::Float(f) => Node::Float(*f),
        ModuleValue::Bool(b) => Node::Bool(*b),
        ModuleValue::Str(s) | ModuleValue::Bytes(s) => Node::Bytes(s.clone()),
        ModuleValue::Time(t) | ModuleValue::Enum(t, _) => Node::Int(*t),
        ModuleValue::Struct(fields) => Node::Map(
            fields
                .iter()
                .filter_map(|(k, v)| Some((k.to_string(), ours(v)?)))
                .collect(),
        ),
        ModuleValue::Dict(entries) => Node::Map(
            entries
                .iter()
                .filter_map(|(k, v)| {
                    Some((String::from_utf8_lossy(k).into_owned(), ours(v)?))
                })
                .collect(),
        ),
        ModuleValue::Array(items) => {
            Node::List(items.iter().filter_map(ours).collect())
        }
        other => panic!("a ModuleValue this test does not know: {other:?}"),
    };
    (!node.is_empty()).then_some(node)
}

fn theirs_value(v: &ReflectValueRef<'_>) -> Option<Node> {
    Some(match v {
        ReflectValueRef::U32(v) => Node::Int(i64::from(*v)),
        // As YARA-X gives a u64 to rules.
        ReflectValueRef::U64(v) => Node::Int(*v as i64),
        ReflectValueRef::I32(v) => Node::Int(i64::from(*v)),
        ReflectValueRef::I64(v) => Node::Int(*v),
        ReflectValueRef::F32(v) => Node::Float(f64::from(*v)),
        ReflectValueRef::F64(v) => Node::Float(*v),
        ReflectValueRef::Bool(v) => Node::Bool(*v),
        ReflectValueRef::String(v) => Node::Bytes(v.as_bytes().to_vec()),
        ReflectValueRef::Bytes(v) => Node::Bytes(v.to_vec()),
        ReflectValueRef::Enum(_, v) => Node::Int(i64::from(*v)),
        ReflectValueRef::Message(m) => return theirs(&**m),
    })
}

fn theirs(msg: &dyn MessageDyn) -> Option<Node> {
    let mut map = BTreeMap::new();
    for field in msg.descriptor_dyn().fields() {
        let node = match field.get_reflect(msg) {
            ReflectFieldRef::Optional(o) => {
                o.value().and_then(|v| theirs_value(&v))
            }
            ReflectFieldRef::Repeated(r) => {
                let items: Vec<_> =
                    r.into_iter().filter_map(|v| theirs_value(&v)).collect();
                Some(Node::List(items))
            }
            ReflectFieldRef::Map(m) => {
                let mut entries = BTreeMap::new();
                for (k, v) in &m {
                    let key = match k {
                        ReflectValueRef::String(s) => s.to_string(),
                        other => other.to_string(),
                    };
                    if let Some(v) = theirs_value(&v) {
                        entries.insert(key, v);
                    }
                }
                Some(Node::Map(entries))
            }
        };
        if let Some(node) = node.filter(|n| !n.is_empty()) {
            map.insert(field.name().to_string(), node);
        }
    }
    let node = Node::Map(map);
    (!node.is_empty()).then_some(node)
}

/// `path` with every array index replaced by `[]`.
fn generic(path: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' => in_index = false,
            c if !in_index => out.push(c),
            _ => {}
        }
    }
    out
}

fn ignored(path: &str) -> bool {
    let g = generic(path);
    NOT_IMPLEMENTED.iter().any(|(p, _)| *p == g)
}

fn show(n: Option<&Node>) -> String {
    match n {
        None => "(absent)".into(),
        Some(Node::Bytes(b)) => format!("{:?}", String::from_utf8_lossy(b)),
        Some(Node::List(l)) => format!("[{} items]", l.len()),
        Some(Node::Map(m)) => {
            let keys: Vec<_> = m.keys().map(String::as_str).collect();
            format!("{{{}}}", keys.join(", "))
        }
        Some(other) => format!("{other:?}"),
    }
}

/// How many scalar values `n` holds.
fn leaves(n: &Node) -> usize {
    match n {
        Node::Map(m) => m.values().map(leaves).sum(),
        Node::List(l) => l.iter().map(leaves).sum(),
        _ => 1,
    }
}

/// Appends one line per difference between `a` (ours) and `b` (theirs)
/// under `path`.
fn diff(
    path: &str,
    a: Option<&Node>,
    b: Option<&Node>,
    out: &mut Vec<String>,
) {
    if ignored(path) {
        return;
    }
    match (a, b) {
        (Some(Node::Map(x)), Some(Node::Map(y))) => {
            let keys: std::collections::BTreeSet<_> =
                x.keys().chain(y.keys()).collect();
            for k in keys {
                let sub = format!("{path}.{k}");
                diff(&sub, x.get(k), y.get(k), out);
            }
        }
        (Some(Node::List(x)), Some(Node::List(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), Some(p), Some(q), out);
            }
        }
        (Some(Node::Float(x)), Some(Node::Float(y)))
            if (x - y).abs() <= 1e-9 * x.abs().max(1.0) => {}
        (a, b) if a == b => {}
        (a, b) => {
            out.push(format!("{path}: ours {} theirs {}", show(a), show(b)))
        }
    }
}

/// What YARA-X's module `name` makes of `data`, in [`Node`] form.
fn yarax_output(name: &str, data: &[u8]) -> Option<Node> {
    use yara_x::mods;
    match name {
        "pe" => theirs(&*mods::invoke::<mods::PE>(data)?),
        "elf" => theirs(&*mods::invoke::<mods::ELF>(data)?),
        "dotnet" => theirs(&*mods::invoke::<mods::Dotnet>(data)?),
        _ => None,
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()))
        .into_iter()
        .flatten()
        .collect();
    files.sort();
    files
}

fn inputs() -> Vec<PathBuf> {
    let mut files = files_in(&shared_dir().join("testdata/libyara"));
    assert!(!files.is_empty(), "../shared/testdata/libyara is readable");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/files");
    files.extend(files_in(&corpus.join("pe")));
    files.extend(files_in(&corpus.join("elf")));
    // PE files signed with DSA and ECDSA keys (see its README).
    let signed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/src/modules/pe/testdata/signed");
    files.extend(files_in(&signed));
    let elves = files_in(Path::new("/usr/bin")).into_iter().filter(|p| {
        let mut magic = [0u8; 4];
        std::fs::File::open(p)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
            .is_ok()
            && magic == *b"\x7fELF"
    });
    files.extend(elves.take(30));
    let samples = std::env::var_os("SIGSCAN_SAMPLES")
        .map_or_else(|| PathBuf::from("/tmp/samples"), PathBuf::from);
    files.extend(files_in(&samples));
    files
}

#[test]
fn module_outputs_agree_with_yarax() {
    let mut report = String::new();
    let (mut compared, mut values) = (0usize, 0usize);
    for path in inputs() {
        let Ok(data) = std::fs::read(&path) else { continue };
        for name in ["pe", "elf", "dotnet"] {
            let ours =
                sigscan::module_output(name, &data).and_then(|v| ours(&v));
            let theirs = yarax_output(name, &data);
            let mut diffs = Vec::new();
            diff(name, ours.as_ref(), theirs.as_ref(), &mut diffs);
            compared += 1;
            values += theirs.as_ref().map_or(0, leaves);
            if !diffs.is_empty() {
                let _ = writeln!(report, "{} ({name}):", path.display());
                for d in diffs.iter().take(40) {
                    let _ = writeln!(report, "  {d}");
                }
                if diffs.len() > 40 {
                    let _ = writeln!(report, "  … {} more", diffs.len() - 40);
                }
            }
        }
    }
    eprintln!("compared {compared} module outputs, {values} values");
    // Guards against a comparison that silently compares nothing.
    assert!(values > 10_000, "only {values} values compared");
    assert!(report.is_empty(), "module outputs differ:\n{report}");
}

/// Module functions whose string results are compared on every input:
/// YARA-X's through `console.log`, sigscan's by a rule that must match
/// (`expr == "theirs"`, or `not defined expr`).
const FUNCTIONS: &[&str] =
    &["elf.telfhash()", "elf.import_md5()", "pe.imphash()"];

#[test]
fn functions_agree_with_yarax() {
    let mut yx =
        String::from("import \"console\" import \"elf\" import \"pe\"\n");
    for (i, f) in FUNCTIONS.iter().enumerate() {
        let _ = writeln!(
            yx,
            "rule f{i} {{ condition: console.log(\"{i}:\", {f}) }}"
        );
    }
    let yx_rules = yara_x::compile(yx.as_str()).expect("YARA-X compiles");
    let mut report = String::new();
    let mut defined = vec![0usize; FUNCTIONS.len()];
    for path in inputs() {
        let Ok(data) = std::fs::read(&path) else { continue };
        let logged = std::cell::RefCell::new(Vec::new());
        {
            let mut scanner = yara_x::Scanner::new(&yx_rules);
            scanner.console_log(|msg| logged.borrow_mut().push(msg));
            scanner.scan(&data).expect("YARA-X scans");
        }
        let logged = logged.into_inner();
        let mut ours = String::from("import \"elf\" import \"pe\"\n");
        let mut want = Vec::new();
        for (i, f) in FUNCTIONS.iter().enumerate() {
            let prefix = format!("{i}:");
            let theirs = logged.iter().find_map(|m| m.strip_prefix(&prefix));
            let cond = match theirs {
                Some(v) => {
                    defined[i] += 1;
                    format!("{f} == \"{}\"", v.escape_default())
                }
                None => format!("not defined {f}"),
            };
            let _ = writeln!(ours, "rule f{i} {{ condition: {cond} }}");
            want.push((format!("f{i}"), cond));
        }
        let mut c = sigscan::Compiler::new();
        c.add_source(&ours).expect("sigscan compiles");
        let rules = c.build().expect("sigscan builds");
        let mut scanner = sigscan::Scanner::new(&rules);
        let results = scanner.scan(&data).expect("sigscan scans");
        let matched: Vec<_> = results
            .matching_rules()
            .map(|r| r.identifier().to_string())
            .collect();
        for (id, cond) in want {
            if !matched.contains(&id) {
                let _ = writeln!(report, "{}: not {cond}", path.display());
            }
        }
    }
    for (f, n) in FUNCTIONS.iter().zip(&defined) {
        eprintln!("{f}: {n} defined results compared");
        assert!(*n >= 5, "{f}: only {n} defined results");
    }
    assert!(report.is_empty(), "function results differ:\n{report}");
}

#[test]
fn differences_are_found() {
    let path = shared_dir().join("testdata/libyara/elf_with_imports");
    let data = std::fs::read(path).expect("elf_with_imports is readable");
    let ours = sigscan::module_output("elf", &data).and_then(|v| ours(&v));
    let mut theirs = yarax_output("elf", &data);
    let Some(Node::Map(m)) = &mut theirs else { panic!("no ELF output") };
    m.insert("machine".into(), Node::Int(3));
    let mut diffs = Vec::new();
    diff("elf", ours.as_ref(), theirs.as_ref(), &mut diffs);
    assert_eq!(diffs, ["elf.machine: ours Int(62) theirs Int(3)"]);
}

#[test]
fn not_implemented_fields_have_reasons() {
    for (path, why) in NOT_IMPLEMENTED {
        assert!(!why.is_empty(), "{path}: no reason given");
    }
}

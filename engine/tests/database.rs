//! The compiled rule database: round trips (the five shared rule sets and
//! the conformance cases scan the same loaded as freshly compiled),
//! reproducible bytes, hostile bytes refused without panics, signatures
//! and version messages.

use sigscan::database::{self, DatabaseError};
use sigscan::{Compiler, Rules, Scanner};

mod common;
use common::shared;

/// The five shared rule sets: per set, `(namespace, source)` per file
/// (Mandiant's from its `all-yara.yar`, as the benches do).
fn rule_sets() -> Vec<(String, Vec<(String, String)>)> {
    let root = shared().join("rules");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("shared rules")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut sets = Vec::new();
    for name in names {
        let dir = root.join(&name);
        let files = if name.starts_with("mandiant") {
            vec![dir.join("all-yara.yar")]
        } else {
            common::rule_files(&dir)
        };
        let sources = files
            .iter()
            .map(|f| {
                let rel = f.strip_prefix(&root).unwrap_or(f);
                let text = std::fs::read(f).expect("rule file");
                (
                    rel.to_string_lossy().into_owned(),
                    String::from_utf8_lossy(&text).into_owned(),
                )
            })
            .collect();
        sets.push((name, sources));
    }
    assert_eq!(sets.len(), 5, "five shared rule sets");
    sets
}

fn compile_set(sources: &[(String, String)]) -> Rules {
    let mut c = Compiler::new();
    c.relaxed_re_syntax(true);
    for (origin, text) in sources {
        c.new_namespace(origin);
        c.add_source_with_origin(text, origin)
            .unwrap_or_else(|e| panic!("{origin}: {e}"));
    }
    c.build().expect("build")
}

/// Everything a scan reports, in order.
type Outcome = Vec<(String, String, Vec<(String, Vec<(usize, usize)>)>)>;

fn scan(rules: &Rules, data: &[u8]) -> Outcome {
    let mut s = Scanner::new(rules);
    let res = s.scan(data).expect("scan");
    res.matching_rules()
        .map(|r| {
            let pats = r
                .patterns()
                .map(|p| {
                    let m = p.matches().iter().map(|m| (m.offset, m.len));
                    (p.identifier().to_string(), m.collect())
                })
                .collect();
            (r.namespace().to_string(), r.identifier().to_string(), pats)
        })
        .collect()
}

/// The shared sample files plus a few made-up buffers.
fn samples() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let dir = shared().join("testdata/libyara");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("shared testdata")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in files {
        out.push((f.display().to_string(), std::fs::read(&f).expect("read")));
    }
    out.push(("empty".into(), Vec::new()));
    out.push(("text".into(), b"MZ This program cannot be run".to_vec()));
    out
}

#[test]
fn shared_rule_sets_round_trip() {
    let samples = samples();
    let mut matched = 0;
    for (name, sources) in rule_sets() {
        let fresh = compile_set(&sources);
        let db = fresh.serialize();
        let loaded =
            Rules::load(&db).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(loaded.len(), fresh.len());
        // Loaded rules serialize back to the same bytes.
        assert_eq!(loaded.serialize(), db, "{name}: re-serialized differs");
        // The rule files hold the text their patterns look for.
        let own = sources.iter().map(|(o, t)| (o.clone(), t.clone().into()));
        let own: Vec<(String, Vec<u8>)> = own.collect();
        for (path, data) in samples.iter().chain(&own) {
            let a = scan(&fresh, data);
            let b = scan(&loaded, data);
            matched += a.len();
            assert_eq!(a, b, "{name} on {path}");
        }
        let info = database::info(&db).expect("info");
        assert_eq!(info.rule_count, fresh.len());
        assert_eq!(info.sources.len(), sources.len());
        assert_eq!(info.sources[0].0, sources[0].0);
    }
    assert!(matched > 0, "the samples match some shared rules");
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn conformance_cases_round_trip() {
    let path = shared().join("conformance/yarax-cases.jsonl");
    let text = std::fs::read_to_string(&path).expect("conformance cases");
    let mut n = 0;
    for (line, l) in text.lines().enumerate() {
        let case: serde_json::Value = serde_json::from_str(l).expect("json");
        let rule = case["rule"].as_str().expect("rule");
        let mut c = Compiler::new();
        if c.add_source(rule).is_err() {
            continue;
        }
        let Ok(fresh) = c.build() else { continue };
        let data = hex(case["data_hex"].as_str().unwrap_or(""));
        let db = fresh.serialize();
        let loaded = Rules::load(&db)
            .unwrap_or_else(|e| panic!("line {}: {e}", line + 1));
        assert_eq!(
            scan(&fresh, &data),
            scan(&loaded, &data),
            "line {}",
            line + 1
        );
        n += 1;
    }
    assert!(n > 100, "only {n} cases compiled");
}

const SMALL: &str = r#"
import "math"
import "pe"
rule a : t1 t2 { meta: k = "v" n = 3 strings: $a = "abc" nocase
  $b = { 61 ?? 63 [1-3] 64 } $c = /x[0-9]+y/ wide ascii
  $d = "hello" xor(1-3) $e = "secret" base64
  condition: any of them and math.entropy(0, filesize) >= 0.0 }
private rule b { strings: $f = "xyz" condition: filesize > 2 and a and
  for all i in (1..#f): (@f[i] >= 0) and not pe.is_pe }
rule c { condition: b and "xyz" matches /X.Z/i }
"#;

fn small() -> Rules {
    let mut c = Compiler::new();
    c.define_global("g", 7i64).expect("global");
    c.add_source_with_origin(SMALL, "small.yar").expect("compile");
    c.build().expect("build")
}

const SMALL_DATA: &[u8] =
    b"xxABCxx a7c5d x123y x\x001\x00y\x00 ifmmp c2VjcmV0 xyz abc";

#[test]
fn small_round_trip_and_reproducible() {
    let r = small();
    let db = r.serialize();
    assert_eq!(small().serialize(), db, "compiling twice, same bytes");
    let other = std::thread::spawn(|| small().serialize()).join().unwrap();
    assert_eq!(other, db, "on another thread, same bytes");
    let loaded = Rules::load(&db).expect("load");
    let want = scan(&r, SMALL_DATA);
    assert!(!want.is_empty());
    assert_eq!(scan(&loaded, SMALL_DATA), want);
    let info = database::info(&db).expect("info");
    assert_eq!(info.format_version, database::FORMAT_VERSION);
    assert_eq!(info.engine_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.imports, ["math", "pe"]);
    assert_eq!(info.namespaces, ["default"]);
    assert_eq!(info.rule_count, 3);
    assert!(!info.signed);
    assert_eq!(info.sources.len(), 1);
    assert_eq!(info.sources[0].0, "small.yar");
}

#[test]
fn absolute_origins_keep_only_the_file_name() {
    let dir = std::env::temp_dir().join(format!("sigscan-db-{}", line!()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("abs.yar");
    std::fs::write(&file, "rule r { condition: true }").unwrap();
    let mut c = Compiler::new();
    c.add_file(&file).unwrap();
    let db = c.build().unwrap().serialize();
    let info = database::info(&db).unwrap();
    assert_eq!(info.sources[0].0, "abs.yar");
    let dir_bytes = dir.to_string_lossy();
    assert!(
        !db.windows(dir_bytes.len()).any(|w| w == dir_bytes.as_bytes()),
        "no absolute path in the bytes"
    );
}

/// Scans with whatever loaded: it must not panic.
fn scan_safely(rules: &Rules) {
    let mut s = Scanner::new(rules);
    let _ = s.scan(SMALL_DATA).map(|r| r.matching_rules().count());
}

#[test]
fn every_flip_and_truncation_is_refused() {
    let db = small().serialize();
    for i in 0..db.len() {
        for bit in [0x01u8, 0x80, 0xFF] {
            let mut bad = db.clone();
            bad[i] ^= bit;
            // The digest covers every byte: all refused.
            assert!(Rules::load(&bad).is_err(), "flip {bit:#x} at {i}");
        }
    }
    for n in 0..db.len() {
        assert!(Rules::load(&db[..n]).is_err(), "truncated to {n}");
    }
}

/// Rewrites the digest after a change, so the change reaches validation.
fn redigest(db: &mut [u8]) {
    use sha2::Digest;
    let body = db.len() - 32;
    let d: [u8; 32] = sha2::Sha256::digest(&db[..body]).into();
    db[body..].copy_from_slice(&d);
}

#[test]
fn changed_bytes_with_a_valid_digest_never_panic() {
    let db = small().serialize();
    let (mut refused, mut loaded) = (0, 0);
    for i in 0..db.len() - 32 {
        for v in [0x00u8, 0x01, 0x7F, 0x80, 0xFF] {
            if db[i] == v {
                continue;
            }
            let mut bad = db.clone();
            bad[i] = v;
            redigest(&mut bad);
            match Rules::load(&bad) {
                Ok(r) => {
                    loaded += 1;
                    scan_safely(&r);
                }
                Err(_) => refused += 1,
            }
        }
    }
    // Most bytes are lengths, indexes and tags.
    assert!(refused > loaded, "refused {refused}, loaded {loaded}");
}

/// Chained patterns (pieces, gaps, greedy, fullword) survive a round
/// trip, and changed bytes in their records never panic a load or scan.
#[test]
fn chained_patterns_round_trip_and_survive_changes() {
    let src = r#"rule ch { strings: $g = { 78 79 [-] 61 62 63 }
      $h = /c2V.{0,300}abc/s $i = /ab.{0,5000}c[0-9]+/s fullword
      condition: any of them }"#;
    let mut c = Compiler::new();
    c.add_source(src).expect("compile");
    let r = c.build().expect("build");
    let db = r.serialize();
    let loaded = Rules::load(&db).expect("load");
    let mut data = SMALL_DATA.to_vec();
    data.extend_from_slice(b" ab");
    data.extend(std::iter::repeat_n(b'.', 4500));
    data.extend_from_slice(b"c42 ");
    let want = scan(&r, &data);
    assert_eq!(want[0].2.len(), 3, "all three patterns match: {want:?}");
    assert_eq!(scan(&loaded, &data), want);
    for i in 0..db.len() - 32 {
        for v in [0x00u8, 0x01, 0x7F, 0xFF] {
            let mut bad = db.clone();
            bad[i] = v;
            redigest(&mut bad);
            if let Ok(r) = Rules::load(&bad) {
                let mut s = Scanner::new(&r);
                let _ = s.scan(&data).map(|r| r.matching_rules().count());
            }
        }
    }
}

#[test]
fn other_format_versions_are_refused_naming_both() {
    let mut db = small().serialize();
    let current = database::FORMAT_VERSION;
    for v in [0, current - 1, current + 1, 99] {
        db[8..12].copy_from_slice(&v.to_le_bytes());
        redigest(&mut db);
        let e = Rules::load(&db).unwrap_err();
        assert!(matches!(e, DatabaseError::FormatVersion { .. }));
        let msg = e.to_string();
        assert!(msg.contains(&format!("version {v}")), "{msg}");
        assert!(
            msg.contains(&format!("version {}", database::FORMAT_VERSION)),
            "{msg}"
        );
    }
    let e = Rules::load(b"not a database at all").unwrap_err();
    assert!(matches!(e, DatabaseError::NotADatabase), "{e}");
}

#[test]
fn other_engine_versions_with_the_same_format_load() {
    let r = small();
    let mut db = r.serialize();
    // The engine version string follows magic, format version and flags.
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let at = 16 + 4;
    assert_eq!(&db[16..at], &(version.len() as u32).to_le_bytes());
    assert_eq!(&db[at..at + version.len()], version);
    let other = vec![b'9'; version.len()];
    db[at..at + version.len()].copy_from_slice(&other);
    redigest(&mut db);
    let info = database::info(&db).expect("info");
    assert_eq!(info.engine_version.as_bytes(), &other[..]);
    let loaded = Rules::load(&db).expect("same format: loaded");
    assert_eq!(scan(&loaded, SMALL_DATA), scan(&r, SMALL_DATA));
}

#[test]
fn signatures() {
    let keys = database::keygen().expect("keygen");
    let other = database::keygen().expect("keygen");
    let db = small().serialize();
    let signed = database::sign(&db, &keys.secret).expect("sign");
    assert_eq!(signed.len(), db.len() + 72);
    assert_eq!(&signed[..db.len()], &db[..]);
    // Valid.
    database::verify(&signed, &keys.public).expect("verifies");
    let r = Rules::load_verified(&signed, &keys.public).expect("load");
    assert_eq!(scan(&r, SMALL_DATA), scan(&small(), SMALL_DATA));
    assert!(Rules::load(&signed).is_ok(), "plain load accepts signed");
    assert!(database::info(&signed).unwrap().signed);
    // Re-signing replaces the signature.
    let again = database::sign(&signed, &other.secret).expect("re-sign");
    assert_eq!(again.len(), signed.len());
    assert!(Rules::load_verified(&again, &other.public).is_ok());
    // Missing.
    assert!(matches!(
        Rules::load_verified(&db, &keys.public),
        Err(DatabaseError::Unsigned)
    ));
    // Wrong key.
    assert!(matches!(
        Rules::load_verified(&signed, &other.public),
        Err(DatabaseError::BadSignature)
    ));
    // Tampered body (digest fixed up too) and tampered signature.
    for i in [20, db.len() / 2, db.len() - 1, db.len() + 10, signed.len() - 1]
    {
        let mut bad = signed.clone();
        bad[i] ^= 0x04;
        assert!(
            matches!(
                Rules::load_verified(&bad, &keys.public),
                Err(DatabaseError::BadSignature | DatabaseError::Unsigned)
            ),
            "tampered at {i}"
        );
    }
    // Same bytes from the same key.
    assert_eq!(database::sign(&db, &keys.secret).unwrap(), signed);
}

#[test]
fn errors_are_send_sync_and_display() {
    fn ok<T: Send + Sync + std::error::Error>() {}
    ok::<DatabaseError>();
    let e = Rules::load_file("/nonexistent/sigscan.db").unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
}

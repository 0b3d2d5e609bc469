//! End-to-end tests of the database commands: `compile -o` (with
//! `--manifest` and `--sign`), `keygen`, `sign`, `verify`, `info` and
//! `scan -C` (with `--public-key`), the built binary run in temporary
//! directories.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RULES: &str = r#"
import "math"
rule foo : bar { meta: k = "v" strings: $foo = "foo" condition: $foo }
rule ent { condition: math.entropy(0, filesize) >= 0.0 and ext > 1 }
"#;

const MORE: &str = r#"rule qux { strings: $q = { 71 75 ?? } condition: $q }"#;

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        let d = Dir(tempfile::tempdir().unwrap());
        d.write("rules/a.yar", RULES);
        d.write("rules/sub/b.yar", MORE);
        d.write("data.bin", "xx foo quux");
        d
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, data).unwrap();
        p
    }

    fn read(&self, name: &str) -> Vec<u8> {
        fs::read(self.path().join(name)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_sigscan"))
            .current_dir(self.path())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs and expects success; stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

const COMPILE: &[&str] =
    &["compile", "rules", "-d", "ext=2", "-o", "rules.sdb"];

#[test]
fn compile_then_scan_compiled_gives_the_same_output() {
    let d = Dir::new();
    d.ok(COMPILE);
    // With -s: hex patterns print as hex bytes from a database too.
    let from_source =
        d.ok(&["scan", "-e", "-s", "-d", "ext=2", "rules", "data.bin"]);
    let from_db = d.ok(&["scan", "-e", "-s", "-C", "rules.sdb", "data.bin"]);
    assert!(from_source.contains("default:foo data.bin"), "{from_source}");
    assert!(from_source.contains("default:qux data.bin"), "{from_source}");
    let ndjson = ["-o", "ndjson", "-s", "-m", "-g"];
    let mut a = vec!["scan", "-d", "ext=2"];
    a.extend(ndjson);
    a.extend(["rules", "data.bin"]);
    let mut b = vec!["scan", "-C"];
    b.extend(ndjson);
    b.extend(["rules.sdb", "data.bin"]);
    assert_eq!(d.ok(&b), d.ok(&a));
    assert_eq!(from_db, from_source);
    // Not a database.
    let out = d.run(&["scan", "-C", "rules/a.yar", "data.bin"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a sigscan rule database"), "{err}");
}

#[test]
fn compiling_is_reproducible_across_directories_and_threads() {
    let a = Dir::new();
    let b = Dir::new();
    a.ok(COMPILE);
    // Another directory, another thread count in the environment.
    let out = Command::new(env!("CARGO_BIN_EXE_sigscan"))
        .current_dir(b.path())
        .env("RAYON_NUM_THREADS", "1")
        .args(COMPILE)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(a.read("rules.sdb"), b.read("rules.sdb"));
    let dir = a.path().to_string_lossy().into_owned();
    let db = a.read("rules.sdb");
    assert!(!db.windows(dir.len()).any(|w| w == dir.as_bytes()));
}

#[test]
fn manifest_lists_sources_relative_to_the_root() {
    let d = Dir::new();
    let mut args = COMPILE.to_vec();
    args.extend(["--manifest", "m.json"]);
    d.ok(&args);
    let m: serde_json::Value =
        serde_json::from_slice(&d.read("m.json")).unwrap();
    let info = d.ok(&["info", "rules.sdb"]);
    let digest = m["database_sha256"].as_str().unwrap();
    assert!(info.contains(&format!("digest: sha256:{digest}")), "{info}");
    assert_eq!(m["engine_version"], env!("CARGO_PKG_VERSION"));
    let paths: Vec<&str> = m["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["rules/a.yar", "rules/sub/b.yar"]);
    let sha = m["sources"][0]["sha256"].as_str().unwrap();
    assert!(info.contains(&format!("{sha}  rules/a.yar")), "{info}");
    assert_eq!(m["defines"][0]["name"], "ext");
    assert_eq!(m["defines"][0]["value"], 2);
    // Relative to another root.
    let mut args = COMPILE.to_vec();
    args.extend(["--manifest", "m2.json", "--root", "rules"]);
    d.ok(&args);
    let m: serde_json::Value =
        serde_json::from_slice(&d.read("m2.json")).unwrap();
    assert_eq!(m["sources"][1]["path"], "sub/b.yar");
}

#[test]
fn info_describes_the_database() {
    let d = Dir::new();
    d.ok(COMPILE);
    let info = d.ok(&["info", "rules.sdb"]);
    for want in [
        &format!("format version: {}", sigscan::database::FORMAT_VERSION),
        &format!("engine version: {}", env!("CARGO_PKG_VERSION")),
        "signed: no",
        "rules: 3",
        "imports: math",
        "sources: 2",
    ] {
        assert!(info.contains(want), "{want} in\n{info}");
    }
}

#[test]
fn keys_sign_verify_and_scan_with_a_public_key() {
    let d = Dir::new();
    d.ok(&["keygen", "k"]);
    d.ok(&["keygen", "other"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(d.path().join("k.key")).unwrap().permissions();
        assert_eq!(mode.mode() & 0o777, 0o600);
    }
    d.ok(COMPILE);
    let unsigned = d.read("rules.sdb");
    // Unsigned: verify fails, scan with a key refuses it.
    assert!(!d.run(&["verify", "rules.sdb", "k.pub"]).status.success());
    let scan_k =
        ["scan", "-C", "--public-key", "k.pub", "rules.sdb", "data.bin"];
    let out = d.run(&scan_k);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not signed"), "{err}");
    // Signed in place.
    d.ok(&["sign", "rules.sdb", "k.key"]);
    assert!(d.ok(&["verify", "rules.sdb", "k.pub"]).contains("signature OK"));
    assert!(!d.run(&["verify", "rules.sdb", "other.pub"]).status.success());
    assert!(d.ok(&scan_k).contains("foo data.bin"));
    // `--public-key` is accepted in any position.
    for args in [
        ["scan", "-C", "rules.sdb", "data.bin", "--public-key", "k.pub"],
        ["scan", "-C", "rules.sdb", "--public-key", "k.pub", "data.bin"],
        ["scan", "--public-key", "k.pub", "-C", "rules.sdb", "data.bin"],
    ] {
        assert!(d.ok(&args).contains("foo data.bin"), "{args:?}");
    }
    assert!(d.ok(&["info", "rules.sdb"]).contains("signed: yes"));
    // `compile --sign` gives the same bytes as compile then sign.
    let signed = d.read("rules.sdb");
    let mut args = COMPILE.to_vec();
    args.extend(["--sign", "k.key"]);
    d.ok(&args);
    assert_eq!(d.read("rules.sdb"), signed);
    assert_eq!(&signed[..unsigned.len()], &unsigned[..]);
    // Tampered: refused.
    let mut bad = signed.clone();
    bad[40] ^= 1;
    d.write("rules.sdb", &bad);
    assert!(!d.run(&scan_k).status.success());
    assert!(!d.run(&["verify", "rules.sdb", "k.pub"]).status.success());
    // A key file that is not a key.
    assert!(!d.run(&["sign", "rules.sdb", "data.bin"]).status.success());
}

//! End-to-end tests of `sigscan scan`, `compile` and `check`: the built
//! binary run on rule and data files made in a temporary directory, with
//! exact expected output.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const FOO: &str = r#"
rule foo : bar baz {
  meta:
    string = "foo"
    bool = true
    int = 1
    float = 3.5
  strings:
    $foo = "foo"
    $foo_hex = { 66 6f 6f }
  condition:
    any of them
}
"#;

/// A temporary directory with helpers to fill it and run the command in
/// it (paths in the output are then relative).
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path().join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, data).unwrap();
        p
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sigscan"));
        c.current_dir(self.path()).args(args);
        c
    }

    /// Runs with the given arguments and no input, giving up after 60 s.
    fn run(&self, args: &[&str]) -> Output {
        run_with_input(self.cmd(args), None)
    }
}

fn run_with_input(mut cmd: Command, input: Option<&str>) -> Output {
    cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("sigscan did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Runs, expects success with an empty stderr, and returns stdout.
fn ok(dir: &Dir, args: &[&str]) -> String {
    let o = dir.run(args);
    assert_eq!(stderr(&o), "", "stderr of {args:?}");
    assert_eq!(o.status.code(), Some(0), "status of {args:?}");
    stdout(&o)
}

/// The foo rules and a data file `dummy.file` that matches them.
fn foo_dir() -> Dir {
    let d = Dir::new();
    d.write("foo.yar", FOO);
    d.write("dummy.file", "foo\n");
    d
}

#[test]
fn text_plain() {
    let d = foo_dir();
    assert_eq!(ok(&d, &["scan", "foo.yar", "dummy.file"]), "foo dummy.file\n");
}

#[test]
fn text_print_strings() {
    let d = foo_dir();
    assert_eq!(
        ok(&d, &["scan", "-s", "foo.yar", "dummy.file"]),
        "foo dummy.file\n0x0:3:$foo: foo\n0x0:3:$foo_hex: 66 6f 6f\n"
    );
    assert_eq!(
        ok(&d, &["scan", "--print-strings=2", "foo.yar", "dummy.file"]),
        "foo dummy.file\n0x0:3:$foo: fo ... 1 more bytes\n\
         0x0:3:$foo_hex: 66 6f ... 1 more bytes\n"
    );
}

#[test]
fn text_escapes_match_data() {
    let d = Dir::new();
    d.write(
        "r.yar",
        r#"rule r { strings: $a = /a.b"c\x00d\\/s condition: $a }"#,
    );
    d.write("data", b"..a\nb\"c\x00d\\..");
    assert_eq!(
        ok(&d, &["scan", "-s", "r.yar", "data"]),
        "r data\n0x2:8:$a: a\\nb\\\"c\\x00d\\\\\n"
    );
}

#[test]
fn text_xor() {
    let d = Dir::new();
    d.write("r.yar", r#"rule x { strings: $a = "ab" xor(1) condition: $a }"#);
    d.write("data", [b'-', b'a' ^ 1, b'b' ^ 1]);
    assert_eq!(
        ok(&d, &["scan", "-s", "r.yar", "data"]),
        "x data\n0x1:2:$a xor(0x1,ab): `c\n"
    );
}

#[test]
fn text_meta_tags_namespace() {
    let d = foo_dir();
    assert_eq!(
        ok(&d, &["scan", "-m", "foo.yar", "dummy.file"]),
        "foo [string=\"foo\",bool=true,int=1,float=3.5] dummy.file\n"
    );
    assert_eq!(
        ok(&d, &["scan", "-g", "foo.yar", "dummy.file"]),
        "foo [bar,baz] dummy.file\n"
    );
    assert_eq!(
        ok(&d, &["scan", "-e", "foo.yar", "dummy.file"]),
        "default:foo dummy.file\n"
    );
    assert_eq!(
        ok(&d, &["scan", "-e", "-g", "-m", "ns:foo.yar", "dummy.file"]),
        "ns:foo [bar,baz] [string=\"foo\",bool=true,int=1,float=3.5] \
         dummy.file\n"
    );
    assert_eq!(
        ok(
            &d,
            &["scan", "-e", "--path-as-namespace", "foo.yar", "dummy.file"]
        ),
        "foo.yar:foo dummy.file\n"
    );
}

#[test]
fn ndjson() {
    let d = foo_dir();
    assert_eq!(
        ok(&d, &["scan", "-o", "ndjson", "foo.yar", "dummy.file"]),
        "{\"path\":\"dummy.file\",\"rules\":[{\"identifier\":\"foo\"}]}\n"
    );
    assert_eq!(
        ok(
            &d,
            &[
                "scan",
                "--output-format=ndjson",
                "-e",
                "-m",
                "-g",
                "-s",
                "foo.yar",
                "dummy.file"
            ]
        ),
        "{\"path\":\"dummy.file\",\"rules\":[{\"identifier\":\"foo\",\
         \"namespace\":\"default\",\"meta\":[[\"string\",\"foo\"],\
         [\"bool\",true],[\"int\",1],[\"float\",3.5]],\
         \"tags\":[\"bar\",\"baz\"],\"strings\":[\
         {\"identifier\":\"$foo\",\"offset\":0,\"match\":\"foo\"},\
         {\"identifier\":\"$foo_hex\",\"offset\":0,\"match\":\"foo\"}]}]}\n"
    );
    assert_eq!(
        ok(&d, &["scan", "-o", "ndjson", "-c", "foo.yar", "dummy.file"]),
        "{\"path\":\"dummy.file\",\"count\":1}\n"
    );
    d.write("none", "bar");
    assert_eq!(ok(&d, &["scan", "-o", "ndjson", "foo.yar", "none"]), "");
}

#[test]
fn json() {
    let d = Dir::new();
    d.write("foo.yar", FOO);
    d.write("data/dummy.file", "foo\n");
    d.write("data/none", "nothing");
    let out =
        ok(&d, &["scan", "-o", "json", "-m", "-g", "-s", "foo.yar", "data"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let abs = fs::canonicalize(d.path().join("data/dummy.file")).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        v["matches"],
        serde_json::json!([{
            "rule": "foo",
            "file": abs.to_str().unwrap(),
            "meta": {"string": "foo", "bool": true, "int": 1, "float": 3.5},
            "tags": ["bar", "baz"],
            "strings": [
                {"identifier": "$foo", "offset": 0, "match": "foo"},
                {"identifier": "$foo_hex", "offset": 0, "match": "foo"},
            ],
        }])
    );
    assert!(out.starts_with("{\n  \"version\": "), "pretty-printed");
    let out = ok(&d, &["scan", "-o", "json", "-c", "foo.yar", "data"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!([{"path": abs.to_str().unwrap(), "count": 1}])
    );
    let out = ok(&d, &["scan", "-o", "json", "foo.yar", "data/none"]);
    assert_eq!(
        out,
        format!(
            "{{\n  \"version\": \"{}\",\n  \"matches\": []\n}}\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// Two rules with tags, and files matching one, both or none of them.
fn ab_dir() -> Dir {
    let d = Dir::new();
    d.write(
        "ab.yar",
        r#"
        rule rule_a : tag_a { strings: $a = "AAA" condition: $a }
        rule rule_b : tag_b { strings: $b = "BBB" condition: $b }
        "#,
    );
    d.write("t/1", "AAA");
    d.write("t/2", "AAA BBB");
    d.write("t/3", "none");
    d
}

#[test]
fn count() {
    let d = ab_dir();
    assert_eq!(
        ok(&d, &["scan", "-c", "-p", "1", "ab.yar", "t"]),
        "t/1: 1\nt/2: 2\n"
    );
}

#[test]
fn negate() {
    let d = ab_dir();
    assert_eq!(
        ok(&d, &["scan", "-n", "-p", "1", "ab.yar", "t"]),
        "rule_b t/1\nrule_a t/3\nrule_b t/3\n"
    );
}

#[test]
fn tag() {
    let d = ab_dir();
    assert_eq!(
        ok(&d, &["scan", "-t", "tag_b", "-p", "1", "ab.yar", "t"]),
        "rule_b t/2\n"
    );
    assert_eq!(
        ok(&d, &["scan", "--tag=tag_b", "-o", "ndjson", "ab.yar", "t/2"]),
        "{\"path\":\"t/2\",\"rules\":[{\"identifier\":\"rule_b\"}]}\n"
    );
    assert_eq!(ok(&d, &["scan", "--tag=nope", "ab.yar", "t"]), "");
}

#[test]
fn define() {
    let d = Dir::new();
    d.write(
        "v.yar",
        "rule test { condition: f == 3.5 and i == 1 and b and s == \"x\" }",
    );
    d.write("data", "");
    assert_eq!(
        ok(
            &d,
            &[
                "scan",
                "-d",
                "f=3.5",
                "--define=i=1",
                "-d",
                "b=true",
                "-d",
                "s=\"x\"",
                "v.yar",
                "data"
            ]
        ),
        "test data\n"
    );
    let o = d.run(&["scan", "-d", "s=bare", "v.yar", "data"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean"), "{}", stderr(&o));
}

#[test]
fn skip_larger() {
    let d = ab_dir();
    assert_eq!(
        ok(&d, &["scan", "-z", "3", "-p", "1", "ab.yar", "t"]),
        "rule_a t/1\n"
    );
}

/// A 5 GB file that takes no room on disk is skipped by `-z`, not read:
/// the scan of the rest is unaffected and ends at once.
#[test]
fn skip_larger_sparse_5gb() {
    let d = ab_dir();
    let f = fs::File::create(d.path().join("t/huge")).unwrap();
    f.set_len(5 << 30).unwrap();
    drop(f);
    d.write("any.yar", "rule any_file { condition: filesize >= 0 }");
    let out = ok(&d, &["scan", "-z", "1000000", "-p", "1", "any.yar", "t"]);
    assert_eq!(out, "any_file t/1\nany_file t/2\nany_file t/3\n");
    let out =
        ok(&d, &["scan", "--skip-larger=5368709119", "any.yar", "t/huge"]);
    assert_eq!(out, "");
}

#[test]
fn empty_file() {
    let d = ab_dir();
    d.write("t/0", "");
    d.write(
        "empty.yar",
        "rule empty { condition: filesize == 0 }\n\
         rule has_a { strings: $a = \"AAA\" condition: $a }",
    );
    assert_eq!(
        ok(&d, &["scan", "-p", "1", "empty.yar", "t"]),
        "empty t/0\nhas_a t/1\nhas_a t/2\n"
    );
    assert_eq!(ok(&d, &["scan", "-c", "ab.yar", "t/0"]), "");
}

/// Exit status: 0 when every file was scanned, matches or not; 1 when some
/// file could not be scanned or the timeout hit (see also the tests on
/// unreadable files and timeouts); 2 for bad usage or bad rules, with a
/// diagnostic and nothing scanned.
#[test]
fn exit_status() {
    let d = ab_dir();
    d.write("bad.yar", "rule bad {\n  condition: $a\n}\n");
    d.write("syntax.yar", "rule {");
    d.write("list", "t/1\nt/gone\n");
    let cases: &[(&[&str], i32, &str)] = &[
        (&["scan", "ab.yar", "t"], 0, ""),
        (&["scan", "ab.yar", "t/3"], 0, ""),
        (&["scan", "--scan-list", "ab.yar", "list"], 1, "error: t/gone: "),
        (&["scan", "bad.yar", "t"], 2, "bad.yar:2:14"),
        (&["scan", "syntax.yar", "t"], 2, "syntax.yar:1:"),
        (&["scan", "missing.yar", "t"], 2, "missing.yar"),
        (&["scan", "ab.yar", "missing"], 2, "can't open `missing`"),
        (&["scan", "-r", "ab.yar", "t/1"], 2, "can't use '--recursive'"),
        (&["scan", "--no-such-option", "ab.yar", "t"], 2, "--no-such"),
        (&["scan", "-p", "x", "ab.yar", "t"], 2, "invalid value"),
        (&["scan", "ab.yar"], 2, "required"),
        (&["frobnicate"], 2, "unrecognized subcommand"),
    ];
    for &(args, code, message) in cases {
        let o = d.run(args);
        assert_eq!(o.status.code(), Some(code), "status of {args:?}");
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
        if code == 2 {
            assert_eq!(stdout(&o), "", "stdout of {args:?}");
        }
    }
}

#[test]
fn recursive_depth() {
    let d = ab_dir();
    d.write("t/sub/4", "AAA");
    d.write("t/sub/deeper/5", "AAA");
    let run = |extra: &[&str]| {
        let mut args = vec!["scan", "-p", "1", "-t", "tag_a"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["ab.yar", "t"]);
        ok(&d, &args)
    };
    assert_eq!(run(&[]), "rule_a t/1\nrule_a t/2\n");
    assert_eq!(run(&["-r=1"]), "rule_a t/1\nrule_a t/2\nrule_a t/sub/4\n");
    assert_eq!(
        run(&["-r"]),
        "rule_a t/1\nrule_a t/2\nrule_a t/sub/4\nrule_a t/sub/deeper/5\n"
    );
    let o = d.run(&["scan", "-r", "ab.yar", "t/1"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: can't use '--recursive' when <TARGET_PATH> is a file\n"
    );
}

#[test]
fn rules_from_directory() {
    let d = Dir::new();
    d.write(
        "rules/a.yar",
        r#"rule a { strings: $ = "xyzzy" condition: any of them }"#,
    );
    d.write(
        "rules/sub/b.yara",
        r#"rule b { strings: $ = "xyzzy" condition: any of them }"#,
    );
    d.write("rules/ignored.txt", "not a rule file");
    d.write("data", "xyzzy");
    assert_eq!(ok(&d, &["scan", "rules", "data"]), "a data\nb data\n");
}

#[test]
fn unreadable_files_are_reported_and_the_scan_goes_on() {
    let d = ab_dir();
    // A listed file that is gone, and one whose read fails after it was
    // found (reading /proc/self/mem at offset 0 fails with EIO).
    let list = "t/1\nt/gone\nt/2\n";
    let o = run_with_input(
        d.cmd(&["scan", "--scan-list", "-p", "1", "ab.yar", "-"]),
        Some(list),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: t/gone: No such file or directory (os error 2)\n"
    );
    assert_eq!(stdout(&o), "rule_a t/1\nrule_a t/2\nrule_b t/2\n");

    // A file whose read fails after it was found.
    let list = "t/1\n/proc/self/mem\nt/2\n";
    let o = run_with_input(
        d.cmd(&["scan", "--scan-list", "-p", "1", "ab.yar", "-"]),
        Some(list),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: /proc/self/mem: Input/output error (os error 5)\n"
    );
    assert_eq!(stdout(&o), "rule_a t/1\nrule_a t/2\nrule_b t/2\n");
}

#[test]
fn permission_denied() {
    let d = ab_dir();
    let p = d.path().join("t/1");
    let mut perms = fs::metadata(&p).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o000);
    fs::set_permissions(&p, perms).unwrap();
    if fs::read(&p).is_ok() {
        // Running as root: the file is readable anyway.
        return;
    }
    let o = d.run(&["scan", "-p", "1", "ab.yar", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: t/1: Permission denied (os error 13)\n");
    assert_eq!(stdout(&o), "rule_a t/2\nrule_b t/2\n");
}

#[test]
fn missing_target() {
    let d = ab_dir();
    let o = d.run(&["scan", "ab.yar", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: can't open `nope`: No such file or directory (os error 2)\n"
    );
}

#[test]
fn fifo_is_skipped() {
    let d = ab_dir();
    let fifo = d.path().join("t/fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let o = d.run(&["scan", "-p", "1", "ab.yar", "t"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "notice: t/fifo: skipped (named pipe)\n");
    assert_eq!(stdout(&o), "rule_a t/1\nrule_a t/2\nrule_b t/2\n");
    // Named directly as the target, too.
    let o = d.run(&["scan", "ab.yar", "t/fifo"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "notice: t/fifo: skipped (named pipe)\n");
}

#[test]
fn symlink_loop_does_not_hang() {
    let d = ab_dir();
    std::os::unix::fs::symlink(".", d.path().join("t/loop")).unwrap();
    std::os::unix::fs::symlink("1", d.path().join("t/link")).unwrap();
    std::os::unix::fs::symlink("nowhere", d.path().join("t/broken")).unwrap();
    // As in yr, links inside the tree are skipped: no loop, no duplicate.
    let o = d.run(&["scan", "-r", "-p", "1", "ab.yar", "t"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "rule_a t/1\nrule_a t/2\nrule_b t/2\n");
    // A link named as the target is followed, once.
    let o = d.run(&["scan", "-r", "-p", "1", "ab.yar", "t/loop"]);
    assert_eq!(stderr(&o), "");
    assert_eq!(
        stdout(&o),
        "rule_a t/loop/1\nrule_a t/loop/2\nrule_b t/loop/2\n"
    );
    assert_eq!(ok(&d, &["scan", "ab.yar", "t/link"]), "rule_a t/link\n");
}

#[test]
fn scan_list_from_stdin() {
    let d = ab_dir();
    let o = run_with_input(
        d.cmd(&[
            "scan",
            "--count",
            "--scan-list",
            "--threads=1",
            "ab.yar",
            "-",
        ]),
        Some("t/2\nt/3\n"),
    );
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "t/2: 2\n");
}

#[test]
fn many_files_many_threads() {
    let d = Dir::new();
    d.write("r.yar", r#"rule r { strings: $a = "hit" condition: $a }"#);
    let mut expected = Vec::new();
    for i in 0..300 {
        let name = format!("many/f{i:03}");
        if i % 3 == 0 {
            d.write(&name, format!("{i} hit {i}"));
            expected.push(format!("r {name}"));
        } else {
            d.write(&name, format!("{i} miss"));
        }
    }
    let out = ok(&d, &["scan", "-p", "4", "r.yar", "many"]);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(lines, expected);
}

#[test]
fn no_mmap_and_large_files() {
    let d = Dir::new();
    d.write("r.yar", r#"rule r { strings: $a = "needle" condition: $a }"#);
    let mut big = vec![b'.'; 1 << 20];
    big[1_000_000..1_000_006].copy_from_slice(b"needle");
    d.write("big", &big);
    let expected = "r big\n0xf4240:6:$a: needle\n";
    assert_eq!(ok(&d, &["scan", "-s", "r.yar", "big"]), expected);
    assert_eq!(ok(&d, &["scan", "-s", "--no-mmap", "r.yar", "big"]), expected);
}

#[test]
fn max_matches_per_pattern() {
    let d = Dir::new();
    d.write("r.yar", r#"rule r { strings: $a = "ab" condition: $a }"#);
    d.write("data", "ab ab ab");
    assert_eq!(
        ok(
            &d,
            &["scan", "-s", "--max-matches-per-pattern", "1", "r.yar", "data"]
        ),
        "r data\n0x0:2:$a: ab\n"
    );
}

#[test]
fn timeout_ends_the_scan() {
    let d = Dir::new();
    d.write(
        "slow.yar",
        "rule slow { condition: for all i in (0..filesize - 1) : \
         (uint8(i) == 0) }",
    );
    // 1 GiB of zeros that take no room on disk: the loop runs far past
    // the one-second timeout.
    fs::create_dir_all(d.path().join("t")).unwrap();
    let f = fs::File::create(d.path().join("t/a.bin")).unwrap();
    f.set_len(1 << 30).unwrap();
    d.write("t/b", "\0");
    let start = Instant::now();
    let o = d.run(&["scan", "-a", "1", "-p", "1", "slow.yar", "t"]);
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: t/a.bin: timeout\n");
    assert_eq!(stdout(&o), "", "the scan stopped at the timeout");
}

#[test]
fn compile_errors() {
    let d = Dir::new();
    d.write("bad.yar", "rule bad {\n  condition: $a\n}\n");
    d.write("data", "");
    let o = d.run(&["scan", "bad.yar", "data"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(err.contains("bad.yar:2:14"), "{err}");
    assert!(err.contains("condition: $a"), "{err}");
    assert!(err.contains('^'), "{err}");
    assert!(err.ends_with("error: 1 error(s) found\n"), "{err}");
}

#[test]
fn ignore_invalid_rules() {
    let d = Dir::new();
    d.write("rules/bad.yar", "rule bad {\n  condition: $a\n}\n");
    d.write("rules/good.yar", "rule good { condition: filesize == 0 }");
    d.write("data", "");
    let o = d.run(&["scan", "rules", "data"]);
    assert_eq!(o.status.code(), Some(2));
    let o = d.run(&["scan", "--ignore-invalid-rules", "rules", "data"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "good data\n");
    assert!(stderr(&o).contains("bad.yar:2:14"), "{}", stderr(&o));
}

#[test]
fn warnings_and_disable_warnings() {
    let d = Dir::new();
    d.write(
        "slow.yar",
        "rule slow {\n  strings:\n    $a = { 00 00 }\n  \
         condition:\n    $a\n}\n",
    );
    d.write("data", b"\x00\x00\x02");
    let o = d.run(&["scan", "slow.yar", "data"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "slow data\n");
    let err = stderr(&o);
    assert!(err.starts_with("warning["), "{err}");
    assert!(err.contains("slow.yar:3:5"), "{err}");
    assert_eq!(ok(&d, &["scan", "-w", "slow.yar", "data"]), "slow data\n");
    let args = ["scan", "--disable-warnings=slow_pattern", "slow.yar", "data"];
    assert_eq!(ok(&d, &args), "slow data\n");
    let args = ["scan", "--disable-warnings=E310", "slow.yar", "data"];
    assert_eq!(ok(&d, &args), "slow data\n");
    let o = d.run(&["scan", "--disable-warnings=W001", "slow.yar", "data"]);
    assert!(stderr(&o).starts_with("warning["));
}

#[test]
fn compiled_rules_usage() {
    let d = foo_dir();
    let o = d.run(&["scan", "-C", "foo.yar", "dummy.file"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: can't load `foo.yar`: not a sigscan rule database (bad \
         magic)\n"
    );
    let o = d.run(&["scan", "-C", "foo.yar", "foo.yar", "dummy.file"]);
    assert_eq!(
        stderr(&o),
        "error: can't use '--compiled-rules' with more than one RULES_PATH\n"
    );
    let o = d.run(&["compile", "foo.yar", "-o", "out.yarc"]);
    assert_eq!(o.status.code(), Some(0));
    let o = d.run(&["scan", "-C", "out.yarc", "dummy.file"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn check_exit_codes() {
    let d = Dir::new();
    d.write("good.yar", FOO);
    d.write("bad.yar", "rule bad {\n  condition: $a\n}\n");
    d.write("slow.yar", "rule slow { strings: $a = { 00 00 } condition: $a }");

    let o = d.run(&["check", "good.yar"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "[ PASS ] good.yar\n");
    assert_eq!(stderr(&o), "");

    let o = d.run(&["check", "good.yar", "slow.yar"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "[ PASS ] good.yar\n[ WARN ] slow.yar\n");
    assert!(stderr(&o).contains("slow.yar:1:22"), "{}", stderr(&o));

    let o = d.run(&["check", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "[ FAIL ] ./bad.yar\n[ PASS ] ./good.yar\n[ WARN ] ./slow.yar\n"
    );
    assert!(stderr(&o).contains("./bad.yar:2:14"), "{}", stderr(&o));

    let o = d.run(&["check", "-w", "slow.yar"]);
    assert_eq!(o.status.code(), Some(0));

    let o = d.run(&["check", "missing.yar"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: can't open `missing.yar`"));
}

#[test]
fn check_recursive() {
    let d = Dir::new();
    d.write("r/top.yar", "rule top { condition: filesize > 0 }");
    d.write("r/sub/deep.yar", "rule deep { condition: filesize > 0 }");
    d.write("r/sub/notes.txt", "not a rule file");
    let o = d.run(&["check", "r"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "[ PASS ] r/top.yar\n");
    let o = d.run(&["check", "-r", "r"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "[ PASS ] r/sub/deep.yar\n[ PASS ] r/top.yar\n");
}

/// The README's first command: the bundled rules over a directory.
#[test]
fn bundled_rules() {
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
    let d = Dir::new();
    d.write("t/clean", "nothing to see here");
    d.write(
        "t/eicar.com",
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!\
         $H+H*\n",
    );
    d.write("t/shell.php", "<?php eval($_POST['x']); ?>");
    assert_eq!(
        ok(&d, &["scan", "-p", "1", rules, "t"]),
        "Test_EICAR t/eicar.com\nWebshell_PHP_Eval_Request t/shell.php\n"
    );
}

//! The public API: thread-safety, externals, limits, results, errors.

use std::time::Duration;

use sigscan::{
    CompileError, Compiler, DiagnosticKind, MetaValue, Rules, ScanError,
    Scanner,
};

fn compile(src: &str) -> Rules {
    let mut c = Compiler::new();
    c.add_source(src).unwrap_or_else(|e| panic!("{e}"));
    c.build().unwrap_or_else(|e| panic!("{e}"))
}

fn matching(rules: &Rules, data: &[u8]) -> Vec<String> {
    let mut s = Scanner::new(rules);
    let r = s.scan(data).expect("scan");
    r.matching_rules().map(|r| r.identifier().to_string()).collect()
}

#[test]
fn public_types_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    fn send<T: Send>() {}
    both::<Rules>();
    both::<Compiler>();
    both::<CompileError>();
    both::<ScanError>();
    both::<sigscan::Diagnostic>();
    both::<sigscan::Match>();
    both::<sigscan::ModuleValue>();
    send::<Scanner<'static>>();
}

#[test]
fn module_output_names_fields_as_rules_do() {
    use sigscan::ModuleValue as V;
    assert_eq!(sigscan::module_output("nope", b""), None);
    let names: Vec<_> = sigscan::module_names().collect();
    assert!(names.contains(&"pe") && names.contains(&"hash"), "{names:?}");
    // An ELF header alone: 64-bit little-endian, ET_EXEC, x86-64.
    let mut elf = vec![0u8; 64];
    elf[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    elf[16] = 2;
    elf[18] = 0x3e;
    let Some(V::Struct(fields)) = sigscan::module_output("elf", &elf) else {
        panic!("elf output is a struct");
    };
    let get = |name| fields.iter().find(|(n, _)| *n == name).map(|f| &f.1);
    assert_eq!(get("type"), Some(&V::Enum(2, "ET_EXEC")));
    assert_eq!(get("machine"), Some(&V::Enum(0x3e, "EM_X86_64")));
    // Undefined fields and constants are left out.
    assert_eq!(get("ET_EXEC"), None);
}

#[test]
fn externals_default_and_override() {
    let mut c = Compiler::new();
    c.define_global("n", 3i64).unwrap();
    c.define_global("s", "abc").unwrap();
    c.define_global("b", false).unwrap();
    c.define_global("f", 1.5).unwrap();
    c.add_source(
        r#"rule a { condition: n == 3 and s contains "b" and not b and f > 1 }
           rule r2 { condition: n == 4 and b }"#,
    )
    .unwrap();
    let rules = c.build().unwrap();
    assert_eq!(matching(&rules, b""), ["a"]);
    let mut s = Scanner::new(&rules);
    s.set_global("n", 4i64).unwrap().set_global("b", true).unwrap();
    let names: Vec<_> = s
        .scan(b"")
        .unwrap()
        .matching_rules()
        .map(|r| r.identifier())
        .collect();
    assert_eq!(names, ["r2"]);
    let err = s.set_global("n", "four").unwrap_err();
    assert!(err.to_string().contains("integer"), "{err}");
    assert!(s.set_global("nope", 1i64).is_err());
}

#[test]
fn duplicate_global_is_an_error() {
    let mut c = Compiler::new();
    c.define_global("x", 1i64).unwrap();
    assert!(c.define_global("x", 2i64).is_err());
    assert!(c.define_global("1x", 2i64).is_err());
}

#[test]
fn private_and_global_rules() {
    let rules = compile(
        r#"private rule p { condition: filesize > 2 }
           rule a { condition: p }
           global rule g { condition: filesize < 10 }
           rule b { condition: true }"#,
    );
    assert_eq!(matching(&rules, b"abcd"), ["a", "g", "b"]);
    // The global rule fails: nothing in its namespace matches.
    assert!(matching(&rules, &[0u8; 20]).is_empty());
}

#[test]
fn global_rules_gate_only_their_namespace() {
    let mut c = Compiler::new();
    c.add_source(
        "global rule g { condition: false } rule a { condition: true }",
    )
    .unwrap();
    c.new_namespace("other");
    c.add_source("rule a { condition: true }").unwrap();
    let rules = c.build().unwrap();
    let mut s = Scanner::new(&rules);
    let r = s.scan(b"").unwrap();
    let got: Vec<_> =
        r.matching_rules().map(|r| (r.namespace(), r.identifier())).collect();
    assert_eq!(got, [("other", "a")]);
    let non: Vec<_> = r.non_matching_rules().map(|r| r.identifier()).collect();
    assert_eq!(non, ["g", "a"]);
}

#[test]
fn metadata_tags_and_patterns_in_results() {
    let rules = compile(
        r#"rule a : t1 t2 {
             meta: s = "x" i = 5 b = true f = 1.5
             strings: $x = "ab" $p = "cd" private
             condition: $x and $p
           }"#,
    );
    let info: Vec<_> = rules.iter().collect();
    assert_eq!(info.len(), 1);
    assert_eq!(info[0].namespace(), "default");
    let mut s = Scanner::new(&rules);
    let r = s.scan(b"ab cd ab").unwrap();
    let m = r.matching_rules().next().expect("a matches");
    assert_eq!(m.tags().collect::<Vec<_>>(), ["t1", "t2"]);
    let meta: Vec<_> = m.metadata().collect();
    assert_eq!(meta[0], ("s", &MetaValue::Str(b"x".to_vec())));
    assert_eq!(meta[1], ("i", &MetaValue::Int(5)));
    assert_eq!(meta[2], ("b", &MetaValue::Bool(true)));
    // The private pattern is not reported.
    let pats: Vec<_> = m.patterns().collect();
    assert_eq!(pats.len(), 1);
    assert_eq!(pats[0].identifier(), "$x");
    let offsets: Vec<_> = pats[0].matches().iter().map(|m| m.offset).collect();
    assert_eq!(offsets, [0, 6]);
}

#[test]
fn rules_are_evaluated_in_order_and_reference_earlier_ones() {
    let rules = compile(
        r#"rule a { condition: filesize == 3 }
           rule b { condition: a and filesize > 1 }
           rule c { condition: any of (a, b) and not b }"#,
    );
    assert_eq!(matching(&rules, b"xyz"), ["a", "b"]);
    assert!(matching(&rules, b"").is_empty());
}

#[test]
fn scanner_is_reusable() {
    let rules =
        compile(r#"rule a { strings: $a = "xyz" condition: #a == 2 }"#);
    let mut s = Scanner::new(&rules);
    for _ in 0..3 {
        assert_eq!(s.scan(b"xyz xyz").unwrap().matching_rules().count(), 1);
        assert_eq!(s.scan(b"xyz").unwrap().matching_rules().count(), 0);
    }
}

#[test]
fn timeout_is_reported() {
    let rules = compile(
        "rule a { condition: for all i in (0..0x7fffffffffffffff) : \
         (i >= 0) }",
    );
    let mut s = Scanner::new(&rules);
    s.set_timeout(Duration::from_millis(50));
    let r = s.scan(b"").unwrap();
    assert!(r.timed_out());
    assert_eq!(r.matching_rules().count(), 0);
}

#[test]
fn max_file_size_is_enforced() {
    let rules = compile("rule a { condition: true }");
    let mut s = Scanner::new(&rules);
    s.max_file_size(4);
    let e = s.scan(b"12345").unwrap_err();
    assert!(e.is_file_too_large());
    assert!(s.scan(b"1234").is_ok());
}

#[test]
fn max_matches_per_pattern_is_reported() {
    let rules = compile(r#"rule a { strings: $a = "a" condition: #a == 3 }"#);
    let mut s = Scanner::new(&rules);
    s.max_matches_per_pattern(3);
    let r = s.scan(b"aaaaaa").unwrap();
    assert_eq!(r.matching_rules().count(), 1);
    assert_eq!(r.truncated_patterns(), [("a", "$a")]);
}

#[test]
fn compile_errors_render_position_and_caret() {
    let mut c = Compiler::new();
    let e = c
        .add_source_with_origin(
            "rule a {\n  condition: \"a\" + 1\n}\n",
            "x.yar",
        )
        .unwrap_err();
    assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::WrongType);
    let text = e.to_string();
    assert!(text.contains("x.yar:2:14"), "{text}");
    assert!(text.contains("^^^"), "{text}");
    // The compiler stays usable after an error.
    c.add_source("rule b { condition: true }").unwrap();
    assert_eq!(c.build().unwrap().len(), 1);
}

#[test]
fn a_failed_source_adds_nothing() {
    let mut c = Compiler::new();
    assert!(
        c.add_source("rule a { condition: true } rule b { condition: x }")
            .is_err()
    );
    // `a` was rolled back, so it can be declared again.
    c.add_source("rule a { condition: true }").unwrap();
    let rules = c.build().unwrap();
    assert_eq!(rules.len(), 1);
}

#[test]
fn rules_in_other_namespaces_are_not_visible() {
    let mut c = Compiler::new();
    c.add_source("rule a { condition: true }").unwrap();
    c.new_namespace("n2");
    let e = c.add_source("rule b { condition: a }").unwrap_err();
    assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::UnknownIdentifier);
    // Same name in another namespace is fine.
    c.add_source("rule a { condition: false }").unwrap();
}

#[test]
fn scan_file_reads_small_and_maps_large_files() {
    let rules = compile(r#"rule a { strings: $a = "needle" condition: $a }"#);
    let dir = std::env::temp_dir()
        .join(format!("sigscan-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("small");
    std::fs::write(&small, b"hay needle hay").unwrap();
    let mut big = vec![b'x'; 200 * 1024];
    big[150_000..150_006].copy_from_slice(b"needle");
    let large = dir.join("large");
    std::fs::write(&large, &big).unwrap();
    let mut s = Scanner::new(&rules);
    assert_eq!(s.scan_file(&small).unwrap().matching_rules().count(), 1);
    let r = s.scan_file(&large).unwrap();
    let m = r.matching_rules().next().expect("match in mapped file");
    let p = m.patterns().next().unwrap();
    assert_eq!(p.matches()[0].offset, 150_000);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scan_file_on_missing_file_is_a_clear_error() {
    let rules = compile("rule a { condition: true }");
    let mut s = Scanner::new(&rules);
    let e = s.scan_file("/nonexistent/sigscan/file").unwrap_err();
    assert_eq!(e.path().unwrap().to_str(), Some("/nonexistent/sigscan/file"));
    assert!(e.to_string().contains("/nonexistent/sigscan/file"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
}

#[test]
fn add_file_and_includes() {
    let dir = std::env::temp_dir()
        .join(format!("sigscan-inc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("inc.yar"), "rule inc { condition: true }\n")
        .unwrap();
    std::fs::write(
        dir.join("main.yar"),
        "include \"inc.yar\"\nrule main { condition: inc }\n",
    )
    .unwrap();
    let mut c = Compiler::new();
    c.add_file(dir.join("main.yar")).unwrap_or_else(|e| panic!("{e}"));
    let rules = c.build().unwrap();
    assert_eq!(matching(&rules, b""), ["inc", "main"]);
    let mut c = Compiler::new();
    assert!(c.add_file(dir.join("missing.yar")).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

/// Compiles and scans `cond`; `None` when the compiler refuses it.
fn try_eval(cond: &str) -> Option<bool> {
    let mut c = Compiler::new();
    c.add_source(&format!("rule a {{ condition: {cond} }}")).ok()?;
    let rules = c.build().ok()?;
    let mut s = Scanner::new(&rules);
    let r = s.scan(b"x").expect("scan");
    Some(r.matching_rules().count() == 1)
}

#[test]
fn deep_conditions_do_not_crash() {
    // Refused by the parser, without crashing.
    let deep = format!("{}true{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(try_eval(&deep), None);
    // Long chains (YARA-X takes 3000 links; the parser stops at 2000).
    let sum = format!("{} == 1500", vec!["1"; 1500].join(" + "));
    assert_eq!(try_eval(&sum), Some(true));
    let fsum = format!("{} == 750.0", vec!["0.5"; 1500].join(" + "));
    assert_eq!(try_eval(&fsum), Some(true));
    let and = vec!["filesize == 1"; 1500].join(" and ");
    assert_eq!(try_eval(&and), Some(true));
    let or = vec!["filesize == 2"; 1500].join(" or ");
    assert_eq!(try_eval(&or), Some(false));
    // Deep right nesting up to what the parser takes.
    for n in [100, 500, 900] {
        let nots = format!("{}filesize == 1", "not ".repeat(2 * n));
        assert_ne!(try_eval(&nots), Some(false), "not x{}", 2 * n);
        let negs = format!("{}1 == 1", "-".repeat(n));
        let _ = try_eval(&negs);
        let nested =
            format!("{}filesize{} == {n}", "(1 + ".repeat(n), ")".repeat(n));
        let _ = try_eval(&nested);
        // Evaluation stops (as undefined) rather than overflow the stack
        // when a debug build's frames are too big for the nesting.
        let m = n.min(380);
        let loops = format!(
            "{}true{}",
            "for any i in (0..1) : (".repeat(m),
            ")".repeat(m)
        );
        let _ = try_eval(&loops);
        let withs = format!(
            "{}true{}",
            "with x = filesize : (".repeat(m),
            ")".repeat(m)
        );
        let _ = try_eval(&withs);
        let ofs =
            format!("{}true{}", "1 of (false, ".repeat(m), ")".repeat(m));
        let _ = try_eval(&ofs);
    }
}

#[test]
fn rules_can_be_shared_across_threads() {
    let rules = compile(r#"rule a { strings: $a = "x" condition: $a }"#);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(matching(&rules, b"axb"), ["a"]));
        }
    });
}

#[test]
fn imports_last_for_the_namespace() {
    let mut c = Compiler::new();
    c.add_source(r#"import "math" rule a { condition: true }"#).unwrap();
    c.add_source("rule b { condition: math.abs(-1) == 1 }").unwrap();
    c.new_namespace("n2");
    let e =
        c.add_source("rule c { condition: math.abs(-1) == 1 }").unwrap_err();
    assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::UnknownIdentifier);
    assert_eq!(c.build().unwrap().imports().collect::<Vec<_>>(), ["math"]);
}

#[test]
fn rule_names_may_not_shadow_globals_or_modules() {
    let mut c = Compiler::new();
    c.define_global("x", 1i64).unwrap();
    assert!(c.add_source("rule x { condition: true }").is_err());
    assert!(
        c.add_source(r#"import "math" rule math { condition: true }"#)
            .is_err()
    );
}

#[test]
fn rules_iter_describes_every_rule() {
    let mut c = Compiler::new();
    c.add_source(
        r#"import "math"
           private rule p : t { meta: k = "v" condition: true }
           global rule g { condition: true }"#,
    )
    .unwrap();
    c.new_namespace("n2");
    c.add_source("rule r { condition: true }").unwrap();
    let rules = c.build().unwrap();
    assert_eq!(rules.len(), 3);
    let info: Vec<_> = rules
        .iter()
        .map(|r| {
            (r.namespace(), r.identifier(), r.is_private(), r.is_global())
        })
        .collect();
    assert_eq!(
        info,
        [
            ("default", "p", true, false),
            ("default", "g", false, true),
            ("n2", "r", false, false)
        ]
    );
    let p = rules.iter().next().unwrap();
    assert_eq!(p.tags().collect::<Vec<_>>(), ["t"]);
    assert_eq!(p.metadata().next().unwrap().0, "k");
    assert_eq!(rules.imports().collect::<Vec<_>>(), ["math"]);
    // Private rules never show in results.
    let mut s = Scanner::new(&rules);
    let r = s.scan(b"").unwrap();
    assert_eq!(
        r.matching_rules().map(|m| m.identifier()).collect::<Vec<_>>(),
        ["g", "r"]
    );
}

/// Match results say what each pattern is and its modifiers, so callers
/// (the CLI's output) need not parse the rules again.
#[test]
fn pattern_kind_and_modifiers_in_results() {
    use sigscan::{ModifierKind, PatternKind};
    let mut c = Compiler::new();
    c.add_source(
        r#"rule a { strings: $t = "ab" wide ascii $h = { 61 62 }
           $r = /a./ nocase $x = "ab" xor(1-2) private
           condition: any of them }"#,
    )
    .expect("compiles");
    let rules = c.build().expect("builds");
    let mut s = Scanner::new(&rules);
    let results = s.scan(b"ab").expect("scans");
    let rule = results.matching_rules().next().expect("a matches");
    let got: Vec<(String, PatternKind, Vec<ModifierKind>)> = rule
        .patterns()
        .map(|p| {
            (p.identifier().to_string(), p.kind(), p.modifiers().to_vec())
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "$t".to_string(),
                PatternKind::Text,
                vec![ModifierKind::Wide, ModifierKind::Ascii]
            ),
            ("$h".to_string(), PatternKind::Hex, vec![]),
            ("$r".to_string(), PatternKind::Regex, vec![ModifierKind::Nocase]),
        ]
    );
}

//! Criterion benchmarks of sigscan beside YARA-X: same rules, same bytes,
//! same process, one thread. Every scanning benchmark first checks that
//! both engines give the same outcome on its data and says so on stderr if
//! they do not.
//!
//! Groups: `compile`, `load`, `scan_shared`, `scan_literals`, `scan_hex`,
//! `scan_regex`, `per_file`, `modules`. Each benchmark's id ends in
//! `sigscan` or `yara-x`; `benches/README.md` holds the latest ratios.
//!
//! ```sh
//! cargo bench -p sigscan-benches --bench vs_yarax -- --quick
//! cargo bench -p sigscan-benches --bench vs_yarax -- scan_literals
//! ```

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use sigscan_benches::{
    Source, compilable_shared_sources, hex_rules, literal_rules,
    real_binaries, regex_rules, shared_rule_sets, sigscan_compile,
    sigscan_scan, yarax_compile, yarax_scan,
};

/// Buffer sizes of the throughput groups.
const SIZES: [(&str, usize); 3] =
    [("1MB", 1 << 20), ("64KB", 64 << 10), ("4KB", 4 << 10)];

fn source(name: &str, text: String) -> Vec<Source> {
    vec![Source { namespace: "default".into(), origin: name.into(), text }]
}

fn both(sources: &[Source]) -> (sigscan::Rules, yara_x::Rules) {
    let ours = sigscan_compile(sources, true).expect("sigscan compiles");
    let theirs = yarax_compile(sources, true).expect("yara-x compiles");
    (ours, theirs)
}

/// Says on stderr when the two engines disagree on `data`.
fn check(
    what: &str,
    ours: &sigscan::Rules,
    theirs: &yara_x::Rules,
    data: &[u8],
) {
    let mut s1 = sigscan::Scanner::new(ours);
    let mut s2 = yara_x::Scanner::new(theirs);
    let a = sigscan_scan(&mut s1, data).expect("sigscan scans");
    let b = yarax_scan(&mut s2, data).expect("yara-x scans");
    if let Some(diff) = a.diff(&b) {
        eprintln!("WARNING: {what}: the engines differ:\n{diff}");
    }
}

/// One pair of benchmarks per buffer size: each engine scans the first
/// `size` bytes of `data` once per iteration.
fn scan_sizes(
    g: &mut BenchmarkGroup<'_, WallTime>,
    label: &str,
    ours: &sigscan::Rules,
    theirs: &yara_x::Rules,
    data: &[u8],
) {
    for (name, size) in SIZES {
        let buf = &data[..size.min(data.len())];
        check(&format!("{label}/{name}"), ours, theirs, buf);
        g.throughput(Throughput::Bytes(buf.len() as u64));
        let id = |engine| BenchmarkId::new(format!("{label}/{name}"), engine);
        let mut s1 = sigscan::Scanner::new(ours);
        g.bench_function(id("sigscan"), |b| {
            b.iter(|| {
                let r = s1.scan(black_box(buf)).expect("sigscan scans");
                black_box(r.matching_rules().count())
            })
        });
        let mut s2 = yara_x::Scanner::new(theirs);
        g.bench_function(id("yara-x"), |b| {
            b.iter(|| {
                let r = s2.scan(black_box(buf)).expect("yara-x scans");
                black_box(r.matching_rules().len())
            })
        });
    }
}

fn compile(c: &mut Criterion) {
    let mut sets = shared_rule_sets().expect("../shared/rules is readable");
    let (all, _) = compilable_shared_sources().expect("readable");
    for (_, sources) in &mut sets {
        sources.retain(|s| all.iter().any(|a| a.origin == s.origin));
    }
    sets.push(("all-five".into(), all));
    let mut g = c.benchmark_group("compile");
    g.sample_size(10);
    for (name, sources) in &sets {
        g.bench_function(BenchmarkId::new(name.as_str(), "sigscan"), |b| {
            b.iter(|| sigscan_compile(sources, true).expect("compiles"))
        });
        g.bench_function(BenchmarkId::new(name.as_str(), "yara-x"), |b| {
            b.iter(|| yarax_compile(sources, true).expect("compiles"))
        });
    }
    g.finish();
}

/// The five sets' compiled form back into ready rules: sigscan's database
/// (`Rules::load`) beside YARA-X's `Rules::deserialize`, from bytes in
/// memory.
fn load(c: &mut Criterion) {
    let (all, _) = compilable_shared_sources().expect("readable");
    let (ours, theirs) = both(&all);
    let ours = ours.serialize();
    let theirs = theirs.serialize().expect("yara-x serializes");
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("five-sets", "sigscan"), |b| {
        b.iter(|| sigscan::Rules::load(black_box(&ours)).expect("loads"))
    });
    g.bench_function(BenchmarkId::new("five-sets", "yara-x"), |b| {
        b.iter(|| {
            yara_x::Rules::deserialize(black_box(&theirs)).expect("loads")
        })
    });
    g.finish();
}

fn scan_shared(c: &mut Criterion) {
    let (all, _) = compilable_shared_sources().expect("readable");
    let (ours, theirs) = both(&all);
    let data = real_binaries(1 << 20);
    let mut g = c.benchmark_group("scan_shared");
    scan_sizes(&mut g, "five-sets", &ours, &theirs, &data);
    g.finish();
}

fn scan_literals(c: &mut Criterion) {
    let data = real_binaries(1 << 20);
    let mut g = c.benchmark_group("scan_literals");
    for n in [10, 1_000, 10_000] {
        let (ours, theirs) = both(&source("lit", literal_rules(n, 8)));
        scan_sizes(&mut g, &format!("{n}-rules"), &ours, &theirs, &data);
    }
    g.finish();
}

fn scan_hex(c: &mut Criterion) {
    let data = real_binaries(1 << 20);
    let (ours, theirs) = both(&source("hex", hex_rules(100, 8)));
    let mut g = c.benchmark_group("scan_hex");
    scan_sizes(&mut g, "100-jumps", &ours, &theirs, &data);
    g.finish();
}

fn scan_regex(c: &mut Criterion) {
    let data = real_binaries(1 << 20);
    let (ours, theirs) = both(&source("re", regex_rules(100, 8)));
    let mut g = c.benchmark_group("scan_regex");
    scan_sizes(&mut g, "100-regex", &ours, &theirs, &data);
    g.finish();
}

/// 10,000 scans of empty and of 1 KB buffers, with one literal rule and
/// with the five shared sets: what a scan costs beyond its bytes.
fn per_file(c: &mut Criterion) {
    let (all, _) = compilable_shared_sources().expect("readable");
    let sets = [
        ("one-rule", both(&source("lit", literal_rules(1, 8)))),
        ("five-sets", both(&all)),
    ];
    let kb = real_binaries(1 << 10);
    let mut g = c.benchmark_group("per_file");
    g.sample_size(10);
    g.throughput(Throughput::Elements(10_000));
    for (set, (ours, theirs)) in &sets {
        for (name, buf) in [("empty", &[][..]), ("1KB", &kb[..])] {
            check(&format!("per_file/{set}/{name}"), ours, theirs, buf);
            let id = |e| BenchmarkId::new(format!("{set}/10000x{name}"), e);
            let mut s1 = sigscan::Scanner::new(ours);
            g.bench_function(id("sigscan"), |b| {
                b.iter(|| {
                    for _ in 0..10_000 {
                        let r = s1.scan(black_box(buf)).expect("scans");
                        black_box(r.matching_rules().count());
                    }
                })
            });
            let mut s2 = yara_x::Scanner::new(theirs);
            g.bench_function(id("yara-x"), |b| {
                b.iter(|| {
                    for _ in 0..10_000 {
                        let r = s2.scan(black_box(buf)).expect("scans");
                        black_box(r.matching_rules().len());
                    }
                })
            });
        }
    }
    g.finish();
}

/// The first ELF file of `/usr/bin`, in sorted order, of 100 KB to 2 MB.
fn real_elf() -> Option<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir("/usr/bin")
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths.into_iter().find(|p| {
        let Ok(m) = std::fs::symlink_metadata(p) else { return false };
        let ok = m.is_file() && (100 << 10..2 << 20).contains(&m.len());
        ok && std::fs::read(p).is_ok_and(|d| d.starts_with(b"\x7fELF"))
    })
}

/// Parsing a real PE and a real ELF file: a rule that imports the module
/// and reads one field, so that each engine parses the file once per scan.
fn modules(c: &mut Criterion) {
    let libyara = sigscan_benches::shared_dir().join("testdata/libyara");
    let mut files: Vec<(&str, &str, PathBuf)> = vec![
        ("pe", "mtxex.dll", libyara.join("mtxex.dll")),
        ("pe", "ChipTune.efi", libyara.join("ChipTune.efi")),
    ];
    if let Some(p) = real_elf() {
        files.push(("elf", "usr-bin-elf", p));
    }
    let mut g = c.benchmark_group("modules");
    for (module, name, path) in &files {
        let data = std::fs::read(path).expect("readable test file");
        let field = match *module {
            "pe" => "pe.number_of_sections",
            _ => "elf.number_of_sections",
        };
        let text =
            format!("import \"{module}\" rule m {{ condition: {field} > 0 }}");
        let (ours, theirs) = both(&source(module, text));
        check(&format!("modules/{name}"), &ours, &theirs, &data);
        eprintln!("modules/{name}: {} ({} bytes)", path.display(), data.len());
        g.throughput(Throughput::Bytes(data.len() as u64));
        let id = |e| BenchmarkId::new(format!("{module}/{name}"), e);
        let mut s1 = sigscan::Scanner::new(&ours);
        g.bench_function(id("sigscan"), |b| {
            b.iter(|| {
                let r = s1.scan(black_box(&data)).expect("scans");
                black_box(r.matching_rules().count())
            })
        });
        let mut s2 = yara_x::Scanner::new(&theirs);
        g.bench_function(id("yara-x"), |b| {
            b.iter(|| {
                let r = s2.scan(black_box(&data)).expect("scans");
                black_box(r.matching_rules().len())
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = compile, load, scan_shared, scan_literals, scan_hex, scan_regex,
        per_file, modules
}
criterion_main!(benches);

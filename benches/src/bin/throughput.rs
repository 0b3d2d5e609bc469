//! Single-thread scan throughput of sigscan and YARA-X, side by side, in one
//! run, on the same rules and the same bytes, with identical results
//! checked.
//!
//! ```sh
//! cargo run --release -p sigscan-benches --bin throughput -- \
//!     [--mb 100] [--dir /usr/bin --dir /usr/lib ...]
//! ```
//!
//! Rules: the five shared rule sets compiled together (every source that
//! sigscan compiles; the ones it cannot yet are listed and left out of both
//! engines). Data: regular files gathered from the given folders in sorted
//! order until `--mb` megabytes, each file scanned as one buffer.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sigscan_benches::{
    compilable_shared_sources, gather_files, sigscan_compile, sigscan_scan,
    yarax_compile, yarax_scan,
};

fn main() {
    let mut mb = 100usize;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mb" => {
                mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(mb)
            }
            "--dir" => dirs.extend(args.next().map(PathBuf::from)),
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    if dirs.is_empty() {
        dirs = vec!["/usr/bin".into(), "/usr/lib".into()];
    }

    let (accepted, left_out) =
        compilable_shared_sources().expect("../shared/rules is readable");
    let t = Instant::now();
    let ours = sigscan_compile(&accepted, true).expect("sigscan compiles");
    let compile_ours = t.elapsed();
    let t = Instant::now();
    let theirs = yarax_compile(&accepted, true).expect("yara-x compiles");
    let compile_theirs = t.elapsed();

    let data = gather_files(&dirs, mb << 20);
    let bytes: usize = data.iter().map(|(_, d)| d.len()).sum();

    let mut s1 = sigscan::Scanner::new(&ours);
    let mut s2 = yara_x::Scanner::new(&theirs);
    s2.max_matches_per_pattern(1_000_000);
    // Correctness first: identical outcomes on every file.
    let mut differences = 0usize;
    for (p, d) in &data {
        let a = sigscan_scan(&mut s1, d).expect("sigscan scans");
        let b = yarax_scan(&mut s2, d).expect("yara-x scans");
        if let Some(diff) = a.diff(&b) {
            differences += 1;
            eprintln!("difference on {}:\n{diff}", p.display());
        }
    }
    // Then timing, each engine over the whole data, best of three.
    let time = |f: &mut dyn FnMut()| -> Duration {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let ours_t = time(&mut || {
        for (_, d) in &data {
            let r = s1.scan(d).expect("sigscan scans");
            std::hint::black_box(r.matching_rules().count());
        }
    });
    let theirs_t = time(&mut || {
        for (_, d) in &data {
            let r = s2.scan(d).expect("yara-x scans");
            std::hint::black_box(r.matching_rules().len());
        }
    });
    let mbs = |t: Duration| bytes as f64 / 1e6 / t.as_secs_f64();
    println!(
        "rules: {} sources compiled by both ({} left out)",
        accepted.len(),
        left_out.len()
    );
    for (o, e) in left_out.iter().take(10) {
        println!("  left out {o}: {e}");
    }
    println!(
        "compile: sigscan {:.2}s, yara-x {:.2}s",
        compile_ours.as_secs_f64(),
        compile_theirs.as_secs_f64()
    );
    println!(
        "data: {} files, {:.1} MB from {:?}",
        data.len(),
        bytes as f64 / 1e6,
        dirs
    );
    println!("differences: {differences} files");
    println!(
        "scan, one thread: sigscan {:.1} MB/s, yara-x {:.1} MB/s, ratio {:.2}x",
        mbs(ours_t),
        mbs(theirs_t),
        theirs_t.as_secs_f64() / ours_t.as_secs_f64()
    );
}

//! Load time of the compiled rule database, side by side with compiling and
//! with YARA-X's own compiled form, in one run on the same sources.
//!
//! ```sh
//! cargo run --release -p sigscan-benches --bin load -- [--runs 5]
//! ```
//!
//! Rules: the five shared rule sets compiled together (each file its own
//! namespace, relaxed regex syntax). For each engine: compile, serialize,
//! write the database to a temporary file, then load it back from the
//! file into ready-to-scan rules; best of `--runs`. The loaded rules are
//! checked to scan like the compiled ones on the rule sources themselves.

use std::time::{Duration, Instant};

use sigscan_benches::{
    Source, shared_rule_sets, sigscan_compile, sigscan_scan, yarax_compile,
};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("one run at least"))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 5;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().ok_or("--runs N")?.parse()?,
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    let sources: Vec<Source> =
        shared_rule_sets()?.into_iter().flat_map(|(_, s)| s).collect();
    let dir = std::env::temp_dir()
        .join(format!("sigscan-load-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    // sigscan
    let (s_compile, rules) =
        best(runs, || sigscan_compile(&sources, true).expect("compiles"));
    let (s_ser, db) = best(runs, || rules.serialize());
    let s_path = dir.join("rules.sdb");
    std::fs::write(&s_path, &db)?;
    let (s_load, loaded) =
        best(runs, || sigscan::Rules::load_file(&s_path).expect("loads"));
    let mut a = sigscan::Scanner::new(&rules);
    let mut b = sigscan::Scanner::new(&loaded);
    for s in &sources {
        let x = sigscan_scan(&mut a, s.text.as_bytes());
        let y = sigscan_scan(&mut b, s.text.as_bytes());
        if let Some(d) = x.diff(&y) {
            return Err(
                format!("loaded rules differ on {}: {d}", s.origin).into()
            );
        }
    }

    // YARA-X
    let (y_compile, yrules) =
        best(runs, || yarax_compile(&sources, true).expect("compiles"));
    let (y_ser, ydb) = best(runs, || yrules.serialize().expect("serializes"));
    let y_path = dir.join("rules.yarc");
    std::fs::write(&y_path, &ydb)?;
    let (y_load, _) = best(runs, || {
        let bytes = std::fs::read(&y_path).expect("reads");
        yara_x::Rules::deserialize(&bytes).expect("deserializes")
    });
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "{} sources, {} rules, best of {runs}",
        sources.len(),
        rules.len()
    );
    println!("| | compile | serialize | size | load from file |");
    println!("|---|---|---|---|---|");
    println!(
        "| sigscan | {} | {} | {:.1} MB | {} |",
        ms(s_compile),
        ms(s_ser),
        db.len() as f64 / 1e6,
        ms(s_load)
    );
    println!(
        "| YARA-X 1.22.1 | {} | {} | {:.1} MB | {} |",
        ms(y_compile),
        ms(y_ser),
        ydb.len() as f64 / 1e6,
        ms(y_load)
    );
    let r = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "sigscan load vs its compile: {:.1}x faster; vs YARA-X load: \
         {:.1}x faster",
        r(s_compile, s_load),
        r(y_load, s_load)
    );
    Ok(())
}

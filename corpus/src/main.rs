//! The `sigscan-corpus` command.
//!
//! ```sh
//! sigscan-corpus small [--out corpus/files]
//! sigscan-corpus build --out DIR --size 1GiB [--seed N]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: sigscan-corpus small [--out DIR]\n       \
         sigscan-corpus build --out DIR --size SIZE [--seed N]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(cmd) = args.next() else { return usage() };
    let mut out = None;
    let mut size = None;
    let mut seed = 1u64;
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--size", Some(v)) => match sigscan_corpus::parse_size(&v) {
                Some(n) => size = Some(n),
                None => return usage(),
            },
            ("--seed", Some(v)) => match v.parse() {
                Ok(n) => seed = n,
                Err(_) => return usage(),
            },
            _ => return usage(),
        }
    }
    match cmd.as_str() {
        "small" => {
            let out = out.unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("files")
            });
            for (rel, data) in sigscan_corpus::small() {
                let path = out.join(&rel);
                let written = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&path, &data));
                if let Err(e) = written {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                println!("{:>8}  {rel}", data.len());
            }
            ExitCode::SUCCESS
        }
        "build" => {
            let (Some(out), Some(size)) = (out, size) else { return usage() };
            match sigscan_corpus::build(&out, size, seed) {
                Ok(r) => {
                    println!(
                        "{} files: ELF {} B, PE {} B, other {} B",
                        r.files, r.elf_bytes, r.pe_bytes, r.other_bytes
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{}: {e}", out.display());
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}

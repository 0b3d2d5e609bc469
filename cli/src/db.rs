//! Compiled rule databases: `compile -o`, `keygen`, `sign`, `verify`,
//! `info`, and loading one for `scan -C`.
//!
//! Keys are files of 64 hex digits (one line): `keygen OUT` writes the
//! secret key to `OUT.key` (mode 0600 on Unix) and the public key to
//! `OUT.pub`. The manifest written by `compile --manifest` lists each
//! source file's path relative to `--root` (default: the current
//! directory) with its SHA-256, the defines, the engine and format
//! versions and the database digest, so a reviewer can rebuild the
//! database and compare.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use sigscan::Rules;
use sigscan::database;

use crate::args::{CompileArgs, ExternalValue};
use crate::engine;

/// Arguments of `sigscan keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Writes OUT.key (secret) and OUT.pub (public), hex
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
}

/// Arguments of `sigscan sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The database to sign (rewritten in place)
    #[arg(value_name = "DB")]
    pub db: PathBuf,
    /// The secret key file (from `sigscan keygen`)
    #[arg(value_name = "KEY")]
    pub key: PathBuf,
}

/// Arguments of `sigscan verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The database to verify
    #[arg(value_name = "DB")]
    pub db: PathBuf,
    /// The public key file (from `sigscan keygen`)
    #[arg(value_name = "PUBKEY")]
    pub public_key: PathBuf,
}

/// Arguments of `sigscan info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The database to describe
    #[arg(value_name = "DB")]
    pub db: PathBuf,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a key file: 64 hex digits, surrounding whitespace ignored.
fn read_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("can't read key `{}`", path.display()))?;
    let t = text.trim();
    let bad = || {
        anyhow::anyhow!("`{}` is not a key (64 hex digits)", path.display())
    };
    if t.len() != 64 || !t.is_ascii() {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, k) in key.iter_mut().enumerate() {
        *k =
            u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(key)
}

fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

/// Appends `ext` to the file name of `base`.
fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

/// `sigscan keygen OUT`.
pub fn keygen(args: KeygenArgs) -> anyhow::Result<()> {
    let keys = database::keygen()?;
    let (key, public) =
        (with_ext(&args.out, ".key"), with_ext(&args.out, ".pub"));
    write_secret(&key, &format!("{}\n", hex(&keys.secret)))
        .with_context(|| format!("can't write `{}`", key.display()))?;
    std::fs::write(&public, format!("{}\n", hex(&keys.public)))
        .with_context(|| format!("can't write `{}`", public.display()))?;
    println!("secret key: {}", key.display());
    println!("public key: {}", public.display());
    Ok(())
}

fn read_db(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path)
        .with_context(|| format!("can't read `{}`", path.display()))
}

/// `sigscan sign DB KEY`.
pub fn sign(args: SignArgs) -> anyhow::Result<()> {
    let key = read_key(&args.key)?;
    let db = read_db(&args.db)?;
    let signed = database::sign(&db, &key)
        .with_context(|| format!("can't sign `{}`", args.db.display()))?;
    std::fs::write(&args.db, signed)
        .with_context(|| format!("can't write `{}`", args.db.display()))?;
    Ok(())
}

/// `sigscan verify DB PUBKEY`: `Ok(false)` when the signature is missing
/// or does not verify (reported on stderr).
pub fn verify(args: VerifyArgs) -> anyhow::Result<bool> {
    let key = read_key(&args.public_key)?;
    let db = read_db(&args.db)?;
    let checked = database::verify(&db, &key)
        .and_then(|()| database::info(&db).map(|_| ()));
    match checked {
        Ok(()) => {
            println!("{}: signature OK", args.db.display());
            Ok(true)
        }
        Err(e) => {
            eprintln!("{}: {e}", args.db.display());
            Ok(false)
        }
    }
}

/// `sigscan info DB`.
pub fn info(args: InfoArgs) -> anyhow::Result<()> {
    let db = read_db(&args.db)?;
    let info = database::info(&db)
        .with_context(|| format!("`{}`", args.db.display()))?;
    println!("format version: {}", info.format_version);
    println!("engine version: {}", info.engine_version);
    println!("digest: sha256:{}", hex(&info.digest));
    println!("signed: {}", if info.signed { "yes" } else { "no" });
    println!("size: {} bytes", info.size);
    println!("rules: {}", info.rule_count);
    println!("namespaces: {}", info.namespaces.len());
    for ns in &info.namespaces {
        println!("  {ns}");
    }
    println!("imports: {}", info.imports.join(", "));
    println!("sources: {}", info.sources.len());
    for (origin, d) in &info.sources {
        println!("  {}  {origin}", hex(d));
    }
    Ok(())
}

/// Loads a database for `scan -C`, verified against `public_key` when
/// given.
pub fn load(
    path: &Path,
    public_key: Option<&Path>,
) -> anyhow::Result<engine::Compiled> {
    let db = read_db(path)?;
    let rules = match public_key {
        Some(k) => Rules::load_verified(&db, &read_key(k)?),
        None => Rules::load(&db),
    }
    .with_context(|| format!("can't load `{}`", path.display()))?;
    Ok(engine::Compiled::loaded(rules))
}

/// `sigscan compile RULES… -o FILE [--manifest M] [--root R] [--sign K]`.
pub fn compile(args: CompileArgs) -> anyhow::Result<()> {
    let plan = engine::plan(&args.rules, &args.compile)?;
    // Read the key and the root before compiling: fail early.
    let key = args.sign.as_deref().map(read_key).transpose()?;
    let root = match &args.root {
        Some(r) => r.clone(),
        None => std::env::current_dir().context("no current directory")?,
    };
    let compiled = engine::compile(&args.rules, &args.compile)?;
    let mut db = compiled.rules.serialize();
    if let Some(key) = key {
        db = database::sign(&db, &key)?;
    }
    std::fs::write(&args.output, &db)
        .with_context(|| format!("can't write `{}`", args.output.display()))?;
    if let Some(m) = &args.manifest {
        let info = database::info(&db)?;
        let manifest = manifest(&plan, &root, &args, &info)?;
        let text = serde_json::to_string_pretty(&manifest)? + "\n";
        std::fs::write(m, text)
            .with_context(|| format!("can't write `{}`", m.display()))?;
    }
    Ok(())
}

fn manifest(
    plan: &[(String, PathBuf)],
    root: &Path,
    args: &CompileArgs,
    info: &database::DatabaseInfo,
) -> anyhow::Result<serde_json::Value> {
    use serde_json::json;
    let root_abs = root
        .canonicalize()
        .with_context(|| format!("can't open root `{}`", root.display()))?;
    let mut sources = Vec::new();
    for (ns, file) in plan {
        let bytes = std::fs::read(file)
            .with_context(|| format!("can't read `{}`", file.display()))?;
        let abs = file.canonicalize()?;
        let rel = abs.strip_prefix(&root_abs).map_err(|_| {
            anyhow::anyhow!(
                "`{}` is not under the root `{}` (see --root)",
                file.display(),
                root.display()
            )
        })?;
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        sources.push(json!({
            "path": rel.join("/"),
            "namespace": ns,
            "sha256": hex(&sha256(&bytes)),
        }));
    }
    let defines: Vec<serde_json::Value> = args
        .compile
        .defines
        .iter()
        .map(|d| {
            let v = match &d.value {
                ExternalValue::Bool(b) => json!(b),
                ExternalValue::Integer(i) => json!(i),
                ExternalValue::Float(f) => json!(f),
                ExternalValue::String(s) => json!(s),
            };
            json!({ "name": d.name, "value": v })
        })
        .collect();
    Ok(json!({
        "engine_version": info.engine_version,
        "format_version": info.format_version,
        "database_sha256": hex(&info.digest),
        "signed": info.signed,
        "rules": info.rule_count,
        "relaxed_re_syntax": args.compile.relaxed_re_syntax,
        "path_as_namespace": args.compile.path_as_namespace,
        "defines": defines,
        "sources": sources,
    }))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    // The engine's digest of a source is what the database records.
    database::sha256(bytes)
}

//! The compiled rule database: [`Rules`] as bytes, reproducible, with a
//! content digest and an optional Ed25519 signature, validated on load.
//!
//! # API
//!
//! - [`Rules::serialize`] writes a database; compiling the same sources
//!   (same order, namespaces, defines) gives the same bytes on any
//!   machine, thread count or working directory.
//! - [`Rules::load`] and [`Rules::load_file`] read one back (signed or
//!   not), [`Rules::load_verified`] only if signed by a given key.
//! - [`keygen`] makes a [`KeyPair`], [`sign`] appends a signature,
//!   [`verify`] checks one, [`info`] describes a database without loading
//!   its rules ([`DatabaseInfo`]).
//! - Every failure is a [`DatabaseError`].
//!
//! # Format (version [`FORMAT_VERSION`])
//!
//! All integers little-endian; strings and byte strings are a `u32`
//! length then the bytes.
//!
//! ```text
//! magic          8 bytes  "SIGSCNDB"
//! format version u32
//! flags          u32      (no flag is defined: must be 0)
//! engine version string   (the `sigscan` version that wrote it)
//! section count  u32
//! section table  (id u32, length u64) per section, ids 1..=4 in order
//! sections       META, RULES, CODE, PATTERNS, back to back
//! digest         32 bytes SHA-256 of everything above
//! [signature]    "SIGSCSIG" then 64 bytes: Ed25519 over everything above
//! ```
//!
//! - META: rule count, namespaces, imported modules, external variables
//!   with their defaults, `(origin, SHA-256)` of every source.
//! - RULES: per rule its namespace, name, tags, metadata, flags,
//!   condition root, guard nodes, `(name, pattern id, private)` and the
//!   kind (text, hex, regex) and modifiers of each pattern.
//! - CODE: the module table `(name, schema SHA-256)`, the function table
//!   `(module, field path, overload)`, condition nodes, lists, string
//!   constants, the sources of `matches` regexes and the slot count.
//! - PATTERNS: the pattern count, sub-patterns (literals, masks, base64
//!   and xor forms as bytes; hex and regex forms as their HIR, built
//!   into automata on first use, so loading costs nothing for patterns
//!   whose atoms never hit, with whether a gap at either end was widened
//!   by a byte not reported; for a greedy regex with exact YARA-X atoms,
//!   those atoms and the whole pattern's HIR; for a piece of a chained
//!   pattern, its piece slot), atoms with their references, the slow
//!   sub-patterns and the anchored ones with their offsets, the chained
//!   patterns (pattern, first piece slot, the gaps' bounds, greedy,
//!   fullword),
//!   then the
//!   number of atoms YARA-X would extract and the length of its
//!   shortest one (they decide the order in which YARA-X reports forms
//!   of one pattern at the same offset, see
//!   `compiler::patterns::TeddyModel`). The atom search is rebuilt from
//!   the atoms at load.
//!
//! Loading checks the digest, then every length against the bytes left
//! (no allocation larger than the input justifies), every index against
//! what it points into, and that condition nodes only refer to earlier
//! nodes. A database written by another format version is refused naming
//! both; one whose modules' schemas changed since is refused too.
//!
//! A database written by another engine version with the same format
//! version loads (YARA-X, whose serialized rules are its internal
//! structures, refuses other versions). Here the format version is the
//! compatibility contract: it is bumped whenever what any encoded byte
//! means changes (condition nodes, pattern forms, sections), module
//! changes are caught by the schema digests, and everything is validated
//! on load, so a foreign database cannot be misread silently nor make the
//! loader panic. Signed databases can so be shipped to machines running
//! different patch releases. The writing version is kept for diagnosis
//! ([`DatabaseInfo::engine_version`], `sigscan info`).

mod bytes;
pub(crate) mod hir;
mod modules;
mod nodes;

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use self::bytes::{Reader, Writer};
use crate::compiler::code::{Code, Node};
use crate::compiler::patterns::base64::Alphabet;
use crate::compiler::patterns::hir::WideEdges;
use crate::compiler::patterns::{
    AtomRef, ByteBits, Chain, ExactAtoms, FastForward, FinderKind, PatternSet,
    RegexSub, Sub, SubKind, TeddyModel, build_finder, form_orders,
};
use crate::compiler::{PatternKind, RuleData, RuleIndex, Rules, Value};
use crate::modules::MODULES;
use crate::syntax::ast::{MetaValue, ModifierKind};

/// The first bytes of every database.
pub const MAGIC: &[u8; 8] = b"SIGSCNDB";

/// The version of the format written and read by this engine.
pub const FORMAT_VERSION: u32 = 9;

/// The engine version written into databases.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The start of the signature block.
const SIG_MAGIC: &[u8; 8] = b"SIGSCSIG";

/// Bytes of the signature block.
const SIG_BLOCK: usize = 8 + 64;

/// Bytes of the content digest.
const DIGEST: usize = 32;

const META: u32 = 1;
const RULES: u32 = 2;
const CODE: u32 = 3;
const PATTERNS: u32 = 4;
const SECTIONS: [(u32, &str); 4] =
    [(META, "meta"), (RULES, "rules"), (CODE, "code"), (PATTERNS, "patterns")];

/// Why a database was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum DatabaseError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The bytes do not start like a database.
    NotADatabase,
    /// Written in another format version.
    FormatVersion { found: u32, supported: u32 },
    /// The stored digest does not match the content.
    DigestMismatch,
    /// A structural problem in one section (or the header).
    Malformed { section: &'static str, what: String },
    /// A module the rules use is unknown, or its schema changed since the
    /// database was written.
    Module { name: String, what: &'static str },
    /// A signature was required and there is none.
    Unsigned,
    /// The signature does not verify with the key given.
    BadSignature,
    /// A key is not a valid Ed25519 key.
    InvalidKey,
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseError::Io(e) => write!(f, "cannot read database: {e}"),
            DatabaseError::NotADatabase => {
                f.write_str("not a sigscan rule database (bad magic)")
            }
            DatabaseError::FormatVersion { found, supported } => write!(
                f,
                "database format version {found} is not supported: this \
                 engine ({ENGINE_VERSION}) reads format version {supported}"
            ),
            DatabaseError::DigestMismatch => f.write_str(
                "database digest mismatch: the content is corrupt or was \
                 modified",
            ),
            DatabaseError::Malformed { section, what } => {
                write!(f, "malformed database ({section}): {what}")
            }
            DatabaseError::Module { name, what } => {
                write!(f, "database module `{name}`: {what}")
            }
            DatabaseError::Unsigned => {
                f.write_str("database is not signed, a signature is required")
            }
            DatabaseError::BadSignature => f.write_str(
                "database signature does not verify with this public key",
            ),
            DatabaseError::InvalidKey => f.write_str("invalid Ed25519 key"),
        }
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DatabaseError::Io(e) => Some(e),
            _ => None,
        }
    }
}

fn header_err(what: impl Into<String>) -> DatabaseError {
    DatabaseError::Malformed { section: "header", what: what.into() }
}

/// What [`info`] tells about a database.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseInfo {
    pub format_version: u32,
    /// The engine version that wrote it.
    pub engine_version: String,
    /// SHA-256 of the content (everything before the signature block).
    pub digest: [u8; 32],
    pub signed: bool,
    pub rule_count: usize,
    pub namespaces: Vec<String>,
    pub imports: Vec<String>,
    /// `(origin, SHA-256)` of every source compiled in, in order.
    pub sources: Vec<(String, [u8; 32])>,
    /// Bytes of the whole database.
    pub size: usize,
}

/// An Ed25519 key pair: a 32-byte secret key (the seed) and its 32-byte
/// public key.
#[derive(Clone)]
pub struct KeyPair {
    pub secret: [u8; 32],
    pub public: [u8; 32],
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair").field("public", &self.public).finish()
    }
}

/// The SHA-256 of `bytes` (as recorded for each source).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    crate::compiler::sha256(bytes)
}

/// A new key pair from the operating system's random generator.
pub fn keygen() -> Result<KeyPair, DatabaseError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| {
        DatabaseError::Io(std::io::Error::other(e.to_string()))
    })?;
    Ok(key_pair(&secret))
}

/// The key pair of a secret key.
pub fn key_pair(secret: &[u8; 32]) -> KeyPair {
    let key = SigningKey::from_bytes(secret);
    KeyPair { secret: *secret, public: key.verifying_key().to_bytes() }
}

/// The layout of a database: where its digest is, whether it is signed.
struct Layout {
    /// Bytes covered by the digest.
    body: usize,
    signed: bool,
}

/// The header: checked magic and version, section bodies.
struct Parsed<'a> {
    engine_version: String,
    sections: Vec<&'a [u8]>,
    layout: Layout,
}

fn parse_header(db: &[u8]) -> Result<Parsed<'_>, DatabaseError> {
    if db.len() < MAGIC.len() || &db[..MAGIC.len()] != MAGIC {
        return Err(DatabaseError::NotADatabase);
    }
    let mut r = Reader::new(&db[MAGIC.len()..], "header");
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(DatabaseError::FormatVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let flags = r.u32()?;
    if flags != 0 {
        return Err(header_err(format!("unknown flags {flags:#x}")));
    }
    let engine_version = r.string()?;
    let n = r.u32()? as usize;
    if n != SECTIONS.len() {
        return Err(header_err(format!("{n} sections, expected 4")));
    }
    let mut lens = Vec::with_capacity(n);
    for &(id, name) in &SECTIONS {
        let got = r.u32()?;
        if got != id {
            return Err(header_err(format!(
                "section {got} where {name} ({id}) belongs"
            )));
        }
        lens.push(r.u64()?);
    }
    let mut pos = db.len() - r.remaining();
    let mut sections = Vec::with_capacity(n);
    for len in lens {
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| pos.checked_add(l))
            .filter(|&e| e <= db.len())
            .ok_or_else(|| header_err("section past the end"))?;
        sections.push(&db[pos..end]);
        pos = end;
    }
    let body = pos;
    let signed = if db.len() == body + DIGEST {
        false
    } else if db.len() == body + DIGEST + SIG_BLOCK
        && &db[body + DIGEST..body + DIGEST + 8] == SIG_MAGIC
    {
        true
    } else {
        return Err(header_err("bad length after the sections"));
    };
    Ok(Parsed { engine_version, sections, layout: Layout { body, signed } })
}

/// Checks the digest of a parsed database.
fn check_digest(
    db: &[u8],
    layout: &Layout,
) -> Result<[u8; 32], DatabaseError> {
    let stored: [u8; 32] = db
        .get(layout.body..layout.body + DIGEST)
        .and_then(|d| d.try_into().ok())
        .ok_or(DatabaseError::DigestMismatch)?;
    if sha256(&db[..layout.body]) != stored {
        return Err(DatabaseError::DigestMismatch);
    }
    Ok(stored)
}

/// Appends an Ed25519 signature with `secret_key` (replacing one already
/// there). The database is checked (header and digest) first.
pub fn sign(
    db: &[u8],
    secret_key: &[u8; 32],
) -> Result<Vec<u8>, DatabaseError> {
    let parsed = parse_header(db)?;
    check_digest(db, &parsed.layout)?;
    let end = parsed.layout.body + DIGEST;
    let key = SigningKey::from_bytes(secret_key);
    let sig = key.sign(&db[..end]);
    let mut out = Vec::with_capacity(end + SIG_BLOCK);
    out.extend_from_slice(&db[..end]);
    out.extend_from_slice(SIG_MAGIC);
    out.extend_from_slice(&sig.to_bytes());
    Ok(out)
}

/// Checks the signature of `db` against `public_key` from the raw bytes
/// alone, before anything else of the database is parsed.
pub fn verify(db: &[u8], public_key: &[u8; 32]) -> Result<(), DatabaseError> {
    let key = VerifyingKey::from_bytes(public_key)
        .map_err(|_| DatabaseError::InvalidKey)?;
    if db.len() < SIG_BLOCK {
        return Err(DatabaseError::Unsigned);
    }
    let (content, block) = db.split_at(db.len() - SIG_BLOCK);
    if &block[..8] != SIG_MAGIC {
        return Err(DatabaseError::Unsigned);
    }
    let sig: [u8; 64] =
        block[8..].try_into().map_err(|_| DatabaseError::BadSignature)?;
    key.verify_strict(content, &Signature::from_bytes(&sig))
        .map_err(|_| DatabaseError::BadSignature)
}

/// Describes a database (header, digest and META section) without
/// building its rules. The digest is checked.
pub fn info(db: &[u8]) -> Result<DatabaseInfo, DatabaseError> {
    let parsed = parse_header(db)?;
    let digest = check_digest(db, &parsed.layout)?;
    let meta = read_meta(parsed.sections[0])?;
    Ok(DatabaseInfo {
        format_version: FORMAT_VERSION,
        engine_version: parsed.engine_version,
        digest,
        signed: parsed.layout.signed,
        rule_count: meta.rule_count,
        namespaces: meta.namespaces,
        imports: meta.imports,
        sources: meta.sources,
        size: db.len(),
    })
}

// ---- writing

fn write_meta(rules: &Rules) -> Vec<u8> {
    let mut w = Writer::default();
    w.len(rules.rules.len());
    w.len(rules.namespaces.len());
    for n in &rules.namespaces {
        w.str(n);
    }
    w.len(rules.imports.len());
    for i in &rules.imports {
        w.str(i);
    }
    w.len(rules.globals.len());
    for (name, v) in &rules.globals {
        w.str(name);
        match v {
            Value::Bool(b) => {
                w.u8(0);
                w.bool(*b);
            }
            Value::Int(i) => {
                w.u8(1);
                w.i64(*i);
            }
            Value::Float(f) => {
                w.u8(2);
                w.f64(*f);
            }
            Value::Str(s) => {
                w.u8(3);
                w.str(s);
            }
        }
    }
    w.len(rules.source_digests.len());
    for (origin, d) in &rules.source_digests {
        w.str(origin);
        w.buf.extend_from_slice(d);
    }
    w.buf
}

fn write_rules(rules: &Rules) -> Vec<u8> {
    let mut w = Writer::default();
    w.len(rules.rules.len());
    for r in &rules.rules {
        w.u32(r.namespace);
        w.str(&r.name);
        w.len(r.tags.len());
        for t in &r.tags {
            w.str(t);
        }
        w.len(r.meta.len());
        for (k, v) in &r.meta {
            w.str(k);
            match v {
                MetaValue::Int(i) => {
                    w.u8(0);
                    w.i64(*i);
                }
                MetaValue::Float(f) => {
                    w.u8(1);
                    w.f64(*f);
                }
                MetaValue::Bool(b) => {
                    w.u8(2);
                    w.bool(*b);
                }
                MetaValue::Str(s) => {
                    w.u8(3);
                    w.bytes(s);
                }
            }
        }
        w.bool(r.is_private);
        w.bool(r.is_global);
        w.u32(r.condition);
        w.bool(r.uses_matches);
        w.len(r.guards.len());
        for &g in &r.guards {
            w.u32(g);
        }
        w.len(r.patterns.len());
        for (name, id, private) in &r.patterns {
            w.str(name);
            w.u32(*id);
            w.bool(*private);
        }
        w.len(r.pattern_kinds.len());
        for (kind, mods) in &r.pattern_kinds {
            write_pattern_kind(&mut w, *kind, mods);
        }
    }
    w.buf
}

/// A pattern's kind (`u8`) and its modifiers (count, then a tag each with
/// its arguments).
fn write_pattern_kind(
    w: &mut Writer,
    kind: PatternKind,
    mods: &[ModifierKind],
) {
    w.u8(match kind {
        PatternKind::Text => 0,
        PatternKind::Hex => 1,
        PatternKind::Regex => 2,
    });
    w.len(mods.len());
    for m in mods {
        match m {
            ModifierKind::Nocase => w.u8(0),
            ModifierKind::Wide => w.u8(1),
            ModifierKind::Ascii => w.u8(2),
            ModifierKind::Fullword => w.u8(3),
            ModifierKind::Private => w.u8(4),
            ModifierKind::Xor { min, max } => {
                w.u8(5);
                w.u8(*min);
                w.u8(*max);
            }
            ModifierKind::Base64 { alphabet }
            | ModifierKind::Base64Wide { alphabet } => {
                let wide = matches!(m, ModifierKind::Base64Wide { .. });
                w.u8(if wide { 7 } else { 6 });
                match alphabet {
                    Some(a) => {
                        w.bool(true);
                        w.bytes(a);
                    }
                    None => w.bool(false),
                }
            }
        }
    }
}

fn read_pattern_kind(
    r: &mut Reader<'_>,
) -> Result<(PatternKind, Vec<ModifierKind>), DatabaseError> {
    let kind = match r.u8()? {
        0 => PatternKind::Text,
        1 => PatternKind::Hex,
        2 => PatternKind::Regex,
        k => return Err(r.err(format!("invalid pattern kind {k}"))),
    };
    let n = r.count(1)?;
    let mut mods = Vec::with_capacity(n);
    for _ in 0..n {
        mods.push(match r.u8()? {
            0 => ModifierKind::Nocase,
            1 => ModifierKind::Wide,
            2 => ModifierKind::Ascii,
            3 => ModifierKind::Fullword,
            4 => ModifierKind::Private,
            5 => ModifierKind::Xor { min: r.u8()?, max: r.u8()? },
            t @ (6 | 7) => {
                let alphabet = match r.bool()? {
                    true => Some(r.bytes()?.to_vec()),
                    false => None,
                };
                if t == 6 {
                    ModifierKind::Base64 { alphabet }
                } else {
                    ModifierKind::Base64Wide { alphabet }
                }
            }
            t => return Err(r.err(format!("invalid modifier {t}"))),
        });
    }
    Ok((kind, mods))
}

fn write_code(code: &Code) -> Vec<u8> {
    // Module and function tables, in order of first use.
    let mut mods: Vec<u32> = Vec::new();
    let mut funcs: Vec<(u32, String, u32)> = Vec::new();
    let mod_index = |mods: &mut Vec<u32>, m: u32| -> u32 {
        match mods.iter().position(|&x| x == m) {
            Some(i) => i as u32,
            None => {
                mods.push(m);
                (mods.len() - 1) as u32
            }
        }
    };
    let mut calls = Vec::new();
    for n in &code.nodes {
        match *n {
            Node::Module(m) => {
                mod_index(&mut mods, m);
            }
            Node::Call(_, m, f, _) => {
                let mi = mod_index(&mut mods, m);
                // A function is always found in the schema it came from;
                // an empty path would fail to resolve at load.
                let (path, ov) =
                    modules::function_path(m as usize, f).unwrap_or_default();
                let key = (mi, path, ov);
                let fi = match funcs.iter().position(|x| *x == key) {
                    Some(i) => i,
                    None => {
                        funcs.push(key);
                        funcs.len() - 1
                    }
                };
                calls.push((mi, fi as u32));
            }
            _ => {}
        }
    }
    let mut body = Writer::default();
    body.len(code.nodes.len());
    let module = |m: u32| mods.iter().position(|&x| x == m).unwrap_or(0);
    let mut calls = calls.into_iter();
    for n in &code.nodes {
        let call = match n {
            Node::Call(..) => calls.next().unwrap_or_default(),
            _ => (0, 0),
        };
        nodes::write(&mut body, n, &|m| module(m) as u32, call);
    }
    let mut w = Writer::default();
    w.len(mods.len());
    for &m in &mods {
        let name = MODULES.get(m as usize).map_or("", |m| m.name);
        w.str(name);
        let fp = modules::fingerprint(m as usize).unwrap_or_default();
        w.buf.extend_from_slice(&fp);
    }
    w.len(funcs.len());
    for (m, path, ov) in &funcs {
        w.u32(*m);
        w.str(path);
        w.u32(*ov);
    }
    w.len(code.lists.len());
    for &l in &code.lists {
        w.u32(l);
    }
    w.len(code.strings.len());
    for s in &code.strings {
        w.bytes(s);
    }
    w.len(code.regex_src.len());
    for (src, i, s) in &code.regex_src {
        w.str(src);
        w.bool(*i);
        w.bool(*s);
    }
    w.u32(code.slots);
    w.buf.extend_from_slice(&body.buf);
    w.buf
}

fn write_opt_u32(w: &mut Writer, v: Option<u32>) {
    match v {
        Some(v) => {
            w.u8(1);
            w.u32(v);
        }
        None => w.u8(0),
    }
}

/// A byte set: its four words.
fn write_bits(w: &mut Writer, bits: &ByteBits) {
    for b in bits {
        w.u64(*b);
    }
}

/// An optional byte set: a tag, then the set.
fn write_opt_bits(w: &mut Writer, v: Option<&ByteBits>) {
    match v {
        Some(bits) => {
            w.u8(1);
            write_bits(w, bits);
        }
        None => w.u8(0),
    }
}

fn write_patterns(set: &PatternSet) -> Vec<u8> {
    let mut w = Writer::default();
    w.len(set.num_patterns);
    w.len(set.num_pieces);
    w.len(set.subs.len());
    for s in &set.subs {
        w.u32(s.pattern);
        w.bool(s.fullword);
        w.bool(s.wide);
        write_opt_u32(&mut w, s.piece);
        match &s.kind {
            SubKind::Literal { bytes, nocase } => {
                w.u8(0);
                w.bytes(bytes);
                w.bool(*nocase);
            }
            SubKind::Xor { bytes } => {
                w.u8(1);
                w.bytes(bytes);
            }
            SubKind::Base64 { encoded, plain, padding, alphabet } => {
                w.u8(2);
                w.bytes(encoded);
                w.bytes(plain);
                w.u8(*padding);
                w.buf.extend_from_slice(alphabet.chars());
            }
            SubKind::Masked { value, mask, negated } => {
                w.u8(3);
                w.bytes(value);
                w.buf.extend_from_slice(mask);
                w.buf.extend(negated.iter().map(|&n| u8::from(n)));
            }
            SubKind::Regex(rs) => {
                w.u8(4);
                hir::write(&mut w, &rs.fwd_hir);
                match &rs.bck_hir {
                    Some(h) => {
                        w.u8(1);
                        hir::write(&mut w, h);
                    }
                    None => w.u8(0),
                }
                w.bool(rs.greedy);
                w.bool(rs.longest_across_forms);
                write_opt_bits(&mut w, rs.rereport.as_deref());
                match rs.limit {
                    Some(l) => {
                        w.u8(1);
                        w.u64(l as u64);
                    }
                    None => w.u8(0),
                }
                let mut first = [0u8; 32];
                for (i, &b) in rs.first_bytes.iter().enumerate() {
                    if b {
                        first[i / 8] |= 1 << (i % 8);
                    }
                }
                w.buf.extend_from_slice(&first);
                w.len(rs.checks.len());
                for (off, bits) in rs.checks.iter() {
                    w.i64(*off as i64);
                    write_bits(&mut w, bits);
                }
                write_opt_u32(&mut w, rs.edges.start.map(|l| l.as_repr()));
                write_opt_u32(&mut w, rs.edges.end.map(|l| l.as_repr()));
                w.bool(rs.trim[0]);
                w.bool(rs.trim[1]);
                w.bool(rs.atom_at_start);
                write_opt_bits(&mut w, rs.teddy_start.as_deref());
                w.u8(match &rs.fast {
                    None => 0,
                    Some(f) => 1 + u8::from(f.greedy),
                });
                match &rs.exact_atoms {
                    Some(x) => {
                        w.u8(1);
                        w.len(x.atoms.len());
                        for (a, exact) in x.atoms.iter() {
                            w.bytes(a);
                            w.bool(*exact);
                        }
                        hir::write(&mut w, &x.whole_hir);
                    }
                    None => w.u8(0),
                }
            }
        }
    }
    w.len(set.atoms.len());
    for (a, &(s, e)) in set.atoms.iter().zip(&set.ref_ranges) {
        w.bytes(a);
        w.u32(s);
        w.u32(e);
    }
    w.len(set.refs.len());
    for r in &set.refs {
        w.u32(r.sub);
        w.u32(r.backoff);
        w.u8(r.key);
        w.bool(r.exact);
    }
    w.len(set.slow.len());
    for &s in &set.slow {
        w.u32(s);
    }
    w.len(set.anchored.len());
    for &(sub, at) in &set.anchored {
        w.u32(sub);
        w.u64(at as u64);
    }
    w.len(set.chains.len());
    for c in &set.chains {
        w.u32(c.pattern);
        w.u32(c.first);
        w.len(c.gaps.len());
        for &(min, max) in c.gaps.iter() {
            w.u32(min);
            write_opt_u32(&mut w, max);
        }
        w.bool(c.greedy);
        w.bool(c.fullword);
        w.bool(c.wide);
    }
    w.u32(set.teddy.atoms);
    w.u32(set.teddy.min_len);
    w.buf
}

impl Rules {
    /// The compiled database of these rules (see the `database` module
    /// docs for the format): deterministic, unsigned, with its content
    /// digest. Sign it with [`sign`].
    pub fn serialize(&self) -> Vec<u8> {
        let sections = [
            write_meta(self),
            write_rules(self),
            write_code(&self.code),
            write_patterns(&self.patterns),
        ];
        let mut w = Writer::default();
        w.buf.extend_from_slice(MAGIC);
        w.u32(FORMAT_VERSION);
        w.u32(0);
        w.str(ENGINE_VERSION);
        w.len(sections.len());
        for ((id, _), s) in SECTIONS.iter().zip(&sections) {
            w.u32(*id);
            w.u64(s.len() as u64);
        }
        for s in &sections {
            w.buf.extend_from_slice(s);
        }
        let digest = sha256(&w.buf);
        w.buf.extend_from_slice(&digest);
        w.buf
    }

    /// Loads a database (signed or not; a signature is not checked):
    /// header, digest and every reference are validated first.
    pub fn load(db: &[u8]) -> Result<Rules, DatabaseError> {
        let parsed = parse_header(db)?;
        check_digest(db, &parsed.layout)?;
        build(&parsed)
    }

    /// Reads and loads a database file.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Rules, DatabaseError> {
        let bytes = std::fs::read(path).map_err(DatabaseError::Io)?;
        Rules::load(&bytes)
    }

    /// Loads a database only if it carries a valid signature by
    /// `public_key`, checked before anything else is parsed.
    pub fn load_verified(
        db: &[u8],
        public_key: &[u8; 32],
    ) -> Result<Rules, DatabaseError> {
        verify(db, public_key)?;
        let parsed = parse_header(db)?;
        if !parsed.layout.signed {
            return Err(DatabaseError::Unsigned);
        }
        check_digest(db, &parsed.layout)?;
        build(&parsed)
    }

    /// The `(origin, SHA-256)` of every source compiled into these rules.
    pub fn source_digests(&self) -> impl Iterator<Item = (&str, &[u8; 32])> {
        self.source_digests.iter().map(|(o, d)| (o.as_str(), d))
    }
}

// ---- reading

struct Meta {
    rule_count: usize,
    namespaces: Vec<String>,
    imports: Vec<String>,
    globals: Vec<(String, Value)>,
    sources: Vec<(String, [u8; 32])>,
}

fn read_meta(b: &[u8]) -> Result<Meta, DatabaseError> {
    let mut r = Reader::new(b, "meta");
    let rule_count = r.u32()? as usize;
    let n = r.count(4)?;
    let mut namespaces = Vec::with_capacity(n);
    for _ in 0..n {
        namespaces.push(r.string()?);
    }
    if namespaces.is_empty() {
        return Err(r.err("no namespace"));
    }
    let n = r.count(4)?;
    let mut imports = Vec::with_capacity(n);
    for _ in 0..n {
        imports.push(r.string()?);
    }
    let n = r.count(5)?;
    let mut globals = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string()?;
        let v = match r.u8()? {
            0 => Value::Bool(r.bool()?),
            1 => Value::Int(r.i64()?),
            2 => Value::Float(r.f64()?),
            3 => Value::Str(r.string()?),
            t => return Err(r.err(format!("invalid value type {t}"))),
        };
        globals.push((name, v));
    }
    let n = r.count(36)?;
    let mut sources = Vec::with_capacity(n);
    for _ in 0..n {
        let origin = r.string()?;
        sources.push((origin, r.array::<32>()?));
    }
    r.finish()?;
    Ok(Meta { rule_count, namespaces, imports, globals, sources })
}

fn read_rules(
    b: &[u8],
    meta: &Meta,
    nodes: usize,
    patterns: usize,
) -> Result<Vec<RuleData>, DatabaseError> {
    let mut r = Reader::new(b, "rules");
    let n = r.count(16)?;
    if n != meta.rule_count {
        return Err(r.err("rule count differs from the meta section"));
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let namespace = r.index(meta.namespaces.len(), "namespace")?;
        let name = r.string()?;
        let k = r.count(4)?;
        let mut tags = Vec::with_capacity(k);
        for _ in 0..k {
            tags.push(r.string()?);
        }
        let k = r.count(5)?;
        let mut meta_v = Vec::with_capacity(k);
        for _ in 0..k {
            let key = r.string()?;
            let v = match r.u8()? {
                0 => MetaValue::Int(r.i64()?),
                1 => MetaValue::Float(r.f64()?),
                2 => MetaValue::Bool(r.bool()?),
                3 => MetaValue::Str(r.bytes()?.to_vec()),
                t => return Err(r.err(format!("invalid meta type {t}"))),
            };
            meta_v.push((key, v));
        }
        let is_private = r.bool()?;
        let is_global = r.bool()?;
        let condition = r.index(nodes, "condition node")?;
        let uses_matches = r.bool()?;
        let k = r.count(4)?;
        let mut guards = Vec::with_capacity(k);
        for _ in 0..k {
            guards.push(r.index(nodes, "guard node")?);
        }
        let k = r.count(9)?;
        let mut pats = Vec::with_capacity(k);
        for _ in 0..k {
            let name = r.string()?;
            let id = r.index(patterns, "pattern")?;
            pats.push((name, id, r.bool()?));
        }
        let k = r.count(5)?;
        if k != pats.len() {
            return Err(r.err("pattern kinds differ from the patterns"));
        }
        let mut pattern_kinds = Vec::with_capacity(k);
        for _ in 0..k {
            pattern_kinds.push(read_pattern_kind(&mut r)?);
        }
        out.push(RuleData {
            namespace,
            name,
            tags,
            meta: meta_v,
            is_private,
            is_global,
            condition,
            uses_matches,
            guards,
            required: None,
            patterns: pats,
            pattern_kinds,
        });
    }
    r.finish()?;
    Ok(out)
}

fn read_code(
    b: &[u8],
    meta: &Meta,
    patterns: usize,
) -> Result<Code, DatabaseError> {
    let mut r = Reader::new(b, "code");
    // Modules, checked against this engine's schemas.
    let n = r.count(36)?;
    let mut mods = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string()?;
        let fp = r.array::<32>()?;
        let idx = crate::modules::find(&name).ok_or_else(|| {
            DatabaseError::Module { name: name.clone(), what: "unknown" }
        })?;
        if modules::fingerprint(idx) != Some(fp) {
            return Err(DatabaseError::Module {
                name,
                what: "its schema changed since the database was written",
            });
        }
        mods.push(idx as u32);
    }
    let n = r.count(12)?;
    let mut funcs = Vec::with_capacity(n);
    for _ in 0..n {
        let m = r.index(mods.len(), "module")?;
        let path = r.str()?;
        let ov = r.u32()?;
        let f = modules::resolve(mods[m as usize] as usize, path, ov)
            .ok_or_else(|| r.err(format!("unknown function `{path}`")))?;
        funcs.push((m, f));
    }
    let n = r.count(4)?;
    let mut lists = Vec::with_capacity(n);
    for _ in 0..n {
        lists.push(r.u32()?);
    }
    let n = r.count(4)?;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        strings.push(r.bytes()?.to_vec());
    }
    let n = r.count(6)?;
    let mut regex_src = Vec::with_capacity(n);
    let mut regexes = Vec::with_capacity(n);
    for _ in 0..n {
        let src = r.string()?;
        let (i, s) = (r.bool()?, r.bool()?);
        let re = crate::syntax::ast::Regex {
            source: src.clone(),
            case_insensitive: i,
            dot_matches_new_line: s,
            span: Default::default(),
        };
        let compiled = crate::compiler::regex::compile(&re)
            .map_err(|e| r.err(format!("regex /{src}/: {e}")))?;
        regexes.push(compiled);
        regex_src.push((src, i, s));
    }
    let slots = r.u32()?;
    let n = r.count(1)?;
    // A condition uses fewer variable slots than it has nodes.
    if slots as usize > n {
        return Err(r.err("more variable slots than nodes"));
    }
    let tables =
        nodes::Tables { modules: &mods, functions: &funcs, lists: &lists };
    let mut bounds = nodes::Bounds {
        node: 0,
        lists: lists.len(),
        strings: strings.len(),
        regexes: regexes.len(),
        globals: meta.globals.len(),
        rules: meta.rule_count,
        slots: slots as usize,
        patterns,
        modules: mods.len(),
        functions: funcs.len(),
    };
    let mut code_nodes: Vec<Node> = Vec::with_capacity(n);
    for i in 0..n {
        bounds.node = i;
        code_nodes.push(nodes::read(&mut r, &bounds, &tables)?);
    }
    r.finish()?;
    let code =
        Code { nodes: code_nodes, lists, strings, regexes, regex_src, slots };
    // The compiler shares a few nodes (constants, anchors); a bound
    // linear in the node count keeps evaluation linear in the file size.
    let limit = (code.nodes.len() as u64).saturating_mul(16) + 65_536;
    if !code.expanded_size_within(limit) {
        return Err(r.err("condition nodes shared between parents"));
    }
    Ok(code)
}

fn read_opt_u32(r: &mut Reader<'_>) -> Result<Option<u32>, DatabaseError> {
    match r.u8()? {
        0 => Ok(None),
        1 => Ok(Some(r.u32()?)),
        t => Err(r.err(format!("invalid option tag {t}"))),
    }
}

fn read_bits(r: &mut Reader<'_>) -> Result<ByteBits, DatabaseError> {
    let mut bits = [0u64; 4];
    for b in &mut bits {
        *b = r.u64()?;
    }
    Ok(bits)
}

fn read_opt_bits(
    r: &mut Reader<'_>,
) -> Result<Option<Box<ByteBits>>, DatabaseError> {
    match r.u8()? {
        0 => Ok(None),
        1 => Ok(Some(Box::new(read_bits(r)?))),
        t => Err(r.err(format!("invalid option tag {t}"))),
    }
}

fn read_look(
    r: &mut Reader<'_>,
) -> Result<Option<regex_syntax::hir::Look>, DatabaseError> {
    match read_opt_u32(r)? {
        None => Ok(None),
        Some(v) => regex_syntax::hir::Look::from_repr(v)
            .map(Some)
            .ok_or_else(|| r.err("invalid look")),
    }
}

fn read_sub(
    r: &mut Reader<'_>,
    num_patterns: usize,
    num_pieces: usize,
) -> Result<Sub, DatabaseError> {
    let pattern = r.index(num_patterns, "pattern")?;
    let fullword = r.bool()?;
    let wide = r.bool()?;
    let piece = read_opt_u32(r)?;
    if piece.is_some_and(|p| p as usize >= num_pieces) {
        return Err(r.err("chain piece out of range"));
    }
    let kind = match r.u8()? {
        0 => SubKind::Literal { bytes: r.bytes()?.into(), nocase: r.bool()? },
        1 => SubKind::Xor { bytes: r.bytes()?.into() },
        2 => {
            let encoded = r.bytes()?.into();
            let plain: Box<[u8]> = r.bytes()?.into();
            let padding = r.u8()?;
            if plain.len() < 3 || padding > 2 {
                return Err(r.err("invalid base64 pattern"));
            }
            let chars = r.take(64)?;
            let alphabet = Alphabet::new(chars)
                .ok_or_else(|| r.err("invalid base64 alphabet"))?;
            SubKind::Base64 {
                encoded,
                plain,
                padding,
                alphabet: Box::new(alphabet),
            }
        }
        3 => {
            let value: Box<[u8]> = r.bytes()?.into();
            let mask: Box<[u8]> = r.take(value.len())?.into();
            let mut negated = Vec::with_capacity(value.len());
            for _ in 0..value.len() {
                negated.push(r.bool()?);
            }
            SubKind::Masked { value, mask, negated: negated.into() }
        }
        4 => SubKind::Regex(Box::new(read_regex_sub(r)?)),
        t => return Err(r.err(format!("invalid sub-pattern kind {t}"))),
    };
    Ok(Sub { pattern, fullword, wide, piece, kind })
}

fn read_regex_sub(r: &mut Reader<'_>) -> Result<RegexSub, DatabaseError> {
    let fwd_hir = hir::read(r)?;
    let bck_hir = match r.u8()? {
        0 => None,
        1 => Some(hir::read(r)?),
        _ => return Err(r.err("invalid option tag")),
    };
    let greedy = r.bool()?;
    let longest_across_forms = r.bool()?;
    let rereport = read_opt_bits(r)?;
    let limit = match r.u8()? {
        0 => None,
        1 => Some(usize::try_from(r.u64()?).unwrap_or(usize::MAX)),
        _ => return Err(r.err("invalid option tag")),
    };
    let bits = r.array::<32>()?;
    let mut first_bytes = Box::new([false; 256]);
    for (i, f) in first_bytes.iter_mut().enumerate() {
        *f = bits[i / 8] & (1 << (i % 8)) != 0;
    }
    let n = r.count(40)?;
    let mut checks = Vec::with_capacity(n);
    for _ in 0..n {
        let off = r.i64()?;
        let off = isize::try_from(off).map_err(|_| r.err("bad offset"))?;
        checks.push((off, read_bits(r)?));
    }
    let edges = WideEdges { start: read_look(r)?, end: read_look(r)? };
    let trim = [r.bool()?, r.bool()?];
    let atom_at_start = r.bool()?;
    let teddy_start = read_opt_bits(r)?;
    let fast = match r.u8()? {
        0 => None,
        t @ (1 | 2) => {
            let mut units = Vec::new();
            crate::compiler::patterns::hir::flatten(&fwd_hir, &mut units);
            let f = FastForward::new(&units, t == 2)
                .ok_or_else(|| r.err("pattern unfit for the fast VM"))?;
            Some(Box::new(f))
        }
        _ => return Err(r.err("invalid fast VM tag")),
    };
    let exact_atoms = match r.u8()? {
        0 => None,
        1 => {
            let n = r.count(5)?;
            let mut atoms = Vec::with_capacity(n);
            for _ in 0..n {
                let a = r.bytes()?;
                if a.is_empty() || a.len() > 8 {
                    return Err(r.err("invalid exact atom"));
                }
                atoms.push((a.to_vec(), r.bool()?));
            }
            Some(Box::new(ExactAtoms::new(atoms, hir::read(r)?)))
        }
        _ => return Err(r.err("invalid option tag")),
    };
    // The automata are built on first use (a pattern that never gets an
    // atom hit costs nothing); one that fails to build never matches.
    Ok(RegexSub {
        fwd: OnceLock::new(),
        fwd_hir,
        bck: OnceLock::new(),
        bck_hir,
        greedy,
        longest_across_forms,
        rereport,
        limit,
        first_bytes,
        checks: checks.into(),
        edges,
        exact_atoms,
        trim,
        atom_at_start,
        teddy_start,
        fast,
    })
}

fn read_patterns(b: &[u8]) -> Result<PatternSet, DatabaseError> {
    let mut r = Reader::new(b, "patterns");
    let num_patterns = r.u32()? as usize;
    let num_pieces = r.u32()? as usize;
    let n = r.count(8)?;
    // Every pattern and every chain piece has at least one sub-pattern.
    if num_patterns > n || num_pieces > n {
        return Err(r.err("more patterns than sub-patterns"));
    }
    let mut subs = Vec::with_capacity(n);
    for _ in 0..n {
        subs.push(read_sub(&mut r, num_patterns, num_pieces)?);
    }
    let n = r.count(12)?;
    let mut atoms = Vec::with_capacity(n);
    let mut ranges = Vec::with_capacity(n);
    for _ in 0..n {
        let a = r.bytes()?;
        if a.is_empty() {
            return Err(r.err("empty atom"));
        }
        atoms.push(a.to_vec());
        ranges.push((r.u32()?, r.u32()?));
    }
    let n = r.count(10)?;
    let mut refs = Vec::with_capacity(n);
    for _ in 0..n {
        let sub = r.index(subs.len(), "sub-pattern")?;
        refs.push(AtomRef {
            sub,
            backoff: r.u32()?,
            key: r.u8()?,
            exact: r.bool()?,
        });
    }
    if ranges.iter().any(|&(s, e)| s > e || e as usize > refs.len()) {
        return Err(r.err("atom references out of range"));
    }
    let n = r.count(4)?;
    let mut slow = Vec::with_capacity(n);
    for _ in 0..n {
        slow.push(r.index(subs.len(), "sub-pattern")?);
    }
    let n = r.count(12)?;
    let mut anchored = Vec::with_capacity(n);
    for _ in 0..n {
        let sub = r.index(subs.len(), "sub-pattern")?;
        let at = usize::try_from(r.u64()?)
            .map_err(|_| r.err("anchor offset out of range"))?;
        anchored.push((sub, at));
    }
    let n = r.count(13)?;
    let mut chains = Vec::with_capacity(n);
    for _ in 0..n {
        let pattern = r.index(num_patterns, "pattern")?;
        let first = r.u32()?;
        let k = r.count(5)?;
        let mut gaps = Vec::with_capacity(k);
        for _ in 0..k {
            gaps.push((r.u32()?, read_opt_u32(&mut r)?));
        }
        let greedy = r.bool()?;
        let fullword = r.bool()?;
        let wide = r.bool()?;
        let end = (first as usize).saturating_add(k).saturating_add(1);
        if k == 0 || end > num_pieces {
            return Err(r.err("chain pieces out of range"));
        }
        chains.push(Chain {
            pattern,
            first,
            gaps: gaps.into(),
            greedy,
            fullword,
            wide,
        });
    }
    let atoms_yx = r.u32()?;
    let min_len_yx = r.u32()?;
    let teddy = TeddyModel { atoms: atoms_yx, min_len: min_len_yx };
    r.finish()?;
    let finder = build_finder(&atoms, FinderKind::Hash)
        .map_err(|e| r.err(format!("atom search does not build: {e}")))?;
    let max_atom_len = atoms.iter().map(|a| a.len()).max().unwrap_or(0);
    Ok(PatternSet {
        num_patterns,
        num_pieces,
        chains,
        form_order: form_orders(&subs, &anchored),
        teddy,
        subs,
        finder,
        ref_ranges: ranges,
        refs,
        slow,
        anchored,
        max_atom_len,
        atoms,
    })
}

fn build(parsed: &Parsed<'_>) -> Result<Rules, DatabaseError> {
    let meta = read_meta(parsed.sections[0])?;
    let patterns = read_patterns(parsed.sections[3])?;
    let code = read_code(parsed.sections[2], &meta, patterns.num_patterns)?;
    let mut rules = read_rules(
        parsed.sections[1],
        &meta,
        code.nodes.len(),
        patterns.num_patterns,
    )?;
    for r in &mut rules {
        r.required = code.required_patterns(r.condition);
    }
    let index = RuleIndex::new(&rules, &code, patterns.len());
    Ok(Rules {
        index,
        rules,
        namespaces: meta.namespaces,
        code,
        patterns,
        globals: meta.globals,
        imports: meta.imports,
        source_digests: meta.sources,
    })
}

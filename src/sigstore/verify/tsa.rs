//! RFC 3161 timestamps (`verificationMaterial.timestampVerificationData.rfc3161Timestamps`),
//! verified as sigstore-go verifies them with sigstore's timestamp-authority library: the CMS
//! SignedData (RFC 5652, parsed with RustCrypto `cms`) carries a TSTInfo whose message imprint
//! is the hash of the signature bytes; its one signer is a timestamp authority of the trusted
//! root, whose chain (from the trusted root) is valid at the time stamped and whose `validFor`
//! contains it.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_tsp::{TimeStampResp, TstInfo};

use crate::sigstore::crypto::cert::{Certificate, rfc3339};
use crate::sigstore::crypto::chain::{CertificateAuthority, TrustedRoot};
use crate::sigstore::crypto::keys::HashAlg;

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TSTINFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const EKU_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
/// Most certificates a timestamp token may embed.
const MAX_EMBEDDED_CERTIFICATES: usize = 16;

/// A verified timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// The time stamped (TSTInfo genTime), unix seconds.
    pub time: i64,
    /// The URI of the timestamp authority that signed it.
    pub authority: String,
}

fn hash_of(alg: &ObjectIdentifier) -> Option<HashAlg> {
    match *alg {
        ID_SHA256 => Some(HashAlg::Sha256),
        ID_SHA384 => Some(HashAlg::Sha384),
        ID_SHA512 => Some(HashAlg::Sha512),
        _ => None,
    }
}

fn digest(alg: HashAlg, data: &[u8]) -> Vec<u8> {
    match alg {
        HashAlg::Sha256 => Sha256::digest(data).to_vec(),
        HashAlg::Sha384 => Sha384::digest(data).to_vec(),
        HashAlg::Sha512 => Sha512::digest(data).to_vec(),
    }
}

/// Verifies one DER timestamp response (or bare timestamp token) over `signature` with the
/// timestamp authorities of `root`.
pub fn verify(der: &[u8], signature: &[u8], root: &TrustedRoot) -> Result<Timestamp, String> {
    let token = match TimeStampResp::from_der(der) {
        Ok(resp) => {
            let status = resp.status.status as u8;
            if status > 1 {
                return Err(format!("timestamp response status {status} (not granted)"));
            }
            resp.time_stamp_token.ok_or("timestamp response has no token")?
        }
        Err(_) => ContentInfo::from_der(der).map_err(|e| format!("not a timestamp response or token: {e}"))?,
    };
    if token.content_type != ID_SIGNED_DATA {
        return Err(format!("timestamp token content type {} is not SignedData", token.content_type));
    }
    let sd: SignedData = token.content.decode_as().map_err(|e| format!("SignedData: {e}"))?;
    if sd.encap_content_info.econtent_type != ID_CT_TSTINFO {
        return Err("timestamp token does not hold a TSTInfo".into());
    }
    let econtent = sd.encap_content_info.econtent.as_ref().ok_or("timestamp token has no TSTInfo content")?;
    let tst_der = der::asn1::OctetString::from_der(&econtent.to_der().map_err(|e| e.to_string())?)
        .map_err(|e| format!("TSTInfo wrapper: {e}"))?
        .into_bytes();
    let tst = TstInfo::from_der(&tst_der).map_err(|e| format!("TSTInfo: {e}"))?;
    let imprint_alg =
        hash_of(&tst.message_imprint.hash_algorithm.oid).ok_or("message imprint hash algorithm unsupported")?;
    if tst.message_imprint.hashed_message.as_bytes() != digest(imprint_alg, signature).as_slice() {
        return Err("message imprint is not the hash of this signature".into());
    }
    let time = i64::try_from(tst.gen_time.to_unix_duration().as_secs()).map_err(|_| "genTime out of range")?;

    // Each embedded certificate may cost signature checks: a token with more is refused.
    if sd.certificates.as_ref().is_some_and(|set| set.0.len() > MAX_EMBEDDED_CERTIFICATES) {
        return Err(format!("timestamp token embeds more than {MAX_EMBEDDED_CERTIFICATES} certificates"));
    }
    let embedded: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => c.to_der().ok(),
            _ => None,
        })
        .filter_map(|d| Certificate::from_der(&d).ok())
        .collect();

    let signer = sd.signer_infos.0.iter().next().ok_or("timestamp token has no signer")?;
    if sd.signer_infos.0.len() != 1 {
        return Err("timestamp token has more than one signer".into());
    }
    let attrs = signer.signed_attrs.as_ref().ok_or("timestamp signer has no signed attributes")?;
    let digest_alg = hash_of(&signer.digest_alg.oid).ok_or("signer digest algorithm unsupported")?;
    let attr = |oid: ObjectIdentifier| attrs.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next());
    let ct = attr(ID_CONTENT_TYPE).ok_or("signed attributes lack content-type")?;
    if ct.decode_as::<ObjectIdentifier>().ok() != Some(ID_CT_TSTINFO) {
        return Err("signed content-type is not TSTInfo".into());
    }
    let md = attr(ID_MESSAGE_DIGEST).ok_or("signed attributes lack message-digest")?;
    let md = md.decode_as::<der::asn1::OctetString>().map_err(|e| format!("message-digest: {e}"))?;
    if md.as_bytes() != digest(digest_alg, &tst_der).as_slice() {
        return Err("message-digest attribute is not the hash of the TSTInfo".into());
    }
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    let sig_hash = match signer.signature_algorithm.oid {
        ECDSA_SHA256 => HashAlg::Sha256,
        ECDSA_SHA384 => HashAlg::Sha384,
        ECDSA_SHA512 => HashAlg::Sha512,
        _ => digest_alg,
    };
    let sig = signer.signature.as_bytes();

    let mut why = Vec::new();
    for ca in &root.timestamp_authorities {
        match try_authority(ca, &embedded, &signed, sig, sig_hash, time) {
            Ok(()) => return Ok(Timestamp { time, authority: ca.uri.clone() }),
            Err(e) => why.push(format!("{}: {e}", if ca.uri.is_empty() { "authority" } else { &ca.uri })),
        }
    }
    if why.is_empty() {
        return Err("the trusted root lists no timestamp authority".into());
    }
    Err(format!("no trusted timestamp authority signed it ({})", why.join("; ")))
}

fn try_authority(
    ca: &CertificateAuthority,
    embedded: &[Certificate],
    signed: &[u8],
    sig: &[u8],
    hash: HashAlg,
    time: i64,
) -> Result<(), String> {
    if !ca.valid_for.contains(time) {
        return Err(format!("authority not valid at {}", rfc3339(time)));
    }
    let chain = &ca.chain;
    // The signer: the authority's leaf, or an embedded certificate issued by one of its certificates.
    let mut candidates: Vec<Vec<&Certificate>> = Vec::new();
    if !chain.is_empty() {
        candidates.push(chain.iter().collect());
    }
    for e in embedded {
        if chain.iter().any(|c| c.der == e.der) {
            continue;
        }
        if let Some(i) = chain
            .iter()
            .position(|c| c.subject_der == e.issuer_der && c.public_key().is_ok_and(|k| e.verify_signed_by(&k).is_ok()))
        {
            let mut path = vec![e];
            path.extend(chain.iter().skip(i));
            candidates.push(path);
        }
    }
    let mut last = String::from("no certificate of this authority signed it");
    for path in candidates {
        let Some(leaf) = path.first() else { continue };
        let Ok(key) = leaf.public_key() else { continue };
        if key.verify_with_hash(hash, false, signed, sig).is_err() {
            continue;
        }
        if let Some(eku) = &leaf.ext_key_usage
            && !eku.iter().any(|o| o == EKU_TIME_STAMPING)
        {
            last = "signer certificate lacks extendedKeyUsage timeStamping".into();
            continue;
        }
        if let Some(c) = path.iter().find(|c| !c.valid_at(time)) {
            last = format!(
                "certificate {:?} not valid at {} (valid {} .. {})",
                c.subject,
                rfc3339(time),
                c.not_before_rfc3339(),
                c.not_after_rfc3339()
            );
            continue;
        }
        let linked = path.windows(2).all(|w| match (w.first(), w.get(1)) {
            (Some(child), Some(parent)) => {
                child.issuer_der == parent.subject_der
                    && matches!(parent.basic_constraints, Some((true, _)))
                    && parent.public_key().is_ok_and(|k| child.verify_signed_by(&k).is_ok())
            }
            _ => false,
        });
        if !linked {
            last = "authority chain does not link".into();
            continue;
        }
        return Ok(());
    }
    Err(last)
}

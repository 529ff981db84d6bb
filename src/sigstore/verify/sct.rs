//! Signed certificate timestamps embedded in a Fulcio leaf (RFC 6962 §3.3), verified against
//! the trusted root's `ctlogs` as sigstore-go does: the log signed the precertificate, i.e.
//! the leaf's TBSCertificate without the SCT-list extension, bound to SHA-256 of the issuer's
//! SubjectPublicKeyInfo.

use der::{Decode, Encode};
use sha2::{Digest, Sha256};

use crate::sigstore::crypto::cert::Certificate;
use crate::sigstore::crypto::chain::TransparencyLog;
use crate::sigstore::crypto::keys::HashAlg;

const OID_SCT_LIST: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
/// Most SCTs looked at in one certificate.
const MAX_SCTS: usize = 16;

struct Sct<'a> {
    log_id: &'a [u8],
    timestamp: u64,
    extensions: &'a [u8],
    hash: u8,
    signature: &'a [u8],
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let (a, b) = self.0.split_at_checked(n).ok_or("SCT list truncated")?;
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, String> {
        self.take(1)?.first().copied().ok_or_else(|| "SCT list truncated".into())
    }
    fn u16(&mut self) -> Result<usize, String> {
        let b: [u8; 2] = self.take(2)?.try_into().map_err(|_| "SCT list truncated")?;
        Ok(usize::from(u16::from_be_bytes(b)))
    }
    fn vec16(&mut self) -> Result<&'a [u8], String> {
        let n = self.u16()?;
        self.take(n)
    }
}

fn parse_list(data: &[u8]) -> Result<Vec<Sct<'_>>, String> {
    let mut outer = Reader(data);
    let mut list = Reader(outer.vec16()?);
    let mut out = Vec::new();
    while !list.0.is_empty() {
        if out.len() >= MAX_SCTS {
            return Err(format!("more than {MAX_SCTS} SCTs"));
        }
        let mut r = Reader(list.vec16()?);
        if r.u8()? != 0 {
            return Err("SCT version is not v1".into());
        }
        let log_id = r.take(32)?;
        let ts = r.take(8)?;
        let timestamp = u64::from_be_bytes(ts.try_into().map_err(|_| "SCT timestamp")?);
        let extensions = r.vec16()?;
        let hash = r.u8()?;
        let _sig_alg = r.u8()?;
        let signature = r.vec16()?;
        out.push(Sct { log_id, timestamp, extensions, hash, signature });
    }
    Ok(out)
}

/// Verifies the SCTs embedded in `leaf` (issued by `issuer`) against `ctlogs`; returns how
/// many verified, or why none did.
pub fn verify(leaf: &Certificate, issuer: &Certificate, ctlogs: &[TransparencyLog]) -> Result<usize, String> {
    let cert = x509_cert::Certificate::from_der(&leaf.der).map_err(|e| format!("leaf: {e}"))?;
    let mut tbs = cert.tbs_certificate.clone();
    let exts = tbs.extensions.as_mut().ok_or("the certificate carries no SCT")?;
    let ext = exts.iter().find(|e| e.extn_id == OID_SCT_LIST).ok_or("the certificate carries no SCT")?;
    let list_der = der::asn1::OctetString::from_der(ext.extn_value.as_bytes())
        .map_err(|e| format!("SCT extension: {e}"))?
        .into_bytes();
    exts.retain(|e| e.extn_id != OID_SCT_LIST);
    let precert_tbs = tbs.to_der().map_err(|e| e.to_string())?;
    let issuer_key_hash = Sha256::digest(&issuer.spki_der);
    let scts = parse_list(&list_der)?;
    let mut verified = 0;
    let mut why = Vec::new();
    for sct in &scts {
        let Some(log) = ctlogs.iter().find(|l| l.log_id == sct.log_id) else {
            why.push("SCT from a log not in the trusted root".to_string());
            continue;
        };
        let Some(key) = &log.key else {
            why.push(format!("CT log {} key unsupported", log.base_url));
            continue;
        };
        let hash = match sct.hash {
            4 => HashAlg::Sha256,
            5 => HashAlg::Sha384,
            6 => HashAlg::Sha512,
            h => {
                why.push(format!("SCT hash algorithm {h} unsupported"));
                continue;
            }
        };
        let tbs_len = u32::try_from(precert_tbs.len()).map_err(|_| "TBS too long")?;
        let ext_len = u16::try_from(sct.extensions.len()).map_err(|_| "SCT extensions too long")?;
        let mut signed = Vec::with_capacity(precert_tbs.len() + 64);
        signed.extend_from_slice(&[0, 0]); // v1, certificate_timestamp
        signed.extend_from_slice(&sct.timestamp.to_be_bytes());
        signed.extend_from_slice(&[0, 1]); // precert_entry
        signed.extend_from_slice(&issuer_key_hash);
        signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
        signed.extend_from_slice(&precert_tbs);
        signed.extend_from_slice(&ext_len.to_be_bytes());
        signed.extend_from_slice(sct.extensions);
        match key.verify_with_hash(hash, false, &signed, sct.signature) {
            Ok(_) => verified += 1,
            Err(e) => why.push(format!("SCT from {} does not verify: {e}", log.base_url)),
        }
    }
    if verified == 0 {
        if why.is_empty() {
            why.push("the certificate carries no SCT".into());
        }
        return Err(why.join("; "));
    }
    Ok(verified)
}

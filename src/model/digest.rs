//! Digest strings: grammar, registered algorithms, and digests claimed by file names.

/// Why a digest string is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestProblem {
    /// Not of the form `algorithm:encoded`.
    Grammar,
    /// A registered algorithm whose encoded part is not lower-case hex of the right length.
    BadEncoding {
        /// The expected number of hex characters.
        expected_len: usize,
    },
    /// A grammatical digest whose algorithm the image spec does not register (`sha256+b64`,
    /// `multihash+base58`): the spec says implementations SHOULD accept it, but nobody can verify it.
    UnknownAlgorithm,
}

impl DigestProblem {
    /// A sentence for messages.
    pub fn describe(&self) -> String {
        match self {
            DigestProblem::Grammar => "is not of the form algorithm:encoded".into(),
            DigestProblem::BadEncoding { expected_len } => {
                format!("must be {expected_len} lower-case hex characters after the algorithm")
            }
            DigestProblem::UnknownAlgorithm => {
                "uses an algorithm the image spec does not register (sha256, sha512, blake3)".into()
            }
        }
    }
}

/// Expected hex length of an algorithm the image spec registers (descriptor.md, "Registered
/// algorithms"): sha256, sha512, blake3.
pub fn hex_len(algorithm: &str) -> Option<usize> {
    match algorithm {
        "sha256" | "blake3" => Some(64),
        "sha512" => Some(128),
        _ => None,
    }
}

/// Whether ocidig computes this algorithm, so that a blob's bytes are checked against it.
pub fn verifiable(algorithm: &str) -> bool {
    matches!(algorithm, "sha256" | "sha512")
}

/// Validates a digest string per the OCI grammar (`[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`)
/// and the registered algorithms' encodings. A grammatical digest of an unregistered algorithm is
/// [`DigestProblem::UnknownAlgorithm`]: valid, but not verifiable.
pub fn validate(digest: &str) -> Result<(&str, &str), DigestProblem> {
    let (alg, enc) = digest.split_once(':').ok_or(DigestProblem::Grammar)?;
    let alg_ok = !alg.is_empty()
        && alg
            .split(['+', '.', '_', '-'])
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    let enc_ok = !enc.is_empty() && enc.bytes().all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b));
    if !alg_ok || !enc_ok {
        return Err(DigestProblem::Grammar);
    }
    match hex_len(alg) {
        Some(n) if enc.len() == n && enc.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) => {
            Ok((alg, enc))
        }
        Some(n) => Err(DigestProblem::BadEncoding { expected_len: n }),
        None => Err(DigestProblem::UnknownAlgorithm),
    }
}

/// Whether `s` is 64 lower-case hex characters.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The digest a file's name claims, if its name encodes one:
/// `blobs/<alg>/<hex>`, `blobs/<alg>/<xx>/<hex>/data`, `sha256:<hex>`, `<hex>`, `<hex>.json`, `<hex>.tar`, `<hex>.tar.gz`, `<hex>.tar.zst`.
pub fn claimed_by_name(path: &str) -> Option<String> {
    // A registry storage blob: `blobs/<alg>/<first two hex>/<hex>/data`.
    if let Some(dir) = path.strip_suffix("/data") {
        let mut parts = dir.rsplitn(4, '/');
        if let (Some(enc), Some(first), Some(alg), Some(blobs)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
            && (blobs == "blobs" || blobs.ends_with("/blobs"))
            && first.len() == 2
            && enc.starts_with(first)
            && hex_len(alg).is_some()
        {
            return Some(format!("{alg}:{enc}"));
        }
    }
    let mut parts = path.rsplitn(3, '/');
    let base = parts.next()?;
    let parent = parts.next();
    let grand = parts.next();
    if let (Some(alg), Some(g)) = (parent, grand)
        && (g == "blobs" || g.ends_with("/blobs"))
        && hex_len(alg).is_some()
    {
        return Some(format!("{alg}:{base}"));
    }
    if let Some(hex) = base.strip_prefix("sha256:")
        && is_sha256_hex(hex)
    {
        return Some(base.to_string());
    }
    let stem =
        [".tar.gz", ".tar.zst", ".tar", ".json", ".tgz"].iter().find_map(|ext| base.strip_suffix(ext)).unwrap_or(base);
    is_sha256_hex(stem).then(|| format!("sha256:{stem}"))
}

/// The OCI layout path of a blob with this digest, when the digest is safe to map to a path.
pub fn blob_path(digest: &str) -> Option<String> {
    let (alg, enc) = digest.split_once(':')?;
    let safe = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"=_-+.".contains(&b)) && s != "." && s != ".."
    };
    (safe(alg) && safe(enc)).then(|| format!("blobs/{alg}/{enc}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates() {
        let h = "a".repeat(64);
        assert!(validate(&format!("sha256:{h}")).is_ok());
        assert_eq!(
            validate(&format!("sha256:{}", "A".repeat(64))),
            Err(DigestProblem::BadEncoding { expected_len: 64 })
        );
        assert_eq!(validate("sha256"), Err(DigestProblem::Grammar));
        assert_eq!(validate(&format!("md5:{h}")), Err(DigestProblem::UnknownAlgorithm));
        assert_eq!(
            validate("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"),
            Err(DigestProblem::UnknownAlgorithm)
        );
        assert_eq!(
            validate("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"),
            Err(DigestProblem::UnknownAlgorithm)
        );
        assert_eq!(validate(&format!("blake3:{h}")), Ok(("blake3", h.as_str())));
        assert_eq!(validate(&format!("sha256++b64:{h}")), Err(DigestProblem::Grammar));
        assert_eq!(validate(&format!("Sha256:{h}")), Err(DigestProblem::Grammar));
        assert_eq!(validate("sha256:"), Err(DigestProblem::Grammar));
        assert_eq!(validate(&format!(":{h}")), Err(DigestProblem::Grammar));
    }

    #[test]
    fn names_claim_digests() {
        let h = "b".repeat(64);
        assert_eq!(claimed_by_name(&format!("blobs/sha256/{h}")), Some(format!("sha256:{h}")));
        assert_eq!(claimed_by_name(&format!("sha256:{h}")), Some(format!("sha256:{h}")));
        assert_eq!(claimed_by_name(&format!("{h}.tar.gz")), Some(format!("sha256:{h}")));
        assert_eq!(claimed_by_name(&format!("{h}/layer.tar")), None);
        assert_eq!(claimed_by_name("manifest.json"), None);
    }
}

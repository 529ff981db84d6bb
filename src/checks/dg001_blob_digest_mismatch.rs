//! DG001 blob-digest-mismatch.

use super::util::{at_ref, role_name};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, digest};

declare_rule! {
    /// ## What it does
    /// Hashes every blob and compares the digest with the one its file name claims
    /// (`blobs/sha256/<hex>`, crane's `sha256:<hex>` config, `<hex>.tar.gz` layers) and with every
    /// descriptor that references it.
    ///
    /// ## Why is this bad?
    /// Content-addressed storage is the only integrity guarantee an image has. A blob whose bytes
    /// do not hash to its digest was altered after it was written (tampering, corruption, or a
    /// file re-indented by hand); registries refuse it and runtimes that skip the check run
    /// something nobody signed.
    ///
    /// ## Example
    /// `manifest.json` names the config `sha256:00ce…335d`, but the file was re-indented after
    /// extraction, so its content hashes to `sha256:37b3…`.
    ///
    /// ## How to fix
    /// Re-export the image from its source; never edit blobs in place. If the content is the one
    /// you want, re-push it so its digest and every reference to it are recomputed.
    ///
    /// ## Evidence
    /// The label points at the referencing JSON value (`Config`, `digest`); `expected` is the
    /// claimed digest and `actual` the digest of the bytes.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
    /// - https://github.com/opencontainers/image-spec/blob/main/image-layout.md#blobs
    pub RULE = ("DG001", "blob-digest-mismatch", Error, "A blob's content does not hash to its digest");
}

/// The decoded `data` field of a descriptor reference, when it has one that is valid base64.
pub fn embedded_data(dump: &Dump, r: &crate::model::Reference) -> Option<Vec<u8>> {
    use base64::Engine;
    if r.path.is_some() {
        return None;
    }
    let node = dump.docs.get(r.doc)?.root()?.pointer(&r.pointer)?.get("data")?;
    base64::engine::general_purpose::STANDARD.decode(node.as_str()?).ok()
}

/// `alg:hex` of bytes for a supported algorithm.
fn digest_of(alg: &str, data: &[u8]) -> Option<String> {
    use sha2::Digest;
    match alg {
        "sha256" => Some(format!("sha256:{}", crate::scan::hex(&sha2::Sha256::digest(data)))),
        "sha512" => Some(format!("sha512:{}", crate::scan::hex(&sha2::Sha512::digest(data)))),
        _ => None,
    }
}

/// Compares each scanned blob with the digest its name claims and the digests that reference it.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let mut reported = std::collections::HashSet::new();
    // Referenced blobs: point at the reference so the label lands on the JSON value.
    for r in &dump.refs {
        let Some(entry) = r.entry() else { continue };
        let Some(scan) = dump.scan(entry) else { continue };
        if scan.error.is_some() {
            continue;
        }
        let path = dump.entry_path(entry);
        let mut claims: Vec<(&str, String)> = Vec::new();
        if let Some(d) = &r.digest {
            claims.push((if r.path.is_some() { "name" } else { "digest" }, d.clone()));
        }
        if let Some(d) = digest::claimed_by_name(path)
            && !claims.iter().any(|(_, c)| *c == d)
        {
            claims.push(("name", d));
        }
        for (source, claimed) in claims {
            let Ok((alg, _)) = digest::validate(&claimed) else { continue };
            let Some(actual) = scan.digest_for(alg) else { continue };
            if actual == claimed || !reported.insert((entry, claimed.clone())) {
                continue;
            }
            let how = if source == "name" { "its file name claims" } else { "the descriptor declares" };
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!("{} `{path}` hashes to {actual}, not {claimed} as {how}", role_name(r)),
            )
            .blob(claimed.clone())
            .expected_actual(claimed.clone(), actual.to_string())
            .help("the blob was changed after it was written: re-export the image, never edit blobs in place");
            out.push(at_ref(f, dump, r, "digest"));
        }
    }
    // Descriptors that embed their content in `data`: it must hash to the declared digest.
    for r in &dump.refs {
        let (Some(declared), Some(data)) = (&r.digest, embedded_data(dump, r)) else { continue };
        let Ok((alg, _)) = digest::validate(declared) else { continue };
        let Some(actual) = digest_of(alg, &data) else { continue };
        if &actual != declared {
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!("the `data` embedded in this descriptor hashes to {actual}, not the declared {declared}"),
            )
            .blob(declared.clone())
            .expected_actual(declared.clone(), actual)
            .help("embedded data must be exactly the blob's bytes; regenerate the descriptor");
            out.push(at_ref(f, dump, r, "data"));
        }
    }
    // Unreferenced files whose names claim a digest.
    let referenced: std::collections::HashSet<usize> = dump.refs.iter().filter_map(|r| r.entry()).collect();
    for (entry, e) in dump.store.entries.iter().enumerate() {
        let Some(claimed) = digest::claimed_by_name(&e.path) else { continue };
        if referenced.contains(&entry) {
            continue;
        }
        let Some(scan) = dump.scan(entry) else { continue };
        let Ok((alg, _)) = digest::validate(&claimed) else { continue };
        let Some(actual) = scan.digest_for(alg) else { continue };
        if scan.error.is_none() && actual != claimed {
            out.push(
                Finding::new(
                    &RULE,
                    &dump.input,
                    format!("`{}` hashes to {actual}, not {claimed} as its file name claims", e.path),
                )
                .file(e.path.clone())
                .blob(claimed.clone())
                .expected_actual(claimed, actual.to_string())
                .help("the blob was changed after it was written: re-export the image, never edit blobs in place"),
            );
        }
    }
}

//! DG002 size-mismatch.

use super::util::{at_ref, role_name};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Compares every descriptor's `size` with the real size of the blob it references.
    ///
    /// ## Why is this bad?
    /// Clients use `size` to bound their reads; a wrong size makes pulls fail, or lets a
    /// registry or runtime read a different number of bytes than were signed.
    ///
    /// ## Example
    /// `layers[1].size` says 1024 while `blobs/sha256/ab…` holds 1000 bytes.
    ///
    /// ## How to fix
    /// Regenerate the manifest from the blobs (any image tool does), then re-sign it.
    ///
    /// ## Evidence
    /// The label points at the descriptor's `size`.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/descriptor.md#properties
    pub RULE = ("DG002", "size-mismatch", Error, "A descriptor's size differs from the blob's size");
}

/// Compares declared sizes with stored sizes.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for r in &dump.refs {
        if let (Some(declared), Some(data)) = (r.size, super::dg001_blob_digest_mismatch::embedded_data(dump, r))
            && i128::from(declared) != data.len() as i128
        {
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!("the `data` embedded in this descriptor is {} bytes but `size` says {declared}", data.len()),
            )
            .blob(r.digest.clone().unwrap_or_default())
            .expected_actual(declared.to_string(), data.len().to_string())
            .help("regenerate the descriptor from the blob");
            out.push(at_ref(f, dump, r, "size"));
        }
        let (Some(declared), Some(entry)) = (r.size, r.entry()) else { continue };
        let Some(e) = dump.store.entries.get(entry) else { continue };
        if i128::from(declared) != i128::from(e.size) {
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!("{} `{}` is {} bytes but its descriptor says {declared}", role_name(r), e.path, e.size),
            )
            .blob(r.digest.clone().unwrap_or_default())
            .expected_actual(declared.to_string(), e.size.to_string())
            .help("regenerate the descriptor from the blob, then re-sign the manifest");
            out.push(at_ref(f, dump, r, "size"));
        }
    }
}

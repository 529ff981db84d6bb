//! LT009 multi-member-gzip.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::layer::listing::{STARGZ_INDEX, normalize};
use crate::model::Dump;
use crate::scan::Codec;

declare_rule! {
    /// ## What it does
    /// Reports a gzip layer made of several gzip members. An eStargz layer (its last tar entry
    /// is `stargz.index.json`) is made of many members by design; it is reported as a note. An
    /// eStargz layer whose table of contents follows the tar's end marker (as BuildKit writes
    /// it) is not reported: LT021 checks it.
    ///
    /// ## Why is this bad?
    /// Concatenated members are legal gzip, but parsers differ: some decompressors (and some
    /// registries' content sniffers) stop after the first member, so they see a different,
    /// shorter layer than Docker and containerd do, and a payload can sit in the members they
    /// skip.
    ///
    /// ## Example
    /// `gzip a.tar; gzip b.tar; cat a.tar.gz b.tar.gz > layer.tar.gz`.
    ///
    /// ## How to fix
    /// Recompress the layer as one member, unless it is eStargz on purpose.
    ///
    /// ## Evidence
    /// `file` is the layer; `location` is the offset of the second member in the stored
    /// (compressed) blob; the message gives the member count.
    ///
    /// ## References
    /// - https://www.rfc-editor.org/rfc/rfc1952#section-2.2
    /// - https://github.com/containerd/stargz-snapshotter/blob/main/docs/estargz.md
    pub RULE = ("LT009", "multi-member-gzip", Warning, "A gzip layer has several members");
}

/// Reports multi-member gzip layers (eStargz as a note).
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(d) = layer.scan.decoded.as_ref() else { continue };
        // An eStargz TOC after the end marker (BuildKit): multi-member by design, checked by LT021.
        if d.codec != Codec::Gzip || d.members < 2 || d.estargz.is_some() {
            continue;
        }
        let estargz = layer
            .tar()
            .and_then(
                |t| if t.entries_capped { None } else { t.entries.last().filter(|e| e.index + 1 == t.entry_count) },
            )
            .is_some_and(|e| normalize(&e.path).path == STARGZ_INDEX);
        let mut f = if estargz {
            layer
                .finding(
                    &RULE,
                    dump,
                    format!(
                        "layer `{}` has {} gzip members; it is an eStargz layer (last entry `{STARGZ_INDEX}`), which is multi-member by design",
                        layer.file, d.members
                    ),
                )
                .severity(Severity::Note)
        } else {
            layer
                .finding(
                    &RULE,
                    dump,
                    format!(
                        "layer `{}` has {} gzip members; decompressors that stop after the first see another layer",
                        layer.file, d.members
                    ),
                )
                .help("recompress the layer as one gzip member")
        };
        if let Some(o) = d.second_member {
            f = f.at(o, 0);
        }
        out.push(f);
    }
}

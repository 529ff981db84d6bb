//! LT012 tar-trailing-data.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports non-zero bytes after a layer tar's end-of-archive marker, and a block that is not
    /// zero right after a single zero block (a member hidden behind half an end marker).
    ///
    /// An eStargz table of contents written after the end marker (BuildKit's lossless layout,
    /// checked by LT021) is not reported; data after it is. Bytes decoded from a gzip member
    /// (or zstd stream) that fails to decode (LT010) are not evidence: they may be garbage
    /// inflated from corrupt data.
    ///
    /// ## Why is this bad?
    /// Readers stop at the marker, so the bytes are in the layer's diff_id but in no unpacked
    /// filesystem: a hiding place inside a signed image. After a single zero block readers
    /// disagree outright: Go's `archive/tar` (Docker, containerd) rejects the layer, GNU
    /// `tar -i` and libarchive read the hidden member, Rust's `tar` stops before it.
    ///
    /// ## Example
    /// `tar cf - files; echo payload` as a layer; or a tar with one zero block between two
    /// members.
    ///
    /// ## How to fix
    /// Rewrite the layer with a tar writer; nothing should follow the end marker but zero
    /// padding.
    ///
    /// ## Evidence
    /// `location` is the first non-zero byte after the marker (to the end of the stream), or the
    /// hidden header after a single zero block with `member` its path, in the uncompressed layer
    /// stream.
    ///
    /// ## References
    /// - https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13_06
    /// - https://github.com/golang/go/blob/master/src/archive/tar/reader.go
    pub RULE = ("LT012", "tar-trailing-data", Error, "Data follows a layer tar's end-of-archive marker");
}

/// Reports trailing data after layer tar end markers.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        // Bytes inflated from a member that failed to decode (LT010) are no evidence.
        let until = layer.evidence_until();
        if let Some(after) = tar.after_single_zero.filter(|a| a.offset < until) {
            let hidden = tar.entries.iter().find(|e| e.offset == after.offset);
            let f = match hidden {
                Some(e) if after.valid_header => layer.member_finding(
                    &RULE,
                    dump,
                    e,
                    format!(
                        "member `{}` follows a single zero block: GNU tar -i reads it, Go's archive/tar rejects the layer, others stop before it",
                        e.path
                    ),
                ),
                _ => layer
                    .finding(
                        &RULE,
                        dump,
                        format!("a non-zero block follows a single zero block in layer `{}`", layer.file),
                    )
                    .at(after.offset, 512),
            };
            out.push(f.help("rewrite the layer with a tar writer"));
        }
        // An eStargz TOC after the end marker is by design (LT021 checks it); only what follows
        // the TOC is hidden data.
        let estargz = layer.scan.decoded.as_ref().and_then(|d| d.estargz.as_deref());
        let trailing = match estargz {
            Some(es) => es.data_after_toc,
            None => tar.trailing_offset,
        };
        if let Some(offset) = trailing.filter(|&o| o < until) {
            out.push(
                layer
                    .finding(
                        &RULE,
                        dump,
                        match estargz {
                            Some(_) => format!(
                                "data follows the eStargz table of contents after the end-of-archive marker of layer `{}`; tar readers never show it",
                                layer.file
                            ),
                            None => format!(
                                "{} non-zero bytes follow the end-of-archive marker of layer `{}`; tar readers never show them",
                                tar.trailing_nonzero, layer.file
                            ),
                        },
                    )
                    .at(offset, tar.total_size.saturating_sub(offset))
                    .help("nothing but zero padding should follow the end marker"),
            );
        }
    }
}

//! LT017 runtime-refuses-layer.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::walk::GoReason;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a layer that Go's `archive/tar` refuses: its `Next` or `Read` returns an error
    /// before the end of the archive. The finding names the member (when there is one), the byte
    /// offset in the uncompressed layer and Go's reason: an invalid header (bad checksum, a
    /// numeric field that is not a number, a negative size, a malformed PAX record, a NUL in a PAX
    /// path or key, an unparsable PAX time or id, an invalid sparse map, a zero block followed by a
    /// header), a field too long (a PAX or GNU long-name record over 1 MiB), an unexpected EOF (the
    /// stream ends inside a header, an extension record or member data), or sparse data that does
    /// not match its map.
    ///
    /// ## Why is this bad?
    /// containerd, Docker, Podman (containers/storage), BuildKit and crane all unpack layers with
    /// Go's `archive/tar` and stop at its first error: the image does not run, and whatever a scan
    /// of the members after that point says is about files no runtime writes. GNU tar reads on
    /// past most of these (it skips to the next valid header, ignores malformed PAX records with a
    /// warning and, for a short archive, fails only at the cut); libarchive is similar. So the same
    /// bytes unpack under one tool and not under another.
    ///
    /// What each reader does:
    /// - **Go `archive/tar`** (containerd, Docker, Podman, crane): returns `archive/tar: invalid tar
    ///   header`, `archive/tar: header field too long`, `unexpected EOF` or a sparse-data error,
    ///   and every later call returns the same error.
    /// - **containerd's applier**: aborts the layer with that error; the pull or unpack fails.
    /// - **GNU tar**: warns (`Skipping to next header`, `Ignoring unknown extended header
    ///   keyword`, `Unexpected EOF in archive`) and extracts what it can, exiting non-zero for
    ///   errors.
    ///
    /// ## Example
    /// A PAX record `path=a<NUL>b`; a `size` field `12a`; a layer cut inside a member's data; a
    /// single zero block followed by another header.
    ///
    /// ## How to fix
    /// Rebuild the layer with a standard writer (Go's `archive/tar`, GNU tar, BuildKit). If the
    /// layer came from a registry, fetch it again: a cut stream means a broken transfer.
    ///
    /// ## Evidence
    /// `member` is the member concerned (when Go reached one), `location` the header or data where
    /// Go stops, in the uncompressed layer stream; the message quotes Go's error.
    ///
    /// ## Limits
    /// A stream cut by a decoder error (LT010) or a decompression limit (LT013) is reported there,
    /// not here. Go 1.19 is the reference; the limits checked (1 MiB extension records) are the
    /// same in the Go releases containerd builds with.
    ///
    /// ## References
    /// - https://github.com/golang/go/blob/master/src/archive/tar/reader.go
    /// - https://github.com/containerd/containerd/blob/main/pkg/archive/tar.go
    /// - https://www.gnu.org/software/tar/manual/html_node/Reading.html
    pub RULE = ("LT017", "runtime-refuses-layer", Error, "Runtimes refuse to unpack this layer (Go's tar reader fails on it)");
}

/// Reports layers Go's tar reader stops on with an error.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        // A refusal inside bytes inflated from a member that failed to decode is no evidence (LT010).
        let Some(r) = tar.go_refusal.as_ref().filter(|r| r.offset < layer.evidence_until()) else { continue };
        if r.reason == GoReason::UnexpectedEof && !layer.stream_complete() {
            continue;
        }
        let what = format!(
            "Go's archive/tar fails at offset {} with `{}` ({}): containerd, Docker, Podman and crane refuse to unpack this layer",
            r.offset,
            r.reason.go_error(),
            r.detail
        );
        let f = match r.member.and_then(|i| tar.entry_at_index(i)) {
            Some(e) => layer.member_finding(&RULE, dump, e, format!("layer member `{}`: {what}", e.path)),
            None => layer.finding(&RULE, dump, format!("layer `{}`: {what}", layer.file)).at(r.offset, 512),
        };
        out.push(f.help("rebuild the layer with a standard tar writer; runtimes will not apply it as it is"));
    }
}

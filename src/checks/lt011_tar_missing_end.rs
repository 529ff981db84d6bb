//! LT011 tar-missing-end.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::walk::EndMarker;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a layer tar stream that ends without the end-of-archive marker (two 512-byte zero
    /// blocks): after a complete member, after a single zero block, or inside a member (LT014
    /// then gives where and how many bytes are missing).
    ///
    /// ## Why is this bad?
    /// POSIX requires the marker; a reader cannot tell a layer that ends here from one cut in
    /// transfer at a member boundary, and strict readers fail on it. Real tools write such layers
    /// (umoci 0.4.7 `insert`), and Docker, containerd and skopeo accept them silently, so the
    /// fact is worth knowing before another tool refuses the image.
    ///
    /// ## Example
    /// A layer whose last bytes are the data (and padding) of its last member, or one zero block.
    ///
    /// ## How to fix
    /// Rewrite the layer with a tar writer that closes the archive (`tar.Writer.Close()` in Go).
    ///
    /// ## Evidence
    /// `member` is the last member, `location` the end of the uncompressed stream.
    ///
    /// ## Limits
    /// A layer whose decompression failed (LT010) or hit a limit (LT013), or whose walk stopped
    /// at an unreadable header (LT014: the marker may lie beyond it), is not judged.
    ///
    /// ## References
    /// - https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13_06
    /// - https://github.com/opencontainers/umoci/issues/471
    pub RULE = ("LT011", "tar-missing-end", Warning, "A layer tar has no end-of-archive marker");
}

/// Reports layer tars without an end marker.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        if tar.end == EndMarker::TwoZeroBlocks || !layer.stream_complete() || tar.stopped_at.is_some() {
            continue;
        }
        let how = match (tar.truncated.is_some(), tar.end) {
            (true, _) => "ends inside a member (see LT014)".to_string(),
            (false, EndMarker::OneZeroBlock) => "ends with a single zero block".to_string(),
            _ => format!("ends after {} bytes", tar.total_size),
        };
        let mut f = layer.finding(
            &RULE,
            dump,
            format!("layer `{}` {how}, without the tar end-of-archive marker (two zero blocks)", layer.file),
        );
        if let Some(last) = tar.entries.last().filter(|e| e.index + 1 == tar.entry_count) {
            f = f.member(layer.layer_index, last.path.clone());
        }
        out.push(f.at(tar.total_size, 0).help("close the archive with two zero blocks"));
    }
}

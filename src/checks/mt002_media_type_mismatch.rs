//! MT002 media-type-mismatch.

use super::util::at_ref;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::media_type::{Declared, classify};
use crate::model::{ArtifactKind, Dump, Role};
use crate::scan::sniff::Sniff;

declare_rule! {
    /// ## What it does
    /// Compares the media type every descriptor declares with the sniffed content of the blob
    /// it references: JSON types must hold JSON, `tar` layers a tar, `tar+gzip` gzip,
    /// `tar+zstd` zstd.
    ///
    /// ## Why is this bad?
    /// Docker sniffs compression and ignores the declared type; containerd and registries trust
    /// it. A blob that is one thing to one runtime and another to the next is type confusion.
    ///
    /// ## Example
    /// A layer declared `application/vnd.oci.image.layer.v1.tar+gzip` whose bytes are a plain tar.
    ///
    /// ## How to fix
    /// Declare the type the bytes really have, or re-compress the blob; then re-sign.
    ///
    /// ## Evidence
    /// The label points at the descriptor's `mediaType`.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/media-types.md
    /// - https://github.com/moby/go-archive/blob/main/compression/compression_detect.go
    pub RULE = ("MT002", "media-type-mismatch", Error, "A blob's content does not match its declared media type");
}

/// Compares declared media types with sniffed content.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for r in &dump.refs {
        let (Some(mt), Some(entry)) = (&r.media_type, r.entry()) else { continue };
        let Some(scan) = dump.scan(entry) else { continue };
        let want = match classify(mt) {
            Declared::Index | Declared::Manifest | Declared::Config | Declared::Json | Declared::Schema1 => Sniff::Json,
            Declared::LayerTar => Sniff::Tar,
            Declared::LayerGzip => Sniff::Gzip,
            Declared::LayerZstd => Sniff::Zstd,
            Declared::Opaque | Declared::Unknown => continue,
        };
        if want == scan.sniff {
            continue;
        }
        // A tar-declared layer of an OCI artifact is MT003's warning (ORAS declares every pushed
        // file, a .tar.gz or a text file alike, a plain tar).
        let artifact =
            r.image.and_then(|i| dump.images.get(i)).is_some_and(|im| im.kind == ArtifactKind::OtherArtifact);
        if artifact && r.role == Role::Layer && matches!(want, Sniff::Tar | Sniff::Gzip | Sniff::Zstd) {
            continue;
        }
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("`{}` is declared `{mt}` but its content is {}", dump.entry_path(entry), scan.sniff.name()),
        )
        .blob(r.digest.clone().unwrap_or_default())
        .expected_actual(want.name(), scan.sniff.name())
        .help("declare the media type the bytes really have, then re-sign");
        out.push(at_ref(f, dump, r, "mediaType"));
    }
}

//! MT003 layer-not-tar.

use super::util::{at_ref, image_label};
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::model::media_type::{Declared, classify};
use crate::model::{ArtifactKind, Dump};
use crate::scan::sniff::Sniff;

declare_rule! {
    /// ## What it does
    /// Checks that every filesystem layer of a container image is a tar, directly or after
    /// gzip/zstd decompression. Layers of recognised artifacts (cosign signatures and
    /// attestations, SBOMs, sigstore bundles) are JSON by design and are not reported. A
    /// container image (a config naming an OS and architecture, and tar layers) stays one when a
    /// layer is JSON: that layer is reported here, as an error.
    ///
    /// A layer of an OCI artifact (an `artifactType`, a non-image config, or an empty platform
    /// with no tar layer) that is declared a tar but is not one is reported as a warning:
    /// `oras push REF FILE` declares `application/vnd.oci.image.layer.v1.tar` for any file.
    ///
    /// ## Why is this bad?
    /// A runtime cannot unpack it: the image fails at pull or run time, or a lenient unpacker
    /// silently produces an empty filesystem.
    ///
    /// ## Example
    /// A runnable image whose second layer is a JSON document named `layer.tar`.
    ///
    /// ## How to fix
    /// Rebuild the image; if it is an artifact, give it an `artifactType` or config media type
    /// that says so.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md
    pub RULE = ("MT003", "layer-not-tar", Error, "A filesystem layer is not a tar archive");
}

/// Reports image layers whose (decompressed) content is not a tar.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (idx, image) in dump.images.iter().enumerate() {
        if image.kind == ArtifactKind::OtherArtifact {
            artifact_layers(dump, idx, out);
            continue;
        }
        if !image.kind.has_filesystem_layers() {
            continue;
        }
        for r in image.layers.iter().filter_map(|r| dump.refs.get(*r)) {
            let Some(entry) = r.entry() else { continue };
            let Some(scan) = dump.scan(entry) else { continue };
            let (inner, how) = match (&scan.decoded, scan.sniff) {
                (Some(d), _) if d.error.is_some() && d.size < 512 => continue,
                (Some(d), outer) => (d.inner, format!("{} that decompresses to {}", outer.name(), d.inner.name())),
                (None, s) if s.is_compressed() => (s, format!("{} (not decoded)", s.name())),
                (None, s) => (s, s.name().to_string()),
            };
            if inner == Sniff::Tar || !dump.deep && scan.sniff.is_compressed() {
                continue;
            }
            let mut f = Finding::new(
                &RULE,
                &dump.input,
                format!(
                    "layer {} of {} (`{}`) is {how}, not a tar",
                    r.layer_index.unwrap_or(0),
                    image_label(dump, Some(idx)),
                    dump.entry_path(entry)
                ),
            )
            .blob(r.digest.clone().unwrap_or_else(|| scan.sha256.clone()))
            .expected_actual("tar", inner.name())
            .help("a filesystem layer must be a tar; artifacts should declare an artifactType");
            f = at_ref(f, dump, r, "mediaType");
            f.layer_index = r.layer_index;
            out.push(f);
        }
    }
}

/// Warns about layers of an OCI artifact declared as tars whose content is not one.
fn artifact_layers(dump: &Dump, idx: usize, out: &mut Vec<Finding>) {
    let Some(image) = dump.images.get(idx) else { return };
    for r in image.layers.iter().filter_map(|r| dump.refs.get(*r)) {
        let want = match r.media_type.as_deref().map(classify) {
            Some(Declared::LayerTar) => Sniff::Tar,
            Some(Declared::LayerGzip) => Sniff::Gzip,
            Some(Declared::LayerZstd) => Sniff::Zstd,
            _ => continue,
        };
        let (Some(entry), Some(mt)) = (r.entry(), r.media_type.as_deref()) else { continue };
        let Some(scan) = dump.scan(entry) else { continue };
        if scan.sniff == want || scan.sniff == Sniff::Empty {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            &dump.input,
            format!(
                "layer {} of artifact {} (`{}`) is declared `{mt}` but is {}: `oras push REF FILE` declares \
                 application/vnd.oci.image.layer.v1.tar for any file, so artifacts often carry such layers",
                r.layer_index.unwrap_or(0),
                image_label(dump, Some(idx)),
                dump.entry_path(entry),
                scan.sniff.name(),
            ),
        )
        .severity(Severity::Warning)
        .blob(r.digest.clone().unwrap_or_else(|| scan.sha256.clone()))
        .expected_actual(want.name(), scan.sniff.name())
        .help("declare the file's own media type (oras push REF FILE:TYPE); no runtime unpacks an artifact");
        f = at_ref(f, dump, r, "mediaType");
        f.layer_index = r.layer_index;
        out.push(f);
    }
}

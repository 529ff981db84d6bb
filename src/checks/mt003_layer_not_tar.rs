//! MT003 layer-not-tar.

use super::util::{at_ref, image_label};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::scan::sniff::Sniff;

declare_rule! {
    /// ## What it does
    /// Checks that every filesystem layer of a container image is a tar, directly or after
    /// gzip/zstd decompression. Layers of recognised artifacts (cosign signatures and
    /// attestations, SBOMs, sigstore bundles) are JSON by design and are not reported.
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

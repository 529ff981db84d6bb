//! MT007 crane-json-layer-name.

use super::mt001_extension_mismatch::{artifact_layers, crane_json_layer, promised};
use crate::declare_rule;
use crate::diag::Finding;
use crate::input::kind::json_layer_kind;
use crate::model::{ArtifactKind, Dump};
use crate::scan::sniff::Sniff;

declare_rule! {
    /// ## What it does
    /// Reports JSON layers of artifacts (cosign signatures, attestations, SBOMs) stored under a
    /// `.tar.gz` name: crane names every layer of a media type it does not know `<digest>.tar.gz`,
    /// whatever its content. This is that known quirk, kept apart from MT001 (a real extension
    /// mismatch) so that it can be allowed on its own.
    ///
    /// ## Why is this bad?
    /// Nothing is wrong with the content; but a tool or a reviewer that trusts the extension tries
    /// to gunzip a JSON payload and fails, or concludes the layer is corrupt.
    ///
    /// ## Example
    /// `09b3…fe1fc.tar.gz` in `crane pull` output of a cosign `.sig` image is simplesigning JSON.
    ///
    /// ## How to fix
    /// Nothing to fix in the dump: read the layer as JSON. Allow the rule (`MT007 = "allow"`) where
    /// crane tarballs of signatures are expected.
    ///
    /// ## References
    /// - https://github.com/google/go-containerregistry/blob/main/pkg/v1/tarball/write.go
    pub RULE = ("MT007", "crane-json-layer-name", Note, "A JSON artifact layer is named .tar.gz, as crane names every layer");
}

/// Reports crane's `.tar.gz` naming of JSON artifact layers.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let artifact_layers = artifact_layers(dump);
    for (i, e) in dump.store.entries.iter().enumerate() {
        let Some(scan) = dump.scan(i) else { continue };
        let name = e.path.rsplit('/').next().unwrap_or(&e.path);
        let Some((ext, want)) = promised(name) else { continue };
        if !crane_json_layer(&artifact_layers, i, want, scan.sniff) {
            continue;
        }
        let payload =
            (scan.sniff == Sniff::Json).then(|| scan.json.as_deref().and_then(|b| json_layer_kind(b))).flatten();
        let what = match payload {
            Some(ArtifactKind::CosignSignature) => "a cosign simplesigning payload",
            Some(ArtifactKind::CosignAttestation) => "a DSSE envelope (cosign attestation)",
            Some(ArtifactKind::CosignSbom) => "an SBOM document",
            _ => "a JSON artifact layer",
        };
        out.push(
            Finding::new(
                &RULE,
                &dump.input,
                format!(
                    "`{}` is named `{ext}` but is {what} (JSON): crane names every layer of an unknown media type `.tar.gz`",
                    e.path
                ),
            )
            .file(e.path.clone())
            .blob(scan.sha256.clone())
            .expected_actual(want.name(), scan.sniff.name())
            .help("known crane/cosign naming quirk: read the layer as JSON, not as a gzip tar"),
        );
    }
}

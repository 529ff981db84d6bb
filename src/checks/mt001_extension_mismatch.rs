//! MT001 extension-mismatch.

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::input::kind::json_layer_kind;
use crate::model::{ArtifactKind, Dump};
use crate::scan::sniff::Sniff;

declare_rule! {
    /// ## What it does
    /// Compares each file's extension (`.tar`, `.tar.gz`, `.tgz`, `.gz`, `.tar.zst`, `.zst`,
    /// `.json`) with its sniffed content, including the dump file itself.
    ///
    /// ## Why is this bad?
    /// Tools that trust extensions pick the wrong decoder; a reviewer who trusts them misreads
    /// the dump. crane names every layer of an unknown media type `.tar.gz`, so cosign
    /// signature and attestation payloads (JSON) end up as `<digest>.tar.gz`: a known quirk,
    /// reported as a warning that names it.
    ///
    /// ## Example
    /// `flasksample-v1-signature.tar.gz` is a plain tar; `09b3…fe1fc.tar.gz` is simplesigning JSON.
    ///
    /// ## How to fix
    /// Name files after their content (`.tar` for a plain tar). For crane's quirk, nothing to fix
    /// in the dump: know that the layer is JSON.
    ///
    /// ## References
    /// - https://github.com/google/go-containerregistry/blob/main/pkg/v1/tarball/write.go
    pub RULE = ("MT001", "extension-mismatch", Warning, "A file's extension does not match its content");
}

/// What an extension promises.
fn promised(name: &str) -> Option<(&'static str, Sniff)> {
    let lower = name.to_ascii_lowercase();
    [
        (".tar.gz", Sniff::Gzip),
        (".tgz", Sniff::Gzip),
        (".gz", Sniff::Gzip),
        (".tar.zst", Sniff::Zstd),
        (".zst", Sniff::Zstd),
        (".tar", Sniff::Tar),
        (".json", Sniff::Json),
    ]
    .into_iter()
    .find(|(ext, _)| lower.ends_with(ext))
}

/// Compares extensions with sniffed content.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if let (Some(name), Some(sniffed)) = (&dump.outer_name, dump.outer_sniff)
        && let Some((ext, want)) = promised(name)
        && want != sniffed
    {
        out.push(
            Finding::new(&RULE, &dump.input, format!("the dump file is named `{ext}` but is {}", describe(sniffed)))
                .expected_actual(want.name(), sniffed.name())
                .help("name the file after its content (crane pull writes a plain tar whatever the name given)"),
        );
    }
    let artifact_layers: std::collections::HashMap<usize, ArtifactKind> = dump
        .images
        .iter()
        .filter(|im| !im.kind.has_filesystem_layers())
        .flat_map(|im| im.layers.iter().filter_map(|r| dump.refs.get(*r)?.entry()).map(move |e| (e, im.kind)))
        .collect();
    for (i, e) in dump.store.entries.iter().enumerate() {
        let Some(scan) = dump.scan(i) else { continue };
        let name = e.path.rsplit('/').next().unwrap_or(&e.path);
        let Some((ext, want)) = promised(name) else { continue };
        if want == scan.sniff || (want == Sniff::Tar && scan.sniff == Sniff::Empty) {
            continue;
        }
        let payload =
            (scan.sniff == Sniff::Json).then(|| scan.json.as_deref().and_then(|b| json_layer_kind(b))).flatten();
        let quirk = artifact_layers.contains_key(&i) && scan.sniff == Sniff::Json && want == Sniff::Gzip;
        let mut f =
            Finding::new(&RULE, &dump.input, format!("`{}` is named `{ext}` but is {}", e.path, describe(scan.sniff)))
                .file(e.path.clone())
                .blob(scan.sha256.clone())
                .expected_actual(want.name(), scan.sniff.name());
        if quirk {
            let what = match payload {
                Some(ArtifactKind::CosignSignature) => "a cosign simplesigning payload",
                Some(ArtifactKind::CosignAttestation) => "a DSSE envelope (cosign attestation)",
                Some(ArtifactKind::CosignSbom) => "an SBOM document",
                _ => "a JSON artifact layer",
            };
            f.message = format!(
                "`{}` is named `{ext}` but is {what} (JSON): crane names every layer of an unknown media type `.tar.gz`",
                e.path
            );
            f = f
                .severity(Severity::Warning)
                .help("known crane/cosign naming quirk: read the layer as JSON, not as a gzip tar");
        } else {
            f = f.help("name the file after its content");
        }
        out.push(f);
    }
}

fn describe(s: Sniff) -> String {
    match s {
        Sniff::Tar => "a plain (uncompressed) tar".into(),
        Sniff::Json => "JSON".into(),
        Sniff::Empty => "empty".into(),
        other => format!("{} data", other.name()),
    }
}

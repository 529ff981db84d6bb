//! MT001 extension-mismatch.

use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{ArtifactKind, Dump};
use crate::scan::sniff::Sniff;
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Compares each file's extension (`.tar`, `.tar.gz`, `.tgz`, `.gz`, `.tar.zst`, `.zst`,
    /// `.tar.xz`, `.txz`, `.xz`, `.tar.bz2`, `.tbz2`, `.bz2`, `.json`) with its sniffed content,
    /// including the dump file itself.
    ///
    /// ## Why is this bad?
    /// Tools that trust extensions pick the wrong decoder; a reviewer who trusts them misreads
    /// the dump. crane names every layer of an unknown media type `.tar.gz`, so cosign
    /// signature and attestation payloads (JSON) end up as `<digest>.tar.gz`: that known quirk
    /// is MT007, not this rule, so that it can be allowed without allowing real mismatches.
    ///
    /// ## Example
    /// `flasksample-v1-signature.tar.gz` is a plain tar.
    ///
    /// ## How to fix
    /// Name files after their content (`.tar` for a plain tar).
    ///
    /// ## References
    /// - https://github.com/google/go-containerregistry/blob/main/pkg/v1/tarball/write.go
    pub RULE = ("MT001", "extension-mismatch", Warning, "A file's extension does not match its content");
}

/// What an extension promises.
pub fn promised(name: &str) -> Option<(&'static str, Sniff)> {
    let lower = name.to_ascii_lowercase();
    [
        (".tar.gz", Sniff::Gzip),
        (".tgz", Sniff::Gzip),
        (".gz", Sniff::Gzip),
        (".tar.zst", Sniff::Zstd),
        (".zst", Sniff::Zstd),
        (".tar.xz", Sniff::Xz),
        (".txz", Sniff::Xz),
        (".xz", Sniff::Xz),
        (".tar.bz2", Sniff::Bzip2),
        (".tbz2", Sniff::Bzip2),
        (".bz2", Sniff::Bzip2),
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
    let artifact_layers = artifact_layers(dump);
    for (i, e) in dump.store.entries.iter().enumerate() {
        let Some(scan) = dump.scan(i) else { continue };
        let name = e.path.rsplit('/').next().unwrap_or(&e.path);
        let Some((ext, want)) = promised(name) else { continue };
        if want == scan.sniff || (want == Sniff::Tar && scan.sniff == Sniff::Empty) {
            continue;
        }
        if crane_json_layer(&artifact_layers, i, want, scan.sniff) {
            // crane's naming of JSON artifact layers: MT007's, not a defect of this code.
            continue;
        }
        let f =
            Finding::new(&RULE, &dump.input, format!("`{}` is named `{ext}` but is {}", e.path, describe(scan.sniff)))
                .file(e.path.clone())
                .blob(scan.sha256.clone())
                .expected_actual(want.name(), scan.sniff.name())
                .help("name the file after its content");
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

/// Whether entry `i` is a JSON layer of an artifact that crane named `.tar.gz` (MT007).
pub fn crane_json_layer(artifact_layers: &HashMap<usize, ArtifactKind>, i: usize, want: Sniff, sniffed: Sniff) -> bool {
    artifact_layers.contains_key(&i) && sniffed == Sniff::Json && want == Sniff::Gzip
}

/// Store entries that are layers of artifacts (not runnable images), with the artifact's kind.
pub fn artifact_layers(dump: &Dump) -> HashMap<usize, ArtifactKind> {
    dump.images
        .iter()
        .filter(|im| !im.kind.has_filesystem_layers())
        .flat_map(|im| im.layers.iter().filter_map(|r| dump.refs.get(*r)?.entry()).map(move |e| (e, im.kind)))
        .collect()
}

//! Helpers shared by the SG and AT checks: locate a finding on a linked artifact.

use super::util::{at_json, at_offset};
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link::{Artifact, Source};

/// Points a finding at an artifact: its layer descriptor's `field` (or the descriptor, or the
/// tarball path) in the dump, or its span in a cosign output file; names the layer blob.
pub fn at_artifact(mut f: Finding, dump: &Dump, a: &Artifact, field: &str) -> Finding {
    if let Some(d) = a.layer.as_ref().and_then(|l| l.digest.clone()) {
        f = f.blob(d);
    }
    match &a.source {
        Source::Layer { reference, index } => {
            let Some(r) = dump.refs.get(*reference) else { return f };
            f.layer_index = Some(*index);
            let pointer = if r.path.is_some() {
                r.pointer.to_string()
            } else {
                let p = r.field(field);
                if dump.docs.get(r.doc).and_then(|d| d.span(&p)).is_some() { p } else { r.pointer.to_string() }
            };
            at_json(f, dump, r.doc, &pointer)
        }
        Source::CosignFile { span, .. } => at_offset(f, dump, 0, span.0, span.1.saturating_sub(span.0)),
        Source::SignatureFile { path, .. } => {
            // The file is no JSON document (it starts with `\0sigstore-json\n`): point at the
            // value's byte span in it, with a pointer into its JSON data.
            let pointer = match field {
                "digest" | "" => "/payload".to_string(),
                f => format!("/{f}"),
            };
            let mut f = f.file(path.clone()).pointer(pointer.clone());
            if let Some((start, end)) = a.stored.as_ref().and_then(|s| s.span(&pointer)) {
                f = f.at(start as u64, end.saturating_sub(start) as u64);
            }
            f
        }
    }
}

/// A short description of an artifact for messages: "layer 1 of `label`" or "document #2".
pub fn describe(dump: &Dump, a: &Artifact) -> String {
    match &a.source {
        Source::Layer { index, .. } => {
            let label = a.image.and_then(|i| dump.images.get(i)).map(|im| im.label.as_str()).unwrap_or("");
            format!("layer {index} of `{label}`")
        }
        Source::CosignFile { document, .. } => format!("document #{document}"),
        Source::SignatureFile { path, .. } => format!("signature file `{path}`"),
    }
}

/// `https://`-less, `/`-trimmed form of a predicate type for comparison.
pub fn normalize_type(t: &str) -> String {
    let t = t.trim();
    t.strip_prefix("https://").or_else(|| t.strip_prefix("http://")).unwrap_or(t).trim_end_matches('/').to_string()
}

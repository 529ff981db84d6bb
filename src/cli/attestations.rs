//! `ocidig attestations DUMP`: one row per attestation; `--type T` prints the decoded
//! predicate(s) as one JSON document; `--output DIR` writes each to its own file.
//!
//! Only artifact layers are read (never filesystem layers); with `--type`, attestation layers
//! whose `predicateType` annotation rules the type out are not read at all.

use super::anyhow_like::Error;
use super::args::{AttestationsArgs, DocFormat};
use super::tree::open_documents;
use crate::model::Dump;
use crate::report::terminal::Esc;
use crate::sigstore::intoto::{PredicateKind, Statement};
use crate::sigstore::link::{self, Artifact, Content, LinkOptions, ReadMode, Source};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One attestation, as listed.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Label of the artifact image it comes from (empty for cosign output files).
    pub image: String,
    /// Artifact kind (`cosign-attestation`, `buildkit-attestation`, `sigstore-bundle`).
    pub kind: &'static str,
    /// Layer digest, or `#<n>` for the n-th document of a cosign output file.
    pub layer: String,
    /// The statement's `predicateType`.
    pub predicate_type: Option<String>,
    /// Classification of the predicate type.
    pub predicate_kind: Option<&'static str>,
    /// Classification of the nested document (cosign custom `Data`, string predicates).
    pub inner_kind: Option<&'static str>,
    /// Whether the nested document is valid JSON.
    pub inner_valid: Option<bool>,
    /// Subject digests (`alg:hex`).
    pub subjects: Vec<String>,
    /// Stored size of the envelope (layer or document), in bytes.
    pub envelope_size: Option<u64>,
    /// Size of the predicate inside the statement, in bytes.
    pub predicate_size: Option<usize>,
    /// Size of the nested document, in bytes.
    pub inner_size: Option<usize>,
    /// The first signature's `keyid`.
    pub key_id: Option<String>,
    /// Whether the envelope carries a non-empty signature.
    pub signed: bool,
    /// The digest the attestation is attached to (tag, subject, BuildKit reference).
    pub attached_to: Option<String>,
    /// Manifest digests of the images in the dump its statement names (what it counts for).
    pub counts_for: Vec<String>,
    /// Why the layer was not decoded, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_read: Option<String>,
}

/// The JSON document printed by `attestations --format json`.
#[derive(Debug, Serialize)]
pub struct Listing {
    /// The PATH as given.
    pub input: String,
    /// One row per attestation.
    pub attestations: Vec<Row>,
    /// Artifact layer bytes read.
    pub bytes_read: u64,
}

fn is_attestation(a: &Artifact) -> bool {
    use crate::model::ArtifactKind;
    match &a.content {
        Content::Attestation { .. } | Content::Statement { .. } => true,
        Content::Bundle { statement, .. } => statement.is_some(),
        Content::NotRead { .. } | Content::Unreadable { .. } => {
            matches!(a.kind, ArtifactKind::CosignAttestation | ArtifactKind::BuildkitAttestation)
        }
        _ => false,
    }
}

fn layer_label(a: &Artifact) -> String {
    match &a.source {
        Source::Layer { .. } => a.layer.as_ref().and_then(|l| l.digest.clone()).unwrap_or_default(),
        Source::CosignFile { document, .. } => format!("#{document}"),
        Source::SignatureFile { path, .. } => path.clone(),
    }
}

fn row(dump: &Dump, a: &Artifact) -> Row {
    let st = a.content.statement();
    let env = a.content.envelope();
    let inner = st.and_then(|s| s.inner.as_ref());
    Row {
        image: a.image.and_then(|i| dump.images.get(i)).map(|im| im.label.clone()).unwrap_or_default(),
        kind: a.kind.name(),
        layer: layer_label(a),
        predicate_type: st.and_then(|s| s.predicate_type.clone()),
        predicate_kind: st.map(|s| s.predicate_kind.name()),
        inner_kind: inner.map(|i| i.kind.name()),
        inner_valid: inner.map(|i| i.parse_error.is_none()),
        subjects: st
            .map(|s| s.subjects.iter().flat_map(|s| s.digest.iter().map(|(k, v)| format!("{k}:{v}"))).collect())
            .unwrap_or_default(),
        envelope_size: a.stored_size,
        predicate_size: st.and_then(|s| s.predicate_span).map(|(s, e)| e.saturating_sub(s)),
        inner_size: inner.map(|i| i.size),
        key_id: a.key_id().map(str::to_string),
        signed: env.is_some_and(|e| e.is_signed()),
        attached_to: a.target_digest.clone(),
        counts_for: a.bound_images.iter().filter_map(|&i| dump.images.get(i)?.manifest_digest.clone()).collect(),
        not_read: match &a.content {
            Content::NotRead { reason } => Some(reason.clone()),
            Content::Unreadable { message } => Some(message.clone()),
            _ => None,
        },
    }
}

/// A decoded predicate ready to print or write.
struct Extracted {
    /// Kind name for the file name.
    kind: &'static str,
    /// Layer digest hex or document number, for the file name.
    id: String,
    /// Exact bytes (nested document, or the predicate's bytes in the statement).
    bytes: Vec<u8>,
    /// Whether `bytes` is valid JSON.
    json: bool,
}

/// The predicate of a statement: the nested document when there is one, else the predicate's
/// exact bytes in the payload (or its re-serialisation for bare statements).
fn extract(a: &Artifact, st: &Statement) -> Option<Extracted> {
    let id = match &a.source {
        Source::Layer { index, .. } => a
            .layer
            .as_ref()
            .and_then(|l| l.digest.as_deref())
            .map(|d| d.rsplit(':').next().unwrap_or(d).chars().filter(char::is_ascii_hexdigit).take(16).collect())
            .unwrap_or_else(|| format!("layer{index}")),
        Source::CosignFile { document, .. } => format!("doc{document}"),
        Source::SignatureFile { entry, .. } => format!("sigfile{entry}"),
    };
    if let Some(inner) = &st.inner {
        return Some(Extracted {
            kind: inner.kind.name(),
            id,
            bytes: inner.bytes.clone(),
            json: inner.parse_error.is_none(),
        });
    }
    let payload = a.content.envelope().and_then(|e| e.payload.as_deref());
    let bytes = match (payload, st.predicate_span) {
        (Some(p), Some((s, e))) => p.get(s..e).map(<[u8]>::to_vec),
        _ => None,
    };
    let bytes = match bytes {
        Some(b) => b,
        None => serde_json::to_vec(st.predicate.as_ref()?).ok()?,
    };
    Some(Extracted { kind: st.predicate_kind.name(), id, bytes, json: true })
}

/// A file name made only of `[a-z0-9.-]`: never a path, never hidden.
fn safe_name(kind: &str, id: &str, ext: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c.to_ascii_lowercase() } else { '-' })
            .collect::<String>()
            .trim_matches(|c| c == '.' || c == '-')
            .to_string()
    };
    let kind = clean(kind);
    let id = clean(id);
    format!("{}-{}.{ext}", if kind.is_empty() { "predicate" } else { &kind }, if id.is_empty() { "x" } else { &id })
}

/// Writes each extracted predicate into `dir` (created if needed), never outside it and never
/// over an existing file. Returns the written paths.
/// Writes each item to its own file in `dir`; returns the files written and, when a write
/// failed, the error (naming its path) that stopped the rest. Each file appears whole or not at
/// all: it is written under a temporary name, then linked to its final name (never replacing a
/// file already there).
fn write_all(dir: &Path, items: &[Extracted]) -> (Vec<std::path::PathBuf>, Option<Error>) {
    let mut written = Vec::new();
    if let Err(e) = std::fs::create_dir_all(dir) {
        return (written, Some(Error::msg(format!("--output {}: {e}", Esc(&dir.display().to_string())))));
    }
    let mut used = std::collections::HashSet::new();
    for it in items {
        let ext = if it.json { "json" } else { "txt" };
        let mut name = safe_name(it.kind, &it.id, ext);
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = safe_name(it.kind, &format!("{}-{n}", it.id), ext);
            n += 1;
        }
        let path = dir.join(&name);
        if let Err(e) = write_atomically(dir, &name, &it.bytes) {
            return (written, Some(Error::msg(format!("{}: {e}", Esc(&path.display().to_string())))));
        }
        written.push(path);
    }
    (written, None)
}

/// Writes `bytes` to `dir/name` whole or not at all: a temporary file in `dir`, flushed to
/// disk, then hard-linked to `name` (which fails if `name` exists) and removed. Where the file
/// system has no hard links (FAT, exFAT), the temporary file is renamed instead, after checking
/// that `name` does not exist.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.ocidig-{}.tmp", std::process::id()));
    let target = dir.join(name);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        match std::fs::hard_link(&tmp, &target) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                if std::fs::symlink_metadata(&target).is_ok() {
                    return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "File exists"));
                }
                std::fs::rename(&tmp, &target)
            }
            other => other,
        }
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}

/// The JSON text of one predicate for `--type`: itself when valid JSON, else a JSON string of
/// its exact text (with a note on stderr).
fn as_json(it: &Extracted) -> String {
    if it.json {
        return String::from_utf8_lossy(&it.bytes).into_owned();
    }
    let _ = writeln!(
        std::io::stderr(),
        "ocidig: note: the {} document in {} is not valid JSON; printed as a JSON string of its exact text",
        Esc(it.kind),
        Esc(&it.id.to_string())
    );
    serde_json::to_string(&String::from_utf8_lossy(&it.bytes)).unwrap_or_else(|_| "null".into())
}

fn render_rows(listing: &Listing) -> String {
    let mut out = format!("{}: {} attestation(s)\n", Esc(&listing.input), listing.attestations.len());
    for r in &listing.attestations {
        let inner = match (r.inner_kind, r.inner_valid) {
            (Some(k), Some(false)) => format!(" holding {} (not valid JSON)", Esc(k)),
            (Some(k), _) => format!(" holding {}", Esc(k)),
            _ => String::new(),
        };
        out.push_str(&format!(
            "- {}{inner}\n  subjects: {}\n  envelope {} B, predicate {} B{}, key id {}, {}\n  layer {}\n",
            Esc(r.predicate_type.as_deref().unwrap_or("(unknown predicate type)")),
            if r.subjects.is_empty() {
                "-".to_string()
            } else {
                r.subjects.iter().map(|s| Esc(s).to_string()).collect::<Vec<_>>().join(", ")
            },
            r.envelope_size.map_or("?".into(), |s| s.to_string()),
            r.predicate_size.map_or("?".into(), |s| s.to_string()),
            r.inner_size.map(|s| format!(" (document {s} B)")).unwrap_or_default(),
            Esc(r.key_id.as_deref().filter(|k| !k.is_empty()).unwrap_or("-")),
            if r.signed { "signed" } else { "unsigned" },
            Esc(if r.layer.is_empty() { "-" } else { &r.layer }),
        ));
        if let Some(n) = &r.not_read {
            out.push_str(&format!("  not read: {}\n", Esc(n)));
        }
    }
    out
}

/// Runs `attestations`.
pub fn run(a: AttestationsArgs) -> Result<u8, Error> {
    if let Some(dir) = &a.output {
        super::files::check_output_dir("--output", dir, std::slice::from_ref(&a.path))?;
    }
    let dump = open_documents(&a.path, &a.manifest)?;
    super::tree::require_dump(&dump)?;
    let read = match &a.r#type {
        Some(t) => ReadMode::Predicate(t.clone()),
        None => ReadMode::Artifacts,
    };
    let linked = link::collect(&dump, &LinkOptions { read, ..LinkOptions::default() });
    let selected: Vec<&Artifact> = linked
        .artifacts
        .iter()
        .filter(|x| is_attestation(x))
        .filter(|x| match (&a.r#type, x.content.statement()) {
            (None, _) => true,
            (Some(t), Some(st)) => link::statement_matches(st, t),
            (Some(_), None) => false,
        })
        .collect();
    let extracted: Vec<Extracted> =
        selected.iter().filter_map(|x| x.content.statement().and_then(|st| extract(x, st))).collect();
    let mut out = std::io::stdout().lock();
    if let Some(dir) = &a.output {
        let (written, failed) = write_all(dir, &extracted);
        for p in &written {
            writeln!(out, "{}", Esc(&p.display().to_string()))?;
        }
        out.flush()?;
        if let Some(e) = failed {
            return Err(Error::msg(format!("{e} ({} file(s) written before it, listed above)", written.len())));
        }
        return Ok(if written.is_empty() { 1 } else { 0 });
    }
    if let Some(t) = &a.r#type {
        let docs: Vec<String> = extracted.iter().map(as_json).collect();
        let text = match docs.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(",")),
        };
        if docs.is_empty() {
            let _ = writeln!(std::io::stderr(), "ocidig: no attestation of type {} in {}", Esc(t), Esc(&a.path));
        }
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()?;
        return Ok(if docs.is_empty() { 1 } else { 0 });
    }
    let listing = Listing {
        input: dump.input.clone(),
        attestations: selected.iter().map(|x| row(&dump, x)).collect(),
        bytes_read: linked.bytes_read,
    };
    let text = match a.format {
        DocFormat::Json => {
            let mut s = serde_json::to_string_pretty(&listing).map_err(|e| Error::msg(e.to_string()))?;
            s.push('\n');
            s
        }
        DocFormat::Text => crate::report::terminal::sanitize(&render_rows(&listing), false).into_owned(),
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

/// The predicate kinds a `--type` value selects (for documentation and tests).
pub fn kind_of_type(t: &str) -> PredicateKind {
    crate::sigstore::intoto::classify_predicate_type(crate::sigstore::intoto::resolve_predicate_type(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe() {
        assert_eq!(safe_name("../../etc", "passwd/..", "json"), "etc-passwd.json");
        assert_eq!(safe_name("slsa-provenance-v0.2", "ff626be9", "txt"), "slsa-provenance-v0.2-ff626be9.txt");
        assert_eq!(safe_name("", "", "json"), "predicate-x.json");
        assert_eq!(kind_of_type("spdxjson"), PredicateKind::Spdx);
    }
}

//! The `check` pipeline for a list of inputs: open, scan, model, checks, report.

use crate::checks;
use crate::input::{self, OpenError, OpenOptions};
use crate::model::Dump;
use crate::progress::Progress;
use crate::report::{Binding, InputSummary, Report};
use std::path::Path;

/// The summary line of one dump.
pub fn summarize(dump: &Dump) -> InputSummary {
    use crate::model::ArtifactKind;
    let linked = crate::sigstore::link::linked(dump);
    let count = |k: ArtifactKind| dump.images.iter().filter(|i| i.kind == k).count();
    let bindings: Vec<Binding> = linked
        .artifacts
        .iter()
        .filter_map(|a| {
            let role = if a.is_signature() {
                "signature"
            } else if a.is_attestation() {
                "attestation"
            } else {
                return None;
            };
            let images = || a.bound_images.iter().filter_map(|&i| dump.images.get(i));
            Some(Binding {
                role,
                kind: a.kind.name(),
                artifact: crate::checks::artifact_util::describe(dump, a),
                attached_to: a.target_digest.clone(),
                signs: a.signed_target().digests(),
                counts_for: images().filter_map(|im| im.manifest_digest.clone()).collect(),
                counts_for_labels: images().map(|im| im.label.clone()).collect(),
                unbound: match a.signed_target() {
                    crate::sigstore::link::SignedTarget::Unbound(why) => Some(why.clone()),
                    _ => None,
                },
            })
        })
        .collect();
    let verified = verification(dump);
    InputSummary {
        signatures: bindings.iter().filter(|b| b.role == "signature").count(),
        attestations: bindings.iter().filter(|b| b.role == "attestation").count(),
        sboms: count(ArtifactKind::CosignSbom),
        other_artifacts: count(ArtifactKind::OtherArtifact),
        bindings,
        path: dump.input.clone(),
        format: match dump.outer_compression {
            Some(c) if dump.format != crate::model::Format::Unknown => format!("{}+{c}", dump.format.name()),
            _ => dump.format.name().to_string(),
        },
        images: count(ArtifactKind::Image),
        blobs: dump.blob_count(),
        bytes: verified.0,
        unverified: verified.1,
        inventory: None,
    }
}

/// What the checks verified: the bytes of the blobs whose content hashes to a digest claimed for
/// it (a descriptor's, a file name's, or a diff_id when layers were decompressed), and the number
/// of referenced blobs not verified (a mismatch, an algorithm ocidig does not compute,
/// DG006, or a docker layer whose diff_id was not checked).
pub fn verification(dump: &Dump) -> (u64, usize) {
    use crate::model::digest;
    let n = dump.store.entries.len();
    // Per entry: some claim matched, some claim failed, some reference points at it.
    let (mut matched, mut failed, mut referenced) = (vec![false; n], vec![false; n], vec![false; n]);
    let mut judge = |entry: usize, ok: Option<bool>| {
        match ok {
            Some(true) => matched.get_mut(entry).map(|m| *m = true),
            Some(false) => failed.get_mut(entry).map(|f| *f = true),
            None => None,
        };
    };
    // Whether the bytes hash to a claimed digest (None: the claim cannot be checked).
    let claim = |d: &str, scan: &crate::scan::BlobScan| -> Option<bool> {
        let (alg, _) = digest::validate(d).ok()?;
        let actual = scan.digest_for(alg).filter(|_| digest::verifiable(alg))?;
        Some(actual == d && scan.error.is_none())
    };
    for (entry, e) in dump.store.entries.iter().enumerate() {
        if let (Some(scan), Some(d)) = (dump.scan(entry), digest::claimed_by_name(&e.path)) {
            judge(entry, claim(&d, scan));
        }
    }
    for r in &dump.refs {
        let Some(entry) = r.entry() else { continue };
        let Some(scan) = dump.scan(entry) else { continue };
        if let Some(x) = referenced.get_mut(entry) {
            *x = true;
        }
        if let Some(d) = r.digest.as_deref() {
            judge(entry, claim(d, scan));
        }
    }
    if dump.deep {
        for image in &dump.images {
            let Some((_, ids)) = crate::checks::util::diff_ids(dump, image) else { continue };
            for (i, r) in image.layers.iter().enumerate() {
                let Some(entry) = dump.refs.get(*r).and_then(|r| r.entry()) else { continue };
                let Some(scan) = dump.scan(entry) else { continue };
                let Some(id) = ids.get(i).and_then(crate::model::json::Node::as_str) else { continue };
                judge(entry, scan.diff_id().map(|actual| actual == id && scan.error.is_none()));
            }
        }
    }
    let verified: Vec<bool> = matched.iter().zip(&failed).map(|(m, f)| *m && !*f).collect();
    let bytes = verified
        .iter()
        .enumerate()
        .filter(|(_, v)| **v)
        .filter_map(|(entry, _)| dump.scan(entry))
        .map(|s| s.size)
        .sum();
    let unverified = referenced.iter().zip(&verified).filter(|(r, v)| **r && !**v).count();
    (bytes, unverified)
}

/// Runs every check on one opened dump and adds its findings and sources to `report`
/// (and its inventory when `inventory` is set).
pub fn add_dump(report: &mut Report, dump: &Dump, inventory: bool) {
    let findings = checks::run_all(dump);
    for f in &findings {
        let (Some(file), Some(_)) = (&f.file, f.location) else { continue };
        if let Some(doc) = dump.docs.iter().find(|d| &d.path == file) {
            report.sources.insert((dump.input.clone(), file.clone()), doc.bytes.clone());
        }
    }
    report.findings.extend(findings);
    let mut summary = summarize(dump);
    if inventory {
        summary.inventory = Some(crate::inventory::inventory(dump));
    }
    report.inputs.push(summary);
}

/// Opens and checks every input in order. Fails (exit 2) only when an input cannot be opened.
pub fn check_paths(
    paths: &[String],
    opts: &OpenOptions,
    inventory: bool,
    progress: &Progress,
    max_depth: usize,
) -> Result<Report, OpenError> {
    for p in paths.iter().filter(|p| p.as_str() != input::stream::STDIN) {
        std::fs::metadata(p).map_err(|source| OpenError::Io { path: p.clone(), source })?;
    }
    let mut report = Report::default();
    for p in paths.iter().flat_map(|p| expand(p, max_depth, &mut report)).collect::<Vec<_>>() {
        let dump = input::open_with_progress(Path::new(&p), &p, opts, progress)?;
        add_dump(&mut report, &dump, inventory);
    }
    progress.finish();
    report.sort();
    Ok(report)
}

/// Opens one input and pairs the `--manifest` files that match one of its images (the others
/// are returned for the next input).
pub fn open_paired(
    path: &str,
    manifests: &[std::path::PathBuf],
    opts: &OpenOptions,
    progress: &Progress,
) -> Result<(Dump, Vec<std::path::PathBuf>), OpenError> {
    let mut dump = input::open_with_progress(Path::new(path), path, opts, progress)?;
    let mut unpaired = Vec::new();
    for m in manifests {
        let label = m.display().to_string();
        if input::pair::pair_manifest(&mut dump, m, &label, opts.scan.limits.max_json).is_err() {
            unpaired.push(m.clone());
        }
    }
    Ok((dump, unpaired))
}

/// [`check_paths`] with saved manifests paired to the inputs (`--manifest`). A manifest that
/// pairs with no input is an error.
pub fn check_paths_paired(
    paths: &[String],
    manifests: &[std::path::PathBuf],
    opts: &OpenOptions,
    inventory: bool,
    progress: &Progress,
    max_depth: usize,
) -> Result<Report, OpenError> {
    for p in paths
        .iter()
        .map(String::as_str)
        .filter(|p| *p != input::stream::STDIN)
        .chain(manifests.iter().filter_map(|m| m.to_str()))
    {
        std::fs::metadata(p).map_err(|source| OpenError::Io { path: p.to_string(), source })?;
    }
    let mut report = Report::default();
    let mut pending = manifests.to_vec();
    for p in paths.iter().flat_map(|p| expand(p, max_depth, &mut report)).collect::<Vec<_>>() {
        let (dump, rest) = open_paired(&p, &pending, opts, progress)?;
        pending = rest;
        add_dump(&mut report, &dump, inventory);
    }
    progress.finish();
    if let Some(m) = pending.first() {
        return Err(OpenError::Io {
            path: m.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "pairs with no image of the inputs"),
        });
    }
    report.sort();
    Ok(report)
}

/// The inputs a PATH stands for: itself, or, for a folder that is not a dump but holds some,
/// every dump inside it (`PATH/rel`), with a stray-file note (IN017) for each file that belongs
/// to none; folders are searched `max_depth` deep.
pub fn expand(p: &str, max_depth: usize, report: &mut Report) -> Vec<String> {
    let Some(found) = input::discover::find(Path::new(p), max_depth) else { return vec![p.to_string()] };
    let root = Path::new(p);
    for s in &found.strays {
        let rel = s.strip_prefix(root).unwrap_or(s).to_string_lossy().into_owned();
        let is_link = std::fs::symlink_metadata(s).is_ok_and(|m| m.file_type().is_symlink());
        report.findings.push(crate::checks::in017_stray_file::finding(p, &rel, is_link));
    }
    for s in &found.unsearched {
        let rel = s.strip_prefix(root).unwrap_or(s).to_string_lossy().into_owned();
        report.findings.push(crate::checks::in017_stray_file::unsearched(p, &rel, max_depth));
    }
    found.dumps.iter().map(|d| d.to_string_lossy().into_owned()).collect()
}

/// Total bytes of regular files under the given inputs (for the progress bar).
pub fn total_input_bytes(paths: &[String]) -> u64 {
    fn walk(p: &Path, depth: usize) -> u64 {
        let Ok(meta) = std::fs::symlink_metadata(p) else { return 0 };
        if meta.is_file() {
            return meta.len();
        }
        if !meta.is_dir() || depth > 64 {
            return 0;
        }
        std::fs::read_dir(p).map(|rd| rd.flatten().map(|e| walk(&e.path(), depth + 1)).sum()).unwrap_or(0)
    }
    paths.iter().map(|p| walk(Path::new(p), 0)).sum()
}

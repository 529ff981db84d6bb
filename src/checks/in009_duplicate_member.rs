//! IN009 duplicate-member.

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::model::Dump;
use crate::store::{Duplicate, EntryKind};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a name that occurs more than once in the dump's own tar (a `docker save` or
    /// `crane pull` tarball, an oci-archive), after normalizing `./x`, `x` and `x/` to one name.
    /// Copies with different content are errors; identical copies are warnings, since
    /// `crane pull` of two references to one image writes its config once per image object
    /// (go-containerregistry `tarball/write.go` deduplicates layers, not configs). When the name is one of the format's own
    /// documents (`manifest.json`, `index.json`, `oci-layout`, `repositories`, `<id>/json`),
    /// the dump is also read as go-containerregistry reads it (first copy of every name) and
    /// every finding that only that reading shows is reported, marked as such.
    ///
    /// ## Why is this bad?
    /// Readers disagree on which copy counts: `docker load` extracts the archive, so the last
    /// copy wins; go-containerregistry's tarball reader stops at the first. A second
    /// `manifest.json` naming another config makes the two tools load two different images from
    /// one file, and an audit that reads only one of them vouches for an image the other tool
    /// never sees.
    ///
    /// ## Example
    /// `tar rf save.tar manifest.json` after editing `manifest.json` to name another config
    /// and tag `evil:latest`.
    ///
    /// ## How to fix
    /// Re-export the dump with the tool that made it; never append to a dump archive.
    ///
    /// ## Evidence
    /// `location` is the header of the last copy (the one ocidig's main reading uses); the
    /// message lists every copy's header offset and whether their contents agree.
    ///
    /// ## References
    /// - https://github.com/google/go-containerregistry/blob/main/pkg/v1/tarball/image.go (`extractFileFromTar`)
    /// - https://github.com/google/go-containerregistry/blob/main/pkg/v1/tarball/write.go (`writeImagesToTar`)
    /// - https://github.com/moby/moby/blob/master/image/tarexport/load.go
    pub RULE = ("IN009", "duplicate-member", Error, "A name occurs twice in the dump's own tar; readers disagree on which copy counts");
}

/// Most header offsets listed in one finding.
const MAX_OFFSETS_SHOWN: usize = 8;

/// Whether a member name is one of the format's own documents, whose copies change the model.
fn is_metadata(name: &str) -> bool {
    matches!(name, "manifest.json" | "index.json" | "oci-layout" | "repositories")
        || name.rsplit_once('/').is_some_and(|(dir, file)| file == "json" && !dir.contains('/'))
}

/// Whether every copy has the same kind and the same bytes (by size and scanned digest; an
/// unscanned copy counts as different).
fn copies_agree(dump: &Dump, d: &Duplicate) -> bool {
    let mut it = d.entries.iter().filter_map(|&i| dump.store.entries.get(i).map(|e| (i, e)));
    let Some((first_i, first)) = it.next() else { return true };
    let first_digest = dump.scan(first_i).map(|s| s.sha256.clone());
    it.all(|(i, e)| {
        e.kind == first.kind
            && e.size == first.size
            && (e.kind != EntryKind::File
                || (first_digest.is_some() && dump.scan(i).map(|s| s.sha256.clone()) == first_digest))
    })
}

/// Reports duplicate members; for duplicated metadata with different content, also the
/// findings of the first-copy reading.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if dump.store.archive.is_none() {
        return;
    }
    let dups = dump.store.duplicates();
    let mut metadata_differs = Vec::new();
    for d in &dups {
        let offset_of = |i: &usize| -> String {
            dump.store.entries.get(*i).and_then(|e| e.header_offset).map_or("?".into(), |o| o.to_string())
        };
        let first = d.entries.first().map(offset_of).unwrap_or_default();
        let last = d.entries.last().map(offset_of).unwrap_or_default();
        // Every offset up to a few; then the first ones, a count, and the last.
        let mut offsets: Vec<String> = d.entries.iter().take(MAX_OFFSETS_SHOWN).map(offset_of).collect();
        if d.entries.len() > MAX_OFFSETS_SHOWN {
            offsets.push(format!("… {} more …", d.entries.len() - MAX_OFFSETS_SHOWN - 1));
            offsets.push(last.clone());
        }
        let agree = copies_agree(dump, d);
        let content = if agree { "identical" } else { "different" };
        let mut message = format!(
            "`{}` occurs {} times in the archive (headers at offsets {}) with {content} content: docker load keeps the last copy (offset {last}), go-containerregistry reads the first (offset {first})",
            d.name,
            d.entries.len(),
            offsets.join(", ")
        );
        if !agree && is_metadata(&d.name) {
            metadata_differs.push(d.name.clone());
            message.push_str(
                "; ocidig's findings follow the last copy, and those only the first copy shows are marked as such",
            );
        }
        let last_offset = d.entries.last().and_then(|&i| dump.store.entries.get(i)).and_then(|e| e.header_offset);
        let mut f = Finding::new(&RULE, &dump.input, message)
            .file(d.name.clone())
            .severity(if agree { Severity::Warning } else { Severity::Error })
            .help("re-export the dump with the tool that made it; never append to a dump archive");
        if let Some(o) = last_offset {
            f = f.at(o, 512);
        }
        out.push(f);
    }
    if !metadata_differs.is_empty() {
        first_copy_findings(dump, &metadata_differs, out);
    }
}

/// Reads the dump again with the first copy of every name and reports the findings that only
/// that reading has.
fn first_copy_findings(dump: &Dump, names: &[String], out: &mut Vec<Finding>) {
    let mut alt = Dump {
        input: dump.input.clone(),
        format: dump.format,
        outer_compression: dump.outer_compression,
        outer_sniff: dump.outer_sniff,
        outer_name: dump.outer_name.clone(),
        store: dump.store.first_wins(),
        scans: dump.scans.clone(),
        docs: Vec::new(),
        refs: Vec::new(),
        images: Vec::new(),
        read_problems: Vec::new(),
        format_files: Vec::new(),
        deep: dump.deep,
        linked: std::sync::OnceLock::new(),
        registry: None,
        merged_layers: std::sync::OnceLock::new(),
    };
    crate::input::build::build(&mut alt, &crate::input::OpenOptions::default());
    let key =
        |f: &Finding| (f.code, f.file.clone(), f.pointer.clone(), f.member.clone(), f.blob.clone(), f.message.clone());
    let run = |d: &Dump| {
        let mut found = Vec::new();
        for c in super::registry::CHECKS.iter().filter(|c| c.rule.code != RULE.code) {
            (c.run)(d, &mut found);
        }
        found
    };
    let primary: HashSet<_> = run(dump).iter().map(key).collect();
    let which = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    for mut f in run(&alt) {
        if primary.contains(&key(&f)) {
            continue;
        }
        f.message = format!("in the first copy of {which} (as go-containerregistry reads the dump): {}", f.message);
        out.push(f);
    }
    // Blobs the primary reading calls orphans but the first copy references.
    let referenced: HashSet<usize> = dump.refs.iter().filter_map(|r| r.entry()).collect();
    let alt_only = alt
        .refs
        .iter()
        .filter_map(|r| r.entry())
        .filter(|e| !referenced.contains(e) && !dump.format_files.contains(e))
        .collect::<HashSet<_>>();
    if !alt_only.is_empty() {
        let mut paths: Vec<&str> = alt_only.iter().map(|&e| dump.entry_path(e)).collect();
        paths.sort_unstable();
        out.push(
            Finding::new(
                &RULE,
                &dump.input,
                format!(
                    "{} file(s) reported as unreferenced (RF002) are referenced by the first copy of {which}: {}",
                    paths.len(),
                    paths.iter().take(8).map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                ),
            )
            .file(names.first().cloned().unwrap_or_default())
            .help("the dump holds two images: the one docker load sees and the one go-containerregistry sees"),
        );
    }
}

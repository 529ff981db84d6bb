//! LT021 estargz-toc-mismatch.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::layer::estargz::{Estargz, TocEntry};
use crate::layer::listing::{PATH_ENTRY, PATH_LAST_DIR, normalize};
use crate::layer::walk::{EntryType, TarFacts};
use crate::model::{Dump, Role};
use std::collections::HashMap;

/// The layer annotation holding the digest of an eStargz TOC.
pub const TOC_DIGEST_ANNOTATION: &str = "containerd.io/snapshot/stargz/toc.digest";

/// Problems reported per layer at most (the rest are counted).
const MAX_PER_LAYER: usize = 20;

declare_rule! {
    /// ## What it does
    /// Checks the table of contents of an eStargz layer laid out as BuildKit and
    /// stargz-snapshotter write it (the original tar and its end-of-archive marker, then a gzip
    /// member holding the tar member `stargz.index.json`, then a footer member naming the TOC's
    /// offset) and reports what disagrees: a footer missing or naming another offset, a TOC that
    /// is not JSON or is cut short, a TOC entry with no tar member of that path and type, a size
    /// or link target that differs from the tar member's, a count of entries that differs from
    /// the tar's, or a TOC whose digest is not the layer's
    /// `containerd.io/snapshot/stargz/toc.digest` annotation.
    ///
    /// ## Why is this bad?
    /// Lazy pullers (stargz-snapshotter) trust the TOC to find files without reading the layer:
    /// a TOC that lists other files, sizes or links than the tar shows one filesystem to them and
    /// another to runtimes that unpack the tar. The TOC digest annotation is what binds the TOC
    /// to the manifest.
    ///
    /// ## Example
    /// A TOC listing `bin/sh` with size 10 over a tar whose `bin/sh` has 12 bytes; an annotation
    /// `sha256:aaaa...` over a TOC that hashes to something else.
    ///
    /// ## How to fix
    /// Rebuild the layer with a tool that writes eStargz (BuildKit `compression=estargz`,
    /// `ctr-remote image optimize`), or drop the eStargz annotations and recompress the layer as
    /// plain gzip.
    ///
    /// ## Evidence
    /// `file` is the layer; `location` the TOC's tar header in the uncompressed stream; the
    /// message says what disagrees. A TOC over 64 MiB is noted as not verified. A well-formed
    /// eStargz layer gets neither LT012 (its TOC follows the end marker by design) nor LT009.
    ///
    /// ## Limits
    /// Chunk digests and the compressed offsets of entries are not verified. In `check`, sizes
    /// and link targets are compared only for the tar members the walk keeps (links, special
    /// files, members other rules report); paths and directory-ness are checked for every entry.
    ///
    /// ## References
    /// - https://github.com/containerd/stargz-snapshotter/blob/main/docs/estargz.md
    /// - https://github.com/containerd/stargz-snapshotter/blob/main/estargz/estargz.go
    pub RULE = ("LT021", "estargz-toc-mismatch", Error, "An eStargz table of contents disagrees with its layer");
}

/// The TOC type name of a tar entry type.
fn toc_kind(t: EntryType) -> &'static str {
    match t {
        EntryType::File => "reg",
        EntryType::Dir => "dir",
        EntryType::Symlink => "symlink",
        EntryType::HardLink => "hardlink",
        EntryType::Char => "char",
        EntryType::Block => "block",
        EntryType::Fifo => "fifo",
        EntryType::Other(_) => "other",
    }
}

/// What disagrees between the TOC and the tar.
fn compare(es: &Estargz, tar: &TarFacts) -> Vec<String> {
    let mut out = Vec::new();
    // Last kept member per normalised path.
    let kept: HashMap<String, &crate::layer::walk::TarEntry> =
        tar.entries.iter().map(|e| (normalize(&e.path).path, e)).collect();
    let entries: Vec<&TocEntry> = es.entries.iter().filter(|e| e.kind != "chunk").collect();
    if !tar.entries_capped && entries.len() as u64 != tar.entry_count {
        out.push(format!("the TOC lists {} entries, the tar has {} members", entries.len(), tar.entry_count));
    }
    for t in entries {
        if t.name.is_empty() {
            continue; // the root (`./`): nothing to compare
        }
        let tar_entry = kept.get(&t.name);
        let known = if tar.compact {
            tar.path_index
                .get(&t.name)
                .map(|r| r.flags() & PATH_ENTRY != 0 && (r.flags() & PATH_LAST_DIR != 0) == (t.kind == "dir"))
        } else {
            Some(tar_entry.is_some_and(|e| (e.entry_type == EntryType::Dir) == (t.kind == "dir")))
        };
        match (known, tar_entry) {
            (Some(false) | None, _) if !tar.entries_capped => {
                out.push(format!("TOC entry `{}` ({}) has no tar member of that path and type", t.name, t.kind));
                continue;
            }
            _ => {}
        }
        let Some(e) = tar_entry else { continue };
        if toc_kind(e.entry_type) != t.kind {
            out.push(format!("TOC entry `{}` is a {}, the tar member a {}", t.name, t.kind, toc_kind(e.entry_type)));
        } else if t.kind == "reg" && t.size != e.size {
            out.push(format!("TOC entry `{}` has size {}, the tar member {}", t.name, t.size, e.size));
        } else if matches!(t.kind.as_str(), "symlink" | "hardlink")
            && t.link.as_deref().unwrap_or("") != e.link_target.as_deref().unwrap_or("")
        {
            out.push(format!(
                "TOC entry `{}` links to `{}`, the tar member to `{}`",
                t.name,
                t.link.as_deref().unwrap_or(""),
                e.link_target.as_deref().unwrap_or("")
            ));
        }
    }
    out
}

/// Reports eStargz layers whose TOC disagrees with the layer, its footer or its annotation.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(es) = layer.scan.decoded.as_ref().and_then(|d| d.estargz.as_deref()) else { continue };
        let Some(tar) = layer.tar() else { continue };
        let at = |f: Finding| f.at(es.toc_header, 512u64.saturating_add(es.toc_size.div_ceil(512).saturating_mul(512)));
        if es.unverified {
            out.push(at(layer
                .finding(
                    &RULE,
                    dump,
                    format!("the eStargz TOC of layer `{}` ({} bytes) is too large to verify", layer.file, es.toc_size),
                )
                .severity(Severity::Note)));
        }
        let mut problems = es.problems.clone();
        if es.toc_digest.is_some() && es.problems.is_empty() {
            problems.extend(compare(es, tar));
        }
        // Every reference to this blob with the TOC digest annotation.
        for r in dump.refs.iter().filter(|r| r.role == Role::Layer && r.entry() == Some(layer.entry)) {
            let Some((_, want)) = r.annotations.iter().find(|(k, _)| k == TOC_DIGEST_ANNOTATION) else { continue };
            match es.toc_digest.as_deref() {
                Some(got) if got != want => {
                    let msg =
                        format!("the annotation `{TOC_DIGEST_ANNOTATION}` is `{want}`, the TOC's digest is `{got}`");
                    if !problems.contains(&msg) {
                        problems.push(msg);
                    }
                }
                _ => {}
            }
        }
        let total = problems.len();
        for p in problems.into_iter().take(MAX_PER_LAYER) {
            out.push(at(layer
                .finding(&RULE, dump, format!("eStargz layer `{}`: {p}", layer.file))
                .help("rebuild the layer with an eStargz writer, or recompress it as plain gzip")));
        }
        if total > MAX_PER_LAYER {
            out.push(at(layer.finding(
                &RULE,
                dump,
                format!("eStargz layer `{}`: {} more disagreements not shown", layer.file, total - MAX_PER_LAYER),
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::walk::testtar::Tar;
    use crate::layer::walk::{TarWalker, WalkLimits};

    fn toc(entries: &[(&str, &str, u64, Option<&str>)]) -> Estargz {
        Estargz {
            toc_digest: Some("sha256:x".into()),
            entries: entries
                .iter()
                .map(|&(n, k, size, link)| TocEntry {
                    name: n.into(),
                    kind: k.into(),
                    size,
                    link: link.map(str::to_string),
                })
                .collect(),
            ..Estargz::default()
        }
    }

    #[test]
    fn compare_full_facts() {
        let mut t = Tar::default();
        t.dir("bin/").file("bin/sh", b"#!elf").link("bin/ash", b'2', "sh").end();
        let walk = |keep_all_entries| {
            let mut w = TarWalker::new(WalkLimits { keep_all_entries, ..WalkLimits::default() });
            w.feed(&t.bytes());
            w.finish()
        };
        let good = toc(&[
            ("", "dir", 0, None),
            ("bin", "dir", 0, None),
            ("bin/sh", "reg", 5, None),
            ("bin/ash", "symlink", 0, Some("sh")),
        ]);
        let mut four = walk(true);
        four.entry_count = 4;
        assert_eq!(compare(&good, &four), Vec::<String>::new());
        let bad = toc(&[("bin", "reg", 0, None), ("bin/sh", "reg", 7, None), ("bin/ash", "symlink", 0, Some("x"))]);
        assert_eq!(
            compare(&bad, &walk(true)),
            [
                "TOC entry `bin` (reg) has no tar member of that path and type",
                "TOC entry `bin/sh` has size 7, the tar member 5",
                "TOC entry `bin/ash` links to `x`, the tar member to `sh`",
            ]
        );
        // Compact facts: paths, directory-ness and kept members (the link) only.
        assert_eq!(
            compare(&bad, &walk(false)),
            [
                "TOC entry `bin` (reg) has no tar member of that path and type",
                "TOC entry `bin/ash` links to `x`, the tar member to `sh`",
            ]
        );
    }
}

//! Helpers shared by the LT rules: which blobs are image layers, their walk facts, image layer
//! stacks for cross-layer rules, and findings located at a member of a layer stream.

use crate::diag::{Finding, Rule};
use crate::layer::listing::{Merged, merge, merge_compact};
use crate::layer::resolve::{Trace, trace};
use crate::layer::walk::{TarEntry, TarFacts};
use crate::model::{Dump, Role};
use crate::scan::BlobScan;
use std::collections::HashSet;

/// One blob referenced as a layer, with the first reference that names it.
#[derive(Debug, Clone, Copy)]
pub struct LayerBlob<'a> {
    /// Store entry index of the blob.
    pub entry: usize,
    /// Index of the first layer reference to it in `dump.refs`.
    pub reference: usize,
    /// Position of the layer in that reference's image.
    pub layer_index: Option<usize>,
    /// The blob's path inside the dump.
    pub file: &'a str,
    /// The one-pass scan of the blob.
    pub scan: &'a BlobScan,
}

impl<'a> LayerBlob<'a> {
    /// The tar walk facts, when the (uncompressed) stream is a tar.
    pub fn tar(&self) -> Option<&'a TarFacts> {
        self.scan.tar.as_deref().filter(|t| t.is_tar)
    }

    /// Whether the uncompressed stream was read to its end (no decoder error, no limit hit), so
    /// facts about how it ends (end marker, truncation) are facts about the layer itself.
    pub fn stream_complete(&self) -> bool {
        self.scan.decoded.as_ref().is_none_or(|d| d.complete) && self.scan.error.is_none()
    }

    /// The offset in the uncompressed stream from which walk facts are no evidence: where the
    /// gzip member (or zstd stream) that failed to decode began (LT010), or `u64::MAX`.
    pub fn evidence_until(&self) -> u64 {
        self.scan.decoded.as_ref().and_then(|d| d.corrupt_from).unwrap_or(u64::MAX)
    }

    /// A finding on this layer as a whole (no member): file, blob and layer index set.
    pub fn finding(&self, rule: &Rule, dump: &Dump, message: impl Into<String>) -> Finding {
        let mut f = Finding::new(rule, &dump.input, message).file(self.file).blob(self.scan.sha256.clone());
        f.layer_index = self.layer_index;
        f
    }

    /// A finding on one member of this layer, located at its headers in the uncompressed stream.
    pub fn member_finding(&self, rule: &Rule, dump: &Dump, e: &TarEntry, message: impl Into<String>) -> Finding {
        let len = e.header_offset.saturating_add(512).saturating_sub(e.offset);
        self.finding(rule, dump, message).member(self.layer_index, e.path.clone()).at(e.offset, len)
    }
}

/// Every blob referenced as a layer, once each, in the order of the first reference to it.
pub fn layer_blobs(dump: &Dump) -> Vec<LayerBlob<'_>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (ri, r) in dump.refs.iter().enumerate() {
        if r.role != Role::Layer {
            continue;
        }
        let Some(entry) = r.entry() else { continue };
        let Some(scan) = dump.scan(entry) else { continue };
        if seen.insert(entry) {
            out.push(LayerBlob {
                entry,
                reference: ri,
                layer_index: r.layer_index,
                file: dump.entry_path(entry),
                scan,
            });
        }
    }
    out
}

/// The layers of one image, base first, with their merged filesystem.
#[derive(Debug)]
pub struct Stack<'a> {
    /// Image index in `dump.images`.
    pub image: usize,
    /// One slot per image layer: the blob, when it resolved and was scanned.
    pub layers: Vec<Option<LayerBlob<'a>>>,
    /// The merge of the layers' facts (an empty layer stands in for a missing one), computed
    /// once per image and shared by every cross-layer rule.
    pub merged: &'a Merged,
    /// Whether every layer has complete walk facts (no missing layer, no cap, no cut stream), so
    /// facts about absence ("no lower layer has it") can be trusted.
    pub complete: bool,
}

/// Facts of an empty layer, standing in for a layer without facts.
static EMPTY: TarFacts = TarFacts {
    is_tar: false,
    total_size: 0,
    entries: Vec::new(),
    entry_count: 0,
    entries_capped: false,
    paths_capped: false,
    end: crate::layer::walk::EndMarker::Missing,
    end_offset: None,
    after_single_zero: None,
    bytes_after_end: 0,
    trailing_nonzero: 0,
    trailing_offset: None,
    anomalies: Vec::new(),
    anomalies_capped: false,
    stopped_at: None,
    truncated: None,
    compact: false,
    path_index: crate::layer::listing::PathIndex::EMPTY,
    duplicates: Vec::new(),
    links_seen_here: Vec::new(),
    go_refusal: None,
    go_members: 0,
};

/// An image's layer slots, their tar facts (an empty stand-in where missing), and whether every
/// layer's facts are complete.
type ImageLayers<'a> = (Vec<Option<LayerBlob<'a>>>, Vec<&'a TarFacts>, bool);

/// The layer blobs of image `image` (one slot per layer) and their tar facts.
fn image_layers(dump: &Dump, image: usize) -> Option<ImageLayers<'_>> {
    let img = dump.images.get(image)?;
    let mut layers = Vec::with_capacity(img.layers.len());
    let mut facts: Vec<&TarFacts> = Vec::with_capacity(img.layers.len());
    let mut complete = true;
    for &ri in &img.layers {
        let blob = dump.refs.get(ri).and_then(|r| {
            let entry = r.entry()?;
            let scan = dump.scan(entry)?;
            Some(LayerBlob { entry, reference: ri, layer_index: r.layer_index, file: dump.entry_path(entry), scan })
        });
        let tar = blob.as_ref().and_then(LayerBlob::tar);
        let whole = blob.as_ref().is_some_and(|b| b.stream_complete())
            && tar.is_some_and(|t| !t.entries_capped && t.stopped_at.is_none() && t.truncated.is_none());
        complete &= whole;
        facts.push(tar.unwrap_or(&EMPTY));
        layers.push(blob);
    }
    Some((layers, facts, complete))
}

/// Whether an entry is a whiteout, an opaque marker or a hard link: what the merge is for.
fn needs_merge(e: &TarEntry) -> bool {
    e.entry_type == crate::layer::walk::EntryType::HardLink
        || e.path.rsplit('/').next().is_some_and(|base| base.starts_with(".wh."))
}

/// Builds the layer stack of image `image`, merging its layers once per dump.
pub fn stack(dump: &Dump, image: usize) -> Option<Stack<'_>> {
    let merges = dump.merged_layers.get_or_init(|| {
        (0..dump.images.len())
            .map(|i| {
                image_layers(dump, i).map(|(_, facts, _)| {
                    // The cross-layer rules read only whiteout and hard-link facts: an image with
                    // neither needs no merged path map (which costs memory per file).
                    if !facts.iter().any(|f| f.entries.iter().any(needs_merge)) {
                        Merged { incomplete: facts.iter().any(|f| f.entries_capped), ..Merged::default() }
                    } else if facts.iter().any(|f| f.compact) {
                        merge_compact(&facts)
                    } else {
                        merge(&facts)
                    }
                })
            })
            .collect()
    });
    let merged = merges.get(image)?.as_ref()?;
    let (layers, _, complete) = image_layers(dump, image)?;
    Some(Stack { image, layers, merged, complete })
}

/// The stacks of every image that has at least one tar layer.
pub fn stacks(dump: &Dump) -> Vec<Stack<'_>> {
    (0..dump.images.len())
        .filter_map(|i| stack(dump, i))
        .filter(|s| s.layers.iter().flatten().any(|b| b.tar().is_some()))
        .collect()
}

/// The tar facts of a stack's layers, an empty stand-in where a layer has none.
pub fn stack_facts<'a>(s: &Stack<'a>) -> Vec<&'a TarFacts> {
    s.layers.iter().map(|b| b.as_ref().and_then(LayerBlob::tar).unwrap_or(&EMPTY)).collect()
}

/// Every stack with its [`trace`] (links followed through the merged filesystem), then a
/// one-layer stack for each layer blob that no image uses.
pub fn traces(dump: &Dump) -> Vec<(Vec<Option<LayerBlob<'_>>>, Trace)> {
    let mut out = Vec::new();
    let mut covered = HashSet::new();
    for s in stacks(dump) {
        covered.extend(s.layers.iter().flatten().map(|b| b.entry));
        let t = trace(&stack_facts(&s));
        out.push((s.layers, t));
    }
    for b in layer_blobs(dump) {
        if covered.insert(b.entry)
            && let Some(tar) = b.tar()
        {
            out.push((vec![Some(b)], trace(&[tar])));
        }
    }
    out
}

/// The image's tar entry at (`layer`, `entry`) of a stack.
pub fn stack_entry<'a>(s: &Stack<'a>, layer: usize, entry: usize) -> Option<(LayerBlob<'a>, &'a TarEntry)> {
    let blob = s.layers.get(layer).copied().flatten()?;
    let e = blob.tar()?.entries.get(entry)?;
    Some((blob, e))
}

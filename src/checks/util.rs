//! Helpers shared by checks: locate findings in JSON documents and name blobs.

use crate::diag::Finding;
use crate::model::json::LineIndex;
use crate::model::{Dump, Reference};
use std::sync::Arc;

/// Points a finding at the JSON node at `pointer` in document `doc`: file, pointer, span, line.
pub fn at_json(mut f: Finding, dump: &Dump, doc: usize, pointer: &str) -> Finding {
    let Some(d) = dump.docs.get(doc) else { return f };
    f = f.file(d.path.clone()).pointer(pointer.to_string());
    if let Some((start, end)) = d.span(pointer) {
        let (line, col) = indexed_line_col(&d.bytes, start);
        f = f.at(start as u64, (end - start) as u64).line_col(line, col);
    }
    f
}

/// A document's bytes and their line index.
type Indexed = (Arc<Vec<u8>>, Arc<LineIndex>);

thread_local! {
    /// Line indexes of the documents last located in (checks locate many findings in few
    /// documents: a cosign output file with thousands of entries), most recent first.
    static LINE_INDEXES: std::cell::RefCell<Vec<Indexed>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Documents whose line index is kept.
const LINE_INDEX_CACHE: usize = 4;

/// [`crate::model::json::line_col`] through a cached [`LineIndex`] of `bytes`: many lookups in one document cost
/// one pass over it plus O(log n) each, instead of O(offset) each.
fn indexed_line_col(bytes: &Arc<Vec<u8>>, offset: usize) -> (usize, usize) {
    LINE_INDEXES.with(|cell| {
        let mut cache = cell.borrow_mut();
        let idx = match cache.iter().position(|(b, _)| Arc::ptr_eq(b, bytes)) {
            Some(i) => cache.remove(i).1,
            None => Arc::new(LineIndex::new(bytes)),
        };
        let lc = idx.line_col(bytes, offset);
        cache.insert(0, (bytes.clone(), idx));
        cache.truncate(LINE_INDEX_CACHE);
        lc
    })
}

/// Line and column (1-based) of `offset` in a document's bytes, through the cached line index:
/// many findings in one document stay linear.
pub fn line_col(bytes: &Arc<Vec<u8>>, offset: usize) -> (usize, usize) {
    indexed_line_col(bytes, offset)
}

/// Points a finding at a byte offset of a document.
pub fn at_offset(mut f: Finding, dump: &Dump, doc: usize, offset: usize, len: usize) -> Finding {
    let Some(d) = dump.docs.get(doc) else { return f };
    let (line, col) = indexed_line_col(&d.bytes, offset);
    f = f.file(d.path.clone()).at(offset as u64, len as u64).line_col(line, col);
    f
}

/// Points a finding at a reference's field (`digest`, `size`, `mediaType`) or path string.
pub fn at_ref(f: Finding, dump: &Dump, r: &Reference, field: &str) -> Finding {
    at_json(f, dump, r.doc, &r.field(field))
}

/// The role of a reference for messages.
pub fn role_name(r: &Reference) -> &'static str {
    match r.role {
        crate::model::Role::Index => "index",
        crate::model::Role::Manifest => "manifest",
        crate::model::Role::Config => "config",
        crate::model::Role::Layer => "layer",
        crate::model::Role::Artifact => "artifact",
        crate::model::Role::Subject => "subject",
    }
}

/// The label of an image for messages.
pub fn image_label(dump: &Dump, image: Option<usize>) -> String {
    image.and_then(|i| dump.images.get(i)).map(|im| im.label.clone()).unwrap_or_default()
}

/// An image's config document index and its `rootfs.diff_ids` array, when both exist.
pub fn diff_ids<'a>(dump: &'a Dump, image: &crate::model::Image) -> Option<(usize, &'a [crate::model::json::Node])> {
    let config_doc = image.config_doc?;
    let root = dump.docs.get(config_doc)?.root()?;
    let ids = match root.pointer("/rootfs/diff_ids") {
        Some(ids) => ids,
        // Go loaders match config keys case-insensitively (see crate::model::go_json).
        None if go_read(dump) => crate::model::go_json::pointer(root, "/rootfs/diff_ids")?.0,
        None => return None,
    };
    Some((config_doc, ids.as_array()?))
}

/// Whether the dump's format is loaded by Go tools (docker load, go-containerregistry,
/// containers/image), which match JSON keys case-insensitively.
pub fn go_read(dump: &Dump) -> bool {
    use crate::model::Format;
    matches!(
        dump.format,
        Format::DockerArchive | Format::DockerOciArchive | Format::CraneTarball | Format::DockerLegacy
    )
}

//! Helpers shared by checks: locate findings in JSON documents and name blobs.

use crate::diag::Finding;
use crate::model::json::LineIndex;
use crate::model::{Dump, Reference};
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The line index of the last document located on this thread: findings come in runs over
    /// one document, and locating each by scanning from the start was quadratic. Holding the
    /// `Arc` keeps the allocation alive, so pointer equality means the same document.
    static LAST_INDEX: RefCell<Option<(Arc<Vec<u8>>, LineIndex)>> = const { RefCell::new(None) };
}

/// Line and column (1-based) of `offset` in a document's bytes, in time independent of the
/// offset and of how many findings the document has.
pub fn line_col(bytes: &Arc<Vec<u8>>, offset: usize) -> (usize, usize) {
    LAST_INDEX.with(|cell| {
        let mut cache = cell.borrow_mut();
        if cache.as_ref().is_none_or(|(b, _)| !Arc::ptr_eq(b, bytes)) {
            *cache = Some((Arc::clone(bytes), LineIndex::new(bytes)));
        }
        cache.as_ref().map_or((1, 1), |(b, index)| index.line_col(b, offset))
    })
}

/// Points a finding at the JSON node at `pointer` in document `doc`: file, pointer, span, line.
pub fn at_json(mut f: Finding, dump: &Dump, doc: usize, pointer: &str) -> Finding {
    let Some(d) = dump.docs.get(doc) else { return f };
    f = f.file(d.path.clone()).pointer(pointer.to_string());
    if let Some((start, end)) = d.span(pointer) {
        let (line, col) = line_col(&d.bytes, start);
        f = f.at(start as u64, (end - start) as u64).line_col(line, col);
    }
    f
}

/// Points a finding at a byte offset of a document.
pub fn at_offset(mut f: Finding, dump: &Dump, doc: usize, offset: usize, len: usize) -> Finding {
    let Some(d) = dump.docs.get(doc) else { return f };
    let (line, col) = line_col(&d.bytes, offset);
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
    let ids = dump.docs.get(config_doc)?.root()?.pointer("/rootfs/diff_ids")?.as_array()?;
    Some((config_doc, ids))
}

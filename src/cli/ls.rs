//! `ocidig ls`: the files of one layer, or of the merged filesystem with whiteouts applied, and a
//! summary of every layer of the image.
//!
//! The dump is opened read-only and every blob is scanned once (the same pass as `check`); the
//! listing comes from the tar walk facts, never from unpacking anything.

use super::anyhow_like::Error;
use super::args::{DocFormat, LsArgs};
use crate::input::{OpenOptions, default_jobs};
use crate::layer::listing::{Merged, WhiteoutName, classify_whiteout, merge, normalize};
use crate::layer::walk::{EntryType, TarEntry, TarFacts};
use crate::model::{ArtifactKind, Dump, Image};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;

/// Version of the `ls --format json` document.
pub const LS_SCHEMA_VERSION: u32 = 1;

/// The `ls --format json` document.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The PATH as given.
    pub input: String,
    /// The image listed.
    pub image: ImageInfo,
    /// The layer listed, or `None` for the merged filesystem.
    pub layer: Option<usize>,
    /// Every layer of the image, base first.
    pub layers: Vec<LayerInfo>,
    /// The files, sorted by path (merged) or in stream order (one layer).
    pub files: Vec<FileInfo>,
    /// Whether some layer is missing, unreadable or capped, so the listing is partial.
    pub incomplete: bool,
}

/// Which image was listed.
#[derive(Debug, Clone, Serialize)]
pub struct ImageInfo {
    /// Label (tag, ref name or manifest digest).
    pub label: String,
    /// Tags and ref names.
    pub tags: Vec<String>,
    /// Digest of the manifest blob, when it has one.
    pub manifest_digest: Option<String>,
    /// Platform `os/arch[/variant]`.
    pub platform: Option<String>,
}

/// One layer's summary.
#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    /// Position in the image (0 is the base).
    pub index: usize,
    /// Digest of the stored blob (as read), when the blob is in the dump.
    pub digest: Option<String>,
    /// Path of the blob inside the dump.
    pub file: Option<String>,
    /// Stored (compressed) size in bytes.
    pub compressed_size: Option<u64>,
    /// Uncompressed tar size in bytes.
    pub uncompressed_size: Option<u64>,
    /// Tar members.
    pub entries: u64,
    /// Regular files.
    pub files: u64,
    /// Bytes of regular-file content.
    pub content_bytes: u64,
    /// Content bytes that upper layers delete (whiteouts, opaque directories, replaced dirs).
    pub deleted_bytes: u64,
    /// Content bytes that upper layers overwrite with a new entry at the same path.
    pub overwritten_bytes: u64,
    /// Whether the layer was walked completely (present, a tar, decoded to its end, not capped)
    /// and Go's tar reader (what runtimes unpack with) reads it without an error.
    pub complete: bool,
    /// Where and why Go's `archive/tar` refuses the layer (runtimes will not unpack it), if it does.
    pub refused: Option<String>,
}

/// One file of the listing.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    /// Normalised path relative to the image root.
    pub path: String,
    /// `file`, `dir`, `symlink`, `hardlink`, `char`, `block`, `fifo` or `other`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Permission bits in octal, setuid/setgid/sticky included (`"0755"`, `"4755"`).
    pub mode: String,
    /// Owner id.
    pub uid: u64,
    /// Group id.
    pub gid: u64,
    /// Size in bytes (regular files).
    pub size: u64,
    /// Link target, for symlinks and hard links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    /// The layer that last wrote the path (merged), or the layer listed.
    pub layer: usize,
    /// Offset of the member's first header in that layer's uncompressed stream.
    pub offset: u64,
    /// Merged listings: the symlink (its path) that the member's parent path goes through; `path`
    /// is then where a runtime writes it, not the member's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_link: Option<String>,
    /// Whether the entry is a whiteout or opaque marker (single-layer listings only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub whiteout: bool,
}

/// The type name of an entry.
fn type_name(t: EntryType) -> &'static str {
    match t {
        EntryType::File => "file",
        EntryType::HardLink => "hardlink",
        EntryType::Symlink => "symlink",
        EntryType::Char => "char",
        EntryType::Block => "block",
        EntryType::Dir => "dir",
        EntryType::Fifo => "fifo",
        EntryType::Other(_) => "other",
    }
}

/// A file of the listing from its tar entry.
fn file_info(path: String, e: &TarEntry, layer: usize, whiteout: bool) -> FileInfo {
    FileInfo {
        path,
        kind: type_name(e.entry_type),
        mode: format!("{:04o}", e.mode & 0o7777),
        uid: e.uid,
        gid: e.gid,
        size: if e.entry_type == EntryType::File { e.size } else { 0 },
        link_target: e.link_target.clone(),
        layer,
        offset: e.offset,
        via_link: None,
        whiteout,
    }
}

/// Whether an image matches a `--image` value: tag, label or manifest digest (with or without
/// the `sha256:` prefix).
fn matches(img: &Image, want: &str) -> bool {
    img.label == want
        || img.tags.iter().any(|t| t == want)
        || img
            .manifest_digest
            .as_deref()
            .is_some_and(|d| d == want || d.split_once(':').is_some_and(|(_, h)| h == want))
}

/// A one-line description of an image for error messages.
fn describe(img: &Image) -> String {
    use crate::report::terminal::Esc;
    match &img.manifest_digest {
        Some(d) if *d != img.label => format!("{} ({}, {})", Esc(&img.label), img.kind.name(), Esc(d)),
        _ => format!("{} ({})", Esc(&img.label), img.kind.name()),
    }
}

/// Picks the image to list.
pub fn select_image(dump: &Dump, want: Option<&str>) -> Result<usize, Error> {
    let all = || dump.images.iter().map(describe).collect::<Vec<_>>().join(", ");
    if let Some(want) = want {
        let found: Vec<usize> =
            dump.images.iter().enumerate().filter(|(_, im)| matches(im, want)).map(|(i, _)| i).collect();
        return match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::msg(format!(
                "no image `{}` in {}; images: {}",
                crate::report::terminal::Esc(want),
                crate::report::terminal::Esc(&dump.input),
                all()
            ))),
            _ => Err(Error::msg(format!(
                "`{}` names several images in {}; use a manifest digest",
                crate::report::terminal::Esc(want),
                crate::report::terminal::Esc(&dump.input)
            ))),
        };
    }
    let runnable: Vec<usize> =
        dump.images.iter().enumerate().filter(|(_, im)| im.kind == ArtifactKind::Image).map(|(i, _)| i).collect();
    match (runnable.as_slice(), dump.images.len()) {
        ([one], _) => Ok(*one),
        ([], 1) => Ok(0),
        (_, 0) => Err(Error::msg(format!("no image in {}", crate::report::terminal::Esc(&dump.input)))),
        _ => Err(Error::msg(format!(
            "several images in {}; choose one with --image: {}",
            crate::report::terminal::Esc(&dump.input),
            all()
        ))),
    }
}

/// Builds the listing of image `image` (one layer when `layer` is set).
pub fn listing(dump: &Dump, image: usize, layer: Option<usize>) -> Result<Listing, Error> {
    let img = dump.images.get(image).ok_or_else(|| Error::msg("no such image"))?;
    let empty = TarFacts::default();
    let mut facts: Vec<&TarFacts> = Vec::with_capacity(img.layers.len());
    let mut layers = Vec::with_capacity(img.layers.len());
    for (index, &ri) in img.layers.iter().enumerate() {
        let entry = dump.refs.get(ri).and_then(|r| r.entry());
        let scan = entry.and_then(|e| dump.scan(e));
        let tar = scan.and_then(|s| s.tar.as_deref()).filter(|t| t.is_tar);
        let decoded_ok = scan.is_some_and(|s| s.error.is_none() && s.decoded.as_ref().is_none_or(|d| d.complete));
        let refused = tar.and_then(|t| t.go_refusal.as_ref()).map(|r| {
            format!("Go's archive/tar fails at offset {} with `{}` ({})", r.offset, r.reason.go_error(), r.detail)
        });
        let complete = decoded_ok
            && refused.is_none()
            && tar.is_some_and(|t| !t.entries_capped && t.stopped_at.is_none() && t.truncated.is_none());
        facts.push(tar.unwrap_or(&empty));
        layers.push(LayerInfo {
            index,
            digest: scan.map(|s| s.sha256.clone()),
            file: entry.map(|e| dump.entry_path(e).to_string()),
            compressed_size: scan.map(|s| s.size),
            uncompressed_size: tar.map(|t| t.total_size),
            entries: 0,
            files: 0,
            content_bytes: 0,
            deleted_bytes: 0,
            overwritten_bytes: 0,
            complete,
            refused,
        });
    }
    let merged: Merged = merge(&facts);
    for (info, s) in layers.iter_mut().zip(&merged.summaries) {
        info.entries = s.entries;
        info.files = s.files;
        info.content_bytes = s.content_bytes;
        info.deleted_bytes = s.deleted_bytes;
        info.overwritten_bytes = s.overwritten_bytes;
    }
    let files = match layer {
        Some(n) => {
            let tar = facts.get(n).ok_or_else(|| {
                Error::msg(format!("no layer {n} in image {}: it has {} layers", img.label, img.layers.len()))
            })?;
            tar.entries
                .iter()
                .filter_map(|e| {
                    let path = normalize(&e.path).path;
                    let whiteout = classify_whiteout(&path) != WhiteoutName::NotWhiteout;
                    (!path.is_empty()).then(|| file_info(path, e, n, whiteout))
                })
                .collect()
        }
        None => {
            // Members written through symlinks move to where a runtime writes them.
            let t = crate::layer::resolve::trace(&facts);
            let mut files = merged.files.clone();
            let mut via = std::collections::HashMap::new();
            for m in &t.moved {
                let Some(e) = facts.get(m.layer).and_then(|f| f.entries.get(m.entry)) else { continue };
                let at = crate::layer::listing::MergedEntry { layer: m.layer, entry: m.entry };
                let written = normalize(&e.path).path;
                if files.get(&written) == Some(&at) {
                    files.remove(&written);
                    files.insert(m.resolved.clone(), at);
                    via.insert((m.layer, m.entry), t.links.get(m.link).map(|l| l.path.clone()));
                }
            }
            files
                .iter()
                .filter_map(|(path, at)| {
                    let e = facts.get(at.layer)?.entries.get(at.entry)?;
                    let mut info = file_info(path.clone(), e, at.layer, false);
                    info.via_link = via.get(&(at.layer, at.entry)).cloned().flatten();
                    Some(info)
                })
                .collect()
        }
    };
    Ok(Listing {
        schema_version: LS_SCHEMA_VERSION,
        input: dump.input.clone(),
        image: ImageInfo {
            label: img.label.clone(),
            tags: img.tags.clone(),
            manifest_digest: img.manifest_digest.clone(),
            platform: img.platform.clone(),
        },
        layer,
        incomplete: layers.iter().any(|l| !l.complete),
        layers,
        files,
    })
}

/// `ls -l`-style permission string.
fn mode_string(kind: &str, mode: &str) -> String {
    let m = u32::from_str_radix(mode, 8).unwrap_or(0);
    let t = match kind {
        "dir" => 'd',
        "symlink" => 'l',
        "hardlink" => 'h',
        "char" => 'c',
        "block" => 'b',
        "fifo" => 'p',
        "file" => '-',
        _ => '?',
    };
    let bit = |mask: u32, c: char| if m & mask != 0 { c } else { '-' };
    let special = |x: u32, special: u32, lower: char, upper: char| match (m & x != 0, m & special != 0) {
        (true, true) => lower,
        (false, true) => upper,
        (true, false) => 'x',
        (false, false) => '-',
    };
    [
        t,
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        special(0o100, 0o4000, 's', 'S'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        special(0o010, 0o2000, 's', 'S'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        special(0o001, 0o1000, 't', 'T'),
    ]
    .iter()
    .collect()
}

/// The text rendering: a layer table, then one `ls -l`-like line per file.
pub fn render_text(l: &Listing) -> String {
    let mut s = String::new();
    match l.image.manifest_digest.as_deref().filter(|d| *d != l.image.label) {
        Some(d) => _ = writeln!(s, "image {} ({d})", l.image.label),
        None => _ = writeln!(s, "image {}", l.image.label),
    }
    let _ = writeln!(
        s,
        "{:>5}  {:<19}  {:>12}  {:>12}  {:>7}  {:>12}  {:>12}",
        "layer", "digest", "compressed", "uncompressed", "files", "deleted", "overwritten"
    );
    for info in &l.layers {
        let short = info.digest.as_deref().map_or("-".to_string(), |d| d.chars().take(19).collect());
        let opt = |v: Option<u64>| v.map_or("-".to_string(), |n| n.to_string());
        let _ = writeln!(
            s,
            "{:>5}  {:<19}  {:>12}  {:>12}  {:>7}  {:>12}  {:>12}{}",
            info.index,
            short,
            opt(info.compressed_size),
            opt(info.uncompressed_size),
            info.files,
            info.deleted_bytes,
            info.overwritten_bytes,
            match (&info.refused, info.complete) {
                (Some(why), _) => format!("  (incomplete: {why})"),
                (None, true) => String::new(),
                (None, false) => "  (incomplete)".to_string(),
            }
        );
    }
    let _ = writeln!(s);
    for f in &l.files {
        let link = match (&f.link_target, f.kind) {
            (Some(t), "hardlink") => format!(" link to {t}"),
            (Some(t), _) => format!(" -> {t}"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "{} {:>5}/{:<5} {:>10} [{}] {}{link}{}{}",
            mode_string(f.kind, &f.mode),
            f.uid,
            f.gid,
            f.size,
            f.layer,
            f.path,
            if f.whiteout { " (whiteout)" } else { "" },
            f.via_link
                .as_deref()
                .map_or(String::new(), |l| format!(" (through link {})", crate::report::terminal::Esc(l)))
        );
    }
    s
}

/// Runs `ls`; returns the exit status.
pub fn run(a: LsArgs) -> Result<u8, Error> {
    let opts = OpenOptions { jobs: a.jobs.unwrap_or_else(default_jobs).max(1), ..OpenOptions::default() };
    let dump = crate::input::open(std::path::Path::new(&a.path), &a.path, &opts)?;
    let image = select_image(&dump, a.image.as_deref())?;
    let l = listing(&dump, image, a.layer)?;
    let text = match a.format {
        DocFormat::Json => {
            let mut t = serde_json::to_string_pretty(&l).map_err(|e| Error::msg(e.to_string()))?;
            t.push('\n');
            t
        }
        DocFormat::Text => render_text(&l),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_strings() {
        assert_eq!(mode_string("dir", "0755"), "drwxr-xr-x");
        assert_eq!(mode_string("file", "4755"), "-rwsr-xr-x");
        assert_eq!(mode_string("file", "2644"), "-rw-r-Sr--");
        assert_eq!(mode_string("dir", "1777"), "drwxrwxrwt");
        assert_eq!(mode_string("symlink", "0777"), "lrwxrwxrwx");
    }
}

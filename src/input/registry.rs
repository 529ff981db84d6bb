//! Registry storages: the `docker/registry/v2` tree of distribution (`registry:2`, Harbor,
//! oc-mirror archives), as a directory or a tar.
//!
//! The layout, from distribution's `registry/storage/paths.go`:
//!
//! ```text
//! docker/registry/v2/blobs/<alg>/<first two hex>/<hex>/data
//! docker/registry/v2/repositories/<name>/_manifests/revisions/<alg>/<hex>/link
//! docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/current/link
//! docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/index/<alg>/<hex>/link
//! docker/registry/v2/repositories/<name>/_layers/<alg>/<hex>/link
//! docker/registry/v2/repositories/<name>/_uploads/<id>/{data,startedat,hashstates/...}
//! ```
//!
//! A `link` file holds a digest string. [`read`] lists these facts from the store; [`build`]
//! turns every repository into an index of its revisions (tagged as `repo:tag`), walked like an
//! OCI layout's `index.json`, so that every rule runs on the images of a storage.

use super::build::Builder;
use crate::model::json::Node;
use crate::model::{Doc, DocKind, digest};
use crate::store::{EntryKind, Store};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The prefix of every path of a storage tree.
pub const ROOT: &str = "docker/registry/v2/";

/// The largest link file read (a link holds one digest: ~71 bytes for sha256).
const MAX_LINK: u64 = 1024;

/// Where the storage tree starts in the store: `docker/registry/v2/` at its root, or below a
/// folder (`var/lib/registry/docker/registry/v2/` in a tar of the registry's root directory);
/// the shortest such prefix of any file.
pub fn root_of(store: &Store) -> Option<String> {
    let mut best: Option<&str> = None;
    for e in store.entries.iter().filter(|e| e.kind == EntryKind::File) {
        let at = if e.path.starts_with(ROOT) { Some(0) } else { e.path.find(&format!("/{ROOT}")).map(|i| i + 1) };
        let Some(prefix) = at.and_then(|i| e.path.get(..i + ROOT.len())) else { continue };
        if best.is_none_or(|b| prefix.len() < b.len()) {
            best = Some(prefix);
        }
    }
    best.map(str::to_string)
}

/// Whether the store holds a registry storage tree at its root.
pub fn is_storage(store: &Store) -> bool {
    root_of(store).as_deref() == Some(ROOT)
}

/// The path of a blob's `data` file for a digest in a storage at `root`, when the digest is
/// safe to map to a path.
pub fn blob_path_in(root: &str, d: &str) -> Option<String> {
    digest::blob_path(d)?;
    let (alg, enc) = d.split_once(':')?;
    let first = enc.get(..2)?;
    Some(format!("{root}blobs/{alg}/{first}/{enc}/data"))
}

/// [`blob_path_in`] a storage at the root of the dump.
pub fn blob_path(d: &str) -> Option<String> {
    blob_path_in(ROOT, d)
}

pub use crate::model::registry::{Link, Repo, Storage, Tag};

/// `<alg>/<hex>` at the start of `parts` as a digest string.
fn named(alg: Option<&str>, enc: Option<&str>) -> Option<String> {
    Some(format!("{}:{}", alg?, enc?))
}

/// Reads one link file.
fn read_link(store: &Store, entry: usize, named: Option<String>) -> Link {
    let path = store.entries.get(entry).map(|e| e.path.clone()).unwrap_or_default();
    let mut link = Link { entry, path, named, digest: None, problem: None };
    match store.read_all(entry, MAX_LINK) {
        Ok(bytes) => match std::str::from_utf8(&bytes) {
            Ok(s) if digest::validate(s).is_ok() => link.digest = Some(s.to_string()),
            Ok(s) => {
                link.problem = Some(format!("holds `{}`, not a well-formed digest", s.escape_debug()));
            }
            Err(_) => link.problem = Some("holds bytes that are not UTF-8, not a digest".to_string()),
        },
        Err(e) => link.problem = Some(format!("cannot be read: {e}")),
    }
    link
}

/// Lists the storage's repositories, links and blobs from the store (reads every link file).
pub fn read(store: &Store) -> Storage {
    let mut s = Storage { root: root_of(store).unwrap_or_else(|| ROOT.to_string()), ..Storage::default() };
    for (i, e) in store.entries.iter().enumerate() {
        if e.kind != EntryKind::File {
            continue;
        }
        let Some(rest) = e.path.strip_prefix(s.root.as_str()) else { continue };
        if let Some(b) = rest.strip_prefix("blobs/") {
            let p: Vec<&str> = b.split('/').collect();
            if let [alg, first, enc, "data"] = p.as_slice()
                && enc.starts_with(first)
                && first.len() == 2
            {
                s.blobs.insert(format!("{alg}:{enc}"), i);
            }
            continue;
        }
        let Some(r) = rest.strip_prefix("repositories/") else { continue };
        // Name components never start with `_` (distribution's reference grammar), so the first
        // `/_` ends the repository name.
        let Some(cut) = r.find("/_") else { continue };
        let (name, tail) = (&r[..cut], &r[cut + 1..]);
        let p: Vec<&str> = tail.split('/').collect();
        let repo =
            s.repos.entry(name.to_string()).or_insert_with(|| Repo { name: name.to_string(), ..Repo::default() });
        match p.as_slice() {
            ["_manifests", "revisions", alg, enc, "link"] => {
                repo.revisions.push(read_link(store, i, named(Some(alg), Some(enc))));
            }
            ["_manifests", "tags", tag, "current", "link"] => {
                let t =
                    repo.tags.entry(tag.to_string()).or_insert_with(|| Tag { name: tag.to_string(), ..Tag::default() });
                t.current = Some(read_link(store, i, None));
            }
            ["_manifests", "tags", tag, "index", alg, enc, "link"] => {
                let t =
                    repo.tags.entry(tag.to_string()).or_insert_with(|| Tag { name: tag.to_string(), ..Tag::default() });
                t.index.push(read_link(store, i, named(Some(alg), Some(enc))));
            }
            ["_layers", alg, enc, "link"] => repo.layers.push(read_link(store, i, named(Some(alg), Some(enc)))),
            ["_uploads", id, ..] => repo.uploads.entry(id.to_string()).or_default().push(i),
            _ => {}
        }
    }
    s
}

/// Whether an entry is one of the storage's own bookkeeping files (links, uploads).
fn is_bookkeeping(root: &str, path: &str) -> bool {
    path.strip_prefix(root).and_then(|r| r.strip_prefix("repositories/")).is_some_and(|r| {
        r.ends_with("/link") && (r.contains("/_manifests/") || r.contains("/_layers/")) || r.contains("/_uploads/")
    })
}

/// The media type a manifest or index declares, or the one its shape implies. A revision that
/// does not parse, or has no recognisable shape, is still walked as an image manifest: its
/// problems are then reported (IN003, IN005) instead of the blob passing as unreferenced.
fn media_type_of(root: Option<&Node>) -> String {
    let declared = root.and_then(|r| r.get("mediaType")).and_then(Node::as_str);
    if let Some(t) = declared {
        return t.to_string();
    }
    if root.is_some_and(|r| r.get("manifests").is_some()) {
        "application/vnd.oci.image.index.v1+json".to_string()
    } else if root.is_some_and(|r| r.get("fsLayers").is_some()) {
        // Docker schema 1, which distribution 2.x still stores from old pushes.
        "application/vnd.docker.distribution.manifest.v1+json".to_string()
    } else {
        "application/vnd.oci.image.manifest.v1+json".to_string()
    }
}

/// Builds the model: each repository becomes an index of its revisions (indexes first, so that
/// their platform manifests are reached through them), walked like an OCI layout's index; every
/// image made from a tagged revision is known as `repo:tag`, an untagged one as `repo@digest`.
pub fn build(b: &mut Builder<'_>) {
    let storage = read(&b.dump.store);
    b.registry_root = Some(storage.root.clone());
    let own: Vec<usize> = b
        .dump
        .store
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| is_bookkeeping(&storage.root, &e.path))
        .map(|(i, _)| i)
        .collect();
    for i in own {
        b.format_file(i);
    }
    for repo in storage.repos.values() {
        build_repo(b, &storage, repo);
    }
    // Kept on the dump so the storage rules read the link files once, not once per rule.
    b.dump.registry = Some(storage);
}

fn build_repo(b: &mut Builder<'_>, storage: &Storage, repo: &Repo) {
    // Tags by the revision their current link names.
    let mut tags_of: HashMap<&str, Vec<String>> = HashMap::new();
    for tag in repo.tags.values() {
        if let Some(d) = tag.current.as_ref().and_then(Link::target) {
            tags_of.entry(d).or_default().push(format!("{}:{}", repo.name, tag.name));
        }
    }
    let mut descriptors = Vec::new();
    let mut seen = HashSet::new();
    for link in &repo.revisions {
        let Some(d) = link.target() else { continue };
        let Some(entry) = storage.blob(d) else { continue };
        if !seen.insert(d) {
            continue;
        }
        let Some(doc) = b.load_doc(entry, DocKind::Artifact) else { continue };
        let media_type = media_type_of(b.root(doc));
        let is_index = b.root(doc).is_some_and(|r| r.get("manifests").is_some());
        let size = b.dump.store.entries.get(entry).map_or(0, |e| e.size);
        let mut desc = serde_json::json!({ "mediaType": media_type, "digest": d, "size": size });
        if let Some(first) = tags_of.get(d).and_then(|t| t.first()) {
            desc["annotations"] = serde_json::json!({ "org.opencontainers.image.ref.name": first });
        }
        descriptors.push((!is_index, d.to_string(), desc));
    }
    if descriptors.is_empty() {
        return;
    }
    // Indexes first, then by digest: a stable order whatever the listing order.
    descriptors.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": descriptors.iter().map(|(_, _, d)| d.clone()).collect::<Vec<_>>(),
    });
    let bytes = serde_json::to_vec_pretty(&index).unwrap_or_default();
    let parsed = crate::model::json::parse(&bytes);
    b.dump.docs.push(Doc {
        path: format!("{}repositories/{}/_manifests", storage.root, repo.name),
        entry: None,
        bytes: Arc::new(bytes),
        parsed,
        kind: DocKind::Index,
    });
    let doc = b.dump.docs.len() - 1;
    let first_image = b.dump.images.len();
    super::oci::walk_index(b, doc, &mut HashSet::new(), false);
    // Every tag of a revision, and a repository-qualified label for untagged ones.
    let entry_digest: HashMap<usize, &str> =
        repo.revisions.iter().filter_map(|l| l.target()).filter_map(|d| Some((storage.blob(d)?, d))).collect();
    for image in b.dump.images.iter_mut().skip(first_image) {
        let entry = b.dump.docs.get(image.doc).and_then(|d| d.entry);
        let digest = entry.and_then(|e| entry_digest.get(&e)).copied();
        let mut tags = digest.and_then(|d| tags_of.get(d)).cloned().unwrap_or_default();
        tags.sort();
        if let Some(first) = tags.first() {
            image.label = first.clone();
        } else if let Some(d) = digest.or(image.manifest_digest.as_deref()) {
            image.label = format!("{}@{d}", repo.name);
        }
        image.tags = tags;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_follow_distribution() {
        let hex = "ab".repeat(32);
        let d = format!("sha256:{hex}");
        let p = blob_path(&d).unwrap();
        assert_eq!(p, format!("docker/registry/v2/blobs/sha256/ab/{hex}/data"));
        assert_eq!(digest::claimed_by_name(&p), Some(d));
        // The two-character folder must be the digest's own prefix.
        assert_eq!(digest::claimed_by_name(&format!("docker/registry/v2/blobs/sha256/cd/{hex}/data")), None);
        assert_eq!(blob_path("sha256:../x"), None);
        assert_eq!(blob_path("sha256:a"), None);
    }

    #[test]
    fn bookkeeping_files_are_links_and_uploads() {
        assert!(is_bookkeeping(ROOT, "docker/registry/v2/repositories/a/b/_layers/sha256/x/link"));
        assert!(is_bookkeeping(ROOT, "docker/registry/v2/repositories/a/_uploads/id/startedat"));
        assert!(!is_bookkeeping(ROOT, "docker/registry/v2/repositories/a/notes.txt"));
        assert!(!is_bookkeeping(ROOT, "docker/registry/v2/blobs/sha256/ab/ab/data"));
    }
}

//! What a registry storage tree (distribution's `docker/registry/v2`) says, by path: its
//! repositories, tags, revision and layer links, uploads and blobs. Read once by
//! [`crate::input::registry`]; the storage rules (RF001, RF003–RF006) read it from the dump.

use std::collections::{BTreeMap, HashMap, HashSet};

/// One `link` file.
#[derive(Debug, Clone)]
pub struct Link {
    /// Its store entry.
    pub entry: usize,
    /// Its path.
    pub path: String,
    /// The digest its path names (`<alg>:<hex>` from the folders), when the path names one.
    pub named: Option<String>,
    /// Its content, when it is a well-formed digest.
    pub digest: Option<String>,
    /// Why its content is not a well-formed digest (or could not be read).
    pub problem: Option<String>,
}

impl Link {
    /// The digest it points at: its content when well-formed.
    pub fn target(&self) -> Option<&str> {
        self.digest.as_deref()
    }
}

/// One tag of a repository.
#[derive(Debug, Clone, Default)]
pub struct Tag {
    /// The tag name.
    pub name: String,
    /// `current/link`: the revision the tag names now.
    pub current: Option<Link>,
    /// `index/<alg>/<hex>/link`: every revision the tag has named.
    pub index: Vec<Link>,
}

/// One repository of the storage.
#[derive(Debug, Clone, Default)]
pub struct Repo {
    /// The repository name (`library/alpine`).
    pub name: String,
    /// `_manifests/revisions/*/*/link`.
    pub revisions: Vec<Link>,
    /// Tags by name.
    pub tags: BTreeMap<String, Tag>,
    /// `_layers/*/*/link`.
    pub layers: Vec<Link>,
    /// Upload ids under `_uploads/` and the entries of each.
    pub uploads: BTreeMap<String, Vec<usize>>,
}

impl Repo {
    /// The digests linked in `_layers` (well-formed ones).
    pub fn layer_digests(&self) -> HashSet<&str> {
        self.layers.iter().filter_map(Link::target).collect()
    }

    /// The digests linked in `_manifests/revisions` (well-formed ones).
    pub fn revision_digests(&self) -> HashSet<&str> {
        self.revisions.iter().filter_map(Link::target).collect()
    }
}

/// Everything the storage tree says, by path.
#[derive(Debug, Clone, Default)]
pub struct Storage {
    /// Where the tree starts (`docker/registry/v2/`, perhaps below a folder).
    pub root: String,
    /// Repositories by name.
    pub repos: BTreeMap<String, Repo>,
    /// Blob `data` entries by the digest their path names.
    pub blobs: HashMap<String, usize>,
}

impl Storage {
    /// The `data` entry of a digest.
    pub fn blob(&self, d: &str) -> Option<usize> {
        self.blobs.get(d).copied()
    }
}

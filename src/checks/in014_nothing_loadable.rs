//! IN014 nothing-loadable.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{DocKind, Dump, Format, Target};

declare_rule! {
    /// ## What it does
    /// Reports a dump of a recognised format (OCI layout, docker-archive, skopeo dir…) from which
    /// no image and no artifact can be loaded, and says why: its manifests are missing or are not
    /// manifests, `manifest.json` lists no image… An OCI layout whose `index.json` lists no
    /// manifest at all is valid and empty (`umoci init` writes one; the image-spec allows it): it
    /// is not reported, and its summary says 0 images.
    ///
    /// ## Why is this bad?
    /// Loaders fail on it, and a check that passes on it verified nothing: a CI gate would wave
    /// through a dump that holds no image at all.
    ///
    /// ## Example
    /// An OCI layout whose `index.json` names one manifest of media type `application/badmedia+json`
    /// that is not in `blobs/`.
    ///
    /// ## How to fix
    /// Re-export the image with a tool that writes the whole image (`skopeo copy`, `crane pull`, `docker save`).
    ///
    /// ## Evidence
    /// The label points at the top-level document (`index.json`, `manifest.json`) when there is one.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/image-layout.md
    /// - https://github.com/moby/moby/blob/master/image/spec/v1.2.md
    pub RULE = ("IN014", "nothing-loadable", Error, "No image or artifact can be loaded from the dump");
}

/// Why the entries of a top-level list led to nothing.
fn why_entries(dump: &Dump, doc: usize, list: &str) -> String {
    let refs: Vec<_> = dump.refs.iter().filter(|r| r.doc == doc && r.pointer.starts_with(list)).collect();
    if refs.is_empty() {
        return "it lists no manifest".into();
    }
    let reasons: Vec<String> = refs
        .iter()
        .map(|r| {
            let mt = r.media_type.as_deref().map(|m| format!(" ({m})")).unwrap_or_default();
            let d = r.digest.as_deref().unwrap_or("a descriptor without digest");
            match &r.target {
                Target::Missing(_) => format!("`{d}`{mt} is not in the dump"),
                Target::Entry(_) if r.role == crate::model::Role::Index => {
                    format!("`{d}`{mt} is an index that leads to no manifest")
                }
                Target::Entry(_) => format!("`{d}`{mt} is not an image manifest or index"),
                Target::Unresolvable => format!("`{d}`{mt} is not a digest that names a blob"),
                Target::Unsafe(p) | Target::Loop(p) => format!("`{d}`{mt} leads out of the dump ({p})"),
            }
        })
        .collect();
    reasons.join("; ")
}

/// Reports dumps of a known format that hold no image or artifact.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if !dump.images.is_empty() || matches!(dump.format, Format::Unknown | Format::CosignJson) {
        return;
    }
    // A schema-1 manifest was found and checked as far as possible (IN015 says so).
    let schema1 = dump
        .docs
        .iter()
        .any(|d| d.kind == DocKind::Manifest && d.root().is_some_and(super::in015_docker_schema1_manifest::is_schema1));
    if schema1 {
        return;
    }
    let top = |name: &str| dump.docs.iter().position(|d| d.path == name);
    // An OCI layout whose index lists nothing is valid and empty (`umoci init` writes one, and
    // the image-spec allows it): the summary says 0 images; there is nothing that failed to load.
    let empty_index = top("index.json")
        .and_then(|i| dump.docs.get(i))
        .and_then(|d| d.root())
        .and_then(|r| r.get("manifests"))
        .and_then(|m| m.as_array())
        .is_some_and(|m| m.is_empty());
    if empty_index && matches!(dump.format, Format::OciLayout | Format::OciArchive) {
        return;
    }
    let (doc, why) = match dump.format {
        Format::OciLayout | Format::OciArchive | Format::DockerOciArchive => match top("index.json") {
            Some(i) if dump.docs.get(i).is_some_and(|d| d.root().is_some()) => {
                (Some(i), format!("index.json: {}", why_entries(dump, i, "/manifests/")))
            }
            Some(i) => (Some(i), "index.json could not be parsed".into()),
            None => (None, "there is no index.json".into()),
        },
        Format::DockerArchive | Format::CraneTarball => match top("manifest.json") {
            Some(i) if dump.docs.get(i).is_some_and(|d| d.root().is_some()) => {
                (Some(i), "manifest.json lists no image with a config and layers".into())
            }
            Some(i) => (Some(i), "manifest.json could not be parsed".into()),
            None => (None, "there is no manifest.json".into()),
        },
        Format::SkopeoDir => match top("manifest.json") {
            Some(i) => (Some(i), format!("manifest.json: {}", why_entries(dump, i, "/manifests/"))),
            None => (None, "there is no manifest.json".into()),
        },
        Format::DockerLegacy => (top("repositories"), "`repositories` names no loadable image".into()),
        // A storage is judged link by link (RF001, RF003…): an empty one is not an error.
        Format::Unknown | Format::CosignJson | Format::RegistryStorage => return,
    };
    let f = Finding::new(&RULE, &dump.input, format!("no image or artifact can be loaded from this dump: {why}"))
        .help("re-export the image with every manifest, config and layer it needs");
    out.push(match doc {
        Some(d) => at_json(f, dump, d, ""),
        None => f,
    });
}

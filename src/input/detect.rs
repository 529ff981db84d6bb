//! Format detection from the dump's members and their content, never from the file name.

use crate::model::{Dump, Format, json};
use crate::scan::sniff::Sniff;
use crate::store::{Backing, EntryKind};

/// Decides the format of a listed (and possibly scanned) dump.
pub fn detect(dump: &Dump) -> Format {
    let store = &dump.store;
    let has = |p: &str| store.find(p).is_some();
    let is_dir = matches!(store.backing, Backing::Dir(_)) && dump.outer_name.is_none();
    if super::registry::is_storage(store) {
        return Format::RegistryStorage;
    }
    if has("oci-layout") || has("index.json") {
        if has("manifest.json") {
            return Format::DockerOciArchive;
        }
        return if is_dir { Format::OciLayout } else { Format::OciArchive };
    }
    if let Some(idx) = store.find("manifest.json") {
        let bytes = store.read_all(idx, 64 << 20).ok();
        let root = bytes.as_deref().and_then(|b| json::parse(b).ok()).map(|p| p.root);
        match root.as_ref().map(|r| &r.value) {
            Some(json::Value::Object(_)) => return Format::SkopeoDir,
            Some(json::Value::Array(items)) => {
                let crane = items.iter().any(|item| {
                    // Go readers match the key case-insensitively (see model::go_json).
                    crate::model::go_json::get(item, "Config")
                        .and_then(json::Node::as_str)
                        .is_some_and(|c| c.rsplit('/').next().is_some_and(|b| b.starts_with("sha256:")))
                });
                return if crane { Format::CraneTarball } else { Format::DockerArchive };
            }
            _ => {
                // An unparseable or null manifest.json still marks a docker-style tarball.
                return Format::DockerArchive;
            }
        }
    }
    if has("repositories") {
        return Format::DockerLegacy;
    }
    if super::registry::root_of(store).is_some() {
        // A storage tree below a folder (a tar of the registry's root directory).
        return Format::RegistryStorage;
    }
    if dump.outer_name.is_some()
        && store.entries.len() == 1
        && store.entries.first().is_some_and(|e| e.kind == EntryKind::File)
        && matches!(dump.outer_sniff, Some(Sniff::Json))
    {
        return Format::CosignJson;
    }
    Format::Unknown
}

//! The evidence inventory: every blob of a dump, what it is, and which checks ran on it.

use crate::model::{Dump, Role};
use crate::report::InventoryItem;
use crate::store::EntryKind;

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Index => "index",
        Role::Manifest => "manifest",
        Role::Config => "config",
        Role::Layer => "layer",
        Role::Artifact => "artifact",
        Role::Subject => "subject",
    }
}

/// Builds the inventory of one checked dump.
pub fn inventory(dump: &Dump) -> Vec<InventoryItem> {
    let mut items = Vec::new();
    let mut refs_by_entry: std::collections::HashMap<usize, Vec<&crate::model::Reference>> = Default::default();
    for r in &dump.refs {
        if let Some(e) = r.entry() {
            refs_by_entry.entry(e).or_default().push(r);
        }
    }
    for (i, e) in dump.store.entries.iter().enumerate() {
        if e.kind != EntryKind::File {
            continue;
        }
        let scan = dump.scan(i);
        let refs: Vec<&crate::model::Reference> = refs_by_entry.get(&i).cloned().unwrap_or_default();
        let mut declared: Vec<String> =
            refs.iter().filter_map(|r| r.media_type.as_deref().map(str::to_string)).collect();
        declared.sort();
        declared.dedup();
        let mut roles: Vec<String> = refs.iter().map(|r| role_name(r.role).to_string()).collect();
        if dump.format_files.contains(&i) {
            roles.push("format-file".into());
        }
        if roles.is_empty() {
            roles.push("unreferenced".into());
        }
        roles.sort();
        roles.dedup();
        let mut checks = vec!["IN002"];
        if scan.is_some() {
            checks.extend(["DG001", "MT001"]);
        }
        if refs.iter().any(|r| r.size.is_some()) {
            checks.push("DG002");
        }
        if !declared.is_empty() {
            checks.extend(["MT002", "MT004"]);
        }
        if dump.docs.iter().any(|d| d.entry == Some(i)) {
            checks.extend(["IN003", "IN004", "IN005"]);
        }
        let is_layer = refs.iter().any(|r| r.role == Role::Layer);
        if is_layer && dump.deep {
            checks.extend(["DG003", "MT003", "LT010"]);
            if scan.is_some_and(|s| s.tar.is_some()) {
                checks.extend(crate::checks::layer_rule_codes());
            }
        }
        if refs.is_empty() {
            checks.push("RF002");
        }
        checks.sort();
        checks.dedup();
        items.push(InventoryItem {
            path: e.path.clone(),
            digest: scan.filter(|s| s.error.is_none()).map(|s| s.sha256.clone()),
            size: e.size,
            declared,
            sniffed: scan.map(|s| s.sniff.name().to_string()),
            decompressed: scan.and_then(|s| s.decoded.as_ref()).map(|d| d.inner.name().to_string()),
            roles,
            checks: checks.into_iter().map(str::to_string).collect(),
        });
    }
    items
}

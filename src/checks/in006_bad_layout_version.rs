//! IN006 bad-layout-version.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{DocKind, Dump, Format};

declare_rule! {
    /// ## What it does
    /// Checks that an OCI layout has an `oci-layout` file whose `imageLayoutVersion` is `1.0.0`.
    ///
    /// ## Why is this bad?
    /// Readers use the version to decide how to interpret the layout; a missing or unknown
    /// version makes conforming tools refuse the dump.
    ///
    /// ## Example
    /// `{"imageLayoutVersion": "2.0"}`, or no `oci-layout` file beside `index.json`.
    ///
    /// ## How to fix
    /// Write `{"imageLayoutVersion":"1.0.0"}` to `oci-layout`.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/image-layout.md#oci-layout-file
    pub RULE = ("IN006", "bad-layout-version", Error, "The oci-layout file is missing or has an unknown version");
}

/// Checks the layout version file.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if !matches!(dump.format, Format::OciLayout | Format::OciArchive | Format::DockerOciArchive) {
        return;
    }
    let Some((i, doc)) = dump.docs.iter().enumerate().find(|(_, d)| d.kind == DocKind::LayoutVersion) else {
        if dump.store.find("oci-layout").is_none() {
            out.push(
                Finding::new(&RULE, &dump.input, "the OCI layout has no `oci-layout` file")
                    .file("oci-layout")
                    .expected_actual("1.0.0", "missing")
                    .help("write {\"imageLayoutVersion\":\"1.0.0\"} to oci-layout"),
            );
        }
        return;
    };
    let Some(root) = doc.root() else { return };
    match root.get("imageLayoutVersion").map(|n| (n, n.as_str())) {
        Some((_, Some("1.0.0"))) => {}
        Some((n, v)) => {
            let actual = v.map(str::to_string).unwrap_or_else(|| n.type_name().to_string());
            let f = Finding::new(&RULE, &dump.input, format!("imageLayoutVersion is `{actual}`, not `1.0.0`"))
                .expected_actual("1.0.0", actual)
                .help("write {\"imageLayoutVersion\":\"1.0.0\"} to oci-layout");
            out.push(at_json(f, dump, i, "/imageLayoutVersion"));
        }
        None => {
            let f = Finding::new(&RULE, &dump.input, "oci-layout has no imageLayoutVersion")
                .expected_actual("1.0.0", "missing")
                .help("write {\"imageLayoutVersion\":\"1.0.0\"} to oci-layout");
            out.push(at_json(f, dump, i, ""));
        }
    }
}

//! LT001 path-traversal.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::listing::normalize;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a layer member whose path, normalised, climbs above the root (`../x`,
    /// `a/../../b`), whether readers see it through a PAX/GNU long name or the plain ustar name,
    /// or any other name some tar reader gives the member (see LT019).
    /// The dump's own archive (docker-archive, crane tarball, oci-archive) gets the same check on
    /// its member names.
    ///
    /// ## Why is this bad?
    /// An extractor that joins the member path to its target directory without clamping writes
    /// outside it: `../../etc/cron.d/evil` plants a file on the host (CVE-2007-4559 in Python's
    /// `tarfile`, zip-slip in many others). Docker and containerd clamp such paths to the root,
    /// so the image also unpacks differently depending on the tool.
    ///
    /// ## Example
    /// A layer tar with a member `../../../tmp/evil`, or a PAX `path=../../etc/passwd` record in
    /// front of a ustar header named `innocent`; a dump tar with a member `../../../tmp/x.tar.gz`.
    ///
    /// ## How to fix
    /// Rebuild the layer from a filesystem: no tool that builds images from a directory writes
    /// `..` components. Never unpack the layer with a tool that does not refuse such paths.
    ///
    /// ## Evidence
    /// `file` is the layer (or the dump member), `member` the path as written, `location` the
    /// member's first header (its PAX/GNU records included) in the uncompressed layer stream,
    /// or its header in the dump archive.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md
    /// - https://cwe.mitre.org/data/definitions/22.html
    /// - https://nvd.nist.gov/vuln/detail/CVE-2007-4559
    pub RULE = ("LT001", "path-traversal", Error, "A tar member path climbs above the root");
}

/// Reports members of layers and of the dump archive whose paths climb out of the root.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in &tar.entries {
            let msg = if e.path.contains("..") && normalize(&e.path).climbs_out {
                format!("layer member `{}` climbs above the root with `..`", e.path)
            } else if let Some(ustar) = e.ustar_name.as_deref().filter(|u| u.contains("..") && normalize(u).climbs_out)
            {
                format!(
                    "layer member `{}` has the ustar name `{ustar}`, which climbs above the root for readers that ignore PAX/GNU long names",
                    e.path
                )
            } else if let Some(o) =
                e.other_names.iter().find(|o| o.path.contains("..") && normalize(&o.path).climbs_out)
            {
                format!(
                    "layer member `{}` is written as `{}` by {}, which climbs above the root",
                    e.path,
                    o.path,
                    o.reader.describe()
                )
            } else {
                continue;
            };
            out.push(
                layer
                    .member_finding(&RULE, dump, e, msg)
                    .help("rebuild the layer; never unpack it with a tool that follows `..`"),
            );
        }
    }
    for e in &dump.store.entries {
        let Some(offset) = e.header_offset else { continue };
        if normalize(&e.path).climbs_out {
            out.push(
                Finding::new(
                    &RULE,
                    &dump.input,
                    format!("archive member `{}` climbs out of the dump with `..`; not opened", e.path),
                )
                .file(e.path.clone())
                .at(offset, 512)
                .help("re-export the dump; never extract it with a tool that follows such paths"),
            );
        }
    }
}

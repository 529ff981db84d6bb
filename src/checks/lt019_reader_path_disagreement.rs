//! LT019 reader-path-disagreement.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::layer::listing::normalize;
use crate::layer::walk::{OtherName, TarEntry};
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a layer member that tar readers write under different paths, and says which
    /// reader writes which path: Go's `archive/tar` (containerd, Docker, Podman, crane) and, where
    /// they differ, readers that ignore PAX and GNU extensions (the ustar name), GNU tar and
    /// libarchive (which take no prefix from a GNU header), readers that apply a PAX `path` but not
    /// a GNU long name or `GNU.sparse.name`, and readers that merge several PAX headers. It is an
    /// error when any of those paths climbs above the root or is absolute, a warning otherwise.
    ///
    /// ## Why is this bad?
    /// A scanner that reads the layer with one parser and a runtime that unpacks it with another
    /// see two different layers: the file a scan calls `usr/share/doc/readme` is written by the
    /// runtime as `etc/cron.d/evil`. Every name some reader may use has to pass the path rules.
    ///
    /// What each reader does:
    /// - **Go `archive/tar`**: the ustar name (with the ustar prefix, or for a GNU header whose
    ///   atime/ctime are not numbers, bytes 345–500 as a prefix), replaced by the last PAX `x`
    ///   header's `path`, then by a GNU long name, then by `GNU.sparse.name`.
    /// - **containerd**: writes Go's name (cleaned and clamped under the root).
    /// - **GNU tar**: the same order for PAX and GNU long names (last `x` header wins), no prefix
    ///   from GNU headers, and `GNU.sparse.name` for PAX sparse members.
    ///
    /// ## Example
    /// Two PAX headers before one member, `path=etc/cron.d/evil` then
    /// `path=usr/share/doc/readme`; a GNU header named `evil` whose atime field holds
    /// `../../../etc/cron.d`.
    ///
    /// ## How to fix
    /// Rebuild the layer with a standard writer: they write one name per member.
    ///
    /// ## Evidence
    /// `member` is Go's path, `location` the member's headers (PAX/GNU records included) in the
    /// uncompressed layer stream; the message lists every reader's path.
    ///
    /// ## Limits
    /// A ustar name that is a truncation of the long name, and GNU tar's `GNUSparseFile.N/` placeholder
    /// of a sparse member, are what writers emit: they are not reported unless one of the paths
    /// climbs out or is absolute.
    ///
    /// ## References
    /// - https://github.com/golang/go/blob/master/src/archive/tar/reader.go
    /// - https://www.gnu.org/software/tar/manual/html_node/Sparse-Formats.html
    /// - https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
    pub RULE = ("LT019", "reader-path-disagreement", Warning, "Tar readers write a layer member under different paths");
}

/// Whether a path climbs above the root or is absolute (what LT001 and LT002 report).
pub(crate) fn dangerous(p: &str) -> bool {
    p.starts_with('/') || (p.contains("..") && normalize(p).climbs_out)
}

/// The finding for one member, if its readers disagree in a way worth reporting.
fn finding_for(e: &TarEntry) -> Option<(String, bool)> {
    let any_danger = dangerous(&e.path) || e.other_names.iter().any(|o| dangerous(&o.path));
    let shown: Vec<&OtherName> = e.other_names.iter().filter(|o| any_danger || !o.is_benign_beside(&e.path)).collect();
    if shown.is_empty() {
        return None;
    }
    let others: Vec<String> = shown.iter().map(|o| format!("{} write `{}`", o.reader.describe(), o.path)).collect();
    let msg = format!(
        "layer member `{}`: tar readers disagree on its path: Go's archive/tar (containerd, Docker, Podman) writes `{}`; {}",
        e.path,
        e.path,
        others.join("; ")
    );
    Some((msg, any_danger))
}

/// Reports members whose path depends on the reader.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in tar.entries.iter().filter(|e| !e.other_names.is_empty()) {
            let Some((msg, danger)) = finding_for(e) else { continue };
            let mut f = layer
                .member_finding(&RULE, dump, e, msg)
                .help("rebuild the layer with a standard tar writer, which writes one name per member");
            if danger {
                f = f.severity(Severity::Error);
            }
            out.push(f);
        }
    }
}

//! IN008 archive-anomaly.

use super::lt014_header_anomaly::describe;
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::layer::walk::EndMarker;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Checks how the dump's own tar (a `docker save` or `crane pull` tarball, an oci-archive,
    /// plain or compressed as a whole) is built around its members: that it ends with the
    /// end-of-archive marker (two zero blocks), that nothing but zeros follows the marker, and
    /// that its headers carry no anomaly readers disagree on (the ones that stop the listing
    /// are IN002).
    ///
    /// ## Why is this bad?
    /// A dump cut during transfer exactly at a member boundary lists cleanly: the missing end
    /// marker is the only trace. Bytes after the marker are invisible to tar readers but can
    /// carry a second payload (a polyglot file), and header anomalies make tools disagree about
    /// which members the dump holds.
    ///
    /// ## Example
    /// `head -c 1048576 image.tar > cut.tar` when the first megabyte ends between two members;
    /// `cat image.tar payload.zip > image2.tar`.
    ///
    /// ## How to fix
    /// Re-transfer or re-export the dump with the tool that made it.
    ///
    /// ## Evidence
    /// `location` is the end of the last member, the first nonzero byte after the marker, or
    /// the header concerned, in the (uncompressed) archive.
    ///
    /// ## References
    /// - https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13_06
    pub RULE = ("IN008", "archive-anomaly", Warning, "The dump's own tar is cut short or carries bytes tar readers do not see");
}

/// Reports how the dump archive ends and its header anomalies.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let Some(a) = dump.store.archive.as_ref() else { return };
    let finding = |message: String| Finding::new(&RULE, &dump.input, message).help("re-transfer or re-export the dump");
    for anomaly in &a.anomalies {
        if let Some(what) = describe(&anomaly.kind) {
            out.push(
                finding(format!("the archive's header at offset {}: {what}", anomaly.offset)).at(anomaly.offset, 512),
            );
        }
    }
    if let Some(at) = a.after_single_zero {
        out.push(
            finding(format!(
                "a header follows a single zero block at offset {at}: readers disagree whether the archive ends there (Go's reader fails, others stop, GNU tar -i reads on)"
            ))
            .at(at, 512),
        );
    }
    if !a.complete {
        return;
    }
    match a.end {
        EndMarker::Missing => out.push(
            finding(format!(
                "the archive ends after {} bytes without its end-of-archive marker (two zero blocks): it may have been cut short at a member boundary",
                a.size
            ))
            .at(a.size, 0),
        ),
        EndMarker::OneZeroBlock => out.push(
            finding("the archive ends after one zero block; the end-of-archive marker is two".to_string())
                .severity(Severity::Note)
                .at(a.end_offset.unwrap_or(0), 512),
        ),
        EndMarker::TwoZeroBlocks => {}
    }
    if a.trailing_nonzero > 0 {
        let at = a.trailing_offset.unwrap_or(0);
        let read = if a.trailing_capped { "read before the limit" } else { "in all" };
        out.push(
            finding(format!(
                "{} nonzero bytes follow the end-of-archive marker (first at offset {at}, {} bytes after the marker {read}): tar readers do not see them",
                a.trailing_nonzero, a.bytes_after_end
            ))
            .at(at, a.bytes_after_end.min(512)),
        );
    }
}

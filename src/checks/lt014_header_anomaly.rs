//! LT014 header-anomaly.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::walk::{AnomalyKind, NameField, NameSource, NumField, NumProblem, TarFacts, TruncatedIn};
use crate::model::Dump;

/// Largest size the 11 octal digits of a ustar size field hold; writers put larger sizes in PAX.
const USTAR_MAX_SIZE: u64 = (1 << 33) - 1;

declare_rule! {
    /// ## What it does
    /// Reports tar header facts on which tar readers disagree: a bad header checksum (the walk
    /// stops there), non-UTF-8 names, a PAX or GNU long link target that disagrees with the ustar
    /// one (beyond the usual truncation; path disagreements are LT019's), a PAX `size` that
    /// conflicts with the header's, malformed
    /// PAX records, unreadable numeric fields, oversized or orphan extension records, links or
    /// directories with a data size, PAX global headers, sparse members, and a stream that ends
    /// inside a member. Those of these that make Go's reader fail are also reported as LT017.
    ///
    /// ## Why is this bad?
    /// Each of these makes two tools see two different layers: a scanner that ignores PAX
    /// records reads `innocent` where Docker unpacks `../../etc/passwd`; a reader that trusts the
    /// ustar size takes file data for the next header. Security tools that scan with one parser
    /// and runtimes that unpack with another are exactly what an attacker plays against.
    ///
    /// ## Example
    /// A PAX header with `path=etc/cron.d/evil` in front of a ustar header named `README`; a
    /// PAX `size=3` for a header that says 700 bytes; a header with a corrupted checksum.
    ///
    /// ## How to fix
    /// Rewrite the layer with a standard tar writer (Go's `archive/tar`, GNU tar, libarchive).
    ///
    /// ## Evidence
    /// `member` is the member concerned (when its header was read), `location` the header (its
    /// PAX/GNU records included) in the uncompressed layer stream; the message names the field.
    ///
    /// ## Limits
    /// A ustar name that is a truncation of the long name (what writers emit), base-256 numbers
    /// (GNU, read by every modern reader) and a zero header size for PAX sizes beyond 8 GiB are
    /// normal and not reported. A stream cut by a decoder error (LT010) or limit (LT013) is not
    /// reported as truncated, and headers decoded from the gzip member (or zstd stream) that
    /// failed are not reported at all: they may be garbage inflated from corrupt data.
    ///
    /// ## References
    /// - https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
    /// - https://www.gnu.org/software/tar/manual/html_node/Standard.html
    /// - https://github.com/golang/go/blob/master/src/archive/tar/reader.go
    pub RULE = ("LT014", "header-anomaly", Warning, "A layer tar header is read differently by different tools");
}

/// The name of a numeric field.
fn num_name(f: NumField) -> &'static str {
    match f {
        NumField::Mode => "mode",
        NumField::Uid => "uid",
        NumField::Gid => "gid",
        NumField::Size => "size",
    }
}

/// The sentence for an anomaly, or `None` when it is benign.
pub(crate) fn describe(kind: &AnomalyKind) -> Option<String> {
    Some(match kind {
        AnomalyKind::BadChecksum => "header checksum does not match; readers stop or skip here".into(),
        AnomalyKind::NonUtf8Path => "path is not valid UTF-8".into(),
        AnomalyKind::NonUtf8LinkTarget => "link target is not valid UTF-8".into(),
        AnomalyKind::NameDisagreement { ustar_is_truncation: true, .. } => return None,
        // Path disagreements are reported once per member, with every reader's path, by LT019.
        AnomalyKind::NameDisagreement { field: NameField::Path, .. } => return None,
        AnomalyKind::GnuPrefixFallback { .. } => return None,
        AnomalyKind::NameDisagreement { field, source, long, ustar, .. } => {
            let what = if *field == NameField::Path { "path" } else { "link target" };
            let ext = if *source == NameSource::Pax { "PAX" } else { "GNU long-name" };
            format!("{ext} {what} `{long}` disagrees with the ustar {what} `{ustar}` that readers ignoring {ext} see")
        }
        AnomalyKind::PaxSizeConflict { header: 0, pax } if *pax > USTAR_MAX_SIZE => return None,
        AnomalyKind::PaxSizeConflict { header, pax } => {
            format!("PAX size {pax} conflicts with the header size {header}; readers skip different data")
        }
        AnomalyKind::Base256 { .. } => return None,
        AnomalyKind::BadNumber { field, problem } => {
            let why = match problem {
                NumProblem::Negative => "is negative",
                NumProblem::Overflow => "overflows",
                NumProblem::Invalid => "is not a number",
            };
            let stop = if *field == NumField::Size { "; the walk stops here" } else { "" };
            format!("header field `{}` {why}{stop}", num_name(*field))
        }
        AnomalyKind::PaxMalformed { reason } => {
            format!("malformed PAX record ({reason}): Go refuses the layer (LT017), other readers ignore later records")
        }
        AnomalyKind::ExtensionTooLarge { typeflag, size } => {
            format!("extension record `{}` of {size} bytes is over the limit and was skipped", char::from(*typeflag))
        }
        AnomalyKind::ExtensionWithoutEntry => "PAX/GNU extension records are not followed by a member".into(),
        AnomalyKind::HeaderOnlyTypeWithSize { size } => {
            format!("a link, device or directory declares {size} bytes of data: Go skips none, other readers skip them")
        }
        AnomalyKind::GlobalPaxHeader => "PAX global header: GNU tar applies it to later members, Go ignores it".into(),
        AnomalyKind::NameTooLong { field, len } => {
            let what = if *field == NameField::Path { "path" } else { "link target" };
            format!("{what} of {len} bytes is over the name limit and was cut")
        }
        AnomalyKind::Sparse => "GNU sparse member: its contents differ between readers".into(),
    })
}

/// The member (if any) whose headers start or sit at `offset`.
fn member_at(tar: &TarFacts, offset: u64) -> Option<&crate::layer::walk::TarEntry> {
    let i = tar.entries.partition_point(|e| e.offset < offset);
    tar.entries.get(i).filter(|e| e.offset == offset).or_else(|| {
        let j = tar.entries.partition_point(|e| e.header_offset < offset);
        tar.entries.get(j).filter(|e| e.header_offset == offset)
    })
}

/// Reports header anomalies and mid-entry truncation.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        // Headers decoded from a member that failed to decode (LT010) are no evidence.
        let until = layer.evidence_until();
        for a in tar.anomalies.iter().filter(|a| a.offset < until) {
            let Some(what) = describe(&a.kind) else { continue };
            let f = match member_at(tar, a.offset) {
                Some(e) => layer.member_finding(&RULE, dump, e, format!("layer member `{}`: {what}", e.path)),
                None => layer.finding(&RULE, dump, format!("header at offset {}: {what}", a.offset)).at(a.offset, 512),
            };
            out.push(f.help("rewrite the layer with a standard tar writer"));
        }
        if tar.anomalies_capped {
            out.push(layer.finding(
                &RULE,
                dump,
                format!("layer `{}` has more header anomalies than recorded; only the first are listed", layer.file),
            ));
        }
        if let Some(t) = tar.truncated.filter(|_| layer.stream_complete()) {
            let within = match t.within {
                TruncatedIn::Header => "a header",
                TruncatedIn::Extension => "an extension record",
                TruncatedIn::Data => "member data",
                TruncatedIn::Padding => "the padding after member data",
            };
            let what = format!("the stream ends inside {within}, {} bytes short", t.missing);
            let f = match member_at(tar, t.entry_offset) {
                Some(e) => layer.member_finding(&RULE, dump, e, format!("layer member `{}`: {what}", e.path)),
                None => layer
                    .finding(&RULE, dump, format!("layer `{}`: {what}", layer.file))
                    .at(t.entry_offset, tar.total_size.saturating_sub(t.entry_offset)),
            };
            out.push(f.help("the layer is cut: re-export it from its source"));
        }
    }
}

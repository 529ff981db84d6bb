//! Rules of the `CF` (configuration) family, reported about `ocidig.toml` itself.
//!
//! The lead adds [`CF001`] and [`CF002`] to the registry; [`RULES`] lists both.

use crate::declare_rule;
use crate::diag::Rule;

declare_rule! {
    /// ## What it does
    /// Reports an `[[ignore]]` entry in `ocidig.toml` whose `expires` date has passed.
    ///
    /// ## Why is this bad?
    /// An ignore with an expiry date is a promise to look again. Once the date has passed the
    /// ignore no longer applies, so the findings it used to accept fail the run again, and the
    /// reviewer who wrote the reason may no longer be around to say whether it still holds.
    ///
    /// ## Example
    /// ```toml
    /// [[ignore]]
    /// rule = "DG001"
    /// input = "dumps/*.tar"
    /// reason = "upstream re-tags the base image; fixed in the next release"
    /// expires = 2024-01-31
    /// ```
    ///
    /// ## How to fix
    /// Re-check the findings the entry covered. If the reason still holds, move `expires` to a
    /// new date; if the problem is fixed, delete the entry.
    ///
    /// ## References
    /// - cargo-deny: `[advisories] ignore` entries with a reason
    /// - ocidig documentation, "Configuration file"
    pub CF001 = ("CF001", "ignore-expired", Warning, "An [[ignore]] entry in the configuration has expired");
}

declare_rule! {
    /// ## What it does
    /// Reports an `[[ignore]]` entry in `ocidig.toml` that matched no finding in this run.
    ///
    /// ## Why is this bad?
    /// A stale ignore hides nothing today but will silently accept a future finding that
    /// happens to match it, without anyone re-reading its reason. It also makes the review
    /// record claim a problem exists when it does not.
    ///
    /// ## Example
    /// ```toml
    /// [[ignore]]
    /// rule = "blob-digest-mismatch"
    /// input = "old-image.tar"
    /// reason = "known corrupt layer in the 2023 export"
    /// ```
    /// and no input named `old-image.tar` is examined, or it has no such finding any more.
    ///
    /// ## How to fix
    /// Delete the entry, or correct its `rule`, `input`, `file` or `blob` so that it matches the
    /// finding it was written for.
    ///
    /// ## References
    /// - ruff: `RUF100` unused-noqa
    /// - ocidig documentation, "Configuration file"
    pub CF002 = ("CF002", "ignore-unused", Warning, "An [[ignore]] entry in the configuration matched no finding");
}

/// The rules defined by the policy layer, in code order.
pub const RULES: [Rule; 2] = [CF001, CF002];

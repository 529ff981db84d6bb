//! The rule registry: every rule, in code order, and the checks that produce them.

use super::*;
use crate::diag::{Finding, Rule};
use crate::model::Dump;

/// A check function: reads one dump, appends findings.
pub type CheckFn = fn(&Dump, &mut Vec<Finding>);

/// A registered check.
pub struct Check {
    /// The rule it reports.
    pub rule: &'static Rule,
    /// The function.
    pub run: CheckFn,
}

/// Every check over a dump, in code order.
pub const CHECKS: &[Check] = &[
    Check { rule: &at001_attestation_subject_mismatch::RULE, run: at001_attestation_subject_mismatch::check },
    Check { rule: &at002_malformed_envelope::RULE, run: at002_malformed_envelope::check },
    Check { rule: &at003_unsigned_envelope::RULE, run: at003_unsigned_envelope::check },
    Check { rule: &at004_predicate_type_mismatch::RULE, run: at004_predicate_type_mismatch::check },
    Check { rule: &at005_statement_invalid::RULE, run: at005_statement_invalid::check },
    Check { rule: &at006_inner_document_invalid::RULE, run: at006_inner_document_invalid::check },
    Check { rule: &dg001_blob_digest_mismatch::RULE, run: dg001_blob_digest_mismatch::check },
    Check { rule: &dg002_size_mismatch::RULE, run: dg002_size_mismatch::check },
    Check { rule: &dg003_diff_id_mismatch::RULE, run: dg003_diff_id_mismatch::check },
    Check { rule: &dg004_diff_id_count_mismatch::RULE, run: dg004_diff_id_count_mismatch::check },
    Check { rule: &dg005_invalid_digest::RULE, run: dg005_invalid_digest::check },
    Check { rule: &in001_unrecognized_input::RULE, run: in001_unrecognized_input::check },
    Check { rule: &in002_unreadable_entry::RULE, run: in002_unreadable_entry::check },
    Check { rule: &in003_invalid_json::RULE, run: in003_invalid_json::check },
    Check { rule: &in004_duplicate_json_key::RULE, run: in004_duplicate_json_key::check },
    Check { rule: &in005_schema_violation::RULE, run: in005_schema_violation::check },
    Check { rule: &in006_bad_layout_version::RULE, run: in006_bad_layout_version::check },
    Check { rule: &in007_unsafe_reference_path::RULE, run: in007_unsafe_reference_path::check },
    Check { rule: &in008_archive_anomaly::RULE, run: in008_archive_anomaly::check },
    Check { rule: &in009_duplicate_member::RULE, run: in009_duplicate_member::check },
    Check { rule: &in010_special_file::RULE, run: in010_special_file::check },
    Check { rule: &in011_legacy_parent_chain::RULE, run: in011_legacy_parent_chain::check },
    Check { rule: &lt001_path_traversal::RULE, run: lt001_path_traversal::check },
    Check { rule: &lt002_absolute_path::RULE, run: lt002_absolute_path::check },
    Check { rule: &lt003_link_escape::RULE, run: lt003_link_escape::check },
    Check { rule: &lt004_device_node::RULE, run: lt004_device_node::check },
    Check { rule: &lt005_setuid_setgid::RULE, run: lt005_setuid_setgid::check },
    Check { rule: &lt006_duplicate_path::RULE, run: lt006_duplicate_path::check },
    Check { rule: &lt007_whiteout_anomaly::RULE, run: lt007_whiteout_anomaly::check },
    Check { rule: &lt008_gzip_trailing_data::RULE, run: lt008_gzip_trailing_data::check },
    Check { rule: &lt009_multi_member_gzip::RULE, run: lt009_multi_member_gzip::check },
    Check { rule: &lt010_corrupt_stream::RULE, run: lt010_corrupt_stream::check },
    Check { rule: &lt011_tar_missing_end::RULE, run: lt011_tar_missing_end::check },
    Check { rule: &lt012_tar_trailing_data::RULE, run: lt012_tar_trailing_data::check },
    Check { rule: &lt013_decompression_limit::RULE, run: lt013_decompression_limit::check },
    Check { rule: &lt014_header_anomaly::RULE, run: lt014_header_anomaly::check },
    Check { rule: &lt015_world_writable::RULE, run: lt015_world_writable::check },
    Check { rule: &lt016_walk_limit::RULE, run: lt016_walk_limit::check },
    Check { rule: &lt017_runtime_refuses_layer::RULE, run: lt017_runtime_refuses_layer::check },
    Check { rule: &lt018_unsupported_typeflag::RULE, run: lt018_unsupported_typeflag::check },
    Check { rule: &lt019_reader_path_disagreement::RULE, run: lt019_reader_path_disagreement::check },
    Check { rule: &lt020_write_through_link::RULE, run: lt020_write_through_link::check },
    Check { rule: &lt021_estargz_toc_mismatch::RULE, run: lt021_estargz_toc_mismatch::check },
    Check { rule: &lt022_root_member::RULE, run: lt022_root_member::check },
    Check { rule: &mt001_extension_mismatch::RULE, run: mt001_extension_mismatch::check },
    Check { rule: &mt002_media_type_mismatch::RULE, run: mt002_media_type_mismatch::check },
    Check { rule: &mt003_layer_not_tar::RULE, run: mt003_layer_not_tar::check },
    Check { rule: &mt004_unknown_media_type::RULE, run: mt004_unknown_media_type::check },
    Check { rule: &mt005_mixed_manifest_media_types::RULE, run: mt005_mixed_manifest_media_types::check },
    Check { rule: &rf001_missing_blob::RULE, run: rf001_missing_blob::check },
    Check { rule: &rf002_orphan_blob::RULE, run: rf002_orphan_blob::check },
    Check { rule: &rf003_registry_tag_broken::RULE, run: rf003_registry_tag_broken::check },
    Check { rule: &rf004_registry_blob_unlinked::RULE, run: rf004_registry_blob_unlinked::check },
    Check { rule: &rf005_registry_upload_leftover::RULE, run: rf005_registry_upload_leftover::check },
    Check { rule: &rf006_registry_link_malformed::RULE, run: rf006_registry_link_malformed::check },
    Check { rule: &sg001_signature_target_mismatch::RULE, run: sg001_signature_target_mismatch::check },
    Check { rule: &sg002_signature_payload_invalid::RULE, run: sg002_signature_payload_invalid::check },
    Check { rule: &sg003_signature_missing::RULE, run: sg003_signature_missing::check },
    Check { rule: &sg009_signature_target_absent::RULE, run: sg009_signature_target_absent::check },
    Check { rule: &sg010_image_unsigned::RULE, run: sg010_image_unsigned::check },
    Check { rule: &dg006_unverified_digest::RULE, run: dg006_unverified_digest::check },
    Check { rule: &in013_go_folded_key::RULE, run: in013_go_folded_key::check },
    Check { rule: &in014_nothing_loadable::RULE, run: in014_nothing_loadable::check },
    Check { rule: &in015_docker_schema1_manifest::RULE, run: in015_docker_schema1_manifest::check },
    Check { rule: &mt006_malformed_media_type::RULE, run: mt006_malformed_media_type::check },
    Check { rule: &mt007_crane_json_layer_name::RULE, run: mt007_crane_json_layer_name::check },
    Check { rule: &mt008_cosign_mixed_media_types::RULE, run: mt008_cosign_mixed_media_types::check },
    Check { rule: &sg011_signature_material_malformed::RULE, run: sg011_signature_material_malformed::check },
];

/// Every rule known to ocidig, sorted by code.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = CHECKS.iter().map(|c| c.rule).collect();
    rules.extend(EXTRA_RULES.iter().copied());
    rules.sort_by_key(|r| r.code);
    rules.dedup_by_key(|r| r.code);
    rules
}

/// Rules reported outside the per-dump checks (sigstore, policy).
const EXTRA_RULES: &[&Rule] = &[
    &crate::policy::rules::CF001,
    &crate::policy::rules::CF002,
    &sg004_signature_invalid::RULE,
    &sg005_signature_unverified::RULE,
    &sg006_certificate_invalid::RULE,
    &sg007_tlog_entry_invalid::RULE,
    &sg008_identity_mismatch::RULE,
    &in017_stray_file::RULE,
    &sg015_bundle_invalid::RULE,
    &sg016_timestamp_invalid::RULE,
];

/// Every rule as owned values (for emitters and policy, which take slices of rules).
pub fn rules_owned() -> Vec<Rule> {
    all_rules().into_iter().copied().collect()
}

/// Looks a rule up by code or name (case-insensitive for codes).
pub fn find(key: &str) -> Option<&'static Rule> {
    all_rules().into_iter().find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let rules = all_rules();
        let mut codes: Vec<_> = rules.iter().map(|r| r.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), rules.len());
        let mut names: Vec<_> = rules.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), rules.len());
        assert_eq!(crate::report::rules_doc::incomplete_rules(&rules_owned()), vec![]);
    }
}

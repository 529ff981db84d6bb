//! Checks: one file per rule, and the registry that lists them.
//!
//! Each rule file declares its rule (code, name, default severity, documentation) and a
//! `check` function that turns model facts into findings. Only checks decide what is wrong.

pub mod artifact_util;
pub mod layers;
pub mod registry;
pub mod schema;
pub mod util;

pub mod at001_attestation_subject_mismatch;
pub mod at002_malformed_envelope;
pub mod at003_unsigned_envelope;
pub mod at004_predicate_type_mismatch;
pub mod at005_statement_invalid;
pub mod at006_inner_document_invalid;
pub mod dg001_blob_digest_mismatch;
pub mod dg002_size_mismatch;
pub mod dg003_diff_id_mismatch;
pub mod dg004_diff_id_count_mismatch;
pub mod dg005_invalid_digest;
pub mod in001_unrecognized_input;
pub mod in002_unreadable_entry;
pub mod in003_invalid_json;
pub mod in004_duplicate_json_key;
pub mod in005_schema_violation;
pub mod in006_bad_layout_version;
pub mod in007_unsafe_reference_path;
pub mod in008_archive_anomaly;
pub mod in009_duplicate_member;
pub mod in010_special_file;
pub mod in011_legacy_parent_chain;
pub mod in017_stray_file;
pub mod lt001_path_traversal;
pub mod lt002_absolute_path;
pub mod lt003_link_escape;
pub mod lt004_device_node;
pub mod lt005_setuid_setgid;
pub mod lt006_duplicate_path;
pub mod lt007_whiteout_anomaly;
pub mod lt008_gzip_trailing_data;
pub mod lt009_multi_member_gzip;
pub mod lt010_corrupt_stream;
pub mod lt011_tar_missing_end;
pub mod lt012_tar_trailing_data;
pub mod lt013_decompression_limit;
pub mod lt014_header_anomaly;
pub mod lt015_world_writable;
pub mod lt016_walk_limit;
pub mod lt017_runtime_refuses_layer;
pub mod lt018_unsupported_typeflag;
pub mod lt019_reader_path_disagreement;
pub mod lt020_write_through_link;
pub mod lt021_estargz_toc_mismatch;
pub mod lt022_root_member;
pub mod mt001_extension_mismatch;
pub mod mt002_media_type_mismatch;
pub mod mt003_layer_not_tar;
pub mod mt004_unknown_media_type;
pub mod mt005_mixed_manifest_media_types;
pub mod rf001_missing_blob;
pub mod rf002_orphan_blob;
pub mod rf003_registry_tag_broken;
pub mod rf004_registry_blob_unlinked;
pub mod rf005_registry_upload_leftover;
pub mod rf006_registry_link_malformed;
pub mod sg001_signature_target_mismatch;
pub mod sg002_signature_payload_invalid;
pub mod sg003_signature_missing;
pub mod sg004_signature_invalid;
pub mod sg005_signature_unverified;
pub mod sg006_certificate_invalid;
pub mod sg007_tlog_entry_invalid;
pub mod sg008_identity_mismatch;
pub mod sg009_signature_target_absent;
pub mod sg010_image_unsigned;

pub mod dg006_unverified_digest;
pub mod in013_go_folded_key;
pub mod in014_nothing_loadable;
pub mod in015_docker_schema1_manifest;
pub mod mt006_malformed_media_type;
pub mod mt007_crane_json_layer_name;
pub mod mt008_cosign_mixed_media_types;
pub mod sg011_signature_material_malformed;
pub mod sg015_bundle_invalid;
pub mod sg016_timestamp_invalid;

use crate::diag::Finding;
use crate::model::Dump;

/// Runs every registered check on one dump.
pub fn run_all(dump: &Dump) -> Vec<Finding> {
    let mut out = Vec::new();
    for check in registry::CHECKS {
        (check.run)(dump, &mut out);
    }
    out
}

/// Codes of the rules that read layer tar walks (filled in as layer rules are registered).
pub fn layer_rule_codes() -> Vec<&'static str> {
    registry::all_rules().iter().filter(|r| r.code.starts_with("LT")).map(|r| r.code).collect()
}

//! ocidig examines container-image dumps offline and tells the truth about them.
//!
//! Pipeline: [`input`] detects the format and opens a read-only [`store`]; [`model`] parses every
//! document leniently, keeping raw bytes and spans; [`scan`] streams every blob once (hashes,
//! sniffed type, decompression, tar walk) in parallel; [`checks`] turn facts into findings;
//! [`sigstore`] decodes and verifies signatures; [`report`] emits human, JSON and other formats.

pub mod analyze;
pub mod checks;
pub mod cli;
pub mod diag;
pub mod input;
pub mod inventory;
pub mod layer;
pub mod model;
pub mod policy;
pub mod progress;
pub mod report;
pub mod scan;
pub mod sigstore;
pub mod store;
pub mod tar;

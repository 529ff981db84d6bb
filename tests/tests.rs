//! Integration tests: one binary, topic modules (ripgrep's layout).

mod cli;
mod conformance;
mod corpus;
mod fixtures;
mod formats;
mod layers;
mod policy;
mod readonly;
mod robustness;
mod rules;
mod sigstore;
mod util;
mod verify;

//! Integration tests: one binary, topic modules (ripgrep's layout).

mod cli;
mod corpus;
mod fixtures;
mod folders;
mod formats;
mod layers;
mod policy;
mod readonly;
mod real_world;
mod registry;
mod robustness;
mod rules;
mod sigstore;
mod stream;
mod tar_differential;
mod tar_readers;
mod trust;
mod util;
mod verify;

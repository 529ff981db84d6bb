//! Integration tests: one binary, topic modules (ripgrep's layout).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod cli;
mod conformance;
mod corpus;
mod fixtures;
mod folders;
mod formats;
mod hostile;
mod layers;
mod policy;
mod readonly;
mod real_world;
mod registry;
mod robustness;
mod rules;
mod sigstore;
mod spec;
mod stream;
mod tar_differential;
mod tar_readers;
mod terminal;
mod trust;
mod util;
mod verify;

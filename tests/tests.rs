//! Integration tests: one binary, topic modules (ripgrep's layout).

mod cli;
mod corpus;
mod fixtures;
mod formats;
mod hostile;
mod layers;
mod policy;
mod readonly;
mod robustness;
mod rules;
mod sigstore;
mod terminal;
mod util;
mod verify;

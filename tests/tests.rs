//! Integration tests: one binary, topic modules (ripgrep's layout).

mod cli;
mod corpus;
mod fixtures;
mod formats;
mod layers;
mod readonly;
mod rules;
mod util;

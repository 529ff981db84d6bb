//! The lenient model: every parsed document keeps its raw bytes and field spans.

pub mod json;

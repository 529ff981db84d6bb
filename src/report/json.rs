//! JSON output.

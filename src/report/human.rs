//! Human output: miette diagnostics and a summary per input.

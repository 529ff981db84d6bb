//! Read-only blob stores over a directory or a tar file.

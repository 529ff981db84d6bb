//! Offline signature, certificate and transparency-log verification.

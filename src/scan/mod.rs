//! The streaming scan of one blob: hashes, sniffed type, decompression, tar walk.

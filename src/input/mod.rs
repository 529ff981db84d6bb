//! Input readers: detect a dump's format and open it as a blob store.

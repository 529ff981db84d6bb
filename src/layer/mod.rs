//! Layer tar streams: the header walk and the facts it records.
pub mod walk;

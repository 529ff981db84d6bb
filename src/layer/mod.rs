//! Layer tar streams: the header walk and the facts it records ([`walk`]), and the pure functions
//! that merge, summarise and resolve paths over those facts ([`listing`]).
pub mod listing;
pub mod walk;

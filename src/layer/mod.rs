//! Layer tar streams: the header walk and the facts it records ([`walk`]), the pure functions
//! that merge, summarise and resolve paths over those facts ([`listing`]), and paths resolved
//! through the symlinks of an image's merged filesystem ([`resolve`]), and eStargz tables of
//! contents ([`estargz`]).
pub mod estargz;
pub mod listing;
pub mod resolve;
pub mod walk;

//! Helpers shared by the examples (not part of the library).

pub mod plot;

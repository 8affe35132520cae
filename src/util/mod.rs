//! Small self-contained helpers shared by several modules.

pub mod atomic_write;
pub mod rng;

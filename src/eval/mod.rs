//! Scoring predicted class maps against ground truth ([`metrics`]).

pub mod metrics;

pub use metrics::{ClassScore, Confusion, Summary};

//! Scoring predicted class maps against ground truth ([`metrics`]).

pub mod consistency;
pub mod metrics;

pub use metrics::{ClassProtocol, ClassScore, Confusion, SCANNET20, Summary};

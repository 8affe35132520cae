//! Training data for the fusion network: per view, the rendered RGB, the splatted encoder
//! feature image, depth and the ground-truth label map, as `.npy` files plus a manifest.
//!
//! - [`views`]: which cameras to render (the scene's own, plus random extra views inside it).
//! - [`export`]: rendering one scene's views and writing them.

pub mod export;
pub mod views;

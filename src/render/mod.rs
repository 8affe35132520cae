//! Renderers. [`cpu`] is the exact reference implementation of the tile rasterizer rules in
//! DESIGN.md (projection in [`project`]); the GPU renderer is tested against it.

pub mod cpu;
pub mod frame;
pub mod gpu;
pub mod lift;
pub mod pca;
pub mod project;
pub mod view;

pub use crate::classes::IGNORE_LABEL;
pub use cpu::{Channels, Features, RenderError, RenderOptions, render};
pub use frame::Frame;

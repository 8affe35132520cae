//! The real-time renderer: WGSL compute passes for preprocess, sort and tile rasterization.

pub mod context;
pub mod layout;
pub mod readback;
pub mod scan;
pub mod shaders;

pub use context::{GpuContext, GpuError, gpu_for_tests};

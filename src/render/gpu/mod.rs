//! The real-time renderer: WGSL compute passes for preprocess, sort and tile rasterization.

pub mod colour8;
pub mod context;
pub mod headless;
pub mod layout;
pub mod pack;
pub mod pipeline_util;
pub mod readback;
pub mod renderer;
pub mod scan;
pub mod scatter;
pub mod scene_buffers;
pub mod shaders;
pub mod sort;
pub mod timing;

pub use context::{GpuContext, GpuError, gpu_for_tests};

//! Rust mirrors of the WGSL uniform structs (shaders/common.wgsl, scan.wgsl, pack_inputs.wgsl);
//! tests/wgsl_structs.rs holds every field's offset and the size to the shader's, so the two
//! sides cannot drift apart.

use bytemuck::{Pod, Zeroable};

/// Mirrors `FrameUniforms` in shaders/common.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct FrameUniforms {
    pub view0: [f32; 4],
    pub view1: [f32; 4],
    pub view2: [f32; 4],
    pub campos: [f32; 4],
    pub fx: f32,
    pub fy: f32,
    pub tan_fovx: f32,
    pub tan_fovy: f32,
    pub width: u32,
    pub height: u32,
    pub tiles_x: u32,
    pub tiles_y: u32,
    pub num_gaussians: u32,
    pub sh_degree: u32,
    pub sh_stride: u32,
    pub split_len: u32,
    pub background: [f32; 4],
    pub pair_capacity: u32,
    pub feature_dim: u32,
    pub feature_stride: u32,
    pub flags: u32,
}

/// Mirrors `ScanParams` in shaders/scan.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct ScanParams {
    pub count_index: u32,
    pub count_divisor: u32,
    pub write_total: u32,
    pub total_index: u32,
}

/// Mirrors `PackParams` in shaders/pack_inputs.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct PackParams {
    pub width: u32,
    pub height: u32,
    pub padded_width: u32,
    pub padded_height: u32,
    pub feature_dim: u32,
    pub feature_scale: f32,
    pub pack_rgb: u32,
    pub pack_features: u32,
}

/// Indices into the GPU counters buffer (`COUNT_*` in shaders/common.wgsl).
pub mod counter {
    pub const VISIBLE: u32 = 0;
    pub const PAIRS: u32 = 1;
    pub const PAIRS_KEPT: u32 = 2;
    pub const OVERFLOW: u32 = 3;
    /// Slot holding the Gaussian count, the scan's count for the visibility flags.
    pub const GAUSSIANS: u32 = 4;
    pub const LEN: u32 = 8;
}

//! Rust mirrors of the WGSL uniform structs (shaders/common.wgsl, scan.wgsl, pack_inputs.wgsl);
//! tests/wgsl_structs.rs holds every field's offset and the size to the shader's, so the two
//! sides cannot drift apart.

use bytemuck::{Pod, Zeroable};

use super::renderer::FrameTarget;
use super::scene_buffers::{GpuFeatures, GpuScene};
use crate::render::view::View;

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

impl FrameUniforms {
    /// One frame's uniforms: `view`'s camera (the rotation row-major with the translation as
    /// each row's w), `target`'s size and pair room, `scene`'s layout, and `feature_dim`
    /// channels of `features` blended (0: none; the stride is the set's all the same).
    pub fn new(
        view: &View,
        target: &FrameTarget,
        scene: &GpuScene,
        background: [f32; 3],
        features: Option<&GpuFeatures>,
        feature_dim: u32,
    ) -> Self {
        let r = view.rot;
        Self {
            view0: [r.x_axis.x, r.y_axis.x, r.z_axis.x, view.trans.x],
            view1: [r.x_axis.y, r.y_axis.y, r.z_axis.y, view.trans.y],
            view2: [r.x_axis.z, r.y_axis.z, r.z_axis.z, view.trans.z],
            campos: [view.campos.x, view.campos.y, view.campos.z, 0.0],
            fx: view.fx,
            fy: view.fy,
            tan_fovx: view.tan_fovx,
            tan_fovy: view.tan_fovy,
            width: target.width,
            height: target.height,
            tiles_x: target.tiles.0,
            tiles_y: target.tiles.1,
            num_gaussians: scene.len,
            sh_degree: scene.sh_degree,
            sh_stride: scene.sh.stride,
            split_len: scene.split_len,
            background: [background[0], background[1], background[2], 0.0],
            pair_capacity: target.pair_capacity,
            feature_dim,
            feature_stride: features.map_or(0, |f| f.data.stride),
            flags: 0,
        }
    }
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

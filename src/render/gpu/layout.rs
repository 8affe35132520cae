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
    /// First world-to-camera rotation row; w holds the translation's x.
    pub view0: [f32; 4],
    /// Second world-to-camera rotation row; w holds the translation's y.
    pub view1: [f32; 4],
    /// Third world-to-camera rotation row; w holds the translation's z.
    pub view2: [f32; 4],
    /// Camera centre in world space (w unused).
    pub campos: [f32; 4],
    /// Horizontal focal length, pixels.
    pub fx: f32,
    /// Vertical focal length, pixels.
    pub fy: f32,
    /// tan of half the horizontal field of view.
    pub tan_fovx: f32,
    /// tan of half the vertical field of view.
    pub tan_fovy: f32,
    /// Image width, pixels.
    pub width: u32,
    /// Image height, pixels.
    pub height: u32,
    /// Tile columns (16-pixel tiles, rounded up).
    pub tiles_x: u32,
    /// Tile rows (16-pixel tiles, rounded up).
    pub tiles_y: u32,
    /// Number of Gaussians in the scene.
    pub num_gaussians: u32,
    /// SH degree of the scene, 0-3.
    pub sh_degree: u32,
    /// u32 words of packed f16 SH per Gaussian.
    pub sh_stride: u32,
    /// Gaussians per SH / feature buffer split (buffers are split to stay under binding limits).
    pub split_len: u32,
    /// Background colour, linear RGB (w unused).
    pub background: [f32; 4],
    /// Room in the (Gaussian, tile) pair list; more pairs set the overflow counter.
    pub pair_capacity: u32,
    /// Feature channels blended per pixel; 0 renders no features.
    pub feature_dim: u32,
    /// f32s per Gaussian in the feature buffer (0 without features).
    pub feature_stride: u32,
    /// Reserved; always 0 and read by no shader.
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
    /// Offset (in u32s) of the element count inside the count buffer.
    pub count_index: u32,
    /// Elements per block-sum slot at this level (1 at the first); the count read from the
    /// buffer is divided by it, rounded up, to get this level's element count.
    pub count_divisor: u32,
    /// Non-zero: write the grand total to `total[total_index]`.
    pub write_total: u32,
    /// Where in the total buffer the grand total goes.
    pub total_index: u32,
}

/// Mirrors `PackParams` in shaders/pack_inputs.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct PackParams {
    /// Rendered image width, pixels.
    pub width: u32,
    /// Rendered image height, pixels.
    pub height: u32,
    /// Width of the network's input, pixels (edge pixels repeated to fill it).
    pub padded_width: u32,
    /// Height of the network's input, pixels.
    pub padded_height: u32,
    /// Feature channels per pixel.
    pub feature_dim: u32,
    /// Factor each feature value is multiplied by while packing.
    pub feature_scale: f32,
    /// Non-zero: pack normalised RGB planes.
    pub pack_rgb: u32,
    /// Non-zero: pack feature planes.
    pub pack_features: u32,
}

/// Indices into the GPU counters buffer (`COUNT_*` in shaders/common.wgsl).
pub mod counter {
    /// Slot counting visible splats.
    pub const VISIBLE: u32 = 0;
    /// Slot counting the (Gaussian, tile) pairs needed.
    pub const PAIRS: u32 = 1;
    /// Slot holding the pairs kept (the needed count capped at the capacity).
    pub const PAIRS_KEPT: u32 = 2;
    /// Slot set non-zero when the pair list overflowed.
    pub const OVERFLOW: u32 = 3;
    /// Slot holding the Gaussian count, the scan's count for the visibility flags.
    pub const GAUSSIANS: u32 = 4;
    /// Number of u32 slots in the counters buffer.
    pub const LEN: u32 = 8;
}

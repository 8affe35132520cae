//! Rust mirrors of the WGSL uniform structs (shaders/common.wgsl, scan.wgsl, pack_inputs.wgsl), with
//! tests pinning their size and field offsets so the two sides cannot drift apart.

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// Size and offsets from WGSL's layout rules for the same declaration (naga's layouter).
    fn wgsl_layout(source: &str, name: &str) -> (u32, Vec<(String, u32)>) {
        let module = naga::front::wgsl::parse_str(source).expect("parses");
        let mut layouter = naga::proc::Layouter::default();
        layouter.update(module.to_ctx()).expect("layout");
        let (handle, ty) = module.types.iter().find(|(_, t)| t.name.as_deref() == Some(name)).expect("struct present");
        let naga::TypeInner::Struct { members, span } = &ty.inner else { panic!("{name} is not a struct") };
        let _ = handle;
        (*span, members.iter().map(|m| (m.name.clone().unwrap_or_default(), m.offset)).collect())
    }

    #[test]
    fn frame_uniforms_match_wgsl() {
        let src = crate::render::gpu::shaders::COMMON;
        let (size, members) = wgsl_layout(src, "FrameUniforms");
        assert_eq!(size as usize, size_of::<FrameUniforms>());
        let rust = [
            ("view0", offset_of!(FrameUniforms, view0)),
            ("campos", offset_of!(FrameUniforms, campos)),
            ("fx", offset_of!(FrameUniforms, fx)),
            ("width", offset_of!(FrameUniforms, width)),
            ("num_gaussians", offset_of!(FrameUniforms, num_gaussians)),
            ("split_len", offset_of!(FrameUniforms, split_len)),
            ("background", offset_of!(FrameUniforms, background)),
            ("pair_capacity", offset_of!(FrameUniforms, pair_capacity)),
            ("flags", offset_of!(FrameUniforms, flags)),
        ];
        for (name, off) in rust {
            let wgsl = members.iter().find(|(n, _)| n == name).expect("member present").1;
            assert_eq!(wgsl as usize, off, "{name}");
        }
        assert_eq!(members.len(), 21, "every WGSL member mirrored");
    }

    #[test]
    fn pack_params_match_wgsl() {
        let (size, members) = wgsl_layout(crate::render::gpu::shaders::PACK_INPUTS, "PackParams");
        assert_eq!(size as usize, size_of::<PackParams>());
        let rust = [
            ("width", offset_of!(PackParams, width)),
            ("height", offset_of!(PackParams, height)),
            ("padded_width", offset_of!(PackParams, padded_width)),
            ("padded_height", offset_of!(PackParams, padded_height)),
            ("feature_dim", offset_of!(PackParams, feature_dim)),
            ("feature_scale", offset_of!(PackParams, feature_scale)),
            ("pack_rgb", offset_of!(PackParams, pack_rgb)),
            ("pack_features", offset_of!(PackParams, pack_features)),
        ];
        assert_eq!(members.len(), rust.len(), "every WGSL member mirrored");
        for ((wgsl_name, wgsl_offset), (name, offset)) in members.iter().zip(rust) {
            assert_eq!((wgsl_name.as_str(), *wgsl_offset as usize), (name, offset));
        }
    }

    #[test]
    fn scan_params_match_wgsl() {
        let (size, members) = wgsl_layout(crate::render::gpu::shaders::SCAN, "ScanParams");
        assert_eq!(size as usize, size_of::<ScanParams>());
        assert_eq!(members[3], ("total_index".to_string(), offset_of!(ScanParams, total_index) as u32));
    }
}

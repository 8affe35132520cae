//! A scene uploaded for the GPU renderer, packed to fit storage-binding limits:
//! - centre + sigmoid(opacity) as vec4 f32 (16 B),
//! - the 3D covariance's upper triangle in f32 (24 B), computed here with the same function
//!   as the CPU reference so both renderers start from identical numbers,
//! - SH coefficients as f16 (96 B at degree 3) and per-Gaussian features as f16, each split
//!   over up to four buffers of at most the adapter's storage-binding size,
//! - labels packed four 8-bit ids per u32.
//!
//! Scenes that cannot fit are refused at upload with the numbers, never by a wgpu panic.

use rayon::prelude::*;
use wgpu::util::DeviceExt;

use super::GpuContext;
use super::pipeline_util::GroupCache;
use crate::render::project::covariance3d;
use crate::scene::{Scene, sigmoid};

/// Buffers a split array may use (the shaders switch over four bindings).
pub const MAX_SPLITS: usize = 4;
/// Largest feature dimension the rasterizer supports.
pub const MAX_FEATURE_DIM: usize = 64;
/// Bytes per Gaussian the split length is sized for: 64 f16 features (the SH at degree 3
/// need 96), so features of any supported dimension can be attached later.
const SPLIT_BYTES_PER_GAUSSIAN: u64 = (MAX_FEATURE_DIM * 2) as u64;

#[derive(Debug, thiserror::Error, PartialEq)]
/// Why a scene (or its features or lifted labels) cannot be put on the GPU.
pub enum GpuSceneError {
    #[error(
        "{gaussians} Gaussians do not fit this GPU ({adapter}): its largest storage binding is {binding_mib} MiB, \
         which allows at most {limit} Gaussians here"
    )]
    /// The scene exceeds what the device's largest storage binding allows.
    TooLarge {
        /// Gaussians in the scene.
        gaussians: usize,
        /// Most Gaussians this device holds.
        limit: usize,
        /// The adapter's name.
        adapter: String,
        /// Its largest storage binding, MiB.
        binding_mib: u64,
    },
    #[error("the scene has no Gaussians")]
    /// The scene has no Gaussians.
    Empty,
    #[error("feature dimension {0} is not supported (a multiple of 4 from 4 to 64)")]
    /// The feature dimension (carried) is not a multiple of 4 in 4..=[`MAX_FEATURE_DIM`].
    FeatureDim(usize),
    #[error("feature buffer has {got} values, expected {gaussians} x {dim}")]
    /// The feature array does not hold `gaussians * dim` values.
    FeatureSize {
        /// Values given.
        got: usize,
        /// Gaussians in the scene.
        gaussians: usize,
        /// Feature channels per Gaussian.
        dim: usize,
    },
    #[error("{got} lifted labels for {gaussians} Gaussians")]
    /// The lifted labels are not one per Gaussian.
    LabelCount {
        /// Labels given.
        got: usize,
        /// Gaussians in the scene.
        gaussians: usize,
    },
}

/// Per-Gaussian f16 data split over up to four buffers of `split_len` Gaussians each.
pub struct SplitBuffer {
    /// The buffers, Gaussians `k * split_len ..` in part `k` (1 to 4 parts).
    pub parts: Vec<wgpu::Buffer>,
    /// u32 words per Gaussian.
    pub stride: u32,
}

/// Per-Gaussian features on the GPU, f16, split like the SH.
pub struct GpuFeatures {
    /// Channels per Gaussian.
    pub dim: u32,
    /// The packed values.
    pub data: SplitBuffer,
}

/// A scene resident on the GPU.
pub struct GpuScene {
    /// Number of Gaussians.
    pub len: u32,
    /// SH degree, 0-3.
    pub sh_degree: u32,
    /// Gaussians per part of every split buffer.
    pub split_len: u32,
    /// Per Gaussian: position and activated opacity (vec4 f32).
    pub pos_opacity: wgpu::Buffer,
    /// Per Gaussian: the 3D covariance's upper triangle (6 f32: xx, xy, xz, yy, yz, zz).
    pub cov3d: wgpu::Buffer,
    /// SH coefficients as packed f16.
    pub sh: SplitBuffer,
    /// Features the display blends (the PCA colours or all channels); `None` until attached.
    pub features: Option<GpuFeatures>,
    /// A second feature set for the fusion network's input (the viewer shows PCA colours of
    /// the features while the network reads all of them).
    pub fusion_features: Option<GpuFeatures>,
    /// Ground-truth labels, four 8-bit ids per u32 (ids above 255 clamped); `None` without labels.
    pub labels: Option<wgpu::Buffer>,
    /// Labels lifted from the fusion network's predictions (`rtgs2 lift`), splatted like
    /// [`Self::labels`] when a frame asks for them.
    pub lifted_labels: Option<wgpu::Buffer>,
    /// Bound in place of absent optional buffers.
    pub dummy: wgpu::Buffer,
    /// The renderer's scene groups (`shaders::SCENE_GROUP`), made on first use: kept here so
    /// they are made once per scene (and per feature or label choice), not per frame, and go
    /// with the buffers they bind.
    pub(super) groups: GroupCache,
}

/// The most Gaussians this adapter's limits allow, and the split length.
pub fn capacity(ctx: &GpuContext) -> (usize, u32) {
    capacity_for(&ctx.limits)
}

/// [`capacity`] for given limits.
pub fn capacity_for(limits: &wgpu::Limits) -> (usize, u32) {
    let binding = limits.max_storage_buffer_binding_size.min(limits.max_buffer_size);
    let split_len = (binding / SPLIT_BYTES_PER_GAUSSIAN).min(u32::MAX as u64 / 2) as u32;
    // Every other per-Gaussian array lives in one binding: the widest is the covariance.
    let single = binding / 24;
    let limit = (split_len as u64 * MAX_SPLITS as u64).min(single).min(u32::MAX as u64 / 2);
    (limit as usize, split_len)
}

/// Refuses scenes the limits cannot hold; returns the split length otherwise.
pub fn check_fits(n: usize, limits: &wgpu::Limits, adapter: &str) -> Result<u32, GpuSceneError> {
    let (limit, split_len) = capacity_for(limits);
    if n > limit {
        return Err(GpuSceneError::TooLarge {
            gaussians: n,
            limit,
            adapter: adapter.to_string(),
            binding_mib: limits.max_storage_buffer_binding_size >> 20,
        });
    }
    Ok(split_len)
}

fn storage_init(ctx: &GpuContext, label: &str, bytes: &[u8]) -> wgpu::Buffer {
    ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: bytes,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
    })
}

/// Packs `values` (per Gaussian `per` f32s) as f16 words and uploads them in split parts.
/// NYU40 ids packed four 8-bit ids per u32, as the raster reads them.
fn pack_labels(ctx: &GpuContext, name: &str, labels: &[u16]) -> wgpu::Buffer {
    let mut words = vec![0u32; labels.len().div_ceil(4).max(1)];
    for (i, &id) in labels.iter().enumerate() {
        words[i / 4] |= (id.min(255) as u32) << ((i % 4) * 8);
    }
    storage_init(ctx, name, bytemuck::cast_slice(&words))
}

fn upload_split(ctx: &GpuContext, label: &str, values: &[f32], per: usize, split_len: u32) -> SplitBuffer {
    let stride = per.div_ceil(2);
    let n = values.len().checked_div(per).unwrap_or(0);
    let mut parts = Vec::new();
    for start in (0..n.max(1)).step_by(split_len as usize) {
        let end = (start + split_len as usize).min(n);
        let mut words = vec![0u32; (end - start) * stride];
        words.par_chunks_mut(stride.max(1)).enumerate().for_each(|(g, out)| {
            let src = &values[(start + g) * per..(start + g + 1) * per];
            for (w, word) in out.iter_mut().enumerate() {
                let lo = half::f16::from_f32(src[2 * w]).to_bits() as u32;
                let hi = src.get(2 * w + 1).map_or(0, |v| half::f16::from_f32(*v).to_bits() as u32);
                *word = lo | (hi << 16);
            }
        });
        // wgpu buffers cannot be empty.
        if words.is_empty() {
            words.push(0);
        }
        parts.push(storage_init(ctx, label, bytemuck::cast_slice(&words)));
    }
    SplitBuffer { parts, stride: stride as u32 }
}

impl GpuScene {
    /// Uploads `scene` (activating opacity and building covariances); no features attached.
    pub fn upload(ctx: &GpuContext, scene: &Scene) -> Result<Self, GpuSceneError> {
        let n = scene.len();
        if n == 0 {
            return Err(GpuSceneError::Empty);
        }
        let split_len = check_fits(n, &ctx.limits, &ctx.info.name)?;
        let pos_opacity: Vec<[f32; 4]> = (0..n)
            .into_par_iter()
            .map(|i| {
                let p = scene.positions[i];
                [p[0], p[1], p[2], sigmoid(scene.opacity_logits[i])]
            })
            .collect();
        let cov: Vec<[f32; 6]> = (0..n)
            .into_par_iter()
            .map(|i| {
                let m = covariance3d(scene.log_scales[i], scene.rotations[i], 1.0);
                [m.x_axis.x, m.y_axis.x, m.z_axis.x, m.y_axis.y, m.z_axis.y, m.z_axis.z]
            })
            .collect();
        let labels = scene.labels.as_ref().map(|l| pack_labels(ctx, "labels", l));
        Ok(Self {
            len: n as u32,
            sh_degree: scene.sh_degree as u32,
            split_len,
            pos_opacity: storage_init(ctx, "pos_opacity", bytemuck::cast_slice(&pos_opacity)),
            cov3d: storage_init(ctx, "cov3d", bytemuck::cast_slice(&cov)),
            sh: upload_split(ctx, "sh", &scene.sh, scene.sh_coeffs() * 3, split_len),
            features: None,
            fusion_features: None,
            labels,
            lifted_labels: None,
            dummy: storage_init(ctx, "dummy", &[0u8; 16]),
            groups: GroupCache::default(),
        })
    }

    /// Attaches (or replaces) per-Gaussian feature vectors, `dim` per Gaussian, stored as f16.
    pub fn set_features(&mut self, ctx: &GpuContext, dim: usize, values: &[f32]) -> Result<(), GpuSceneError> {
        if dim == 0 || dim > MAX_FEATURE_DIM || !dim.is_multiple_of(4) {
            return Err(GpuSceneError::FeatureDim(dim));
        }
        if values.len() != self.len as usize * dim {
            return Err(GpuSceneError::FeatureSize { got: values.len(), gaussians: self.len as usize, dim });
        }
        // A cached group would keep the replaced buffers alive.
        self.groups.clear();
        self.features =
            Some(GpuFeatures { dim: dim as u32, data: upload_split(ctx, "features", values, dim, self.split_len) });
        Ok(())
    }

    /// Attaches (or replaces) lifted labels (one NYU40 id per Gaussian, `rtgs2 lift`), which
    /// frames splat instead of the ground truth when asked
    /// ([`crate::render::gpu::renderer::GpuRenderOptions::lifted_labels`]).
    pub fn set_lifted_labels(&mut self, ctx: &GpuContext, labels: &[u16]) -> Result<(), GpuSceneError> {
        if labels.len() != self.len as usize {
            return Err(GpuSceneError::LabelCount { got: labels.len(), gaussians: self.len as usize });
        }
        self.groups.clear();
        self.lifted_labels = Some(pack_labels(ctx, "lifted labels", labels));
        Ok(())
    }

    /// Whether a frame with these options produces a label map (it asks for one, and the scene
    /// holds the labels it asks for).
    pub fn splats_labels(&self, opts: &crate::render::gpu::renderer::GpuRenderOptions) -> bool {
        self.splatted_labels(opts).is_some()
    }

    /// The label buffer a frame with `opts` splats, if any.
    pub fn splatted_labels(&self, opts: &crate::render::gpu::renderer::GpuRenderOptions) -> Option<&wgpu::Buffer> {
        if opts.labels { self.label_buffer(opts.lifted_labels) } else { None }
    }

    /// The label buffer a frame splats: the lifted labels or the ground truth.
    pub fn label_buffer(&self, lifted: bool) -> Option<&wgpu::Buffer> {
        if lifted { self.lifted_labels.as_ref() } else { self.labels.as_ref() }
    }

    /// Drops the features (renders then blend none).
    pub fn clear_features(&mut self) {
        // A cached group would keep the replaced buffers alive.
        self.groups.clear();
        self.features = None;
    }

    /// Attaches (or replaces) the fusion feature set, stored like [`Self::set_features`].
    pub fn set_fusion_features(&mut self, ctx: &GpuContext, dim: usize, values: &[f32]) -> Result<(), GpuSceneError> {
        let display = self.features.take();
        let result = self.set_features(ctx, dim, values);
        self.fusion_features = if result.is_ok() { self.features.take() } else { self.fusion_features.take() };
        self.features = display;
        result
    }

    /// The display (`fusion` false) or fusion feature set.
    pub fn feature_set(&self, fusion: bool) -> Option<&GpuFeatures> {
        if fusion { self.fusion_features.as_ref() } else { self.features.as_ref() }
    }

    /// The f16 rounding the GPU applies to SH coefficients and features, for CPU comparisons.
    pub fn quantize_like_gpu(values: &[f32]) -> Vec<f32> {
        values.iter().map(|&v| half::f16::from_f32(v).to_f32()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lavapipe_limits_hold_three_million_and_refuse_what_cannot_fit() {
        // lavapipe: 128 MiB per storage binding, 2 GiB per buffer.
        let limits =
            wgpu::Limits { max_storage_buffer_binding_size: 128 << 20, max_buffer_size: 2 << 30, ..Default::default() };
        let (limit, split_len) = capacity_for(&limits);
        assert_eq!(split_len, 1 << 20);
        assert!(limit >= 3_000_000, "{limit}");
        assert_eq!(check_fits(3_000_000, &limits, "lavapipe"), Ok(1 << 20));
        let err = check_fits(limit + 1, &limits, "lavapipe").expect_err("too large");
        let msg = err.to_string();
        assert!(msg.contains("128 MiB") && msg.contains("lavapipe") && msg.contains(&limit.to_string()), "{msg}");
    }
}

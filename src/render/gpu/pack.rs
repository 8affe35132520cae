//! The fusion network's input tensors written on the GPU from a rendered frame
//! (shaders/pack_inputs.wgsl): RGB normalised through the card's table and features scaled,
//! each as padded `[channels, hp, wp]` planes, so the frame's read-back is already what ONNX
//! Runtime takes and the CPU does no transposing. The same math as `fusion::preprocess`,
//! value for value (a parity test holds them together).

use super::GpuContext;
use super::layout::PackParams;
use super::pipeline_util::{Bind, bind_group, bind_group_layout, compute_pipeline, shader};
use super::readback::MappedRegion;
use super::renderer::{FrameTarget, TargetError};
use super::shaders;
use crate::fusion::preprocess::padded_len;

/// How a frame becomes the network's input tensors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TensorRecipe {
    /// `[3 * 256]`: the normalised value of every 8-bit value per channel; `None` when the
    /// network takes no RGB.
    pub rgb_table: Option<Vec<f32>>,
    /// Factor on every feature value; `None` when the network takes no features.
    pub feature_scale: Option<f32>,
    /// Both tensor sides are padded up to a multiple of this (≥ 1).
    pub size_multiple: usize,
}

impl TensorRecipe {
    /// (height, width) of the tensors for a `width`×`height` frame.
    pub fn padded(&self, width: u32, height: u32) -> (usize, usize) {
        (padded_len(height as usize, self.size_multiple), padded_len(width as usize, self.size_multiple))
    }

    /// Values in the RGB and the feature tensor of `padded` size (0 for one the recipe has not).
    pub fn tensor_lens(&self, (hp, wp): (usize, usize), feature_dim: usize) -> (usize, usize) {
        let plane = hp * wp;
        let rgb = if self.rgb_table.is_some() { 3 * plane } else { 0 };
        let features = if self.feature_scale.is_some() { feature_dim * plane } else { 0 };
        (rgb, features)
    }
}

/// The tensors as read back: `rgb` is `[3, hp, wp]`, `features` `[feature_dim, hp, wp]`
/// (each empty when the recipe has none), made by `recipe`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PackedTensors {
    pub padded: (usize, usize),
    pub rgb: TensorValues,
    pub features: TensorValues,
    pub feature_dim: usize,
    pub recipe: TensorRecipe,
}

/// One tensor's f32 values: copied out already, or still in a mapped read-back buffer (copied
/// out by whoever takes them, e.g. the fusion worker thread, not the renderer).
#[derive(Debug)]
pub enum TensorValues {
    Copied(Vec<f32>),
    Mapped(MappedRegion),
}

impl TensorValues {
    pub fn len(&self) -> usize {
        match self {
            TensorValues::Copied(v) => v.len(),
            TensorValues::Mapped(m) => (m.len_bytes() / 4) as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values, copying them out of the mapping if they are still there.
    pub fn into_vec(self) -> Vec<f32> {
        match self {
            TensorValues::Copied(v) => v,
            TensorValues::Mapped(m) => m.to_vec(),
        }
    }

    /// A copy of the values.
    pub fn to_vec(&self) -> Vec<f32> {
        match self {
            TensorValues::Copied(v) => v.clone(),
            TensorValues::Mapped(m) => m.to_vec(),
        }
    }
}

impl Default for TensorValues {
    fn default() -> Self {
        TensorValues::Copied(Vec::new())
    }
}

impl From<Vec<f32>> for TensorValues {
    fn from(values: Vec<f32>) -> Self {
        TensorValues::Copied(values)
    }
}

/// A clone is always a copy: a mapping has one owner.
impl Clone for TensorValues {
    fn clone(&self) -> Self {
        TensorValues::Copied(self.to_vec())
    }
}

/// Equal values, wherever they are (bit patterns compared as f32 `==`).
impl PartialEq for TensorValues {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TensorValues::Copied(a), TensorValues::Copied(b)) => a == b,
            _ => self.to_vec() == other.to_vec(),
        }
    }
}

/// What the pass wrote, for the read-back: `[3, hp, wp]` RGB and `[dim, hp, wp]` features
/// (absent ones have no buffer).
pub struct PackedBuffers<'a> {
    pub padded: (usize, usize),
    pub feature_dim: usize,
    /// f32 values in (rgb, features), as [`TensorRecipe::tensor_lens`].
    pub lens: (usize, usize),
    pub rgb: Option<&'a wgpu::Buffer>,
    pub features: Option<&'a wgpu::Buffer>,
}

/// Buffers sized for one tensor shape.
struct Sized {
    key: (usize, usize, usize, bool, bool),
    params: wgpu::Buffer,
    table: wgpu::Buffer,
    rgb: wgpu::Buffer,
    features: wgpu::Buffer,
}

pub struct InputPacker {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
    sized: Option<Sized>,
}

impl InputPacker {
    pub fn new(ctx: &GpuContext) -> Self {
        let d = &ctx.device;
        use Bind::*;
        let layout = bind_group_layout(d, "pack inputs", &[Uniform, Read, Read, Read, ReadWrite, ReadWrite]);
        let module = shader(d, "pack inputs", shaders::PACK_INPUTS.to_string());
        let pipeline = compute_pipeline(d, &module, &layout, "pack", &[]);
        Self { layout, pipeline, sized: None }
    }

    /// Records the pass over `target`'s last frame into `enc`. The feature tensor has as many
    /// channels as the target blends; a recipe that wants features from a target without any
    /// is the caller's error, refused here.
    pub fn encode<'s>(
        &'s mut self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        target: &FrameTarget,
        recipe: &TensorRecipe,
    ) -> Result<PackedBuffers<'s>, TargetError> {
        let (hp, wp) = recipe.padded(target.width, target.height);
        let dim = target.feature_dim() as usize;
        let (rgb, features) = (recipe.rgb_table.is_some(), recipe.feature_scale.is_some());
        if features && dim == 0 {
            return Err(TargetError::NoFeatures);
        }
        let feature_dim = if features { dim } else { 0 };
        let lens = recipe.tensor_lens((hp, wp), feature_dim);
        let key = (hp, wp, dim, rgb, features);
        if self.sized.as_ref().is_none_or(|s| s.key != key) {
            self.sized = None; // free the old tensors first
            self.sized = Some(Self::allocate(ctx, key, lens)?);
        }
        let sized = self.sized.as_ref().expect("buffers sized above");
        let params = PackParams {
            width: target.width,
            height: target.height,
            padded_width: wp as u32,
            padded_height: hp as u32,
            feature_dim: feature_dim as u32,
            feature_scale: recipe.feature_scale.unwrap_or(0.0),
            pack_rgb: rgb as u32,
            pack_features: features as u32,
        };
        ctx.queue.write_buffer(&sized.params, 0, bytemuck::bytes_of(&params));
        if let Some(table) = &recipe.rgb_table {
            ctx.queue.write_buffer(&sized.table, 0, bytemuck::cast_slice(table));
        }
        let group = bind_group(
            &ctx.device,
            "pack inputs",
            &self.layout,
            &[&sized.params, &target.out_rgba, &target.out_features, &sized.table, &sized.rgb, &sized.features],
        );
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("pack inputs"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups((wp as u32).div_ceil(16), (hp as u32).div_ceil(16), 1);
        }
        Ok(PackedBuffers {
            padded: (hp, wp),
            feature_dim,
            lens,
            rgb: rgb.then_some(&sized.rgb),
            features: features.then_some(&sized.features),
        })
    }

    fn allocate(
        ctx: &GpuContext,
        key: (usize, usize, usize, bool, bool),
        (rgb_len, feature_len): (usize, usize),
    ) -> Result<Sized, TargetError> {
        let limit = ctx.limits.max_storage_buffer_binding_size.min(ctx.limits.max_buffer_size);
        let sizes = [
            ("the network's RGB tensor", rgb_len as u64 * 4),
            ("the network's feature tensor", feature_len as u64 * 4),
        ];
        for (what, bytes) in sizes {
            if bytes > limit {
                return Err(TargetError::TooLarge { what, bytes, limit });
            }
        }
        let d = &ctx.device;
        let storage = |label, size: u64| {
            d.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size.max(16),
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        Ok(Sized {
            key,
            params: d.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pack params"),
                size: std::mem::size_of::<PackParams>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            table: storage("rgb table", 3 * 256 * 4),
            rgb: storage("packed rgb", sizes[0].1),
            features: storage("packed features", sizes[1].1),
        })
    }
}

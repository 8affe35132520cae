//! The fusion network's input tensors written on the GPU from a rendered frame
//! (shaders/pack_inputs.wgsl): RGB normalised through the card's table and features scaled,
//! each as padded `[channels, hp, wp]` planes, so the frame's read-back is already what ONNX
//! Runtime takes and the CPU does no transposing. The same math as `fusion::preprocess`,
//! value for value (a parity test holds them together).

use half::f16;

use super::GpuContext;
use super::layout::PackParams;
use super::pipeline_util::{bind_group, bind_group_layout, compute_pipeline, shader};
use super::readback::MappedRegion;
use super::renderer::{FrameTarget, TargetError};
use super::shaders;

/// `n` rounded up to a multiple of `multiple` (≥ 1).
pub fn padded_len(n: usize, multiple: usize) -> usize {
    n.div_ceil(multiple.max(1)) * multiple.max(1)
}

/// How the packed tensors store their values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TensorElement {
    /// IEEE f32, the network's own input type.
    #[default]
    F32,
    /// IEEE f16: half the bytes to read back and to upload to a GPU provider, widened to f32
    /// again before the network (on its device, `fusion::input_cast`).
    F16,
}

impl TensorElement {
    /// Bytes per value: 4 or 2.
    pub fn bytes(self) -> usize {
        match self {
            TensorElement::F32 => 4,
            TensorElement::F16 => 2,
        }
    }
}

/// How a frame becomes the network's input tensors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TensorRecipe {
    /// `[3 * 256]`: the normalised value of every 8-bit value per channel; `None` when the
    /// network takes no RGB.
    pub rgb_table: Option<Vec<f32>>,
    /// Factor on every feature value; `None` when the network takes no features.
    pub feature_scale: Option<f32>,
    /// Both tensor sides are padded up to a multiple of this (≥ 1; even for [`TensorElement::F16`]).
    pub size_multiple: usize,
    /// How the tensors store their values.
    pub element: TensorElement,
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

    /// [`TensorRecipe::tensor_lens`] in bytes.
    pub fn tensor_bytes(&self, padded: (usize, usize), feature_dim: usize) -> (u64, u64) {
        let (rgb, features) = self.tensor_lens(padded, feature_dim);
        let bytes = self.element.bytes() as u64;
        (rgb as u64 * bytes, features as u64 * bytes)
    }
}

/// The tensors as read back: `rgb` is `[3, hp, wp]`, `features` `[feature_dim, hp, wp]`
/// (each empty when the recipe has none), made by `recipe`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PackedTensors {
    /// (padded height, padded width) of every plane.
    pub padded: (usize, usize),
    /// `[3, hp, wp]` normalised RGB; empty when the recipe packs none.
    pub rgb: TensorValues,
    /// `[feature_dim, hp, wp]` scaled features; empty when the recipe packs none.
    pub features: TensorValues,
    /// Feature channels in `features`.
    pub feature_dim: usize,
    /// The recipe the tensors were packed by.
    pub recipe: TensorRecipe,
}

/// One tensor's values: copied out already, or still in a mapped read-back buffer (copied out
/// by whoever takes them, e.g. the fusion worker thread, not the renderer).
#[derive(Debug)]
pub enum TensorValues {
    /// Values copied out as f32.
    F32(Vec<f32>),
    /// Values copied out as f16.
    F16(Vec<f16>),
    /// Values still in a mapped read-back buffer, stored as the given element type.
    Mapped(MappedRegion, TensorElement),
}

impl TensorValues {
    /// Values of `element` type from their bytes (any alignment).
    pub fn from_bytes(bytes: &[u8], element: TensorElement) -> Self {
        match element {
            TensorElement::F32 => TensorValues::F32(bytemuck::pod_collect_to_vec(bytes)),
            TensorElement::F16 => TensorValues::F16(bytemuck::pod_collect_to_vec(bytes)),
        }
    }

    /// How the values are stored.
    pub fn element(&self) -> TensorElement {
        match self {
            TensorValues::F32(_) => TensorElement::F32,
            TensorValues::F16(_) => TensorElement::F16,
            TensorValues::Mapped(_, element) => *element,
        }
    }

    /// Number of values (not bytes).
    pub fn len(&self) -> usize {
        match self {
            TensorValues::F32(v) => v.len(),
            TensorValues::F16(v) => v.len(),
            TensorValues::Mapped(m, element) => m.len_bytes() as usize / element.bytes(),
        }
    }

    /// Whether there are no values (the recipe packs none of this tensor).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values where they are, without copying: the vector's, or the mapping's when its
    /// bytes are aligned for the element type (mapped memory always is in practice; `None`
    /// otherwise, and [`TensorValues::copied`] gives values that can be viewed).
    pub fn view(&self) -> Option<TensorView<'_>> {
        match self {
            TensorValues::F32(v) => Some(TensorView::F32(v)),
            TensorValues::F16(v) => Some(TensorView::F16(v)),
            TensorValues::Mapped(m, TensorElement::F32) => {
                bytemuck::try_cast_slice(m.bytes()).ok().map(TensorView::F32)
            }
            TensorValues::Mapped(m, TensorElement::F16) => {
                bytemuck::try_cast_slice(m.bytes()).ok().map(TensorView::F16)
            }
        }
    }

    /// The values out of the mapping if they are still there (one copy), else as they are.
    pub fn copied(self) -> Self {
        match self {
            TensorValues::Mapped(m, TensorElement::F32) => TensorValues::F32(m.to_vec()),
            TensorValues::Mapped(m, TensorElement::F16) => TensorValues::F16(m.to_vec()),
            copied => copied,
        }
    }

    /// The values as f32 (f16 ones widened exactly).
    pub fn to_f32_vec(&self) -> Vec<f32> {
        match self {
            TensorValues::F32(v) => v.clone(),
            TensorValues::F16(v) => v.iter().map(|h| h.to_f32()).collect(),
            TensorValues::Mapped(..) => self.clone().to_f32_vec(),
        }
    }
}

/// Borrowed tensor values ([`TensorValues::view`]).
#[derive(Clone, Copy, Debug)]
pub enum TensorView<'a> {
    /// f32 values.
    F32(&'a [f32]),
    /// f16 values.
    F16(&'a [f16]),
}

impl Default for TensorValues {
    fn default() -> Self {
        TensorValues::F32(Vec::new())
    }
}

impl From<Vec<f32>> for TensorValues {
    fn from(values: Vec<f32>) -> Self {
        TensorValues::F32(values)
    }
}

/// A clone is always a copy: a mapping has one owner.
impl Clone for TensorValues {
    fn clone(&self) -> Self {
        match self {
            TensorValues::F32(v) => TensorValues::F32(v.clone()),
            TensorValues::F16(v) => TensorValues::F16(v.clone()),
            TensorValues::Mapped(m, TensorElement::F32) => TensorValues::F32(m.to_vec()),
            TensorValues::Mapped(m, TensorElement::F16) => TensorValues::F16(m.to_vec()),
        }
    }
}

/// The same element type and equal values, wherever they are (compared as f32 `==`).
impl PartialEq for TensorValues {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TensorValues::F32(a), TensorValues::F32(b)) => a == b,
            _ => self.element() == other.element() && self.to_f32_vec() == other.to_f32_vec(),
        }
    }
}

/// What the pass wrote, for the read-back: `[3, hp, wp]` RGB and `[dim, hp, wp]` features
/// (absent ones have no buffer).
pub struct PackedBuffers<'a> {
    /// (padded height, padded width) of every plane.
    pub padded: (usize, usize),
    /// Feature channels in the features buffer.
    pub feature_dim: usize,
    /// Bytes in (rgb, features), as [`TensorRecipe::tensor_bytes`].
    pub bytes: (u64, u64),
    /// The RGB tensor's buffer; `None` when the recipe packs no RGB.
    pub rgb: Option<&'a wgpu::Buffer>,
    /// The feature tensor's buffer; `None` when the recipe packs no features.
    pub features: Option<&'a wgpu::Buffer>,
}

/// Buffers sized for one tensor shape.
struct Sized {
    key: SizeKey,
    params: wgpu::Buffer,
    table: wgpu::Buffer,
    rgb: wgpu::Buffer,
    features: wgpu::Buffer,
}

/// (padded height, padded width, feature channels, packs RGB, packs features, element).
type SizeKey = (usize, usize, usize, bool, bool, TensorElement);

/// Writes the fusion network's input tensors from a rendered frame on the GPU
/// (shaders/pack_inputs.wgsl); keeps the buffers of the last tensor shape.
pub struct InputPacker {
    layout: wgpu::BindGroupLayout,
    module: wgpu::ShaderModule,
    /// The f32 variant of the pass.
    pipeline: wgpu::ComputePipeline,
    /// The f16 variant, made on first use: it needs f16 packing in shaders, which every
    /// Vulkan, Metal and DX12 device has but some GL ones lack.
    half_pipeline: Option<wgpu::ComputePipeline>,
    sized: Option<Sized>,
}

impl InputPacker {
    /// Builds the pass (and its f16 variant where the device can pack f16 pairs).
    pub fn new(ctx: &GpuContext) -> Self {
        let d = &ctx.device;
        let layout = bind_group_layout(d, "pack inputs", shaders::PACK_INPUTS_BINDS);
        let module = shader(d, &shaders::pack_inputs());
        let pipeline = compute_pipeline(d, &module, &[&layout], "pack", &[]);
        Self { layout, module, pipeline, half_pipeline: None, sized: None }
    }

    /// The pass's pipeline for `element`.
    fn pipeline(&mut self, ctx: &GpuContext, element: TensorElement) -> Result<&wgpu::ComputePipeline, TargetError> {
        if element == TensorElement::F32 {
            return Ok(&self.pipeline);
        }
        let flags = ctx.adapter.get_downlevel_capabilities().flags;
        if !flags.contains(wgpu::DownlevelFlags::SHADER_F16_IN_F32) {
            return Err(TargetError::NoHalfPacking);
        }
        let (d, module, layout) = (&ctx.device, &self.module, &self.layout);
        Ok(self.half_pipeline.get_or_insert_with(|| compute_pipeline(d, module, &[layout], "pack", &[("HALF", 1.0)])))
    }

    /// Records the pass over `target`'s last frame into `enc`. The feature tensor has as many
    /// channels as the target blends; a recipe that wants features from a target without any
    /// is the caller's error, refused here, as is f16 with an odd padded width.
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
        let half = recipe.element == TensorElement::F16;
        if half && wp % 2 == 1 {
            return Err(TargetError::OddHalfWidth(wp));
        }
        self.pipeline(ctx, recipe.element)?;
        let feature_dim = if features { dim } else { 0 };
        let bytes = recipe.tensor_bytes((hp, wp), feature_dim);
        let key = (hp, wp, dim, rgb, features, recipe.element);
        if self.sized.as_ref().is_none_or(|s| s.key != key) {
            self.sized = None; // free the old tensors first
            self.sized = Some(Self::allocate(ctx, key, bytes)?);
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
            let pipeline = if half { self.half_pipeline.as_ref() } else { Some(&self.pipeline) };
            pass.set_pipeline(pipeline.expect("made above"));
            pass.set_bind_group(0, &group, &[]);
            // With f16 an invocation writes a pixel pair.
            let columns = if half { wp / 2 } else { wp };
            pass.dispatch_workgroups((columns as u32).div_ceil(16), (hp as u32).div_ceil(16), 1);
        }
        Ok(PackedBuffers {
            padded: (hp, wp),
            feature_dim,
            bytes,
            rgb: rgb.then_some(&sized.rgb),
            features: features.then_some(&sized.features),
        })
    }

    fn allocate(ctx: &GpuContext, key: SizeKey, (rgb_bytes, feature_bytes): (u64, u64)) -> Result<Sized, TargetError> {
        let limit = ctx.limits.max_storage_buffer_binding_size.min(ctx.limits.max_buffer_size);
        let sizes = [("the network's RGB tensor", rgb_bytes), ("the network's feature tensor", feature_bytes)];
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
            rgb: storage("packed rgb", rgb_bytes),
            features: storage("packed features", feature_bytes),
        })
    }
}

//! Lifting's scatter on the GPU (`shaders/scatter.wgsl`), the transpose of the raster: every
//! pixel's vector goes to the Gaussians that made it, weighted by their blending weight α·T,
//! over the frame target's own tile lists. [`crate::render::lift`] is the CPU reference; the
//! sums are its sums up to float rounding (the order of additions differs). The per-Gaussian
//! sums stay on the GPU across views ([`GpuLiftSums`]) and are read back once.
//! [`super::headless::HeadlessRenderer::scatter`] encodes a view's tile lists and this pass.

use std::collections::HashMap;

use super::context::GpuContext;
use super::pipeline_util::{GroupCache, Resource, bind_group_layouts, compute_pipeline, shader};
use super::readback::{ReadBatch, StagingPool};
use super::renderer::FrameTarget;
use super::shaders::{self, SCATTER_BINDS};
use crate::render::lift::WeightedSums;

/// The group of the scatter pass binding the frame target's buffers.
const TARGET: u32 = 0;
/// The group binding the lift's values, sums and weights.
const LIFT: u32 = 1;

/// Lift sums or inputs that cannot be made or do not fit.
#[derive(Debug, thiserror::Error)]
pub enum LiftSumsError {
    /// A buffer would exceed the device's largest storage binding.
    #[error(
        "{what} would need {bytes} bytes, more than this GPU binds at once ({limit}); lift fewer classes, \
         Gaussians or pixels, or use the CPU renderer"
    )]
    TooLarge {
        /// Which buffer ("the per-Gaussian sums", "the per-pixel values").
        what: &'static str,
        /// Bytes it would need.
        bytes: u64,
        /// The most the device binds at once.
        limit: u64,
    },
    /// The per-pixel values do not hold `k` floats for every pixel of the view.
    #[error("per-pixel buffer has {got} floats, expected {pixels} pixels × {k}")]
    PixelSize {
        /// Floats given.
        got: usize,
        /// Pixels of the camera's image.
        pixels: usize,
        /// Floats per pixel.
        k: usize,
    },
    /// The sums were made for a scene of another size.
    #[error("the lift sums hold {got} Gaussians, the scene has {gaussians}")]
    SceneSize {
        /// Gaussians the sums hold.
        got: u32,
        /// Gaussians in the scene.
        gaussians: u32,
    },
}

/// Per-Gaussian sums of `k` channels and weights on the GPU, accumulated over views by
/// [`ScatterPass`] and read back once ([`Self::read`]); also the per-pixel input of the view
/// being scattered.
pub struct GpuLiftSums {
    k: u32,
    gaussians: u32,
    /// `[gaussians][k]` f32.
    sums: wgpu::Buffer,
    /// `[gaussians]` f32.
    weights: wgpu::Buffer,
    /// The view's `[pixels][k]` values and their float count, reallocated when it changes.
    values: Option<(usize, wgpu::Buffer)>,
    /// The scatter's lift group over these buffers, remade with the values buffer.
    groups: GroupCache,
}

/// The largest buffer one storage binding of `ctx`'s device may be.
fn binding_limit(ctx: &GpuContext) -> u64 {
    ctx.limits.max_storage_buffer_binding_size.min(ctx.limits.max_buffer_size)
}

fn storage(ctx: &GpuContext, label: &str, bytes: u64) -> wgpu::Buffer {
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        // A binding is never empty; the shader reads only the real length.
        size: bytes.max(16),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

impl GpuLiftSums {
    /// Zeroed sums for `gaussians` Gaussians of `k` channels each (a typed error where the
    /// device cannot bind them).
    pub fn new(ctx: &GpuContext, gaussians: u32, k: u32) -> Result<Self, LiftSumsError> {
        let limit = binding_limit(ctx);
        let bytes = u64::from(gaussians) * u64::from(k) * 4;
        if bytes > limit {
            return Err(LiftSumsError::TooLarge { what: "the per-Gaussian sums", bytes, limit });
        }
        // New buffers are zeroed by wgpu: no clear needed.
        let sums = storage(ctx, "lift sums", bytes);
        let weights = storage(ctx, "lift weights", u64::from(gaussians) * 4);
        Ok(Self { k, gaussians, sums, weights, values: None, groups: GroupCache::default() })
    }

    /// Channels per Gaussian and pixel.
    pub fn k(&self) -> u32 {
        self.k
    }

    /// Gaussians the sums are for.
    pub fn gaussians(&self) -> u32 {
        self.gaussians
    }

    /// Checks `values` against a `pixels`-pixel view of a `gaussians`-Gaussian scene and
    /// writes it to the GPU for the next scatter.
    pub fn upload_values(
        &mut self,
        ctx: &GpuContext,
        gaussians: u32,
        pixels: usize,
        values: &[f32],
    ) -> Result<(), LiftSumsError> {
        if gaussians != self.gaussians {
            return Err(LiftSumsError::SceneSize { got: self.gaussians, gaussians });
        }
        let k = self.k as usize;
        if values.len() != pixels * k {
            return Err(LiftSumsError::PixelSize { got: values.len(), pixels, k });
        }
        let (limit, bytes) = (binding_limit(ctx), values.len() as u64 * 4);
        if bytes > limit {
            return Err(LiftSumsError::TooLarge { what: "the per-pixel values", bytes, limit });
        }
        if self.values.as_ref().is_none_or(|(n, _)| *n != values.len()) {
            self.values = None; // free the old buffer first
            self.values = Some((values.len(), storage(ctx, "lift values", bytes)));
        }
        let (_, buffer) = self.values.as_ref().expect("allocated above");
        ctx.queue.write_buffer(buffer, 0, bytemuck::cast_slice(values));
        Ok(())
    }

    /// Copies the sums back (one submit, one wait) into the CPU reference's form.
    pub fn read(&self, ctx: &GpuContext) -> WeightedSums {
        let (n, k) = (u64::from(self.gaussians), u64::from(self.k));
        let mut pool = StagingPool::default();
        let mut batch = ReadBatch::new(&mut pool);
        let mut enc = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("lift sums") });
        batch.copy(ctx, &mut enc, &self.sums, 0, n * k * 4);
        batch.copy(ctx, &mut enc, &self.weights, 0, n * 4);
        ctx.queue.submit([enc.finish()]);
        let mut read = batch.finish::<f32>(ctx);
        let weights = read.regions.pop().expect("the weights region");
        let sums = read.regions.pop().expect("the sums region");
        WeightedSums { k: self.k as usize, sums, weights }
    }

    /// The scatter's lift group over the values (uploaded first), sums and weights.
    fn group(&self, device: &wgpu::Device, layout: &wgpu::BindGroupLayout) -> wgpu::BindGroup {
        let (_, values) = self.values.as_ref().expect("values are uploaded before a scatter is encoded");
        let resources = [Resource::Buffer(values), Resource::Buffer(&self.sums), Resource::Buffer(&self.weights)];
        self.groups.get(device, "scatter lift", layout, 0, &resources)
    }
}

/// The scatter pipelines, one per channel count, compiled on first use (on lavapipe a
/// compile takes seconds).
pub struct ScatterPass {
    device: wgpu::Device,
    /// One per group (`shaders::SCATTER_BINDS`).
    layouts: Vec<wgpu::BindGroupLayout>,
    pipelines: HashMap<u32, wgpu::ComputePipeline>,
}

impl ScatterPass {
    /// The layouts for `ctx`'s device; no pipeline is compiled yet.
    pub fn new(ctx: &GpuContext) -> Self {
        let device = ctx.device.clone();
        let layouts = bind_group_layouts(&device, "scatter", SCATTER_BINDS);
        Self { device, layouts, pipelines: HashMap::new() }
    }

    fn pipeline(&mut self, k: u32) -> &wgpu::ComputePipeline {
        let (device, layouts) = (&self.device, &self.layouts);
        self.pipelines.entry(k).or_insert_with(|| {
            let module = shader(device, &shaders::scatter(k));
            let layouts: Vec<&wgpu::BindGroupLayout> = layouts.iter().collect();
            compute_pipeline(device, &module, &layouts, "scatter", &[])
        })
    }

    /// Records the scatter of `sums`' uploaded values over `target`'s tile lists (encoded
    /// before, in the same encoder, by [`super::renderer::GpuRenderer::encode_tile_lists`]) into
    /// `sums`. A frame whose pair list overflowed adds nothing.
    pub fn encode(&mut self, enc: &mut wgpu::CommandEncoder, target: &FrameTarget, sums: &GpuLiftSums) {
        let target_resources = [
            Resource::Buffer(&target.uniforms),
            Resource::Buffer(&target.counters),
            Resource::Buffer(&target.tile_ranges),
            Resource::Buffer(&target.pair_sort.values),
            Resource::Buffer(&target.splat_a),
            Resource::Buffer(&target.splat_b),
        ];
        // Kept by the target and the sums, so made once per target, not per view.
        let target_group =
            target.bind_group(&self.device, "scatter target", &self.layouts[TARGET as usize], 0, &target_resources);
        let lift_group = sums.group(&self.device, &self.layouts[LIFT as usize]);
        let pipeline = self.pipeline(sums.k).clone();
        let mut pass =
            enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("scatter"), timestamp_writes: None });
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(TARGET, &target_group, &[]);
        pass.set_bind_group(LIFT, &lift_group, &[]);
        pass.dispatch_workgroups(target.tiles.0, target.tiles.1, 1);
    }
}

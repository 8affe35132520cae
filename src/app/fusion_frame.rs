//! The fusion network's input frame: the same camera rendered at the inference resolution
//! with the 32-channel feature set (not the 4 PCA display channels) and packed into the
//! network's input tensors on the GPU, recorded into the display frame's command encoder and
//! copied to a staging buffer that is mapped asynchronously, followed by the frame's 8-bit
//! colour, whose alpha tells the prediction which pixels the scene does not cover. The mapped
//! buffer is handed to the fusion thread as a whole (see [`super::fusion_link`]); it comes
//! back free once that thread has unmapped it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

use super::fusion_link::FusionReadback;
use crate::render::gpu::GpuContext;
use crate::render::gpu::colour8::Colour8Pass;
use crate::render::gpu::layout::counter;
use crate::render::gpu::pack::{InputPacker, TensorRecipe};
use crate::render::gpu::renderer::{FrameTarget, GpuRenderOptions, GpuRenderer, TargetError};
use crate::render::gpu::scene_buffers::GpuScene;
use crate::scene::Camera;

const PENDING: u8 = 0;
const DONE: u8 = 1;
const FAILED: u8 = 2;
/// The counters come first; the tensors start 16-byte aligned after them.
const TENSORS_OFFSET: u64 = (counter::LEN as u64 * 4).next_multiple_of(16);

struct Flight {
    state: Arc<AtomicU8>,
    frame: u64,
    submitted: Instant,
    /// The tensors' shape and recipe, for the fusion thread.
    padded: (usize, usize),
    feature_dim: usize,
    recipe: TensorRecipe,
}

#[derive(Default)]
/// Renders the fusion network's input frame on the GPU (the fusion feature set), packs its
/// tensors and queues their read-back; keeps its buffers between frames.
pub struct FusionFrames {
    target: Option<FrameTarget>,
    packer: Option<InputPacker>,
    /// The frame's colour and alpha as RGBA8 words, read back after the tensors.
    colour8: Option<Colour8Pass>,
    staging: Option<Arc<wgpu::Buffer>>,
    flight: Option<Flight>,
    /// Shape and recipe of the frame last recorded, until `after_submit` starts its flight.
    recorded: Option<((usize, usize), usize, TensorRecipe)>,
}

impl FusionFrames {
    /// Forgets the buffers (another scene).
    pub fn clear(&mut self) {
        self.target = None;
        self.flight = None;
    }

    /// Whether a new fusion frame can be recorded: none in flight and the staging buffer back
    /// from the fusion thread.
    pub fn free(&self) -> bool {
        self.flight.is_none() && self.staging.as_ref().is_none_or(|s| Arc::strong_count(s) == 1)
    }

    /// Records the fusion frame for `camera` at `size` into `enc`, packed by `recipe`. `pairs`
    /// is the pair capacity the display frame needed (a smaller image of the same view needs
    /// fewer).
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &mut self,
        ctx: &GpuContext,
        renderer: &mut GpuRenderer,
        enc: &mut wgpu::CommandEncoder,
        scene: &GpuScene,
        camera: &Camera,
        (w, h): (u32, u32),
        pairs: u32,
        recipe: &TensorRecipe,
    ) -> Result<(), TargetError> {
        let dim = scene.fusion_features.as_ref().map_or(0, |f| f.dim);
        if !self.target.as_ref().is_some_and(|t| t.fits(scene, (w, h), u64::from(pairs), dim)) {
            self.target = None;
            self.target = Some(renderer.target_for(scene, w, h, pairs, true)?);
        }
        let target = self.target.as_ref().expect("ensured above");
        let opts = GpuRenderOptions { features: true, fusion_features: true, untimed: true, ..Default::default() };
        renderer.encode(enc, scene, target, &camera.resized(w, h), &opts);
        let packed = self.packer.get_or_insert_with(|| InputPacker::new(ctx)).encode(ctx, enc, target, recipe)?;
        let (rgb_bytes, feature_bytes) = packed.bytes;
        let (padded, feature_dim) = (packed.padded, packed.feature_dim);
        let (rgb, features) = (packed.rgb, packed.features);
        // After the tensors (whose byte counts are multiples of 4, as copies need).
        let colour_offset = TENSORS_OFFSET + rgb_bytes + feature_bytes;
        let colour_bytes = w as u64 * h as u64 * 4;
        let size = colour_offset + colour_bytes;
        if self.staging.as_ref().is_none_or(|s| s.size() != size) {
            self.staging = Some(Arc::new(ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("fusion read-back"),
                size,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })));
        }
        let staging = self.staging.as_ref().expect("ensured above");
        enc.copy_buffer_to_buffer(&target.counters, 0, staging, 0, counter::LEN as u64 * 4);
        if let Some(rgb) = rgb {
            enc.copy_buffer_to_buffer(rgb, 0, staging, TENSORS_OFFSET, rgb_bytes);
        }
        if let Some(features) = features {
            enc.copy_buffer_to_buffer(features, 0, staging, TENSORS_OFFSET + rgb_bytes, feature_bytes);
        }
        let colour = self.colour8.get_or_insert_with(|| Colour8Pass::new(ctx)).encode(ctx, enc, target);
        enc.copy_buffer_to_buffer(colour, 0, staging, colour_offset, colour_bytes);
        self.recorded = Some((padded, feature_dim, recipe.clone()));
        Ok(())
    }

    /// After the encoder was submitted: starts mapping the staging buffer.
    pub fn after_submit(&mut self, frame: u64) {
        let (Some(staging), Some((padded, feature_dim, recipe))) = (&self.staging, self.recorded.take()) else {
            return;
        };
        let state = Arc::new(AtomicU8::new(PENDING));
        let flag = state.clone();
        staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            flag.store(if r.is_ok() { DONE } else { FAILED }, Ordering::Release);
        });
        self.flight = Some(Flight { state, frame, submitted: Instant::now(), padded, feature_dim, recipe });
    }

    /// The mapped frame once it has arrived (call after the device was polled).
    pub fn poll(&mut self) -> Option<FusionReadback> {
        let state = self.flight.as_ref()?.state.load(Ordering::Acquire);
        if state == PENDING {
            return None;
        }
        let flight = self.flight.take().expect("checked above");
        if state == FAILED {
            log::warn!("the fusion frame could not be mapped; skipping it");
            return None;
        }
        let target = self.target.as_ref()?;
        Some(FusionReadback {
            buffer: self.staging.clone()?,
            frame: flight.frame,
            width: target.width,
            height: target.height,
            padded: flight.padded,
            feature_dim: flight.feature_dim,
            recipe: flight.recipe,
            tensors_offset: TENSORS_OFFSET,
            counters_overflow_index: counter::OVERFLOW as usize,
            submitted: flight.submitted,
        })
    }
}

//! The viewer's GPU side: records a splatting frame plus its display pass, and learns how the
//! frame went without ever waiting for the GPU. After each frame the counters (and the label
//! under the mouse) are copied to a mappable buffer and mapped asynchronously; a later UI
//! frame picks the result up. At most one frame is in flight, so the camera input of the next
//! frame is as fresh as the device allows and a slow device (lavapipe) never queues up work.
//! When a frame overflowed its (Gaussian, tile) pair buffer, the display pass skipped it on
//! the GPU (the previous image stays up) and the next frame gets a bigger buffer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

use super::fusion_frame::FusionFrames;
use super::fusion_link::FusionReadback;
use super::layout::ViewKind;
use super::present::{LabelSource, OverlayStyle, Presenter, ViewTexture};
use crate::render::gpu::layout::counter;
use crate::render::gpu::pack::TensorRecipe;
use crate::render::gpu::renderer::{FrameTarget, GpuRenderOptions, GpuRenderer, TargetError};
use crate::render::gpu::scene_buffers::GpuScene;
use crate::render::gpu::timing::StageTimes;
use crate::render::gpu::{GpuContext, readback};
use crate::scene::Camera;

/// Bytes of the read-back: the counters, then the label and depth under the mouse.
const COUNTERS_BYTES: u64 = counter::LEN as u64 * 4;
const READBACK_BYTES: u64 = COUNTERS_BYTES + 16;
const MAP_PENDING: u8 = 0;
const MAP_DONE: u8 = 1;
const MAP_FAILED: u8 = 2;

#[derive(Debug, thiserror::Error)]
/// Why a frame could not be rendered.
pub enum ViewportError {
    #[error(transparent)]
    /// The frame target cannot be allocated.
    Target(#[from] TargetError),
    #[error("this view needs {needed} (Gaussian, tile) pairs, more than this GPU's buffers allow ({limit})")]
    /// The view needs more (Gaussian, tile) pairs than the device's largest binding holds.
    TooManyPairs {
        /// Pairs the view needs.
        needed: u64,
        /// Most pairs the device holds.
        limit: u64,
    },
    /// Transparent: the camera error names the camera and what is wrong, and as a `#[from]`
    /// source it would be printed twice by anyhow's `{:#}` under a prefix of our own.
    #[error(transparent)]
    Camera(#[from] crate::scene::CameraError),
}

/// One frame to render.
pub struct FrameRequest<'a> {
    /// Camera to render from.
    pub camera: &'a Camera,
    /// Views to produce.
    pub views: &'a [ViewKind],
    /// How the semantic overlay is drawn.
    pub style: &'a OverlayStyle,
    /// Colour behind the splats, linear RGB 0-1.
    pub background: [f32; 3],
    /// Splat the scene's (PCA colour) features.
    pub features: bool,
    /// Produce a label map: the ground truth, or the lifted labels with `lifted_labels`.
    pub labels: bool,
    /// Splat the lifted labels rather than the ground truth (with `labels`).
    pub lifted_labels: bool,
    /// A pixel whose label to read back with the counters.
    pub probe: Option<(u32, u32)>,
    /// Which labels the semantic view shows.
    pub label_source: LabelSource,
    /// Also render the fusion network's input at this size (tagged with this frame number),
    /// packed into its tensors by the recipe.
    pub fusion: Option<((u32, u32), u64, &'a TensorRecipe)>,
}

/// What came back from a finished frame (or a stand-alone probe of the last frame).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameDone {
    /// False for a probe read-back, which renders nothing.
    pub was_frame: bool,
    /// Splats that survived culling.
    pub visible: u32,
    /// (Gaussian, tile) pairs the frame needed.
    pub pairs: u32,
    /// Whether the pair buffer overflowed (the frame is incomplete).
    pub overflow: bool,
    /// NYU40 id under the probe pixel (or the renderer's ignore value 255).
    pub probe_label: Option<u8>,
    /// Submit to read-back completion: the frame's wall-clock latency.
    pub latency_ms: f64,
}

struct InFlight {
    state: Arc<AtomicU8>,
    submitted: Instant,
    was_frame: bool,
    probe: bool,
}

/// The viewer's GPU frame: renderer, frame target, display pass and read-backs, one frame in flight.
pub struct Viewport {
    /// The device.
    pub ctx: GpuContext,
    renderer: GpuRenderer,
    presenter: Presenter,
    target: Option<FrameTarget>,
    textures: Vec<ViewTexture>,
    /// Bumped whenever the textures are recreated (egui must re-register them).
    pub generation: u64,
    staging: wgpu::Buffer,
    in_flight: Option<InFlight>,
    min_pairs: u64,
    last_labels: bool,
    fusion: FusionFrames,
}

impl Viewport {
    /// A viewport on `ctx`'s device (raster variants are compiled on a worker thread).
    pub fn new(ctx: &GpuContext) -> Self {
        let renderer = GpuRenderer::new(ctx);
        // Compile the raster variants a session toggles between (labels on/off, no features or
        // the 4 PCA channels) on a worker: on lavapipe each takes seconds, which would freeze
        // the window the first time the semantic or feature view appears.
        let pipelines = renderer.raster_pipelines();
        let spawned = std::thread::Builder::new().name("raster warm-up".into()).spawn(move || {
            for (dim, labels) in [(0, true), (4, false), (4, true), (0, false)] {
                pipelines.get(dim, labels);
            }
        });
        if let Err(e) = spawned {
            log::warn!("raster pipelines will compile on first use: {e}");
        }
        Self {
            ctx: ctx.clone(),
            renderer,
            presenter: Presenter::new(ctx),
            target: None,
            textures: Vec::new(),
            generation: 0,
            staging: ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("viewer read-back"),
                size: READBACK_BYTES,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            in_flight: None,
            min_pairs: 0,
            last_labels: false,
            fusion: FusionFrames::default(),
        }
    }

    /// A frame or probe is on the GPU; wait for [`Self::poll`] to return it.
    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Size of the current images.
    pub fn size(&self) -> Option<(u32, u32)> {
        self.target.as_ref().map(|t| (t.width, t.height))
    }

    /// The output texture of view `kind`, once a frame has been drawn.
    pub fn texture(&self, kind: ViewKind) -> Option<&ViewTexture> {
        self.textures.get(kind.index())
    }

    /// Forgets the scene's buffers (before another scene is shown).
    pub fn clear(&mut self) {
        self.target = None;
        self.textures.clear();
        self.min_pairs = 0;
        self.generation += 1;
        self.fusion.clear();
    }

    /// Hands over predicted classes (NYU40 ids, `width`×`height`) for the semantic view.
    pub fn set_prediction(&mut self, classes: &[u8], width: u32, height: u32) {
        self.presenter.set_prediction(classes, width, height);
    }

    /// Whether a fusion frame may be requested now.
    pub fn fusion_free(&self) -> bool {
        self.fusion.free()
    }

    /// A mapped fusion frame, once the GPU has delivered it.
    pub fn poll_fusion(&mut self) -> Option<FusionReadback> {
        let _ = self.ctx.device.poll(wgpu::PollType::Poll);
        self.fusion.poll()
    }

    fn pair_limit(&self) -> u64 {
        FrameTarget::pair_limit(&self.ctx)
    }

    fn ensure_target(&mut self, scene: &GpuScene, w: u32, h: u32) -> Result<(), ViewportError> {
        let dim = scene.features.as_ref().map_or(0, |f| f.dim);
        if self.target.as_ref().is_some_and(|t| t.fits(scene, (w, h), self.min_pairs, dim)) {
            return Ok(());
        }
        let resized = self.size() != Some((w, h));
        let want = FrameTarget::pairs_wanted(&self.ctx, scene, self.min_pairs);
        self.target = None; // free the old buffers first
        self.target = Some(self.renderer.target(scene, w, h, want)?);
        if resized || self.textures.is_empty() {
            self.textures = ViewKind::ALL.iter().map(|k| ViewTexture::new(&self.ctx.device, w, h, *k)).collect();
            self.generation += 1;
        }
        Ok(())
    }

    /// Records and submits a frame. Call only when not [`Self::busy`].
    pub fn submit_frame(&mut self, scene: &GpuScene, req: &FrameRequest) -> Result<(), ViewportError> {
        debug_assert!(!self.busy(), "one frame in flight at a time");
        req.camera.validate()?;
        self.ensure_target(scene, req.camera.width, req.camera.height)?;
        let target = self.target.as_ref().expect("target ensured");
        let ctx = self.ctx.clone();
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("viewer frame") });
        let opts = GpuRenderOptions {
            background: req.background,
            features: req.features,
            labels: req.labels,
            lifted_labels: req.lifted_labels,
            ..Default::default()
        };
        let slot = self.renderer.encode(&mut enc, scene, target, req.camera, &opts);
        let labels_valid = scene.splats_labels(&opts);
        let source = match req.label_source {
            LabelSource::GroundTruth | LabelSource::Lifted if !labels_valid => LabelSource::None,
            other => other,
        };
        let feature_dim = if req.features { scene.features.as_ref().map_or(0, |f| f.dim) } else { 0 };
        let views: Vec<(ViewKind, &ViewTexture)> = req.views.iter().map(|k| (*k, &self.textures[k.index()])).collect();
        self.presenter.encode(&mut enc, target, &views, req.style, source, feature_dim);
        self.last_labels = labels_valid;
        let probe = req.probe.filter(|_| labels_valid);
        Self::record_readback(&mut enc, target, &self.staging, probe);
        let pairs = target.pair_capacity;
        let fusion_frame = match req.fusion {
            Some((size, frame, recipe)) if self.fusion.free() && scene.fusion_features.is_some() => {
                match self.fusion.encode(&ctx, &mut self.renderer, &mut enc, scene, req.camera, size, pairs, recipe) {
                    Ok(()) => Some(frame),
                    Err(e) => {
                        log::warn!("no fusion frame: {e}");
                        None
                    }
                }
            }
            _ => None,
        };
        ctx.queue.submit([enc.finish()]);
        self.renderer.after_submit(slot);
        if let Some(frame) = fusion_frame {
            self.fusion.after_submit(frame);
        }
        self.in_flight = Some(self.map_readback(true, probe.is_some()));
        Ok(())
    }

    /// Reads the label under `pixel` from the last frame, without rendering. Does nothing when
    /// busy or when the last frame had no labels.
    pub fn submit_probe(&mut self, pixel: (u32, u32)) {
        let Some(target) = self.target.as_ref().filter(|_| !self.busy() && self.last_labels) else { return };
        let mut enc =
            self.ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("viewer probe") });
        Self::record_readback(&mut enc, target, &self.staging, Some(pixel));
        self.ctx.queue.submit([enc.finish()]);
        self.in_flight = Some(self.map_readback(false, true));
    }

    fn record_readback(
        enc: &mut wgpu::CommandEncoder,
        target: &FrameTarget,
        staging: &wgpu::Buffer,
        probe: Option<(u32, u32)>,
    ) {
        enc.copy_buffer_to_buffer(&target.counters, 0, staging, 0, COUNTERS_BYTES);
        if let Some((x, y)) = probe.filter(|(x, y)| *x < target.width && *y < target.height) {
            let pixel = (y as u64 * target.width as u64 + x as u64) * 4;
            enc.copy_buffer_to_buffer(&target.out_labels, pixel, staging, COUNTERS_BYTES, 4);
        }
    }

    fn map_readback(&self, was_frame: bool, probe: bool) -> InFlight {
        let state = Arc::new(AtomicU8::new(MAP_PENDING));
        let flag = state.clone();
        self.staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            flag.store(if r.is_ok() { MAP_DONE } else { MAP_FAILED }, Ordering::Release);
        });
        InFlight { state, submitted: Instant::now(), was_frame, probe }
    }

    /// Lets wgpu run callbacks (never waits) and returns the in-flight frame's result once it
    /// has arrived. An overflowed frame makes the next one allocate enough pairs.
    pub fn poll(&mut self) -> Result<Option<FrameDone>, ViewportError> {
        // Non-blocking: only processes what the GPU has already finished.
        let _ = self.ctx.device.poll(wgpu::PollType::Poll);
        let Some(flight) = &self.in_flight else { return Ok(None) };
        let state = flight.state.load(Ordering::Acquire);
        if state == MAP_PENDING {
            return Ok(None);
        }
        let flight = self.in_flight.take().expect("checked above");
        if state == MAP_FAILED {
            log::warn!("the viewer's read-back could not be mapped; skipping one result");
            return Ok(None);
        }
        let words: Vec<u32> = {
            let view = self.staging.slice(..).get_mapped_range().expect("mapped read-back");
            bytemuck::pod_collect_to_vec(&view)
        };
        self.staging.unmap();
        let done = FrameDone {
            was_frame: flight.was_frame,
            visible: words[counter::VISIBLE as usize],
            pairs: words[counter::PAIRS as usize],
            overflow: flight.was_frame && words[counter::OVERFLOW as usize] != 0,
            probe_label: flight.probe.then(|| words[counter::LEN as usize] as u8),
            latency_ms: flight.submitted.elapsed().as_secs_f64() * 1e3,
        };
        if done.overflow {
            let needed = done.pairs as u64;
            if needed > self.pair_limit() {
                return Err(ViewportError::TooManyPairs { needed, limit: self.pair_limit() });
            }
            self.min_pairs = needed.next_power_of_two().min(self.pair_limit());
        }
        Ok(Some(done))
    }

    /// Per-stage GPU times of frames whose timestamps have arrived.
    pub fn stage_times(&mut self) -> Vec<StageTimes> {
        self.renderer.collect_timings()
    }

    /// The view's current image as tightly packed RGBA8 rows. Blocks (screenshots only).
    pub fn read_view(&self, kind: ViewKind) -> Option<(u32, u32, Vec<u8>)> {
        let (w, h) = self.size()?;
        let texture = &self.texture(kind)?.texture;
        let row = (w * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let buffer = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("screenshot"),
            size: row as u64 * h as u64,
            usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc =
            self.ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("screenshot") });
        enc.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(row), rows_per_image: Some(h) },
            },
            wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
        );
        self.ctx.queue.submit([enc.finish()]);
        let padded = readback::read_bytes(&self.ctx, &buffer, 0, row as u64 * h as u64);
        let pixels = padded.chunks_exact(row as usize).flat_map(|r| &r[..w as usize * 4]).copied().collect();
        Some((w, h, pixels))
    }
}

//! Rendering to CPU memory with the GPU renderer: for `rtgs2 render --backend gpu`, dataset
//! export, benchmarks and the parity tests. Unlike the viewer's frame, this waits for the GPU
//! and reads the images back, and it can grow the pair buffers and re-render when a view
//! needs more (Gaussian, tile) pairs than were allocated.

use super::colour8::Colour8Pass;
use super::layout::counter;
use super::pack::{InputPacker, PackedTensors, TensorRecipe, TensorValues};
use super::readback::{MappedRegion, ReadBatch, ReadRegions, StagingPool};
use super::renderer::{FrameTarget, GpuRenderOptions, GpuRenderer};
use super::scatter::{GpuLiftSums, LiftSumsError, ScatterPass};
use super::scene_buffers::GpuScene;
use crate::render::frame::{Frame, RenderStats};
use crate::scene::Camera;

#[derive(Debug, thiserror::Error)]
/// Why a headless render failed.
pub enum HeadlessError {
    /// Transparent: the camera error names the camera and what is wrong, and as a `#[from]`
    /// source it would be printed twice by anyhow's `{:#}` under a prefix of our own.
    #[error(transparent)]
    Camera(#[from] crate::scene::CameraError),
    #[error(transparent)]
    /// The frame target cannot be allocated (too large, or the wrong feature set).
    Target(#[from] super::renderer::TargetError),
    #[error("this view needs {needed} (Gaussian, tile) pairs, more than this GPU's buffers allow ({limit})")]
    /// The view needs more (Gaussian, tile) pairs than the device's largest binding holds.
    TooManyPairs {
        /// Pairs the view needs.
        needed: u64,
        /// Most pairs the device holds.
        limit: u64,
    },
    #[error(transparent)]
    /// Lifting's per-pixel values or per-Gaussian sums do not fit the view, scene or device.
    Lift(#[from] LiftSumsError),
}

/// What a headless frame encodes before the caller's passes.
#[derive(Clone, Copy)]
enum FramePart<'o> {
    /// The whole frame, raster included, with these options.
    Render(&'o GpuRenderOptions),
    /// Only the tile lists (for the scatter).
    TileLists,
}

/// A renderer plus the frame target it last used (reused while size and scene match).
pub struct HeadlessRenderer {
    /// The renderer (its context is `renderer.ctx`).
    pub renderer: GpuRenderer,
    target: Option<FrameTarget>,
    /// Made on the first packed render.
    packer: Option<InputPacker>,
    colour8: Option<Colour8Pass>,
    /// Made on the first scatter.
    scatter: Option<ScatterPass>,
    /// Read-back buffers, reused frame after frame.
    staging: StagingPool,
}

/// A view rendered for the fusion network ([`HeadlessRenderer::render_packed`]).
#[derive(Debug)]
pub struct PackedFrame {
    /// Image width, pixels.
    pub width: u32,
    /// Image height, pixels.
    pub height: u32,
    /// The rendered colour, 3 bytes a pixel, row-major (`image_io::to_u8` of the f32 image).
    pub rgb8: Vec<u8>,
    /// The accumulated alpha, 1 byte a pixel, rounded likewise: the coverage that gives the
    /// pixels the scene does not cover no class ([`crate::fusion::coverage`]).
    pub alpha8: Vec<u8>,
    /// NYU40 ids, one a pixel, when the render asked for labels and the scene has them;
    /// otherwise empty.
    pub labels: Vec<u8>,
    /// Counts and the CPU's read-back time (no per-pass GPU times).
    pub stats: RenderStats,
    /// The network's input tensors, packed on the GPU.
    pub tensors: PackedTensors,
}

/// Counters read back after a frame.
#[derive(Clone, Copy, Debug)]
pub struct FrameCounts {
    /// Splats that survived culling.
    pub visible: u32,
    /// (Gaussian, tile) pairs the frame needed.
    pub pairs: u32,
    /// Whether the pairs exceeded the target's capacity (the frame is then rendered again, larger).
    pub overflow: bool,
}

impl HeadlessRenderer {
    /// A renderer with no frame target yet.
    pub fn new(renderer: GpuRenderer) -> Self {
        Self { renderer, target: None, packer: None, colour8: None, scatter: None, staging: StagingPool::default() }
    }

    fn pair_limit(&self) -> u64 {
        FrameTarget::pair_limit(&self.renderer.ctx)
    }

    /// The target for this scene and size, reallocated when anything changed.
    fn ensure_target(&mut self, scene: &GpuScene, w: u32, h: u32, min_pairs: u64) -> Result<(), HeadlessError> {
        let dim = scene.features.as_ref().map_or(0, |f| f.dim);
        if !self.target.as_ref().is_some_and(|t| t.fits(scene, (w, h), min_pairs, dim)) {
            let want = FrameTarget::pairs_wanted(&self.renderer.ctx, scene, min_pairs);
            self.target = None; // free the old buffers first
            self.target = Some(self.renderer.target(scene, w, h, want)?);
        }
        Ok(())
    }

    /// Renders one view and waits; counts tell how much work it was.
    pub fn render_counts(
        &mut self,
        scene: &GpuScene,
        camera: &Camera,
        opts: &GpuRenderOptions,
    ) -> Result<FrameCounts, HeadlessError> {
        self.render_and_read(scene, camera, FramePart::Render(opts), 0, |_, _, _| Ok(())).map(|(counts, ..)| counts)
    }

    /// Scatters `values` (`sums.k()` floats a pixel, row-major at the camera's resolution:
    /// lifting's class distributions) onto the Gaussians that made each pixel, weighted by
    /// their blending weight α·T, adding into `sums` ([`super::scatter`]; the CPU reference is
    /// [`crate::render::lift::scatter_by_weight`]). Encodes the view's tile lists and the
    /// scatter, submits once and waits for the counters; a view whose pairs overflowed adds
    /// nothing and is encoded again with a larger pair buffer, as a render is.
    pub fn scatter(
        &mut self,
        scene: &GpuScene,
        camera: &Camera,
        values: &[f32],
        sums: &mut GpuLiftSums,
    ) -> Result<FrameCounts, HeadlessError> {
        camera.validate()?;
        let ctx = self.renderer.ctx.clone();
        let pixels = camera.width as usize * camera.height as usize;
        sums.upload_values(&ctx, scene.len, pixels, values)?;
        // Taken out of self while the frame borrows it; put back whatever happens.
        let mut pass = self.scatter.take().unwrap_or_else(|| ScatterPass::new(&ctx));
        let result = self.render_and_read(scene, camera, FramePart::TileLists, 0, |_, enc, t| {
            pass.encode(enc, t, sums);
            Ok(())
        });
        self.scatter = Some(pass);
        result.map(|(counts, ..)| counts)
    }

    /// Encodes the view (`part` of it) plus copies of its counters and whatever `images`
    /// records, submits once and waits once; re-encodes with a larger pair buffer when the
    /// view overflowed. Returns the counts and the regions `images` recorded, as u32 words in
    /// order (the counters taken off the front), the last `keep_mapped` of them left mapped.
    fn render_and_read(
        &mut self,
        scene: &GpuScene,
        camera: &Camera,
        part: FramePart<'_>,
        keep_mapped: usize,
        mut images: impl FnMut(&mut ReadBatch<'_>, &mut wgpu::CommandEncoder, &FrameTarget) -> Result<(), HeadlessError>,
    ) -> Result<(FrameCounts, ReadRegions<u32>, Vec<MappedRegion>), HeadlessError> {
        camera.validate()?;
        let mut min_pairs = 0u64;
        loop {
            self.ensure_target(scene, camera.width, camera.height, min_pairs)?;
            let target = self.target.as_ref().expect("target ensured");
            let ctx = self.renderer.ctx.clone();
            let mut enc =
                ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("headless frame") });
            let slot = match part {
                FramePart::Render(opts) => self.renderer.encode(&mut enc, scene, target, camera, opts),
                FramePart::TileLists => {
                    self.renderer.encode_tile_lists(&mut enc, scene, target, camera);
                    None
                }
            };
            let mut batch = ReadBatch::new(&mut self.staging);
            // The counters up to the overflow flag: all a frame's caller needs of them.
            batch.copy(&ctx, &mut enc, &target.counters, 0, (counter::OVERFLOW as u64 + 1) * 4);
            images(&mut batch, &mut enc, target)?;
            ctx.queue.submit([enc.finish()]);
            self.renderer.after_submit(slot);
            let (mut read, mapped) = batch.finish_keeping_mapped::<u32>(&ctx, keep_mapped);
            let c = read.regions.remove(0);
            let counts = FrameCounts {
                visible: c[counter::VISIBLE as usize],
                pairs: c[counter::PAIRS as usize],
                overflow: c[counter::OVERFLOW as usize] != 0,
            };
            if !counts.overflow {
                return Ok((counts, read, mapped));
            }
            let needed = counts.pairs as u64;
            if needed > self.pair_limit() {
                return Err(HeadlessError::TooManyPairs { needed, limit: self.pair_limit() });
            }
            min_pairs = needed.next_power_of_two().min(self.pair_limit());
        }
    }

    /// The renderer and the target of the last render (for benchmarks that encode frames
    /// themselves after a first `render_counts` sized the buffers).
    pub fn parts(&mut self) -> (&mut GpuRenderer, Option<&FrameTarget>) {
        (&mut self.renderer, self.target.as_ref())
    }

    /// Renders one view and reads every requested channel back into a [`Frame`], all in one
    /// submit and one wait.
    pub fn render(
        &mut self,
        scene: &GpuScene,
        camera: &Camera,
        opts: &GpuRenderOptions,
    ) -> Result<Frame, HeadlessError> {
        let dim = if opts.features { scene.features.as_ref().map_or(0, |f| f.dim) as u64 } else { 0 };
        let labels = scene.splats_labels(opts);
        let ctx = self.renderer.ctx.clone();
        let (counts, mut read, _) =
            self.render_and_read(scene, camera, FramePart::Render(opts), 0, |batch, enc, t| {
                let px = t.width as u64 * t.height as u64;
                batch.copy(&ctx, enc, &t.out_rgba, 0, px * 16);
                batch.copy(&ctx, enc, &t.out_depth, 0, px * 4);
                batch.copy(&ctx, enc, &t.out_labels, 0, if labels { px * 4 } else { 0 });
                batch.copy(&ctx, enc, &t.out_features, 0, px * dim * 4);
                Ok(())
            })?;
        let clock = std::time::Instant::now();
        let rgba: Vec<f32> = bytemuck::cast_vec(read.regions.remove(0));
        let depth = read.regions.remove(0);
        let label_words = read.regions.remove(0);
        let features = read.regions.remove(0);
        let mut frame = Frame {
            width: camera.width,
            height: camera.height,
            rgb: rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
            alpha: rgba.chunks_exact(4).map(|p| p[3]).collect(),
            depth: bytemuck::cast_vec(depth),
            labels: label_words.into_iter().map(|v| v as u8).collect(),
            features: bytemuck::cast_vec(features),
            feature_dim: dim as usize,
            stats: counts.stats(),
        };
        // The CPU's share of reading back: out of the mapping, then unpacked. The GPU's copies
        // finish inside the same wait as the render, so they count as rendering.
        frame.stats.readback_ms = read.copy_ms + clock.elapsed().as_secs_f64() * 1e3;
        Ok(frame)
    }

    /// Renders one view for the fusion network: its input tensors written by `recipe` on
    /// the GPU, the colour and alpha as 8 bits a pixel (what pictures and the overlay show,
    /// and which pixels the scene covers), and the
    /// ground-truth labels when `opts.labels` asks and the scene has them — all in one submit
    /// and one wait, reading back neither the f32 colour nor depth nor the features, which
    /// go only into the tensors. The tensors stay in their mapped read-back buffers
    /// ([`TensorValues::Mapped`]): ONNX Runtime reads them there, on whichever thread runs the
    /// network, and [`TensorValues::copied`] copies them out where a caller wants values.
    pub fn render_packed(
        &mut self,
        scene: &GpuScene,
        camera: &Camera,
        opts: &GpuRenderOptions,
        recipe: &TensorRecipe,
    ) -> Result<PackedFrame, HeadlessError> {
        let blends_features = opts.features && scene.features.as_ref().is_some_and(|f| f.dim > 0);
        // Packing features the frame does not blend would read a stale buffer.
        if recipe.feature_scale.is_some() && !blends_features {
            return Err(HeadlessError::Target(super::renderer::TargetError::NoFeatures));
        }
        let labels = scene.splats_labels(opts);
        let ctx = self.renderer.ctx.clone();
        // Taken out of self while the render borrows it; put back whatever happens.
        let mut packer = self.packer.take().unwrap_or_else(|| InputPacker::new(&ctx));
        let mut colour8 = self.colour8.take().unwrap_or_else(|| Colour8Pass::new(&ctx));
        let mut shape = ((0, 0), 0);
        // The two tensor regions are recorded last and always come back mapped: copied out
        // below, or by the caller's consumer.
        let result = self.render_and_read(scene, camera, FramePart::Render(opts), 2, |batch, enc, t| {
            let px = t.width as u64 * t.height as u64;
            let colour = colour8.encode(&ctx, enc, t);
            batch.copy(&ctx, enc, colour, 0, px * 4);
            batch.copy(&ctx, enc, &t.out_labels, 0, if labels { px * 4 } else { 0 });
            let p = packer.encode(&ctx, enc, t, recipe)?;
            shape = (p.padded, p.feature_dim);
            // An absent tensor has no buffer and 0 bytes: it reads as an empty region.
            let (rgb_bytes, feature_bytes) = p.bytes;
            batch.copy(&ctx, enc, p.rgb.unwrap_or(&t.out_rgba), 0, rgb_bytes);
            batch.copy(&ctx, enc, p.features.unwrap_or(&t.out_rgba), 0, feature_bytes);
            Ok(())
        });
        self.packer = Some(packer);
        self.colour8 = Some(colour8);
        let (counts, mut read, mapped) = result?;
        let clock = std::time::Instant::now();
        let colour_words = read.regions.remove(0);
        let label_words = read.regions.remove(0);
        let [rgb, features] = <[MappedRegion; 2]>::try_from(mapped).expect("the two tensor regions were kept mapped");
        let ((padded, feature_dim), element) = (shape, recipe.element);
        let (rgb, features) = (TensorValues::Mapped(rgb, element), TensorValues::Mapped(features, element));
        let mut stats = counts.stats();
        let rgb8 =
            colour_words.iter().flat_map(|w| <[u8; 3]>::try_from(&w.to_le_bytes()[..3]).expect("3 of 4")).collect();
        let alpha8 = colour_words.iter().map(|w| (w >> 24) as u8).collect();
        let labels = label_words.into_iter().map(|v| v as u8).collect();
        // The CPU's share of reading back, as for `render`.
        stats.readback_ms = read.copy_ms + clock.elapsed().as_secs_f64() * 1e3;
        Ok(PackedFrame {
            width: camera.width,
            height: camera.height,
            rgb8,
            alpha8,
            labels,
            stats,
            tensors: PackedTensors { padded, rgb, features, feature_dim, recipe: recipe.clone() },
        })
    }
}

impl FrameCounts {
    fn stats(&self) -> RenderStats {
        RenderStats { visible: self.visible as usize, tile_pairs: self.pairs as usize, ..Default::default() }
    }
}

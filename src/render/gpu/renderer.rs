//! The GPU splatting frame: preprocess → visibility scan + compaction → depth sort → tile
//! counts, scan and pair emission → stable tile sort → tile ranges → tile raster. Counts stay
//! on the GPU (indirect dispatch); nothing is read back inside a frame.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::layout::{FrameUniforms, counter};
use super::pipeline_util::{
    GroupCache, Resource, bind_group, bind_group_layout, bind_group_layouts, compute_pipeline, shader,
};
use super::scan::{GpuScan, ScanCounts, ScanPlan, grid};
use super::scene_buffers::{GpuFeatures, GpuScene};
use super::shaders::{SCENE_GROUP, TARGET_GROUP};
use super::sort::{RadixSorter, SortBuffers, SortCount};
use super::timing::{GpuTimer, StageTimes};
use super::{GpuContext, shaders};
use crate::render::view::{TILE, View};
use crate::scene::Camera;

/// What a frame blends besides RGB, depth and alpha.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GpuRenderOptions {
    /// Colour behind the splats, linear RGB in 0-1.
    pub background: [f32; 3],
    /// Blend the scene's per-Gaussian features (if attached).
    pub features: bool,
    /// Produce the ground-truth label map (if the scene has labels).
    pub labels: bool,
    /// With `labels`: splat the lifted labels ([`GpuScene::set_lifted_labels`]) instead of
    /// the ground truth.
    pub lifted_labels: bool,
    /// Blend the scene's second feature set (the fusion network's input, see
    /// [`GpuScene::fusion_features`]) instead of the display set.
    pub fusion_features: bool,
    /// Record no timestamp queries: a side frame (the fusion network's input) that must not
    /// show up as the frame the profiler reports.
    pub untimed: bool,
}

/// A frame target that cannot be allocated on this device.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "{what} would need {bytes} bytes, more than this GPU binds at once ({limit}); lower the resolution or the feature count"
    )]
    /// An output or scratch array would exceed the device's largest storage binding.
    TooLarge {
        /// Which array ("the feature image", "the colour image", ...).
        what: &'static str,
        /// Bytes it would need.
        bytes: u64,
        /// The most the device binds at once.
        limit: u64,
    },
    #[error("the network reads splatted features, but this frame blends none (attach the encoder's features)")]
    /// The network wants splatted features but the frame blends none (no features attached).
    NoFeatures,
    #[error("f16 tensors pack pixel pairs, so their padded width must be even, not {0} (use a size multiple of 2)")]
    /// An f16 input tensor's padded width (carried) is odd; half packing needs pixel pairs.
    OddHalfWidth(usize),
    #[error("this GPU cannot pack f16 values in shaders; use --input-precision f32")]
    /// The device lacks the shader support f16 packing needs.
    NoHalfPacking,
    #[error(transparent)]
    /// The radix sorter's buffers cannot be made for this size.
    Sort(#[from] super::sort::SortError),
}

/// Output and scratch buffers for one scene size and resolution.
pub struct FrameTarget {
    /// Image width, pixels.
    pub width: u32,
    /// Image height, pixels.
    pub height: u32,
    /// Tile columns and rows (16-pixel tiles, rounded up).
    pub tiles: (u32, u32),
    /// Gaussians the per-splat arrays have room for (the scene's count).
    pub gaussians: u32,
    /// Room in the (Gaussian, tile) pair list; a frame needing more sets the overflow counter.
    pub pair_capacity: u32,
    /// The frame's [`FrameUniforms`].
    pub uniforms: wgpu::Buffer,
    /// Per Gaussian: pixel-space mean and the conic's first two terms (vec4 f32).
    pub splat_a: wgpu::Buffer,
    /// Per Gaussian: the conic's third term, opacity, view depth and pixel radius (vec4 f32).
    pub splat_b: wgpu::Buffer,
    /// Per Gaussian: the SH colour for this view (vec4 f32, w = 1).
    pub splat_rgb: wgpu::Buffer,
    /// Per Gaussian: the tile rectangle it touches, packed 16-bit min/max (2 u32).
    pub splat_rect: wgpu::Buffer,
    /// Per Gaussian: visibility flag, scanned in place into each visible splat's slot.
    pub visible: wgpu::Buffer,
    /// The [`counter`] slots (visible splats, pairs, overflow, ...).
    pub counters: wgpu::Buffer,
    /// Indirect dispatch arguments written on the GPU (two dispatches of 3 u32).
    pub dispatch: wgpu::Buffer,
    /// Depth keys and Gaussian indices of the visible splats, sorted front to back.
    pub depth_sort: SortBuffers,
    /// Per visible splat: tiles touched, scanned into its first slot in the pair list.
    pub pair_offsets: wgpu::Buffer,
    /// (tile id, Gaussian) pairs, sorted stably by tile (depth order kept within a tile).
    pub pair_sort: SortBuffers,
    /// Per tile: `[start, end)` of its run in the sorted pair list.
    pub tile_ranges: wgpu::Buffer,
    /// Output colour and alpha per pixel (vec4 f32, row-major).
    pub out_rgba: wgpu::Buffer,
    /// Output depth per pixel (f32).
    pub out_depth: wgpu::Buffer,
    /// Output features per pixel, `feature_dim` f32 each (empty without features).
    pub out_features: wgpu::Buffer,
    /// Output label per pixel (u32; only written when labels are rendered).
    pub out_labels: wgpu::Buffer,
    visible_scan: ScanPlan,
    pair_scan: ScanPlan,
    /// The groups that bind only this target's buffers (the binning and dispatch set-up
    /// passes', and the preprocess and raster passes' [`TARGET_GROUP`]), made once here rather
    /// than every frame.
    binning_group: wgpu::BindGroup,
    setup_group: wgpu::BindGroup,
    preprocess_group: wgpu::BindGroup,
    raster_group: wgpu::BindGroup,
    /// Other passes' groups over this target's outputs ([`Self::bind_group`]).
    groups: GroupCache,
    feature_dim: u32,
}

impl FrameTarget {
    /// Feature channels the output buffer was sized for.
    pub fn feature_dim(&self) -> u32 {
        self.feature_dim
    }

    /// Whether this target serves `scene` at `width` x `height` with room for `min_pairs`
    /// tile-Gaussian pairs and `feature_dim` splatted channels (else it is reallocated).
    pub fn fits(&self, scene: &GpuScene, (width, height): (u32, u32), min_pairs: u64, feature_dim: u32) -> bool {
        self.width == width
            && self.height == height
            && self.gaussians == scene.len
            && u64::from(self.pair_capacity) >= min_pairs
            && self.feature_dim == feature_dim
    }

    /// The group of another pass (colour conversion, display, ...) that binds this target's
    /// buffers among `resources`, made on first use and kept with the target, so that it is
    /// made once per target rather than per frame and is dropped with the buffers it binds.
    /// `tag` tells apart the groups one layout needs (one per view, say); the group is remade
    /// when asked for with other resources than it binds.
    pub fn bind_group(
        &self,
        device: &wgpu::Device,
        label: &str,
        layout: &wgpu::BindGroupLayout,
        tag: u32,
        resources: &[Resource<'_>],
    ) -> wgpu::BindGroup {
        self.groups.get(device, label, layout, tag, resources)
    }

    /// Largest pair buffer the device allows (u32 keys in one storage binding).
    pub fn pair_limit(ctx: &GpuContext) -> u64 {
        let l = &ctx.limits;
        (l.max_storage_buffer_binding_size.min(l.max_buffer_size) / 4).min(u64::from(u32::MAX) / 2)
    }

    /// Pair capacity to allocate: at least `min_pairs`, four per Gaussian and 64k, within the
    /// device's limit.
    pub fn pairs_wanted(ctx: &GpuContext, scene: &GpuScene, min_pairs: u64) -> u32 {
        min_pairs.max(u64::from(scene.len) * 4).max(1 << 16).min(Self::pair_limit(ctx)) as u32
    }
}

/// The tile raster's pipeline variants by (feature dimension, labels), compiled on first use
/// and shared between clones of this handle.
#[derive(Clone)]
pub struct RasterPipelines {
    device: wgpu::Device,
    layouts: Vec<wgpu::BindGroupLayout>,
    workgroup_bytes: u32,
    cache: Arc<Mutex<HashMap<(u32, bool), wgpu::ComputePipeline>>>,
}

impl RasterPipelines {
    /// The variant, compiling it when missing. The compile runs outside the lock, so a frame
    /// never waits on another thread's compile of a different variant.
    pub fn get(&self, dim: u32, labels: bool) -> wgpu::ComputePipeline {
        if let Some(p) = self.cache.lock().expect("raster pipeline cache lock").get(&(dim, labels)) {
            return p.clone();
        }
        let module = shader(&self.device, &shaders::raster(dim, labels, self.workgroup_bytes));
        let layouts: Vec<&wgpu::BindGroupLayout> = self.layouts.iter().collect();
        let pipeline = compute_pipeline(&self.device, &module, &layouts, "raster", &[]);
        self.cache.lock().expect("raster pipeline cache lock").entry((dim, labels)).or_insert(pipeline).clone()
    }
}

/// The GPU tile rasterizer: preprocess, binning (depth sort, tile pairs, pair sort) and raster
/// pipelines, reused for every frame and scene.
pub struct GpuRenderer {
    /// The device and queue it renders with.
    pub ctx: GpuContext,
    scan: GpuScan,
    sorter: RadixSorter,
    /// One per group (`shaders::PREPROCESS_BINDS`).
    preprocess_layouts: Vec<wgpu::BindGroupLayout>,
    preprocess: wgpu::ComputePipeline,
    binning_layout: wgpu::BindGroupLayout,
    setup_layout: wgpu::BindGroupLayout,
    compact: wgpu::ComputePipeline,
    setup_visible: wgpu::ComputePipeline,
    tile_count: wgpu::ComputePipeline,
    setup_pairs: wgpu::ComputePipeline,
    emit: wgpu::ComputePipeline,
    ranges: wgpu::ComputePipeline,
    raster: RasterPipelines,
    /// Per-stage GPU timestamps; `None` when the device has no timestamp queries.
    pub timer: Option<GpuTimer>,
}

fn buffer(device: &wgpu::Device, label: &str, size: u64, extra: wgpu::BufferUsages) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: size.max(16),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST | extra,
        mapped_at_creation: false,
    })
}

/// Records stage `k` of a frame: its timestamps (when timed) around `body`, then the
/// caller's stage-end hook.
fn stage(
    encoder: &mut wgpu::CommandEncoder,
    k: u32,
    timer: Option<&wgpu::QuerySet>,
    on_stage_end: &mut dyn FnMut(&mut wgpu::CommandEncoder, usize),
    body: impl FnOnce(&mut wgpu::CommandEncoder),
) {
    if let Some(q) = timer {
        encoder.write_timestamp(q, 2 * k);
    }
    body(encoder);
    if let Some(q) = timer {
        encoder.write_timestamp(q, 2 * k + 1);
    }
    on_stage_end(encoder, k as usize);
}

/// Each optional buffer, or `dummy` in its place (a layout binds every slot).
fn or_dummy<'a, const N: usize>(buffers: [Option<&'a wgpu::Buffer>; N], dummy: &'a wgpu::Buffer) -> [Resource<'a>; N] {
    buffers.map(|b| Resource::Buffer(b.unwrap_or(dummy)))
}

/// Bits needed to sort tile ids below `tiles`.
pub fn tile_key_bits(tiles: u32) -> u32 {
    (32 - tiles.saturating_sub(1).leading_zeros()).max(1)
}

impl GpuRenderer {
    /// Builds every pipeline for `ctx`'s device.
    pub fn new(ctx: &GpuContext) -> Self {
        let d = &ctx.device;
        let preprocess_layouts = bind_group_layouts(d, "preprocess", shaders::PREPROCESS_BINDS);
        let binning_layout = bind_group_layout(d, "binning", shaders::BINNING_BINDS);
        let setup_layout = bind_group_layout(d, "dispatch setup", shaders::DISPATCH_SETUP_BINDS);
        let pre_module = shader(d, &shaders::preprocess());
        let bin_module = shader(d, &shaders::binning());
        let setup_module = shader(d, &shaders::dispatch_setup());
        let bin = |entry: &str| compute_pipeline(d, &bin_module, &[&binning_layout], entry, &[]);
        let setup = |entry: &str| compute_pipeline(d, &setup_module, &[&setup_layout], entry, &[]);
        let pre_layouts: Vec<&wgpu::BindGroupLayout> = preprocess_layouts.iter().collect();
        Self {
            ctx: ctx.clone(),
            scan: GpuScan::new(d),
            sorter: RadixSorter::new(d),
            preprocess: compute_pipeline(d, &pre_module, &pre_layouts, "preprocess", &[]),
            compact: bin("compact"),
            setup_visible: setup("setup_visible"),
            tile_count: bin("tile_count"),
            setup_pairs: setup("setup_pairs"),
            emit: bin("emit"),
            ranges: bin("ranges"),
            preprocess_layouts,
            binning_layout,
            setup_layout,
            raster: RasterPipelines {
                device: d.clone(),
                layouts: bind_group_layouts(d, "raster", shaders::RASTER_BINDS),
                workgroup_bytes: ctx.limits.max_compute_workgroup_storage_size,
                cache: Arc::default(),
            },
            timer: GpuTimer::new(d, &ctx.queue, ctx.timestamps),
        }
    }

    /// A handle to the raster pipeline cache, so another thread can compile the variants a
    /// caller will need (on lavapipe one compile takes seconds; a viewer must not freeze).
    pub fn raster_pipelines(&self) -> RasterPipelines {
        self.raster.clone()
    }

    /// Allocates the buffers for rendering `scene` at `width`×`height` with room for
    /// `pair_capacity` (Gaussian, tile) pairs.
    pub fn target(
        &self,
        scene: &GpuScene,
        width: u32,
        height: u32,
        pair_capacity: u32,
    ) -> Result<FrameTarget, TargetError> {
        self.target_for(scene, width, height, pair_capacity, false)
    }

    /// [`Self::target`] for the display (`fusion` false) or the fusion feature set.
    pub fn target_for(
        &self,
        scene: &GpuScene,
        width: u32,
        height: u32,
        pair_capacity: u32,
        fusion: bool,
    ) -> Result<FrameTarget, TargetError> {
        let d = &self.ctx.device;
        let n = scene.len as u64;
        let tiles = (width.div_ceil(TILE), height.div_ceil(TILE));
        let pixels = width as u64 * height as u64;
        let dim = scene.feature_set(fusion).map_or(0, |f| f.dim) as u64;
        // Every output and scratch array is one storage binding: refuse sizes the device cannot
        // bind (lavapipe: 128 MiB) with the numbers, instead of a wgpu validation panic.
        let limit = self.ctx.limits.max_storage_buffer_binding_size.min(self.ctx.limits.max_buffer_size);
        for (what, bytes) in [
            ("the feature image", pixels * dim * 4),
            ("the colour image", pixels * 16),
            ("the per-Gaussian splat arrays", n * 16),
            ("the (Gaussian, tile) pair list", pair_capacity as u64 * 4),
        ] {
            if bytes > limit {
                return Err(TargetError::TooLarge { what, bytes, limit });
            }
        }
        let none = wgpu::BufferUsages::empty();
        let visible = buffer(d, "visible", n * 4, none);
        let counters = buffer(d, "counters", counter::LEN as u64 * 4, none);
        let pair_offsets = buffer(d, "pair offsets", n * 4, none);
        let visible_scan = self.scan.plan(
            d,
            &visible,
            n,
            ScanCounts { count: (&counters, counter::GAUSSIANS), total: (&counters, counter::VISIBLE) },
        );
        let pair_scan = self.scan.plan(
            d,
            &pair_offsets,
            n,
            ScanCounts { count: (&counters, counter::VISIBLE), total: (&counters, counter::PAIRS) },
        );
        let uniforms = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("frame uniforms"),
            size: std::mem::size_of::<FrameUniforms>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let splat_a = buffer(d, "splat a", n * 16, none);
        let splat_b = buffer(d, "splat b", n * 16, none);
        let splat_rgb = buffer(d, "splat rgb", n * 16, none);
        let splat_rect = buffer(d, "splat rect", n * 8, none);
        let dispatch = buffer(d, "indirect dispatch", 2 * 3 * 4, wgpu::BufferUsages::INDIRECT);
        let depth_sort = self.sorter.create_buffers(d, scene.len)?;
        let pair_sort = self.sorter.create_buffers(d, pair_capacity)?;
        let tile_ranges = buffer(d, "tile ranges", tiles.0 as u64 * tiles.1 as u64 * 8, none);
        let binning_group = bind_group(
            d,
            "binning",
            &self.binning_layout,
            &[
                &uniforms,
                &counters,
                &splat_b,
                &splat_rect,
                &visible,
                &depth_sort.keys,
                &depth_sort.values,
                &pair_offsets,
                &pair_sort.keys,
                &pair_sort.values,
                &tile_ranges,
            ],
        );
        let setup_group = bind_group(d, "dispatch setup", &self.setup_layout, &[&uniforms, &counters, &dispatch]);
        let preprocess_group = bind_group(
            d,
            "preprocess target",
            &self.preprocess_layouts[TARGET_GROUP as usize],
            &[&uniforms, &splat_a, &splat_b, &splat_rgb, &splat_rect, &visible],
        );
        let out_rgba = buffer(d, "out rgba", pixels * 16, none);
        let out_depth = buffer(d, "out depth", pixels * 4, none);
        let out_features = buffer(d, "out features", pixels * dim * 4, none);
        let out_labels = buffer(d, "out labels", pixels * 4, none);
        let raster_group = bind_group(
            d,
            "raster target",
            &self.raster.layouts[TARGET_GROUP as usize],
            &[
                &uniforms,
                &tile_ranges,
                &pair_sort.values,
                &splat_a,
                &splat_b,
                &splat_rgb,
                &out_rgba,
                &out_depth,
                &out_features,
                &out_labels,
            ],
        );
        Ok(FrameTarget {
            width,
            height,
            tiles,
            gaussians: scene.len,
            pair_capacity,
            uniforms,
            splat_a,
            splat_b,
            splat_rgb,
            splat_rect,
            visible,
            counters,
            dispatch,
            depth_sort,
            pair_offsets,
            pair_sort,
            tile_ranges,
            out_rgba,
            out_depth,
            out_features,
            out_labels,
            visible_scan,
            pair_scan,
            binning_group,
            setup_group,
            preprocess_group,
            raster_group,
            groups: GroupCache::default(),
            feature_dim: dim as u32,
        })
    }

    /// Records one frame into `encoder` (and writes its uniforms through the queue).
    pub fn encode(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        scene: &GpuScene,
        target: &FrameTarget,
        camera: &Camera,
        opts: &GpuRenderOptions,
    ) -> Option<usize> {
        self.encode_with(encoder, scene, target, camera, opts, &mut |_, _| {})
    }

    /// [`Self::encode`], calling `on_stage_end(encoder, stage)` after each stage of
    /// [`super::timing::STAGES`]; benchmarks use it to submit and wait per stage (wall-clock
    /// stage times, which lavapipe's timestamps under-report).
    pub fn encode_with(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        scene: &GpuScene,
        target: &FrameTarget,
        camera: &Camera,
        opts: &GpuRenderOptions,
        on_stage_end: &mut dyn FnMut(&mut wgpu::CommandEncoder, usize),
    ) -> Option<usize> {
        let features = scene.feature_set(opts.fusion_features);
        let feature_dim = if opts.features { features.map_or(0, |f| f.dim) } else { 0 };
        let label_buf = scene.splatted_labels(opts);
        let view = View::from_camera(camera);
        let uniforms = FrameUniforms::new(&view, target, scene, opts.background, features, feature_dim);
        let raster = self.raster.get(feature_dim, label_buf.is_some());
        let blended = features.filter(|_| feature_dim > 0);
        let raster_scene = self.raster_scene_group(scene, opts, blended, label_buf);
        let slot = if opts.untimed { None } else { self.timer.as_mut().and_then(|t| t.begin_frame()) };
        let timer_set = self.timer.as_ref().zip(slot).map(|(t, i)| t.query_set(i));
        self.encode_binning(encoder, scene, target, &uniforms, timer_set, on_stage_end);
        stage(encoder, 5, timer_set, on_stage_end, |e| self.raster_stage(e, target, &raster, &raster_scene));
        if let (Some(t), Some(i)) = (self.timer.as_mut(), slot) {
            t.resolve(encoder, i);
        }
        slot
    }

    /// Records the frame's depth-sorted tile lists without its raster: stages 0-4 and the
    /// tile ranges, untimed, for a pass that walks the lists itself (lifting's scatter,
    /// [`super::scatter`]). Leaves `target` as a frame of `camera` leaves it before the raster.
    pub fn encode_tile_lists(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        scene: &GpuScene,
        target: &FrameTarget,
        camera: &Camera,
    ) {
        let uniforms = FrameUniforms::new(&View::from_camera(camera), target, scene, [0.0; 3], None, 0);
        self.encode_binning(encoder, scene, target, &uniforms, None, &mut |_, _| {});
        let mut pass = encoder
            .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("tile ranges"), timestamp_writes: None });
        self.tile_ranges(&mut pass, target);
    }

    /// Stages 0-4 of a frame with `uniforms`: preprocess, visibility, depth sort, binning and
    /// the pair sort, each timed into `timer` when given. What the raster and the scatter share.
    fn encode_binning(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        scene: &GpuScene,
        target: &FrameTarget,
        uniforms: &FrameUniforms,
        timer: Option<&wgpu::QuerySet>,
        on_stage_end: &mut dyn FnMut(&mut wgpu::CommandEncoder, usize),
    ) {
        self.write_frame_start(encoder, scene, target, uniforms);
        let pre_scene = self.preprocess_scene_group(scene);
        let splat_grid = grid(scene.len.div_ceil(256));
        stage(encoder, 0, timer, on_stage_end, |e| self.preprocess_stage(e, &pre_scene, target, splat_grid));
        stage(encoder, 1, timer, on_stage_end, |e| self.visibility_stage(e, target, splat_grid));
        // Stage 2: depth sort of the visible splats.
        stage(encoder, 2, timer, on_stage_end, |e| {
            self.sort_counted(e, &target.depth_sort, &target.counters, counter::VISIBLE, 32)
        });
        stage(encoder, 3, timer, on_stage_end, |e| self.binning_stage(e, target));
        // Stage 4: stable sort of the pairs by tile id (depth order survives inside tiles).
        stage(encoder, 4, timer, on_stage_end, |e| {
            let bits = tile_key_bits(target.tiles.0 * target.tiles.1);
            self.sort_counted(e, &target.pair_sort, &target.counters, counter::PAIRS_KEPT, bits)
        });
    }

    /// The frame's inputs before any pass runs: its uniforms, the counters (zero but the
    /// Gaussian count the visibility scan reads) and empty tile ranges.
    fn write_frame_start(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        scene: &GpuScene,
        target: &FrameTarget,
        uniforms: &FrameUniforms,
    ) {
        let q = &self.ctx.queue;
        q.write_buffer(&target.uniforms, 0, bytemuck::bytes_of(uniforms));
        let mut counts = [0u32; counter::LEN as usize];
        counts[counter::GAUSSIANS as usize] = scene.len;
        q.write_buffer(&target.counters, 0, bytemuck::cast_slice(&counts));
        encoder.clear_buffer(&target.tile_ranges, 0, None);
    }

    /// The preprocess pass's scene group ([`SCENE_GROUP`]), kept by the scene: it binds what
    /// the scene was uploaded with, so the scene has one.
    fn preprocess_scene_group(&self, scene: &GpuScene) -> wgpu::BindGroup {
        let sh = |k: usize| scene.sh.parts.get(k);
        let pre = or_dummy([Some(&scene.pos_opacity), Some(&scene.cov3d), sh(0), sh(1), sh(2), sh(3)], &scene.dummy);
        let layout = &self.preprocess_layouts[SCENE_GROUP as usize];
        scene.groups.get(&self.ctx.device, "preprocess scene", layout, 0, &pre)
    }

    /// The raster pass's scene group ([`SCENE_GROUP`]), kept by the scene: it binds the
    /// frame's choice of feature set (display, fusion or none) and labels (ground truth,
    /// lifted or none), one group per choice, each made the first time a frame makes it.
    fn raster_scene_group(
        &self,
        scene: &GpuScene,
        opts: &GpuRenderOptions,
        features: Option<&GpuFeatures>,
        labels: Option<&wgpu::Buffer>,
    ) -> wgpu::BindGroup {
        let feat = |k: usize| features.and_then(|f| f.data.parts.get(k));
        let raster_resources = or_dummy([feat(0), feat(1), feat(2), feat(3), labels], &scene.dummy);
        let label_choice = if labels.is_none() {
            0
        } else if opts.lifted_labels {
            1
        } else {
            2
        };
        let tag = u32::from(features.is_some()) | u32::from(opts.fusion_features) << 1 | label_choice << 2;
        let layout = &self.raster.layouts[SCENE_GROUP as usize];
        scene.groups.get(&self.ctx.device, "raster scene", layout, tag, &raster_resources)
    }

    /// Stage 0: per-Gaussian projection, colour and screen rectangle.
    fn preprocess_stage(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        scene_group: &wgpu::BindGroup,
        target: &FrameTarget,
        groups: (u32, u32),
    ) {
        let mut pass = encoder
            .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("preprocess"), timestamp_writes: None });
        pass.set_pipeline(&self.preprocess);
        pass.set_bind_group(SCENE_GROUP, scene_group, &[]);
        pass.set_bind_group(TARGET_GROUP, &target.preprocess_group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, 1);
    }

    /// Stage 1: visibility scan, compaction, dispatch sizes.
    fn visibility_stage(&self, encoder: &mut wgpu::CommandEncoder, target: &FrameTarget, groups: (u32, u32)) {
        let mut pass = encoder
            .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("visibility"), timestamp_writes: None });
        self.scan.encode(&mut pass, &target.visible_scan);
        pass.set_bind_group(0, &target.binning_group, &[]);
        pass.set_pipeline(&self.compact);
        pass.dispatch_workgroups(groups.0, groups.1, 1);
        pass.set_bind_group(0, &target.setup_group, &[]);
        pass.set_pipeline(&self.setup_visible);
        pass.dispatch_workgroups(1, 1, 1);
    }

    /// Stage 3: tiles per splat, their scan, pair emission.
    fn binning_stage(&self, encoder: &mut wgpu::CommandEncoder, target: &FrameTarget) {
        let mut pass =
            encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("binning"), timestamp_writes: None });
        pass.set_bind_group(0, &target.binning_group, &[]);
        pass.set_pipeline(&self.tile_count);
        pass.dispatch_workgroups_indirect(&target.dispatch, 0);
        self.scan.encode(&mut pass, &target.pair_scan);
        pass.set_bind_group(0, &target.setup_group, &[]);
        pass.set_pipeline(&self.setup_pairs);
        pass.dispatch_workgroups(1, 1, 1);
        pass.set_bind_group(0, &target.binning_group, &[]);
        pass.set_pipeline(&self.emit);
        pass.dispatch_workgroups_indirect(&target.dispatch, 0);
    }

    /// Stage 5: tile ranges and the raster.
    fn raster_stage(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        target: &FrameTarget,
        raster: &wgpu::ComputePipeline,
        scene_group: &wgpu::BindGroup,
    ) {
        let mut pass =
            encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("raster"), timestamp_writes: None });
        self.tile_ranges(&mut pass, target);
        pass.set_pipeline(raster);
        pass.set_bind_group(SCENE_GROUP, scene_group, &[]);
        pass.set_bind_group(TARGET_GROUP, &target.raster_group, &[]);
        pass.dispatch_workgroups(target.tiles.0, target.tiles.1, 1);
    }

    /// Each tile's `[start, end)` in the sorted pair list (over the kept pairs, sized on the GPU).
    fn tile_ranges(&self, pass: &mut wgpu::ComputePass<'_>, target: &FrameTarget) {
        pass.set_bind_group(0, &target.binning_group, &[]);
        pass.set_pipeline(&self.ranges);
        pass.dispatch_workgroups_indirect(&target.dispatch, 12);
    }

    /// Sorts `bufs` by their low `bits` key bits, the element count being the GPU counter
    /// `index` (so the sort sizes itself on the GPU).
    fn sort_counted(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        bufs: &SortBuffers,
        counters: &wgpu::Buffer,
        index: u32,
        bits: u32,
    ) {
        let count = SortCount::InBuffer { buffer: counters, offset: index as u64 * 4 };
        self.sorter
            .encode(&self.ctx.device, encoder, bufs, count, bits)
            .expect("key bits are 1..=32 and the count offset is inside the counters buffer");
    }

    /// After submitting a frame encoded with `encode`: start the timestamp read-back.
    pub fn after_submit(&mut self, slot: Option<usize>) {
        if let (Some(t), Some(i)) = (self.timer.as_mut(), slot) {
            t.after_submit(i);
        }
    }

    /// Per-stage GPU milliseconds of frames whose timestamps have arrived.
    pub fn collect_timings(&mut self) -> Vec<StageTimes> {
        self.timer.as_mut().map(|t| t.collect()).unwrap_or_default()
    }
}

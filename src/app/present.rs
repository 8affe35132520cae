//! The display pass (shaders/present.wgsl): one splatting frame's output buffers to an
//! rgba8unorm texture per view, which egui shows directly. egui-wgpu treats texture bytes as
//! gamma-encoded and our values are display-ready, so the bytes written here are what the
//! screen shows — the same bytes `rtgs2 render` writes to a PNG.

use bytemuck::{Pod, Zeroable};

use super::layout::ViewKind;
use crate::classes::{NUM_CLASSES, SCANNET_PALETTE};
use crate::render::gpu::GpuContext;
use crate::render::gpu::pipeline_util::{Resource, bind_group_layout, compute_pipeline, shader};
use crate::render::gpu::renderer::FrameTarget;
use crate::render::gpu::shaders;

/// The views' texture format, which the shader's storage texture declares.
pub const VIEW_FORMAT: wgpu::TextureFormat = shaders::PRESENT_FORMAT;
const WORKGROUP: u32 = 8;

/// Mirrors `PresentParams` in shaders/present.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct PresentParams {
    /// View width, pixels.
    pub width: u32,
    /// View height, pixels.
    pub height: u32,
    /// Which view to draw (`ViewKind`'s shader mode).
    pub mode: u32,
    /// Feature channels in the feature buffer.
    pub feature_dim: u32,
    /// Semantic overlay opacity over the colour image, 0-1.
    pub opacity: f32,
    /// [`LabelSource`] as its shader constant.
    pub label_source: u32,
    /// Width of the prediction's class map, pixels (0: none).
    pub pred_width: u32,
    /// Height of the prediction's class map, pixels.
    pub pred_height: u32,
}

/// Which class map the semantic view colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LabelSource {
    /// None: the colour image alone.
    #[value(skip)]
    None,
    /// The scene's `label` property, splatted (the evaluation's ground truth).
    GroundTruth,
    /// The fusion network's latest prediction.
    #[default]
    Prediction,
    /// The predictions of many views lifted onto the Gaussians (`rtgs2 lift`), splatted like
    /// the ground truth: no network in the frame loop, the same class from every view.
    Lifted,
}

impl LabelSource {
    /// The `SOURCE_*` constant of shaders/present.wgsl.
    pub fn shader_value(self) -> u32 {
        match self {
            LabelSource::None => 0,
            // A label splat, like the ground truth: the frame splatted the lifted labels.
            LabelSource::GroundTruth | LabelSource::Lifted => 1,
            LabelSource::Prediction => 2,
        }
    }
}

/// What the semantic view overlays, per frame.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlayStyle {
    /// Overlay opacity over the colour image, 0-1.
    pub opacity: f32,
    /// Per NYU40 id: whether its colour is shown.
    pub shown: [bool; NUM_CLASSES],
}

impl Default for OverlayStyle {
    fn default() -> Self {
        Self { opacity: 0.6, shown: [true; NUM_CLASSES] }
    }
}

/// One view's output texture (storage for the pass, sampled by egui, copied for screenshots).
pub struct ViewTexture {
    /// The texture.
    pub texture: wgpu::Texture,
    /// A view of it, for binding and for egui.
    pub view: wgpu::TextureView,
}

impl ViewTexture {
    /// A `width` × `height` RGBA8 storage texture for `kind`.
    pub fn new(device: &wgpu::Device, width: u32, height: u32, kind: ViewKind) -> Self {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some(kind.title()),
            size: wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: VIEW_FORMAT,
            usage: wgpu::TextureUsages::STORAGE_BINDING
                | wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Self { texture, view }
    }
}

/// The viewer's display pass (shaders/present.wgsl): turns a frame's buffers into the view textures.
pub struct Presenter {
    ctx: GpuContext,
    layout: wgpu::BindGroupLayout,
    range_pipeline: wgpu::ComputePipeline,
    present_pipeline: wgpu::ComputePipeline,
    /// One per view kind, so the views of one frame can be recorded into one encoder.
    params: Vec<wgpu::Buffer>,
    classes: wgpu::Buffer,
    depth_range: wgpu::Buffer,
    /// The latest predicted class map (one u32 NYU40 id per pixel) and its size.
    prediction: wgpu::Buffer,
    prediction_size: Option<(u32, u32)>,
}

impl Presenter {
    /// Builds the pass for `ctx`'s device.
    pub fn new(ctx: &GpuContext) -> Self {
        let d = &ctx.device;
        let layout = bind_group_layout(d, "present", shaders::PRESENT_BINDS);
        let module = shader(d, &shaders::present());
        let pipeline = |entry_point: &str| compute_pipeline(d, &module, &[&layout], entry_point, &[]);
        let buffer = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            d.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: usage | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let params_size = std::mem::size_of::<PresentParams>() as u64;
        Self {
            ctx: ctx.clone(),
            range_pipeline: pipeline("depth_range_pass"),
            present_pipeline: pipeline("present"),
            layout,
            params: ViewKind::ALL.iter().map(|k| buffer(k.title(), params_size, wgpu::BufferUsages::UNIFORM)).collect(),
            classes: buffer("class colours", NUM_CLASSES as u64 * 16, wgpu::BufferUsages::UNIFORM),
            depth_range: buffer("depth range", 8, wgpu::BufferUsages::STORAGE),
            prediction: buffer("predicted classes", 16, wgpu::BufferUsages::STORAGE),
            prediction_size: None,
        }
    }

    /// Uploads a predicted class map for the semantic view's [`LabelSource::Prediction`].
    pub fn set_prediction(&mut self, classes: &[u8], width: u32, height: u32) {
        let words: Vec<u32> = classes.iter().map(|&c| c as u32).collect();
        let bytes = (words.len() as u64 * 4).max(16);
        if self.prediction.size() < bytes {
            self.prediction = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("predicted classes"),
                size: bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
        }
        self.ctx.queue.write_buffer(&self.prediction, 0, bytemuck::cast_slice(&words));
        self.prediction_size =
            (width > 0 && height > 0 && words.len() == (width * height) as usize).then_some((width, height));
    }

    /// Records the display pass of `views` for the frame in `target` (after its splatting
    /// passes, in the same encoder). `source` says which class map the semantic view shows
    /// (ground truth only when that frame produced it); `feature_dim` what the frame blended.
    pub fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        target: &FrameTarget,
        views: &[(ViewKind, &ViewTexture)],
        style: &OverlayStyle,
        source: LabelSource,
        feature_dim: u32,
    ) {
        let (source, (pred_width, pred_height)) = match (source, self.prediction_size) {
            (LabelSource::Prediction, Some(size)) => (source, size),
            (LabelSource::Prediction, None) => (LabelSource::None, (0, 0)),
            (other, _) => (other, (0, 0)),
        };
        let q = &self.ctx.queue;
        let colours: Vec<[f32; 4]> = (0..NUM_CLASSES)
            .map(|k| {
                let c = SCANNET_PALETTE[k];
                [c[0] as f32 / 255.0, c[1] as f32 / 255.0, c[2] as f32 / 255.0, if style.shown[k] { 1.0 } else { 0.0 }]
            })
            .collect();
        q.write_buffer(&self.classes, 0, bytemuck::cast_slice(&colours));
        // Complement of the minimum and the maximum both start at "nothing seen".
        q.write_buffer(&self.depth_range, 0, bytemuck::cast_slice(&[0u32, 0u32]));
        let groups = (target.width.div_ceil(WORKGROUP), target.height.div_ceil(WORKGROUP));
        let mut pass =
            encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("present"), timestamp_writes: None });
        for (k, (kind, texture)) in views.iter().enumerate() {
            let params = PresentParams {
                width: target.width,
                height: target.height,
                mode: kind.shader_mode(),
                feature_dim,
                opacity: style.opacity.clamp(0.0, 1.0),
                label_source: source.shader_value(),
                pred_width,
                pred_height,
            };
            let buffer = &self.params[kind.index()];
            q.write_buffer(buffer, 0, bytemuck::bytes_of(&params));
            let resources = [
                Resource::Buffer(buffer),
                Resource::Buffer(&target.out_rgba),
                Resource::Buffer(&target.out_depth),
                Resource::Buffer(&target.out_features),
                Resource::Buffer(&target.out_labels),
                Resource::Buffer(&target.counters),
                Resource::Buffer(&self.classes),
                Resource::Buffer(&self.depth_range),
                Resource::View(&texture.view),
                Resource::Buffer(&self.prediction),
            ];
            // One group per view, kept by the target (whose outputs it reads): remade only
            // when the view's texture or the prediction buffer is replaced, not per frame.
            let bg = target.bind_group(&self.ctx.device, "present", &self.layout, kind.index() as u32, &resources);
            pass.set_bind_group(0, &bg, &[]);
            // The depth range is measured once per frame, before the first view needs it.
            if k == 0 && views.iter().any(|(v, _)| *v == ViewKind::Depth) {
                pass.set_pipeline(&self.range_pipeline);
                pass.dispatch_workgroups(groups.0, groups.1, 1);
            }
            pass.set_pipeline(&self.present_pipeline);
            pass.dispatch_workgroups(groups.0, groups.1, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    // The shader's validity, bind group layout and `PresentParams` layout are checked with
    // every other shader's (render/gpu/shaders.rs, tests/wgsl_structs.rs).
    use super::*;

    #[test]
    fn shader_constants_match_the_host() {
        let wgsl = shaders::present();
        let shader = &*wgsl.source;
        for kind in ViewKind::ALL {
            let name = format!("MODE_{}", format!("{kind:?}").to_uppercase());
            assert!(shader.contains(&format!("const {name}: u32 = {}u;", kind.shader_mode())), "{name}");
        }
        let overflow = crate::render::gpu::layout::counter::OVERFLOW;
        assert!(shader.contains(&format!("const COUNT_OVERFLOW: u32 = {overflow}u;")));
        assert!(shader.contains(&format!("const NUM_CLASSES: u32 = {NUM_CLASSES}u;")));
        for (source, name) in [
            (LabelSource::None, "NONE"),
            (LabelSource::GroundTruth, "GROUND_TRUTH"),
            (LabelSource::Prediction, "PREDICTION"),
        ] {
            assert!(shader.contains(&format!("const SOURCE_{name}: u32 = {}u;", source.shader_value())), "{name}");
        }
        assert!(shader.contains(&format!("const IGNORE_LABEL: u32 = {}u;", crate::render::IGNORE_LABEL)));
    }
}

//! The window's surface and egui's wgpu renderer: registers the view textures with egui and
//! paints each UI frame.

use super::layout::ViewKind;
use super::ui::ViewTextureIds;
use super::viewport::Viewport;
use crate::render::gpu::GpuContext;

/// The window's surface and egui's renderer.
pub struct Screen {
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    renderer: egui_wgpu::Renderer,
    /// egui's ids of the view textures (`None` until registered).
    pub textures: ViewTextureIds,
    generation: Option<u64>,
}

impl Screen {
    /// Configures `surface` for the window at `size` (a non-sRGB format; `vsync` waits for the display).
    pub fn new(ctx: &GpuContext, surface: wgpu::Surface<'static>, size: (u32, u32), vsync: bool) -> Self {
        let caps = surface.get_capabilities(&ctx.adapter);
        // egui blends in gamma space and expects a non-sRGB target: our view textures hold
        // display-ready bytes, which then reach the screen unchanged.
        let preferred = caps.formats.first().copied().unwrap_or(wgpu::TextureFormat::Bgra8Unorm);
        let format = caps.formats.iter().copied().find(|f| !f.is_srgb()).unwrap_or(preferred);
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format,
            width: size.0.max(1),
            height: size.1.max(1),
            present_mode: if vsync { wgpu::PresentMode::AutoVsync } else { wgpu::PresentMode::AutoNoVsync },
            desired_maximum_frame_latency: 2,
            alpha_mode: caps.alpha_modes.first().copied().unwrap_or(wgpu::CompositeAlphaMode::Auto),
            view_formats: vec![],
            color_space: wgpu::SurfaceColorSpace::Auto,
        };
        surface.configure(&ctx.device, &config);
        let options = egui_wgpu::RendererOptions { dithering: false, ..Default::default() };
        let renderer = egui_wgpu::Renderer::new(&ctx.device, format, options);
        Self { surface, config, renderer, textures: [None; 4], generation: None }
    }

    /// Reconfigures the surface for a new window size (ignores zero sizes).
    pub fn resize(&mut self, ctx: &GpuContext, size: (u32, u32)) {
        if size.0 > 0 && size.1 > 0 && (size.0, size.1) != (self.config.width, self.config.height) {
            self.config.width = size.0;
            self.config.height = size.1;
            self.surface.configure(&ctx.device, &self.config);
        }
    }

    /// Points egui at the viewport's current textures (after they were recreated).
    pub fn sync_textures(&mut self, viewport: &Viewport) {
        if self.generation == Some(viewport.generation) {
            return;
        }
        self.generation = Some(viewport.generation);
        let device = &viewport.ctx.device;
        for kind in ViewKind::ALL {
            let slot = &mut self.textures[kind.index()];
            match (viewport.texture(kind), *slot) {
                (Some(t), Some(id)) => {
                    self.renderer.update_egui_texture_from_wgpu_texture(device, &t.view, wgpu::FilterMode::Linear, id)
                }
                (Some(t), None) => {
                    *slot = Some(self.renderer.register_native_texture(device, &t.view, wgpu::FilterMode::Linear))
                }
                (None, Some(id)) => {
                    self.renderer.free_texture(&id);
                    *slot = None;
                }
                (None, None) => {}
            }
        }
    }

    /// Paints one egui frame and presents it (when `draw`). Texture changes are applied even
    /// when the frame is not drawn, so egui's texture state never falls behind.
    pub fn paint(&mut self, ctx: &GpuContext, egui_ctx: &egui::Context, mut output: egui::FullOutput, draw: bool) {
        let mut deltas = std::mem::take(&mut output.textures_delta);
        for (id, set) in deltas.set.drain() {
            for delta in &set {
                self.renderer.update_texture(&ctx.device, &ctx.queue, id, delta);
            }
        }
        if draw {
            self.draw(ctx, egui_ctx, output);
        }
        for id in deltas.free.drain() {
            self.renderer.free_texture(&id);
        }
    }

    fn draw(&mut self, ctx: &GpuContext, egui_ctx: &egui::Context, output: egui::FullOutput) {
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) | wgpu::CurrentSurfaceTexture::Suboptimal(f) => f,
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                self.surface.configure(&ctx.device, &self.config);
                return;
            }
            other => {
                log::debug!("skipping a UI frame: {other:?}");
                return;
            }
        };
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor::default());
        let jobs = egui_ctx.tessellate(output.shapes, output.pixels_per_point);
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [self.config.width, self.config.height],
            pixels_per_point: output.pixels_per_point,
        };
        let mut enc = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("egui") });
        let mut commands = self.renderer.update_buffers(&ctx.device, &ctx.queue, &mut enc, &jobs, &screen);
        {
            let pass = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("egui"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &view,
                    resolve_target: None,
                    depth_slice: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            self.renderer.render(&mut pass.forget_lifetime(), &jobs, &screen);
        }
        commands.push(enc.finish());
        ctx.queue.submit(commands);
        ctx.queue.present(frame);
    }
}

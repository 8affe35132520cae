//! Choosing a renderer on the command line: the GPU one when an adapter exists (the default),
//! or the CPU reference. Both produce the same [`Frame`].

use clap::ValueEnum;

use crate::render::gpu::GpuContext;
use crate::render::gpu::headless::HeadlessRenderer;
use crate::render::gpu::renderer::{GpuRenderOptions, GpuRenderer};
use crate::render::gpu::scene_buffers::GpuScene;
use crate::render::{Channels, Frame, RenderOptions, render};
use crate::scene::{Camera, Scene};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The GPU renderer if an adapter exists, else the CPU reference.
    Auto,
    /// The GPU renderer (wgpu compute; Mesa's lavapipe works without a GPU).
    Gpu,
    /// The exact CPU reference renderer.
    Cpu,
}

/// A scene ready to render with the chosen backend.
pub enum Renderer<'a> {
    Cpu(&'a Scene),
    Gpu { scene: GpuScene, renderer: Box<HeadlessRenderer>, description: String },
}

impl<'a> Renderer<'a> {
    pub fn new(backend: Backend, scene: &'a Scene) -> anyhow::Result<Self> {
        let ctx = match backend {
            Backend::Cpu => return Ok(Self::Cpu(scene)),
            Backend::Gpu => GpuContext::headless()?,
            Backend::Auto => match GpuContext::headless() {
                Ok(ctx) => ctx,
                Err(e) => {
                    eprintln!("note: {e}; using the CPU reference renderer");
                    return Ok(Self::Cpu(scene));
                }
            },
        };
        let gpu_scene = GpuScene::upload(&ctx, scene)?;
        let description = ctx.describe();
        Ok(Self::Gpu { scene: gpu_scene, renderer: Box::new(HeadlessRenderer::new(GpuRenderer::new(&ctx))), description })
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Cpu(_) => format!("CPU reference ({} threads)", rayon::current_num_threads()),
            Self::Gpu { description, .. } => format!("GPU: {description}"),
        }
    }

    /// Renders RGB, alpha and depth, and labels when `labels` (the scene must have them).
    pub fn render(&mut self, camera: &Camera, labels: bool, background: [f32; 3]) -> anyhow::Result<Frame> {
        Ok(match self {
            Self::Cpu(scene) => {
                let ch = Channels { depth: true, features: None, labels: if labels { scene.labels.as_deref() } else { None } };
                render(scene, camera, &ch, &RenderOptions { background, ..Default::default() })?
            }
            Self::Gpu { scene, renderer, .. } => renderer.render(scene, camera, &GpuRenderOptions { background, features: false, labels })?,
        })
    }
}

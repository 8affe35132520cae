//! The renderer a pipeline runs on: the GPU one when an adapter exists (the default), or the
//! CPU reference. Both produce the same [`Frame`].

use clap::ValueEnum;

use crate::fusion::FrameInputs;
use crate::render::gpu::GpuContext;
use crate::render::gpu::context::GpuError;
use crate::render::gpu::headless::HeadlessError;
use crate::render::gpu::headless::HeadlessRenderer;
use crate::render::gpu::pack::TensorRecipe;
use crate::render::gpu::renderer::{GpuRenderOptions, GpuRenderer};
use crate::render::gpu::scene_buffers::GpuScene;
use crate::render::gpu::scene_buffers::GpuSceneError;
use crate::render::{Channels, Features, Frame, RenderError, RenderOptions, render};
use crate::scene::{Camera, Scene};

/// Why a view could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RendererError {
    #[error(transparent)]
    /// No GPU could be opened.
    Gpu(#[from] GpuError),
    #[error(transparent)]
    /// The scene could not be uploaded to the GPU.
    Upload(#[from] GpuSceneError),
    #[error(transparent)]
    /// The GPU render failed.
    Headless(#[from] HeadlessError),
    #[error(transparent)]
    /// The CPU reference render failed.
    Cpu(#[from] RenderError),
    #[error("lift sums made by the {made} renderer were handed to the {given} one")]
    /// Lifting's sums were made by a renderer of the other kind ([`Renderer::lift_sums`]).
    LiftSumsBackend {
        /// The kind that made them ("CPU" or "GPU").
        made: &'static str,
        /// The kind they were handed to.
        given: &'static str,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
/// Which renderer to use.
pub enum Backend {
    /// The GPU renderer if an adapter exists, else the CPU reference.
    Auto,
    /// The GPU renderer (wgpu compute; Mesa's lavapipe works without a GPU).
    Gpu,
    /// The exact CPU reference renderer.
    Cpu,
}

/// A view rendered for the fusion network ([`Renderer::render_inputs`]).
pub struct InputsView {
    /// The network's inputs for the view.
    pub inputs: FrameInputs,
    /// NYU40 ids a pixel when labels were asked for, else empty.
    pub labels: Vec<u8>,
    /// The CPU's share of reading the view back (0 on the CPU reference).
    pub readback_ms: f64,
}

/// A scene ready to render with the chosen backend.
pub enum Renderer<'a> {
    /// The exact CPU reference.
    Cpu {
        /// The scene it renders.
        scene: &'a Scene,
        /// Attached features: (channels per Gaussian, values); `None` before any are set.
        features: Option<(usize, Vec<f32>)>,
    },
    /// The GPU renderer with the uploaded scene.
    Gpu(Box<GpuBackend>),
}

/// The GPU side: the uploaded scene and a headless renderer on its device.
pub struct GpuBackend {
    pub(super) scene: GpuScene,
    pub(super) renderer: HeadlessRenderer,
    description: String,
    pub(super) ctx: GpuContext,
}

impl<'a> Renderer<'a> {
    /// A renderer for `scene`; `Auto` without a GPU adapter falls back to the CPU reference
    /// and says so on stderr (the one message a user must see to read the timings).
    pub fn new(backend: Backend, scene: &'a Scene) -> Result<Self, RendererError> {
        Self::with_software_adapter(backend, scene, true)
    }

    /// As [`Renderer::new`]; with `software_ok` false, `Auto` takes the CPU reference when the
    /// only adapter is a software one (lavapipe). For work that lavapipe does many times slower
    /// than the CPU reference: lifting a 364k-Gaussian room, a view took 5.5 s to render and
    /// 8 s to scatter through lavapipe, 0.6 s each through the CPU reference, on this
    /// project's 2-core machine.
    pub fn with_software_adapter(backend: Backend, scene: &'a Scene, software_ok: bool) -> Result<Self, RendererError> {
        let ctx = match backend {
            Backend::Cpu => return Ok(Self::Cpu { scene, features: None }),
            Backend::Gpu => GpuContext::headless()?,
            Backend::Auto => match GpuContext::headless() {
                Ok(ctx) => ctx,
                Err(e) => {
                    eprintln!("note: {e}; using the CPU reference renderer");
                    return Ok(Self::Cpu { scene, features: None });
                }
            },
        };
        if backend == Backend::Auto && !software_ok && ctx.is_software() {
            eprintln!("note: {} is a software adapter; using the CPU reference renderer", ctx.describe());
            return Ok(Self::Cpu { scene, features: None });
        }
        let gpu_scene = GpuScene::upload(&ctx, scene)?;
        let description = ctx.describe();
        Ok(Self::Gpu(Box::new(GpuBackend {
            scene: gpu_scene,
            renderer: HeadlessRenderer::new(GpuRenderer::new(&ctx)),
            description,
            ctx,
        })))
    }

    /// One line naming the backend (and the GPU), for the user.
    pub fn describe(&self) -> String {
        match self {
            Self::Cpu { .. } => format!("CPU reference ({} threads)", rayon::current_num_threads()),
            Self::Gpu(g) => format!("GPU: {}", g.description),
        }
    }

    /// Attaches per-Gaussian feature vectors (`dim` each) to blend in later renders.
    pub fn set_features(&mut self, dim: usize, values: Vec<f32>) -> Result<(), RendererError> {
        match self {
            Self::Cpu { features, .. } => *features = Some((dim, values)),
            Self::Gpu(g) => g.scene.set_features(&g.ctx, dim, &values)?,
        }
        Ok(())
    }

    /// Renders a view for the fusion network: its inputs (with the 8-bit colour, and the alpha
    /// that leaves empty background without a class), and the ground-truth labels when
    /// `labels`. The GPU writes the network's tensors by `recipe` in the render's own submit
    /// and reads back only those, the 8-bit colour and alpha, and the labels;
    /// the tensors stay in their mapped read-back buffers for the network to read (on
    /// whichever thread runs it, as the viewer hands them over). The CPU reference leaves the
    /// tensors to preprocessing.
    pub fn render_inputs(
        &mut self,
        camera: &Camera,
        labels: bool,
        background: [f32; 3],
        recipe: &TensorRecipe,
    ) -> Result<InputsView, RendererError> {
        if let Self::Gpu(g) = self {
            let opts = g.options(labels, background);
            let f = g.renderer.render_packed(&g.scene, camera, &opts, recipe)?;
            return Ok(InputsView {
                inputs: FrameInputs::from_packed(f.width, f.height, f.rgb8, f.alpha8, f.tensors),
                labels: f.labels,
                readback_ms: f.stats.readback_ms,
            });
        }
        let mut frame = self.render(camera, labels, background)?;
        let readback_ms = frame.stats.readback_ms;
        let labels = std::mem::take(&mut frame.labels);
        Ok(InputsView { inputs: FrameInputs::from_frame(frame), labels, readback_ms })
    }

    /// Renders RGB, alpha and depth; labels when `labels` (the scene must have them); the
    /// attached features when there are any.
    pub fn render(&mut self, camera: &Camera, labels: bool, background: [f32; 3]) -> Result<Frame, RendererError> {
        Ok(match self {
            Self::Cpu { scene, features } => {
                let ch = Channels {
                    depth: true,
                    features: features.as_ref().map(|(dim, values)| Features { dim: *dim, values }),
                    labels: if labels { scene.labels.as_deref() } else { None },
                };
                render(scene, camera, &ch, &RenderOptions { background, ..Default::default() })?
            }
            Self::Gpu(g) => {
                let opts = g.options(labels, background);
                g.renderer.render(&g.scene, camera, &opts)?
            }
        })
    }
}

impl GpuBackend {
    /// A frame's options: labels when asked, the attached features whenever there are any.
    fn options(&self, labels: bool, background: [f32; 3]) -> GpuRenderOptions {
        GpuRenderOptions { background, features: self.scene.features.is_some(), labels, ..Default::default() }
    }
}

//! Where lifting's per-Gaussian sums live: on the CPU with the CPU reference renderer
//! ([`crate::render::lift::scatter_by_weight`]), on the GPU with the GPU one
//! ([`crate::render::gpu::scatter`]: the views' tile lists are the GPU's, and the sums are read
//! back once at the end rather than per view).

use super::renderer::{Renderer, RendererError};
use crate::render::gpu::headless::HeadlessError;
use crate::render::gpu::scatter::GpuLiftSums;
use crate::render::lift::{WeightedSums, scatter_by_weight};
use crate::scene::Camera;

/// Per-Gaussian sums of lifting, kept where the renderer that made them scatters
/// ([`Renderer::lift_sums`]).
pub enum LiftSums {
    /// On the CPU.
    Cpu(WeightedSums),
    /// On the GPU, until [`Renderer::read_lift_sums`].
    Gpu(Box<GpuLiftSums>),
}

impl LiftSums {
    fn kind(&self) -> &'static str {
        match self {
            Self::Cpu(_) => "CPU",
            Self::Gpu(_) => "GPU",
        }
    }
}

impl Renderer<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Self::Cpu { .. } => "CPU",
            Self::Gpu(_) => "GPU",
        }
    }

    /// Zeroed sums of `k` channels for every Gaussian of the scene, where this renderer
    /// scatters.
    pub fn lift_sums(&self, k: usize) -> Result<LiftSums, RendererError> {
        Ok(match self {
            Self::Cpu { scene, .. } => LiftSums::Cpu(WeightedSums::new(scene.len(), k)),
            Self::Gpu(g) => {
                // A channel count past u32 cannot be bound anyway: it fails the size check.
                let k = u32::try_from(k).unwrap_or(u32::MAX);
                let sums = GpuLiftSums::new(&g.ctx, g.scene.len, k).map_err(HeadlessError::from)?;
                LiftSums::Gpu(Box::new(sums))
            }
        })
    }

    /// Adds `camera`'s view to `sums`: `pixels` holds `k` floats a pixel, row-major, at the
    /// camera's resolution, each pixel's vector going to the Gaussians that made it weighted
    /// by their blending weight α·T. Waits for the GPU, so the time it takes is the view's.
    pub fn scatter(&mut self, camera: &Camera, pixels: &[f32], sums: &mut LiftSums) -> Result<(), RendererError> {
        let given = self.kind();
        match (self, sums) {
            (Self::Cpu { scene, .. }, LiftSums::Cpu(acc)) => scatter_by_weight(scene, camera, pixels, acc)?,
            (Self::Gpu(g), LiftSums::Gpu(acc)) => {
                g.renderer.scatter(&g.scene, camera, pixels, acc)?;
            }
            (_, sums) => return Err(RendererError::LiftSumsBackend { made: sums.kind(), given }),
        }
        Ok(())
    }

    /// The sums on the CPU: as they are, or read back from the GPU (one wait).
    pub fn read_lift_sums(&self, sums: LiftSums) -> Result<WeightedSums, RendererError> {
        match (self, sums) {
            (_, LiftSums::Cpu(acc)) => Ok(acc),
            (Self::Gpu(g), LiftSums::Gpu(acc)) => Ok(acc.read(&g.ctx)),
            (Self::Cpu { .. }, sums) => Err(RendererError::LiftSumsBackend { made: sums.kind(), given: "CPU" }),
        }
    }
}

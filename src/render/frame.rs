//! A rendered frame: every blended channel of one view, row-major, top row first.

use crate::classes::{self, IGNORE_LABEL};
use crate::image_io::to_u8;

/// Outputs of one render; channels that were not requested are empty.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// Image width, pixels.
    pub width: u32,
    /// Image height, pixels.
    pub height: u32,
    /// Colour composited over the background, 3 per pixel.
    pub rgb: Vec<f32>,
    /// Accumulated opacity 1 − T, 1 per pixel.
    pub alpha: Vec<f32>,
    /// Expected depth Σ zᵢ wᵢ / alpha (0 where alpha is 0), 1 per pixel.
    pub depth: Vec<f32>,
    /// Alpha-blended feature vectors Σ fᵢ wᵢ (no background), `feature_dim` per pixel.
    pub features: Vec<f32>,
    /// Channels per pixel in `features` (0 when none were blended).
    pub feature_dim: usize,
    /// Ground-truth labels: the NYU40 id with the largest blended weight, or [`IGNORE_LABEL`].
    pub labels: Vec<u8>,
    /// Work counters and stage times of this render.
    pub stats: RenderStats,
}

/// Work counters and per-stage wall-clock times of a render, for benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RenderStats {
    /// Gaussians that survived culling.
    pub visible: usize,
    /// (Gaussian, tile) pairs, the sort's size.
    pub tile_pairs: usize,
    /// Projecting and culling the Gaussians, milliseconds.
    pub project_ms: f64,
    /// Sorting (Gaussian, tile) pairs by tile and depth, milliseconds.
    pub sort_ms: f64,
    /// Blending the pixels, milliseconds.
    pub raster_ms: f64,
    /// Copying the images from GPU memory into this frame (0 for the CPU renderer).
    pub readback_ms: f64,
}

impl Frame {
    /// Number of pixels, `width * height`.
    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// RGB as 8-bit, clamp(rgb, 0, 1)·255 with no gamma (the reference trainer's renders).
    pub fn rgb8(&self) -> Vec<u8> {
        self.rgb.iter().map(|&v| to_u8(v)).collect()
    }

    /// Depth as 8-bit grey, near = bright, normalised over the pixels that have depth.
    pub fn depth8(&self) -> Vec<u8> {
        let valid = self.depth.iter().zip(&self.alpha).filter(|(_, a)| **a > 0.0).map(|(d, _)| *d);
        let (lo, hi) = valid.fold((f32::MAX, f32::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
        let span = (hi - lo).max(1e-6);
        self.depth
            .iter()
            .zip(&self.alpha)
            .map(|(&d, &a)| if a > 0.0 { to_u8(1.0 - (d - lo) / span) } else { 0 })
            .collect()
    }

    /// Label map coloured with the ScanNet palette; ignored pixels black.
    pub fn labels_rgb8(&self) -> Vec<u8> {
        self.labels.iter().flat_map(|&l| if l == IGNORE_LABEL { [0, 0, 0] } else { classes::color(l as u16) }).collect()
    }
}

//! The transpose of blending, on the CPU: every pixel hands a vector (a class distribution) to
//! the Gaussians that made it, each weighted by its blending weight α·T. Blending gathers
//! per-Gaussian values into pixels with those weights; this scatters per-pixel values back
//! along the same weights, so a Gaussian collects what the views that saw it said about it in
//! proportion to how much of each pixel it is. Same projection, tiles, depth order and
//! cut-offs as [`super::cpu::render`] (its test checks that the weights it hands out per pixel
//! sum to the pixel's alpha).

use rayon::prelude::*;

use super::cpu::{RenderError, bin_by_tile, for_each_contribution};
use super::project::{Splat, project};
use super::view::{TILE, View};
use crate::scene::{Camera, Scene};

/// Tiles whose partial sums are held at once before they are added up (bounds memory: a tile
/// holds `k` floats per Gaussian in its list).
const TILES_PER_BATCH: usize = 64;

/// Per-Gaussian sums of one or more views.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightedSums {
    /// Values per Gaussian.
    pub k: usize,
    /// `[gaussians][k]`: Σ over pixels of α·T · the pixel's vector.
    pub sums: Vec<f32>,
    /// Σ over pixels of α·T (pixels whose vector is all zero included).
    pub weights: Vec<f32>,
}

impl WeightedSums {
    /// Zeroed sums for `gaussians` Gaussians of `k` values each.
    pub fn new(gaussians: usize, k: usize) -> Self {
        Self { k, sums: vec![0.0; gaussians * k], weights: vec![0.0; gaussians] }
    }
}

/// Adds to `acc` the pixels of `camera`'s view: `pixels` holds `acc.k` floats per pixel,
/// row-major, top row first, at the camera's resolution. A pixel whose vector is all zero
/// (say, one the network gave no class) still adds its weight to `acc.weights`.
pub fn scatter_by_weight(
    scene: &Scene,
    camera: &Camera,
    pixels: &[f32],
    acc: &mut WeightedSums,
) -> Result<(), RenderError> {
    camera.validate()?;
    let (n, k) = (scene.len(), acc.k);
    let view = View::from_camera(camera);
    let (w, h) = (view.width as usize, view.height as usize);
    if pixels.len() != w * h * k {
        return Err(RenderError::PixelSize { got: pixels.len(), pixels: w * h, k });
    }
    if acc.sums.len() != n * k || acc.weights.len() != n {
        return Err(RenderError::SumsSize { got: acc.weights.len(), gaussians: n, k });
    }
    let splats: Vec<Option<Splat>> = (0..n).into_par_iter().map(|i| project(scene, i, &view, 1.0)).collect();
    let tiles = bin_by_tile(&splats, &view);
    let gx = view.tile_grid().0;
    let ctx = TileContext { splats: &splats, view: &view, pixels, k };
    for start in (0..tiles.len()).step_by(TILES_PER_BATCH) {
        let partial: Vec<(usize, Vec<f32>, Vec<f32>)> = (start..(start + TILES_PER_BATCH).min(tiles.len()))
            .into_par_iter()
            .map(|t| {
                let origin = ((t as u32 % gx) * TILE, (t as u32 / gx) * TILE);
                let (s, wsum) = ctx.tile(origin, &tiles[t]);
                (t, s, wsum)
            })
            .collect();
        for (t, s, wsum) in partial {
            for (j, &g) in tiles[t].iter().enumerate() {
                let g = g as usize;
                if wsum[j] == 0.0 {
                    continue;
                }
                acc.weights[g] += wsum[j];
                for c in 0..k {
                    acc.sums[g * k + c] += s[j * k + c];
                }
            }
        }
    }
    Ok(())
}

struct TileContext<'a> {
    splats: &'a [Option<Splat>],
    view: &'a View,
    pixels: &'a [f32],
    k: usize,
}

impl TileContext<'_> {
    /// One tile's sums, indexed by position in its depth-sorted list.
    fn tile(&self, origin: (u32, u32), list: &[u32]) -> (Vec<f32>, Vec<f32>) {
        let k = self.k;
        let mut sums = vec![0.0f32; list.len() * k];
        let mut weights = vec![0.0f32; list.len()];
        for ly in 0..TILE {
            for lx in 0..TILE {
                let (x, y) = (origin.0 + lx, origin.1 + ly);
                if x >= self.view.width || y >= self.view.height {
                    continue;
                }
                let p = (y * self.view.width + x) as usize;
                let value = &self.pixels[p * k..(p + 1) * k];
                for_each_contribution(list, self.splats, (x as f32, y as f32), |j, _, _, alpha, t| {
                    let weight = alpha * t;
                    weights[j] += weight;
                    for (o, v) in sums[j * k..(j + 1) * k].iter_mut().zip(value) {
                        *o += v * weight;
                    }
                });
            }
        }
        (sums, weights)
    }
}

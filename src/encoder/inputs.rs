//! The encoder's float inputs, a port of `training/rtgs2_train/scene_inputs.py`.
//!
//! attributes (10 per Gaussian), by the card's input rule:
//! - rule 1 ([`InputRule::SceneNormalised`]): xyz relative to the bounding-box centre, base
//!   colour (SH DC) min-max normalised per scene and channel, sigmoid opacity, raw log-scales;
//! - rule 2 ([`InputRule::DensityFree`]): zero xyz, absolute colour clip(0.5 + C0·DC, 0, 1),
//!   sigmoid opacity, log-scales sorted largest first minus the scene's median mean-log-scale.
//!   Rule 1 let a network learn one generator: a far Gaussian moves every centred position, a
//!   bright floater rescales every colour, and sizes and counts follow sampling density.
//!
//! `voxel_feat` [V, 11]: mean attributes over the voxel, then ln(count) (rule 1) or 0 (rule 2).
//! `gauss_feat` [G, 10]: colour, opacity, log-scales, offset from the voxel centre in voxels.
//! Sums run in f64 in Gaussian order, as numpy's `add.at` does.

use rayon::prelude::*;

use super::indices::{COORD_MAX, grid_origin};
use crate::scene::Scene;

/// Float attributes per Gaussian.
pub const ATTRIBUTES: usize = 10;
/// Floats per voxel in `voxel_feat`.
pub const VOXEL_FEAT: usize = 11;
/// Floats per Gaussian in `gauss_feat`.
pub const GAUSS_FEAT: usize = 10;
/// The SH band-0 constant: colour = 0.5 + C0 · DC.
const SH_C0: f64 = 0.282_094_791_773_878_14;

/// Which float inputs a model was trained on (the card's `input_rule`, 1 when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputRule {
    /// Rule 1: the paper's channels, normalised by the scene's bounding box and colour range.
    SceneNormalised,
    /// Rule 2: no positions, absolute colour, sizes relative to the scene's median, no counts.
    DensityFree,
}

impl InputRule {
    /// Rule `n` as card's `input_rule` numbers them (1 or 2).
    pub fn from_number(n: u32) -> Option<Self> {
        match n {
            1 => Some(Self::SceneNormalised),
            2 => Some(Self::DensityFree),
            _ => None,
        }
    }
}

/// Per-Gaussian attributes in f64, `[G][10]`.
pub fn attributes(scene: &Scene, rule: InputRule) -> Vec<[f64; ATTRIBUTES]> {
    match rule {
        InputRule::SceneNormalised => scene_normalised_attributes(scene),
        InputRule::DensityFree => density_free_attributes(scene),
    }
}

fn density_free_attributes(scene: &Scene) -> Vec<[f64; ATTRIBUTES]> {
    let coeffs = scene.sh_coeffs();
    let mean_log_scale = |s: &[f32; 3]| (s[0] as f64 + s[1] as f64 + s[2] as f64) / 3.0;
    let median = median_log_scale(scene.log_scales.iter().map(mean_log_scale).collect());
    (0..scene.len())
        .into_par_iter()
        .map(|i| {
            let colour = |c: usize| (0.5 + SH_C0 * scene.sh[i * coeffs * 3 + c] as f64).clamp(0.0, 1.0);
            let mut s = scene.log_scales[i].map(|v| v as f64);
            s.sort_by(|a, b| b.total_cmp(a));
            let opacity = 1.0 / (1.0 + (-(scene.opacity_logits[i] as f64)).exp());
            [0.0, 0.0, 0.0, colour(0), colour(1), colour(2), opacity, s[0] - median, s[1] - median, s[2] - median]
        })
        .collect()
}

/// The lower median (numpy's sorted `m[(n - 1) // 2]`), 0 for no Gaussians.
fn median_log_scale(mut means: Vec<f64>) -> f64 {
    if means.is_empty() {
        return 0.0;
    }
    let k = (means.len() - 1) / 2;
    *means.select_nth_unstable_by(k, f64::total_cmp).1
}

fn scene_normalised_attributes(scene: &Scene) -> Vec<[f64; ATTRIBUTES]> {
    let n = scene.len();
    let coeffs = scene.sh_coeffs();
    let dc = |i: usize, c: usize| scene.sh[i * coeffs * 3 + c] as f64;
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    let (mut pmin, mut pmax) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for i in 0..n {
        for c in 0..3 {
            lo[c] = lo[c].min(dc(i, c));
            hi[c] = hi[c].max(dc(i, c));
            let p = scene.positions[i][c] as f64;
            pmin[c] = pmin[c].min(p);
            pmax[c] = pmax[c].max(p);
        }
    }
    let centre: [f64; 3] = std::array::from_fn(|c| (pmin[c] + pmax[c]) / 2.0);
    let span: [f64; 3] = std::array::from_fn(|c| if hi[c] - lo[c] > 1e-12 { hi[c] - lo[c] } else { 1.0 });
    (0..n)
        .into_par_iter()
        .map(|i| {
            let p = scene.positions[i];
            let s = scene.log_scales[i];
            [
                p[0] as f64 - centre[0],
                p[1] as f64 - centre[1],
                p[2] as f64 - centre[2],
                (dc(i, 0) - lo[0]) / span[0],
                (dc(i, 1) - lo[1]) / span[1],
                (dc(i, 2) - lo[2]) / span[2],
                1.0 / (1.0 + (-(scene.opacity_logits[i] as f64)).exp()),
                s[0] as f64,
                s[1] as f64,
                s[2] as f64,
            ]
        })
        .collect()
}

/// `voxel_feat` `[V, 11]` row-major.
pub fn voxel_features(attrs: &[[f64; ATTRIBUTES]], gauss_voxel: &[i64], voxels: usize, rule: InputRule) -> Vec<f32> {
    let mut sums = vec![[0.0f64; ATTRIBUTES]; voxels];
    let mut counts = vec![0u32; voxels];
    for (a, &v) in attrs.iter().zip(gauss_voxel) {
        let v = v as usize;
        for k in 0..ATTRIBUTES {
            sums[v][k] += a[k];
        }
        counts[v] += 1;
    }
    let mut out = Vec::with_capacity(voxels * VOXEL_FEAT);
    for (s, &c) in sums.iter().zip(&counts) {
        let c = c as f64;
        out.extend(s.iter().map(|x| (x / c) as f32));
        out.push(match rule {
            InputRule::SceneNormalised => c.ln() as f32,
            InputRule::DensityFree => 0.0,
        });
    }
    out
}

/// `gauss_feat` `[G, 10]` row-major.
pub fn gauss_features(
    positions: &[[f32; 3]],
    attrs: &[[f64; ATTRIBUTES]],
    voxel_coords: &[[i64; 3]],
    gauss_voxel: &[i64],
    grid: f64,
) -> Vec<f32> {
    let origin = grid_origin(positions);
    let mut out = vec![0.0f32; positions.len() * GAUSS_FEAT];
    out.par_chunks_mut(GAUSS_FEAT).enumerate().for_each(|(i, row)| {
        for k in 0..7 {
            row[k] = attrs[i][3 + k] as f32;
        }
        let c = voxel_coords[gauss_voxel[i] as usize];
        for k in 0..3 {
            let rel = (positions[i][k] as f64 - origin[k]) / grid;
            row[7 + k] = (rel - (c[k] as f64 + 0.5)).clamp(-1.0, 1.0) as f32;
        }
    });
    debug_assert!(voxel_coords.iter().all(|c| c.iter().all(|&v| (0..=COORD_MAX).contains(&v))));
    out
}

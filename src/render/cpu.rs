//! The exact CPU reference renderer: tile-based like the reference CUDA rasterizer, blending
//! any set of channels (RGB, depth, alpha, D-dimensional features, label weights) in one pass.
//! It is the oracle for the GPU renderer and the source of ground-truth label maps, so it
//! favours being obviously faithful to the rules over being fast; it is still
//! multi-threaded (rayon over Gaussians, then over tiles).
//!
//! Blending per pixel, front to back in depth order, as `renderCUDA`:
//! power = −½(a dx² + c dy²) − b dx dy, skip if power > 0; α = min(0.99, o·e^power);
//! skip if α < 1/255; stop (without blending) when T·(1−α) < 1e-4; C += c·α·T; T ← T(1−α).

use rayon::prelude::*;

use super::frame::{Frame, RenderStats};
use super::project::{Splat, project};
use super::view::{TILE, View};
use crate::classes::IGNORE_LABEL;
use crate::classes::NUM_CLASSES;
use crate::scene::{Camera, Scene};

/// Which channels to blend besides RGB and alpha (always produced).
#[derive(Clone, Copy, Debug, Default)]
pub struct Channels<'a> {
    /// Blend expected depth.
    pub depth: bool,
    /// Per-Gaussian feature vectors, `dim` floats each, Gaussian-major.
    pub features: Option<Features<'a>>,
    /// Per-Gaussian NYU40 ids for the ground-truth label map.
    pub labels: Option<&'a [u16]>,
}

#[derive(Clone, Copy, Debug)]
/// Per-Gaussian feature vectors to blend.
pub struct Features<'a> {
    /// Floats per Gaussian.
    pub dim: usize,
    /// `dim` floats per Gaussian, Gaussian-major; length must be Gaussians × `dim`.
    pub values: &'a [f32],
}

#[derive(Clone, Copy, Debug)]
/// Render settings shared by the CPU and GPU renderers.
pub struct RenderOptions {
    /// Colour behind the splats, linear RGB in 0-1.
    pub background: [f32; 3],
    /// Factor on every Gaussian's scale (1 renders the scene as trained).
    pub scale_modifier: f32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self { background: [0.0; 3], scale_modifier: 1.0 }
    }
}

/// Inputs that cannot be rendered.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RenderError {
    /// Transparent: the camera error names the camera and what is wrong, and as a `#[from]`
    /// source it would be printed twice by anyhow's `{:#}` under a prefix of our own.
    #[error(transparent)]
    Camera(#[from] crate::scene::CameraError),
    #[error("feature buffer has {got} floats, expected {gaussians} Gaussians × {dim}")]
    /// The feature buffer does not hold `dim` floats per Gaussian.
    FeatureSize {
        /// Floats given.
        got: usize,
        /// Gaussians in the scene.
        gaussians: usize,
        /// Feature channels per Gaussian.
        dim: usize,
    },
    /// The label buffer does not hold one label per Gaussian.
    #[error("label buffer has {got} entries for {gaussians} Gaussians")]
    LabelSize {
        /// Labels given.
        got: usize,
        /// Gaussians in the scene.
        gaussians: usize,
    },
    /// Per-pixel values to scatter onto the Gaussians do not hold `k` floats per pixel.
    #[error("per-pixel buffer has {got} floats, expected {pixels} pixels × {k}")]
    PixelSize {
        /// Floats given.
        got: usize,
        /// Pixels of the camera's image.
        pixels: usize,
        /// Floats per pixel.
        k: usize,
    },
    /// The per-Gaussian accumulators were made for another scene.
    #[error("per-Gaussian sums hold {got} Gaussians × {k}, the scene has {gaussians}")]
    SumsSize {
        /// Gaussians the accumulators hold.
        got: usize,
        /// Gaussians in the scene.
        gaussians: usize,
        /// Floats per Gaussian.
        k: usize,
    },
}

/// Renders `scene` from `camera`.
pub fn render(scene: &Scene, camera: &Camera, channels: &Channels, opts: &RenderOptions) -> Result<Frame, RenderError> {
    camera.validate()?;
    let n = scene.len();
    if let Some(f) = channels.features
        && f.values.len() != n * f.dim
    {
        return Err(RenderError::FeatureSize { got: f.values.len(), gaussians: n, dim: f.dim });
    }
    if let Some(l) = channels.labels
        && l.len() != n
    {
        return Err(RenderError::LabelSize { got: l.len(), gaussians: n });
    }
    let view = View::from_camera(camera);
    let clock = std::time::Instant::now();
    let splats: Vec<Option<Splat>> =
        (0..n).into_par_iter().map(|i| project(scene, i, &view, opts.scale_modifier)).collect();
    let project_ms = clock.elapsed().as_secs_f64() * 1e3;
    let clock = std::time::Instant::now();
    let tiles = bin_by_tile(&splats, &view);
    let mut stats = RenderStats {
        visible: splats.iter().flatten().count(),
        tile_pairs: tiles.iter().map(Vec::len).sum(),
        project_ms,
        sort_ms: clock.elapsed().as_secs_f64() * 1e3,
        raster_ms: 0.0,
        readback_ms: 0.0,
    };
    let clock = std::time::Instant::now();

    let (gx, _) = view.tile_grid();
    let dim = channels.features.map_or(0, |f| f.dim);
    let tile_outputs: Vec<TileOutput> = tiles
        .par_iter()
        .enumerate()
        .map(|(t, list)| {
            let origin = ((t as u32 % gx) * TILE, (t as u32 / gx) * TILE);
            render_tile(origin, list, &splats, &view, channels, dim, opts)
        })
        .collect();
    stats.raster_ms = clock.elapsed().as_secs_f64() * 1e3;
    Ok(assemble(&view, tile_outputs, channels, dim, stats))
}

/// Per tile, the indices of the splats touching it, sorted front to back (ties by index, so
/// the order is fully determined).
pub(super) fn bin_by_tile(splats: &[Option<Splat>], view: &View) -> Vec<Vec<u32>> {
    let (gx, gy) = view.tile_grid();
    let mut tiles: Vec<Vec<u32>> = vec![Vec::new(); (gx * gy) as usize];
    for (i, s) in splats.iter().enumerate() {
        let Some(s) = s else { continue };
        for ty in s.tile_min.1..s.tile_max.1 {
            for tx in s.tile_min.0..s.tile_max.0 {
                tiles[(ty * gx + tx) as usize].push(i as u32);
            }
        }
    }
    tiles.par_iter_mut().for_each(|list| {
        list.sort_by(|&a, &b| {
            let (da, db) = (splats[a as usize].expect("binned").depth, splats[b as usize].expect("binned").depth);
            da.total_cmp(&db).then(a.cmp(&b))
        })
    });
    tiles
}

/// One tile's pixels, row-major within the tile (always TILE×TILE; edges cropped later).
struct TileOutput {
    rgb: Vec<f32>,
    alpha: Vec<f32>,
    depth: Vec<f32>,
    features: Vec<f32>,
    labels: Vec<u8>,
}

fn render_tile(
    origin: (u32, u32),
    list: &[u32],
    splats: &[Option<Splat>],
    view: &View,
    channels: &Channels,
    dim: usize,
    opts: &RenderOptions,
) -> TileOutput {
    let px_count = (TILE * TILE) as usize;
    let mut out = TileOutput {
        rgb: vec![0.0; px_count * 3],
        alpha: vec![0.0; px_count],
        depth: if channels.depth { vec![0.0; px_count] } else { Vec::new() },
        features: vec![0.0; px_count * dim],
        labels: if channels.labels.is_some() { vec![IGNORE_LABEL; px_count] } else { Vec::new() },
    };
    let mut label_weights = [0.0f32; NUM_CLASSES];
    for ly in 0..TILE {
        for lx in 0..TILE {
            let (x, y) = (origin.0 + lx, origin.1 + ly);
            if x >= view.width || y >= view.height {
                continue;
            }
            let p = (ly * TILE + lx) as usize;
            let (pxf, pyf) = (x as f32, y as f32);
            let mut c = [0.0f32; 3];
            let mut d = 0.0f32;
            label_weights.fill(0.0);
            let feat = &mut out.features[p * dim..(p + 1) * dim];
            let t = for_each_contribution(list, splats, (pxf, pyf), |_, gi, s, alpha, t| {
                // Same association as the reference, value · α · T, so results match bit for bit.
                for ch in 0..3 {
                    c[ch] += s.rgb[ch] * alpha * t;
                }
                d += s.depth * alpha * t;
                if let Some(f) = channels.features {
                    let src = &f.values[gi * dim..(gi + 1) * dim];
                    for (o, v) in feat.iter_mut().zip(src) {
                        *o += v * alpha * t;
                    }
                }
                if let Some(labels) = channels.labels {
                    label_weights[(labels[gi] as usize).min(NUM_CLASSES - 1)] += alpha * t;
                }
            });
            let acc = 1.0 - t;
            for ch in 0..3 {
                out.rgb[p * 3 + ch] = c[ch] + t * opts.background[ch];
            }
            out.alpha[p] = acc;
            if channels.depth {
                out.depth[p] = if acc > 0.0 { d / acc } else { 0.0 };
            }
            if channels.labels.is_some() && acc >= 0.5 {
                out.labels[p] = argmax(&label_weights) as u8;
            }
        }
    }
    out
}

/// Walks one pixel's depth-sorted splat `list` by the blending rules (module docs) and calls
/// `blend(position in list, splat index, splat, α, T)` for every splat that contributes, with
/// T the transmittance before it; returns the pixel's final transmittance. The one copy of the
/// rules that rendering and lifting ([`super::lift`]) share.
pub(super) fn for_each_contribution(
    list: &[u32],
    splats: &[Option<Splat>],
    (px, py): (f32, f32),
    mut blend: impl FnMut(usize, usize, &Splat, f32, f32),
) -> f32 {
    let mut t = 1.0f32;
    for (j, &gi) in list.iter().enumerate() {
        let s = splats[gi as usize].as_ref().expect("binned splats are visible");
        let dx = s.mean[0] - px;
        let dy = s.mean[1] - py;
        let power = -0.5 * (s.conic[0] * dx * dx + s.conic[2] * dy * dy) - s.conic[1] * dx * dy;
        if power > 0.0 {
            continue;
        }
        let alpha = (s.opacity * power.exp()).min(0.99);
        if alpha < 1.0 / 255.0 {
            continue;
        }
        let test_t = t * (1.0 - alpha);
        if test_t < 0.0001 {
            break;
        }
        blend(j, gi as usize, s, alpha, t);
        t = test_t;
    }
    t
}

/// Index of the largest weight; the lowest id wins ties so results are deterministic.
fn argmax(w: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in w.iter().enumerate() {
        if v > w[best] {
            best = i;
        }
    }
    best
}

/// Copies tiles into full images, cropping the partial tiles at the right and bottom edges.
fn assemble(view: &View, tiles: Vec<TileOutput>, channels: &Channels, dim: usize, stats: RenderStats) -> Frame {
    let (w, h) = (view.width as usize, view.height as usize);
    let mut f = Frame {
        width: view.width,
        height: view.height,
        rgb: vec![0.0; w * h * 3],
        alpha: vec![0.0; w * h],
        depth: if channels.depth { vec![0.0; w * h] } else { Vec::new() },
        features: vec![0.0; w * h * dim],
        feature_dim: dim,
        labels: if channels.labels.is_some() { vec![IGNORE_LABEL; w * h] } else { Vec::new() },
        stats,
    };
    let gx = view.tile_grid().0 as usize;
    let tile = TILE as usize;
    for (t, out) in tiles.into_iter().enumerate() {
        let (ox, oy) = ((t % gx) * tile, (t / gx) * tile);
        for ly in 0..tile.min(h.saturating_sub(oy)) {
            let span = tile.min(w - ox);
            let (src, dst) = (ly * tile, (oy + ly) * w + ox);
            f.rgb[dst * 3..(dst + span) * 3].copy_from_slice(&out.rgb[src * 3..(src + span) * 3]);
            f.alpha[dst..dst + span].copy_from_slice(&out.alpha[src..src + span]);
            if channels.depth {
                f.depth[dst..dst + span].copy_from_slice(&out.depth[src..src + span]);
            }
            if dim > 0 {
                f.features[dst * dim..(dst + span) * dim].copy_from_slice(&out.features[src * dim..(src + span) * dim]);
            }
            if channels.labels.is_some() {
                f.labels[dst..dst + span].copy_from_slice(&out.labels[src..src + span]);
            }
        }
    }
    f
}

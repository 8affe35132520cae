//! View consistency: do two nearby views of the scene give a surface point the same class?
//!
//! Pair: every evaluated view A with its partner B, the same camera moved sideways along its
//! right axis by 5 % of A's median depth (parallax, so occlusion is exercised). Each pixel of
//! A with a class and a depth is lifted to 3D with A's depth (pixel centres at integer
//! coordinates, as the renderer projects: u = fx·x/z + W/2 − 0.5) and projected into B,
//! rounded to the nearest pixel. It counts when it lands inside B in front of the camera, B's
//! pixel has a class and a depth, and B's depth there agrees with the projected depth within
//! 5 % (else the point is hidden in B: occluded, not a disagreement). Consistency = the share
//! of counted pixels whose class in B equals A's. `training/rtgs2_train/consistency.py` is the
//! same computation in numpy (parity test through `tests/fixtures/consistency`).

use crate::scene::Camera;

/// Relative depth agreement for a reprojected pixel to count as the same surface.
pub const DEPTH_TOLERANCE: f64 = 0.05;
/// The partner view's sideways step, as a share of the first view's median depth.
pub const BASELINE: f64 = 0.05;

/// One view's per-pixel classes (0 = none) and depths (0 = none), row-major.
pub struct ViewMaps<'a> {
    /// The view's camera.
    pub camera: &'a Camera,
    /// Class per pixel; 0 = none.
    pub classes: &'a [u8],
    /// Depth per pixel; 0 = none.
    pub depth: &'a [f32],
}

/// Counted pixels and those whose classes agree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Agreement {
    /// Counted pixels whose class matches the partner view's.
    pub agree: u64,
    /// Pixels that reprojected onto a matching surface of the partner view.
    pub counted: u64,
}

impl Agreement {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: Agreement) {
        self.agree += other.agree;
        self.counted += other.counted;
    }

    /// The share that agrees (`None` when nothing was counted).
    pub fn share(&self) -> Option<f64> {
        (self.counted > 0).then(|| self.agree as f64 / self.counted as f64)
    }
}

/// The partner of `camera`: moved sideways by [`BASELINE`] × `median_depth`.
pub fn partner(camera: &Camera, median_depth: f64) -> Camera {
    let mut b = camera.clone();
    let step = BASELINE * median_depth;
    for i in 0..3 {
        // The camera's right axis is the first column of its camera-to-world rotation.
        b.position[i] += step * camera.rotation[i][0];
    }
    b
}

/// The median of the positive depths (0 when there are none).
pub fn median_depth(depth: &[f32]) -> f64 {
    let mut d: Vec<f32> = depth.iter().copied().filter(|&v| v > 0.0 && v.is_finite()).collect();
    if d.is_empty() {
        return 0.0;
    }
    let k = (d.len() - 1) / 2;
    *d.select_nth_unstable_by(k, f32::total_cmp).1 as f64
}

/// Reprojects A's classified pixels into B and counts agreement (see the module's rules).
pub fn reprojection_agreement(a: &ViewMaps, b: &ViewMaps) -> Agreement {
    let (wa, ha) = (a.camera.width as usize, a.camera.height as usize);
    let (wb, hb) = (b.camera.width as usize, b.camera.height as usize);
    let mut out = Agreement::default();
    for y in 0..ha {
        for x in 0..wa {
            let i = y * wa + x;
            let (class, d) = (a.classes[i], a.depth[i] as f64);
            if class == 0 || d <= 0.0 || !d.is_finite() {
                continue;
            }
            let local = [
                (x as f64 - wa as f64 / 2.0 + 0.5) * d / a.camera.fx,
                (y as f64 - ha as f64 / 2.0 + 0.5) * d / a.camera.fy,
                d,
            ];
            let r = &a.camera.rotation;
            let world: [f64; 3] = std::array::from_fn(|k| {
                r[k][0] * local[0] + r[k][1] * local[1] + r[k][2] * local[2] + a.camera.position[k]
            });
            let rb = &b.camera.rotation;
            let rel: [f64; 3] = std::array::from_fn(|k| world[k] - b.camera.position[k]);
            let t: [f64; 3] = std::array::from_fn(|k| rb[0][k] * rel[0] + rb[1][k] * rel[1] + rb[2][k] * rel[2]);
            if t[2] <= 0.0 {
                continue;
            }
            let u = (b.camera.fx * t[0] / t[2] + wb as f64 / 2.0 - 0.5).round();
            let v = (b.camera.fy * t[1] / t[2] + hb as f64 / 2.0 - 0.5).round();
            if u < 0.0 || v < 0.0 || u >= wb as f64 || v >= hb as f64 {
                continue;
            }
            let j = v as usize * wb + u as usize;
            let (cb, db) = (b.classes[j], b.depth[j] as f64);
            if cb == 0 || db <= 0.0 || (db - t[2]).abs() > DEPTH_TOLERANCE * t[2] {
                continue;
            }
            out.counted += 1;
            out.agree += u64::from(cb == class);
        }
    }
    out
}

//! Projection of one Gaussian to the image, exactly as the reference CUDA rasterizer's
//! `preprocessCUDA` does it (EWA splatting with the 0.3 px low-pass dilation, 3σ radius from
//! the larger eigenvalue, tile rectangle, SH colour). Pixel centres sit at integer
//! coordinates, so a point on the optical axis lands at ((W−1)/2, (H−1)/2).

use glam::{Mat3, Vec3};

use super::view::{TILE, View};
use crate::scene::{Scene, sh, sigmoid};

/// Points closer than this (camera z) are culled, as in the reference `in_frustum`.
pub const NEAR_PLANE: f32 = 0.2;
/// Low-pass dilation added to the 2D covariance's diagonal (pixels²).
pub const COV2D_DILATION: f32 = 0.3;

/// A Gaussian as the rasterizer sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Splat {
    /// Projected centre, pixel coordinates.
    pub mean: [f32; 2],
    /// Inverse 2D covariance (a, b, c) for power = −½(a dx² + c dy²) − b dx dy.
    pub conic: [f32; 3],
    /// 2D covariance after dilation (xx, xy, yy).
    pub cov2d: [f32; 3],
    /// 3-sigma radius in pixels (0 culls it).
    pub radius: u32,
    /// View-space depth (camera z), world units.
    pub depth: f32,
    /// Activated opacity (sigmoid of the logit), 0-1.
    pub opacity: f32,
    /// SH colour for this view (+0.5, clamped at 0).
    pub rgb: [f32; 3],
    /// Covered tiles: x in [min.0, max.0), y in [min.1, max.1).
    pub tile_min: (u32, u32),
    /// See `tile_min`: one past the last covered tile.
    pub tile_max: (u32, u32),
}

/// Rotation matrix of a (w, x, y, z) quaternion, normalised first like the trainer does.
pub fn rotation_matrix(q: [f32; 4]) -> Mat3 {
    let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
    let (r, x, y, z) = (q[0] / n, q[1] / n, q[2] / n, q[3] / n);
    Mat3::from_cols(
        Vec3::new(1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y + r * z), 2.0 * (x * z - r * y)),
        Vec3::new(2.0 * (x * y - r * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z + r * x)),
        Vec3::new(2.0 * (x * z + r * y), 2.0 * (y * z - r * x), 1.0 - 2.0 * (x * x + y * y)),
    )
}

/// World-space 3D covariance R·diag(s²)·Rᵀ.
pub fn covariance3d(log_scale: [f32; 3], q: [f32; 4], scale_modifier: f32) -> Mat3 {
    let s = Vec3::from_array(log_scale.map(f32::exp)) * scale_modifier;
    let m = rotation_matrix(q) * Mat3::from_diagonal(s);
    m * m.transpose()
}

/// EWA projection of a world covariance at camera-space point `t`: J·W·Σ·Wᵀ·Jᵀ with the
/// reference's clamping of t to 1.3× the field of view, plus the dilation.
pub fn covariance2d(view: &View, t: Vec3, cov3d: Mat3) -> [f32; 3] {
    let limx = 1.3 * view.tan_fovx;
    let limy = 1.3 * view.tan_fovy;
    let tx = (t.x / t.z).clamp(-limx, limx) * t.z;
    let ty = (t.y / t.z).clamp(-limy, limy) * t.z;
    let tz = t.z;
    // J as rows (third row zero), so J·W·Σ·Wᵀ·Jᵀ keeps only the 2×2 block we need.
    let j0 = Vec3::new(view.fx / tz, 0.0, -(view.fx * tx) / (tz * tz));
    let j1 = Vec3::new(0.0, view.fy / tz, -(view.fy * ty) / (tz * tz));
    let cov_cam = view.rot * cov3d * view.rot.transpose();
    let a = j0.dot(cov_cam * j0) + COV2D_DILATION;
    let b = j0.dot(cov_cam * j1);
    let c = j1.dot(cov_cam * j1) + COV2D_DILATION;
    [a, b, c]
}

/// Projects Gaussian `i`; `None` when culled (behind the near plane, degenerate, or covering
/// no tile).
pub fn project(scene: &Scene, i: usize, view: &View, scale_modifier: f32) -> Option<Splat> {
    let p = Vec3::from_array(scene.positions[i]);
    let t = view.rot * p + view.trans;
    if t.z <= NEAR_PLANE || !t.is_finite() {
        return None;
    }
    let cov3d = covariance3d(scene.log_scales[i], scene.rotations[i], scale_modifier);
    let cov = covariance2d(view, t, cov3d);
    let det = cov[0] * cov[2] - cov[1] * cov[1];
    if det == 0.0 || !det.is_finite() {
        return None;
    }
    let det_inv = 1.0 / det;
    let conic = [cov[2] * det_inv, -cov[1] * det_inv, cov[0] * det_inv];
    let mid = 0.5 * (cov[0] + cov[2]);
    let disc = (mid * mid - det).max(0.1).sqrt();
    let lambda = (mid + disc).max(mid - disc);
    let radius_f = (3.0 * lambda.sqrt()).ceil();
    let mean =
        [view.fx * t.x / t.z + 0.5 * view.width as f32 - 0.5, view.fy * t.y / t.z + 0.5 * view.height as f32 - 0.5];
    if !radius_f.is_finite() || !mean[0].is_finite() || !mean[1].is_finite() {
        return None;
    }
    let radius = radius_f as u32;
    let (gx, gy) = view.tile_grid();
    let (tile_min, tile_max) = tile_rect(mean, radius as f32, gx, gy);
    if (tile_max.0 - tile_min.0) * (tile_max.1 - tile_min.1) == 0 {
        return None;
    }
    let dir = (p - view.campos).normalize_or_zero().to_array();
    let raw = sh::eval(scene.sh_degree, scene.sh_of(i), dir);
    let opacity = sigmoid(scene.opacity_logits[i]);
    // A NaN opacity or colour would blend garbage into every pixel it touches: cull.
    if !raw.iter().all(|v| v.is_finite()) || !(0.0..=1.0).contains(&opacity) {
        return None;
    }
    Some(Splat {
        mean,
        conic,
        cov2d: cov,
        radius,
        depth: t.z,
        opacity,
        rgb: raw.map(|v| (v + 0.5).max(0.0)),
        tile_min,
        tile_max,
    })
}

/// The reference `getRect`: tiles touched by a square of half-size `radius` around `mean`,
/// with C's truncating float-to-int conversion.
pub fn tile_rect(mean: [f32; 2], radius: f32, gx: u32, gy: u32) -> ((u32, u32), (u32, u32)) {
    let t = TILE as f32;
    let lo = |m: f32, g: u32| (((m - radius) / t) as i64).clamp(0, g as i64) as u32;
    let hi = |m: f32, g: u32| (((m + radius + t - 1.0) / t) as i64).clamp(0, g as i64) as u32;
    ((lo(mean[0], gx), lo(mean[1], gy)), (hi(mean[0], gx), hi(mean[1], gy)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_matrix_matches_glam_quaternion() {
        let q = [0.3f32, -0.5, 0.7, 0.2];
        let n = (q.iter().map(|v| v * v).sum::<f32>()).sqrt();
        let g = Mat3::from_quat(glam::Quat::from_xyzw(q[1] / n, q[2] / n, q[3] / n, q[0] / n));
        let m = rotation_matrix(q);
        assert!((m - g).to_cols_array().iter().all(|d| d.abs() < 1e-6));
    }

    #[test]
    fn tile_rect_truncates_like_c() {
        // mean at x = 5, radius 10: (5-10)/16 = -0.31 truncates to 0, (5+10+15)/16 = 1.875 to 1.
        assert_eq!(tile_rect([5.0, 5.0], 10.0, 4, 4), ((0, 0), (1, 1)));
        assert_eq!(tile_rect([100.0, 5.0], 10.0, 4, 4), ((4, 0), (4, 1)));
    }
}

//! Points → flat, surface-aligned Gaussians ("surfels"): each point's neighbours give the
//! surface's normal (the least-variance axis of their spread) and the local spacing, which
//! sizes the disc so neighbouring discs overlap into a closed surface without blurring it.

use glam::{Quat, Vec3};
use rayon::prelude::*;

use super::neighbours::Grid;
use super::points::LabelledPoints;
use crate::scene::{Scene, logit};
use crate::util::eigen::least_variance_axis;

/// How points become Gaussians.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfelOptions {
    /// Neighbours that define the local plane and spacing.
    pub neighbours: usize,
    /// Disc standard deviation as a fraction of the local spacing (mean distance to the
    /// nearest four neighbours): 0.6 closes the gaps of an even sampling; a random subsample
    /// (ScanNet's preprocessed scans) needs 0.9, below which the background shows through
    /// as speckle between discs.
    pub radius_factor: f32,
    /// Thickness along the normal as a fraction of the disc's standard deviation.
    pub flatness: f32,
    /// Opacity of every Gaussian.
    pub opacity: f32,
}

impl Default for SurfelOptions {
    fn default() -> Self {
        Self { neighbours: 10, radius_factor: 0.9, flatness: 0.1, opacity: 0.95 }
    }
}

/// What the conversion measured, for the import report.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct SurfelStats {
    /// Median nearest-neighbour distance over a sample of points.
    pub median_spacing: f32,
    /// Points with fewer than three neighbours in reach (a sphere of the median size).
    pub isolated: usize,
}

/// SH DC coefficient of a colour: colour = C0·dc + 0.5.
const SH_C0: f32 = 0.282_094_8;

/// Builds one flat Gaussian a point (SH degree 0, labels carried); `grid` holds the points'
/// positions ([`Grid::for_surface`]).
pub fn surfels(points: &LabelledPoints, grid: &Grid, opts: &SurfelOptions) -> (Scene, SurfelStats) {
    let pts = grid.points();
    debug_assert_eq!(pts.len(), points.len(), "the grid holds the scan's points");
    let spacing = grid.spacing();
    let k = opts.neighbours.max(3);
    let frames: Vec<Option<(Vec3, f32)>> = pts
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let near = grid.nearest(*p, k, Some(i as u32), 6);
            (near.len() >= 3).then(|| {
                let local = near.iter().take(4).map(|n| n.0).sum::<f32>() / near.len().min(4) as f32;
                (normal_of(*p, near.iter().map(|n| pts[n.1 as usize])), local)
            })
        })
        .collect();
    let mut scene = Scene::with_capacity(pts.len(), 0);
    let mut stats = SurfelStats { median_spacing: spacing, isolated: 0 };
    for (i, frame) in frames.iter().enumerate() {
        let (normal, local) = frame.unwrap_or_else(|| {
            stats.isolated += 1;
            (Vec3::Z, spacing)
        });
        // A point far from its neighbours (a hole's edge) would otherwise become a huge disc.
        let sigma = (local.clamp(0.5 * spacing, 4.0 * spacing) * opts.radius_factor).max(1e-6);
        let thin = (sigma * opts.flatness).max(1e-7);
        let rot = frame_rotation(normal);
        scene.positions.push(points.positions[i]);
        scene.log_scales.push([sigma.ln(), sigma.ln(), thin.ln()]);
        scene.rotations.push([rot.w, rot.x, rot.y, rot.z]);
        scene.opacity_logits.push(logit(opts.opacity));
        let c = points.colours[i];
        scene.sh.extend(c.map(|v| (v as f32 / 255.0 - 0.5) / SH_C0));
    }
    scene.labels = Some(points.labels.clone());
    (scene, stats)
}

/// The least-variance direction of the points around `centre` (unit; +z when degenerate).
fn normal_of(centre: Vec3, near: impl Iterator<Item = Vec3>) -> Vec3 {
    let near: Vec<Vec3> = std::iter::once(centre).chain(near).collect();
    least_variance_axis(&near).unwrap_or(Vec3::Z)
}

/// A rotation whose local z axis is `normal` (the disc's thin axis).
fn frame_rotation(normal: Vec3) -> Quat {
    Quat::from_rotation_arc(Vec3::Z, normal).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn a_sampled_plane_becomes_discs_lying_in_it() {
        let mut rng = Rng::new(5);
        let tilt = Quat::from_axis_angle(Vec3::new(1.0, 0.3, 0.0).normalize(), 0.7);
        let mut points = LabelledPoints::default();
        for _ in 0..2000 {
            let local = Vec3::new(rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), 0.0);
            points.positions.push((tilt * local + Vec3::new(3.0, -2.0, 1.0)).to_array());
            points.colours.push([200, 100, 0]);
            points.labels.push(7);
        }
        let pts: Vec<Vec3> = points.positions.iter().map(|p| Vec3::from_array(*p)).collect();
        let (scene, stats) = surfels(&points, &Grid::for_surface(&pts), &SurfelOptions::default());
        assert_eq!(scene.len(), 2000);
        assert_eq!(stats.isolated, 0);
        // 2000 random points on 4 m²: nearest-neighbour distance ~0.5/sqrt(500) ≈ 0.022.
        assert!((0.01..0.04).contains(&stats.median_spacing), "{}", stats.median_spacing);
        let normal = tilt * Vec3::Z;
        for i in (0..2000).step_by(97) {
            let [w, x, y, z] = scene.rotations[i];
            let axis = Quat::from_xyzw(x, y, z, w) * Vec3::Z;
            assert!(axis.dot(normal).abs() > 0.95, "Gaussian {i}: thin axis {axis}");
            let [a, b, c] = scene.log_scales[i];
            assert!(a == b && c < a - 2.0, "flat disc: {a} {b} {c}");
        }
        let dc = scene.sh_of(0);
        assert!((SH_C0 * dc[0] + 0.5 - 200.0 / 255.0).abs() < 1e-5);
        assert_eq!(scene.labels.as_deref().map(|l| l[0]), Some(7));
        scene.check_consistent().expect("a consistent scene");
    }
}

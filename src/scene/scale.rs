//! A scene's scale in "room metres". Splats trained from photos have no metric scale (COLMAP
//! fixes it arbitrarily), but the encoder's voxel grid and its scale inputs are metric: a room
//! at 2.5× its size is, to the encoder, a different kind of scene (measured: mIoU 0.475 →
//! 0.208 on one room). So the encoder sees every scene rescaled by 1/scale.
//!
//! The estimate: indoor rooms are about [`REFERENCE_ROOM_HEIGHT`] from floor to ceiling, and
//! scans without a ceiling reach about [`REFERENCE_WALL_TOP`] up the walls. The room's extent
//! along "up" (the densely occupied run of heights, robust to floaters) divided by the one
//! that applies is the scale. It is a rough cue (±50 % on real scans), but it takes a room
//! trained at any COLMAP scale back to the size the encoder knows.
//! Up comes from the cameras (image up, averaged) when there are any, else the direction in
//! which the scene is thinnest (rooms are wider than they are tall). A user who knows better
//! sets `--scene-scale`.

use glam::Vec3;
use serde::Serialize;

use super::Scene;
use super::camera::{Camera, level_up_from_cameras};

/// Floor-to-ceiling height of a typical room, in metres.
pub const REFERENCE_ROOM_HEIGHT: f32 = 2.6;

/// Where scans without a ceiling stop on the walls, in metres (a hand-held scanner's reach;
/// ScanNet's own rooms 0001-0005 reach 1.3-3.0 m, 1.7 m typically).
pub const REFERENCE_WALL_TOP: f32 = 2.0;

/// Estimates outside this range are clamped: beyond it the scene is not a room.
const SCALE_RANGE: (f32, f32) = (1e-3, 1e3);

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
/// A scene's estimated scale in room metres, with the evidence for it (`info` prints it).
pub struct ScaleEstimate {
    /// World units per metre: the encoder divides positions by it.
    pub scale: f32,
    /// The scene's up direction (unit vector, world space) the height was measured along.
    pub up: [f32; 3],
    /// Where up came from: "cameras", "shape" or "given", with ", levelled on horizontal
    /// planes" when [`super::level`] refined it.
    pub up_from: &'static str,
    /// The room's extent along up, world units.
    pub height: f32,
    /// Whether a ceiling closes it (else the walls' top is taken for [`REFERENCE_WALL_TOP`]).
    pub ceiling: bool,
}

/// The scale estimate; `None` for fewer than two distinct centres.
pub fn estimate_scale(scene: &Scene, cameras: &[Camera]) -> Option<ScaleEstimate> {
    let (sample, up, up_from) = sample_and_up(scene, cameras)?;
    scale_along(&sample, up, up_from)
}

/// A sample of `scene`'s centres ([`sample_of`]) and its up with where it came from: the
/// cameras' level up when there are any ("cameras"), else the thinnest direction ("shape", no
/// sign). `None` for fewer than two centres. The scale estimate and the gravity cues
/// ([`super::gravity`]) both start here.
pub(crate) fn sample_and_up(scene: &Scene, cameras: &[Camera]) -> Option<(Vec<Vec3>, Vec3, &'static str)> {
    let sample = sample_of(scene.positions.iter().map(|p| Vec3::from_array(*p)), scene.len())?;
    let (up, up_from) = match level_up_from_cameras(cameras) {
        Some(up) => (up, "cameras"),
        None => (thinnest_direction(&sample)?, "shape"),
    };
    let (up, up_from) = levelled(&sample, up, up_from);
    Some((sample, up, up_from))
}

/// `up` refined by the sample's horizontal planes ([`super::level`]), and where it came from,
/// saying so when the planes moved it.
pub(crate) fn levelled(sample: &[Vec3], up: Vec3, up_from: &'static str) -> (Vec3, &'static str) {
    let (level, moved) = super::level::level_up(sample, up);
    if moved == 0.0 {
        return (up, up_from);
    }
    let from = match up_from {
        "cameras" => "cameras, levelled on horizontal planes",
        "shape" => "shape, levelled on horizontal planes",
        _ => "given up, levelled on horizontal planes",
    };
    (level, from)
}

/// The estimate with `up` known (an importer told which axis is up).
pub fn estimate_scale_with_up(positions: &[Vec3], up: Vec3) -> Option<ScaleEstimate> {
    let sample = sample_of(positions.iter().copied(), positions.len())?;
    let (up, up_from) = levelled(&sample, up.try_normalize()?, "given");
    scale_along(&sample, up, up_from)
}

/// Up to ~50 000 evenly spaced finite centres of `len`; `None` for fewer than two.
pub(crate) fn sample_of(positions: impl Iterator<Item = Vec3>, len: usize) -> Option<Vec<Vec3>> {
    let sample: Vec<Vec3> = positions.step_by((len / 50_000).max(1)).filter(|p| p.is_finite()).collect();
    (sample.len() >= 2).then_some(sample)
}

fn scale_along(sample: &[Vec3], up: Vec3, up_from: &'static str) -> Option<ScaleEstimate> {
    let heights: Vec<f32> = sample.iter().map(|p| p.dot(up)).collect();
    let run = dense_run(&heights)?;
    let reference = if run.ceiling { REFERENCE_ROOM_HEIGHT } else { REFERENCE_WALL_TOP };
    let scale = (run.height / reference).clamp(SCALE_RANGE.0, SCALE_RANGE.1);
    Some(ScaleEstimate { scale, up: up.to_array(), up_from, height: run.height, ceiling: run.ceiling })
}

/// The room's extent along up.
pub(crate) struct HeightRun {
    /// Its ends, as heights along up (`bottom < top`).
    pub bottom: f32,
    pub top: f32,
    pub height: f32,
    /// Whether its top is a dense layer (a ceiling) rather than walls thinning out.
    pub ceiling: bool,
    /// Centres in the run's lowest and highest three bins: a floor is a dense layer, so the
    /// end with more of them is the floor when up has no sign of its own.
    pub bottom_count: usize,
    pub top_count: usize,
}

/// The contiguous run of densely occupied height bins around the median height: floor,
/// walls and ceiling are dense, while floaters and what a window shows outside are spread
/// thinly beyond them (synthetic rooms carry ~5 % of such Gaussians, enough to move any
/// plain percentile by metres).
pub(crate) fn dense_run(heights: &[f32]) -> Option<HeightRun> {
    const BINS: usize = 100;
    let mut sorted = heights.to_vec();
    sorted.sort_by(f32::total_cmp);
    let at = |q: f32| sorted[((sorted.len() - 1) as f32 * q).round() as usize];
    let (lo, hi) = (at(0.01), at(0.99));
    if !(hi > lo && (hi - lo).is_finite()) {
        return None;
    }
    let width = (hi - lo) / BINS as f32;
    let mut counts = [0usize; BINS];
    for &h in heights {
        if (lo..=hi).contains(&h) {
            counts[(((h - lo) / width) as usize).min(BINS - 1)] += 1;
        }
    }
    let bin_of = |h: f32| ((((h - lo) / width).max(0.0)) as usize).min(BINS - 1);
    // The typical occupancy of the room's middle (walls), from the 10th to the 90th percentile.
    let mut core: Vec<usize> = counts[bin_of(at(0.1))..=bin_of(at(0.9))].to_vec();
    core.sort_unstable();
    let typical = core[core.len() / 2].max(1);
    let dense = |b: usize| counts[b] * 5 >= typical;
    let middle = bin_of(at(0.5));
    let (mut a, mut b) = (middle, middle);
    while a > 0 && dense(a - 1) {
        a -= 1;
    }
    while b + 1 < BINS && dense(b + 1) {
        b += 1;
    }
    // A floor and a ceiling are both dense layers; which end is which does not matter (an
    // up taken from the shape has no sign).
    let peak = |r: std::ops::RangeInclusive<usize>| counts[r].iter().copied().max().unwrap_or(0) >= 3 * typical;
    let ceiling = peak(a..=(a + 2).min(b)) && peak(b.saturating_sub(2).max(a)..=b);
    let end_count = |r: std::ops::RangeInclusive<usize>| counts[r].iter().sum::<usize>();
    Some(HeightRun {
        bottom: lo + a as f32 * width,
        top: lo + (b + 1) as f32 * width,
        height: (b + 1 - a) as f32 * width,
        ceiling,
        bottom_count: end_count(a..=(a + 2).min(b)),
        top_count: end_count(b.saturating_sub(2).max(a)..=b),
    })
}

/// The least-variance axis of the points nearest their median (the nearest 90 %: a few
/// floaters far out would otherwise tilt the axis by tens of degrees).
fn thinnest_direction(points: &[Vec3]) -> Option<Vec3> {
    let median = |axis: usize| {
        let mut v: Vec<f32> = points.iter().map(|p| p[axis]).collect();
        let mid = v.len() / 2;
        *v.select_nth_unstable_by(mid, f32::total_cmp).1
    };
    let centre = Vec3::new(median(0), median(1), median(2));
    let mut dist: Vec<f32> = points.iter().map(|p| p.distance_squared(centre)).collect();
    let k = (dist.len() * 9 / 10).min(dist.len() - 1);
    let cut = *dist.select_nth_unstable_by(k, f32::total_cmp).1;
    let core: Vec<Vec3> = points.iter().copied().filter(|p| p.distance_squared(centre) <= cut).collect();
    crate::util::eigen::least_variance_axis(&core)
}

/// The scene as the encoder should see it: positions divided by `scale`, log-scales less
/// ln(scale); everything else shared. `scale` 1 returns a plain copy's worth of work avoided.
pub fn rescaled(scene: &Scene, scale: f32) -> std::borrow::Cow<'_, Scene> {
    if scale == 1.0 {
        return std::borrow::Cow::Borrowed(scene);
    }
    let mut s = scene.clone();
    let inv = 1.0 / scale;
    let ln = scale.ln();
    s.positions.iter_mut().for_each(|p| *p = p.map(|v| v * inv));
    s.log_scales.iter_mut().for_each(|l| *l = l.map(|v| v - ln));
    std::borrow::Cow::Owned(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    /// An 8 × 7 room, `h` high, floor, ceiling and four walls sampled, tilted by `rot`, scaled
    /// by `s`, with floaters. (Up from the shape needs a room wider than it is tall, and
    /// walls on all sides: a scan of one corner tilts the least-variance axis.)
    fn room(h: f32, s: f32, rot: glam::Quat) -> Scene {
        let mut rng = Rng::new(1);
        let mut scene = Scene::with_capacity(0, 0);
        for i in 0..20_000 {
            let (a, b) = (rng.f32(), rng.f32());
            let p = match i % 6 {
                0 => Vec3::new(a * 8.0, b * 7.0, 0.0),
                1 => Vec3::new(a * 8.0, b * 7.0, h),
                2 => Vec3::new(a * 8.0, 0.0, b * h),
                3 => Vec3::new(a * 8.0, 7.0, b * h),
                4 => Vec3::new(8.0, a * 7.0, b * h),
                _ => Vec3::new(0.0, a * 7.0, b * h),
            };
            scene.positions.push((rot * (p * s)).to_array());
        }
        for _ in 0..100 {
            scene.positions.push([rng.range(-50.0, 50.0), rng.range(-50.0, 50.0), rng.range(-50.0, 50.0)]);
        }
        scene
    }

    #[test]
    fn scale_follows_the_room_in_any_orientation_with_or_without_cameras() {
        let rot = glam::Quat::from_axis_angle(Vec3::new(1.0, 2.0, 0.5).normalize(), 1.1);
        for s in [1.0, 2.5, 0.1] {
            let scene = room(2.6, s, rot);
            let est = estimate_scale(&scene, &[]).expect("an estimate");
            assert!(est.up_from.starts_with("shape"), "{}", est.up_from);
            assert!(Vec3::from_array(est.up).dot(rot * Vec3::Z).abs() > 0.99999, "up {:?}", est.up);
            assert!(est.ceiling);
            assert!((est.scale / s - 1.0).abs() < 0.05, "scale {s}: got {}", est.scale);
            let up = rot * Vec3::Z;
            let cam = Camera::look_at(Vec3::ZERO, rot * Vec3::X, up, 60.0, 64, 48);
            let est = estimate_scale(&scene, &[cam]).expect("an estimate");
            assert_eq!(est.up_from, "cameras");
            assert!((est.scale / s - 1.0).abs() < 0.05, "scale {s} with cameras: got {}", est.scale);
        }
        assert_eq!(estimate_scale(&Scene::default(), &[]), None);
    }

    #[test]
    fn a_scan_without_a_ceiling_is_measured_by_its_walls() {
        let mut scene = room(2.6, 1.0, glam::Quat::IDENTITY);
        // Drop the ceiling: the walls then end at 2.6 units, taken for a 2 m wall top.
        let keep: Vec<bool> = scene.positions.iter().map(|p| p[2] < 2.59 || p[2].abs() > 10.0).collect();
        scene.positions = scene.positions.iter().zip(&keep).filter(|(_, k)| **k).map(|(p, _)| *p).collect();
        let est = estimate_scale(&scene, &[]).expect("an estimate");
        assert!(!est.ceiling);
        assert!((est.scale - 2.6 / REFERENCE_WALL_TOP).abs() < 0.1, "{}", est.scale);
    }

    #[test]
    fn rescaling_divides_positions_and_scales() {
        let mut scene = room(2.6, 1.0, glam::Quat::IDENTITY);
        scene.log_scales = vec![[0.0, -1.0, 0.5]; scene.len()];
        let r = rescaled(&scene, 2.0);
        assert_eq!(r.positions[5], scene.positions[5].map(|v| v / 2.0));
        assert!((r.log_scales[5][1] - (-1.0 - 2f32.ln())).abs() < 1e-6);
        assert!(matches!(rescaled(&scene, 1.0), std::borrow::Cow::Borrowed(_)));
    }
}

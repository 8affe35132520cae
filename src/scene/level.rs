//! Levelling: the up that a scene's cameras or shape give is seldom plumb. ScanNet's scans lean
//! by up to 15° (scene0004_00; 3-8° is common), and a phone's mean image up leans with the
//! person holding it. A floor that leans 4° across 8 m rises half a metre, so the gravity cues
//! call half of it furniture, and the room's height (the scale estimate) smears.
//!
//! Seen along true up, a room's horizontal planes (floor, ceiling, table and bed tops) are the
//! sharpest thing in it: their heights bunch into a few bins, while along a leaning up they
//! spread over many. [`level_up`] searches the directions within [`MAX_TILT_DEG`] of the first
//! guess, coarse to fine, for the one along which the heights bunch the most (the sum of squared
//! bin counts), and keeps the first guess unless that one is clearly sharper: a level scene
//! stays exactly as it was.

use glam::Vec3;

/// How far from the first guess the search looks. Walls (90°) and roofs that slope 30° or more
/// stay outside it.
pub const MAX_TILT_DEG: f32 = 25.0;

/// Centres the search scores (evenly spaced through the sample).
const SEARCH_POINTS: usize = 20_000;

/// The refined up must bunch the heights this much more than the first guess to replace it.
const MIN_GAIN: f64 = 1.05;

/// Search stages: (step between directions in degrees, steps either side of the centre, bins
/// over the sample's diameter). Coarse stages use wide bins so that a plane seen a step off
/// still counts as sharp; the last resolves about 0.1°.
const STAGES: [(f32, i32, usize); 3] = [(2.0, 13, 96), (0.5, 4, 256), (0.125, 4, 512)];

/// `up` refined by the sample's horizontal planes, and the angle it moved, in degrees (0 when
/// the first guess is kept). `up` must be a unit vector; its sign is kept.
pub fn level_up(sample: &[Vec3], up: Vec3) -> (Vec3, f32) {
    let points: Vec<Vec3> = sample.iter().copied().step_by((sample.len() / SEARCH_POINTS).max(1)).collect();
    let Some(frame) = Frame::of(&points, up) else {
        return (up, 0.0);
    };
    let max_offset = MAX_TILT_DEG.to_radians().tan();
    let (mut best, mut centre) = (up, (0.0f32, 0.0f32));
    for &(step_deg, reach, bins) in &STAGES {
        let step = step_deg.to_radians().tan();
        let mut best_score = f64::MIN;
        let start = centre;
        for i in -reach..=reach {
            for j in -reach..=reach {
                let offset = (start.0 + i as f32 * step, start.1 + j as f32 * step);
                if offset.0.hypot(offset.1) > max_offset {
                    continue;
                }
                let dir = frame.direction(offset);
                let score = frame.sharpness(&points, dir, bins);
                if score > best_score {
                    (best_score, best, centre) = (score, dir, offset);
                }
            }
        }
    }
    let finest = STAGES[STAGES.len() - 1].2;
    let (kept, refined) = (frame.sharpness(&points, up, finest), frame.sharpness(&points, best, finest));
    if refined < MIN_GAIN * kept {
        return (up, 0.0);
    }
    (best, best.dot(up).clamp(-1.0, 1.0).acos().to_degrees())
}

/// The sample's centre and radius, and two directions across `up`.
struct Frame {
    up: Vec3,
    across: (Vec3, Vec3),
    centre: Vec3,
    radius: f32,
}

impl Frame {
    fn of(points: &[Vec3], up: Vec3) -> Option<Self> {
        if points.len() < 16 || !up.is_finite() {
            return None;
        }
        let centre = points.iter().copied().sum::<Vec3>() / points.len() as f32;
        let mut dist: Vec<f32> = points.iter().map(|p| p.distance(centre)).collect();
        // Floaters far outside the room would stretch the bins; 98 % of the centres set them.
        let k = (dist.len() * 98 / 100).min(dist.len() - 1);
        let radius = *dist.select_nth_unstable_by(k, f32::total_cmp).1;
        (radius.is_finite() && radius > 0.0).then(|| Self { up, across: up.any_orthonormal_pair(), centre, radius })
    }

    /// The unit direction `up + a·across.0 + b·across.1` (offsets are tangents of the lean).
    fn direction(&self, (a, b): (f32, f32)) -> Vec3 {
        (self.up + a * self.across.0 + b * self.across.1).normalize()
    }

    /// How much the heights along `dir` bunch: the sum of squared counts of `bins` bins over
    /// the sample's diameter, over the squared count (1 when every centre shares a bin).
    fn sharpness(&self, points: &[Vec3], dir: Vec3, bins: usize) -> f64 {
        let mut counts = vec![0u32; bins];
        let scale = bins as f32 / (2.0 * self.radius);
        for p in points {
            let at = ((p - self.centre).dot(dir) + self.radius) * scale;
            if at >= 0.0 && at < bins as f32 {
                counts[at as usize] += 1;
            }
        }
        let n = points.len() as f64;
        counts.iter().map(|&c| f64::from(c) * f64::from(c)).sum::<f64>() / (n * n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;
    use glam::Quat;

    /// A box room 6 × 4 m, 2.6 m high, with a table top: floor and ceiling dense, walls
    /// thinner, some floaters; points jittered by 1 cm as a scan's are.
    fn room(rng: &mut Rng) -> Vec<Vec3> {
        let mut pts = Vec::new();
        let jitter = |p: Vec3, rng: &mut Rng| p + 0.01 * Vec3::new(rng.normal(), rng.normal(), rng.normal());
        for _ in 0..12_000 {
            let (x, y) = (rng.f32() * 6.0 - 3.0, rng.f32() * 4.0 - 2.0);
            pts.push(jitter(Vec3::new(x, y, 0.0), rng));
            pts.push(jitter(Vec3::new(x, y, 2.6), rng));
        }
        for _ in 0..8_000 {
            let (t, z) = (rng.f32(), rng.f32() * 2.6);
            pts.push(jitter(Vec3::new(t * 6.0 - 3.0, if rng.f32() < 0.5 { -2.0 } else { 2.0 }, z), rng));
            pts.push(jitter(Vec3::new(if rng.f32() < 0.5 { -3.0 } else { 3.0 }, t * 4.0 - 2.0, z), rng));
        }
        for _ in 0..2_000 {
            pts.push(jitter(Vec3::new(rng.f32() * 1.2 - 0.6, rng.f32() * 0.8, 0.75), rng));
        }
        for _ in 0..500 {
            pts.push(Vec3::new(rng.f32() * 20.0 - 10.0, rng.f32() * 20.0 - 10.0, rng.f32() * 8.0 - 3.0));
        }
        pts
    }

    fn angle_deg(a: Vec3, b: Vec3) -> f32 {
        a.dot(b).clamp(-1.0, 1.0).acos().to_degrees()
    }

    #[test]
    fn a_leaning_room_is_levelled_and_a_level_one_kept() {
        let mut rng = Rng::new(7);
        let pts = room(&mut rng);
        // Level, with the true up given: kept exactly.
        assert_eq!(level_up(&pts, Vec3::Z), (Vec3::Z, 0.0));
        // The room leans by 4°, 9° and 15° about random axes; the guess stays world z.
        for (deg, seed) in [(4.0f32, 1u64), (9.0, 2), (15.0, 3)] {
            let mut r = Rng::new(seed);
            let axis = Vec3::new(r.normal(), r.normal(), 0.0).normalize();
            let lean = Quat::from_axis_angle(axis, deg.to_radians());
            let leaning: Vec<Vec3> = pts.iter().map(|&p| lean * p + Vec3::new(40.0, -25.0, 10.0)).collect();
            let (up, moved) = level_up(&leaning, Vec3::Z);
            let truth = lean * Vec3::Z;
            assert!(angle_deg(up, truth) < 0.3, "{deg}°: levelled up {up} is {}° from the truth", angle_deg(up, truth));
            assert!((moved - deg).abs() < 0.3, "{deg}°: reported {moved}°");
        }
    }

    #[test]
    fn the_sign_is_kept_and_formless_input_is_left_alone() {
        let mut rng = Rng::new(9);
        let pts = room(&mut rng);
        let (down, _) = level_up(&pts, -Vec3::Z);
        assert!(down.dot(-Vec3::Z) > 0.999, "{down}");
        // A ball of noise has no planes: the guess is kept.
        let ball: Vec<Vec3> = (0..20_000).map(|_| Vec3::new(rng.normal(), rng.normal(), rng.normal())).collect();
        let guess = Vec3::new(0.1, 0.2, 1.0).normalize();
        assert_eq!(level_up(&ball, guess), (guess, 0.0));
        assert_eq!(level_up(&ball[..5], guess), (guess, 0.0));
    }
}

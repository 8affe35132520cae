//! Cameras for an imported scan: in free space inside the room, at eye height, looking at
//! surfaces — the views a person walking through it with a camera would take, which is what
//! the fusion network sees in a trained splat's own cameras.
//!
//! Heights are measured along `up` from the floor (a low percentile of the points' heights).
//! Distances are in metres times the scene's scale ([`crate::scene::scale`]), so a scan in
//! other units, or one whose walls were scanned only half-way up, still gets cameras at eye
//! height (1.2-1.7 m) with room around them.

use glam::Vec3;

use super::neighbours::Grid;
use crate::scene::Camera;
use crate::util::rng::Rng;

/// Where and how the cameras are placed.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewOptions {
    /// Cameras wanted.
    pub count: usize,
    /// Image width, pixels.
    pub width: u32,
    /// Image height, pixels.
    pub height: u32,
    /// Horizontal field of view in degrees.
    pub fov_x_deg: f32,
    /// Seed of the random placement.
    pub seed: u64,
}

/// Up to `opts.count` cameras; fewer when the room has too little free space to place them.
/// `metre` is the scene's scale: world units per metre.
pub fn place_cameras(points: &[Vec3], grid: &Grid, up: Vec3, metre: f32, opts: &ViewOptions) -> Vec<Camera> {
    let up = up.normalize();
    let e1 = up.any_orthonormal_vector();
    let e2 = up.cross(e1);
    let sample: Vec<Vec3> = points.iter().step_by((points.len() / 20_000).max(1)).copied().collect();
    let heights: Vec<f32> = sample.iter().map(|p| p.dot(up)).collect();
    let (floor, top) = (percentile(&heights, 0.02), percentile(&heights, 0.98));
    if top - floor < 0.5 * metre {
        return Vec::new(); // no walls to stand between
    }
    let us: Vec<f32> = sample.iter().map(|p| p.dot(e1)).collect();
    let vs: Vec<f32> = sample.iter().map(|p| p.dot(e2)).collect();
    let (u0, u1, v0, v1) = (percentile(&us, 0.02), percentile(&us, 0.98), percentile(&vs, 0.02), percentile(&vs, 0.98));
    let clearance = 0.4 * metre;
    let mut rng = Rng::new(opts.seed ^ 0x1A9E_C0DE);
    let mut cameras = Vec::new();
    for _try in 0..opts.count * 80 {
        if cameras.len() == opts.count {
            break;
        }
        let eye_height = (floor + metre * rng.range(1.2, 1.7)).min(top - 0.2 * metre);
        let eye = e1 * rng.range(u0, u1) + e2 * rng.range(v0, v1) + up * eye_height;
        if grid.any_within(eye, clearance) || !enclosed(&sample, eye, e1, e2) {
            continue;
        }
        let mut best: Option<(f32, Camera)> = None;
        let yaw0 = rng.range(0.0, std::f32::consts::TAU);
        for k in 0..8 {
            let yaw = yaw0 + k as f32 * std::f32::consts::FRAC_PI_4;
            let pitch = -rng.range(5.0, 28.0).to_radians();
            let dir = (e1 * yaw.cos() + e2 * yaw.sin()) * pitch.cos() + up * pitch.sin();
            let cam = Camera::look_at(eye, eye + dir, up, opts.fov_x_deg, opts.width, opts.height);
            let score = coverage(&sample, &cam, 1.0 * metre);
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, cam));
            }
        }
        if let Some((score, mut cam)) = best
            && score >= 0.85
        {
            cam.id = cameras.len() as i64;
            cam.img_name = format!("view_{:03}", cameras.len());
            cameras.push(cam);
        }
    }
    cameras
}

/// Whether surfaces surround `eye` horizontally: points in at least seven of eight compass
/// sectors (a camera outside the scan, or in a doorway to nowhere, has empty sectors).
fn enclosed(sample: &[Vec3], eye: Vec3, e1: Vec3, e2: Vec3) -> bool {
    enclosed_by(sample, eye, e1, e2, |_| true)
}

/// [`enclosed`], counting only the points `counts` keeps (the share a sector needs is still
/// taken of the whole sample).
pub(crate) fn enclosed_by(sample: &[Vec3], eye: Vec3, e1: Vec3, e2: Vec3, counts: impl Fn(&Vec3) -> bool) -> bool {
    let mut sectors = [0usize; 8];
    for p in sample.iter().filter(|p| counts(p)) {
        let d = *p - eye;
        let angle = d.dot(e2).atan2(d.dot(e1)) + std::f32::consts::PI;
        let s = ((angle / std::f32::consts::TAU * 8.0) as usize).min(7);
        sectors[s] += 1;
    }
    let needed = (sample.len() / 400).max(3);
    sectors.iter().filter(|&&n| n >= needed).count() >= 7
}

/// Share of a coarse 8×6 grid over the image that sample points project into, counting only
/// points at least `min_depth` away: a view filled by one near wall scores low.
fn coverage(sample: &[Vec3], cam: &Camera, min_depth: f32) -> f32 {
    let w2c = cam.world_to_cam();
    let centre = cam.centre();
    let mut cells = [false; 48];
    let mut near = 0usize;
    let mut seen = 0usize;
    for p in sample {
        let c = w2c * (*p - centre);
        if c.z <= 1e-3 {
            continue;
        }
        let x = cam.fx as f32 * c.x / c.z + cam.width as f32 * 0.5;
        let y = cam.fy as f32 * c.y / c.z + cam.height as f32 * 0.5;
        if x < 0.0 || y < 0.0 || x >= cam.width as f32 || y >= cam.height as f32 {
            continue;
        }
        seen += 1;
        if c.z < min_depth {
            near += 1;
            continue;
        }
        let (i, j) = ((x / cam.width as f32 * 8.0) as usize, (y / cam.height as f32 * 6.0) as usize);
        cells[j.min(5) * 8 + i.min(7)] = true;
    }
    let filled = cells.iter().filter(|&&c| c).count() as f32 / 48.0;
    // Views where most of what is seen is closer than min_depth lose their score.
    if seen > 0 && near * 2 > seen { filled * 0.5 } else { filled }
}

/// The `q` quantile of `values` (nearest rank; 0 for none).
pub(crate) fn percentile(values: &[f32], q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    let k = ((v.len() - 1) as f32 * q).round() as usize;
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A closed 6 × 4 × 2.5 box room (z up) sampled on its six faces, with a block inside.
    pub(in crate::import) fn box_room() -> Vec<Vec3> {
        let mut rng = Rng::new(9);
        let mut pts = Vec::new();
        let (sx, sy, sz) = (6.0, 4.0, 2.5);
        for _ in 0..30_000 {
            let (a, b) = (rng.f32(), rng.f32());
            let p = match rng.below(6) {
                0 => Vec3::new(a * sx, b * sy, 0.0),
                1 => Vec3::new(a * sx, b * sy, sz),
                2 => Vec3::new(0.0, a * sy, b * sz),
                3 => Vec3::new(sx, a * sy, b * sz),
                4 => Vec3::new(a * sx, 0.0, b * sz),
                _ => Vec3::new(a * sx, sy, b * sz),
            };
            pts.push(p);
        }
        pts
    }

    #[test]
    fn cameras_stand_inside_the_room_at_eye_height_and_look_at_surfaces() {
        let pts = box_room();
        let grid = Grid::new(&pts, 0.2);
        let opts = ViewOptions { count: 12, width: 320, height: 240, fov_x_deg: 60.0, seed: 4 };
        let cams = place_cameras(&pts, &grid, Vec3::Z, 1.0, &opts);
        assert_eq!(cams.len(), 12);
        for c in &cams {
            c.validate().expect("valid camera");
            let e = c.centre();
            assert!((0.3..5.7).contains(&e.x) && (0.3..3.7).contains(&e.y), "inside: {e}");
            assert!((1.2..1.7).contains(&e.z), "eye height: {e}");
            let f = c.forward();
            assert!(f.z < 0.0 && f.z > -0.5, "looks slightly down: {f}");
            // Image up is world up, as a person holds a camera.
            assert!((-c.cam_to_world().y_axis).dot(Vec3::Z) > 0.8);
        }
        // Deterministic for a seed.
        assert_eq!(place_cameras(&pts, &grid, Vec3::Z, 1.0, &opts), cams);
        // The same room in centimetres gets the same cameras, in centimetres.
        let cm: Vec<Vec3> = pts.iter().map(|p| *p * 100.0).collect();
        let cm_cams = place_cameras(&cm, &Grid::new(&cm, 20.0), Vec3::Z, 100.0, &opts);
        assert_eq!(cm_cams.len(), 12);
        assert!((cm_cams[3].centre() - cams[3].centre() * 100.0).length() < 0.5);
    }

    #[test]
    fn an_open_scan_without_walls_gets_no_cameras() {
        let mut rng = Rng::new(2);
        let floor: Vec<Vec3> = (0..5000).map(|_| Vec3::new(rng.range(0.0, 5.0), rng.range(0.0, 5.0), 0.0)).collect();
        let grid = Grid::new(&floor, 0.2);
        let opts = ViewOptions { count: 4, width: 64, height: 48, fov_x_deg: 60.0, seed: 1 };
        assert!(place_cameras(&floor, &grid, Vec3::Z, 1.0, &opts).is_empty());
    }
}

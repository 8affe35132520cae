//! Views to lift a scene that came without cameras (`.splat`, `.spz`, `.sog` and most files
//! shared on the web carry none). A room gets the cameras `rtgs2 import` gives a scan: in free
//! space inside it, at eye height, looking at surfaces ([`place_cameras`]). A scene with no
//! inside to stand in — one object, or an open scan — gets views on rings around it, looking
//! at its centre from above the horizon, as a person walking round it would take them.
//!
//! Up, the floor and the scale are the ones the encoder and the gravity cues use
//! ([`crate::scene::gravity`], [`crate::scene::scale`]), so the views are level and at the
//! heights the fusion network was trained on.

use glam::Vec3;

use crate::dataset::views::extra_views;
use crate::import::neighbours::Grid;
use crate::import::viewpoints::{ViewOptions, enclosed_by, percentile, place_cameras};
use crate::scene::gravity::gravity_frame;
use crate::scene::{Camera, Scene};
use crate::util::rng::Rng;

/// Horizontal field of view of every generated view, degrees (the viewer's default).
const FOV_X_DEG: f32 = 60.0;

/// Centres sampled for the placement: enough for a room's free space, bounded in time.
const SAMPLE: usize = 200_000;

/// How far below a generated camera walls must reach to count as standing round it, metres.
const WALL_BAND_BELOW_M: f32 = 0.3;

/// Elevations of the rings round an object, degrees above the horizon.
const RING_ELEVATIONS_DEG: [f32; 3] = [12.0, 32.0, 55.0];

/// How a scene without cameras was given its views (printed by `rtgs2 lift`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratedViews {
    /// In the room's free space at eye height, as `rtgs2 import` places a scan's cameras.
    InsideRoom,
    /// On rings round the scene's centre, looking at it (an object or an open scene).
    AroundObject,
}

impl GeneratedViews {
    /// Words for a note: "in the room's free space" / "around the object".
    pub fn describe(self) -> &'static str {
        match self {
            Self::InsideRoom => "placed in the room's free space at eye height",
            Self::AroundObject => "on rings around the scene, looking at its centre",
        }
    }
}

/// `count` views of `scene` (`units_per_metre` world units to the metre) at `width`×`height`,
/// deterministic in `seed`, and how they were placed. Inside the room when at least half of
/// them find free space there (the rest random views near those), else around it. Empty for
/// a scene of fewer than two distinct centres.
pub fn generated_views(
    scene: &Scene,
    units_per_metre: f32,
    count: usize,
    (width, height): (u32, u32),
    seed: u64,
) -> (Vec<Camera>, GeneratedViews) {
    let metre = if units_per_metre.is_finite() && units_per_metre > 0.0 { units_per_metre } else { 1.0 };
    let step = (scene.len() / SAMPLE).max(1);
    let points: Vec<Vec3> =
        scene.positions.iter().step_by(step).map(|p| Vec3::from_array(*p)).filter(|p| p.is_finite()).collect();
    let Some(frame) = gravity_frame(scene, &[]) else {
        return (Vec::new(), GeneratedViews::AroundObject);
    };
    if count == 0 {
        return (Vec::new(), GeneratedViews::InsideRoom);
    }
    let grid = Grid::for_surface(&points);
    let opts = ViewOptions { count, width, height, fov_x_deg: FOV_X_DEG, seed };
    let inside: Vec<Camera> = place_cameras(&points, &grid, frame.up, metre, &opts)
        .into_iter()
        .filter(|cam| walled_at_eye_height(&points, cam.centre(), frame.up, metre))
        .collect();
    if inside.len() * 2 >= count {
        // Topped up, when the room had too little free space for all of them, with random
        // views near those placed (as a scene's own cameras are).
        let more = extra_views(&inside, count - inside.len(), width, height, seed);
        return (inside.into_iter().chain(more.into_iter().map(|(_, c)| c)).collect(), GeneratedViews::InsideRoom);
    }
    (around(&points, frame.up, count, (width, height), seed), GeneratedViews::AroundObject)
}

/// Whether surfaces stand round `eye` at its own height, as a room's walls do: points from
/// [`WALL_BAND_BELOW_M`] below the eye upward in at least seven of eight compass sectors.
/// `rtgs2 import`'s placement only asks for points in every direction at any height, which
/// an armchair's low front and seat also give a camera above its seat (without a scale, a
/// lone object is a small room to every other measure).
fn walled_at_eye_height(points: &[Vec3], eye: Vec3, up: Vec3, metre: f32) -> bool {
    let east = up.any_orthonormal_vector();
    let lowest = eye.dot(up) - WALL_BAND_BELOW_M * metre;
    enclosed_by(points, eye, east, up.cross(east), |p| p.dot(up) >= lowest)
}

/// `count` views on rings round the points' median centre, far enough that the sphere holding
/// nine tenths of the points fills about four fifths of the view's height; headings evenly
/// spread per ring from a random start.
fn around(points: &[Vec3], up: Vec3, count: usize, (width, height): (u32, u32), seed: u64) -> Vec<Camera> {
    let centre = median_point(points);
    let distances: Vec<f32> = points.iter().map(|p| p.distance(centre)).collect();
    let radius = percentile(&distances, 0.9).max(1e-3);
    let fov_y = 2.0 * ((0.5 * FOV_X_DEG).to_radians().tan() * height as f32 / width.max(1) as f32).atan();
    let distance = radius / (0.4 * fov_y).sin();
    let east = up.any_orthonormal_vector();
    let north = up.cross(east);
    let mut rng = Rng::new(seed ^ 0x0B1E_C7ED);
    let rings = RING_ELEVATIONS_DEG.len();
    let per_ring = count.div_ceil(rings);
    (0..count)
        .map(|i| {
            let (ring, k) = (i % rings, i / rings);
            let heading =
                rng.range(-0.3, 0.3) + (k as f32 + 0.5 * ring as f32) * std::f32::consts::TAU / per_ring as f32;
            let elevation = RING_ELEVATIONS_DEG[ring].to_radians();
            let towards_eye = (east * heading.cos() + north * heading.sin()) * elevation.cos() + up * elevation.sin();
            let mut cam = Camera::look_at(centre + towards_eye * distance, centre, up, FOV_X_DEG, width, height);
            cam.id = i as i64;
            cam.img_name = format!("around_{i:03}");
            cam
        })
        .collect()
}

/// Per-axis median: a centre floaters do not move.
fn median_point(points: &[Vec3]) -> Vec3 {
    let axis = |f: fn(&Vec3) -> f32| percentile(&points.iter().map(f).collect::<Vec<f32>>(), 0.5);
    Vec3::new(axis(|p| p.x), axis(|p| p.y), axis(|p| p.z))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scene whose Gaussians sit at `points` (default shape and colour).
    fn scene_at(points: &[Vec3]) -> Scene {
        let mut scene = Scene::with_capacity(points.len(), 0);
        for p in points {
            scene.positions.push(p.to_array());
            scene.log_scales.push([-3.0; 3]);
            scene.rotations.push([1.0, 0.0, 0.0, 0.0]);
            scene.opacity_logits.push(2.0);
            scene.sh.extend([0.5; 3]);
        }
        scene
    }

    /// The surface of a `w`×`d`×`h` box (z up) sampled every `step`; without its top face
    /// unless `closed`.
    fn box_surface(w: f32, d: f32, h: f32, step: f32, closed: bool) -> Vec<Vec3> {
        let mut pts = Vec::new();
        let n = |len: f32| (len / step) as usize + 1;
        for i in 0..n(w) {
            for j in 0..n(d) {
                let (x, y) = (i as f32 * step, j as f32 * step);
                pts.push(Vec3::new(x, y, 0.0));
                if closed {
                    pts.push(Vec3::new(x, y, h));
                }
            }
            for k in 0..n(h) {
                let (x, z) = (i as f32 * step, k as f32 * step);
                pts.extend([Vec3::new(x, 0.0, z), Vec3::new(x, d, z)]);
            }
        }
        for j in 0..n(d) {
            for k in 0..n(h) {
                let (y, z) = (j as f32 * step, k as f32 * step);
                pts.extend([Vec3::new(0.0, y, z), Vec3::new(w, y, z)]);
            }
        }
        pts
    }

    fn inside(p: Vec3, lo: Vec3, hi: Vec3) -> bool {
        p.cmpgt(lo).all() && p.cmplt(hi).all()
    }

    #[test]
    fn a_room_gets_views_inside_it_at_eye_height() {
        // A closed room with a cabinet against a wall (so the floor is the denser end).
        let mut pts = box_surface(6.0, 4.0, 2.6, 0.05, true);
        pts.extend(box_surface(1.0, 0.5, 0.9, 0.05, true).into_iter().map(|p| p + Vec3::new(0.2, 0.1, 0.0)));
        let room = scene_at(&pts);
        let (views, how) = generated_views(&room, 1.0, 12, (320, 240), 3);
        assert_eq!(how, GeneratedViews::InsideRoom);
        assert_eq!(views.len(), 12);
        for v in &views {
            let c = v.centre();
            assert!(
                inside(c, Vec3::new(0.0, 0.0, 0.6), Vec3::new(6.0, 4.0, 2.3)),
                "eye {c} outside the room or not near eye height"
            );
        }
    }

    #[test]
    fn an_object_gets_views_around_it_that_look_at_it_from_above() {
        // An open crate standing on nothing, its bottom at z = 2, with a floater far away.
        let mut pts: Vec<Vec3> =
            box_surface(1.2, 1.0, 0.5, 0.03, false).into_iter().map(|p| p + Vec3::new(5.0, -3.0, 2.0)).collect();
        pts.push(Vec3::new(80.0, 80.0, 80.0));
        let object = scene_at(&pts);
        let (views, how) = generated_views(&object, 1.0, 12, (320, 240), 5);
        assert_eq!(how, GeneratedViews::AroundObject);
        assert_eq!(views.len(), 12);
        let centre = Vec3::new(5.6, -2.5, 2.25);
        for v in &views {
            let eye = v.centre();
            assert!(eye.z > centre.z, "eye {eye} below the object's centre");
            let dist = eye.distance(centre);
            assert!((1.0..5.0).contains(&dist), "eye {eye} at {dist} from the object");
            // The object's centre projects near the image centre.
            let c = v.world_to_cam() * (centre - eye);
            assert!(c.z > 0.0, "the object is behind view {}", v.img_name);
            let (x, y) = (v.fx as f32 * c.x / c.z, v.fy as f32 * c.y / c.z);
            assert!(x.abs() < 40.0 && y.abs() < 40.0, "object centre at ({x}, {y}) px from the image centre");
        }
        // Headings go all the way round.
        let mut headings: Vec<f32> =
            views.iter().map(|v| (v.centre() - centre).y.atan2((v.centre() - centre).x)).collect();
        headings.sort_by(f32::total_cmp);
        let widest_gap =
            headings.windows(2).map(|w| w[1] - w[0]).fold(std::f32::consts::TAU + headings[0] - headings[11], f32::max);
        assert!(widest_gap < 1.6, "headings leave a gap of {widest_gap} rad");
    }

    #[test]
    fn views_are_deterministic_in_the_seed() {
        let object = scene_at(&box_surface(1.2, 1.0, 0.5, 0.05, false));
        let a = generated_views(&object, 1.0, 6, (160, 120), 9).0;
        let b = generated_views(&object, 1.0, 6, (160, 120), 9).0;
        let c = generated_views(&object, 1.0, 6, (160, 120), 10).0;
        assert_eq!(a.iter().map(Camera::centre).collect::<Vec<_>>(), b.iter().map(Camera::centre).collect::<Vec<_>>());
        assert_ne!(a.iter().map(Camera::centre).collect::<Vec<_>>(), c.iter().map(Camera::centre).collect::<Vec<_>>());
    }

    #[test]
    fn too_few_centres_give_no_views() {
        let one = scene_at(&[Vec3::ONE]);
        assert!(generated_views(&one, 1.0, 8, (160, 120), 0).0.is_empty());
    }
}

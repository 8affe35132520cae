//! Camera choice for dataset export: the scene's cameras, evenly spread, and random extra
//! views near them, so the fusion network sees viewpoints the capture did not.

use glam::Vec3;

use crate::scene::Camera;
use crate::scene::camera::up_from_cameras;
use crate::util::rng::Rng;

/// Where a view came from, for the manifest.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewSource {
    /// The scene's camera with this index.
    SceneCamera(usize),
    /// A random view near the scene camera with this index.
    Extra {
        /// Index of the scene camera it was drawn near.
        near: usize,
    },
}

/// Up to `count` of the scene's cameras, evenly spaced, resized to `width`×`height`.
pub fn scene_views(cameras: &[Camera], count: usize, width: u32, height: u32) -> Vec<(ViewSource, Camera)> {
    let n = cameras.len();
    let take = count.min(n);
    (0..take).map(|k| k * n / take).map(|i| (ViewSource::SceneCamera(i), cameras[i].resized(width, height))).collect()
}

/// `count` random views: the eye jittered around a random scene camera (σ = 5 % of the
/// cameras' spread), a random heading about the cameras' up axis, pitch in [−25°, 15°], the
/// field of view of that camera. Deterministic in `seed`.
pub fn extra_views(cameras: &[Camera], count: usize, width: u32, height: u32, seed: u64) -> Vec<(ViewSource, Camera)> {
    if cameras.is_empty() || count == 0 {
        return Vec::new();
    }
    let up = up_from_cameras(cameras).unwrap_or_else(|| -cameras[0].cam_to_world().y_axis);
    let centres: Vec<Vec3> = cameras.iter().map(|c| c.centre()).collect();
    let (lo, hi) =
        centres.iter().fold((Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)), |(lo, hi), c| (lo.min(*c), hi.max(*c)));
    let sigma = 0.05 * (hi - lo).length().max(1e-3);
    let side = up.any_orthonormal_vector();
    let side2 = up.cross(side);
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let near = rng.below(cameras.len());
            let base = &cameras[near];
            let eye = base.centre() + Vec3::new(rng.normal(), rng.normal(), rng.normal()) * sigma;
            let yaw = rng.range(0.0, std::f32::consts::TAU);
            let pitch = rng.range(-25.0, 15.0).to_radians();
            let horizontal = side * yaw.cos() + side2 * yaw.sin();
            let dir = horizontal * pitch.cos() + up * pitch.sin();
            let fov_x = 2.0 * (0.5 * base.width as f64 / base.fx).atan().to_degrees() as f32;
            (ViewSource::Extra { near }, Camera::look_at(eye, eye + dir, up, fov_x, width, height))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_of_cameras() -> Vec<Camera> {
        (0..8)
            .map(|i| {
                let a = i as f32 * 0.785;
                let eye = Vec3::new(2.0 * a.cos(), 1.5, 2.0 * a.sin());
                Camera::look_at(eye, Vec3::new(0.0, 1.0, 0.0), Vec3::Y, 70.0, 640, 480)
            })
            .collect()
    }

    #[test]
    fn scene_views_are_spread_and_resized() {
        let cams = ring_of_cameras();
        let v = scene_views(&cams, 3, 320, 240);
        let idx: Vec<_> = v.iter().map(|(s, _)| s.clone()).collect();
        assert_eq!(idx, vec![ViewSource::SceneCamera(0), ViewSource::SceneCamera(2), ViewSource::SceneCamera(5)]);
        assert!(v.iter().all(|(_, c)| c.width == 320 && c.height == 240));
        assert_eq!(scene_views(&cams, 50, 320, 240).len(), 8);
    }

    #[test]
    fn extra_views_are_valid_upright_near_the_cameras_and_deterministic() {
        let cams = ring_of_cameras();
        let a = extra_views(&cams, 20, 320, 240, 9);
        assert_eq!(a, extra_views(&cams, 20, 320, 240, 9));
        assert_ne!(a, extra_views(&cams, 20, 320, 240, 10));
        for (src, c) in &a {
            c.validate().expect("a valid camera");
            let ViewSource::Extra { near } = src else { panic!("extra views are marked extra") };
            assert!((c.centre() - cams[*near].centre()).length() < 1.5, "stays near its camera");
            let image_up = -c.cam_to_world().y_axis;
            assert!(image_up.dot(Vec3::Y) > 0.8, "no rolled or upside-down views");
        }
    }
}

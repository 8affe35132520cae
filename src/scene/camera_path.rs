//! Camera paths for videos: a scene's own cameras in order, an orbit about the scene's up
//! axis, or keyframes from a file; sampled into evenly paced frames with smooth motion.
//!
//! Between keyframes, positions follow a Catmull-Rom spline and rotations the same spline on
//! quaternion components (signs aligned, renormalised), so velocity is continuous through
//! every keyframe instead of stopping at each as piecewise slerp would. Time per segment is
//! proportional to how far it moves (distance over the scene's radius, or angle over 90°,
//! whichever is larger), so unevenly spaced cameras still give an even pace.

use std::path::Path;

use glam::{Mat3, Quat, Vec3};
use serde::{Deserialize, Serialize};

use super::camera::{Camera, level_up_from_cameras, rotation_rows};

/// Where a scene is: for orbits and for pacing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneExtent {
    /// Robust centre of the Gaussians (per-axis median), world units.
    pub centre: Vec3,
    /// Robust radius about `centre` (world units, at least 1e-3); paces paths and sizes orbits.
    pub radius: f32,
}

impl SceneExtent {
    /// [`SceneExtent::of_points`] of the centres, the radius at least three typical sigmas (a
    /// handful of Gaussians at one point, a test asset or a single object, is as large as
    /// the Gaussians themselves, not a point).
    pub fn of_scene(scene: &super::Scene) -> Self {
        let mut e = Self::of_points(&scene.positions);
        let step = (scene.len() / 10_000).max(1);
        let mut sigmas: Vec<f32> = scene
            .log_scales
            .iter()
            .step_by(step)
            .map(|s| s[0].max(s[1]).max(s[2]).exp())
            .filter(|v| v.is_finite())
            .collect();
        if !sigmas.is_empty() {
            let mid = sigmas.len() / 2;
            let typical = *sigmas.select_nth_unstable_by(mid, f32::total_cmp).1;
            e.radius = e.radius.max(3.0 * typical);
        }
        e
    }

    /// Per-axis median centre and a robust radius (90th percentile distance) of the
    /// Gaussians' centres, so a few far-away floaters do not make the scene look huge.
    pub fn of_points(points: &[[f32; 3]]) -> Self {
        if points.is_empty() {
            return Self { centre: Vec3::ZERO, radius: 1.0 };
        }
        let step = (points.len() / 100_000).max(1);
        let sample: Vec<Vec3> = points.iter().step_by(step).map(|p| Vec3::from_array(*p)).collect();
        let quantile = |mut v: Vec<f32>, q: f32| {
            let k = ((v.len() - 1) as f32 * q) as usize;
            *v.select_nth_unstable_by(k, f32::total_cmp).1
        };
        let median = |axis: usize| quantile(sample.iter().map(|p| p[axis]).collect(), 0.5);
        let centre = Vec3::new(median(0), median(1), median(2));
        let radius = quantile(sample.iter().map(|p| (*p - centre).length()).collect(), 0.9);
        Self { centre, radius: radius.max(1e-3) }
    }
}

/// One pose of a path: camera centre, camera-to-world rotation (x right, y down, z forward)
/// and horizontal field of view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    /// Camera centre in world space.
    pub position: Vec3,
    /// Camera-to-world rotation (unit quaternion).
    pub rotation: Quat,
    /// Horizontal field of view in degrees.
    pub fov_x_deg: f32,
}

impl Pose {
    /// The pose of an existing camera (its field of view from `fx` and width).
    pub fn of_camera(cam: &Camera) -> Self {
        Self {
            position: cam.centre(),
            rotation: Quat::from_mat3(&cam.cam_to_world()).normalize(),
            fov_x_deg: (2.0 * (0.5 * cam.width as f64 / cam.fx).atan()).to_degrees() as f32,
        }
    }

    /// Looking from `eye` at `target`, `up` the image's upward direction (as [`Camera::look_at`]).
    pub fn look_at(eye: Vec3, target: Vec3, up: Vec3, fov_x_deg: f32) -> Self {
        Self::of_camera(&Camera::look_at(eye, target, up, fov_x_deg, 64, 64))
    }

    /// The camera of this pose at `width` x `height`, square pixels.
    pub fn camera(&self, id: i64, width: u32, height: u32) -> Camera {
        let fx = 0.5 * f64::from(width) / (0.5 * f64::from(self.fov_x_deg).to_radians()).tan();
        Camera {
            id,
            img_name: format!("frame_{id:05}"),
            width,
            height,
            position: self.position.as_dvec3().to_array(),
            rotation: rotation_rows(Mat3::from_quat(self.rotation.normalize())),
            fx,
            fy: fx,
        }
    }
}

/// Why a path cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("{0}: {1}")]
    /// Reading the file (named) failed.
    Io(std::path::PathBuf, std::io::Error),
    #[error(
        "{0}: not a keyframe file ({1}); expected {{\"keyframes\": [{{\"eye\": [x,y,z], \"target\": [x,y,z]}}, ...]}} or a cameras.json list"
    )]
    /// The file (named) is neither a keyframe file nor a cameras.json list; the text is the JSON error.
    Parse(std::path::PathBuf, String),
    #[error("{0}: keyframe {1} is unusable ({2})")]
    /// Keyframe number `.1` of the file (named) is degenerate or out of range; `.2` says how.
    BadKeyframe(std::path::PathBuf, usize, String),
    #[error("a camera path needs at least one keyframe; {0}")]
    /// No keyframes to follow; the text says where none were found.
    Empty(String),
}

/// Orbit about the scene's up axis through `centre`, starting behind `start` when given.
/// The orbit stays where the scene's cameras are (their median distance from the centre and
/// height along up: inside a room, a room's cameras are), or, without cameras, circles at
/// twice the scene's radius looking 20° down, as one looks at an object.
pub fn orbit(extent: SceneExtent, cameras: &[Camera], frames: usize, fov_x_deg: f32) -> Vec<Pose> {
    let up = level_up_from_cameras(cameras).unwrap_or(Vec3::NEG_Y);
    let centre = extent.centre;
    let (distance, height, heading0) = if cameras.is_empty() {
        let d = 2.0 * extent.radius;
        (d * 20f32.to_radians().cos(), d * 20f32.to_radians().sin(), up.any_orthonormal_vector())
    } else {
        let median = |mut v: Vec<f32>| {
            let mid = v.len() / 2;
            *v.select_nth_unstable_by(mid, f32::total_cmp).1
        };
        let offsets: Vec<Vec3> = cameras.iter().map(|c| c.centre() - centre).collect();
        let horizontal = |o: Vec3| o - up * o.dot(up);
        let d = median(offsets.iter().map(|&o| horizontal(o).length()).collect()).max(0.05 * extent.radius);
        let h = median(offsets.iter().map(|&o| o.dot(up)).collect());
        let first = horizontal(offsets[0]).try_normalize().unwrap_or_else(|| up.any_orthonormal_vector());
        (d, h, first)
    };
    let heading90 = up.cross(heading0);
    (0..frames)
        .map(|k| {
            let a = std::f32::consts::TAU * k as f32 / frames as f32;
            let eye = centre + (heading0 * a.cos() + heading90 * a.sin()) * distance + up * height;
            Pose::look_at(eye, centre, up, fov_x_deg)
        })
        .collect()
}

/// `frames` poses along the keyframes, evenly paced, first and last keyframe included.
pub fn through(keyframes: &[Pose], frames: usize, extent: SceneExtent) -> Vec<Pose> {
    match keyframes.len() {
        0 => return Vec::new(),
        1 => return vec![keyframes[0]; frames],
        _ => {}
    }
    // Quaternion signs aligned along the path, so the spline takes the short way round.
    let mut keys = keyframes.to_vec();
    for i in 1..keys.len() {
        if keys[i].rotation.dot(keys[i - 1].rotation) < 0.0 {
            keys[i].rotation = -keys[i].rotation;
        }
    }
    let cost: Vec<f32> = keys
        .windows(2)
        .map(|w| {
            let moved = w[0].position.distance(w[1].position) / extent.radius.max(1e-6);
            let turned = w[0].rotation.angle_between(w[1].rotation) / std::f32::consts::FRAC_PI_2;
            moved.max(turned).max(1e-3)
        })
        .collect();
    let total: f32 = cost.iter().sum();
    (0..frames)
        .map(|k| {
            let mut t = if frames > 1 { total * k as f32 / (frames - 1) as f32 } else { 0.0 };
            let mut seg = 0;
            while seg + 1 < cost.len() && t > cost[seg] {
                t -= cost[seg];
                seg += 1;
            }
            let u = (t / cost[seg]).clamp(0.0, 1.0);
            let at = |i: isize| keys[i.clamp(0, keys.len() as isize - 1) as usize];
            let (p0, p1, p2, p3) = (at(seg as isize - 1), at(seg as isize), at(seg as isize + 1), at(seg as isize + 2));
            let position = catmull_rom(p0.position, p1.position, p2.position, p3.position, u);
            let q = |p: Pose| glam::Vec4::from(p.rotation);
            let r = catmull_rom4(q(p0), q(p1), q(p2), q(p3), u);
            let rotation = r.try_normalize().map_or(p1.rotation, Quat::from_vec4);
            let fov_x_deg = p1.fov_x_deg + (p2.fov_x_deg - p1.fov_x_deg) * u;
            Pose { position, rotation, fov_x_deg }
        })
        .collect()
}

fn catmull_rom(p0: Vec3, p1: Vec3, p2: Vec3, p3: Vec3, u: f32) -> Vec3 {
    let (u2, u3) = (u * u, u * u * u);
    0.5 * ((2.0 * p1)
        + (p2 - p0) * u
        + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * u2
        + (3.0 * p1 - p0 - 3.0 * p2 + p3) * u3)
}

fn catmull_rom4(p0: glam::Vec4, p1: glam::Vec4, p2: glam::Vec4, p3: glam::Vec4, u: f32) -> glam::Vec4 {
    let (u2, u3) = (u * u, u * u * u);
    0.5 * ((2.0 * p1)
        + (p2 - p0) * u
        + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * u2
        + (3.0 * p1 - p0 - 3.0 * p2 + p3) * u3)
}

/// A keyframe file: `{"keyframes": [...]}` with each keyframe either `eye` + `target`
/// (+ optional `up`, default the scene's) or `position` + `rotation` (camera-to-world rows,
/// as cameras.json), each with an optional `fov_x_deg`; or a plain cameras.json list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyframeFile {
    /// The keyframes in path order; must not be empty.
    pub keyframes: Vec<Keyframe>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
/// One keyframe of a [`KeyframeFile`]; the JSON form is told apart by its fields.
pub enum Keyframe {
    /// A camera at `eye` looking at `target`.
    LookAt {
        /// Camera centre, world space.
        eye: [f32; 3],
        /// Point the camera looks at, world space; must differ from `eye`.
        target: [f32; 3],
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// The image's upward direction; `None` takes the scene's up.
        up: Option<[f32; 3]>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// Horizontal field of view in degrees; `None` takes the path's default.
        fov_x_deg: Option<f32>,
    },
    /// A camera centre and a camera-to-world rotation, as in cameras.json.
    Pose {
        /// Camera centre, world space.
        position: [f64; 3],
        /// Camera-to-world rotation, rows as nested lists (x right, y down, z forward).
        rotation: [[f64; 3]; 3],
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// Horizontal field of view in degrees; `None` takes the path's default.
        fov_x_deg: Option<f32>,
    },
}

impl KeyframeFile {
    /// The file's keyframes as poses; `up` and `fov_x_deg` fill what a keyframe leaves out.
    pub fn read(path: &Path, up: Vec3, fov_x_deg: f32) -> Result<Vec<Pose>, PathError> {
        let bytes = std::fs::read(path).map_err(|e| PathError::Io(path.to_path_buf(), e))?;
        let file: Self = match serde_json::from_slice::<Self>(&bytes) {
            Ok(f) => f,
            Err(first) => match serde_json::from_slice::<Vec<Camera>>(&bytes) {
                Ok(cams) => return poses_of_cameras(path, &cams),
                Err(_) => return Err(PathError::Parse(path.to_path_buf(), first.to_string())),
            },
        };
        if file.keyframes.is_empty() {
            return Err(PathError::Empty(format!("{} lists none", path.display())));
        }
        let bad = |i: usize, why: &str| PathError::BadKeyframe(path.to_path_buf(), i, why.to_string());
        file.keyframes
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let pose = match *k {
                    Keyframe::LookAt { eye, target, up: key_up, fov_x_deg: fov } => {
                        let (eye, target) = (Vec3::from_array(eye), Vec3::from_array(target));
                        if eye.distance(target) < 1e-9 {
                            return Err(bad(i, "eye and target are the same point"));
                        }
                        Pose::look_at(eye, target, key_up.map_or(up, Vec3::from_array), fov.unwrap_or(fov_x_deg))
                    }
                    Keyframe::Pose { position, rotation, fov_x_deg: fov } => {
                        let cam = Camera {
                            position,
                            rotation,
                            ..Pose::look_at(Vec3::ZERO, Vec3::Z, Vec3::NEG_Y, fov.unwrap_or(fov_x_deg))
                                .camera(i as i64, 64, 64)
                        };
                        cam.validate().map_err(|e| bad(i, &e.to_string()))?;
                        Pose::of_camera(&cam)
                    }
                };
                let ok =
                    pose.position.is_finite() && pose.rotation.is_finite() && (1.0..179.0).contains(&pose.fov_x_deg);
                if ok { Ok(pose) } else { Err(bad(i, "non-finite values or a field of view outside 1-179 degrees")) }
            })
            .collect()
    }

    /// A file holding `poses` (what the viewer records).
    pub fn of_poses(poses: &[Pose]) -> Self {
        let keyframes = poses
            .iter()
            .map(|p| {
                let cam = p.camera(0, 64, 64);
                Keyframe::Pose { position: cam.position, rotation: cam.rotation, fov_x_deg: Some(p.fov_x_deg) }
            })
            .collect();
        Self { keyframes }
    }
}

fn poses_of_cameras(path: &Path, cams: &[Camera]) -> Result<Vec<Pose>, PathError> {
    if cams.is_empty() {
        return Err(PathError::Empty(format!("{} lists no cameras", path.display())));
    }
    cams.iter()
        .enumerate()
        .map(|(i, c)| {
            c.validate().map_err(|e| PathError::BadKeyframe(path.to_path_buf(), i, e.to_string()))?;
            Ok(Pose::of_camera(c))
        })
        .collect()
}

/// The scene's cameras as keyframes, in file order.
pub fn camera_keyframes(cameras: &[Camera]) -> Vec<Pose> {
    cameras.iter().map(Pose::of_camera).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extent() -> SceneExtent {
        SceneExtent { centre: Vec3::new(1.0, 2.0, 3.0), radius: 2.0 }
    }

    #[test]
    fn an_orbit_circles_the_centre_looking_at_it() {
        let poses = orbit(extent(), &[], 36, 60.0);
        assert_eq!(poses.len(), 36);
        let d0 = poses[0].position.distance(extent().centre);
        for p in &poses {
            assert!((p.position.distance(extent().centre) - d0).abs() < 1e-3);
            let cam = p.camera(0, 64, 48);
            cam.validate().expect("valid");
            let to_centre = (extent().centre - p.position).normalize();
            assert!(cam.forward().dot(to_centre) > 0.9999);
            // Image up is the scene's up (−y without cameras): the horizon stays level.
            assert!(cam.cam_to_world().x_axis.dot(Vec3::NEG_Y).abs() < 1e-4);
        }
        // Consecutive frames a tenth of a turn apart, all the way round.
        let step = poses[0].position.distance(poses[1].position);
        let closing = poses[35].position.distance(poses[0].position);
        assert!((step - closing).abs() < 1e-3, "{step} {closing}");
    }

    #[test]
    fn an_orbit_with_cameras_stays_where_they_are() {
        let up = Vec3::Z;
        let cams: Vec<Camera> = (0..4)
            .map(|k| {
                let a = k as f32;
                let eye = extent().centre + Vec3::new(a.cos(), a.sin(), 0.0) * 0.8 + up * 0.5;
                Camera::look_at(eye, extent().centre + Vec3::new(0.0, 0.0, 0.5), up, 60.0, 64, 48)
            })
            .collect();
        for p in orbit(extent(), &cams, 8, 60.0) {
            let o = p.position - extent().centre;
            assert!((o.dot(up) - 0.5).abs() < 1e-3 && (o.truncate().length() - 0.8).abs() < 1e-3, "{o}");
        }
    }

    #[test]
    fn a_path_passes_through_its_keyframes_evenly() {
        let up = Vec3::NEG_Y;
        let keys = [
            Pose::look_at(Vec3::ZERO, Vec3::Z, up, 60.0),
            Pose::look_at(Vec3::new(1.0, 0.0, 0.0), Vec3::new(1.0, 0.0, 1.0), up, 60.0),
            Pose::look_at(Vec3::new(3.0, 0.0, 0.0), Vec3::new(4.0, 0.0, 1.0), up, 80.0),
        ];
        let poses = through(&keys, 31, SceneExtent { centre: Vec3::ZERO, radius: 1.0 });
        assert_eq!(poses.len(), 31);
        assert!(poses[0].position.distance(keys[0].position) < 1e-5);
        assert!(poses[30].position.distance(keys[2].position) < 1e-5);
        assert!(poses[30].rotation.angle_between(keys[2].rotation) < 1e-3);
        assert!((poses[30].fov_x_deg - 80.0).abs() < 1e-4);
        // The second segment is twice as long, so it gets about twice the frames: the
        // middle keyframe is passed at frame ~10.
        let nearest = (0..31).min_by(|&a, &b| {
            poses[a].position.distance(keys[1].position).total_cmp(&poses[b].position.distance(keys[1].position))
        });
        assert_eq!(nearest, Some(10));
        // Smooth: no step is more than twice its neighbour's.
        let steps: Vec<f32> = poses.windows(2).map(|w| w[0].position.distance(w[1].position)).collect();
        for w in steps.windows(2).skip(1).take(27) {
            assert!(w[1] < 2.0 * w[0] + 1e-3 && w[0] < 2.0 * w[1] + 1e-3, "{steps:?}");
        }
    }

    #[test]
    fn keyframe_files_read_both_forms_and_name_bad_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("path.json");
        let written = KeyframeFile::of_poses(&[
            Pose::look_at(Vec3::ZERO, Vec3::X, Vec3::NEG_Y, 50.0),
            Pose::look_at(Vec3::ONE, Vec3::Z, Vec3::NEG_Y, 70.0),
        ]);
        std::fs::write(&file, serde_json::to_vec(&written).expect("json")).expect("write");
        let poses = KeyframeFile::read(&file, Vec3::NEG_Y, 60.0).expect("read");
        assert_eq!(poses.len(), 2);
        assert!((poses[1].fov_x_deg - 70.0).abs() < 1e-3 && poses[1].position.distance(Vec3::ONE) < 1e-6);
        std::fs::write(&file, br#"{"keyframes":[{"eye":[0,0,0],"target":[0,0,5]}]}"#).expect("write");
        let poses = KeyframeFile::read(&file, Vec3::NEG_Y, 60.0).expect("look-at");
        assert!((poses[0].camera(0, 8, 8).forward() - Vec3::Z).length() < 1e-5);
        for (text, want) in [
            (&br#"{"keyframes":[]}"#[..], "at least one keyframe"),
            (br#"{"keyframes":[{"eye":[0,0,0],"target":[0,0,0]}]}"#, "keyframe 0 is unusable (eye and target"),
            (br#"{"keyframes":[{"eye":[0,0,0],"target":[0,0,1],"fov_x_deg":0}]}"#, "field of view"),
            (br#"{"frames":3}"#, "not a keyframe file"),
        ] {
            std::fs::write(&file, text).expect("write");
            let err = KeyframeFile::read(&file, Vec3::NEG_Y, 60.0).expect_err(want).to_string();
            assert!(err.contains(want), "{err}");
        }
    }
}

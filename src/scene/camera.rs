//! Pinhole cameras in the reference trainer's `cameras.json` convention: camera centre in
//! world space, camera-to-world rotation given as rows, camera axes x right, y down,
//! z forward; principal point at the image centre.

use glam::{Mat3, Vec3};
use serde::{Deserialize, Serialize};

/// Why a camera cannot be rendered from ([`Camera::validate`]); the camera's id is named.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CameraError {
    /// Position, rotation or a focal length is NaN or infinite.
    #[error("camera {id} has non-finite values")]
    NonFinite {
        /// The camera's id.
        id: i64,
    },
    /// Width or height is zero, or a focal length is not positive.
    #[error("camera {id} has an empty image or non-positive focal length ({width}x{height}, fx {fx}, fy {fy})")]
    EmptyImage {
        /// The camera's id.
        id: i64,
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
        /// Horizontal focal length in pixels.
        fx: f64,
        /// Vertical focal length in pixels.
        fy: f64,
    },
    /// The rotation's rows are not orthonormal (tolerance 1e-3).
    #[error("camera {id} rotation is not orthonormal (error {error:.2e})")]
    NotOrthonormal {
        /// The camera's id.
        id: i64,
        /// The largest entry of R·Rᵀ − I.
        error: f32,
    },
    /// The rotation has determinant −1: a mirror, not a rotation.
    #[error("camera {id} rotation is a reflection (determinant -1), not a rotation")]
    Reflection {
        /// The camera's id.
        id: i64,
    },
}

/// One view, as one entry of the trainer's `cameras.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    /// Identifier from `cameras.json`; errors name the camera by it.
    pub id: i64,
    /// Name of the photo this camera took (without folder); empty for generated cameras.
    pub img_name: String,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Camera centre in world coordinates.
    pub position: [f64; 3],
    /// Camera-to-world rotation, rows as nested lists.
    pub rotation: [[f64; 3]; 3],
    /// Horizontal focal length in pixels.
    pub fx: f64,
    /// Vertical focal length in pixels.
    pub fy: f64,
}

impl Camera {
    /// A camera at `eye` looking at `target`, with `up` giving the image's upward direction
    /// and `fov_x_deg` the horizontal field of view.
    pub fn look_at(eye: Vec3, target: Vec3, up: Vec3, fov_x_deg: f32, width: u32, height: u32) -> Self {
        let forward = (target - eye).try_normalize().unwrap_or(Vec3::Z);
        // Right-handed camera frame with y down: right = down × forward = forward × up.
        let mut right = forward.cross(up);
        if right.length_squared() < 1e-12 {
            right = forward.any_orthonormal_vector();
        }
        let right = right.normalize();
        let down = forward.cross(right);
        let fx = 0.5 * width as f64 / (0.5 * fov_x_deg.to_radians() as f64).tan();
        let c2w = Mat3::from_cols(right, down, forward);
        Self {
            id: 0,
            img_name: String::new(),
            width,
            height,
            position: eye.as_dvec3().to_array(),
            rotation: rows_of(c2w),
            fx,
            fy: fx,
        }
    }

    /// Camera-to-world rotation; columns are the camera's right, down and forward axes.
    pub fn cam_to_world(&self) -> Mat3 {
        let r = self.rotation;
        Mat3::from_cols_array_2d(&[
            [r[0][0] as f32, r[1][0] as f32, r[2][0] as f32],
            [r[0][1] as f32, r[1][1] as f32, r[2][1] as f32],
            [r[0][2] as f32, r[1][2] as f32, r[2][2] as f32],
        ])
    }

    /// World-to-camera rotation.
    pub fn world_to_cam(&self) -> Mat3 {
        self.cam_to_world().transpose()
    }

    /// Camera centre in world space, as `f32`.
    pub fn centre(&self) -> Vec3 {
        Vec3::new(self.position[0] as f32, self.position[1] as f32, self.position[2] as f32)
    }

    /// The forward (viewing) direction in world space.
    pub fn forward(&self) -> Vec3 {
        self.cam_to_world().z_axis
    }

    /// The same view at another resolution: focal lengths scale with the image so the field
    /// of view is unchanged.
    pub fn resized(&self, width: u32, height: u32) -> Self {
        let mut c = self.clone();
        c.fx = self.fx * width as f64 / self.width as f64;
        c.fy = self.fy * height as f64 / self.height as f64;
        c.width = width;
        c.height = height;
        c
    }

    /// tan of half the horizontal and vertical fields of view.
    pub fn tan_half_fov(&self) -> (f32, f32) {
        ((0.5 * self.width as f64 / self.fx) as f32, (0.5 * self.height as f64 / self.fy) as f32)
    }

    /// Checks the numbers a renderer divides by or multiplies with.
    pub fn validate(&self) -> Result<(), CameraError> {
        let id = self.id;
        let finite = self.position.iter().chain(self.rotation.iter().flatten()).all(|v| v.is_finite());
        if !finite || !self.fx.is_finite() || !self.fy.is_finite() {
            return Err(CameraError::NonFinite { id });
        }
        if self.width == 0 || self.height == 0 || self.fx <= 0.0 || self.fy <= 0.0 {
            let (width, height, fx, fy) = (self.width, self.height, self.fx, self.fy);
            return Err(CameraError::EmptyImage { id, width, height, fx, fy });
        }
        let r = self.cam_to_world();
        let error = (r * r.transpose() - Mat3::IDENTITY).to_cols_array().iter().fold(0.0f32, |m, v| m.max(v.abs()));
        if error > 1e-3 {
            return Err(CameraError::NotOrthonormal { id, error });
        }
        if r.determinant() < 0.0 {
            return Err(CameraError::Reflection { id });
        }
        Ok(())
    }
}

fn rows_of(m: Mat3) -> [[f64; 3]; 3] {
    let rows = m.transpose().to_cols_array_2d();
    rows.map(|r| r.map(|v| v as f64))
}

/// Rotation from rows as nested arrays (for code building cameras from matrices).
pub fn rotation_rows(m: Mat3) -> [[f64; 3]; 3] {
    rows_of(m)
}

/// The scene's "up" as the cameras see it: the mean of their image-up directions (camera −y
/// in world space), or `None` without cameras or when they disagree completely. Scenes come
/// in any orientation, so this is the only trustworthy source of up.
pub fn up_from_cameras(cameras: &[Camera]) -> Option<Vec3> {
    let sum: Vec3 = cameras.iter().map(|c| -c.cam_to_world().y_axis).sum();
    sum.try_normalize()
}

/// The scene's up from cameras held level: every camera's right axis is horizontal whatever
/// its pitch, so up is the direction the right axes leave out (the least-variance axis of
/// their spread), signed by the mean image up. Needs cameras facing several ways (more than
/// 20° of yaw apart); else, and where the cameras are not level, [`up_from_cameras`]'s mean.
/// Unlike that mean, it does not tilt toward the floor when every camera looks down.
pub fn level_up_from_cameras(cameras: &[Camera]) -> Option<Vec3> {
    let mean_up = up_from_cameras(cameras)?;
    let rights: Vec<Vec3> = cameras.iter().map(|c| c.cam_to_world().x_axis.normalize_or_zero()).collect();
    let spread = rights.iter().any(|r| r.dot(rights[0]).abs() < 20f32.to_radians().cos());
    if !spread {
        return Some(mean_up);
    }
    let m = crate::util::eigen::scatter_about(rights.iter().copied(), Vec3::ZERO);
    let n = crate::util::eigen::smallest_eigenvector(m).try_normalize()?;
    let n = if n.dot(mean_up) < 0.0 { -n } else { n };
    // Right axes that are not horizontal (a tilted rig) leave no clean null direction.
    let level = (m * n).dot(n) < 0.05 * (m.x_axis.x + m.y_axis.y + m.z_axis.z);
    Some(if level && n.dot(mean_up) > 0.5 { n } else { mean_up })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typed, so renderers wrap it with `#[from]`; the messages are what they were as strings.
    #[test]
    fn validate_names_the_camera_and_what_is_wrong() {
        let good = Camera { id: 3, ..Camera::look_at(Vec3::ZERO, Vec3::Z, -Vec3::Y, 60.0, 64, 48) };
        assert_eq!(good.validate(), Ok(()));
        let mut c = good.clone();
        c.position[1] = f64::NAN;
        assert_eq!(c.validate(), Err(CameraError::NonFinite { id: 3 }));
        assert_eq!(c.validate().expect_err("NaN").to_string(), "camera 3 has non-finite values");
        let c = Camera { width: 0, ..good.clone() };
        let msg = c.validate().expect_err("empty").to_string();
        assert!(msg.starts_with("camera 3 has an empty image or non-positive focal length (0x48, fx "), "{msg}");
        let mut c = good.clone();
        c.rotation[0] = [2.0, 0.0, 0.0];
        assert!(matches!(c.validate(), Err(CameraError::NotOrthonormal { id: 3, error }) if error > 1.0));
        let mut c = good;
        c.rotation[0] = c.rotation[0].map(|v| -v);
        let msg = c.validate().expect_err("mirror").to_string();
        assert_eq!(msg, "camera 3 rotation is a reflection (determinant -1), not a rotation");
    }

    #[test]
    fn level_up_ignores_the_cameras_pitch() {
        let tilt = glam::Quat::from_axis_angle(Vec3::new(0.3, 1.0, 0.2).normalize(), 0.8);
        let up = tilt * Vec3::Z;
        let cams: Vec<Camera> = (0..6)
            .map(|k| {
                let yaw = k as f32 * 0.4;
                // Every camera looks 30° down, all within 120° of yaw of each other.
                let dir = tilt * Vec3::new(yaw.cos() * 0.866, yaw.sin() * 0.866, -0.5);
                Camera::look_at(Vec3::ZERO, dir, up, 60.0, 64, 48)
            })
            .collect();
        assert!(up_from_cameras(&cams).expect("mean").dot(up) < 0.97, "the mean tilts");
        assert!(level_up_from_cameras(&cams).expect("level").dot(up) > 0.9999);
        // One camera: the mean is all there is.
        assert_eq!(level_up_from_cameras(&cams[..1]), up_from_cameras(&cams[..1]));
    }

    #[test]
    fn look_at_points_forward_with_down_y() {
        let c = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::Y, 90.0, 640, 480);
        let r = c.cam_to_world();
        assert!((r.z_axis - Vec3::Z).length() < 1e-6);
        // World up (+y) must appear as image up, i.e. camera -y.
        assert!((r.y_axis - -Vec3::Y).length() < 1e-6);
        assert!((c.fx - 320.0).abs() < 1e-3, "fx {}", c.fx);
        c.validate().expect("look_at gives a valid camera");
    }

    #[test]
    fn resized_keeps_field_of_view() {
        let c = Camera::look_at(Vec3::ZERO, Vec3::X, Vec3::Z, 60.0, 640, 480);
        let s = c.resized(320, 240);
        assert_eq!(c.tan_half_fov(), s.tan_half_fov());
    }
}

//! The global similarity transform applied last (rotation, uniform scale, translation), so
//! no consumer can assume the room's up axis, size or position. Everything moves
//! consistently: centres, orientations, scales, cameras, and the view-dependent colour
//! (each SH band is rotated with the exact matrix for this rotation: [`rotate_sh`]).

use glam::{Mat3, Quat, Vec3};
use serde::{Deserialize, Serialize};

use crate::scene::sh_rotate::rotate_sh;
use crate::scene::{Camera, Scene};
use crate::util::rng::Rng;

/// How the room is turned in the world.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum GlobalRotation {
    /// Keep the room frame: z up.
    None,
    /// A uniformly random rotation drawn from the seed.
    Random,
    /// A rotation of `deg` degrees about `axis`.
    AxisAngle {
        /// Rotation axis (normalised on use).
        axis: [f32; 3],
        /// Angle in degrees.
        deg: f32,
    },
}

/// world = scale · rot · room + translation.
#[derive(Clone, Copy, Debug)]
pub struct Similarity {
    /// Rotation from the room frame.
    pub rot: Quat,
    /// Uniform scale factor.
    pub scale: f32,
    /// World offset.
    pub translation: Vec3,
}

impl Similarity {
    /// The similarity for these options; unset parts are drawn from `rng` (every part is drawn
    /// either way, so the stream does not depend on the options).
    pub fn new(rotation: GlobalRotation, translation: Option<[f32; 3]>, scale: Option<f32>, rng: &mut Rng) -> Self {
        // Draw every random part even when given, so the stream does not depend on options.
        let random_rot = rng.unit_quaternion();
        let random_t = Vec3::new(rng.range(-6.0, 6.0), rng.range(-6.0, 6.0), rng.range(-6.0, 6.0));
        let random_s = (rng.range(0.5f32.ln(), 2.0f32.ln())).exp();
        let rot = match rotation {
            GlobalRotation::None => Quat::IDENTITY,
            GlobalRotation::Random => {
                Quat::from_xyzw(random_rot[1], random_rot[2], random_rot[3], random_rot[0]).normalize()
            }
            GlobalRotation::AxisAngle { axis, deg } => {
                Quat::from_axis_angle(Vec3::from_array(axis).normalize_or(Vec3::Z), deg.to_radians())
            }
        };
        Self { rot, scale: scale.unwrap_or(random_s), translation: translation.map_or(random_t, Vec3::from_array) }
    }

    /// A room-frame point in the world.
    pub fn point(&self, p: Vec3) -> Vec3 {
        self.rot * p * self.scale + self.translation
    }

    /// Row-major 4×4 matrix: world = M · [room, 1].
    pub fn matrix(&self) -> [[f32; 4]; 4] {
        let m = Mat3::from_quat(self.rot) * self.scale;
        let t = self.translation;
        [
            [m.x_axis.x, m.y_axis.x, m.z_axis.x, t.x],
            [m.x_axis.y, m.y_axis.y, m.z_axis.y, t.y],
            [m.x_axis.z, m.y_axis.z, m.z_axis.z, t.z],
            [0.0, 0.0, 0.0, 1.0],
        ]
    }

    /// Transforms a scene in place: positions, log-scales, rotations and SH.
    pub fn apply_scene(&self, scene: &mut Scene) {
        let ls = self.scale.ln();
        for p in &mut scene.positions {
            *p = self.point(Vec3::from_array(*p)).to_array();
        }
        for s in &mut scene.log_scales {
            for v in s.iter_mut() {
                *v += ls;
            }
        }
        for q in &mut scene.rotations {
            let r = self.rot * Quat::from_xyzw(q[1], q[2], q[3], q[0]);
            *q = [r.w, r.x, r.y, r.z];
        }
        rotate_sh(scene, self.rot);
    }

    /// Transforms a camera in place (centre and rotation).
    pub fn apply_camera(&self, cam: &mut Camera) {
        let c = self.point(cam.centre());
        cam.position = c.as_dvec3().to_array();
        let r = Mat3::from_quat(self.rot) * cam.cam_to_world();
        cam.rotation = crate::scene::camera::rotation_rows(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_matches_point() {
        let mut rng = Rng::new(2);
        let t = Similarity::new(GlobalRotation::Random, None, None, &mut rng);
        let m = t.matrix();
        let p = Vec3::new(1.0, -2.0, 0.5);
        let w = t.point(p);
        for r in 0..3 {
            let v = m[r][0] * p.x + m[r][1] * p.y + m[r][2] * p.z + m[r][3];
            assert!((v - w[r]).abs() < 1e-4);
        }
    }
}

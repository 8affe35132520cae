//! The global similarity transform applied last (rotation, uniform scale, translation), so
//! no consumer can assume the room's up axis, size or position. Everything moves
//! consistently: centres, orientations, scales, cameras, and the view-dependent colour
//! (each SH band is rotated with the exact matrix for this rotation).

use glam::{DMat3, DVec3, Mat3, Quat, Vec3};
use serde::{Deserialize, Serialize};

use crate::scene::{Camera, Scene, sh};
use crate::util::rng::Rng;

/// How the room is turned in the world.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum GlobalRotation {
    /// Keep the room frame: z up.
    None,
    /// A uniformly random rotation drawn from the seed.
    Random,
    /// A rotation of `deg` degrees about `axis`.
    AxisAngle { axis: [f32; 3], deg: f32 },
}

/// world = scale · rot · room + translation.
#[derive(Clone, Copy, Debug)]
pub struct Similarity {
    pub rot: Quat,
    pub scale: f32,
    pub translation: Vec3,
}

impl Similarity {
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

    pub fn apply_camera(&self, cam: &mut Camera) {
        let c = self.point(cam.centre());
        cam.position = c.as_dvec3().to_array();
        let r = Mat3::from_quat(self.rot) * cam.cam_to_world();
        cam.rotation = crate::scene::camera::rotation_rows(r);
    }
}

/// Values of the SH basis functions (as `sh::eval` weighs coefficients) in direction `d`.
fn basis(d: DVec3) -> [f64; 16] {
    let dir = d.as_vec3().to_array();
    let mut unit = [0.0f32; 48];
    std::array::from_fn(|k| {
        unit.fill(0.0);
        unit[k * 3] = 1.0;
        sh::eval(3, &unit, dir)[0] as f64
    })
}

/// For each band l ≥ 1, the matrix D with Σ c'ₘ Yₘ(R e) = Σ cₘ Yₘ(e): found by least squares
/// over many directions, exact because the band's functions span a rotation-invariant space.
pub fn sh_rotation(rot: Quat, degree: u8) -> Vec<Vec<f64>> {
    let r = DMat3::from_quat(rot.as_dquat());
    let dirs: Vec<DVec3> = (0..64)
        .map(|i| {
            // Fibonacci sphere.
            let z = 1.0 - (2.0 * i as f64 + 1.0) / 64.0;
            let phi = i as f64 * std::f64::consts::PI * (3.0 - 5f64.sqrt());
            let rho = (1.0 - z * z).sqrt();
            DVec3::new(rho * phi.cos(), rho * phi.sin(), z)
        })
        .collect();
    let a: Vec<[f64; 16]> = dirs.iter().map(|&e| basis(e)).collect();
    let b: Vec<[f64; 16]> = dirs.iter().map(|&e| basis(r.transpose() * e)).collect();
    (1..=degree as usize)
        .map(|l| {
            let (k0, n) = (l * l, 2 * l + 1);
            // Normal equations: (AᵀA) D = AᵀB.
            let mut ata = vec![0.0; n * n];
            let mut atb = vec![0.0; n * n];
            for (ra, rb) in a.iter().zip(&b) {
                for i in 0..n {
                    for j in 0..n {
                        ata[i * n + j] += ra[k0 + i] * ra[k0 + j];
                        atb[i * n + j] += ra[k0 + i] * rb[k0 + j];
                    }
                }
            }
            solve(&mut ata, &mut atb, n);
            atb
        })
        .collect()
}

/// Solves A X = B in place (Gauss–Jordan with partial pivoting); X ends up in `b`.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) {
    for col in 0..n {
        let piv =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs())).expect("non-empty range");
        for k in 0..n {
            a.swap(col * n + k, piv * n + k);
            b.swap(col * n + k, piv * n + k);
        }
        let d = a[col * n + col];
        for k in 0..n {
            a[col * n + k] /= d;
            b[col * n + k] /= d;
        }
        for i in 0..n {
            if i != col {
                let f = a[i * n + col];
                if f != 0.0 {
                    for k in 0..n {
                        a[i * n + k] -= f * a[col * n + k];
                        b[i * n + k] -= f * b[col * n + k];
                    }
                }
            }
        }
    }
}

/// Rotates every Gaussian's view-dependent colour by `rot`.
pub fn rotate_sh(scene: &mut Scene, rot: Quat) {
    if scene.sh_degree == 0 {
        return;
    }
    let bands = sh_rotation(rot, scene.sh_degree);
    let coeffs = scene.sh_coeffs();
    for g in scene.sh.chunks_exact_mut(coeffs * 3) {
        for (l, d) in bands.iter().enumerate() {
            let l = l + 1;
            let (k0, n) = (l * l, 2 * l + 1);
            for ch in 0..3 {
                let mut old = [0.0f64; 7];
                for (m, o) in old.iter_mut().enumerate().take(n) {
                    *o = g[(k0 + m) * 3 + ch] as f64;
                }
                for i in 0..n {
                    let v: f64 = (0..n).map(|j| d[i * n + j] * old[j]).sum();
                    g[(k0 + i) * 3 + ch] = v as f32;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_sh_looks_the_same_from_the_rotated_direction() {
        let mut rng = Rng::new(9);
        for _ in 0..5 {
            let q = rng.unit_quaternion();
            let rot = Quat::from_xyzw(q[1], q[2], q[3], q[0]).normalize();
            let mut scene = Scene::with_capacity(1, 3);
            scene.positions.push([0.0; 3]);
            scene.sh = (0..48).map(|_| rng.normal() * 0.3).collect();
            let before = scene.sh.clone();
            rotate_sh(&mut scene, rot);
            for _ in 0..20 {
                let d = Vec3::new(rng.normal(), rng.normal(), rng.normal()).normalize();
                let a = sh::eval(3, &before, d.to_array());
                let b = sh::eval(3, &scene.sh, (rot * d).to_array());
                for c in 0..3 {
                    assert!((a[c] - b[c]).abs() < 1e-4, "{a:?} vs {b:?}");
                }
            }
        }
    }

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

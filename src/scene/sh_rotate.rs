//! Rotating a Gaussian's spherical harmonics with the Gaussian: when a scene is turned by R,
//! its colour seen along R·d must be what was seen along d before. Each band l ≥ 1 mixes
//! among its own 2l+1 coefficients by a matrix, found here numerically from the renderer's
//! own basis ([`super::sh::eval`]): evaluated at 64 directions before and after the turn and
//! solved in the least-squares sense, exact (up to rounding) because each band spans a
//! rotation-invariant space. Used by `synth`'s global transform and by the glTF reader and
//! writer (node transforms, the +Y-up frame).

use glam::{DMat3, DVec3, Quat};

use super::{Scene, sh};

/// For each band 1..=degree, the row-major (2l+1)² matrix taking that band's coefficients to
/// the rotated scene's.
pub struct ShRotation {
    bands: Vec<Vec<f64>>,
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

impl ShRotation {
    /// The matrices D with Σ c'ₘ Yₘ(R e) = Σ cₘ Yₘ(e) for bands 1..=`degree`.
    pub fn new(rot: Quat, degree: u8) -> Self {
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
        let bands = (1..=degree.min(3) as usize)
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
            .collect();
        Self { bands }
    }

    /// Rotates one Gaussian's coefficients (`g[coeff * 3 + channel]`), bands 1 up to those
    /// this rotation was made for.
    pub fn apply(&self, g: &mut [f32]) {
        for (l, d) in self.bands.iter().enumerate() {
            let l = l + 1;
            let (k0, n) = (l * l, 2 * l + 1);
            for ch in 0..3 {
                // No allocation: this runs for every Gaussian of a scene.
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

/// Rotates every Gaussian's view-dependent colour by `rot`.
pub fn rotate_sh(scene: &mut Scene, rot: Quat) {
    if scene.sh_degree == 0 {
        return;
    }
    let turn = ShRotation::new(rot, scene.sh_degree);
    let coeffs = scene.sh_coeffs();
    for g in scene.sh.chunks_exact_mut(coeffs * 3) {
        turn.apply(g);
    }
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

#[cfg(test)]
mod tests {
    use glam::Vec3;

    use super::*;
    use crate::util::rng::Rng;

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
            assert_eq!(&scene.sh[..3], &before[..3], "DC is unchanged");
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
}

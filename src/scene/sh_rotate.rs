//! Rotating a Gaussian's spherical harmonics with the Gaussian: when a scene is turned by R,
//! its colour seen along direction d must be what was seen along Rᵀd before. Each degree's
//! coefficients mix among themselves by a (2l+1)² matrix, found here numerically from the
//! renderer's own basis ([`super::sh::eval`]): evaluated at a fixed set of directions before and
//! after the turn, and solved in the least-squares sense (exact up to rounding, since the
//! rotated basis lies in the span of the basis).

use glam::{Mat3, Vec3};

use super::sh;

/// Per degree 1 to 3, the matrix taking that degree's coefficients to the rotated scene's,
/// row-major (2l+1)².
pub struct ShRotation {
    blocks: [Vec<f64>; 3],
}

/// Coefficient values of every basis function (0..16) in direction `d`.
fn basis(d: Vec3) -> [f64; 16] {
    let mut out = [0.0; 16];
    for (k, slot) in out.iter_mut().enumerate() {
        let mut one = [0.0f32; 48];
        one[3 * k] = 1.0;
        *slot = f64::from(sh::eval(3, &one, d.to_array())[0]);
    }
    out
}

/// Directions spread evenly over the sphere (a Fibonacci lattice).
fn directions(n: usize) -> Vec<Vec3> {
    let golden = std::f32::consts::PI * (3.0 - 5f32.sqrt());
    (0..n)
        .map(|i| {
            let y = 1.0 - 2.0 * (i as f32 + 0.5) / n as f32;
            let r = (1.0 - y * y).sqrt();
            let a = golden * i as f32;
            Vec3::new(r * a.cos(), y, r * a.sin())
        })
        .collect()
}

impl ShRotation {
    /// The coefficient rotation for turning the scene by `r` (a rotation matrix).
    pub fn new(r: Mat3) -> Self {
        let dirs = directions(64);
        let before: Vec<[f64; 16]> = dirs.iter().map(|&d| basis(d)).collect();
        // New coefficients c' with  Σ c'_m Y_m(d) = Σ c_m Y_m(Rᵀ d)  for every direction.
        let after: Vec<[f64; 16]> = dirs.iter().map(|&d| basis(r.transpose() * d)).collect();
        let blocks = [1usize, 2, 3].map(|l| {
            let (off, n) = (l * l, 2 * l + 1);
            // Normal equations: (YᵀY) D = Yᵀ Z.
            let mut yty = vec![0.0; n * n];
            let mut ytz = vec![0.0; n * n];
            for (y, z) in before.iter().zip(&after) {
                for i in 0..n {
                    for j in 0..n {
                        yty[i * n + j] += y[off + i] * y[off + j];
                        ytz[i * n + j] += y[off + i] * z[off + j];
                    }
                }
            }
            solve(&mut yty, &mut ytz, n);
            ytz
        });
        Self { blocks }
    }

    /// Rotates one Gaussian's coefficients (`sh[coeff * 3 + channel]`, degree `degree`).
    pub fn apply(&self, sh: &mut [f32], degree: u8) {
        for l in 1..=usize::from(degree.min(3)) {
            let (off, n) = (l * l, 2 * l + 1);
            let d = &self.blocks[l - 1];
            for c in 0..3 {
                // No allocation: this runs for every Gaussian of a scene as it loads.
                let mut old = [0.0f64; 7];
                for (m, o) in old.iter_mut().enumerate().take(n) {
                    *o = f64::from(sh[(off + m) * 3 + c]);
                }
                for i in 0..n {
                    sh[(off + i) * 3 + c] = (0..n).map(|j| d[i * n + j] * old[j]).sum::<f64>() as f32;
                }
            }
        }
    }
}

/// Solves A X = B in place (B becomes X), A n×n, B n×n, by Gauss-Jordan with partial pivoting.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) {
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs())).expect("rows");
        for k in 0..n {
            a.swap(col * n + k, pivot * n + k);
            b.swap(col * n + k, pivot * n + k);
        }
        let p = a[col * n + col];
        for k in 0..n {
            a[col * n + k] /= p;
            b[col * n + k] /= p;
        }
        for row in 0..n {
            if row != col {
                let f = a[row * n + col];
                for k in 0..n {
                    a[row * n + k] -= f * a[col * n + k];
                    b[row * n + k] -= f * b[col * n + k];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    /// The rotated coefficients seen along R d give the colour the old ones gave along d.
    #[test]
    fn rotated_coefficients_show_the_old_colours_in_the_turned_directions() {
        let mut rng = Rng::new(3);
        for _ in 0..10 {
            let q = glam::Quat::from_array(rng.unit_quaternion()).normalize();
            let r = Mat3::from_quat(q);
            let coeffs: Vec<f32> = (0..48).map(|_| rng.range(-1.0, 1.0)).collect();
            let mut turned = coeffs.clone();
            ShRotation::new(r).apply(&mut turned, 3);
            assert_eq!(&turned[..3], &coeffs[..3], "DC is unchanged");
            for d in directions(20) {
                let before = sh::eval(3, &coeffs, d.to_array());
                let after = sh::eval(3, &turned, (r * d).to_array());
                for c in 0..3 {
                    assert!((before[c] - after[c]).abs() < 1e-4, "{before:?} {after:?}");
                }
            }
        }
    }
}

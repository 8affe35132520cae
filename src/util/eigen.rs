//! Small dense linear algebra the scene and import code share.

use glam::{Mat3, Vec3};

/// Σ (p − about)(p − about)ᵀ over the points: their scatter (covariance times the count)
/// about a centre, whose least-variance eigenvector is a surface's normal or a room's up.
pub fn scatter_about(points: impl IntoIterator<Item = Vec3>, about: Vec3) -> Mat3 {
    points.into_iter().fold(Mat3::ZERO, |m, p| {
        let d = p - about;
        m + Mat3::from_cols(d * d.x, d * d.y, d * d.z)
    })
}

/// The least-variance direction of the points about their mean (unit; `None` for none or a
/// degenerate spread).
pub fn least_variance_axis(points: &[Vec3]) -> Option<Vec3> {
    if points.is_empty() {
        return None;
    }
    let mean = points.iter().copied().sum::<Vec3>() / points.len() as f32;
    smallest_eigenvector(scatter_about(points.iter().copied(), mean)).try_normalize()
}

/// Eigenvalues and unit eigenvectors (the columns of the matrix, in the same order) of a
/// symmetric 3×3 matrix (cyclic Jacobi, in f64).
pub fn symmetric_eigen(m: Mat3) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut a = m.to_cols_array_2d().map(|c| c.map(f64::from));
    let mut v = [[1.0f64, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _sweep in 0..16 {
        let off = a[0][1].powi(2) + a[0][2].powi(2) + a[1][2].powi(2);
        if off < 1e-30 {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q].abs() < 1e-300 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
            for k in 0..3 {
                let (akp, akq) = (a[k][p], a[k][q]);
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
            }
            for k in 0..3 {
                let (apk, aqk) = (a[p][k], a[q][k]);
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
            }
            for k in 0..3 {
                let (vkp, vkq) = (v[k][p], v[k][q]);
                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
            }
        }
    }
    let vectors = [0, 1, 2].map(|p| [v[0][p], v[1][p], v[2][p]]);
    ([a[0][0], a[1][1], a[2][2]], vectors)
}

/// The eigenvector of a symmetric 3×3 matrix with the smallest eigenvalue.
pub fn smallest_eigenvector(m: Mat3) -> Vec3 {
    let (values, vectors) = symmetric_eigen(m);
    let smallest = (0..3).min_by(|&i, &j| values[i].total_cmp(&values[j])).expect("three eigenvalues");
    Vec3::from_array(vectors[smallest].map(|x| x as f32))
}

#[cfg(test)]
mod tests {
    use glam::Quat;

    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn jacobi_finds_the_least_variance_axis_of_random_symmetric_matrices() {
        let mut rng = Rng::new(11);
        for _ in 0..50 {
            let q = Quat::from_array(rng.unit_quaternion().map(|v| v)).normalize();
            let r = Mat3::from_quat(q);
            let eig = Vec3::new(rng.range(1.0, 2.0), rng.range(2.5, 4.0), rng.range(0.01, 0.9));
            let m = r * Mat3::from_diagonal(eig) * r.transpose();
            let got = smallest_eigenvector(m);
            assert!(got.dot(r.z_axis).abs() > 0.999, "{got} vs {}", r.z_axis);
        }
    }
}

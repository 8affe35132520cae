//! Feature vectors to colours for display: a PCA basis fitted once per scene on the
//! per-Gaussian features (so colours do not change as the camera moves), the top three
//! components scaled by per-scene percentiles into [0, 1].

use crate::scene::Scene;

/// A fitted projection from D-dimensional features to RGB.
#[derive(Clone, Debug, PartialEq)]
pub struct FeaturePca {
    /// Feature dimension D the projection was fitted for.
    pub dim: usize,
    mean: Vec<f32>,
    /// Top three principal directions, unit length, sign fixed for determinism.
    basis: [Vec<f32>; 3],
    lo: [f32; 3],
    hi: [f32; 3],
}

/// Eigen-decomposition of a symmetric matrix (row-major n×n) by cyclic Jacobi rotations:
/// eigenvalues and eigenvectors (as columns of the returned row-major matrix).
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        let scale: f64 = (0..n).map(|i| a[i * n + i].powi(2)).sum::<f64>().max(1e-300);
        if off <= 1e-22 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

fn percentile(mut v: Vec<f32>, q: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((v.len() - 1) as f32 * q).round() as usize;
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

impl FeaturePca {
    /// Fits on `features` (Gaussian-major, `dim` each); uses at most 200 000 evenly spaced
    /// Gaussians, which pins the basis down far beyond display precision.
    pub fn fit(features: &[f32], dim: usize) -> Self {
        assert!(dim > 0 && features.len().is_multiple_of(dim), "features must be whole vectors");
        let n = features.len() / dim;
        let step = (n / 200_000).max(1);
        let rows: Vec<&[f32]> = features.chunks_exact(dim).step_by(step).collect();
        let m = rows.len().max(1) as f64;
        let mut mean = vec![0.0f64; dim];
        for r in &rows {
            for (acc, v) in mean.iter_mut().zip(r.iter()) {
                *acc += *v as f64 / m;
            }
        }
        let mut cov = vec![0.0f64; dim * dim];
        for r in &rows {
            for i in 0..dim {
                let di = r[i] as f64 - mean[i];
                for j in i..dim {
                    cov[i * dim + j] += di * (r[j] as f64 - mean[j]) / m;
                }
            }
        }
        for i in 0..dim {
            for j in 0..i {
                cov[i * dim + j] = cov[j * dim + i];
            }
        }
        let (vals, vecs) = symmetric_eigen(&cov, dim);
        let mut order: Vec<usize> = (0..dim).collect();
        order.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]));
        let basis: [Vec<f32>; 3] = std::array::from_fn(|k| {
            let Some(&col) = order.get(k) else { return vec![0.0; dim] };
            let mut v: Vec<f32> = (0..dim).map(|i| vecs[i * dim + col] as f32).collect();
            // Sign convention: the largest-magnitude component is positive.
            let big = v.iter().copied().fold(0.0f32, |m, x| if x.abs() > m.abs() { x } else { m });
            if big < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            v
        });
        let mean: Vec<f32> = mean.iter().map(|&x| x as f32).collect();
        let mut pca = Self { dim, mean, basis, lo: [0.0; 3], hi: [1.0; 3] };
        for k in 0..3 {
            let proj: Vec<f32> = rows.iter().map(|r| pca.component(r, k)).collect();
            pca.lo[k] = percentile(proj.clone(), 0.01);
            pca.hi[k] = percentile(proj, 0.99).max(pca.lo[k] + 1e-6);
        }
        pca
    }

    fn component(&self, f: &[f32], k: usize) -> f32 {
        f.iter().zip(&self.mean).zip(&self.basis[k]).map(|((x, m), b)| (x - m) * b).sum()
    }

    /// Per-Gaussian colours in [0, 1], padded to 4 channels (r, g, b, 1) so they can be
    /// blended as a 4-channel feature image by either renderer.
    pub fn colours(&self, features: &[f32]) -> Vec<f32> {
        features
            .chunks_exact(self.dim)
            .flat_map(|f| {
                let c: [f32; 3] = std::array::from_fn(|k| {
                    ((self.component(f, k) - self.lo[k]) / (self.hi[k] - self.lo[k])).clamp(0.0, 1.0)
                });
                [c[0], c[1], c[2], 1.0]
            })
            .collect()
    }
}

/// The channel number of an `f_pc_<k>` feature property.
fn feature_channel(name: &str) -> Option<usize> {
    name.strip_prefix("f_pc_").and_then(|n| n.parse().ok())
}

/// Whether an extra property is one of the `f_pc_*` feature channels [`scene_features`] reads.
pub fn is_feature_property(name: &str) -> bool {
    feature_channel(name).is_some()
}

/// Per-Gaussian feature vectors stored in the scene as extra properties `f_pc_0..` (the
/// layout some feature-splatting trainers write), in numeric order, or `None`. The loader
/// does not check extras: run [`crate::scene::sanitize::sanitize_extras`] with
/// [`is_feature_property`] first, or one NaN turns the whole PCA (and image) black.
pub fn scene_features(scene: &Scene) -> Option<(usize, Vec<f32>)> {
    let mut cols: Vec<(usize, &[f64])> =
        scene.extras.iter().filter_map(|e| feature_channel(&e.name).map(|k| (k, e.values.as_slice()))).collect();
    if cols.is_empty() {
        return None;
    }
    cols.sort_by_key(|c| c.0);
    let dim = cols.len();
    let n = scene.len();
    let mut out = vec![0.0f32; n * dim];
    for (j, (_, values)) in cols.iter().enumerate() {
        for i in 0..n {
            out[i * dim + j] = values[i] as f32;
        }
    }
    Some((dim, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn jacobi_recovers_a_known_spectrum() {
        // A = Q diag(5, 2, 0.5) Q^T for a rotation Q.
        let q = glam::DMat3::from_quat(glam::DQuat::from_axis_angle(glam::DVec3::new(1.0, 2.0, 3.0).normalize(), 0.7));
        let a = q * glam::DMat3::from_diagonal(glam::DVec3::new(5.0, 2.0, 0.5)) * q.transpose();
        let rows = a.transpose().to_cols_array();
        let (mut vals, _) = symmetric_eigen(&rows, 3);
        vals.sort_by(|x, y| y.total_cmp(x));
        for (v, w) in vals.iter().zip([5.0, 2.0, 0.5]) {
            assert!((v - w).abs() < 1e-9, "{vals:?}");
        }
    }

    #[test]
    fn pca_finds_the_dominant_direction_and_maps_into_unit_range() {
        let mut rng = Rng::new(5);
        let dim = 8;
        let dir: Vec<f32> = (0..dim).map(|i| if i == 3 { 1.0 } else { 0.0 }).collect();
        let feats: Vec<f32> = (0..5000)
            .flat_map(|_| {
                let t = rng.normal() * 10.0;
                let noise: Vec<f32> = (0..dim).map(|_| rng.normal() * 0.1).collect();
                dir.iter().zip(noise).map(move |(d, e)| d * t + e).collect::<Vec<_>>()
            })
            .collect();
        let pca = FeaturePca::fit(&feats, dim);
        assert!(pca.basis[0][3].abs() > 0.99, "{:?}", pca.basis[0]);
        let c = pca.colours(&feats);
        assert!(c.iter().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(c.len(), 5000 * 4);
        // Deterministic: refitting gives the same basis.
        assert_eq!(FeaturePca::fit(&feats, dim), pca);
    }
}

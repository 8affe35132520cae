//! Turning parts into surface samples ("surfels"): estimate each part's visible area,
//! share the Gaussian budget by area × detail (with a floor per object so small things
//! still show, and per part so thin parts are covered), then draw visible points.

use glam::Vec3;
use rayon::prelude::*;

use super::occlusion::Occluders;
use super::part::Part;
use crate::util::rng::Rng;

/// A visible surface point that will become one Gaussian.
#[derive(Clone, Copy, Debug)]
pub struct Surfel {
    /// Position in the room frame, metres.
    pub pos: Vec3,
    /// Outward unit normal.
    pub n: Vec3,
    /// A unit tangent, perpendicular to `n`.
    pub t: Vec3,
    /// Albedo, sRGB.
    pub albedo: Vec3,
    /// Mean distance between neighbouring samples on this part.
    pub spacing: f32,
    /// Half the smallest extent of the surface here.
    pub feature: f32,
    /// Index of the part it lies on.
    pub part: u32,
}

const PROBES: usize = 48;

/// Visible area of every part, estimated with a few random probes each.
pub fn visible_areas(parts: &[Part], occ: &Occluders, rng: &Rng) -> Vec<f32> {
    parts
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut r = rng.fork(i as u64);
            let area = p.shape.area();
            let seen = (0..PROBES)
                .filter(|_| {
                    let s = p.shape.sample(&mut r);
                    !occ.hidden(p.pos + p.rot * s.p, p.rot * s.n, i)
                })
                .count();
            area * seen as f32 / PROBES as f32
        })
        .collect()
}

/// Gaussians per part for a total of about `budget`: proportional to visible area × detail,
/// at least `obj_min` per visible object and enough for thin parts to be covered.
pub fn allocate(
    parts: &[Part],
    objects: &[u32],
    visible: &[f32],
    budget: usize,
    obj_min: usize,
    rng: &Rng,
) -> Vec<usize> {
    let n_obj = objects.iter().copied().max().map_or(0, |m| m as usize + 1);
    // Trained scenes are not evenly dense (coverage and texture differ per object), so
    // each object gets its own random density factor.
    let mut r = rng.fork(0);
    let jitter: Vec<f32> = (0..n_obj).map(|_| (0.35 * r.normal()).exp()).collect();
    let weight: Vec<f32> =
        parts.iter().zip(visible).zip(objects).map(|((p, a), &o)| p.detail * a * jitter[o as usize]).collect();
    // Thin parts (legs, rods) need spacing no wider than a few times their thickness.
    let thin: Vec<f32> = parts
        .iter()
        .zip(visible)
        .map(|(p, a)| {
            let f = thin_feature(p);
            (a / (3.0 * f).powi(2)).min(budget as f32 * 0.002)
        })
        .collect();
    let mut obj_weight = vec![0.0f32; n_obj];
    for (w, &o) in weight.iter().zip(objects) {
        obj_weight[o as usize] += w;
    }
    let counts_for = |rho: f32| -> Vec<f32> {
        let mut per_part: Vec<f32> =
            weight.iter().zip(&thin).map(|(w, t)| if *w > 0.0 { (rho * w).max(*t) } else { 0.0 }).collect();
        let mut obj_total = vec![0.0f32; n_obj];
        for (c, &o) in per_part.iter().zip(objects) {
            obj_total[o as usize] += c;
        }
        for (c, (&o, w)) in per_part.iter_mut().zip(objects.iter().zip(&weight)) {
            let (tot, ow) = (obj_total[o as usize], obj_weight[o as usize]);
            if tot < obj_min as f32 && ow > 0.0 {
                *c = c.max(obj_min as f32 * w / ow);
            }
        }
        per_part
    };
    // The total grows with the density, so bisect for the one that meets the budget.
    let (mut lo, mut hi) = (0.0f32, 1.0f32);
    while counts_for(hi).iter().sum::<f32>() < budget as f32 && hi < 1e12 {
        hi *= 2.0;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if counts_for(mid).iter().sum::<f32>() < budget as f32 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    round_to_total(&counts_for(hi), budget)
}

/// Rounds non-negative reals to integers summing to `total` (largest remainders first).
fn round_to_total(x: &[f32], total: usize) -> Vec<usize> {
    // Floors can exceed a tiny budget; then everything shrinks in proportion.
    let sum: f32 = x.iter().sum();
    let scaled: Vec<f32>;
    let x = if sum > total as f32 {
        scaled = x.iter().map(|v| v * total as f32 / sum).collect();
        &scaled[..]
    } else {
        x
    };
    let mut out: Vec<usize> = x.iter().map(|v| v.floor() as usize).collect();
    let have: usize = out.iter().sum();
    if have < total {
        let mut order: Vec<usize> = (0..x.len()).filter(|&i| x[i] > 0.0).collect();
        order.sort_by(|&a, &b| (x[b] - x[b].floor()).total_cmp(&(x[a] - x[a].floor())).then(a.cmp(&b)));
        for &i in order.iter().cycle().take(total - have) {
            out[i] += 1;
        }
    }
    out
}

/// The thinnest dimension of a part's surface, where it matters for coverage.
fn thin_feature(p: &Part) -> f32 {
    use super::shape::Shape;
    match &p.shape {
        Shape::Cuboid { half, .. } => {
            let mut h = [half.x, half.y, half.z];
            h.sort_by(f32::total_cmp);
            h[1].max(0.004)
        }
        Shape::Cylinder { r0, r1, h, .. } => r0.max(*r1).min(0.5 * h).max(0.004),
        Shape::Ellipsoid { radii, .. } => radii.min_element().max(0.004),
        Shape::Blob { half, .. } => half.min_element().max(0.004),
        Shape::Quad { half, .. } | Shape::Panel { half, .. } => half.min_element().max(0.004),
    }
}

/// Draws `counts[i]` visible samples on every part.
pub fn sample(parts: &[Part], occ: &Occluders, visible: &[f32], counts: &[usize], rng: &Rng) -> Vec<Surfel> {
    let per_part: Vec<Vec<Surfel>> = parts
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let want = counts[i];
            let mut out = Vec::with_capacity(want);
            if want == 0 {
                return out;
            }
            let mut r = rng.fork(i as u64);
            let spacing = (visible[i].max(1e-6) / want as f32).sqrt();
            let mut tries = 0;
            while out.len() < want && tries < 40 * want + 200 {
                tries += 1;
                let s = p.shape.sample(&mut r);
                let pos = p.pos + p.rot * s.p;
                let n = p.rot * s.n;
                if occ.hidden(pos, n, i) {
                    continue;
                }
                let albedo = filtered_albedo(p, &s, spacing, &mut r);
                out.push(Surfel { pos, n, t: p.rot * s.t, albedo, spacing, feature: s.feature, part: i as u32 });
            }
            out
        })
        .collect();
    per_part.into_iter().flatten().collect()
}

/// The texture averaged over the patch one Gaussian covers, as training would average it:
/// fine detail (grout, seams, text) blends instead of turning into speckle.
fn filtered_albedo(p: &Part, s: &super::shape::LocalSample, spacing: f32, rng: &mut Rng) -> Vec3 {
    let b = s.n.cross(s.t);
    let a = rng.range(0.0, std::f32::consts::FRAC_PI_2);
    let r = 0.45 * spacing.min(2.0 * s.feature);
    let mut sum = p.mat.albedo(s);
    for k in 0..4 {
        let ang = a + k as f32 * std::f32::consts::FRAC_PI_2;
        let (du, dv) = (r * ang.cos(), r * ang.sin());
        let mut q = *s;
        q.p += s.t * du + b * dv;
        q.uv += glam::Vec2::new(du, dv);
        sum += p.mat.albedo(&q);
    }
    sum / 5.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_total() {
        let x = [0.4, 1.6, 2.5, 0.0, 10.49];
        let r = round_to_total(&x, 15);
        assert_eq!(r.iter().sum::<usize>(), 15);
        assert_eq!(r[3], 0);
        let r = round_to_total(&[10.0, 30.0], 20);
        assert_eq!(r.iter().sum::<usize>(), 20);
        assert_eq!(r, vec![5, 15]);
    }
}

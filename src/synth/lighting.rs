//! Baked lighting, as a photograph would record it: a voxel grid of everything that blocks
//! light gives ambient occlusion (dark corners, under furniture, near the floor) and hard or
//! soft shadows from ceiling lights, lamps, windows and sunlight; one-bounce fill light is
//! approximated from the mean direct light. Radiance is then exposed, tone-mapped and
//! white-balanced per room, so some rooms come out dark and some bright.

use glam::{Vec3, Vec3A};
use rayon::prelude::*;

use super::noise::hashf;
use super::part::{Light, LightKind, Part};
use super::room::Room;
use super::style::TimeOfDay;
use super::surface::Surfel;
use crate::classes::id;
use crate::util::rng::Rng;

/// Occupancy of space by light-blocking surfaces.
pub struct Voxels {
    origin: Vec3,
    v: f32,
    dims: [usize; 3],
    fine: Vec<u8>,
    cdims: [usize; 3],
    coarse: Vec<u8>,
}

const COARSE: usize = 4;

impl Voxels {
    /// Voxelises the light-blocking parts of `room` (5 cm voxels unless the room is huge).
    pub fn build(room: &Room, parts: &[Part], rng: &Rng) -> Voxels {
        let margin = room.thickness + 0.3;
        let lo = Vec3::new(-margin, -margin, -0.2);
        let hi = Vec3::new(room.size.x + margin, room.size.y + margin, room.height + 0.2);
        let ext = hi - lo;
        // 5 cm voxels unless the room is huge; about 6 M cells at most.
        let v = 0.05f32.max((ext.x * ext.y * ext.z / 6.0e6).cbrt());
        let dims = [(ext.x / v).ceil() as usize, (ext.y / v).ceil() as usize, (ext.z / v).ceil() as usize];
        let cdims = [dims[0].div_ceil(COARSE), dims[1].div_ceil(COARSE), dims[2].div_ceil(COARSE)];
        let mut vox = Voxels {
            origin: lo,
            v,
            dims,
            fine: vec![0; dims[0] * dims[1] * dims[2]],
            cdims,
            coarse: vec![0; cdims[0] * cdims[1] * cdims[2]],
        };
        // Mark surfaces with enough random points that a voxel-sized patch is almost never
        // missed (light would leak through it).
        let marks: Vec<Vec<u32>> = parts
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                if !p.shadow {
                    return Vec::new();
                }
                let mut r = rng.fork(i as u64);
                let n = ((10.0 * p.shape.area() / (v * v)) as usize).clamp(16, 2_000_000);
                (0..n).filter_map(|_| vox.index(p.pos + p.rot * p.shape.sample(&mut r).p).map(|k| k as u32)).collect()
            })
            .collect();
        for k in marks.iter().flatten() {
            vox.set(*k as usize);
        }
        vox
    }

    fn index(&self, p: Vec3) -> Option<usize> {
        let g = (p - self.origin) / self.v;
        if g.x < 0.0 || g.y < 0.0 || g.z < 0.0 {
            return None;
        }
        let (x, y, z) = (g.x as usize, g.y as usize, g.z as usize);
        (x < self.dims[0] && y < self.dims[1] && z < self.dims[2]).then(|| (z * self.dims[1] + y) * self.dims[0] + x)
    }

    fn set(&mut self, k: usize) {
        self.fine[k] = 1;
        let x = k % self.dims[0];
        let y = (k / self.dims[0]) % self.dims[1];
        let z = k / (self.dims[0] * self.dims[1]);
        let c = ((z / COARSE) * self.cdims[1] + y / COARSE) * self.cdims[0] + x / COARSE;
        self.coarse[c] = 1;
    }

    /// Distance along `dir` (unit) from `from` to the first blocked voxel within `max_t`;
    /// `None` when the way is clear or leaves the grid.
    pub fn march(&self, from: Vec3, dir: Vec3, max_t: f32) -> Option<f32> {
        let from = Vec3A::from(from);
        let dir = Vec3A::from(dir);
        let origin = Vec3A::from(self.origin);
        let inv = Vec3A::ONE / dir;
        let cw = self.v * COARSE as f32;
        let mut t = 0.0f32;
        // A ray that starts inside a marked voxel (its own surface, or a neighbouring one in
        // a corner) only counts hits after it has been in free space: otherwise every point
        // within a voxel of a junction would come out black.
        let mut left_start = false;
        while t < max_t {
            let g = (from + dir * t - origin) / self.v;
            if g.x < 0.0 || g.y < 0.0 || g.z < 0.0 {
                return None;
            }
            let (x, y, z) = (g.x as usize, g.y as usize, g.z as usize);
            if x >= self.dims[0] || y >= self.dims[1] || z >= self.dims[2] {
                return None;
            }
            let (cx, cy, cz) = (x / COARSE, y / COARSE, z / COARSE);
            if self.coarse[(cz * self.cdims[1] + cy) * self.cdims[0] + cx] == 0 {
                // Skip the empty coarse block: jump to where the ray leaves it.
                let cmin = origin + Vec3A::new(cx as f32, cy as f32, cz as f32) * cw;
                let p = from + dir * t;
                let far = Vec3A::select(dir.cmpge(Vec3A::ZERO), cmin + Vec3A::splat(cw), cmin);
                let ts = (far - p) * inv;
                let exit = ts.x.min(ts.y).min(ts.z).max(0.0);
                t += exit + 1e-4;
                left_start = true;
                continue;
            }
            if self.fine[(z * self.dims[1] + y) * self.dims[0] + x] != 0 {
                if left_start {
                    return Some(t);
                }
            } else {
                left_start = true;
            }
            t += self.v;
        }
        None
    }
}

/// Per-surfel result of shading.
#[derive(Clone, Copy, Debug)]
pub struct Shaded {
    /// Display colour (what a photo shows), [0, 1].
    pub rgb: Vec3,
    /// Amplitude of the view-dependent highlight, display units.
    pub spec: Vec3,
    /// Mirror direction of the dominant light (unit), or zero.
    pub reflect: Vec3,
}

/// Room-wide camera response.
pub struct Exposure {
    /// Target median brightness of the exposed image (photographic key).
    pub key: f32,
    /// Per-channel gains, mean 1.
    pub white_balance: Vec3,
    /// Colour saturation factor (1 = unchanged).
    pub saturation: f32,
}

impl Exposure {
    /// A random camera response; evening and night shots come out darker, as a phone
    /// camera leaves them.
    pub fn random(time: TimeOfDay, rng: &mut Rng) -> Self {
        // Photographic key: most rooms mid-grey, a tail of dark and of bright ones.
        let dim = match time {
            TimeOfDay::Sunny => 1.1,
            TimeOfDay::Overcast => 0.95,
            TimeOfDay::Dusk => 0.75,
            TimeOfDay::Night => 0.6,
        };
        let key = (0.2 * dim * (0.55 * rng.normal()).exp()).clamp(0.04, 0.55);
        let wb = Vec3::new(1.0 + 0.05 * rng.normal(), 1.0, 1.0 + 0.05 * rng.normal());
        Self { key, white_balance: wb / wb.dot(Vec3::splat(1.0 / 3.0)), saturation: rng.range(0.85, 1.15) }
    }
}

fn srgb_to_linear(c: Vec3) -> Vec3 {
    c.powf(2.2)
}

fn luminance(c: Vec3) -> f32 {
    c.dot(Vec3::new(0.2126, 0.7152, 0.0722))
}

/// Narkowicz's fit of the ACES filmic curve.
fn aces(x: f32) -> f32 {
    ((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14)).clamp(0.0, 1.0)
}

fn hash01(i: u32, k: u32, seed: u32) -> f32 {
    hashf(i as i32, k as i32, 0x5EED, seed)
}

struct Direct {
    e: Vec3,
    dir_sum: Vec3,
}

/// Unshadowed irradiance of one light at a surfel (luminance), to decide which lights
/// deserve shadow rays.
fn unshadowed(s: &Surfel, light: &Light) -> f32 {
    let c = luminance(light.colour);
    match &light.kind {
        LightKind::Point { .. } => {
            let d = light.pos - s.pos;
            c * s.n.dot(d.normalize_or_zero()).max(0.0) / (d.length_squared() + 0.02)
        }
        LightKind::Area { u, v, normal } => {
            let area = 4.0 * u.length() * v.length();
            let d = light.pos - s.pos;
            let l = d.normalize_or_zero();
            // Grazing and behind-the-window points still get a little from the far edges.
            let cr = (s.n.dot(l) + 0.3).max(0.0);
            let cl = (normal.dot(-l) + 0.3).max(0.0);
            c * area * cr * cl / d.length_squared().max(0.05 + 0.1 * area)
        }
        LightKind::Sun { dir } => c * s.n.dot(-*dir).max(0.0),
    }
}

fn direct(s: &Surfel, i: u32, lights: &[Light], vox: &Voxels, seed: u32) -> Direct {
    let mut e = Vec3::ZERO;
    let mut dir_sum = Vec3::ZERO;
    let start = s.pos + s.n * (0.75 * vox.v);
    // Shadow rays only for the lights that matter here; the faint rest (the far panels of a
    // big office) are added unshadowed, dimmed by a typical visibility.
    let est: Vec<f32> = lights.iter().map(|l| unshadowed(s, l)).collect();
    let total: f32 = est.iter().sum();
    let mut order: Vec<usize> = (0..lights.len()).filter(|&j| est[j] > 0.0).collect();
    order.sort_by(|&a, &b| est[b].total_cmp(&est[a]).then(a.cmp(&b)));
    for (rank, &j) in order.iter().enumerate() {
        let light = &lights[j];
        let traced = rank < 6 && est[j] >= 0.03 * total;
        let h = j as u32 * 16;
        match &light.kind {
            LightKind::Point { radius } => {
                // Two jittered samples of the bulb: soft shadow edges without much noise.
                for k in 0..2 {
                    let jitter = Vec3::new(
                        hash01(i, h + 3 * k, seed),
                        hash01(i, h + 3 * k + 1, seed),
                        hash01(i, h + 3 * k + 2, seed),
                    ) * 2.0
                        - Vec3::ONE;
                    let lp = light.pos + jitter * *radius;
                    let d = lp - s.pos;
                    let dist = d.length();
                    let l = d / dist.max(1e-6);
                    let cos = s.n.dot(l);
                    if cos <= 0.0 {
                        continue;
                    }
                    let visible = light_visibility(vox, start, lp, traced);
                    let contrib = light.colour * (0.5 * visible * cos / (dist * dist + 0.02));
                    e += contrib;
                    dir_sum += l * luminance(contrib);
                }
            }
            LightKind::Area { u, v, normal } => {
                let area = 4.0 * u.length() * v.length();
                // Stratified over the window's four quarters.
                let samples = if traced { 4 } else { 1 };
                for k in 0..samples {
                    let (a, b) = if traced {
                        (
                            ((k % 2) as f32 + hash01(i, h + 6 + 2 * k, seed)) - 1.0,
                            ((k / 2) as f32 + hash01(i, h + 7 + 2 * k, seed)) - 1.0,
                        )
                    } else {
                        (0.0, 0.0)
                    };
                    let q = light.pos + *u * a + *v * b;
                    let d = q - s.pos;
                    let dist2 = d.length_squared().max(0.05 + 0.1 * area);
                    let l = d.normalize_or_zero();
                    let (cr, cl) = (s.n.dot(l), normal.dot(-l));
                    if cr <= 0.0 || cl <= 0.0 {
                        continue;
                    }
                    let visible = light_visibility(vox, start, q, traced);
                    let contrib = light.colour * (visible * area * cr * cl / dist2 / samples as f32);
                    e += contrib;
                    dir_sum += l * luminance(contrib);
                }
            }
            LightKind::Sun { dir } => {
                let l = -*dir;
                let cos = s.n.dot(l);
                if cos > 0.0 && vox.march(start, l, 60.0).is_none() {
                    let contrib = light.colour * cos;
                    e += contrib;
                    dir_sum += l * luminance(contrib);
                }
            }
        }
    }
    Direct { e, dir_sum }
}

/// Ambient occlusion in [0, 1] (1 = open) from cosine-weighted rays. The directions are
/// the same for every surfel (in its own tangent frame, which is shared across a face), so
/// neighbours agree and the result is smooth rather than speckled.
/// 1 when the segment from `start` to the light point `to` is free of voxels, 0 when blocked;
/// untraced (cheap) lighting assumes 0.7 throughout. Segments shorter than three voxels are
/// taken as free, since they start inside the surfel's own voxel neighbourhood.
fn light_visibility(vox: &Voxels, start: Vec3, to: Vec3, traced: bool) -> f32 {
    if !traced {
        return 0.7;
    }
    let d = to - start;
    let len = d.length();
    if len > 3.0 * vox.v && vox.march(start, d / len, len - 2.0 * vox.v).is_some() { 0.0 } else { 1.0 }
}

fn occlusion(s: &Surfel, vox: &Voxels) -> f32 {
    const RAYS: usize = 12;
    const RANGE: f32 = 0.6;
    let b = s.n.cross(s.t);
    let start = s.pos + s.n * (0.75 * vox.v);
    let mut occ = 0.0;
    for k in 0..RAYS {
        // Stratified cosine-weighted directions: rings in elevation, spread in azimuth.
        let u1 = (k as f32 + 0.5) / RAYS as f32;
        let phi = k as f32 * 2.399_963;
        let r = u1.sqrt();
        let d = s.t * (r * phi.cos()) + b * (r * phi.sin()) + s.n * (1.0 - u1).max(0.0).sqrt();
        if let Some(t) = vox.march(start, d, RANGE) {
            occ += (1.0 - t / RANGE).sqrt();
        }
    }
    1.0 - occ / RAYS as f32
}

/// Shades every surfel.
pub fn shade(
    surfels: &[Surfel],
    parts: &[Part],
    lights: &[Light],
    vox: &Voxels,
    warm: Vec3,
    exposure: &Exposure,
    rng: &mut Rng,
) -> Vec<Shaded> {
    let seed = rng.next_u64() as u32;
    let emitting = |s: &Surfel| parts[s.part as usize].mat.emission > 0.0;
    let raw: Vec<(Direct, f32)> = surfels
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            if emitting(s) && parts[s.part as usize].outside {
                return (Direct { e: Vec3::ZERO, dir_sum: Vec3::ZERO }, 1.0);
            }
            (direct(s, i as u32, lights, vox, seed), occlusion(s, vox))
        })
        .collect();
    // Fill light: a share of the average direct light, as one diffuse bounce would give.
    let (mut sum_e, mut sum_a, mut n) = (Vec3::ZERO, 0.0f32, 0usize);
    for (s, (d, _)) in surfels.iter().zip(&raw) {
        if !emitting(s) {
            sum_e += d.e;
            sum_a += luminance(srgb_to_linear(s.albedo));
            n += 1;
        }
    }
    let n = n.max(1) as f32;
    let mean_e = sum_e / n;
    let mean_a = sum_a / n;
    let ambient = mean_e * (0.9 * mean_a / (1.0 - 0.6 * mean_a)) + Vec3::splat(0.004);
    let radiance: Vec<Vec3> = surfels
        .iter()
        .zip(&raw)
        .map(|(s, (d, ao))| {
            let p = &parts[s.part as usize];
            let a = srgb_to_linear(s.albedo);
            let tint = if p.label == id::LAMP { warm } else { Vec3::ONE };
            a * (d.e + ambient * (0.1 + 0.9 * ao) * (0.6 + 0.4 * ao)) + a * tint * p.mat.emission
        })
        .collect();
    // Auto-exposure on the median surface brightness, biased by the room's key.
    let mut lums: Vec<f32> =
        radiance.iter().zip(surfels).filter(|(_, s)| !emitting(s)).map(|(r, _)| luminance(*r)).collect();
    lums.sort_by(f32::total_cmp);
    let median = lums.get(lums.len() / 2).copied().unwrap_or(1.0).max(1e-5);
    let scale = exposure.key / median;
    surfels
        .iter()
        .zip(&raw)
        .zip(&radiance)
        .map(|((s, (d, _)), r)| {
            let x = *r * scale * exposure.white_balance;
            let mapped = Vec3::new(aces(x.x), aces(x.y), aces(x.z)).powf(1.0 / 2.2);
            let grey = Vec3::splat(luminance(mapped));
            let rgb = (grey + (mapped - grey) * exposure.saturation).clamp(Vec3::ZERO, Vec3::ONE);
            let p = &parts[s.part as usize];
            let total = luminance(d.e + ambient).max(1e-6);
            let dominance = (d.dir_sum.length() / total).clamp(0.0, 1.0);
            let l = d.dir_sum.normalize_or_zero();
            let reflect = if l == Vec3::ZERO { Vec3::ZERO } else { (s.n * (2.0 * s.n.dot(l)) - l).normalize_or_zero() };
            let spec = (rgb * (0.45 * p.mat.gloss * dominance)).min(Vec3::splat(0.15));
            Shaded { rgb, spec, reflect }
        })
        .collect()
}

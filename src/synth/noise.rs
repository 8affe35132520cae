//! Hash-based value noise: stateless and seedable, so a texture depends only on its seed and
//! the point, never on evaluation order or thread count.

use glam::{Vec2, Vec3};

/// A well-mixed 32-bit hash of a lattice point and a seed.
pub fn hash3(x: i32, y: i32, z: i32, seed: u32) -> u32 {
    let mut h = seed.wrapping_mul(0x9E37_79B1)
        ^ (x as u32).wrapping_mul(0x85EB_CA77)
        ^ (y as u32).wrapping_mul(0xC2B2_AE3D)
        ^ (z as u32).wrapping_mul(0x27D4_EB2F);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    h = h.wrapping_mul(0x297A_2D39);
    h ^= h >> 15;
    h
}

/// Uniform in [0, 1) for a lattice point.
pub fn hashf(x: i32, y: i32, z: i32, seed: u32) -> f32 {
    (hash3(x, y, z, seed) >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

fn smooth(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Trilinear value noise in [0, 1] with unit lattice spacing.
pub fn value3(p: Vec3, seed: u32) -> f32 {
    let f = p.floor();
    let (ix, iy, iz) = (f.x as i32, f.y as i32, f.z as i32);
    let t = p - f;
    let (u, v, w) = (smooth(t.x), smooth(t.y), smooth(t.z));
    let c = |dx: i32, dy: i32, dz: i32| hashf(ix + dx, iy + dy, iz + dz, seed);
    let lerp = |a: f32, b: f32, t: f32| a + (b - a) * t;
    let x00 = lerp(c(0, 0, 0), c(1, 0, 0), u);
    let x10 = lerp(c(0, 1, 0), c(1, 1, 0), u);
    let x01 = lerp(c(0, 0, 1), c(1, 0, 1), u);
    let x11 = lerp(c(0, 1, 1), c(1, 1, 1), u);
    lerp(lerp(x00, x10, v), lerp(x01, x11, v), w)
}

/// Two-dimensional value noise in [0, 1].
pub fn value2(p: Vec2, seed: u32) -> f32 {
    value3(p.extend(0.0), seed)
}

/// Fractal sum of `octaves` value-noise layers, normalised to about [0, 1].
pub fn fbm3(p: Vec3, seed: u32, octaves: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut q) = (0.0, 1.0, 0.0, p);
    for o in 0..octaves {
        sum += amp * value3(q, seed.wrapping_add(o * 7919));
        norm += amp;
        amp *= 0.5;
        q = q * 2.03 + Vec3::splat(17.3);
    }
    sum / norm
}

/// [`fbm3`] on the plane z = 0.
pub fn fbm2(p: Vec2, seed: u32, octaves: u32) -> f32 {
    fbm3(p.extend(0.0), seed, octaves)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_bounded_and_continuous() {
        for i in 0..1000 {
            let p = Vec3::new(i as f32 * 0.137, i as f32 * 0.071, -(i as f32) * 0.05);
            let v = fbm3(p, 3, 4);
            assert!((0.0..=1.0).contains(&v));
            let w = value3(p + Vec3::splat(1e-3), 3);
            assert!((value3(p, 3) - w).abs() < 0.02);
        }
    }
}

//! Procedural textures behind [`super::material::Pattern`]: wood grain, floor boards,
//! pictures, screens, text, book covers and the view out of a window. Each is a pure
//! function of a point on the surface (metres) and a seed.

use glam::{Vec2, Vec3};

use super::noise::{fbm2, fbm3, hashf, value2};
use super::shape::LocalSample;

pub(super) fn wood_grain(base: Vec3, p: Vec3, axis: usize, amp: f32, seed: u32) -> Vec3 {
    let (a, b) = match axis {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let along = p[axis];
    let warp = fbm3(Vec3::new(p[a] * 6.0, p[b] * 6.0, along * 0.8), seed, 3);
    let rings = ((p[a] * 0.9 + p[b] * 0.35) * 90.0 + warp * 14.0).sin() * 0.5 + 0.5;
    let fine = fbm3(Vec3::new(p[a] * 120.0, p[b] * 120.0, along * 3.0), seed ^ 0xA5, 2);
    base * (1.0 - amp * rings.powi(3)) * (0.9 + 0.2 * fine)
}

pub(super) fn planks(base: Vec3, uv: Vec2, width: f32, length: f32, seed: u32) -> Vec3 {
    let row = (uv.y / width).floor();
    let offset = hashf(row as i32, 7, 0, seed) * length;
    let col = ((uv.x + offset) / length).floor();
    let fx = (uv.x + offset) / length - col;
    let fy = uv.y / width - row;
    if fy * width < 0.003 || fx * length < 0.004 {
        return base * 0.55;
    }
    let h = hashf(col as i32, row as i32, 3, seed);
    let tint = Vec3::new(1.0 + 0.1 * (h - 0.5), 1.0 + 0.05 * (h - 0.5), 1.0) * (0.85 + 0.3 * h);
    let grain = fbm2(Vec2::new(uv.x * 2.0, uv.y * 70.0), seed ^ (h.to_bits()), 3);
    base * tint * (0.88 + 0.24 * grain)
}

/// A colour from a seed, for picture and screen content: mostly muted, sometimes vivid.
fn seeded_colour(seed: u32, k: i32) -> Vec3 {
    let h = hashf(k, 1, 2, seed) * 6.0;
    let s = 0.25 + 0.65 * hashf(k, 3, 4, seed);
    let v = 0.3 + 0.65 * hashf(k, 5, 6, seed);
    hsv(h, s, v)
}

/// Hue in [0, 6), saturation and value in [0, 1].
pub fn hsv(h: f32, s: f32, v: f32) -> Vec3 {
    let c = v * s;
    let x = c * (1.0 - ((h % 2.0) - 1.0).abs());
    let (r, g, b) = match h as i32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    Vec3::new(r, g, b) + Vec3::splat(v - c)
}

pub(super) fn poster(base: Vec3, q: Vec2, style: u8, seed: u32) -> Vec3 {
    let q = q.clamp(Vec2::ZERO, Vec2::ONE);
    match style % 5 {
        0 => {
            // Abstract: a gradient ground with a few discs and bars.
            let mut c = seeded_colour(seed, 0).lerp(seeded_colour(seed, 1), q.y);
            for k in 0..5 {
                let centre = Vec2::new(hashf(k, 11, 0, seed), hashf(k, 12, 0, seed));
                let r = 0.08 + 0.25 * hashf(k, 13, 0, seed);
                let inside = if hashf(k, 14, 0, seed) < 0.5 {
                    (q - centre).length() < r
                } else {
                    ((q - centre).abs() - Vec2::new(r, r * 0.4)).max_element() < 0.0
                };
                if inside {
                    c = seeded_colour(seed, k + 2);
                }
            }
            c
        }
        1 => {
            // Landscape: sky, mountains, fields.
            let horizon = 0.35 + 0.15 * hashf(0, 0, 9, seed) + 0.12 * fbm2(Vec2::new(q.x * 4.0, 0.0), seed, 4);
            if q.y > horizon {
                let sky = Vec3::new(0.55, 0.72, 0.92).lerp(Vec3::new(0.95, 0.85, 0.7), hashf(1, 0, 9, seed) * 0.6);
                sky * (0.8 + 0.3 * q.y) + Vec3::splat(0.15 * fbm2(q * 6.0, seed ^ 3, 3))
            } else {
                let ground = seeded_colour(seed, 9).lerp(Vec3::new(0.3, 0.45, 0.2), 0.6);
                ground * (0.6 + 0.6 * fbm2(q * 12.0, seed ^ 5, 3))
            }
        }
        2 => {
            // Typographic poster: plain ground, a colour block and lines of text.
            let bg = base.lerp(Vec3::splat(0.92), 0.6);
            let block_top = 0.45 + 0.3 * hashf(2, 0, 9, seed);
            if q.y > 0.12 && q.y < block_top && q.x > 0.08 && q.x < 0.92 {
                seeded_colour(seed, 3)
            } else if q.y > block_top + 0.05 && q.x > 0.1 && q.x < 0.6 + 0.3 * hashf((q.y * 20.0) as i32, 0, 3, seed) {
                let line = (q.y * 24.0).fract();
                if line < 0.45 { Vec3::splat(0.12) } else { bg }
            } else {
                bg
            }
        }
        3 => {
            // Painterly: smooth colour fields.
            let a = fbm2(q * 3.0, seed, 4);
            let b = fbm2(q * 3.0 + Vec2::splat(5.0), seed ^ 1, 4);
            seeded_colour(seed, 0).lerp(seeded_colour(seed, 1), a).lerp(seeded_colour(seed, 2), b * b)
        }
        _ => {
            // Screen content: a bright window with a header bar and blocks.
            if q.y > 0.9 {
                seeded_colour(seed, 7) * 0.8
            } else if q.x < 0.2 {
                Vec3::splat(0.85)
            } else {
                let cell = (q * Vec2::new(4.0, 6.0)).floor();
                let h = hashf(cell.x as i32, cell.y as i32, 5, seed);
                if h < 0.3 { seeded_colour(seed, (h * 10.0) as i32) } else { Vec3::splat(0.95) }
            }
        }
    }
}

pub(super) fn text(base: Vec3, q: Vec2, size: Vec2, ink: Vec3, seed: u32) -> Vec3 {
    let margin = Vec2::new(0.1, 0.08);
    if q.x < margin.x || q.x > 1.0 - margin.x || q.y < margin.y || q.y > 1.0 - margin.y {
        return base;
    }
    let pitch = 0.008 / size.y.max(0.05);
    let line = (q.y / pitch).floor();
    let len = 1.0 - margin.x - 0.5 * hashf(line as i32, 0, 0, seed).powi(3);
    if (q.y / pitch).fract() < 0.35 && q.x < len { base.lerp(ink, 0.55) } else { base }
}

pub(super) fn scribbles(base: Vec3, q: Vec2, seed: u32) -> Vec3 {
    let inks = [Vec3::new(0.1, 0.15, 0.55), Vec3::new(0.6, 0.08, 0.08), Vec3::splat(0.08), Vec3::new(0.05, 0.4, 0.15)];
    let mut c = base * (0.97 + 0.04 * fbm2(q * 5.0, seed, 2));
    for k in 0..6 {
        let y0 = 0.15 + 0.7 * hashf(k, 0, 1, seed);
        let x0 = 0.05 + 0.5 * hashf(k, 0, 2, seed);
        let len = 0.1 + 0.35 * hashf(k, 0, 3, seed);
        let freq = 20.0 + 60.0 * hashf(k, 0, 4, seed);
        if q.x > x0 && q.x < x0 + len {
            let y = y0 + 0.015 * (q.x * freq).sin() + 0.01 * ((q.x * freq * 2.7).sin());
            if (q.y - y).abs() < 0.006 {
                c = inks[(hashf(k, 0, 5, seed) * 4.0) as usize % 4];
            }
        }
    }
    c
}

pub(super) fn book(base: Vec3, s: &LocalSample, band: Vec3, size: Vec3, seed: u32) -> Vec3 {
    let pages = Vec3::new(0.93, 0.9, 0.82);
    match s.face {
        // The covers.
        0 | 1 => base * (0.95 + 0.1 * value2(s.uv * 30.0, seed)),
        // The spine: bands near the ends and a title block.
        3 => {
            let v = s.uv.y / size.z.max(1e-3);
            let u = s.uv.x / size.x.max(1e-3);
            if (0.08..0.12).contains(&v) || (0.86..0.9).contains(&v) {
                band
            } else if (0.45..0.7).contains(&v) && (0.25..0.75).contains(&u) {
                base.lerp(band, 0.7)
            } else {
                base
            }
        }
        // Page edges, with the cover's thickness showing at the rim.
        _ => {
            let d = (s.p.x.abs() - 0.5 * size.x).abs();
            if d < 0.002 { base } else { pages * (0.92 + 0.08 * value2(s.uv * 200.0, seed)) }
        }
    }
}

pub(super) fn outdoor(uv: Vec2, style: u8, horizon: f32, seed: u32) -> Vec3 {
    let x = uv.x;
    let y = uv.y - horizon;
    match style % 4 {
        // Trees against a blue sky.
        0 | 3 => {
            let canopy = 1.2 + 2.5 * fbm2(Vec2::new(x * 0.4, 0.0), seed, 4);
            if y < canopy {
                let n = fbm2(uv * 2.5, seed ^ 7, 4);
                let leaf = Vec3::new(0.18, 0.34, 0.12).lerp(Vec3::new(0.45, 0.55, 0.22), n);
                if style == 3 { leaf.lerp(Vec3::new(0.55, 0.45, 0.3), 0.5) } else { leaf }
            } else {
                let t = ((y - canopy) / 6.0).clamp(0.0, 1.0);
                let sky = Vec3::new(0.78, 0.87, 0.97).lerp(Vec3::new(0.42, 0.62, 0.92), t);
                let cloud = (fbm2(uv * 0.25, seed ^ 11, 5) - 0.5).max(0.0) * 2.0;
                sky.lerp(Vec3::splat(0.97), cloud)
            }
        }
        // Buildings across the street.
        1 => {
            let bx = (x / 7.0).floor();
            let height = 2.0 + 12.0 * hashf(bx as i32, 0, 0, seed);
            if y < height {
                let wall = Vec3::new(0.55, 0.52, 0.48) * (0.6 + 0.6 * hashf(bx as i32, 1, 0, seed));
                let win = ((x * 0.7).fract() < 0.5) && ((uv.y * 0.33).fract() < 0.45);
                if win { Vec3::new(0.25, 0.3, 0.36) } else { wall }
            } else {
                Vec3::new(0.72, 0.8, 0.9).lerp(Vec3::new(0.9, 0.92, 0.95), fbm2(uv * 0.3, seed, 4))
            }
        }
        // Night: dark sky, lit windows far away.
        _ => {
            let bx = (x / 6.0).floor();
            let height = 1.0 + 10.0 * hashf(bx as i32, 0, 0, seed);
            if y < height {
                let cell = (uv * Vec2::new(1.2, 0.35)).floor();
                if hashf(cell.x as i32, cell.y as i32, 2, seed) < 0.25 {
                    Vec3::new(0.95, 0.8, 0.5)
                } else {
                    Vec3::splat(0.04)
                }
            } else {
                Vec3::new(0.02, 0.03, 0.08) + Vec3::splat(0.03 * fbm2(uv * 0.4, seed, 3))
            }
        }
    }
}

//! Surface materials: a base colour (sRGB, 0..1), a procedural pattern evaluated in metres on
//! the surface, and the optical knobs the Gaussian writer needs (gloss for the view-dependent
//! lobe, emission for lamps and the outdoors, opacity for glass). Palettes of plausible
//! real-world materials live here too, so furniture builders just ask for "wood" or "fabric".

use glam::{Vec2, Vec3};

use super::noise::{fbm2, fbm3, hashf, value2};
use super::shape::LocalSample;
pub use super::texture::hsv;
use super::texture::{book, outdoor, planks, poster, scribbles, text, wood_grain};
use crate::util::rng::Rng;

/// A procedural texture.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// The base colour everywhere.
    Plain,
    /// Paint or plaster unevenness.
    Mottle {
        /// Noise frequency, cycles per metre.
        scale: f32,
        /// Relative brightness variation (0.05 = ±5 %).
        amp: f32,
    },
    /// Wood grain running along local axis `axis`.
    Wood {
        /// Local axis (0 x, 1 y, 2 z) the grain runs along.
        axis: u8,
        /// Strength of the dark growth rings, 0-1.
        amp: f32,
    },
    /// Floor boards along u, `width` apart, with per-board tint and dark seams.
    Planks {
        /// Board width across v, metres.
        width: f32,
        /// Board length along u, metres (joints staggered per row).
        length: f32,
    },
    /// Tiles with grout lines and per-tile variation.
    Tiles {
        /// Tile size in (u, v), metres.
        size: Vec2,
        /// Grout colour, sRGB.
        grout: Vec3,
        /// Grout line width, metres.
        gw: f32,
        /// Per-tile brightness variation (0.1 = ±5 %).
        vary: f32,
    },
    /// Woven cloth: fine noise plus larger blotches.
    Fabric {
        /// Strength of the weave noise and blotches.
        amp: f32,
    },
    /// Stripes along u (`vertical` = stripes run along v).
    Stripes {
        /// Stripe period, metres.
        period: f32,
        /// Share of each period drawn in `color2`, 0-1.
        duty: f32,
        /// Second stripe colour, sRGB.
        color2: Vec3,
        /// Stripes run along v instead of u.
        vertical: bool,
    },
    /// A checkerboard of the base colour and `color2`.
    Checker {
        /// Square side, metres.
        size: f32,
        /// Second colour, sRGB.
        color2: Vec3,
    },
    /// Marble: the base colour veined with `vein`.
    Marble {
        /// Vein colour, sRGB.
        vein: Vec3,
    },
    /// Running-bond brickwork with 1 cm mortar joints.
    Brick {
        /// Brick size in (u, v), metres.
        size: Vec2,
        /// Mortar colour, sRGB.
        mortar: Vec3,
    },
    /// A procedural picture filling a `size` rectangle (posters, paintings, photos).
    Poster {
        /// Picture size in (u, v), metres.
        size: Vec2,
        /// Kind of picture (abstract, landscape, ...; taken modulo 5).
        style: u8,
    },
    /// A screen: an image when on, near-black glass when off.
    Screen {
        /// Screen size in (u, v), metres.
        size: Vec2,
        /// Whether the screen shows an image.
        on: bool,
    },
    /// Lines of "text" on paper.
    Text {
        /// Paper size in (u, v), metres.
        size: Vec2,
        /// Ink colour, sRGB.
        ink: Vec3,
    },
    /// Marker strokes on a whiteboard.
    Scribbles {
        /// Whiteboard size in (u, v), metres.
        size: Vec2,
    },
    /// A book: spine with bands on face −y, page edges elsewhere except the covers (±x).
    Book {
        /// Colour of the bands on the spine, sRGB.
        band: Vec3,
        /// The book's extent (x, y, z), metres.
        size: Vec3,
    },
    /// Inset panels (doors, cabinet fronts) on the ±y faces of a `size` front.
    Panels {
        /// Front size in (u, v), metres.
        size: Vec2,
        /// Distance of the panel groove from the edge, metres.
        margin: f32,
    },
    /// The view out of a window: sky above `horizon` (metres in v), trees or buildings below.
    Outdoor {
        /// Scenery: trees, buildings, ... (taken modulo 4).
        style: u8,
        /// Height of the horizon in v, metres.
        horizon: f32,
    },
    /// A mirror's blurred reflection: floor colour at the bottom to wall colour at the top.
    Mirror {
        /// Colour reflected at the bottom (the floor's), sRGB.
        bottom: Vec3,
        /// Colour reflected at the top (the wall's), sRGB.
        top: Vec3,
        /// Mirror height, metres.
        height: f32,
    },
    /// Foliage: light and dark leaves.
    Leaves,
}

/// How a surface looks.
#[derive(Clone, Debug)]
pub struct Material {
    /// Base colour, sRGB in [0, 1].
    pub base: Vec3,
    /// The texture on top of `base`.
    pub pattern: Pattern,
    /// 0 (matte) to 1 (mirror-like): the strength of the view-dependent lobe.
    pub gloss: f32,
    /// Radiance multiplier of a self-lit surface (0 = lit by the room only).
    pub emission: f32,
    /// Typical opacity of its Gaussians: 1 for solid things, low for glass.
    pub opacity: f32,
    /// Seed for the pattern's noise.
    pub seed: u32,
}

impl Material {
    /// A solid, non-emissive material with a fresh noise seed from `rng`.
    pub fn new(base: Vec3, pattern: Pattern, gloss: f32, rng: &mut Rng) -> Self {
        Self { base, pattern, gloss, emission: 0.0, opacity: 1.0, seed: rng.next_u64() as u32 }
    }

    /// Base colour with a faint paint-like mottle.
    pub fn plain(base: Vec3, gloss: f32, rng: &mut Rng) -> Self {
        Self::new(base, Pattern::Mottle { scale: 3.0, amp: 0.05 }, gloss, rng)
    }

    /// The same material glowing with radiance multiplier `strength`.
    pub fn emissive(mut self, strength: f32) -> Self {
        self.emission = strength;
        self
    }

    /// Albedo (sRGB) at a surface sample given in the part's local frame.
    pub fn albedo(&self, s: &LocalSample) -> Vec3 {
        let seed = self.seed;
        let uv = s.uv;
        let p = s.p;
        let c = match &self.pattern {
            Pattern::Plain => self.base,
            Pattern::Mottle { scale, amp } => {
                let n = fbm3(p * *scale, seed, 3);
                self.base * (1.0 + amp * (2.0 * n - 1.0))
            }
            Pattern::Wood { axis, amp } => wood_grain(self.base, p, *axis as usize, *amp, seed),
            Pattern::Planks { width, length } => planks(self.base, uv, *width, *length, seed),
            Pattern::Tiles { size, grout, gw, vary } => {
                let q = uv / *size;
                let cell = q.floor();
                let f = q - cell;
                let edge = (f.x.min(1.0 - f.x) * size.x).min(f.y.min(1.0 - f.y) * size.y);
                if edge < *gw {
                    *grout
                } else {
                    let h = hashf(cell.x as i32, cell.y as i32, 0, seed);
                    self.base * (1.0 + vary * (h - 0.5)) * (0.97 + 0.06 * fbm2(uv * 9.0, seed, 2))
                }
            }
            Pattern::Fabric { amp } => {
                let fine = value2(uv * 180.0, seed);
                let blot = fbm2(uv * 6.0, seed ^ 0x55, 3);
                self.base * (1.0 + amp * (0.6 * (fine - 0.5) + 0.8 * (blot - 0.5)))
            }
            Pattern::Stripes { period, duty, color2, vertical } => {
                let x = if *vertical { uv.x } else { uv.y };
                if (x / period).fract() < *duty { *color2 } else { self.base }
            }
            Pattern::Checker { size, color2 } => {
                let q = (uv / *size).floor();
                if (q.x + q.y).rem_euclid(2.0) < 1.0 { self.base } else { *color2 }
            }
            Pattern::Marble { vein } => {
                let n = fbm3(p * 2.5, seed, 4);
                let v = (((p.x + p.y * 0.7 + p.z * 0.3) * 4.0 + n * 9.0).sin().abs()).powf(0.15);
                vein.lerp(self.base, v) * (0.97 + 0.06 * n)
            }
            Pattern::Brick { size, mortar } => {
                let row = (uv.y / size.y).floor();
                let x = uv.x / size.x + 0.5 * row.rem_euclid(2.0);
                let col = x.floor();
                let (fx, fy) = (x - col, uv.y / size.y - row);
                if fx * size.x < 0.01 || fy * size.y < 0.01 {
                    *mortar
                } else {
                    let h = hashf(col as i32, row as i32, 1, seed);
                    self.base * (0.8 + 0.35 * h) * (0.95 + 0.1 * fbm2(uv * 20.0, seed, 2))
                }
            }
            Pattern::Poster { size, style } => poster(self.base, uv / *size, *style, seed),
            Pattern::Screen { size, on } => {
                if *on {
                    poster(self.base, uv / *size, 4, seed) * 0.9 + Vec3::splat(0.05)
                } else {
                    let q = uv / *size;
                    Vec3::splat(0.025 + 0.03 * (q.x * 0.6 + q.y * 0.8)) + self.base * 0.02
                }
            }
            Pattern::Text { size, ink } => text(self.base, uv / *size, *size, *ink, seed),
            Pattern::Scribbles { size } => scribbles(self.base, uv / *size, seed),
            Pattern::Book { band, size } => book(self.base, s, *band, *size, seed),
            Pattern::Panels { size, margin } => {
                if s.face == 2 || s.face == 3 {
                    let d = uv.x.min(size.x - uv.x).min(uv.y).min(size.y - uv.y);
                    let groove = (d - margin).abs() < 0.008;
                    self.base
                        * if groove {
                            0.72
                        } else if d > *margin {
                            1.0
                        } else {
                            0.96
                        }
                } else {
                    self.base * 0.97
                }
            }
            Pattern::Outdoor { style, horizon } => outdoor(uv, *style, *horizon, seed),
            Pattern::Mirror { bottom, top, height } => {
                let t = (uv.y / height).clamp(0.0, 1.0);
                let n = fbm2(uv * 3.0, seed, 3);
                bottom.lerp(*top, (t * 1.6 - 0.3).clamp(0.0, 1.0)) * (0.8 + 0.3 * n)
            }
            Pattern::Leaves => {
                let n = fbm3(p * 25.0, seed, 3);
                let m = value2(uv * 60.0, seed ^ 9);
                self.base * (0.55 + 0.8 * n) + Vec3::new(0.05, 0.06, -0.02) * (m - 0.5)
            }
        };
        c.clamp(Vec3::ZERO, Vec3::ONE)
    }
}

// ---------------------------------------------------------------------------------------
// Palettes.

/// Multiplies a colour by a random brightness and a small random tint.
pub fn vary(c: Vec3, amount: f32, rng: &mut Rng) -> Vec3 {
    let b = 1.0 + amount * rng.normal().clamp(-2.0, 2.0);
    let tint = Vec3::new(
        1.0 + 0.3 * amount * rng.normal(),
        1.0 + 0.3 * amount * rng.normal(),
        1.0 + 0.3 * amount * rng.normal(),
    );
    (c * b * tint).clamp(Vec3::splat(0.01), Vec3::splat(0.98))
}

fn pick_colour(rng: &mut Rng, list: &[[f32; 3]]) -> Vec3 {
    Vec3::from_array(*rng.pick(list))
}

const WOODS: [[f32; 3]; 9] = [
    [0.78, 0.62, 0.43], // oak
    [0.85, 0.72, 0.52], // pine/birch
    [0.38, 0.25, 0.16], // walnut
    [0.55, 0.31, 0.2],  // cherry
    [0.45, 0.22, 0.14], // mahogany
    [0.88, 0.8, 0.66],  // ash / maple
    [0.62, 0.58, 0.52], // grey-washed
    [0.25, 0.17, 0.11], // dark stained
    [0.7, 0.5, 0.32],   // teak
];

/// Random wood (oak to walnut), grain along local x or y.
pub fn wood(rng: &mut Rng) -> Material {
    let base = vary(pick_colour(rng, &WOODS), 0.08, rng);
    let axis = if rng.chance(0.5) { 0 } else { 1 };
    Material::new(base, Pattern::Wood { axis, amp: rng.range(0.1, 0.35) }, rng.range(0.05, 0.4), rng)
}

/// Wood whose grain runs along a given local axis (legs: z).
pub fn wood_along(axis: u8, like: &Material, rng: &mut Rng) -> Material {
    let mut m = like.clone();
    if let Pattern::Wood { amp, .. } = like.pattern {
        m.pattern = Pattern::Wood { axis, amp };
    }
    m.seed = rng.next_u64() as u32;
    m
}

const PAINTS: [[f32; 3]; 12] = [
    [0.93, 0.93, 0.91],
    [0.95, 0.94, 0.9],
    [0.9, 0.88, 0.83],
    [0.85, 0.86, 0.86],
    [0.12, 0.12, 0.13],
    [0.3, 0.32, 0.35],
    [0.55, 0.58, 0.6],
    [0.62, 0.7, 0.66],
    [0.2, 0.28, 0.42],
    [0.72, 0.62, 0.5],
    [0.8, 0.75, 0.65],
    [0.45, 0.52, 0.38],
];

/// Painted wood or MDF furniture.
pub fn painted(rng: &mut Rng) -> Material {
    let base = vary(pick_colour(rng, &PAINTS), 0.05, rng);
    Material::new(base, Pattern::Mottle { scale: 8.0, amp: 0.04 }, rng.range(0.1, 0.4), rng)
}

/// Either wood or paint, as furniture usually is.
pub fn furniture(rng: &mut Rng) -> Material {
    if rng.chance(0.6) { wood(rng) } else { painted(rng) }
}

/// Office laminate: whites, greys, beech.
pub fn laminate(rng: &mut Rng) -> Material {
    let list = [[0.92, 0.92, 0.9], [0.7, 0.7, 0.7], [0.82, 0.7, 0.52], [0.35, 0.35, 0.36], [0.88, 0.85, 0.78]];
    let base = vary(pick_colour(rng, &list), 0.04, rng);
    Material::new(base, Pattern::Mottle { scale: 20.0, amp: 0.03 }, rng.range(0.2, 0.45), rng)
}

const FABRICS: [[f32; 3]; 14] = [
    [0.55, 0.55, 0.55],
    [0.3, 0.3, 0.32],
    [0.75, 0.7, 0.62],
    [0.2, 0.25, 0.4],
    [0.3, 0.42, 0.3],
    [0.78, 0.6, 0.2],
    [0.2, 0.45, 0.48],
    [0.65, 0.35, 0.25],
    [0.5, 0.15, 0.18],
    [0.85, 0.82, 0.75],
    [0.15, 0.15, 0.16],
    [0.45, 0.38, 0.5],
    [0.6, 0.65, 0.72],
    [0.45, 0.35, 0.25],
];

/// Random upholstery fabric.
pub fn fabric(rng: &mut Rng) -> Material {
    let base = vary(pick_colour(rng, &FABRICS), 0.07, rng);
    Material::new(base, Pattern::Fabric { amp: rng.range(0.08, 0.25) }, rng.range(0.0, 0.08), rng)
}

/// Random leather: browns, black, cream.
pub fn leather(rng: &mut Rng) -> Material {
    let list = [[0.35, 0.2, 0.12], [0.1, 0.09, 0.09], [0.55, 0.33, 0.18], [0.75, 0.68, 0.58], [0.25, 0.15, 0.1]];
    let base = vary(pick_colour(rng, &list), 0.05, rng);
    Material::new(base, Pattern::Fabric { amp: 0.08 }, rng.range(0.3, 0.5), rng)
}

/// Random metal: steel, black, aluminium, brass, chrome white; glossy.
pub fn metal(rng: &mut Rng) -> Material {
    let list = [[0.75, 0.75, 0.77], [0.08, 0.08, 0.09], [0.55, 0.56, 0.58], [0.72, 0.58, 0.32], [0.9, 0.9, 0.9]];
    let base = vary(pick_colour(rng, &list), 0.03, rng);
    Material::new(base, Pattern::Mottle { scale: 40.0, amp: 0.05 }, rng.range(0.5, 0.9), rng)
}

/// Random plastic: white, black, grey or a saturated colour.
pub fn plastic(rng: &mut Rng) -> Material {
    let base = if rng.chance(0.5) {
        pick_colour(rng, &[[0.92, 0.92, 0.9], [0.1, 0.1, 0.1], [0.5, 0.5, 0.52]])
    } else {
        hsv(rng.range(0.0, 6.0), rng.range(0.3, 0.8), rng.range(0.4, 0.9))
    };
    Material::new(vary(base, 0.03, rng), Pattern::Plain, rng.range(0.25, 0.5), rng)
}

/// Glazed white ceramic (sinks, toilets, tiles).
pub fn ceramic(rng: &mut Rng) -> Material {
    let base = vary(Vec3::new(0.93, 0.93, 0.92), 0.02, rng);
    Material::new(base, Pattern::Mottle { scale: 10.0, amp: 0.02 }, rng.range(0.6, 0.8), rng)
}

/// Tinted glass: nearly transparent (opacity 0.06-0.16), glossy.
pub fn glass(rng: &mut Rng) -> Material {
    let base = vary(Vec3::new(0.6, 0.7, 0.72), 0.05, rng);
    let mut m = Material::new(base, Pattern::Plain, 0.9, rng);
    m.opacity = rng.range(0.06, 0.16);
    m
}

/// White paper of `size` (u, v) metres with lines of text.
pub fn paper(rng: &mut Rng, size: Vec2) -> Material {
    let base = vary(Vec3::new(0.94, 0.94, 0.91), 0.02, rng);
    Material::new(base, Pattern::Text { size, ink: Vec3::splat(0.1) }, 0.05, rng)
}

/// Bedding and towels: whites and soft colours, sometimes striped or checked.
pub fn linen(rng: &mut Rng) -> Material {
    let list = [
        [0.93, 0.92, 0.9],
        [0.85, 0.82, 0.75],
        [0.6, 0.65, 0.72],
        [0.7, 0.72, 0.68],
        [0.4, 0.45, 0.55],
        [0.82, 0.7, 0.68],
        [0.5, 0.5, 0.5],
    ];
    let base = vary(pick_colour(rng, &list), 0.05, rng);
    let pattern = match rng.below(6) {
        0 => Pattern::Stripes {
            period: rng.range(0.04, 0.2),
            duty: 0.3,
            color2: vary(base * 0.7, 0.1, rng),
            vertical: rng.chance(0.5),
        },
        1 => Pattern::Checker { size: rng.range(0.05, 0.15), color2: base * 0.8 },
        _ => Pattern::Fabric { amp: rng.range(0.05, 0.15) },
    };
    Material::new(base, pattern, 0.02, rng)
}

/// Any colour at all, for props (boxes, bags, books, toys).
pub fn prop_colour(rng: &mut Rng) -> Vec3 {
    if rng.chance(0.35) {
        let g = rng.range(0.1, 0.9);
        Vec3::splat(g)
    } else {
        hsv(rng.range(0.0, 6.0), rng.range(0.25, 0.85), rng.range(0.25, 0.9))
    }
}

/// The same material, darker or lighter by `factor`, with a new noise seed.
pub fn vary_material(m: &Material, factor: f32, rng: &mut Rng) -> Material {
    let mut m = m.clone();
    m.base = (m.base * factor).clamp(Vec3::ZERO, Vec3::ONE);
    m.seed = rng.next_u64() as u32;
    m
}

/// Brown cardboard.
pub fn cardboard(rng: &mut Rng) -> Material {
    let base = vary(Vec3::new(0.66, 0.5, 0.33), 0.06, rng);
    Material::new(base, Pattern::Mottle { scale: 15.0, amp: 0.08 }, 0.03, rng)
}

/// Leaves of a house plant.
pub fn foliage(rng: &mut Rng) -> Material {
    let base = vary(Vec3::new(0.2, 0.4, 0.15), 0.15, rng);
    Material::new(base, Pattern::Leaves, 0.15, rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_palette_gives_colours_in_range() {
        let mut rng = Rng::new(3);
        let sample = LocalSample {
            p: Vec3::new(0.1, 0.2, 0.3),
            n: Vec3::Z,
            t: Vec3::X,
            uv: Vec2::new(0.3, 0.4),
            face: 3,
            feature: 0.1,
        };
        for _ in 0..50 {
            for m in [
                wood(&mut rng),
                painted(&mut rng),
                fabric(&mut rng),
                leather(&mut rng),
                metal(&mut rng),
                linen(&mut rng),
                foliage(&mut rng),
            ] {
                let c = m.albedo(&sample);
                assert!(c.is_finite() && c.min_element() >= 0.0 && c.max_element() <= 1.0);
            }
        }
        for style in 0..5 {
            let m = Material::new(Vec3::splat(0.5), Pattern::Poster { size: Vec2::ONE, style }, 0.1, &mut rng);
            let c = m.albedo(&sample);
            assert!(c.is_finite());
        }
    }
}

//! Furniture and prop builders. Each returns an [`Object`] in its own frame: origin on the
//! floor (or the surface it stands on, or the wall's foot for wall items) under its centre,
//! z up, front towards −y, back at +y. Sizes, proportions, colours and sub-styles are drawn
//! from the generator, so no two are alike unless a caller reuses one (matching chairs).

pub mod bath;
pub mod beds;
pub mod decor;
pub mod kitchen;
pub mod lamps;
pub mod props;
pub mod seating;
pub mod storage;
pub mod tables;

use glam::Vec3;

use super::material::{self, Material};
use super::part::Object;
use crate::util::rng::Rng;

pub(crate) fn v(x: f32, y: f32, z: f32) -> Vec3 {
    Vec3::new(x, y, z)
}

/// Leg styles shared by tables, desks, chairs and cabinets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LegStyle {
    /// Square legs of this side, metres.
    Square(f32),
    /// Round legs of this radius, metres.
    Round(f32),
    /// Round, narrowing towards the floor.
    Tapered(f32),
}

impl LegStyle {
    /// A random style for legs about `thick` metres across.
    pub fn random(rng: &mut Rng, thick: f32) -> Self {
        match rng.below(3) {
            0 => LegStyle::Square(thick),
            1 => LegStyle::Round(thick * 0.5),
            _ => LegStyle::Tapered(thick * 0.55),
        }
    }

    /// Width across a leg, metres.
    pub fn size(&self) -> f32 {
        match *self {
            LegStyle::Square(s) => s,
            LegStyle::Round(r) | LegStyle::Tapered(r) => 2.0 * r,
        }
    }
}

/// A vertical leg with its centre at (x, y), from the floor up to `z1`.
pub fn leg(o: &mut Object, x: f32, y: f32, z1: f32, style: LegStyle, label: u16, mat: &Material) {
    let z0 = 0.0;
    match style {
        LegStyle::Square(s) => {
            o.cuboid(v(x - 0.5 * s, y - 0.5 * s, z0), v(x + 0.5 * s, y + 0.5 * s, z1), label, mat);
        }
        LegStyle::Round(r) => {
            o.cyl(v(x, y, z0), r, r, z1 - z0, label, mat);
        }
        LegStyle::Tapered(r) => {
            o.cyl(v(x, y, z0), r * 0.6, r, z1 - z0, label, mat);
        }
    }
}

/// Four legs up to `z1`, inset from the corners of a rectangle with half extents `half`.
pub fn four_legs(o: &mut Object, half: glam::Vec2, inset: f32, z1: f32, style: LegStyle, label: u16, mat: &Material) {
    let (x, y) = (half.x - inset - 0.5 * style.size(), half.y - inset - 0.5 * style.size());
    for (sx, sy) in [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)] {
        leg(o, sx * x, sy * y, z1, style, label, mat);
    }
}

/// Handle styles for doors and drawers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Handle {
    /// A round knob.
    Knob,
    /// A bar pull.
    Bar,
    /// No handle.
    None,
}

impl Handle {
    /// A random handle (bars twice as likely as knobs or none).
    pub fn random(rng: &mut Rng) -> Self {
        *rng.pick(&[Handle::Knob, Handle::Bar, Handle::Bar, Handle::None])
    }
}

/// A door or drawer front on the −y face at `y`, spanning x0..x1, z0..z1, with a handle
/// at (hx, hz) (a vertical bar when `vertical`).
#[allow(clippy::too_many_arguments)]
pub fn front(
    o: &mut Object,
    x0: f32,
    x1: f32,
    z0: f32,
    z1: f32,
    y: f32,
    handle: Handle,
    at: (f32, f32),
    vertical: bool,
    label: u16,
    mat: &Material,
    metal: &Material,
) {
    let gap = 0.003;
    let mut m = mat.clone();
    if !matches!(m.pattern, material::Pattern::Wood { .. }) {
        m.pattern = material::Pattern::Panels { size: glam::Vec2::new(x1 - x0, z1 - z0), margin: 0.05 };
    }
    o.cuboid(v(x0 + gap, y - 0.018, z0 + gap), v(x1 - gap, y, z1 - gap), label, &m);
    let (hx, hz) = at;
    match handle {
        Handle::Knob => {
            o.rod(v(hx, y - 0.018, hz), v(hx, y - 0.045, hz), 0.012, label, metal);
        }
        Handle::Bar => {
            let l = 0.06 + 0.08 * ((x1 - x0).min(z1 - z0)).min(1.0);
            let (a, b) = if vertical {
                (v(hx, y - 0.045, hz - l), v(hx, y - 0.045, hz + l))
            } else {
                (v(hx - l, y - 0.045, hz), v(hx + l, y - 0.045, hz))
            };
            o.rod(a, b, 0.007, label, metal);
            let d = if vertical { v(0.0, 0.0, l * 0.8) } else { v(l * 0.8, 0.0, 0.0) };
            let mid = (a + b) * 0.5;
            o.rod(mid - d + v(0.0, 0.027, 0.0), mid - d, 0.005, label, metal);
            o.rod(mid + d + v(0.0, 0.027, 0.0), mid + d, 0.005, label, metal);
        }
        Handle::None => {}
    }
}

/// Checks every builder's output: finite, above its base, not absurdly large.
#[cfg(test)]
pub(crate) fn assert_sane(o: &Object) {
    let (lo, hi) = o.bounds();
    assert!(lo.is_finite() && hi.is_finite(), "{} has non-finite bounds", o.name);
    // Bounds of tilted parts are conservative boxes, so allow a little.
    assert!(lo.z > -0.02, "{} pokes below its base: {lo}", o.name);
    assert!(hi.z - lo.z < 3.0 && (hi - lo).truncate().max_element() < 4.0, "{} is huge: {lo} {hi}", o.name);
    assert!(!o.parts.is_empty());
    for p in &o.parts {
        assert!(p.shape.area() > 0.0 && p.shape.area().is_finite(), "{}: {:?}", o.name, p.shape);
    }
}

/// A counter slab from `lo` to `hi` with a rectangular basin (half size `half`, `depth`
/// deep) centred at `c`: four solid slab pieces around the hole, the basin's inner faces,
/// a drain, and a faucet behind it.
#[allow(clippy::too_many_arguments)]
pub fn counter_with_basin(
    o: &mut Object,
    lo: Vec3,
    hi: Vec3,
    c: glam::Vec2,
    half: glam::Vec2,
    depth: f32,
    counter_label: u16,
    counter: &Material,
    basin: &Material,
    rng: &mut Rng,
) {
    let (bx0, bx1, by0, by1) = (c.x - half.x, c.x + half.x, c.y - half.y, c.y + half.y);
    o.cuboid(lo, v(hi.x, by0, hi.z), counter_label, counter);
    o.cuboid(v(lo.x, by1, lo.z), hi, counter_label, counter);
    o.cuboid(v(lo.x, by0, lo.z), v(bx0, by1, hi.z), counter_label, counter);
    o.cuboid(v(bx1, by0, lo.z), v(hi.x, by1, hi.z), counter_label, counter);
    let s = crate::classes::id::SINK;
    let zb = hi.z - depth;
    let zm = hi.z - 0.5 * depth;
    o.quad(v(c.x, c.y, zb), Vec3::X, Vec3::Z, half, false, s, basin);
    o.quad(v(c.x, by0, zm), Vec3::X, Vec3::Y, glam::Vec2::new(half.x, 0.5 * depth), false, s, basin);
    o.quad(v(c.x, by1, zm), Vec3::X, -Vec3::Y, glam::Vec2::new(half.x, 0.5 * depth), false, s, basin);
    o.quad(v(bx0, c.y, zm), Vec3::Y, Vec3::X, glam::Vec2::new(half.y, 0.5 * depth), false, s, basin);
    o.quad(v(bx1, c.y, zm), Vec3::Y, -Vec3::X, glam::Vec2::new(half.y, 0.5 * depth), false, s, basin);
    let dark = Material::plain(Vec3::splat(0.15), 0.6, rng);
    o.cyl(v(c.x, c.y, zb), 0.025, 0.025, 0.002, s, &dark);
    let chrome = Material::plain(Vec3::splat(0.8), 0.9, rng);
    let fy = (by1 + 0.04).min(hi.y - 0.02);
    let fh = rng.range(0.15, 0.3);
    let p = crate::classes::id::OTHER_PROP;
    o.cyl(v(c.x, fy, hi.z), 0.022, 0.02, fh, p, &chrome);
    o.rod(v(c.x, fy, hi.z + fh), v(c.x, fy - rng.range(0.1, 0.18), hi.z + fh - 0.03), 0.012, p, &chrome);
    o.rod(v(c.x + 0.05, fy, hi.z + 0.04), v(c.x + 0.05, fy - 0.06, hi.z + 0.05), 0.01, p, &chrome);
}

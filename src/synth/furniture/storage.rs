//! Cabinets, wardrobes, dressers, bookshelves, shelving and TV stands.

use glam::Vec2;

use super::props::book_row;
use super::{Handle, LegStyle, four_legs, front, v};
use crate::classes::id;
use crate::synth::material::{self, Material};
use crate::synth::part::Object;
use crate::util::rng::Rng;

/// Cabinet body `hw` × `hd` × `h` with `cols` door columns (and `rows` of drawers when
/// `drawers`), on a plinth or legs, labelled `label`.
#[allow(clippy::too_many_arguments)]
pub fn cabinet(
    rng: &mut Rng,
    mat: &Material,
    hw: f32,
    hd: f32,
    h: f32,
    cols: usize,
    rows: usize,
    drawers: bool,
    label: u16,
) -> Object {
    let mut o = Object::new("cabinet");
    let metal = material::metal(rng);
    let base = match rng.below(3) {
        0 => {
            let lh = rng.range(0.08, 0.18);
            four_legs(&mut o, glam::Vec2::new(hw, hd), 0.03, lh, LegStyle::random(rng, 0.035), label, &metal);
            lh
        }
        _ => {
            let ph = rng.range(0.03, 0.1);
            o.cuboid(
                v(-hw + 0.02, -hd + 0.04, 0.0),
                v(hw - 0.02, hd, ph),
                label,
                &material::vary_material(mat, 0.7, rng),
            );
            ph
        }
    };
    o.cuboid(v(-hw, -hd + 0.02, base), v(hw, hd, h), label, mat);
    let handle = Handle::random(rng);
    let y = -hd + 0.02;
    let (z0, z1) = (base + 0.01, h - 0.01);
    for c in 0..cols {
        let x0 = -hw + 2.0 * hw * c as f32 / cols as f32;
        let x1 = -hw + 2.0 * hw * (c + 1) as f32 / cols as f32;
        if drawers {
            for r in 0..rows {
                let a = z0 + (z1 - z0) * r as f32 / rows as f32;
                let b = z0 + (z1 - z0) * (r + 1) as f32 / rows as f32;
                front(
                    &mut o,
                    x0,
                    x1,
                    a,
                    b,
                    y,
                    handle,
                    (0.5 * (x0 + x1), 0.5 * (a + b) + 0.2 * (b - a)),
                    false,
                    label,
                    mat,
                    &metal,
                );
            }
        } else {
            // Door handles sit at the meeting edges of each pair of doors.
            let hx = if c % 2 == 0 && c + 1 < cols {
                x1 - 0.04
            } else if c % 2 == 1 {
                x0 + 0.04
            } else {
                x1 - 0.04
            };
            let hz = if h > 1.2 { base + 0.5 * (h - base) } else { z1 - 0.08 };
            front(&mut o, x0, x1, z0, z1, y, handle, (hx, hz), true, label, mat, &metal);
        }
    }
    o.support(v(0.0, 0.0, h), Vec2::new(hw - 0.02, hd - 0.02), 0.8);
    o
}

/// A tall wardrobe with two or three doors.
pub fn wardrobe(rng: &mut Rng, mat: &Material) -> Object {
    let doors = 2 + rng.below(2);
    let hw = doors as f32 * rng.range(0.22, 0.3);
    let hd = rng.range(0.27, 0.32);
    let h = rng.range(1.8, 2.25);
    let mut o = cabinet(rng, mat, hw, hd, h, doors, 1, false, id::CABINET);
    o.supports.clear();
    o.name = "wardrobe";
    o
}

/// A chest of drawers.
pub fn dresser(rng: &mut Rng, mat: &Material) -> Object {
    let cols = 1 + rng.below(3);
    let hw = cols as f32 * rng.range(0.22, 0.4);
    let rows = 3 + rng.below(3);
    let hd = rng.range(0.2, 0.27);
    let h = rng.range(0.75, 1.15);
    let mut o = cabinet(rng, mat, hw, hd, h, cols, rows, true, id::DRESSER);
    o.name = "dresser";
    o
}

/// A low sideboard or TV stand.
pub fn low_cabinet(rng: &mut Rng, mat: &Material, label: u16) -> Object {
    let cols = 2 + rng.below(3);
    let hw = cols as f32 * rng.range(0.2, 0.3);
    let drawers = rng.chance(0.3);
    let hd = rng.range(0.18, 0.25);
    let h = rng.range(0.4, 0.85);
    let mut o = cabinet(rng, mat, hw, hd, h, cols, 2, drawers, label);
    o.name = "low cabinet";
    o
}

/// A metal filing cabinet.
pub fn filing_cabinet(rng: &mut Rng) -> Object {
    let mat = if rng.chance(0.5) {
        material::Material::plain(material::vary(glam::Vec3::new(0.6, 0.62, 0.64), 0.1, rng), 0.4, rng)
    } else {
        material::plastic(rng)
    };
    let rows = 2 + rng.below(3);
    let h = rows as f32 * rng.range(0.28, 0.34);
    let hw = rng.range(0.2, 0.25);
    let hd = rng.range(0.25, 0.32);
    let mut o = cabinet(rng, &mat, hw, hd, h, 1, rows, true, id::CABINET);
    o.name = "filing cabinet";
    o
}

/// A bookshelf: sides, top, back and shelves, mostly filled with rows of books.
pub fn bookshelf(rng: &mut Rng, mat: &Material) -> Object {
    let mut o = Object::new("bookshelf");
    let l = id::BOOKSHELF;
    let hw = rng.range(0.3, 0.6);
    let hd = rng.range(0.14, 0.2);
    let h = rng.range(0.9, 2.2);
    let t = rng.range(0.015, 0.03);
    let n = ((h / rng.range(0.3, 0.4)) as usize).max(2);
    o.cuboid(v(-hw, -hd, 0.0), v(-hw + t, hd, h), l, mat);
    o.cuboid(v(hw - t, -hd, 0.0), v(hw, hd, h), l, mat);
    o.cuboid(v(-hw + t, hd - 0.008, 0.0), v(hw - t, hd, h), l, mat);
    o.cuboid(v(-hw + t, -hd, h - t), v(hw - t, hd - 0.008, h), l, mat);
    let plinth = rng.range(0.03, 0.08);
    o.cuboid(v(-hw + t, -hd, 0.0), v(hw - t, hd - 0.008, plinth), l, mat);
    let fill = rng.range(0.4, 0.95);
    for k in 0..n {
        let z = plinth + (h - t - plinth) * k as f32 / n as f32;
        let next = plinth + (h - t - plinth) * (k + 1) as f32 / n as f32;
        if k > 0 {
            o.cuboid(v(-hw + t, -hd, z - t), v(hw - t, hd - 0.008, z), l, mat);
        }
        if rng.chance(fill) {
            let room = next - z - t - 0.02;
            let width = 2.0 * (hw - t) - 0.01;
            let start = -hw + t + 0.005;
            let share = rng.range(0.4, 1.0);
            book_row(&mut o, rng, start, width * share, z, -hd + 0.01, 2.0 * hd - 0.03, room);
        }
    }
    o
}

/// A shelving unit: open levels on four posts, with support slots for props.
pub fn shelving(rng: &mut Rng, mat: &Material) -> Object {
    let mut o = Object::new("shelves");
    let l = id::SHELVES;
    let hw = rng.range(0.3, 0.6);
    let hd = rng.range(0.15, 0.25);
    let h = rng.range(0.8, 1.9);
    let n = ((h / rng.range(0.3, 0.45)) as usize).max(2);
    let metal_posts = rng.chance(0.5);
    let post_mat = if metal_posts { material::metal(rng) } else { mat.clone() };
    four_legs(&mut o, glam::Vec2::new(hw, hd), 0.0, h, LegStyle::Square(0.025), l, &post_mat);
    for k in 0..n {
        let z = 0.08 + (h - 0.1) * k as f32 / (n - 1) as f32;
        o.cuboid(v(-hw + 0.025, -hd, z - 0.02), v(hw - 0.025, hd, z), l, mat);
        let clear = if k + 1 < n { (h - 0.1) / (n - 1) as f32 - 0.04 } else { 0.5 };
        o.support(v(0.0, 0.0, z), Vec2::new(hw - 0.04, hd - 0.02), clear);
    }
    o
}

/// Wall shelves: one to three boards on brackets, built for [`crate::synth::layout::Layout::on_wall`].
pub fn wall_shelves(rng: &mut Rng, mat: &Material) -> Object {
    let mut o = Object::new("wall shelves");
    let l = id::SHELVES;
    let hw = rng.range(0.3, 0.7);
    let d = rng.range(0.15, 0.28);
    let n = 1 + rng.below(3);
    let gap = rng.range(0.3, 0.4);
    let metal = material::metal(rng);
    for k in 0..n {
        let z = 0.03 + gap * k as f32;
        o.cuboid(v(-hw, -d, z - 0.025), v(hw, 0.0, z), l, mat);
        for sx in [-1.0, 1.0] {
            o.cuboid(
                v(sx * (hw - 0.1) - 0.01, -d * 0.8, z - 0.12),
                v(sx * (hw - 0.1) + 0.01, 0.0, z - 0.025),
                l,
                &metal,
            );
        }
        o.support(v(0.0, -0.5 * d, z), Vec2::new(hw - 0.02, 0.5 * d - 0.01), gap - 0.05);
    }
    // Brackets hang below the lowest board; lift everything so the object starts at z = 0.
    o.transformed(v(0.0, 0.0, 0.12), 0.0)
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn storage_is_sane() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let wood = material::wood(&mut rng);
            for o in [
                wardrobe(&mut rng, &wood),
                dresser(&mut rng, &wood),
                low_cabinet(&mut rng, &wood, id::CABINET),
                filing_cabinet(&mut rng),
                bookshelf(&mut rng, &wood),
                shelving(&mut rng, &wood),
                wall_shelves(&mut rng, &wood),
            ] {
                assert_sane(&o);
            }
        }
    }
}

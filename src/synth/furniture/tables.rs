//! Tables, desks, night stands.

use std::f32::consts::TAU;

use glam::Vec2;

use super::{Handle, LegStyle, four_legs, front, leg, v};
use crate::classes::id;
use crate::synth::material::{self, Material};
use crate::synth::part::Object;
use crate::util::rng::Rng;

/// A table `hw` × `hd` (half sizes) and `h` tall, with four legs, a pedestal or trestles;
/// round when `round` (then `hw` is the radius).
pub fn table(rng: &mut Rng, mat: &Material, hw: f32, hd: f32, h: f32, round: bool, label: u16) -> Object {
    let mut o = Object::new("table");
    let t = rng.range(0.02, 0.05);
    let leg_mat = if rng.chance(0.25) { material::metal(rng) } else { material::wood_along(2, mat, rng) };
    if round {
        o.cyl(v(0.0, 0.0, h - t), hw, hw, t, label, mat);
        if rng.chance(0.6) {
            o.cyl(v(0.0, 0.0, 0.0), hw * 0.45, hw * 0.4, 0.03, label, &leg_mat);
            o.cyl(v(0.0, 0.0, 0.03), 0.05, 0.04, h - t - 0.03, label, &leg_mat);
        } else {
            let n = 3 + rng.below(2);
            for k in 0..n {
                let a = TAU * k as f32 / n as f32;
                let d = v(a.cos(), a.sin(), 0.0);
                o.rod(d * hw * 0.75, d * hw * 0.55 + v(0.0, 0.0, h - t), 0.018, label, &leg_mat);
            }
        }
        o.support(v(0.0, 0.0, h), Vec2::splat(hw * 0.7), 0.6);
        return o;
    }
    let soft = rng.chance(0.3);
    if soft {
        o.blob(v(0.0, 0.0, h - 0.5 * t), v(hw, hd, 0.5 * t), 10.0, label, mat);
    } else {
        o.cuboid(v(-hw, -hd, h - t), v(hw, hd, h), label, mat);
    }
    match rng.below(5) {
        0 if hw > 0.45 => {
            // Trestles: a panel at each end and a stretcher.
            let x = hw - rng.range(0.1, 0.2);
            for sx in [-1.0, 1.0] {
                o.cuboid(v(sx * x - 0.025, -hd + 0.08, 0.0), v(sx * x + 0.025, hd - 0.08, h - t), label, &leg_mat);
            }
            o.cuboid(v(-x, -0.02, 0.12), v(x, 0.02, 0.2), label, &leg_mat);
        }
        1 => {
            // Legs inset under an apron.
            let thick = rng.range(0.04, 0.07);
            let style = LegStyle::random(rng, thick);
            let inset = rng.range(0.03, 0.08);
            four_legs(&mut o, glam::Vec2::new(hw, hd), inset, h - t, style, label, &leg_mat);
            let a = rng.range(0.06, 0.1);
            let (ix, iy) = (hw - inset - 0.01, hd - inset - 0.01);
            o.cuboid(v(-ix, -iy, h - t - a), v(ix, -iy + 0.02, h - t), label, mat);
            o.cuboid(v(-ix, iy - 0.02, h - t - a), v(ix, iy, h - t), label, mat);
            o.cuboid(v(-ix, -iy, h - t - a), v(-ix + 0.02, iy, h - t), label, mat);
            o.cuboid(v(ix - 0.02, -iy, h - t - a), v(ix, iy, h - t), label, mat);
        }
        2 => {
            // Metal frame: thin square legs at the corners.
            let m = material::metal(rng);
            four_legs(&mut o, glam::Vec2::new(hw, hd), 0.01, h - t, LegStyle::Square(0.03), label, &m);
            if rng.chance(0.5) {
                o.cuboid(v(-hw + 0.02, -0.01, 0.1), v(hw - 0.02, 0.01, 0.13), label, &m);
            }
        }
        _ => {
            let thick = rng.range(0.035, 0.06);
            let style = LegStyle::random(rng, thick);
            four_legs(&mut o, glam::Vec2::new(hw, hd), rng.range(0.0, 0.06), h - t, style, label, &leg_mat);
        }
    }
    o.support(v(0.0, 0.0, h), Vec2::new(hw - 0.03, hd - 0.03), 0.6);
    o
}

/// A dining table sized for `seats` people.
pub fn dining_table(rng: &mut Rng, mat: &Material, seats: usize) -> Object {
    if seats <= 4 && rng.chance(0.3) {
        let r = rng.range(0.45, 0.6);
        let h = rng.range(0.72, 0.77);
        return table(rng, mat, r, r, h, true, id::TABLE);
    }
    let per_side = seats.div_ceil(2).max(1);
    let hw = (0.3 * per_side as f32 + rng.range(0.05, 0.2)).max(0.4);
    let hd = rng.range(0.4, 0.5);
    let h = rng.range(0.72, 0.77);
    table(rng, mat, hw, hd, h, false, id::TABLE)
}

/// A low coffee table, sometimes with a shelf underneath.
pub fn coffee_table(rng: &mut Rng, mat: &Material) -> Object {
    let round = rng.chance(0.25);
    let hw = rng.range(0.35, 0.65);
    let hd = if round { hw } else { rng.range(0.25, 0.4) };
    let h = rng.range(0.35, 0.48);
    let mut o = table(rng, mat, hw, hd, h, round, id::TABLE);
    if !round && rng.chance(0.4) {
        o.cuboid(v(-hw + 0.06, -hd + 0.06, 0.1), v(hw - 0.06, hd - 0.06, 0.12), id::TABLE, mat);
    }
    o
}

/// A small side table.
pub fn side_table(rng: &mut Rng, mat: &Material) -> Object {
    let round = rng.chance(0.4);
    let hw = rng.range(0.2, 0.3);
    let hd = if round { hw } else { rng.range(0.2, 0.3) };
    let h = rng.range(0.45, 0.65);
    table(rng, mat, hw, hd, h, round, id::TABLE)
}

/// A desk: legs, panel ends, or a drawer pedestal.
pub fn desk(rng: &mut Rng, mat: &Material, hw: f32, hd: f32) -> Object {
    let mut o = Object::new("desk");
    let l = id::DESK;
    let h = rng.range(0.72, 0.77);
    let t = rng.range(0.025, 0.04);
    o.cuboid(v(-hw, -hd, h - t), v(hw, hd, h), l, mat);
    let metal = material::metal(rng);
    match rng.below(3) {
        0 => {
            let style = if rng.chance(0.5) { LegStyle::Square(0.045) } else { LegStyle::Round(0.025) };
            let legs = if rng.chance(0.6) { metal.clone() } else { mat.clone() };
            four_legs(&mut o, glam::Vec2::new(hw, hd), 0.02, h - t, style, l, &legs);
        }
        1 => {
            for sx in [-1.0, 1.0] {
                o.cuboid(
                    v(sx * hw - 0.01 - sx * 0.01, -hd + 0.02, 0.0),
                    v(sx * hw + 0.01 - sx * 0.01, hd - 0.02, h - t),
                    l,
                    mat,
                );
            }
            o.cuboid(v(-hw + 0.02, hd - 0.05, 0.25), v(hw - 0.02, hd - 0.03, h - t), l, mat);
        }
        _ => {
            let pw = rng.range(0.35, 0.45).min(hw);
            let side = if rng.chance(0.5) { 1.0 } else { -1.0 };
            let (x0, x1) = if side > 0.0 { (hw - pw, hw - 0.01) } else { (-hw + 0.01, -hw + pw) };
            o.cuboid(v(x0, -hd + 0.03, 0.0), v(x1, hd - 0.02, h - t), l, mat);
            let n = 2 + rng.below(2);
            let handle = Handle::random(rng);
            for k in 0..n {
                let z0 = 0.03 + (h - t - 0.04) * k as f32 / n as f32;
                let z1 = 0.03 + (h - t - 0.04) * (k + 1) as f32 / n as f32;
                front(&mut o, x0, x1, z0, z1, -hd + 0.03, handle, (0.5 * (x0 + x1), z1 - 0.06), false, l, mat, &metal);
            }
            leg(&mut o, -side * (hw - 0.04), -hd + 0.04, h - t, LegStyle::Square(0.04), l, &metal);
            leg(&mut o, -side * (hw - 0.04), hd - 0.04, h - t, LegStyle::Square(0.04), l, &metal);
        }
    }
    o.support(v(0.0, 0.0, h), Vec2::new(hw - 0.03, hd - 0.03), 0.7);
    o
}

/// A classroom desk: small top on a metal frame, a book rack below.
pub fn school_desk(rng: &mut Rng, top: &Material, frame: &Material) -> Object {
    let mut o = Object::new("school desk");
    let l = id::DESK;
    let hw = rng.range(0.3, 0.6);
    let hd = rng.range(0.25, 0.32);
    let h = rng.range(0.68, 0.76);
    o.cuboid(v(-hw, -hd, h - 0.025), v(hw, hd, h), l, top);
    four_legs(&mut o, glam::Vec2::new(hw, hd), 0.02, h - 0.025, LegStyle::Square(0.03), l, frame);
    o.cuboid(v(-hw + 0.04, -hd + 0.05, h - 0.16), v(hw - 0.04, hd - 0.02, h - 0.15), l, frame);
    o.cuboid(v(-hw + 0.04, hd - 0.05, h - 0.16), v(hw - 0.04, hd - 0.03, h - 0.06), l, frame);
    o.support(v(0.0, 0.0, h), Vec2::new(hw - 0.03, hd - 0.03), 0.5);
    o
}

/// A night stand: a small box of drawers, sometimes on legs.
pub fn night_stand(rng: &mut Rng, mat: &Material) -> Object {
    let mut o = Object::new("night stand");
    let l = id::NIGHT_STAND;
    let hw = rng.range(0.19, 0.28);
    let hd = rng.range(0.17, 0.23);
    let h = rng.range(0.45, 0.65);
    let legs = if rng.chance(0.4) { rng.range(0.08, 0.2) } else { 0.0 };
    if legs > 0.0 {
        four_legs(
            &mut o,
            glam::Vec2::new(hw, hd),
            0.02,
            legs,
            LegStyle::Tapered(0.018),
            l,
            &material::wood_along(2, mat, rng),
        );
    }
    o.cuboid(v(-hw, -hd, legs), v(hw, hd, h), l, mat);
    let n = 1 + rng.below(3);
    let metal = material::metal(rng);
    let handle = Handle::random(rng);
    let open_shelf = rng.chance(0.3);
    let z_top = h - 0.03;
    let z_bottom = if open_shelf { legs + 0.5 * (h - legs) } else { legs + 0.03 };
    for k in 0..n {
        let z0 = z_bottom + (z_top - z_bottom) * k as f32 / n as f32;
        let z1 = z_bottom + (z_top - z_bottom) * (k + 1) as f32 / n as f32;
        front(&mut o, -hw + 0.02, hw - 0.02, z0, z1, -hd, handle, (0.0, 0.5 * (z0 + z1)), false, l, mat, &metal);
    }
    o.support(v(0.0, 0.0, h), Vec2::new(hw - 0.02, hd - 0.02), 0.8);
    o
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn tables_are_sane() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let wood = material::wood(&mut rng);
            let m = material::metal(&mut rng);
            for o in [
                dining_table(&mut rng, &wood, 6),
                coffee_table(&mut rng, &wood),
                side_table(&mut rng, &wood),
                desk(&mut rng, &wood, 0.7, 0.35),
                school_desk(&mut rng, &wood, &m),
                night_stand(&mut rng, &wood),
            ] {
                assert_sane(&o);
                assert!(!o.supports.is_empty());
            }
        }
    }
}

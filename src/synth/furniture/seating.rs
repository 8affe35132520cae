//! Chairs, office chairs, stools, armchairs and sofas.

use std::f32::consts::TAU;

use glam::Quat;

#[cfg(test)]
use super::assert_sane;
use super::{LegStyle, four_legs, leg, v};
use crate::classes::id;
use crate::synth::material::{self, Material};
use crate::synth::part::Object;
use crate::synth::shape::Shape;
use crate::util::rng::Rng;

/// A dining or classroom chair: legs, seat, and a back of panel, slats or spindles.
pub fn chair(rng: &mut Rng, frame: &Material, pad: Option<&Material>) -> Object {
    let mut o = Object::new("chair");
    let l = id::CHAIR;
    let hw = rng.range(0.19, 0.25);
    let hd = rng.range(0.19, 0.25);
    let seat_h = rng.range(0.42, 0.48);
    let st = rng.range(0.02, 0.05);
    let back_h = rng.range(0.3, 0.5);
    let tilt = rng.range(0.02, 0.08);
    let thick = rng.range(0.025, 0.04);
    let legs = LegStyle::random(rng, thick);
    let ls = legs.size();
    let metal_frame = rng.chance(0.2);
    let leg_mat = if metal_frame { material::metal(rng) } else { material::wood_along(2, frame, rng) };
    // Front legs stop under the seat; the back legs run on up as the back's posts.
    for sx in [-1.0, 1.0] {
        leg(&mut o, sx * (hw - ls), -hd + ls, seat_h - st, legs, l, &leg_mat);
        let base = v(sx * (hw - ls), hd - ls, 0.0);
        let top = v(sx * (hw - ls), hd - ls + tilt, seat_h + back_h);
        leg(&mut o, base.x, base.y, seat_h - st, legs, l, &leg_mat);
        o.rod(v(base.x, base.y, seat_h - st), top, 0.5 * ls.min(0.035), l, &leg_mat);
    }
    o.cuboid(v(-hw, -hd, seat_h - st), v(hw, hd, seat_h), l, frame);
    if let Some(pad) = pad {
        o.blob(v(0.0, 0.0, seat_h + 0.02), v(hw - 0.01, hd - 0.01, 0.03), 4.0, l, pad);
    }
    if rng.chance(0.4) {
        // Stretchers between the legs.
        let z = rng.range(0.1, 0.2);
        for sx in [-1.0, 1.0] {
            o.rod(v(sx * (hw - ls), -hd + ls, z), v(sx * (hw - ls), hd - ls, z), 0.008, l, &leg_mat);
        }
    }
    let yb = hd - ls + 0.5 * tilt;
    match rng.below(3) {
        0 => {
            // Solid or upholstered panel.
            let z0 = seat_h + back_h * rng.range(0.3, 0.5);
            let mat = pad.unwrap_or(frame);
            let c = v(0.0, yb + 0.3 * tilt, 0.5 * (z0 + seat_h + back_h));
            let rot = Quat::from_rotation_x(-tilt / back_h);
            o.cuboid_at(c, v(hw - ls * 0.5, 0.012, 0.5 * (seat_h + back_h - z0)), rot, l, mat);
        }
        1 => {
            let n = 2 + rng.below(3);
            for k in 0..n {
                let z = seat_h + back_h * (0.35 + 0.6 * k as f32 / n as f32);
                let y = hd - ls + tilt * (z - seat_h) / back_h;
                o.cuboid(v(-hw + ls, y - 0.01, z - 0.025), v(hw - ls, y + 0.01, z + 0.025), l, frame);
            }
        }
        _ => {
            let n = 3 + rng.below(4);
            let ztop = seat_h + back_h - 0.03;
            let y = hd - ls + tilt;
            o.cuboid(v(-hw + ls, y - 0.012, ztop - 0.03), v(hw - ls, y + 0.012, ztop + 0.03), l, frame);
            for k in 1..n {
                let x = -hw + ls + (2.0 * hw - 2.0 * ls) * k as f32 / n as f32;
                o.rod(v(x, hd - ls, seat_h), v(x, y, ztop - 0.03), 0.007, l, &leg_mat);
            }
        }
    }
    if rng.chance(0.15) {
        for sx in [-1.0, 1.0] {
            let x = sx * (hw - 0.02);
            o.cuboid(v(x - 0.02, -hd + 0.05, seat_h + 0.2), v(x + 0.02, hd - 0.02, seat_h + 0.23), l, frame);
            o.rod(v(x, -hd + 0.08, seat_h), v(x, -hd + 0.08, seat_h + 0.2), 0.012, l, &leg_mat);
        }
    }
    o
}

/// A swivel office chair: five-star base on casters, gas column, padded seat and back.
pub fn office_chair(rng: &mut Rng, fabric: &Material) -> Object {
    let mut o = Object::new("office chair");
    let l = id::CHAIR;
    let base_mat = if rng.chance(0.6) {
        material::Material::plain(glam::Vec3::splat(0.08), 0.4, rng)
    } else {
        material::metal(rng)
    };
    let r = rng.range(0.28, 0.34);
    let spin = rng.range(0.0, TAU);
    for k in 0..5 {
        let a = spin + TAU * k as f32 / 5.0;
        let d = v(a.cos(), a.sin(), 0.0);
        o.rod(v(0.0, 0.0, 0.1), d * r + v(0.0, 0.0, 0.07), 0.018, l, &base_mat);
        o.ellipsoid(d * (r - 0.01) + v(0.0, 0.0, 0.03), v(0.03, 0.03, 0.03), l, &base_mat);
    }
    let seat_h = rng.range(0.44, 0.52);
    o.cyl(v(0.0, 0.0, 0.08), 0.03, 0.025, seat_h - 0.13, l, &base_mat);
    let hw = rng.range(0.22, 0.27);
    let hd = rng.range(0.22, 0.26);
    o.cuboid(v(-0.1, -0.1, seat_h - 0.07), v(0.1, 0.1, seat_h - 0.04), l, &base_mat);
    o.blob(v(0.0, 0.0, seat_h), v(hw, hd, 0.045), 4.0, l, fabric);
    let back_h = rng.range(0.4, 0.65);
    let bw = hw * rng.range(0.8, 1.0);
    let yb = hd + 0.02;
    o.cuboid(v(-0.03, hd - 0.08, seat_h - 0.05), v(0.03, yb + 0.02, seat_h - 0.02), l, &base_mat);
    o.rod(v(0.0, yb + 0.02, seat_h - 0.04), v(0.0, yb + 0.03, seat_h + 0.15), 0.018, l, &base_mat);
    let bc = v(0.0, yb + 0.05, seat_h + 0.1 + 0.5 * back_h);
    o.blob(bc, v(bw, 0.035, 0.5 * back_h), 4.0, l, fabric).rot = Quat::from_rotation_x(-0.1);
    if rng.chance(0.6) {
        for sx in [-1.0, 1.0] {
            let x = sx * (hw + 0.01);
            o.rod(v(x, 0.0, seat_h - 0.03), v(x, 0.0, seat_h + 0.2), 0.012, l, &base_mat);
            o.cuboid(v(x - 0.03, -0.14, seat_h + 0.2), v(x + 0.03, 0.1, seat_h + 0.23), l, &base_mat);
        }
    }
    o
}

/// A bar or kitchen stool: round seat, splayed legs, a footrest.
pub fn stool(rng: &mut Rng, mat: &Material) -> Object {
    let mut o = Object::new("stool");
    let l = id::CHAIR;
    let h = if rng.chance(0.5) { rng.range(0.6, 0.78) } else { rng.range(0.42, 0.5) };
    let r = rng.range(0.15, 0.2);
    let legs = 3 + rng.below(2);
    let leg_mat = if rng.chance(0.5) { material::metal(rng) } else { mat.clone() };
    let spread = r * rng.range(1.0, 1.3);
    for k in 0..legs {
        let a = TAU * k as f32 / legs as f32 + 0.3;
        let d = v(a.cos(), a.sin(), 0.0);
        o.rod(d * spread, d * (r * 0.6) + v(0.0, 0.0, h - 0.03), 0.013, l, &leg_mat);
    }
    let z = h * 0.35;
    let rr = spread - (spread - 0.6 * r) * z / h;
    let ring = Shape::Cylinder {
        r0: rr + 0.008,
        r1: rr + 0.008,
        h: 0.016,
        aspect: 1.0,
        bottom: true,
        top: true,
        hole: 0.85,
        inner: true,
    };
    o.push(crate::synth::part::Part::new(ring, v(0.0, 0.0, z), Quat::IDENTITY, l, leg_mat.clone())).solid = false;
    o.cyl(v(0.0, 0.0, h - 0.035), r, r, 0.035, l, mat);
    o
}

/// An upholstered armchair.
pub fn armchair(rng: &mut Rng, fabric: &Material) -> Object {
    let mut o = Object::new("armchair");
    let l = id::CHAIR;
    let hw = rng.range(0.36, 0.48);
    let hd = rng.range(0.38, 0.46);
    let base = rng.range(0.08, 0.15);
    let seat = rng.range(0.38, 0.45);
    let arm_h = seat + rng.range(0.12, 0.22);
    let back = seat + rng.range(0.35, 0.55);
    let aw = rng.range(0.08, 0.15);
    let legs = material::wood(rng);
    four_legs(&mut o, glam::Vec2::new(hw, hd), 0.03, base, LegStyle::Tapered(0.022), l, &legs);
    o.blob(v(0.0, 0.0, 0.5 * (base + seat - 0.1)), v(hw, hd, 0.5 * (seat - 0.1 - base)), 6.0, l, fabric);
    o.blob(v(0.0, -0.03, seat - 0.05), v(hw - aw, hd - 0.1, 0.06), 4.0, l, fabric);
    o.blob(v(0.0, hd - 0.08, 0.5 * (base + back)), v(hw, 0.08, 0.5 * (back - base)), 5.0, l, fabric);
    for sx in [-1.0, 1.0] {
        o.blob(
            v(sx * (hw - 0.5 * aw), 0.0, 0.5 * (base + arm_h)),
            v(0.5 * aw, hd, 0.5 * (arm_h - base)),
            5.0,
            l,
            fabric,
        );
    }
    o
}

/// A sofa, sometimes with a chaise end; its throw pillows are labelled pillow.
pub fn sofa(rng: &mut Rng, fabric: &Material) -> Object {
    let mut o = Object::new("sofa");
    let l = id::SOFA;
    let seats = 2 + rng.below(3);
    let seat_w = rng.range(0.52, 0.68);
    let aw = if rng.chance(0.85) { rng.range(0.1, 0.25) } else { 0.0 };
    let hw = 0.5 * seats as f32 * seat_w + aw;
    let hd = rng.range(0.42, 0.5);
    let leg_h = rng.range(0.04, 0.16);
    let seat = rng.range(0.4, 0.46);
    let arm_h = seat + rng.range(0.1, 0.22);
    let back = seat + rng.range(0.3, 0.45);
    let bd = rng.range(0.15, 0.25);
    let leg_mat = if rng.chance(0.5) { material::wood(rng) } else { material::metal(rng) };
    four_legs(&mut o, glam::Vec2::new(hw, hd), 0.04, leg_h, LegStyle::Square(0.04), l, &leg_mat);
    let base_top = seat - 0.12;
    o.blob(v(0.0, 0.0, 0.5 * (leg_h + base_top)), v(hw, hd, 0.5 * (base_top - leg_h)), 8.0, l, fabric);
    // Back frame and back cushions.
    o.blob(v(0.0, hd - 0.5 * bd, 0.5 * (base_top + back)), v(hw, 0.5 * bd, 0.5 * (back - base_top)), 8.0, l, fabric);
    let inner = hw - aw;
    let cw = inner / seats as f32;
    let back_cushions = rng.chance(0.7);
    for k in 0..seats {
        let x = -inner + cw * (2 * k + 1) as f32;
        o.blob(v(x, -0.5 * bd + 0.02, base_top + 0.06), v(cw - 0.005, hd - 0.5 * bd - 0.02, 0.065), 4.0, l, fabric);
        if back_cushions {
            let c = o.blob(
                v(x, hd - bd - 0.07, base_top + 0.12 + 0.5 * (back - base_top - 0.12)),
                v(cw - 0.01, 0.08, 0.5 * (back - base_top - 0.12) + 0.02),
                4.0,
                l,
                fabric,
            );
            c.rot = Quat::from_rotation_x(-0.15);
        }
    }
    if aw > 0.0 {
        for sx in [-1.0, 1.0] {
            o.blob(
                v(sx * (hw - 0.5 * aw), 0.0, 0.5 * (leg_h + arm_h)),
                v(0.5 * aw, hd, 0.5 * (arm_h - leg_h)),
                6.0,
                l,
                fabric,
            );
        }
    }
    // Throw pillows in the corners, leaning back.
    let n = rng.below(4);
    for k in 0..n {
        let side = if k % 2 == 0 { -1.0 } else { 1.0 };
        let x = side * (inner - 0.25 - 0.3 * (k / 2) as f32);
        let ps = rng.range(0.18, 0.25);
        let mat = if rng.chance(0.5) { material::linen(rng) } else { material::fabric(rng) };
        let c = o.blob(v(x, hd - bd - 0.2, base_top + 0.13 + ps), v(ps, 0.06, ps), 3.0, id::PILLOW, &mat);
        c.rot = Quat::from_rotation_x(-0.35) * Quat::from_rotation_y(rng.range(-0.2, 0.2));
    }
    o.support(v(0.0, -0.1, base_top + 0.125), glam::Vec2::new(inner * 0.9, 0.15), 0.3);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seating_is_sane() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let wood = material::wood(&mut rng);
            let fab = material::fabric(&mut rng);
            for o in [
                chair(&mut rng, &wood, Some(&fab)),
                office_chair(&mut rng, &fab),
                stool(&mut rng, &wood),
                armchair(&mut rng, &fab),
                sofa(&mut rng, &fab),
            ] {
                assert_sane(&o);
            }
        }
    }
}

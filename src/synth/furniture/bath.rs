//! Bathroom fixtures: toilet, vanity with sink, pedestal sink, bathtub with shower curtain,
//! towel rail.

use glam::{Quat, Vec2, Vec3};

use super::{Handle, counter_with_basin, front, v};
use crate::classes::id;
use crate::synth::material::{self, Material, Pattern};
use crate::synth::part::{Object, Part, frame};
use crate::synth::shape::Shape;
use crate::util::rng::Rng;

/// A toilet: tapered bowl with its basin and water, seat, lid and cistern.
pub fn toilet(rng: &mut Rng) -> Object {
    let mut o = Object::new("toilet");
    let l = id::TOILET;
    let china = material::ceramic(rng);
    let r0 = rng.range(0.1, 0.13);
    let r1 = rng.range(0.17, 0.2);
    let aspect = rng.range(1.15, 1.35);
    let h = rng.range(0.37, 0.42);
    let yb = -rng.range(0.02, 0.08);
    let bowl = Shape::Cylinder { r0, r1, h, aspect, bottom: false, top: false, hole: 0.0, inner: false };
    o.push(Part::new(bowl, v(0.0, yb, 0.0), Quat::IDENTITY, l, china.clone()));
    let basin = Shape::Ellipsoid { radii: v(r1 * 0.86, r1 * 0.86 * aspect, 0.2), zlo: -1.0, zhi: 0.0, inward: true };
    o.push(Part::new(basin, v(0.0, yb, h), Quat::IDENTITY, l, china.clone()));
    let water = Material::plain(Vec3::new(0.6, 0.68, 0.7), 0.9, rng);
    o.push(Part::new(
        Shape::Cylinder {
            r0: r1 * 0.35,
            r1: r1 * 0.35,
            h: 0.002,
            aspect,
            bottom: false,
            top: true,
            hole: 0.0,
            inner: false,
        },
        v(0.0, yb - 0.03, h - 0.16),
        Quat::IDENTITY,
        l,
        water,
    ));
    let seat_mat = if rng.chance(0.75) { china.clone() } else { material::wood(rng) };
    let seat = Shape::Cylinder {
        r0: r1 * 1.02,
        r1: r1 * 1.02,
        h: 0.025,
        aspect,
        bottom: true,
        top: true,
        hole: 0.7,
        inner: false,
    };
    o.push(Part::new(seat, v(0.0, yb, h), Quat::IDENTITY, l, seat_mat.clone())).solid = false;
    let tank_d = rng.range(0.16, 0.22);
    let y_back = yb + r1 * aspect + tank_d;
    let top = rng.range(0.72, 0.82);
    if rng.chance(0.5) {
        o.cuboid(v(-rng.range(0.17, 0.22), y_back - tank_d, h - 0.02), v(0.2, y_back, top), l, &china);
    } else {
        let half = v(rng.range(0.17, 0.22), 0.5 * tank_d, 0.5 * (top - h + 0.02));
        o.blob(v(0.0, y_back - 0.5 * tank_d, h - 0.02 + half.z), half, 6.0, l, &china);
    }
    o.cyl(v(0.0, y_back - 0.5 * tank_d, top), 0.02, 0.02, 0.008, l, &material::metal(rng));
    // Base between the bowl and the wall.
    o.cuboid(v(-0.1, yb, 0.0), v(0.1, y_back, h * 0.6), l, &china);
    if rng.chance(0.4) {
        let lid = Shape::Cylinder { r0: r1, r1, h: 0.02, aspect, bottom: true, top: true, hole: 0.0, inner: false };
        o.push(Part::new(lid, v(0.0, yb, h + 0.025), Quat::IDENTITY, l, seat_mat));
    } else {
        let rot = Quat::from_rotation_x(-0.1);
        o.cuboid_at(
            v(0.0, y_back - tank_d - 0.02, h + 0.03 + r1 * aspect),
            v(r1, 0.012, r1 * aspect),
            rot,
            l,
            &seat_mat,
        );
    }
    // Shift so the footprint is centred and the back touches y = max.
    let (lo, hi) = o.bounds();
    o.transformed(v(0.0, -0.5 * (lo.y + hi.y), 0.0), 0.0)
}

/// A vanity: a cabinet with a counter and an inset basin, or a pedestal sink.
pub fn sink(rng: &mut Rng, cabinet_mat: &Material) -> Object {
    let mut o = Object::new("sink");
    let china = material::ceramic(rng);
    if rng.chance(0.3) {
        // Pedestal sink: column and a basin with an inner bowl.
        let r = rng.range(0.22, 0.3);
        let aspect = rng.range(0.7, 0.85);
        let top = rng.range(0.82, 0.9);
        o.cyl(v(0.0, 0.0, 0.0), 0.1, 0.07, top - 0.15, id::SINK, &china);
        let body =
            Shape::Cylinder { r0: r * 0.5, r1: r, h: 0.15, aspect, bottom: true, top: true, hole: 0.8, inner: false };
        o.push(Part::new(body, v(0.0, 0.0, top - 0.15), Quat::IDENTITY, id::SINK, china.clone())).solid = false;
        let bowl = Shape::Ellipsoid { radii: v(0.8 * r, 0.8 * r * aspect, 0.12), zlo: -1.0, zhi: 0.0, inward: true };
        o.push(Part::new(bowl, v(0.0, 0.0, top), Quat::IDENTITY, id::SINK, china.clone()));
        let chrome = Material::plain(Vec3::splat(0.8), 0.9, rng);
        let yb = r * aspect * 0.9;
        o.cyl(v(0.0, yb, top), 0.02, 0.018, 0.15, id::OTHER_PROP, &chrome);
        o.rod(v(0.0, yb, top + 0.15), v(0.0, yb - 0.1, top + 0.12), 0.01, id::OTHER_PROP, &chrome);
        let (lo, hi) = o.bounds();
        return o.transformed(v(0.0, -0.5 * (lo.y + hi.y), 0.0), 0.0);
    }
    let hw = rng.range(0.3, 0.6);
    let hd = rng.range(0.22, 0.28);
    let top = rng.range(0.8, 0.9);
    let ct = rng.range(0.02, 0.04);
    let depth = rng.range(0.12, 0.17);
    let counter = if rng.chance(0.5) {
        Material::new(
            material::vary(Vec3::splat(0.88), 0.05, rng),
            Pattern::Marble { vein: Vec3::splat(0.55) },
            0.6,
            rng,
        )
    } else {
        china.clone()
    };
    let metal = material::metal(rng);
    let handle = Handle::random(rng);
    let body_top = top - ct - depth - 0.01;
    let floating = rng.chance(0.3);
    let z0 = if floating { top - ct - 0.45 } else { 0.0 };
    o.cuboid(v(-hw, -hd + 0.02, z0), v(hw, hd, body_top), id::CABINET, cabinet_mat);
    let doors = if hw > 0.4 { 2 } else { 1 };
    for k in 0..doors {
        let x0 = -hw + 2.0 * hw * k as f32 / doors as f32;
        let x1 = -hw + 2.0 * hw * (k + 1) as f32 / doors as f32;
        let hx = if k == 0 && doors == 2 { x1 - 0.04 } else { x0 + 0.04 };
        front(
            &mut o,
            x0,
            x1,
            z0 + 0.02,
            top - ct - 0.005,
            -hd + 0.02,
            handle,
            (hx, top - ct - 0.1),
            true,
            id::CABINET,
            cabinet_mat,
            &metal,
        );
    }
    let bh = Vec2::new((hw - 0.1).min(0.25), (hd - 0.08).min(0.17));
    counter_with_basin(
        &mut o,
        v(-hw - 0.01, -hd - 0.01, top - ct),
        v(hw + 0.01, hd, top),
        Vec2::new(0.0, -0.02),
        bh,
        depth,
        id::COUNTER,
        &counter,
        &china,
        rng,
    );
    // Room for toiletries beside the basin.
    let side = hw - bh.x;
    if side > 0.14 {
        for s in [-1.0, 1.0] {
            o.support(v(s * (bh.x + 0.5 * side), 0.0, top), Vec2::new(0.5 * side - 0.03, hd - 0.04), 0.3);
        }
    }
    o
}

/// A bathtub, long side along x, back (+y) to the wall; sometimes a shower curtain.
pub fn bathtub(rng: &mut Rng, ceiling: f32) -> Object {
    let mut o = Object::new("bathtub");
    let l = id::BATHTUB;
    let china = if rng.chance(0.8) {
        material::ceramic(rng)
    } else {
        Material::plain(material::vary(Vec3::new(0.9, 0.88, 0.84), 0.03, rng), 0.6, rng)
    };
    let hw = rng.range(0.72, 0.9);
    let hd = rng.range(0.34, 0.4);
    let h = rng.range(0.5, 0.6);
    let t = rng.range(0.05, 0.1);
    o.cuboid(v(-hw, -hd, 0.0), v(hw, -hd + t, h), l, &china);
    o.cuboid(v(-hw, hd - t, 0.0), v(hw, hd, h), l, &china);
    o.cuboid(v(-hw, -hd + t, 0.0), v(-hw + t, hd - t, h), l, &china);
    o.cuboid(v(hw - t, -hd + t, 0.0), v(hw, hd - t, h), l, &china);
    o.cuboid(v(-hw + t, -hd + t, 0.0), v(hw - t, hd - t, 0.08), l, &china);
    let chrome = Material::plain(Vec3::splat(0.8), 0.9, rng);
    let fx = if rng.chance(0.5) { hw - t - 0.05 } else { -hw + t + 0.05 };
    o.rod(v(fx, hd - 0.5 * t, h), v(fx, hd - 0.5 * t, h + 0.12), 0.015, id::OTHER_PROP, &chrome);
    o.rod(v(fx, hd - 0.5 * t, h + 0.12), v(fx, hd - t - 0.1, h + 0.1), 0.012, id::OTHER_PROP, &chrome);
    if rng.chance(0.6) {
        let rod_z = rng.range(1.85, 2.05).min(ceiling - 0.1);
        let y = -hd + 0.03;
        o.rod(v(-hw, y, rod_z), v(hw, y, rod_z), 0.012, id::OTHER_PROP, &chrome);
        let cover = rng.range(0.25, 1.0);
        let (x0, x1) = if rng.chance(0.5) { (-hw, -hw + 2.0 * hw * cover) } else { (hw - 2.0 * hw * cover, hw) };
        let bottom = h + rng.range(0.05, 0.2);
        let fabric =
            if rng.chance(0.5) { material::linen(rng) } else { Material::plain(material::prop_colour(rng), 0.2, rng) };
        let shape = Shape::Quad {
            half: Vec2::new(0.5 * (x1 - x0), 0.5 * (rod_z - bottom)),
            two_sided: true,
            amp: rng.range(0.015, 0.04),
            fold: rng.range(0.1, 0.2),
        };
        o.push(Part::new(
            shape,
            v(0.5 * (x0 + x1), y, 0.5 * (rod_z + bottom)),
            frame(Vec3::X, -Vec3::Y),
            id::SHOWER_CURTAIN,
            fabric,
        ));
    }
    o
}

/// A towel rail with towels folded over it (a wall item).
pub fn towel_rail(rng: &mut Rng) -> Object {
    let mut o = Object::new("towel rail");
    let chrome = Material::plain(Vec3::splat(0.8), 0.9, rng);
    let hw = rng.range(0.25, 0.4);
    let z = rng.range(0.5, 0.75);
    let y = -0.07;
    o.rod(v(-hw, y, z), v(hw, y, z), 0.01, id::OTHER_PROP, &chrome);
    for s in [-1.0, 1.0] {
        o.rod(v(s * hw, y, z), v(s * hw, 0.0, z), 0.012, id::OTHER_PROP, &chrome);
    }
    let n = 1 + rng.below(2);
    let tw = (2.0 * hw - 0.06) / n as f32;
    for k in 0..n {
        let towel = material::linen(rng);
        let x0 = -hw + 0.03 + tw * k as f32 + 0.01;
        let x1 = x0 + tw - 0.02;
        let drop = rng.range(0.3, 0.5).min(z - 0.02);
        o.cuboid(v(x0, y - 0.03, z - drop), v(x1, y - 0.012, z), id::TOWEL, &towel);
        o.cuboid(v(x0, y + 0.012, z - drop * 0.7), v(x1, y + 0.03, z), id::TOWEL, &towel);
        o.rod(v(x0, y, z + 0.012), v(x1, y, z + 0.012), 0.022, id::TOWEL, &towel);
    }
    let (lo, _) = o.bounds();
    o.transformed(v(0.0, 0.0, -lo.z), 0.0)
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn bath_fixtures_are_sane() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let wood = material::wood(&mut rng);
            for o in [toilet(&mut rng), sink(&mut rng, &wood), bathtub(&mut rng, 2.4), towel_rail(&mut rng)] {
                assert_sane(&o);
            }
        }
    }
}

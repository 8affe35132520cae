//! Beds: frame, headboard, mattress, duvet and pillows.

use glam::{Quat, Vec2};

use super::{LegStyle, four_legs, v};
use crate::classes::id;
use crate::synth::material::{self, Material};
use crate::synth::part::Object;
use crate::util::rng::Rng;

/// A bed with its head (+y) against the wall.
pub fn bed(rng: &mut Rng, frame: &Material, fabric: &Material) -> Object {
    let mut o = Object::new("bed");
    let l = id::BED;
    let w = match rng.f32() {
        x if x < 0.3 => rng.range(0.9, 1.0),
        x if x < 0.8 => rng.range(1.35, 1.6),
        _ => rng.range(1.75, 1.95),
    };
    let len = rng.range(1.95, 2.15);
    let (hw, hd) = (0.5 * w + 0.03, 0.5 * len + 0.04);
    let base_top = rng.range(0.22, 0.42);
    let upholstered = rng.chance(0.4);
    let frame_mat = if upholstered { fabric.clone() } else { frame.clone() };
    if rng.chance(0.5) {
        o.cuboid(v(-hw, -hd, 0.0), v(hw, hd - 0.06, base_top), l, &frame_mat);
    } else {
        let legs = material::wood_along(2, frame, rng);
        four_legs(&mut o, glam::Vec2::new(hw, hd - 0.06), 0.02, base_top - 0.1, LegStyle::Square(0.05), l, &legs);
        o.cuboid(v(-hw, -hd, base_top - 0.15), v(hw, hd - 0.06, base_top), l, &frame_mat);
    }
    // Headboard.
    let hb = rng.range(0.8, 1.3);
    if upholstered || rng.chance(0.3) {
        o.blob(v(0.0, hd - 0.05, 0.5 * hb), v(hw + 0.02, 0.05, 0.5 * hb), 6.0, l, &frame_mat);
    } else {
        o.cuboid(v(-hw - 0.02, hd - 0.07, 0.0), v(hw + 0.02, hd, hb), l, frame);
    }
    if rng.chance(0.3) {
        o.cuboid(v(-hw - 0.02, -hd, 0.0), v(hw + 0.02, -hd + 0.05, base_top + rng.range(0.15, 0.3)), l, frame);
    }
    let mt = rng.range(0.16, 0.28);
    let top = base_top + mt;
    let mattress = material::Material::plain(material::vary(glam::Vec3::splat(0.92), 0.03, rng), 0.05, rng);
    o.blob(v(0.0, -0.02, base_top + 0.5 * mt), v(0.5 * w, 0.5 * len - 0.02, 0.5 * mt), 8.0, l, &mattress);
    // The duvet covers the foot end and droops over the sides.
    let linen = material::linen(rng);
    let cover = len * rng.range(0.65, 0.82);
    let droop = rng.range(0.08, 0.2).min(mt + 0.05);
    let y0 = -0.5 * len - 0.03;
    o.blob(
        v(0.0, y0 + 0.5 * cover, top - 0.5 * droop + 0.03),
        v(0.5 * w + 0.06, 0.5 * cover + 0.03, 0.5 * droop + 0.03),
        5.0,
        l,
        &linen,
    );
    o.blob(v(0.0, y0 + cover, top + 0.02), v(0.5 * w + 0.05, 0.1, 0.05), 3.0, l, &linen);
    if rng.chance(0.3) {
        let throw = material::fabric(rng);
        o.blob(v(0.0, y0 + 0.35, top + 0.06), v(0.5 * w + 0.08, 0.22, 0.03), 5.0, l, &throw);
    }
    let pillows = if w < 1.2 { 1 } else { 2 } + (rng.chance(0.3) as usize) * 2;
    let pw = (w - 0.1) / pillows.min(2) as f32;
    let pillow_mat = if rng.chance(0.6) { linen.clone() } else { material::linen(rng) };
    for k in 0..pillows {
        let row = k / 2;
        let n_in_row = pillows.min(2);
        let x = -0.5 * w + 0.05 + pw * ((k % 2) as f32 + 0.5);
        let x = if n_in_row == 1 { 0.0 } else { x };
        let y = 0.5 * len - 0.28 - 0.12 * row as f32;
        let p = o.blob(
            v(x, y, top + 0.07 + 0.05 * row as f32),
            v(0.5 * pw - 0.03, 0.2, 0.07),
            2.8,
            id::PILLOW,
            &pillow_mat,
        );
        if row > 0 || rng.chance(0.3) {
            p.rot = Quat::from_rotation_x(-0.5);
            p.pos.z += 0.08;
        }
    }
    o.support(v(0.0, y0 + 0.5 * cover, top + 0.04), Vec2::new(0.5 * w - 0.1, 0.3 * cover), 0.5);
    o
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn beds_are_sane() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let wood = material::wood(&mut rng);
            let fab = material::fabric(&mut rng);
            let b = bed(&mut rng, &wood, &fab);
            assert_sane(&b);
            assert!(b.parts.iter().any(|p| p.label == id::PILLOW));
        }
    }
}

//! Lamps: table, floor, desk and pendant. A lamp that is on carries a point light inside
//! its shade and its shade glows.

use glam::{Quat, Vec3};

use super::v;
use crate::classes::id;
use crate::synth::material::{self, Material};
use crate::synth::part::{Light, LightKind, Object, Part};
use crate::synth::shape::Shape;
use crate::util::rng::Rng;

fn shade_material(rng: &mut Rng, on: bool) -> Material {
    let mut m = if rng.chance(0.6) { material::linen(rng) } else { material::fabric(rng) };
    if rng.chance(0.5) {
        m.base = material::vary(glam::Vec3::new(0.93, 0.9, 0.82), 0.04, rng);
    }
    if on {
        m.emission = rng.range(0.6, 1.4);
    }
    m
}

/// An open shade (visible inside and out) from `z` up by `h`.
fn shade(o: &mut Object, c: Vec3, r0: f32, r1: f32, h: f32, mat: &Material) {
    let s = Shape::Cylinder { r0, r1, h, aspect: 1.0, bottom: false, top: false, hole: 0.0, inner: true };
    o.push(Part::new(s, c, Quat::IDENTITY, id::LAMP, mat.clone())).detail = 1.2;
}

fn bulb(o: &mut Object, c: Vec3, light: Option<Vec3>, rng: &mut Rng) {
    let on = light.is_some();
    let glow = Material::plain(Vec3::splat(0.95), 0.3, rng).emissive(if on { 4.0 } else { 0.0 });
    o.ellipsoid(c, Vec3::splat(0.03), id::LAMP, &glow);
    if let Some(colour) = light {
        o.lights.push(Light { pos: c, colour, kind: LightKind::Point { radius: 0.03 } });
    }
}

/// A table lamp: base, stem, shade.
pub fn table_lamp(rng: &mut Rng, light: Option<Vec3>) -> Object {
    let mut o = Object::new("table lamp");
    let base_mat = match rng.below(3) {
        0 => material::ceramic(rng),
        1 => material::metal(rng),
        _ => Material::plain(material::prop_colour(rng), 0.5, rng),
    };
    let h = rng.range(0.3, 0.55);
    if rng.chance(0.5) {
        let r = rng.range(0.06, 0.11);
        o.ellipsoid(v(0.0, 0.0, r * 1.2), v(r, r, r * 1.2), id::LAMP, &base_mat);
        o.rod(v(0.0, 0.0, r * 2.3), v(0.0, 0.0, h * 0.75), 0.008, id::LAMP, &base_mat);
    } else {
        o.cyl(Vec3::ZERO, 0.07, 0.065, 0.02, id::LAMP, &base_mat);
        o.rod(v(0.0, 0.0, 0.02), v(0.0, 0.0, h * 0.75), 0.01, id::LAMP, &base_mat);
    }
    let sh = rng.range(0.15, 0.25);
    let r0 = rng.range(0.12, 0.2);
    let r1 = r0 * rng.range(0.6, 1.0);
    bulb(&mut o, v(0.0, 0.0, h * 0.75), light, rng);
    let m = shade_material(rng, light.is_some());
    shade(&mut o, v(0.0, 0.0, h * 0.75 - 0.4 * sh), r0, r1, sh, &m);
    o
}

/// A floor lamp: a heavy base, a tall pole, a shade (or an arc with a dome).
pub fn floor_lamp(rng: &mut Rng, light: Option<Vec3>) -> Object {
    let mut o = Object::new("floor lamp");
    let metal = material::metal(rng);
    let h = rng.range(1.4, 1.8);
    o.cyl(Vec3::ZERO, rng.range(0.12, 0.17), 0.12, 0.025, id::LAMP, &metal);
    if rng.chance(0.3) {
        // Arc lamp.
        let reach = rng.range(0.6, 1.0);
        let pts = [v(0.0, 0.0, 0.02), v(0.0, 0.0, h * 0.6), v(0.0, -reach * 0.4, h), v(0.0, -reach, h * 0.95)];
        for w in pts.windows(2) {
            o.rod(w[0], w[1], 0.012, id::LAMP, &metal);
        }
        let dome = Shape::Ellipsoid { radii: v(0.17, 0.17, 0.12), zlo: 0.0, zhi: 1.0, inward: false };
        let tip = pts[3];
        let mut m = metal.clone();
        if light.is_some() {
            m.emission = 0.2;
        }
        o.push(Part::new(dome, tip - v(0.0, 0.0, 0.12), Quat::IDENTITY, id::LAMP, m));
        bulb(&mut o, tip - v(0.0, 0.0, 0.1), light, rng);
    } else {
        o.rod(v(0.0, 0.0, 0.025), v(0.0, 0.0, h - 0.1), 0.012, id::LAMP, &metal);
        let sh = rng.range(0.2, 0.35);
        let r0 = rng.range(0.18, 0.25);
        bulb(&mut o, v(0.0, 0.0, h - 0.1), light, rng);
        let m = shade_material(rng, light.is_some());
        shade(&mut o, v(0.0, 0.0, h - 0.1 - 0.4 * sh), r0, r0 * rng.range(0.55, 1.0), sh, &m);
    }
    o
}

/// A desk lamp: base, two arm segments, a cone head.
pub fn desk_lamp(rng: &mut Rng, light: Option<Vec3>) -> Object {
    let mut o = Object::new("desk lamp");
    let m = if rng.chance(0.5) { material::metal(rng) } else { material::plastic(rng) };
    o.cyl(Vec3::ZERO, 0.08, 0.075, 0.025, id::LAMP, &m);
    let a = v(0.0, 0.03, 0.025);
    let b = v(0.0, 0.08 + rng.range(0.0, 0.08), rng.range(0.3, 0.4));
    let c = v(0.0, rng.range(-0.2, -0.1), rng.range(0.35, 0.48));
    o.rod(a, b, 0.008, id::LAMP, &m);
    o.rod(b, c, 0.008, id::LAMP, &m);
    let head =
        Shape::Cylinder { r0: 0.07, r1: 0.025, h: 0.1, aspect: 1.0, bottom: false, top: true, hole: 0.0, inner: true };
    let rot = Quat::from_rotation_x(-0.5);
    o.push(Part::new(head, c - rot * v(0.0, 0.0, 0.08), rot, id::LAMP, m.clone()));
    bulb(&mut o, c - v(0.0, 0.0, 0.06), light, rng);
    o
}

/// A pendant hanging from the ceiling at `ceiling` down to `bottom` (heights above floor).
pub fn pendant(rng: &mut Rng, ceiling: f32, bottom: f32, light: Option<Vec3>) -> Object {
    let mut o = Object::new("pendant");
    let black = Material::plain(Vec3::splat(0.05), 0.3, rng);
    let sh = rng.range(0.15, 0.3);
    o.cyl(v(0.0, 0.0, ceiling - 0.02), 0.05, 0.05, 0.02, id::LAMP, &black);
    o.rod(v(0.0, 0.0, bottom + sh), v(0.0, 0.0, ceiling - 0.02), 0.004, id::LAMP, &black);
    let r0 = rng.range(0.12, 0.28);
    let m = if rng.chance(0.5) { material::metal(rng) } else { shade_material(rng, light.is_some()) };
    shade(&mut o, v(0.0, 0.0, bottom), r0, r0 * rng.range(0.15, 0.6), sh, &m);
    bulb(&mut o, v(0.0, 0.0, bottom + 0.3 * sh), light, rng);
    o
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn lamps_are_sane_and_lit_when_on() {
        for seed in 0..30 {
            let mut rng = Rng::new(seed);
            let on = Some(Vec3::ONE);
            for o in [
                table_lamp(&mut rng, on),
                floor_lamp(&mut rng, on),
                desk_lamp(&mut rng, on),
                pendant(&mut rng, 2.6, 1.6, on),
            ] {
                assert_sane(&o);
                assert_eq!(o.lights.len(), 1);
            }
            assert!(table_lamp(&mut rng, None).lights.is_empty());
        }
    }
}

//! Small things: books, boxes, paper, bags, clothes, and assorted props.

use std::f32::consts::{FRAC_PI_2, TAU};

use glam::{Quat, Vec2, Vec3};

use super::v;
use crate::classes::id;
use crate::synth::material::{self, Material, Pattern, prop_colour, vary};
use crate::synth::part::{Object, Part};
use crate::synth::shape::Shape;
use crate::util::rng::Rng;

fn book_material(rng: &mut Rng, family: Vec3, size: Vec3) -> Material {
    let base = if rng.chance(0.6) { vary(family, 0.35, rng) } else { prop_colour(rng) };
    let band = if rng.chance(0.5) { Vec3::new(0.85, 0.7, 0.3) } else { vary(Vec3::splat(0.9), 0.1, rng) };
    Material::new(base, Pattern::Book { band, size }, rng.range(0.05, 0.35), rng)
}

/// A row of upright books starting at `x0` along +x, standing on `z`, spines facing −y at
/// `y_front`, at most `width` long, `depth` deep and `height` tall; the row may end in a
/// leaning book or a small stack.
#[allow(clippy::too_many_arguments)]
pub fn book_row(o: &mut Object, rng: &mut Rng, x0: f32, width: f32, z: f32, y_front: f32, depth: f32, height: f32) {
    if height < 0.12 || depth < 0.08 {
        return;
    }
    let family = prop_colour(rng);
    let tall = rng.range(0.17, height.min(0.34));
    let mut x = x0;
    let end = x0 + width;
    while x < end - 0.03 {
        let t = rng.range(0.012, 0.05);
        let h = (tall * rng.range(0.8, 1.05)).min(height);
        let d = rng.range(0.11, depth.min(0.25)).max(0.08);
        if x + t > end {
            break;
        }
        let size = Vec3::new(t, d, h);
        let mat = book_material(rng, family, size);
        let inset = rng.range(0.0, 0.015);
        o.cuboid(v(x, y_front + inset, z), v(x + t, y_front + inset + d, z + h), id::BOOKS, &mat);
        x += t + if rng.chance(0.1) { rng.range(0.0, 0.01) } else { 0.0005 };
    }
    let room = end - x;
    if room > 0.3 && rng.chance(0.5) {
        // A short stack lying flat.
        let n = 2 + rng.below(4);
        let cx = x + rng.range(0.17, room - 0.13);
        let mut zz = z;
        for _ in 0..n {
            let t = rng.range(0.015, 0.04);
            let h = rng.range(0.17, 0.28).min(room - 0.02);
            let d = rng.range(0.12, depth.min(0.24)).max(0.1);
            if zz + t > z + height {
                break;
            }
            let size = Vec3::new(t, d, h);
            let mat = book_material(rng, family, size);
            let rot = Quat::from_rotation_y(FRAC_PI_2) * Quat::from_rotation_x(0.0);
            let c = v(cx + rng.range(-0.01, 0.01), y_front + 0.5 * d + 0.005, zz + 0.5 * t);
            o.push(Part::new(Shape::Cuboid { half: size * 0.5, skip: 0 }, c, rot, id::BOOKS, mat));
            zz += t;
        }
    } else if room > 0.12 && rng.chance(0.4) {
        // The last book leans on the row.
        let t = rng.range(0.015, 0.035);
        let h = (tall * rng.range(0.85, 1.0)).min(height - 0.01);
        let d = rng.range(0.11, depth.min(0.22)).max(0.08);
        let a = rng.range(0.15, 0.45).min((room - t) / h);
        let size = Vec3::new(t, d, h);
        let mat = book_material(rng, family, size);
        let rot = Quat::from_rotation_y(a);
        let pivot = v(x + h * a.sin() + t, y_front + 0.5 * d, z);
        let c = pivot + rot * v(-0.5 * t, 0.0, 0.5 * h);
        o.push(Part::new(Shape::Cuboid { half: size * 0.5, skip: 0 }, c, rot, id::BOOKS, mat));
    }
}

/// A few books as a free object: a short upright row or a flat stack.
pub fn books(rng: &mut Rng) -> Object {
    let mut o = Object::new("books");
    if rng.chance(0.5) {
        let w = rng.range(0.1, 0.35);
        book_row(&mut o, rng, -0.5 * w, w, 0.0, -0.12, 0.24, 0.3);
    } else {
        let family = prop_colour(rng);
        let n = 1 + rng.below(5);
        let mut z = 0.0;
        let yaw0 = rng.range(-0.3, 0.3);
        for _ in 0..n {
            let size = Vec3::new(rng.range(0.015, 0.05), rng.range(0.14, 0.24), rng.range(0.18, 0.3));
            let mat = book_material(rng, family, size);
            let rot = Quat::from_rotation_z(yaw0 + rng.range(-0.15, 0.15)) * Quat::from_rotation_y(FRAC_PI_2);
            o.push(Part::new(
                Shape::Cuboid { half: size * 0.5, skip: 0 },
                v(0.0, 0.0, z + 0.5 * size.x),
                rot,
                id::BOOKS,
                mat,
            ));
            z += size.x;
        }
    }
    if o.parts.is_empty() {
        let size = Vec3::new(0.03, 0.18, 0.24);
        let mat = book_material(rng, Vec3::splat(0.5), size);
        o.cuboid(v(-0.015, -0.09, 0.0), v(0.015, 0.09, 0.24), id::BOOKS, &mat);
    }
    o
}

/// A cardboard box (flaps sometimes open) or a plastic crate with a lid.
pub fn storage_box(rng: &mut Rng) -> Object {
    let mut o = Object::new("box");
    let l = id::BOX;
    let h = Vec3::new(rng.range(0.1, 0.3), rng.range(0.08, 0.22), rng.range(0.06, 0.22));
    if rng.chance(0.6) {
        let m = material::cardboard(rng);
        if rng.chance(0.3) {
            // Open, flaps folded out and up.
            o.push(Part::new(Shape::Cuboid { half: h, skip: 1 << 4 }, v(0.0, 0.0, h.z), Quat::IDENTITY, l, m.clone()));
            o.quad(v(0.0, 0.0, 0.01), Vec3::X, Vec3::Z, Vec2::new(h.x, h.y) * 0.97, false, l, &m);
            for s in [-1.0f32, 1.0] {
                let phi = rng.range(0.3, 1.2);
                let dir = v(0.0, s * phi.cos(), phi.sin());
                let c = v(0.0, s * h.y, 2.0 * h.z) + dir * (0.5 * h.y);
                o.quad(c, Vec3::X, Vec3::X.cross(dir), Vec2::new(h.x, 0.5 * h.y), true, l, &m);
            }
        } else {
            o.cuboid(v(-h.x, -h.y, 0.0), v(h.x, h.y, 2.0 * h.z), l, &m);
            let tape = Material::plain(vary(Vec3::new(0.75, 0.6, 0.4), 0.1, rng), 0.5, rng);
            o.cuboid(v(-0.025, -h.y, 2.0 * h.z), v(0.025, h.y, 2.0 * h.z + 0.001), l, &tape);
        }
    } else {
        let m = material::plastic(rng);
        o.cuboid(v(-h.x, -h.y, 0.0), v(h.x, h.y, 2.0 * h.z - 0.02), l, &m);
        let lid = if rng.chance(0.5) { material::vary_material(&m, 0.8, rng) } else { material::plastic(rng) };
        o.cuboid(v(-h.x - 0.008, -h.y - 0.008, 2.0 * h.z - 0.02), v(h.x + 0.008, h.y + 0.008, 2.0 * h.z), l, &lid);
    }
    o
}

/// A stack of paper or a few loose sheets.
pub fn paper(rng: &mut Rng) -> Object {
    let mut o = Object::new("paper");
    let size = if rng.chance(0.8) { Vec2::new(0.21, 0.297) } else { Vec2::new(0.15, 0.21) };
    let n = 1 + rng.below(3);
    let mut z = 0.0;
    for _ in 0..n {
        let t = if rng.chance(0.5) { 0.002 } else { rng.range(0.005, 0.04) };
        let m = material::paper(rng, size);
        let rot = Quat::from_rotation_z(rng.range(-0.4, 0.4));
        let off = v(rng.range(-0.04, 0.04), rng.range(-0.04, 0.04), 0.0);
        o.push(Part::new(
            Shape::Cuboid { half: size.extend(t) * 0.5, skip: 0 },
            off + v(0.0, 0.0, z + 0.5 * t),
            rot,
            id::PAPER,
            m,
        ));
        z += t;
    }
    o
}

/// A backpack or a handbag.
pub fn bag(rng: &mut Rng) -> Object {
    let mut o = Object::new("bag");
    let l = id::BAG;
    let m = Material::new(prop_colour(rng) * 0.8, Pattern::Fabric { amp: 0.15 }, rng.range(0.05, 0.3), rng);
    if rng.chance(0.6) {
        let (hx, hy, hz) = (rng.range(0.13, 0.17), rng.range(0.07, 0.11), rng.range(0.18, 0.25));
        o.blob(v(0.0, 0.0, hz), v(hx, hy, hz), 3.0, l, &m);
        o.blob(
            v(0.0, -hy - 0.02, hz * 0.7),
            v(hx * 0.8, 0.04, hz * 0.45),
            3.0,
            l,
            &material::vary_material(&m, 0.85, rng),
        );
        o.rod(v(-0.04, hy * 0.5, 2.0 * hz - 0.01), v(0.04, hy * 0.5, 2.0 * hz - 0.01), 0.01, l, &m);
        for s in [-1.0, 1.0] {
            o.cuboid(v(s * 0.07 - 0.025, hy - 0.01, 0.08), v(s * 0.07 + 0.025, hy + 0.012, 2.0 * hz - 0.06), l, &m);
        }
    } else {
        let (hx, hy, hz) = (rng.range(0.12, 0.22), rng.range(0.05, 0.09), rng.range(0.1, 0.18));
        o.blob(v(0.0, 0.0, hz), v(hx, hy, hz), 5.0, l, &m);
        let k = hx * 0.5;
        let top = 2.0 * hz;
        let arc =
            [v(-k, 0.0, top - 0.01), v(-k * 0.7, 0.0, top + 0.09), v(k * 0.7, 0.0, top + 0.09), v(k, 0.0, top - 0.01)];
        for w in arc.windows(2) {
            o.rod(w[0], w[1], 0.008, l, &material::vary_material(&m, 0.6, rng));
        }
    }
    o
}

/// A heap of clothes, or a folded stack.
pub fn clothes(rng: &mut Rng) -> Object {
    let mut o = Object::new("clothes");
    let l = id::CLOTHES;
    let n = 2 + rng.below(4);
    let folded = rng.chance(0.4);
    let mut z = 0.0;
    for k in 0..n {
        let m = if rng.chance(0.5) { material::fabric(rng) } else { material::linen(rng) };
        if folded {
            let t = rng.range(0.02, 0.05);
            let half = v(rng.range(0.13, 0.18), rng.range(0.1, 0.15), 0.5 * t);
            let rot = Quat::from_rotation_z(rng.range(-0.08, 0.08));
            o.push(Part::new(Shape::Blob { half, p: 6.0 }, v(0.0, 0.0, z + half.z), rot, l, m));
            z += t;
        } else {
            let half = v(rng.range(0.12, 0.25), rng.range(0.1, 0.2), rng.range(0.02, 0.05));
            let off = v(rng.range(-0.08, 0.08), rng.range(-0.08, 0.08), z + half.z);
            let rot = Quat::from_rotation_z(rng.range(0.0, TAU)) * Quat::from_rotation_x(rng.range(-0.1, 0.1));
            o.push(Part::new(Shape::Blob { half, p: 2.5 }, off, rot, l, m));
            z += half.z * if k == 0 { 1.2 } else { 0.9 };
        }
    }
    o
}

/// A bottle, mug, vase, bowl or candle.
pub fn small_prop(rng: &mut Rng) -> Object {
    let mut o = Object::new("prop");
    let l = id::OTHER_PROP;
    match rng.below(6) {
        0 => {
            let r = rng.range(0.03, 0.045);
            let h = rng.range(0.15, 0.3);
            let m = if rng.chance(0.4) { material::glass(rng) } else { material::plastic(rng) };
            let mut m = m;
            m.opacity = m.opacity.max(0.5);
            o.cyl(v(0.0, 0.0, 0.0), r, r, h * 0.65, l, &m);
            o.cyl(v(0.0, 0.0, h * 0.65), r, r * 0.35, h * 0.2, l, &m);
            o.cyl(v(0.0, 0.0, h * 0.85), r * 0.35, r * 0.35, h * 0.15, l, &material::plastic(rng));
        }
        1 => {
            let r = rng.range(0.035, 0.045);
            let m = if rng.chance(0.5) { material::ceramic(rng) } else { material::plastic(rng) };
            let s =
                Shape::Cylinder { r0: r, r1: r, h: 0.1, aspect: 1.0, bottom: true, top: false, hole: 0.0, inner: true };
            o.push(Part::new(s, Vec3::ZERO, Quat::IDENTITY, l, m.clone()));
            o.rod(v(r, 0.0, 0.025), v(r + 0.025, 0.0, 0.05), 0.007, l, &m);
            o.rod(v(r + 0.025, 0.0, 0.05), v(r, 0.0, 0.08), 0.007, l, &m);
        }
        2 => {
            let r = rng.range(0.05, 0.1);
            let h = rng.range(0.15, 0.4);
            let m = if rng.chance(0.5) { material::ceramic(rng) } else { Material::plain(prop_colour(rng), 0.5, rng) };
            o.cyl(v(0.0, 0.0, 0.0), r * 0.7, r, h * 0.6, l, &m);
            o.cyl(v(0.0, 0.0, h * 0.6), r, r * 0.5, h * 0.4, l, &m);
            if rng.chance(0.5) {
                let leaves = material::foliage(rng);
                for k in 0..5 {
                    let a = TAU * k as f32 / 5.0 + rng.f32();
                    o.ellipsoid(v(a.cos() * 0.05, a.sin() * 0.05, h + 0.08), v(0.04, 0.04, 0.07), l, &leaves);
                }
            }
        }
        3 => {
            let r = rng.range(0.08, 0.15);
            let m = if rng.chance(0.5) { material::ceramic(rng) } else { material::wood(rng) };
            let out = Shape::Ellipsoid { radii: v(r, r, r * 0.5), zlo: -1.0, zhi: 0.0, inward: false };
            let inn = Shape::Ellipsoid { radii: v(r * 0.95, r * 0.95, r * 0.47), zlo: -1.0, zhi: 0.0, inward: true };
            o.push(Part::new(out, v(0.0, 0.0, r * 0.5), Quat::IDENTITY, l, m.clone())).solid = false;
            o.push(Part::new(inn, v(0.0, 0.0, r * 0.5), Quat::IDENTITY, l, m));
            if rng.chance(0.6) {
                for _ in 0..4 {
                    let fruit = Material::plain(material::hsv(rng.range(0.0, 1.3), 0.8, rng.range(0.5, 0.9)), 0.5, rng);
                    o.ellipsoid(
                        v(rng.range(-0.4, 0.4) * r, rng.range(-0.4, 0.4) * r, r * 0.45),
                        Vec3::splat(0.035),
                        l,
                        &fruit,
                    );
                }
            }
        }
        4 => {
            let r = rng.range(0.03, 0.05);
            let m = Material::plain(vary(Vec3::new(0.95, 0.92, 0.85), 0.05, rng), 0.2, rng);
            o.cyl(Vec3::ZERO, r, r, rng.range(0.05, 0.2), l, &m);
        }
        _ => {
            // A framed photo standing on its stand: a small picture.
            let (w, h) = (rng.range(0.1, 0.2), rng.range(0.13, 0.25));
            let frame = material::furniture(rng);
            let photo = Material::new(
                Vec3::splat(0.5),
                Pattern::Poster { size: Vec2::new(w, h), style: rng.below(4) as u8 },
                0.3,
                rng,
            );
            let rot = Quat::from_rotation_x(-0.2);
            o.cuboid_at(v(0.0, 0.0, 0.5 * h), v(0.5 * w, 0.008, 0.5 * h), rot, id::PICTURE, &frame);
            o.cuboid_at(
                v(0.0, -0.009, 0.5 * h + 0.002),
                v(0.5 * w - 0.012, 0.001, 0.5 * h - 0.012),
                rot,
                id::PICTURE,
                &photo,
            );
        }
    }
    o
}

/// A laptop, open.
pub fn laptop(rng: &mut Rng) -> Object {
    let mut o = Object::new("laptop");
    let l = id::OTHER_PROP;
    let (w, d) = (rng.range(0.3, 0.38), rng.range(0.21, 0.25));
    let shell = if rng.chance(0.5) {
        Material::plain(Vec3::splat(0.7), 0.6, rng)
    } else {
        Material::plain(Vec3::splat(0.1), 0.4, rng)
    };
    o.cuboid(v(-0.5 * w, -0.5 * d, 0.0), v(0.5 * w, 0.5 * d, 0.015), l, &shell);
    let keys = Material::new(
        Vec3::splat(0.15),
        Pattern::Tiles { size: Vec2::splat(0.018), grout: Vec3::splat(0.05), gw: 0.002, vary: 0.0 },
        0.2,
        rng,
    );
    o.cuboid(v(-0.5 * w + 0.02, -0.02, 0.015), v(0.5 * w - 0.02, 0.5 * d - 0.02, 0.016), l, &keys);
    let a = rng.range(0.2, 0.5);
    let rot = Quat::from_rotation_x(-a);
    let hinge = v(0.0, 0.5 * d, 0.015);
    o.cuboid_at(hinge + rot * v(0.0, 0.004, 0.5 * d), v(0.5 * w, 0.004, 0.5 * d), rot, l, &shell);
    let screen = Material::new(
        Vec3::splat(0.5),
        Pattern::Screen { size: Vec2::new(w - 0.03, d - 0.03), on: rng.chance(0.6) },
        0.8,
        rng,
    );
    let s = o.cuboid_at(
        hinge + rot * v(0.0, -0.0005, 0.5 * d),
        v(0.5 * w - 0.015, 0.0005, 0.5 * d - 0.015),
        rot,
        l,
        &screen,
    );
    s.solid = false;
    o
}

/// A computer monitor on a stand, with a keyboard in front when `keyboard`.
pub fn monitor(rng: &mut Rng, keyboard: bool) -> Object {
    let mut o = Object::new("monitor");
    let l = id::OTHER_PROP;
    let w = rng.range(0.45, 0.7);
    let h = w * rng.range(0.55, 0.62);
    let black = Material::plain(Vec3::splat(rng.range(0.03, 0.12)), 0.5, rng);
    let lift = rng.range(0.08, 0.15);
    o.cuboid(v(-0.1, -0.02, 0.0), v(0.1, 0.14, 0.012), l, &black);
    o.cuboid(v(-0.025, 0.08, 0.012), v(0.025, 0.1, lift + 0.5 * h), l, &black);
    o.cuboid(v(-0.5 * w, 0.04, lift), v(0.5 * w, 0.07, lift + h), l, &black);
    let screen = Material::new(
        Vec3::splat(0.5),
        Pattern::Screen { size: Vec2::new(w - 0.02, h - 0.02), on: rng.chance(0.6) },
        0.8,
        rng,
    );
    let s = o.cuboid(v(-0.5 * w + 0.01, 0.039, lift + 0.01), v(0.5 * w - 0.01, 0.04, lift + h - 0.01), l, &screen);
    s.detail = 1.5;
    if keyboard {
        let keys = Material::new(
            Vec3::splat(rng.range(0.1, 0.85)),
            Pattern::Tiles { size: Vec2::splat(0.019), grout: Vec3::splat(0.08), gw: 0.002, vary: 0.0 },
            0.2,
            rng,
        );
        o.cuboid(v(-0.22, -0.28, 0.0), v(0.22, -0.13, 0.025), l, &keys);
        o.ellipsoid(v(0.32, -0.2, 0.015), v(0.03, 0.05, 0.015), l, &black);
    }
    o
}

/// A kitchen appliance on a counter: microwave, kettle or toaster.
pub fn appliance(rng: &mut Rng) -> Object {
    let mut o = Object::new("appliance");
    let l = id::OTHER_PROP;
    let body = if rng.chance(0.5) { material::metal(rng) } else { material::plastic(rng) };
    match rng.below(3) {
        0 => {
            let (hx, hy, h) = (rng.range(0.22, 0.28), rng.range(0.16, 0.2), rng.range(0.26, 0.32));
            o.cuboid(v(-hx, -hy, 0.0), v(hx, hy, h), l, &body);
            let glass = Material::plain(Vec3::splat(0.05), 0.8, rng);
            o.cuboid(v(-hx + 0.03, -hy - 0.003, 0.04), v(hx - 0.12, -hy, h - 0.04), l, &glass);
        }
        1 => {
            let r = rng.range(0.07, 0.09);
            o.cyl(Vec3::ZERO, r * 1.05, r * 0.8, rng.range(0.18, 0.24), l, &body);
            o.rod(v(r * 0.7, 0.0, 0.18), v(r * 1.4, 0.0, 0.1), 0.015, l, &body);
        }
        _ => {
            o.blob(v(0.0, 0.0, 0.09), v(0.14, 0.08, 0.09), 6.0, l, &body);
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn props_are_sane() {
        for seed in 0..60 {
            let mut rng = Rng::new(seed);
            for o in [
                books(&mut rng),
                storage_box(&mut rng),
                paper(&mut rng),
                bag(&mut rng),
                clothes(&mut rng),
                small_prop(&mut rng),
                laptop(&mut rng),
                monitor(&mut rng, true),
                appliance(&mut rng),
            ] {
                assert_sane(&o);
            }
        }
    }
}

//! Things on walls and windows, rugs, plants, radiators and bins. Wall items are built with
//! their back on the wall plane (y = 0, the object in front at y < 0) and their bottom at z = 0.

use std::f32::consts::TAU;

use glam::{Quat, Vec2, Vec3};

use super::v;
use crate::classes::id;
use crate::synth::material::{self, Material, Pattern, vary};
use crate::synth::part::{Object, Part};
use crate::synth::shape::Shape;
use crate::util::rng::Rng;

/// A framed (or unframed canvas) picture `w` × `h`.
pub fn picture(rng: &mut Rng, w: f32, h: f32) -> Object {
    let mut o = Object::new("picture");
    let l = id::PICTURE;
    let depth = rng.range(0.015, 0.04);
    let style = rng.below(4) as u8;
    let art = Material::new(
        vary(Vec3::splat(0.7), 0.2, rng),
        Pattern::Poster { size: Vec2::new(w, h), style },
        rng.range(0.05, 0.5),
        rng,
    );
    if rng.chance(0.7) {
        let f = rng.range(0.015, 0.06);
        let frame = if rng.chance(0.5) {
            material::wood(rng)
        } else {
            Material::plain(
                vary(*rng.pick(&[Vec3::splat(0.05), Vec3::splat(0.9), Vec3::new(0.7, 0.55, 0.3)]), 0.05, rng),
                0.4,
                rng,
            )
        };
        let hw = 0.5 * w;
        o.cuboid(v(-hw, -depth, 0.0), v(hw, 0.0, f), l, &frame);
        o.cuboid(v(-hw, -depth, h - f), v(hw, 0.0, h), l, &frame);
        o.cuboid(v(-hw, -depth, f), v(-hw + f, 0.0, h - f), l, &frame);
        o.cuboid(v(hw - f, -depth, f), v(hw, 0.0, h - f), l, &frame);
        let mut inner = art.clone();
        inner.pattern = Pattern::Poster { size: Vec2::new(w - 2.0 * f, h - 2.0 * f), style };
        let mat = rng.chance(0.4);
        let inset = if mat { rng.range(0.02, 0.08).min(0.2 * w) } else { 0.0 };
        if mat {
            let passe = Material::plain(vary(Vec3::splat(0.92), 0.03, rng), 0.1, rng);
            o.cuboid(v(-hw + f, -0.5 * depth, f), v(hw - f, 0.0, h - f), l, &passe);
            inner.pattern = Pattern::Poster { size: Vec2::new(w - 2.0 * (f + inset), h - 2.0 * (f + inset)), style };
        }
        o.cuboid(
            v(-hw + f + inset, -0.5 * depth - 0.002, f + inset),
            v(hw - f - inset, -0.5 * depth, h - f - inset),
            l,
            &inner,
        )
        .detail = 2.0;
    } else {
        o.cuboid(v(-0.5 * w, -depth, 0.0), v(0.5 * w, 0.0, h), l, &art).detail = 2.0;
    }
    o
}

/// A wall mirror that shows a blurred room (floor colour below, wall colour above).
pub fn mirror(rng: &mut Rng, w: f32, h: f32, floor: Vec3, wall: Vec3) -> Object {
    let mut o = Object::new("mirror");
    let l = id::MIRROR;
    let glass =
        Material::new(Vec3::ONE, Pattern::Mirror { bottom: floor * 0.8, top: wall * 0.95, height: h }, 0.95, rng);
    if rng.chance(0.6) {
        let f = rng.range(0.02, 0.05);
        let frame = if rng.chance(0.5) { material::metal(rng) } else { material::wood(rng) };
        o.cuboid(v(-0.5 * w, -0.03, 0.0), v(0.5 * w, 0.0, h), l, &frame);
        o.cuboid(v(-0.5 * w + f, -0.032, f), v(0.5 * w - f, -0.03, h - f), l, &glass).detail = 1.5;
    } else {
        o.cuboid(v(-0.5 * w, -0.006, 0.0), v(0.5 * w, 0.0, h), l, &glass).detail = 1.5;
    }
    o
}

/// A whiteboard with an aluminium frame, a marker tray and some writing.
pub fn whiteboard(rng: &mut Rng) -> Object {
    let mut o = Object::new("whiteboard");
    let l = id::WHITEBOARD;
    let w = rng.range(1.2, 2.6);
    let h = rng.range(0.9, 1.25);
    let al = Material::plain(Vec3::splat(0.78), 0.7, rng);
    let board =
        Material::new(vary(Vec3::splat(0.95), 0.02, rng), Pattern::Scribbles { size: Vec2::new(w, h) }, 0.6, rng);
    o.cuboid(v(-0.5 * w, -0.02, 0.06), v(0.5 * w, 0.0, 0.06 + h), l, &al);
    o.cuboid(v(-0.5 * w + 0.02, -0.022, 0.08), v(0.5 * w - 0.02, -0.02, 0.04 + h), l, &board).detail = 1.5;
    o.cuboid(v(-0.5 * w * 0.8, -0.07, 0.03), v(0.5 * w * 0.8, 0.0, 0.06), l, &al);
    let inks = [Vec3::new(0.1, 0.15, 0.6), Vec3::new(0.7, 0.1, 0.1), Vec3::splat(0.1)];
    for k in 0..rng.below(4) {
        let m = Material::plain(inks[k % 3], 0.4, rng);
        let x = rng.range(-0.3, 0.3) * w;
        o.rod(v(x, -0.04, 0.07), v(x + 0.12, -0.04, 0.07), 0.008, id::OTHER_PROP, &m);
    }
    o
}

/// A flat-screen television, on feet when `stand` (for furniture) or for the wall.
pub fn television(rng: &mut Rng, stand: bool, on: bool) -> Object {
    let mut o = Object::new("television");
    let l = id::TELEVISION;
    let w = rng.range(0.8, 1.6);
    let h = w * 0.57;
    let d = rng.range(0.025, 0.06);
    let lift = if stand { rng.range(0.04, 0.1) } else { 0.0 };
    let bezel = Material::plain(Vec3::splat(rng.range(0.02, 0.08)), 0.6, rng);
    let y0 = if stand { 0.5 * d } else { 0.0 };
    o.cuboid(v(-0.5 * w, y0 - d, lift), v(0.5 * w, y0, lift + h), l, &bezel);
    let screen =
        Material::new(Vec3::splat(0.5), Pattern::Screen { size: Vec2::new(w - 0.03, h - 0.03), on }, 0.85, rng)
            .emissive(if on { rng.range(1.0, 2.0) } else { 0.0 });
    o.cuboid(
        v(-0.5 * w + 0.015, y0 - d - 0.001, lift + 0.015),
        v(0.5 * w - 0.015, y0 - d, lift + h - 0.015),
        l,
        &screen,
    )
    .detail = 1.5;
    if stand {
        if rng.chance(0.5) {
            o.cuboid(v(-0.15, -0.1, 0.0), v(0.15, 0.1, 0.012), l, &bezel);
            o.cuboid(v(-0.03, -0.01, 0.012), v(0.03, 0.01, lift + 0.1), l, &bezel);
        } else {
            for s in [-1.0, 1.0] {
                let x = s * 0.4 * w;
                o.cuboid(v(x - 0.02, -0.1, 0.0), v(x + 0.02, 0.1, 0.012), l, &bezel);
                o.cuboid(v(x - 0.01, -0.01, 0.012), v(x + 0.01, 0.01, lift + 0.05), l, &bezel);
            }
        }
    }
    o
}

/// Curtains on a rod over a window `w` wide whose opening spans `z0..z1` above the floor;
/// `coverage` 1 draws them shut. Built on the wall's foot, centred on the window.
pub fn curtains(rng: &mut Rng, w: f32, z0: f32, z1: f32, ceiling: f32) -> Object {
    let mut o = Object::new("curtains");
    let l = id::CURTAIN;
    let ext = rng.range(0.1, 0.35);
    let rod_z = (z1 + rng.range(0.08, 0.25)).min(ceiling - 0.05);
    let y = -rng.range(0.07, 0.12);
    let metal = material::metal(rng);
    let hw = 0.5 * w + ext;
    o.rod(v(-hw - 0.05, y, rod_z), v(hw + 0.05, y, rod_z), 0.012, l, &metal);
    for s in [-1.0f32, 1.0] {
        o.rod(v(s * (hw + 0.02), y, rod_z), v(s * (hw + 0.02), 0.0, rod_z), 0.008, l, &metal);
    }
    let long = rng.chance(0.65) || z0 < 0.3;
    let bottom = if long { rng.range(0.0, 0.03) } else { (z0 - rng.range(0.05, 0.15)).max(0.02) };
    let fabric = if rng.chance(0.5) { material::linen(rng) } else { material::fabric(rng) };
    let sheer = rng.chance(0.25);
    let coverage = if rng.chance(0.15) { 1.0 } else { rng.range(0.25, 0.6) };
    let fold = rng.range(0.1, 0.22);
    let amp = rng.range(0.015, 0.045);
    let drop = rod_z - 0.03 - bottom;
    let mut add = |x0: f32, x1: f32, mat: &Material, yy: f32| {
        let shape = Shape::Quad { half: Vec2::new(0.5 * (x1 - x0), 0.5 * drop), two_sided: true, amp, fold };
        let p = o.push(Part::new(
            shape,
            v(0.5 * (x0 + x1), yy, bottom + 0.5 * drop),
            crate::synth::part::frame(Vec3::X, -Vec3::Y),
            l,
            mat.clone(),
        ));
        p.detail = 1.2;
    };
    if sheer {
        let mut m = Material::plain(vary(Vec3::splat(0.93), 0.03, rng), 0.05, rng);
        m.opacity = rng.range(0.35, 0.6);
        add(-hw, hw, &m, y + 0.04);
    }
    let pw = hw * coverage;
    add(-hw, -hw + pw, &fabric, y);
    add(hw - pw, hw, &fabric, y);
    o
}

/// Blinds over a window opening `w` × (`z0`..`z1`): venetian, roller or vertical, partly
/// lowered. Built on the wall's foot, centred on the window.
pub fn blinds(rng: &mut Rng, w: f32, z0: f32, z1: f32, office: bool) -> Object {
    let mut o = Object::new("blinds");
    let l = id::BLINDS;
    let hw = 0.5 * w + rng.range(0.02, 0.06);
    let y = -rng.range(0.04, 0.07);
    let colour = if rng.chance(0.6) { vary(Vec3::splat(0.9), 0.04, rng) } else { material::prop_colour(rng) };
    let mat = Material::plain(colour, 0.3, rng);
    let top = z1 + 0.06;
    let lowered = if rng.chance(0.2) { 1.0 } else { rng.range(0.1, 0.95) };
    let bottom = top - 0.06 - lowered * (z1 - z0);
    o.cuboid(v(-hw, y - 0.025, top - 0.05), v(hw, y + 0.025, top), l, &mat);
    match if office { rng.below(4) } else { rng.below(3) } {
        0 | 3 if office => {
            // Vertical louvres.
            let n = (2.0 * hw / 0.09) as usize;
            let a = rng.range(0.0, 1.2);
            for k in 0..n {
                let x = -hw + (k as f32 + 0.5) * 2.0 * hw / n as f32;
                let rot = Quat::from_rotation_z(a);
                o.cuboid_at(
                    v(x, y, 0.5 * (top - 0.05 + bottom.min(z0 - 0.02))),
                    v(0.045, 0.001, 0.5 * (top - 0.05 - bottom.min(z0 - 0.02))),
                    rot,
                    l,
                    &mat,
                );
            }
        }
        0 | 1 => {
            let pitch = rng.range(0.022, 0.045);
            let tilt = rng.range(0.0, 1.3);
            let n = ((top - 0.05 - bottom) / pitch) as usize;
            for k in 1..=n {
                let z = top - 0.05 - k as f32 * pitch;
                o.cuboid_at(v(0.0, y, z), v(hw - 0.01, 0.6 * pitch, 0.0008), Quat::from_rotation_x(tilt), l, &mat);
            }
            o.cuboid(v(-hw, y - 0.015, bottom - 0.015), v(hw, y + 0.015, bottom), l, &mat);
        }
        _ => {
            let fabric = Material::new(colour, Pattern::Fabric { amp: 0.1 }, 0.05, rng);
            o.rod(v(-hw, y, top - 0.03), v(hw, y, top - 0.03), 0.025, l, &mat);
            o.quad(
                v(0.0, y - 0.02, 0.5 * (top - 0.05 + bottom)),
                Vec3::X,
                -Vec3::Y,
                Vec2::new(hw - 0.01, 0.5 * (top - 0.05 - bottom)),
                true,
                l,
                &fabric,
            );
            o.cuboid(v(-hw, y - 0.03, bottom - 0.02), v(hw, y - 0.01, bottom), l, &mat);
        }
    }
    o
}

/// A rug: thin, rectangular or round, patterned.
pub fn rug(rng: &mut Rng, hw: f32, hd: f32, label: u16) -> Object {
    let mut o = Object::new("rug");
    let base = material::vary(material::prop_colour(rng) * 0.8 + Vec3::splat(0.1), 0.05, rng);
    let pattern = match rng.below(5) {
        0 => Pattern::Stripes {
            period: rng.range(0.08, 0.4),
            duty: rng.range(0.2, 0.5),
            color2: vary(base * 0.6, 0.2, rng),
            vertical: rng.chance(0.5),
        },
        1 => Pattern::Checker { size: rng.range(0.1, 0.3), color2: vary(base * 0.75, 0.1, rng) },
        2 => Pattern::Poster { size: Vec2::new(2.0 * hw, 2.0 * hd), style: 3 },
        _ => Pattern::Fabric { amp: 0.3 },
    };
    let mat = Material::new(base, pattern, 0.0, rng);
    let t = rng.range(0.006, 0.02);
    if rng.chance(0.2) {
        let r = hw.min(hd);
        o.cyl(Vec3::ZERO, r, r, t, label, &mat);
    } else {
        o.cuboid(v(-hw, -hd, 0.0), v(hw, hd, t), label, &mat);
    }
    o
}

/// A potted plant: a floor plant when `big`, else a small one for a table or shelf.
pub fn plant(rng: &mut Rng, big: bool) -> Object {
    let mut o = Object::new("plant");
    let l = id::OTHER_PROP;
    let s = if big { rng.range(2.0, 3.2) } else { 1.0 };
    let r = rng.range(0.05, 0.08) * s;
    let ph = rng.range(0.08, 0.13) * s;
    let pot = if rng.chance(0.4) {
        Material::plain(vary(Vec3::new(0.68, 0.38, 0.25), 0.08, rng), 0.1, rng)
    } else if rng.chance(0.5) {
        material::ceramic(rng)
    } else {
        material::plastic(rng)
    };
    let shape =
        Shape::Cylinder { r0: r * 0.75, r1: r, h: ph, aspect: 1.0, bottom: true, top: false, hole: 0.0, inner: false };
    o.push(Part::new(shape, Vec3::ZERO, Quat::IDENTITY, l, pot));
    let soil = Material::plain(vary(Vec3::new(0.25, 0.18, 0.12), 0.1, rng), 0.0, rng);
    o.cyl(v(0.0, 0.0, ph - 0.02), r * 0.95, r * 0.95, 0.01, l, &soil);
    let leaves = material::foliage(rng);
    let height = if big { rng.range(0.5, 1.4) } else { rng.range(0.1, 0.3) };
    let n = if big { 10 + rng.below(14) } else { 4 + rng.below(6) };
    if big && rng.chance(0.4) {
        let bark = Material::plain(vary(Vec3::new(0.35, 0.25, 0.16), 0.1, rng), 0.05, rng);
        o.rod(v(0.0, 0.0, ph - 0.02), v(0.0, 0.0, ph + height * 0.7), 0.015 * s, l, &bark);
    }
    for _ in 0..n {
        let a = rng.range(0.0, TAU);
        let t = rng.f32();
        let rad = r * rng.range(0.2, 1.6) * (0.4 + t);
        let c = v(a.cos() * rad, a.sin() * rad, ph + height * (0.25 + 0.75 * t));
        let len = rng.range(0.05, 0.12) * s;
        let e = o.ellipsoid(c, v(len * 0.4, len * 0.25, len), l, &leaves);
        e.rot = Quat::from_rotation_z(a) * Quat::from_rotation_y(rng.range(-0.9, 0.9));
    }
    o
}

/// A wall clock, its centre `r` above its base.
pub fn clock(rng: &mut Rng) -> Object {
    let mut o = Object::new("clock");
    let l = id::OTHER_PROP;
    let r = rng.range(0.12, 0.2);
    let rim = Material::plain(
        vary(*rng.pick(&[Vec3::splat(0.1), Vec3::splat(0.85), Vec3::new(0.55, 0.4, 0.25)]), 0.05, rng),
        0.5,
        rng,
    );
    let face = Material::plain(vary(Vec3::splat(0.95), 0.02, rng), 0.3, rng);
    let c = v(0.0, 0.0, r);
    o.rod(c, c - v(0.0, 0.04, 0.0), r, l, &rim);
    o.rod(c - v(0.0, 0.04, 0.0), c - v(0.0, 0.042, 0.0), r * 0.9, l, &face);
    let black = Material::plain(Vec3::splat(0.05), 0.3, rng);
    for (len, a) in [(0.55, rng.range(0.0, TAU)), (0.8, rng.range(0.0, TAU))] {
        let d = v(a.cos(), 0.0, a.sin()) * r * len;
        o.rod(c - v(0.0, 0.044, 0.0), c - v(0.0, 0.044, 0.0) + d, 0.004, l, &black);
    }
    o
}

/// A panel radiator on short brackets, for under a window.
pub fn radiator(rng: &mut Rng, w: f32, max_h: f32) -> Object {
    let mut o = Object::new("radiator");
    let l = id::OTHER_FURNITURE;
    let h = rng.range(0.35, 0.6).min(max_h - 0.15).max(0.2);
    let z0 = rng.range(0.08, 0.15);
    let mat = Material::plain(vary(Vec3::splat(0.9), 0.03, rng), 0.4, rng);
    let y0 = -0.04;
    if rng.chance(0.5) {
        let n = (w / 0.05) as usize;
        for k in 0..n {
            let x = -0.5 * w + (k as f32 + 0.5) * w / n as f32;
            o.cuboid(v(x - 0.015, y0 - 0.08, z0), v(x + 0.015, y0, z0 + h), l, &mat);
        }
        o.rod(v(-0.5 * w, y0 - 0.04, z0 + 0.03), v(0.5 * w, y0 - 0.04, z0 + 0.03), 0.015, l, &mat);
    } else {
        let m = Material::new(
            mat.base,
            Pattern::Stripes { period: 0.033, duty: 0.3, color2: mat.base * 0.85, vertical: true },
            0.4,
            rng,
        );
        o.cuboid(v(-0.5 * w, y0 - 0.07, z0), v(0.5 * w, y0, z0 + h), l, &m);
    }
    for s in [-1.0, 1.0] {
        o.cuboid(v(s * 0.3 * w - 0.015, y0, z0 + 0.1), v(s * 0.3 * w + 0.015, 0.0, z0 + 0.14), l, &mat);
    }
    o.rod(v(0.45 * w, y0 - 0.03, 0.0), v(0.45 * w, y0 - 0.03, z0), 0.01, l, &material::metal(rng));
    o
}

/// A waste bin.
pub fn bin(rng: &mut Rng) -> Object {
    let mut o = Object::new("bin");
    let l = id::OTHER_FURNITURE;
    let m = if rng.chance(0.5) { material::plastic(rng) } else { material::metal(rng) };
    let r = rng.range(0.1, 0.17);
    let h = rng.range(0.25, 0.45);
    if rng.chance(0.6) {
        let s =
            Shape::Cylinder { r0: r * 0.85, r1: r, h, aspect: 1.0, bottom: true, top: false, hole: 0.0, inner: true };
        o.push(Part::new(s, Vec3::ZERO, Quat::IDENTITY, l, m));
    } else {
        let s = Shape::Cuboid { half: v(r, r * 0.8, 0.5 * h), skip: 1 << 4 };
        o.push(Part::new(s, v(0.0, 0.0, 0.5 * h), Quat::IDENTITY, l, m.clone())).solid = false;
        o.quad(v(0.0, 0.0, 0.02), Vec3::X, Vec3::Z, Vec2::new(r, r * 0.8) * 0.95, false, l, &m);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn decor_is_sane() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            for o in [
                picture(&mut rng, 0.6, 0.4),
                mirror(&mut rng, 0.5, 0.8, Vec3::splat(0.5), Vec3::splat(0.9)),
                whiteboard(&mut rng),
                television(&mut rng, true, true),
                curtains(&mut rng, 1.2, 0.8, 2.2, 2.6),
                blinds(&mut rng, 1.2, 0.8, 2.2, seed % 2 == 0),
                rug(&mut rng, 1.0, 0.7, id::FLOOR_MAT),
                plant(&mut rng, seed % 2 == 0),
                clock(&mut rng),
                radiator(&mut rng, 1.0, 0.8),
                bin(&mut rng),
            ] {
                assert_sane(&o);
            }
        }
    }
}

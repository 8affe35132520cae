//! Kitchen furniture: a run of base cabinets under a counter with a sink and a cooker,
//! wall cabinets, a refrigerator, an island.

use glam::{Vec2, Vec3};

use super::{Handle, counter_with_basin, front, v};
use crate::classes::id;
use crate::synth::material::{self, Material, Pattern};
use crate::synth::part::Object;
use crate::util::rng::Rng;

/// Finishes shared by a kitchen's pieces.
#[derive(Clone, Debug)]
pub struct KitchenStyle {
    /// Cabinet doors and drawer fronts.
    pub fronts: Material,
    /// Countertop.
    pub counter: Material,
    /// Appliances and fittings.
    pub metal: Material,
    /// Handle style of every front.
    pub handle: Handle,
    /// Countertop height, metres.
    pub top: f32,
}

impl KitchenStyle {
    /// Random finishes; fronts match `wood` 40 % of the time.
    pub fn random(rng: &mut Rng, wood: &Material) -> Self {
        let fronts = if rng.chance(0.4) { wood.clone() } else { material::painted(rng) };
        let counter = match rng.below(4) {
            0 => Material::new(
                material::vary(Vec3::splat(0.9), 0.05, rng),
                Pattern::Marble { vein: Vec3::splat(0.5) },
                0.6,
                rng,
            ),
            1 => Material::new(
                material::vary(Vec3::splat(0.2), 0.2, rng),
                Pattern::Mottle { scale: 60.0, amp: 0.4 },
                0.6,
                rng,
            ),
            2 => material::wood(rng),
            _ => material::laminate(rng),
        };
        let handle = if rng.chance(0.8) { Handle::Bar } else { Handle::Knob };
        Self { fronts, counter, metal: material::metal(rng), handle, top: rng.range(0.88, 0.93) }
    }
}

/// A counter run `len` long (x), back to the wall: base units with doors or drawers, a
/// counter top, optionally a sink and a cooker, and sometimes a tiled backsplash.
pub fn counter_run(rng: &mut Rng, ks: &KitchenStyle, len: f32, sink: bool, cooker: bool) -> Object {
    let mut o = Object::new("counter run");
    let hd = 0.3;
    let top = ks.top;
    let ct = rng.range(0.03, 0.045);
    let plinth = 0.1;
    // Split the run into units.
    let mut widths = Vec::new();
    let mut left = len;
    while left > 0.35 {
        let w = (*rng.pick(&[0.4f32, 0.5, 0.6, 0.6, 0.8])).min(left);
        widths.push(w);
        left -= w;
    }
    if let Some(last) = widths.last_mut() {
        *last += left;
    } else {
        widths.push(len);
    }
    let n = widths.len();
    let sink_at = if sink { Some(rng.below(n)) } else { None };
    let cooker_at = if cooker && n > 1 { Some((sink_at.unwrap_or(0) + 1 + rng.below(n - 1)) % n) } else { None };
    let dark = material::vary_material(&ks.fronts, 0.5, rng);
    o.cuboid(v(-0.5 * len, -hd + 0.07, 0.0), v(0.5 * len, hd, plinth), id::CABINET, &dark);
    let mut x = -0.5 * len;
    let sink_mat = if rng.chance(0.6) { Material::plain(Vec3::splat(0.75), 0.85, rng) } else { material::ceramic(rng) };
    for (i, w) in widths.iter().enumerate() {
        let (x0, x1) = (x, x + w);
        x = x1;
        let depth = rng.range(0.16, 0.22);
        let is_sink = Some(i) == sink_at;
        let is_cooker = Some(i) == cooker_at;
        let body_top = if is_sink { top - ct - depth - 0.01 } else { top - ct };
        let label = if is_cooker { id::OTHER_FURNITURE } else { id::CABINET };
        o.cuboid(v(x0, -hd + 0.02, plinth), v(x1, hd, body_top), label, &ks.fronts);
        let fz0 = plinth + 0.005;
        let fz1 = top - ct - 0.005;
        if is_cooker {
            let black = Material::plain(Vec3::splat(0.04), 0.8, rng);
            let steel = ks.metal.clone();
            o.cuboid(v(x0 + 0.005, -hd, fz0), v(x1 - 0.005, -hd + 0.02, fz1), id::OTHER_FURNITURE, &steel);
            o.cuboid(v(x0 + 0.04, -hd - 0.002, fz0 + 0.08), v(x1 - 0.04, -hd, fz1 - 0.15), id::OTHER_FURNITURE, &black);
            o.rod(
                v(x0 + 0.06, -hd - 0.04, fz1 - 0.1),
                v(x1 - 0.06, -hd - 0.04, fz1 - 0.1),
                0.01,
                id::OTHER_FURNITURE,
                &steel,
            );
            o.cuboid(v(x0, -hd - 0.02, top - ct), v(x1, hd, top), id::COUNTER, &ks.counter);
            o.cuboid(v(x0 + 0.03, -hd + 0.02, top), v(x1 - 0.03, hd - 0.06, top + 0.006), id::OTHER_FURNITURE, &black);
            let grey = Material::plain(Vec3::splat(0.3), 0.6, rng);
            let (cx, cy) = (0.5 * (x0 + x1), 0.0);
            for (dx, dy, r) in [(-0.13, -0.1, 0.09), (0.13, -0.1, 0.07), (-0.13, 0.12, 0.07), (0.13, 0.12, 0.09)] {
                let ring = crate::synth::shape::Shape::Cylinder {
                    r0: r,
                    r1: r,
                    h: 0.002,
                    aspect: 1.0,
                    bottom: false,
                    top: true,
                    hole: 0.8,
                    inner: false,
                };
                o.push(crate::synth::part::Part::new(
                    ring,
                    v(cx + dx * (w / 0.6), cy + dy, top + 0.006),
                    glam::Quat::IDENTITY,
                    id::OTHER_FURNITURE,
                    grey.clone(),
                ))
                .solid = false;
            }
            continue;
        }
        // Doors below a sink, drawers or doors elsewhere.
        if !is_sink && rng.chance(0.35) {
            let rows = 3;
            for r in 0..rows {
                let a = fz0 + (fz1 - fz0) * r as f32 / rows as f32;
                let b = fz0 + (fz1 - fz0) * (r + 1) as f32 / rows as f32;
                front(
                    &mut o,
                    x0,
                    x1,
                    a,
                    b,
                    -hd + 0.02,
                    ks.handle,
                    (0.5 * (x0 + x1), b - 0.05),
                    false,
                    id::CABINET,
                    &ks.fronts,
                    &ks.metal,
                );
            }
        } else {
            let doors = if *w > 0.55 { 2 } else { 1 };
            for d in 0..doors {
                let a = x0 + w * d as f32 / doors as f32;
                let b = x0 + w * (d + 1) as f32 / doors as f32;
                let hx = if doors == 2 && d == 0 { b - 0.04 } else { a + 0.04 };
                front(
                    &mut o,
                    a,
                    b,
                    fz0,
                    fz1,
                    -hd + 0.02,
                    ks.handle,
                    (hx, fz1 - 0.08),
                    true,
                    id::CABINET,
                    &ks.fronts,
                    &ks.metal,
                );
            }
        }
        let lo = v(x0, -hd - 0.02, top - ct);
        let hi = v(x1, hd, top);
        if is_sink {
            let half = Vec2::new((0.5 * w - 0.08).min(0.3), 0.2);
            counter_with_basin(
                &mut o,
                lo,
                hi,
                Vec2::new(0.5 * (x0 + x1), -0.03),
                half,
                depth,
                id::COUNTER,
                &ks.counter,
                &sink_mat,
                rng,
            );
        } else {
            o.cuboid(lo, hi, id::COUNTER, &ks.counter);
            o.support(v(0.5 * (x0 + x1), 0.0, top), Vec2::new(0.5 * w - 0.02, hd - 0.04), 0.45);
        }
    }
    if rng.chance(0.5) {
        let tiles = Material::new(
            material::vary(
                *rng.pick(&[Vec3::splat(0.92), Vec3::new(0.6, 0.7, 0.75), Vec3::new(0.2, 0.2, 0.22)]),
                0.05,
                rng,
            ),
            Pattern::Tiles { size: Vec2::new(0.15, 0.075), grout: Vec3::splat(0.75), gw: 0.002, vary: 0.05 },
            0.6,
            rng,
        );
        o.cuboid(v(-0.5 * len, hd - 0.008, top), v(0.5 * len, hd, top + rng.range(0.4, 0.6)), id::WALL, &tiles);
    }
    o
}

/// Wall cabinets `len` long, bottom at z = 0, back on the wall.
pub fn wall_cabinets(rng: &mut Rng, ks: &KitchenStyle, len: f32) -> Object {
    let mut o = Object::new("wall cabinets");
    let d = rng.range(0.3, 0.36);
    let h = rng.range(0.55, 0.9);
    o.cuboid(v(-0.5 * len, -d + 0.02, 0.0), v(0.5 * len, 0.0, h), id::CABINET, &ks.fronts);
    let n = ((len / 0.45) as usize).max(1);
    let glass = rng.chance(0.2);
    for k in 0..n {
        let a = -0.5 * len + len * k as f32 / n as f32;
        let b = -0.5 * len + len * (k + 1) as f32 / n as f32;
        let hx = if k % 2 == 0 { b - 0.04 } else { a + 0.04 };
        front(
            &mut o,
            a,
            b,
            0.005,
            h - 0.005,
            -d + 0.02,
            ks.handle,
            (hx, 0.17),
            true,
            id::CABINET,
            &ks.fronts,
            &ks.metal,
        );
        if glass && k % 2 == 1 {
            let g = Material::plain(Vec3::new(0.3, 0.33, 0.35), 0.9, rng);
            o.cuboid(v(a + 0.06, -d - 0.0005, 0.08), v(b - 0.06, -d + 0.0, h - 0.08), id::CABINET, &g);
        }
    }
    o
}

/// A refrigerator with top, bottom or side-by-side freezer.
pub fn refrigerator(rng: &mut Rng) -> Object {
    let mut o = Object::new("refrigerator");
    let l = id::REFRIGERATOR;
    let wide = rng.chance(0.25);
    let hw = if wide { rng.range(0.42, 0.47) } else { rng.range(0.28, 0.33) };
    let hd = rng.range(0.31, 0.37);
    let h = rng.range(1.65, 2.0);
    let body = match rng.below(5) {
        0 | 1 => Material::plain(material::vary(Vec3::splat(0.93), 0.02, rng), 0.5, rng),
        2 | 3 => Material::new(
            material::vary(Vec3::splat(0.7), 0.03, rng),
            Pattern::Mottle { scale: 80.0, amp: 0.04 },
            0.7,
            rng,
        ),
        _ => Material::plain(material::vary(material::prop_colour(rng), 0.05, rng), 0.5, rng),
    };
    let handle_mat = material::metal(rng);
    o.cuboid(v(-hw, -hd + 0.05, 0.0), v(hw, hd, h), l, &body);
    let y = -hd + 0.05;
    if wide {
        front(&mut o, -hw, 0.0, 0.02, h - 0.01, y, Handle::Bar, (-0.04, 0.55 * h), true, l, &body, &handle_mat);
        front(&mut o, 0.0, hw, 0.02, h - 0.01, y, Handle::Bar, (0.04, 0.55 * h), true, l, &body, &handle_mat);
    } else {
        let split = if rng.chance(0.5) { 0.35 * h } else { 0.7 * h };
        let hx = if rng.chance(0.5) { hw - 0.05 } else { -hw + 0.05 };
        front(&mut o, -hw, hw, 0.02, split, y, Handle::Bar, (hx, split - 0.15), true, l, &body, &handle_mat);
        front(&mut o, -hw, hw, split, h - 0.01, y, Handle::Bar, (hx, split + 0.15), true, l, &body, &handle_mat);
    }
    for _ in 0..rng.below(4) {
        let p = material::paper(rng, Vec2::new(0.1, 0.14));
        let (x, z) = (rng.range(-hw + 0.1, hw - 0.1), rng.range(0.9, h - 0.2));
        o.cuboid(v(x - 0.05, y - 0.02, z - 0.07), v(x + 0.05, y - 0.0185, z + 0.07), id::PAPER, &p);
    }
    o
}

/// A kitchen island: cabinets under an overhanging counter.
pub fn island(rng: &mut Rng, ks: &KitchenStyle) -> Object {
    let mut o = Object::new("island");
    let hw = rng.range(0.6, 1.1);
    let hd = rng.range(0.35, 0.5);
    let over = rng.range(0.15, 0.3);
    o.cuboid(v(-hw + 0.05, -hd + 0.05, 0.0), v(hw - 0.05, hd - over, ks.top - 0.04), id::CABINET, &ks.fronts);
    let n = ((2.0 * hw / 0.5) as usize).max(1);
    for k in 0..n {
        let a = -hw + 0.05 + (2.0 * hw - 0.1) * k as f32 / n as f32;
        let b = -hw + 0.05 + (2.0 * hw - 0.1) * (k + 1) as f32 / n as f32;
        front(
            &mut o,
            a,
            b,
            0.1,
            ks.top - 0.045,
            -hd + 0.05,
            ks.handle,
            (0.5 * (a + b), ks.top - 0.1),
            false,
            id::CABINET,
            &ks.fronts,
            &ks.metal,
        );
    }
    o.cuboid(v(-hw, -hd, ks.top - 0.04), v(hw, hd, ks.top), id::COUNTER, &ks.counter);
    o.support(v(0.0, 0.0, ks.top), Vec2::new(hw - 0.05, hd - 0.05), 0.6);
    o
}

#[cfg(test)]
mod tests {
    use super::super::assert_sane;
    use super::*;

    #[test]
    fn kitchen_pieces_are_sane() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let wood = material::wood(&mut rng);
            let ks = KitchenStyle::random(&mut rng, &wood);
            for o in [
                counter_run(&mut rng, &ks, 2.4, true, true),
                wall_cabinets(&mut rng, &ks, 1.8),
                refrigerator(&mut rng),
                island(&mut rng, &ks),
            ] {
                assert_sane(&o);
            }
        }
    }
}

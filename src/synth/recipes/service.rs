//! Kitchens and bathrooms.

use glam::Vec2;

use super::{
    Prop, chairs_around, chairs_round, dress_object, dress_slot, floor_clutter, lamp_light, rug_under, wall_decor,
};
use crate::classes::id;
use crate::synth::furniture::kitchen::{self, KitchenStyle};
use crate::synth::furniture::{bath, decor, lamps, props, seating, storage, tables};
use crate::synth::layout::{Layout, WallOpts};
use crate::synth::material;
use crate::synth::style::Style;
use crate::util::rng::Rng;

const COUNTER_TOP: [Prop; 5] = [Prop::Small, Prop::Small, Prop::Small, Prop::Paper, Prop::Plant];

/// A counter run along wall `w`, as long as fits (tries shorter runs), with wall cabinets
/// above where the wall is clear.
fn run_along(
    l: &mut Layout,
    st: &Style,
    ks: &KitchenStyle,
    w: usize,
    sink: bool,
    cooker: bool,
    rng: &mut Rng,
) -> Option<usize> {
    let len = l.room.walls[w].len;
    let mut try_len = (len - rng.range(0.0, 0.3)).min(4.2);
    while try_len >= 1.2 {
        let run = kitchen::counter_run(rng, ks, try_len, sink, cooker);
        let corner = rng.chance(0.7);
        if let Some(r) = l.against_wall(run, rng, WallOpts { gap: 0.005, wall: Some(w), corner, ..Default::default() })
        {
            if rng.chance(0.75)
                && let Some((wall, u)) = l.wall_u(r)
            {
                let z0 = ks.top + rng.range(0.5, 0.62);
                let upper = kitchen::wall_cabinets(rng, ks, try_len);
                let (_, hi) = upper.bounds();
                let (u0, u1) = (u - 0.5 * try_len, u + 0.5 * try_len);
                if z0 + hi.z < l.room.height - 0.02 && l.wall_span_clear(wall, u0, u1, z0, z0 + hi.z) {
                    let wl = l.room.walls[wall];
                    let pos = wl.at(u, z0) + wl.inward3() * 0.005;
                    l.fixed(upper, pos, wl.yaw_facing_in(), false);
                    l.reserve_wall(wall, u0, u1, z0, z0 + hi.z);
                }
            }
            for s in l.slots_of(r) {
                let n = rng.below(3);
                dress_slot(l, s, &COUNTER_TOP, n, st, rng);
            }
            return Some(r);
        }
        try_len -= 0.4;
    }
    None
}

pub fn kitchen(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let ks = KitchenStyle::random(rng, &st.wood);
    // The main run goes on a long wall; a second run sometimes on a neighbouring one.
    let mut walls: Vec<usize> = (0..l.room.walls.len()).collect();
    walls.sort_by(|&a, &b| l.room.walls[b].len.total_cmp(&l.room.walls[a].len).then(a.cmp(&b)));
    let pick = rng.below(2.min(walls.len()));
    walls.swap(0, pick);
    let cooker = rng.chance(0.85);
    let mut first = walls[0];
    let mut main = None;
    for &w in &walls {
        main = run_along(l, st, &ks, w, true, cooker, rng);
        if main.is_some() {
            first = w;
            break;
        }
    }
    if rng.chance(0.45) {
        let n = l.room.walls.len();
        let next = if rng.chance(0.5) { (first + 1) % n } else { (first + n - 1) % n };
        run_along(l, st, &ks, next, main.is_none(), false, rng);
    }
    let fridge = kitchen::refrigerator(rng);
    let placed = main.and_then(|m| l.beside(m, fridge.clone(), if rng.chance(0.5) { 1.0 } else { -1.0 }, 0.02));
    if placed.is_none() {
        l.against_wall(fridge, rng, WallOpts { gap: 0.03, corner: true, ..Default::default() });
    }
    // An island with stools, or a small dining table with chairs.
    let big = l.room.area() > 16.0;
    if big && rng.chance(0.35) {
        let isl = kitchen::island(rng, &ks);
        if let Some(i) = l.free(isl, rng, None, 0.05) {
            let stool = seating::stool(rng, &st.wood);
            let p = l.placed[i];
            let n = ((p.hi.x - p.lo.x) / 0.55) as usize;
            for k in 0..n {
                let x = p.lo.x + (k as f32 + 0.5) * (p.hi.x - p.lo.x) / n as f32;
                l.relative(i, stool.clone(), Vec2::new(x, p.hi.y + 0.12), 0.0);
            }
            dress_object(l, i, &COUNTER_TOP, 3, st, rng);
        }
    } else if rng.chance(0.75) {
        let seats = 2 + 2 * rng.below(2);
        let t = tables::dining_table(rng, &st.wood, seats);
        let round = t.parts.iter().any(|p| {
            p.label == id::TABLE && matches!(p.shape, crate::synth::shape::Shape::Cylinder { .. }) && p.pos.z > 0.5
        });
        if let Some(t) = l.free(t, rng, None, 0.05) {
            let chair = seating::chair(rng, &st.wood, None);
            if round {
                chairs_round(l, t, &chair, 2 + rng.below(3), rng);
            } else {
                chairs_around(l, t, &chair, false, rng);
            }
            dress_object(l, t, &[Prop::Small, Prop::Paper, Prop::Plant], 2, st, rng);
            if rng.chance(0.5) {
                let p = l.placed[t];
                let h = l.room.height;
                let light = lamp_light(st, rng);
                let drop = rng.range(0.6, 0.9);
                let pend = lamps::pendant(rng, h, (h - drop).max(1.45), light);
                l.fixed(pend, p.fp.c.extend(0.0), p.yaw, false);
            }
        }
    }
    for _ in 0..rng.below(2) {
        let c = props::appliance(rng);
        let slots: Vec<usize> = (0..l.slots.len()).collect();
        if !slots.is_empty() {
            let s = slots[rng.below(slots.len())];
            l.on_slot(s, c, rng, false, 0.3);
        }
    }
    if rng.chance(0.35) {
        let shelves = storage::wall_shelves(rng, &st.wood);
        if let Some(s) = l.on_wall(shelves, rng, 1.3, 1.6, None, None) {
            dress_object(l, s, &[Prop::Small, Prop::Small, Prop::Plant, Prop::Books], 3, st, rng);
        }
    }
    if rng.chance(0.4) {
        l.on_wall(decor::clock(rng), rng, 1.7, (l.room.height - 0.5).max(1.75), None, None);
    }
    wall_decor(l, st, rng.below(2), rng);
    l.against_wall(decor::bin(rng), rng, WallOpts { gap: 0.05, ..Default::default() });
    if rng.chance(0.3) {
        rug_under(l, None, id::FLOOR_MAT, rng);
    }
    floor_clutter(l, st, &[Prop::Bag, Prop::Box, Prop::Plant], rng.below(2), rng);
}

pub fn bathroom(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let h = l.room.height;
    if rng.chance(0.7) {
        let tub = bath::bathtub(rng, h);
        if let Some(t) = l.against_wall(tub, rng, WallOpts { gap: 0.005, corner: true, ..Default::default() })
            && rng.chance(0.6)
        {
            // A bath mat in front of the tub.
            {
                let p = l.placed[t];
                let hw = rng.range(0.3, 0.45);
                let hd = rng.range(0.22, 0.3);
                let mat = decor::rug(rng, hw, hd, id::FLOOR_MAT);
                let (lo, hi) = mat.bounds();
                let off = Vec2::new(0.5 * (p.lo.x + p.hi.x), p.lo.y - 0.5 * (hi.y - lo.y) - 0.05);
                let pos = p.pos + Vec2::from_angle(p.yaw).rotate(off).extend(0.0);
                l.floor_cover(mat, pos, p.yaw);
            }
        }
    }
    let cabinet_mat = if rng.chance(0.5) { st.wood.clone() } else { material::painted(rng) };
    let sink = bath::sink(rng, &cabinet_mat);
    if let Some(s) = l.against_wall(sink, rng, WallOpts { gap: 0.005, ..Default::default() }) {
        if let Some((wall, u)) = l.wall_u(s) {
            let top = l.placed[s].hi.z;
            let w = (l.placed[s].hi.x - l.placed[s].lo.x).max(0.45);
            let share = rng.range(0.7, 1.0);
            let mh = rng.range(0.6, 0.95);
            let m = decor::mirror(rng, w * share, mh, st.floor.base, st.wall.base);
            l.on_wall(m, rng, top + 0.25, top + 0.4, Some(wall), Some(u));
        }
        dress_object(l, s, &[Prop::Small, Prop::Small, Prop::Small], 3, st, rng);
    }
    let toilet = bath::toilet(rng);
    l.against_wall(toilet, rng, WallOpts { gap: 0.01, ..Default::default() });
    for _ in 0..1 + rng.below(2) {
        l.on_wall(bath::towel_rail(rng), rng, 0.6, 1.1, None, None);
    }
    if rng.chance(0.4) {
        let shelves = storage::wall_shelves(rng, &cabinet_mat);
        if let Some(s) = l.on_wall(shelves, rng, 1.1, 1.5, None, None) {
            dress_object(l, s, &[Prop::Small, Prop::Small, Prop::Box], 3, st, rng);
        }
    }
    if rng.chance(0.3) {
        let (hw, hd, ch) = (rng.range(0.2, 0.35), rng.range(0.15, 0.2), rng.range(1.2, 1.9));
        let c = storage::cabinet(rng, &cabinet_mat, hw, hd, ch, 1, 1, false, id::CABINET);
        l.against_wall(c, rng, WallOpts { gap: 0.01, corner: true, ..Default::default() });
    }
    if rng.chance(0.5) {
        rug_under(l, None, id::FLOOR_MAT, rng);
    }
    if rng.chance(0.5) {
        l.against_wall(decor::bin(rng), rng, WallOpts { gap: 0.03, ..Default::default() });
    }
    if rng.chance(0.3) {
        floor_clutter(l, st, &[Prop::Clothes, Prop::Box, Prop::Plant], 1, rng);
    }
}

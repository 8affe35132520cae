//! Bedrooms, living rooms, dining rooms and studies.

use std::f32::consts::PI;

use glam::Vec2;

use super::{
    Prop, chair_at, chairs_around, chairs_round, dress_object, floor_clutter, lamp_light, rug_under, wall_decor,
};
use crate::classes::id;
use crate::synth::furniture::{beds, decor, lamps, seating, storage, tables};
use crate::synth::layout::{Layout, WallOpts};
use crate::synth::material;
use crate::synth::style::Style;
use crate::util::rng::Rng;

const SURFACE: [Prop; 6] = [Prop::Books, Prop::Small, Prop::Small, Prop::Box, Prop::Paper, Prop::Plant];

/// Places a picture centred over a wall-placed object.
fn picture_over(l: &mut Layout, idx: usize, rng: &mut Rng) {
    if let Some((wall, u)) = l.wall_u(idx) {
        let top = l.placed[idx].hi.z;
        let (w, h) = (rng.range(0.5, 1.4), rng.range(0.35, 0.8));
        let obj = decor::picture(rng, w, h);
        let z = (top + rng.range(0.2, 0.4)).max(1.0);
        l.on_wall(obj, rng, z, z + 0.1, Some(wall), Some(u));
    }
}

pub fn bedroom(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let bed = beds::bed(rng, &st.wood, &st.fabric);
    let mut bed_idx = l.against_wall(bed.clone(), rng, WallOpts { gap: 0.01, centred: true, ..Default::default() });
    if bed_idx.is_none() {
        bed_idx = l.against_wall(bed, rng, WallOpts { gap: 0.01, ..Default::default() });
    }
    if let Some(b) = bed_idx {
        let stand = tables::night_stand(rng, &st.wood);
        for side in [-1.0, 1.0] {
            if rng.chance(0.8)
                && let Some(n) = l.beside(b, stand.clone(), side, rng.range(0.02, 0.1))
            {
                let slots = l.slots_of(n);
                if let Some(&s) = slots.first() {
                    if rng.chance(0.75) {
                        let light = lamp_light(st, rng);
                        l.on_slot(s, lamps::table_lamp(rng, light), rng, true, 0.3);
                    }
                    super::dress_slot(l, s, &[Prop::Books, Prop::Small, Prop::Paper], rng.below(3), st, rng);
                }
            }
        }
        if rng.chance(0.6) {
            picture_over(l, b, rng);
        }
        if rng.chance(0.5) {
            rug_under(l, Some(b), id::FLOOR_MAT, rng);
        }
        if rng.chance(0.35) {
            dress_object(l, b, &[Prop::Clothes, Prop::Clothes, Prop::Bag, Prop::Books], 2, st, rng);
        }
    }
    if rng.chance(0.7) {
        let corner = rng.chance(0.5);
        l.against_wall(storage::wardrobe(rng, &st.wood), rng, WallOpts { gap: 0.01, corner, ..Default::default() });
    }
    if rng.chance(0.55)
        && let Some(d) =
            l.against_wall(storage::dresser(rng, &st.wood), rng, WallOpts { gap: 0.01, ..Default::default() })
    {
        dress_object(l, d, &[Prop::Small, Prop::Box, Prop::Books, Prop::Lamp, Prop::Clothes], 3, st, rng);
        if rng.chance(0.4)
            && let Some((wall, u)) = l.wall_u(d)
        {
            let mw = rng.range(0.5, 0.9);
            let mh = rng.range(0.5, 0.9);
            let m = decor::mirror(rng, mw, mh, st.floor.base, st.wall.base);
            let z = l.placed[d].hi.z + 0.15;
            l.on_wall(m, rng, z, z + 0.1, Some(wall), Some(u));
        }
    }
    if rng.chance(0.4) {
        desk_corner(l, st, false, rng);
    }
    if rng.chance(0.3) {
        let shelf = if rng.chance(0.5) { storage::bookshelf(rng, &st.wood) } else { storage::shelving(rng, &st.wood) };
        if let Some(s) = l.against_wall(shelf, rng, WallOpts { gap: 0.01, ..Default::default() }) {
            dress_object(l, s, &[Prop::Books, Prop::Box, Prop::Small, Prop::Plant], 3, st, rng);
        }
    }
    if rng.chance(0.2) {
        let fabric_mat = material::fabric(rng);
        l.against_wall(
            seating::armchair(rng, &fabric_mat),
            rng,
            WallOpts { gap: 0.05, corner: true, ..Default::default() },
        );
    }
    if rng.chance(0.2) {
        let on = lamp_light(st, rng);
        l.against_wall(lamps::floor_lamp(rng, on), rng, WallOpts { gap: 0.1, corner: true, ..Default::default() });
    }
    if rng.chance(0.25) {
        let on = rng.chance(0.3);
        let tv = decor::television(rng, false, on);
        l.on_wall(tv, rng, 1.0, 1.3, None, None);
    }
    wall_decor(l, st, rng.below(3), rng);
    floor_clutter(l, st, &[Prop::Bag, Prop::Clothes, Prop::Box, Prop::Plant], rng.below(4), rng);
}

/// A desk against a wall with a chair and things on it.
pub(super) fn desk_corner(l: &mut Layout, st: &Style, office_chair: bool, rng: &mut Rng) -> Option<usize> {
    let hw = rng.range(0.45, 0.8);
    let hd = rng.range(0.28, 0.38);
    let desk = tables::desk(rng, &st.wood, hw, hd);
    let d = l.against_wall(desk, rng, WallOpts { gap: 0.02, ..Default::default() })?;
    let chair = if office_chair { seating::office_chair(rng, &st.fabric) } else { seating::chair(rng, &st.wood, None) };
    chair_at(l, d, chair, rng);
    let slots = l.slots_of(d);
    if let Some(&s) = slots.first() {
        let thing = if rng.chance(0.5) {
            crate::synth::furniture::props::laptop(rng)
        } else {
            crate::synth::furniture::props::monitor(rng, true)
        };
        let w = l.slots[s].s.half;
        l.on_slot_at(s, thing, Vec2::new(rng.range(-0.3, 0.3) * w.x, 0.1 * w.y), 0.0);
        if rng.chance(0.4) {
            let light = lamp_light(st, rng);
            l.on_slot(s, lamps::desk_lamp(rng, light), rng, false, 0.5);
        }
        super::dress_slot(l, s, &[Prop::Books, Prop::Paper, Prop::Paper, Prop::Small], 1 + rng.below(3), st, rng);
    }
    Some(d)
}

pub fn living(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let sofa = seating::sofa(rng, &st.fabric);
    let s = l
        .against_wall(sofa.clone(), rng, WallOpts { gap: 0.03, centred: true, ..Default::default() })
        .or_else(|| l.free(sofa, rng, None, 0.1));
    if let Some(s) = s {
        let p = l.placed[s];
        let table = tables::coffee_table(rng, &st.wood);
        let (tlo, thi) = table.bounds();
        let y = p.lo.y - rng.range(0.35, 0.5) - 0.5 * (thi.y - tlo.y);
        if let Some(t) = l.relative(s, table, Vec2::new(0.5 * (p.lo.x + p.hi.x), y), 0.0) {
            dress_object(l, t, &[Prop::Books, Prop::Small, Prop::Small, Prop::Paper, Prop::Plant], 3, st, rng);
            if rng.chance(0.7) {
                rug_under(l, Some(t), id::FLOOR_MAT, rng);
            }
            // Armchairs at the table's ends, turned towards it.
            let fabric_mat = material::fabric(rng);
            let arm = seating::armchair(rng, &fabric_mat);
            for side in [-1.0f32, 1.0] {
                if rng.chance(0.4) {
                    let x = side * (0.5 * (thi.x - tlo.x) + 0.6);
                    l.relative(t, arm.clone(), Vec2::new(x, 0.0), -side * PI / 2.0 + rng.range(-0.4, 0.4));
                }
            }
        }
        if rng.chance(0.6) {
            picture_over(l, s, rng);
        }
        let side = tables::side_table(rng, &st.wood);
        if rng.chance(0.5)
            && let Some(t) = l.beside(s, side, if rng.chance(0.5) { 1.0 } else { -1.0 }, 0.05)
        {
            let light = lamp_light(st, rng);
            for sl in l.slots_of(t) {
                l.on_slot(sl, lamps::table_lamp(rng, light), rng, true, 0.3);
            }
        }
        // The television faces the sofa from the opposite wall.
        let sofa_wall = p.wall;
        let opposite = sofa_wall.and_then(|w| {
            let n = l.room.walls[w].inward;
            (0..l.room.walls.len()).find(|&i| l.room.walls[i].inward.dot(n) < -0.9)
        });
        let stand = storage::low_cabinet(rng, &st.wood, id::OTHER_FURNITURE);
        if let Some(ts) =
            l.against_wall(stand, rng, WallOpts { gap: 0.02, wall: opposite, centred: true, ..Default::default() })
        {
            let on = rng.chance(0.3);
            let tv = decor::television(rng, true, on);
            for sl in l.slots_of(ts) {
                let (lo, hi) = tv.bounds();
                if 0.5 * (hi.x - lo.x) <= l.slots[sl].s.half.x {
                    l.on_slot_at(sl, tv.clone(), Vec2::ZERO, 0.0);
                } else if let Some((w, u)) = l.wall_u(ts) {
                    let z = l.placed[ts].hi.z + 0.2;
                    l.on_wall(decor::television(rng, false, on), rng, z, z + 0.2, Some(w), Some(u));
                }
                super::dress_slot(l, sl, &[Prop::Small, Prop::Books, Prop::Box], 2, st, rng);
            }
        }
    }
    for _ in 0..1 + rng.below(2) {
        let shelf = if rng.chance(0.6) { storage::bookshelf(rng, &st.wood) } else { storage::shelving(rng, &st.wood) };
        if let Some(s) = l.against_wall(shelf, rng, WallOpts { gap: 0.01, ..Default::default() }) {
            dress_object(l, s, &[Prop::Books, Prop::Small, Prop::Plant, Prop::Box], 3, st, rng);
        }
    }
    if rng.chance(0.5) {
        let on = lamp_light(st, rng);
        l.against_wall(lamps::floor_lamp(rng, on), rng, WallOpts { gap: 0.1, corner: true, ..Default::default() });
    }
    if rng.chance(0.3) {
        l.against_wall(
            seating::armchair(rng, &st.fabric),
            rng,
            WallOpts { gap: 0.05, corner: true, ..Default::default() },
        );
    }
    if rng.chance(0.25)
        && let Some(c) = l.against_wall(
            storage::low_cabinet(rng, &st.wood, id::CABINET),
            rng,
            WallOpts { gap: 0.01, ..Default::default() },
        )
    {
        dress_object(l, c, &SURFACE, 3, st, rng);
    }
    wall_decor(l, st, 1 + rng.below(3), rng);
    floor_clutter(l, st, &[Prop::Plant, Prop::Plant, Prop::Box, Prop::Bag], 1 + rng.below(3), rng);
}

pub fn dining(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let seats = 2 + 2 * rng.below(4);
    let table = tables::dining_table(rng, &st.wood, seats);
    let round = table.parts.iter().any(|p| {
        matches!(p.shape, crate::synth::shape::Shape::Cylinder { .. }) && p.label == id::TABLE && p.pos.z > 0.5
    });
    let c = l.room.centre();
    let region = crate::synth::room::Rect { lo: c - Vec2::splat(0.8), hi: c + Vec2::splat(0.8) };
    let t = l.free(table.clone(), rng, Some(region), 0.05).or_else(|| l.free(table, rng, None, 0.05));
    if let Some(t) = t {
        let plain_chair = rng.chance(0.8);
        let padded = rng.chance(0.5);
        let chair = if plain_chair {
            seating::chair(rng, &st.wood, if padded { Some(&st.fabric) } else { None })
        } else {
            seating::stool(rng, &st.wood)
        };
        if round {
            chairs_round(l, t, &chair, 3 + rng.below(3), rng);
        } else {
            chairs_around(l, t, &chair, rng.chance(0.4), rng);
        }
        dress_object(l, t, &[Prop::Small, Prop::Small, Prop::Paper, Prop::Books, Prop::Plant], 3, st, rng);
        if rng.chance(0.6) {
            let p = l.placed[t];
            let light = lamp_light(st, rng).or(if st.ceiling_on { Some(st.warm * 0.4) } else { None });
            let h = l.room.height;
            let drop = rng.range(0.6, 1.0);
            let pend = lamps::pendant(rng, h, (h - drop).max(1.45), light);
            l.fixed(pend, p.fp.c.extend(0.0), p.yaw, false);
        }
        if rng.chance(0.4) {
            rug_under(l, Some(t), id::FLOOR_MAT, rng);
        }
    }
    let centred = rng.chance(0.5);
    if rng.chance(0.7)
        && let Some(sb) = l.against_wall(
            storage::low_cabinet(rng, &st.wood, id::CABINET),
            rng,
            WallOpts { gap: 0.01, centred, ..Default::default() },
        )
    {
        dress_object(l, sb, &[Prop::Small, Prop::Small, Prop::Lamp, Prop::Plant, Prop::Books], 3, st, rng);
        if rng.chance(0.6) {
            picture_over(l, sb, rng);
        }
    }
    if rng.chance(0.4) {
        let shelf = if rng.chance(0.5) { storage::bookshelf(rng, &st.wood) } else { storage::shelving(rng, &st.wood) };
        if let Some(s) = l.against_wall(shelf, rng, WallOpts { gap: 0.01, ..Default::default() }) {
            dress_object(l, s, &[Prop::Small, Prop::Books, Prop::Plant], 3, st, rng);
        }
    }
    wall_decor(l, st, rng.below(3), rng);
    floor_clutter(l, st, &[Prop::Plant, Prop::Bag, Prop::Box], rng.below(3), rng);
}

pub fn study(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let n = 2 + rng.below(4);
    for _ in 0..n {
        let shelf = storage::bookshelf(rng, &st.wood);
        let corner = rng.chance(0.3);
        l.against_wall(shelf, rng, WallOpts { gap: 0.01, corner, ..Default::default() });
    }
    desk_corner(l, st, rng.chance(0.5), rng);
    if rng.chance(0.6)
        && let Some(a) = l.against_wall(
            seating::armchair(rng, &st.fabric),
            rng,
            WallOpts { gap: 0.05, corner: true, ..Default::default() },
        )
    {
        if rng.chance(0.6) {
            let on = lamp_light(st, rng);
            l.beside(a, lamps::floor_lamp(rng, on), if rng.chance(0.5) { 1.0 } else { -1.0 }, 0.05);
        }
        if rng.chance(0.5)
            && let Some(t) =
                l.beside(a, tables::side_table(rng, &st.wood), if rng.chance(0.5) { 1.0 } else { -1.0 }, 0.05)
        {
            dress_object(l, t, &[Prop::Books, Prop::Small, Prop::Lamp], 2, st, rng);
        }
    }
    if rng.chance(0.4) {
        let w = storage::wall_shelves(rng, &st.wood);
        if let Some(s) = l.on_wall(w, rng, 1.1, 1.5, None, None) {
            dress_object(l, s, &[Prop::Books, Prop::Small, Prop::Plant], 3, st, rng);
        }
    }
    if rng.chance(0.5) {
        rug_under(l, None, id::FLOOR_MAT, rng);
    }
    wall_decor(l, st, rng.below(3), rng);
    floor_clutter(l, st, &[Prop::Box, Prop::Books, Prop::Plant, Prop::Bag], 1 + rng.below(3), rng);
}

//! Offices, classrooms and conference rooms.

use std::f32::consts::{FRAC_PI_2, PI};

use glam::{Vec2, Vec3};

use super::home::desk_corner;
use super::{Prop, chair_at, chairs_around, dress_object, dress_slot, floor_clutter, lamp_light, wall_decor};
use crate::classes::id;
use crate::synth::furniture::{decor, lamps, props, seating, storage, tables};
use crate::synth::layout::{Layout, WallOpts};
use crate::synth::material;
use crate::synth::style::Style;
use crate::util::rng::Rng;

const DESK_TOP: [Prop; 6] = [Prop::Paper, Prop::Paper, Prop::Books, Prop::Small, Prop::Box, Prop::Plant];

/// The wall with the most free length, preferring ones without doors (for a whiteboard).
fn front_wall(l: &Layout, rng: &mut Rng) -> usize {
    let mut best = (f32::MIN, 0);
    for (i, w) in l.room.walls.iter().enumerate() {
        let doors = l.room.openings_on(i).filter(|o| o.is_door()).count() as f32;
        let windows: f32 = l.room.openings_on(i).filter(|o| !o.is_door()).map(|o| o.width()).sum();
        let score = w.len - 2.0 * doors - windows + rng.range(0.0, 0.5);
        if score > best.0 {
            best = (score, i);
        }
    }
    best.1
}

pub fn office(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let desk_mat = if rng.chance(0.6) { material::laminate(rng) } else { st.wood.clone() };
    let chair_fabric = st.fabric.clone();
    let n = 1 + rng.below(4);
    for _ in 0..n {
        let hw = rng.range(0.55, 0.85);
        let hd = rng.range(0.3, 0.4);
        let desk = tables::desk(rng, &desk_mat, hw, hd);
        let d = if rng.chance(0.7) {
            l.against_wall(desk, rng, WallOpts { gap: 0.02, ..Default::default() })
        } else {
            l.free(desk, rng, None, 0.05)
        };
        let Some(d) = d else { continue };
        chair_at(l, d, seating::office_chair(rng, &chair_fabric), rng);
        if let Some(&s) = l.slots_of(d).first() {
            let half = l.slots[s].s.half;
            if rng.chance(0.75) {
                l.on_slot_at(
                    s,
                    props::monitor(rng, true),
                    Vec2::new(rng.range(-0.2, 0.2) * half.x, 0.15 * half.y),
                    0.0,
                );
                if rng.chance(0.3) {
                    l.on_slot_at(s, props::monitor(rng, false), Vec2::new(0.5 * half.x, 0.2 * half.y), -0.3);
                }
            } else {
                l.on_slot(s, props::laptop(rng), rng, false, 0.3);
            }
            if rng.chance(0.3) {
                let light = lamp_light(st, rng);
                l.on_slot(s, lamps::desk_lamp(rng, light), rng, false, 0.5);
            }
            dress_slot(l, s, &DESK_TOP, 1 + rng.below(4), st, rng);
        }
    }
    for _ in 0..rng.below(3) {
        if let Some(f) = l.against_wall(storage::filing_cabinet(rng), rng, WallOpts { gap: 0.01, ..Default::default() })
        {
            dress_object(l, f, &[Prop::Paper, Prop::Box, Prop::Plant, Prop::Small], 2, st, rng);
        }
    }
    for _ in 0..1 + rng.below(2) {
        let shelf = if rng.chance(0.6) { storage::bookshelf(rng, &st.wood) } else { storage::shelving(rng, &st.wood) };
        if let Some(s) = l.against_wall(shelf, rng, WallOpts { gap: 0.01, ..Default::default() }) {
            dress_object(l, s, &[Prop::Books, Prop::Box, Prop::Paper], 3, st, rng);
        }
    }
    if rng.chance(0.35)
        && let Some(c) = l.against_wall(
            storage::low_cabinet(rng, &desk_mat, id::CABINET),
            rng,
            WallOpts { gap: 0.01, ..Default::default() },
        )
    {
        dress_object(l, c, &[Prop::Paper, Prop::Box, Prop::Plant, Prop::Small], 3, st, rng);
    }
    if rng.chance(0.5) {
        l.on_wall(decor::whiteboard(rng), rng, 0.75, 1.0, None, None);
    }
    if rng.chance(0.25) {
        let round = rng.chance(0.5);
        let t = tables::table(rng, &desk_mat, 0.45, 0.45, 0.74, round, id::TABLE);
        if let Some(t) = l.free(t, rng, None, 0.1) {
            chairs_around(l, t, &seating::chair(rng, &st.wood, Some(&st.fabric)), false, rng);
        }
    }
    wall_decor(l, st, rng.below(3), rng);
    floor_clutter(l, st, &[Prop::Plant, Prop::Box, Prop::Box, Prop::Bag], 1 + rng.below(4), rng);
    let bins = rng.below(2);
    for _ in 0..bins {
        l.against_wall(decor::bin(rng), rng, WallOpts { gap: 0.05, ..Default::default() });
    }
}

pub fn classroom(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let fw = front_wall(l, rng);
    let wall = l.room.walls[fw];
    // The board (centred on the front wall if it can be), the teacher's desk in front of it.
    let board = decor::whiteboard(rng);
    let placed = l.on_wall(board.clone(), rng, 0.8, 0.95, Some(fw), Some(0.5 * wall.len)).is_some()
        || l.on_wall(board.clone(), rng, 0.8, 0.95, Some(fw), None).is_some();
    if !placed {
        l.on_wall(board, rng, 0.8, 0.95, None, None);
    }
    let hw = rng.range(0.6, 0.8);
    let hd = rng.range(0.33, 0.4);
    let teacher = tables::desk(rng, &st.wood, hw, hd);
    let inward = wall.inward;
    let mid = wall.a + wall.dir * (0.5 * wall.len);
    let front_depth = rng.range(1.6, 2.3);
    // Student desks turn their back (+y) to the board: the student sits on the −y side
    // facing it. The teacher's desk is the other way round.
    let toward_board = inward.x.atan2(-inward.y);
    let side = if rng.chance(0.5) { 1.0 } else { -1.0 };
    let tpos = mid + wall.dir * side * (0.25 * wall.len) + inward * (0.9 + rng.range(0.0, 0.3));
    if let Some(t) = l.at(teacher, tpos.extend(0.0), toward_board + PI, None) {
        chair_at(l, t, seating::office_chair(rng, &st.fabric), rng);
        if let Some(&s) = l.slots_of(t).first() {
            l.on_slot(s, props::laptop(rng), rng, false, 0.3);
            dress_slot(l, s, &DESK_TOP, 2 + rng.below(3), st, rng);
        }
    }
    // Rows of student desks, each with a chair behind it.
    let frame = material::metal(rng);
    let top = if rng.chance(0.5) { material::laminate(rng) } else { material::wood(rng) };
    let desk = tables::school_desk(rng, &top, &frame);
    let plastic = rng.chance(0.5);
    let plastic_mat = material::plastic(rng);
    let wood_mat = material::wood(rng);
    let chair = seating::chair(rng, &if plastic { plastic_mat } else { wood_mat }, None);
    let (dlo, dhi) = desk.bounds();
    let dw = dhi.x - dlo.x;
    let pitch_x = dw + rng.range(0.25, 0.6);
    let pitch_y = rng.range(1.15, 1.45);
    let across = wall.dir;
    let ncols = ((wall.len - 0.8) / pitch_x).floor().max(1.0) as i32;
    for row in 0..12 {
        let depth = front_depth + row as f32 * pitch_y;
        for col in 0..ncols {
            let u = 0.5 * wall.len + (col as f32 - 0.5 * (ncols - 1) as f32) * pitch_x;
            let p = wall.a + across * u + inward * depth;
            if !l.room.contains2(p) {
                continue;
            }
            if let Some(d) = l.at(desk.clone(), p.extend(0.0), toward_board, None) {
                let behind = Vec2::new(0.0, dlo.y - rng.range(0.05, 0.2));
                l.relative(d, chair.clone(), behind, PI + rng.range(-0.2, 0.2));
                if let Some(&s) = l.slots_of(d).first() {
                    dress_slot(l, s, &[Prop::Books, Prop::Paper, Prop::Paper, Prop::Small], rng.below(3), st, rng);
                }
                if rng.chance(0.25) {
                    let bag = props::bag(rng);
                    let at = p + across * (0.5 * dw + 0.15) + inward * rng.range(-0.1, 0.2);
                    l.at(bag, at.extend(0.0), rng.range(0.0, 2.0 * PI), None);
                }
            }
        }
    }
    for _ in 0..1 + rng.below(3) {
        let piece = match rng.below(3) {
            0 => storage::bookshelf(rng, &st.wood),
            1 => storage::low_cabinet(rng, &st.wood, id::CABINET),
            _ => storage::shelving(rng, &st.wood),
        };
        if let Some(s) = l.against_wall(piece, rng, WallOpts { gap: 0.01, ..Default::default() }) {
            dress_object(l, s, &[Prop::Books, Prop::Box, Prop::Paper, Prop::Plant], 3, st, rng);
        }
    }
    if rng.chance(0.6) {
        l.on_wall(decor::clock(rng), rng, 2.0, (l.room.height - 0.45).max(2.05), Some(fw), None);
    }
    // Posters.
    wall_decor(l, st, 2 + rng.below(4), rng);
    l.against_wall(decor::bin(rng), rng, WallOpts { gap: 0.05, ..Default::default() });
    floor_clutter(l, st, &[Prop::Box, Prop::Bag, Prop::Plant], rng.below(3), rng);
}

pub fn conference(l: &mut Layout, st: &Style, rng: &mut Rng) {
    let long_x = l.room.size.x > l.room.size.y;
    let span = if long_x { l.room.size.x } else { l.room.size.y };
    let hw = (0.5 * span - rng.range(1.1, 1.8)).clamp(0.6, 2.6);
    let hd = rng.range(0.5, 0.75);
    let mat = if rng.chance(0.5) { st.wood.clone() } else { material::laminate(rng) };
    let h = rng.range(0.72, 0.76);
    let table = tables::table(rng, &mat, hw, hd, h, false, id::TABLE);
    let c = l.room.centre();
    let yaw = if long_x { 0.0 } else { FRAC_PI_2 };
    let t = l.at(table.clone(), c.extend(0.0), yaw, None).or_else(|| l.free(table, rng, None, 0.0));
    if let Some(t) = t {
        let chair = if rng.chance(0.7) {
            seating::office_chair(rng, &st.fabric)
        } else {
            seating::chair(rng, &st.wood, Some(&st.fabric))
        };
        chairs_around(l, t, &chair, rng.chance(0.5), rng);
        dress_object(l, t, &[Prop::Paper, Prop::Paper, Prop::Laptop, Prop::Small, Prop::Books], 4, st, rng);
        if rng.chance(0.3) {
            let p = l.placed[t];
            let h = l.room.height;
            for k in [-1.0f32, 1.0] {
                let light = lamp_light(st, rng);
                let drop = rng.range(0.7, 1.1);
                let pend = lamps::pendant(rng, h, (h - drop).max(1.5), light);
                let off = Vec3::new(p.yaw.cos(), p.yaw.sin(), 0.0) * (0.5 * hw * k);
                l.fixed(pend, p.fp.c.extend(0.0) + off, p.yaw, false);
            }
        }
    }
    // A screen or board at an end wall.
    let fw = front_wall(l, rng);
    if rng.chance(0.7) {
        let on = rng.chance(0.5);
        l.on_wall(decor::television(rng, false, on), rng, 1.0, 1.3, None, None);
    }
    if rng.chance(0.6) {
        l.on_wall(decor::whiteboard(rng), rng, 0.8, 1.0, Some(fw), None);
    }
    if rng.chance(0.6)
        && let Some(cr) = l.against_wall(
            storage::low_cabinet(rng, &mat, id::CABINET),
            rng,
            WallOpts { gap: 0.01, ..Default::default() },
        )
    {
        dress_object(l, cr, &[Prop::Small, Prop::Plant, Prop::Paper, Prop::Box], 3, st, rng);
    }
    wall_decor(l, st, rng.below(3), rng);
    floor_clutter(l, st, &[Prop::Plant, Prop::Plant, Prop::Box], rng.below(3), rng);
    if rng.chance(0.3) {
        desk_corner(l, st, true, rng);
    }
}

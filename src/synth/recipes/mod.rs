//! What goes in each kind of room, and where. Shared steps (window dressing, radiators,
//! wall décor, props on every surface, floor clutter) live here; per-kind layouts in
//! `home.rs`, `work.rs` and `service.rs`.

mod home;
mod service;
mod work;

use std::f32::consts::{FRAC_PI_2, PI};

use glam::{Vec2, Vec3};

use super::furniture::{decor, lamps, props};
use super::kind::RoomKind;
use super::layout::{Layout, WallOpts};
use super::part::Object;
use super::room::OpeningKind;
use super::style::Style;
#[cfg(test)]
use crate::classes::id;
use crate::util::rng::Rng;

/// Furnishes the room in `layout`.
pub fn furnish(kind: RoomKind, l: &mut Layout, st: &Style, rng: &mut Rng) {
    dress_windows(l, kind, &mut rng.fork(1));
    radiators(l, &mut rng.fork(2));
    let r = &mut rng.fork(3);
    match kind {
        RoomKind::Bedroom => home::bedroom(l, st, r),
        RoomKind::Living => home::living(l, st, r),
        RoomKind::Dining => home::dining(l, st, r),
        RoomKind::Study => home::study(l, st, r),
        RoomKind::Office => work::office(l, st, r),
        RoomKind::Classroom => work::classroom(l, st, r),
        RoomKind::Conference => work::conference(l, st, r),
        RoomKind::Kitchen => service::kitchen(l, st, r),
        RoomKind::Bathroom => service::bathroom(l, st, r),
    }
}

/// A lamp's light, if it is on.
pub(crate) fn lamp_light(st: &Style, rng: &mut Rng) -> Option<Vec3> {
    rng.chance(st.lamp_on).then(|| st.warm * rng.range(0.25, 0.6))
}

/// Curtains or blinds on most windows.
fn dress_windows(l: &mut Layout, kind: RoomKind, rng: &mut Rng) {
    let office = matches!(kind, RoomKind::Office | RoomKind::Classroom | RoomKind::Conference);
    let windows: Vec<_> = l.room.openings.iter().copied().filter(|o| o.kind == OpeningKind::Window).collect();
    // A room's windows are usually dressed alike.
    let choice = rng.f32();
    for o in windows {
        let wall = l.room.walls[o.wall];
        let mid = 0.5 * (o.u0 + o.u1);
        let pos = wall.at(mid, 0.0);
        let yaw = wall.yaw_facing_in();
        let c = if rng.chance(0.8) { choice } else { rng.f32() };
        let curtains_p = if office {
            0.1
        } else if kind == RoomKind::Bathroom {
            0.15
        } else {
            0.5
        };
        let blinds_p = curtains_p + if office { 0.65 } else { 0.3 };
        if c < curtains_p {
            let obj = decor::curtains(rng, o.width(), o.z0, o.z1, l.room.height);
            let (lo, hi) = obj.bounds();
            let half = 0.5 * (hi.x - lo.x);
            let floor_length = lo.z < 0.1;
            l.fixed(obj, pos, yaw, floor_length);
            l.reserve_wall(o.wall, mid - half, mid + half, lo.z, hi.z);
        } else if c < blinds_p {
            let obj = decor::blinds(rng, o.width(), o.z0, o.z1, office);
            let (lo, hi) = obj.bounds();
            let half = 0.5 * (hi.x - lo.x);
            l.fixed(obj, pos, yaw, false);
            l.reserve_wall(o.wall, mid - half, mid + half, lo.z, hi.z);
        }
    }
}

/// Radiators under some windows.
fn radiators(l: &mut Layout, rng: &mut Rng) {
    let windows: Vec<_> =
        l.room.openings.iter().copied().filter(|o| o.kind == OpeningKind::Window && o.z0 > 0.55).collect();
    if !rng.chance(0.45) {
        return;
    }
    for o in windows {
        if !rng.chance(0.7) {
            continue;
        }
        let wall = l.room.walls[o.wall];
        let share = rng.range(0.6, 0.95);
        let obj = decor::radiator(rng, (o.width() * share).max(0.4), o.z0);
        let pos = wall.at(0.5 * (o.u0 + o.u1), 0.0) + wall.inward3() * 0.005;
        let (fp, lo, hi) = Layout::footprint(&obj, pos, wall.yaw_facing_in());
        if l.fits(&fp, lo.z, hi.z, None) {
            l.fixed(obj, pos, wall.yaw_facing_in(), true);
        }
    }
}

/// What small things go on a surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Prop {
    Books,
    Box,
    Paper,
    Bag,
    Clothes,
    Small,
    Laptop,
    Plant,
    Lamp,
}

pub(crate) fn make_prop(p: Prop, st: &Style, rng: &mut Rng) -> Object {
    match p {
        Prop::Books => props::books(rng),
        Prop::Box => props::storage_box(rng),
        Prop::Paper => props::paper(rng),
        Prop::Bag => props::bag(rng),
        Prop::Clothes => props::clothes(rng),
        Prop::Small => props::small_prop(rng),
        Prop::Laptop => props::laptop(rng),
        Prop::Plant => decor::plant(rng, false),
        Prop::Lamp => {
            let light = lamp_light(st, rng);
            lamps::table_lamp(rng, light)
        }
    }
}

/// Puts up to `n` random props from `pool` on support slot `slot`.
pub(crate) fn dress_slot(l: &mut Layout, slot: usize, pool: &[Prop], n: usize, st: &Style, rng: &mut Rng) {
    for _ in 0..n {
        let p = *rng.pick(pool);
        let obj = make_prop(p, st, rng);
        let turns = !matches!(p, Prop::Books | Prop::Laptop);
        let jitter = if turns { 0.4 } else { 0.15 };
        l.on_slot(slot, obj, rng, turns, jitter);
    }
}

/// Dresses every slot of object `owner`.
pub(crate) fn dress_object(l: &mut Layout, owner: usize, pool: &[Prop], max: usize, st: &Style, rng: &mut Rng) {
    for s in l.slots_of(owner) {
        let n = rng.below(max + 1);
        dress_slot(l, s, pool, n, st, rng);
    }
}

/// Pictures, a clock, maybe a mirror on the walls.
pub(crate) fn wall_decor(l: &mut Layout, st: &Style, pictures: usize, rng: &mut Rng) {
    for _ in 0..pictures {
        let (w, h) = if rng.chance(0.3) {
            (rng.range(0.8, 1.5), rng.range(0.5, 1.0))
        } else {
            (rng.range(0.25, 0.7), rng.range(0.3, 0.8))
        };
        let obj = decor::picture(rng, w, h);
        let z = rng.range(1.25, 1.65) - 0.5 * h;
        l.on_wall(obj, rng, z, z + 0.15, None, None);
    }
    if rng.chance(0.25) {
        let obj = decor::clock(rng);
        l.on_wall(obj, rng, 1.7, (l.room.height - 0.5).max(1.75), None, None);
    }
    if rng.chance(0.12) {
        let mw = rng.range(0.4, 0.9);
        let mh = rng.range(0.6, 1.6);
        let obj = decor::mirror(rng, mw, mh, st.floor.base, st.wall.base);
        l.on_wall(obj, rng, 0.3, 1.0, None, None);
    }
}

/// Scatters floor clutter: bags, boxes, bins, plants, against walls or anywhere.
pub(crate) fn floor_clutter(l: &mut Layout, st: &Style, pool: &[Prop], n: usize, rng: &mut Rng) {
    for _ in 0..n {
        if l.free_fraction() < 0.35 {
            break;
        }
        let p = *rng.pick(pool);
        let obj = match p {
            Prop::Plant => decor::plant(rng, true),
            _ => make_prop(p, st, rng),
        };
        if rng.chance(0.6) {
            let gap = rng.range(0.02, 0.15);
            let corner = rng.chance(0.4);
            l.against_wall(obj, rng, WallOpts { gap, corner, ..Default::default() });
        } else {
            l.free(obj, rng, None, PI);
        }
    }
}

/// A rug centred under a placed object (or free), slightly larger than it.
pub(crate) fn rug_under(l: &mut Layout, under: Option<usize>, label: u16, rng: &mut Rng) {
    let (pos, yaw, half) = match under {
        Some(i) => {
            let p = l.placed[i];
            let grow = Vec2::new(rng.range(0.2, 0.7), rng.range(0.2, 0.7));
            (p.fp.c.extend(0.0), p.yaw, p.fp.half + grow)
        }
        None => {
            let c = l.room.centre() + Vec2::new(rng.normal(), rng.normal()) * 0.5;
            (c.extend(0.0), rng.below(2) as f32 * FRAC_PI_2, Vec2::new(rng.range(0.6, 1.5), rng.range(0.4, 1.0)))
        }
    };
    for shrink in [1.0, 0.8, 0.6] {
        let obj = decor::rug(rng, half.x * shrink, half.y * shrink, label);
        if l.floor_cover(obj, pos, yaw).is_some() {
            return;
        }
    }
}

/// Chairs on both long sides (and maybe the ends) of a rectangular table, facing it.
pub(crate) fn chairs_around(l: &mut Layout, table: usize, chair: &Object, ends: bool, rng: &mut Rng) -> usize {
    let t = l.placed[table];
    let (clo, chi) = chair.bounds();
    let cd = 0.5 * (chi.y - clo.y);
    let cw = chi.x - clo.x + 0.1;
    let (hw, hd) = (0.5 * (t.hi.x - t.lo.x), 0.5 * (t.hi.y - t.lo.y));
    let centre = 0.5 * (t.lo + t.hi).truncate();
    let mut placed = 0;
    let per_side = ((2.0 * hw) / cw.max(0.45)).floor().max(1.0) as usize;
    for side in [-1.0f32, 1.0] {
        for k in 0..per_side {
            if rng.chance(0.08) {
                continue;
            }
            let x = centre.x - hw + 2.0 * hw * (k as f32 + 0.5) / per_side as f32;
            let pull = rng.range(-0.35, 0.15);
            let y = centre.y + side * (hd + cd * (0.3 + pull.max(-0.2)) + 0.05 + pull.max(0.0));
            let yaw = if side < 0.0 { PI } else { 0.0 } + rng.range(-0.15, 0.15);
            if l.relative(table, chair.clone(), Vec2::new(x, y), yaw).is_some() {
                placed += 1;
            }
        }
    }
    if ends && hd > 0.3 {
        for side in [-1.0f32, 1.0] {
            let x = centre.x + side * (hw + cd * 0.4 + 0.05);
            let yaw = -side * FRAC_PI_2 + rng.range(-0.15, 0.15);
            if l.relative(table, chair.clone(), Vec2::new(x, centre.y), yaw).is_some() {
                placed += 1;
            }
        }
    }
    placed
}

/// Chairs around a round table.
pub(crate) fn chairs_round(l: &mut Layout, table: usize, chair: &Object, n: usize, rng: &mut Rng) {
    let t = l.placed[table];
    let r = 0.5 * (t.hi.x - t.lo.x);
    let (clo, chi) = chair.bounds();
    let cd = 0.5 * (chi.y - clo.y);
    let a0 = rng.range(0.0, PI);
    for k in 0..n {
        let a = a0 + 2.0 * PI * k as f32 / n as f32;
        let d = r + cd * 0.35;
        // The chair's front (−y) must point at the table: turn +y towards outside.
        let yaw = a - FRAC_PI_2 + rng.range(-0.15, 0.15);
        l.relative(table, chair.clone(), Vec2::new(a.cos(), a.sin()) * d, yaw);
    }
}

/// A chair or office chair pulled up to a desk's front.
pub(crate) fn chair_at(l: &mut Layout, desk: usize, chair: Object, rng: &mut Rng) -> Option<usize> {
    let t = l.placed[desk];
    let (clo, chi) = chair.bounds();
    let cd = 0.5 * (chi.y - clo.y);
    let c = 0.5 * (t.lo + t.hi).truncate();
    let y = t.lo.y - cd * rng.range(0.0, 0.6) - 0.05;
    let x = c.x + rng.range(-0.15, 0.15) * (t.hi.x - t.lo.x);
    l.relative(desk, chair, Vec2::new(x, y), PI + rng.range(-0.4, 0.4))
}

/// Labels the rooms are expected to contain, for the tests.
#[cfg(test)]
pub(crate) fn expected(kind: RoomKind) -> &'static [u16] {
    match kind {
        RoomKind::Bedroom => &[id::BED, id::PILLOW],
        RoomKind::Office => &[id::DESK, id::CHAIR],
        RoomKind::Living => &[id::SOFA],
        RoomKind::Kitchen => &[id::COUNTER, id::CABINET],
        RoomKind::Bathroom => &[id::TOILET, id::SINK],
        RoomKind::Classroom => &[id::DESK, id::CHAIR, id::WHITEBOARD],
        RoomKind::Dining => &[id::TABLE, id::CHAIR],
        RoomKind::Conference => &[id::TABLE, id::CHAIR],
        RoomKind::Study => &[id::BOOKSHELF, id::BOOKS],
    }
}

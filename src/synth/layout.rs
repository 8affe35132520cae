//! Placing objects on the floor plan without interpenetration: oriented rectangles on the
//! floor (with the height band they occupy), small items on support surfaces, flat items on
//! walls. Strategies: against a wall or in a corner, free-standing, relative to another
//! object (chairs at a table), on a top, on a wall.

use std::f32::consts::{FRAC_PI_2, PI};

use glam::{Vec2, Vec3};

use super::part::{Object, Support};
use super::room::{OpeningKind, Rect, Room};
use crate::util::rng::Rng;

/// An oriented rectangle on the floor.
#[derive(Clone, Copy, Debug)]
pub struct Obb2 {
    /// Centre, metres.
    pub c: Vec2,
    /// Half extents along its own axes, metres.
    pub half: Vec2,
    /// Rotation about z, radians.
    pub yaw: f32,
}

impl Obb2 {
    fn axes(&self) -> (Vec2, Vec2) {
        let (s, c) = self.yaw.sin_cos();
        (Vec2::new(c, s), Vec2::new(-s, c))
    }

    /// The four corners, counter-clockwise from (−x, −y).
    pub fn corners(&self) -> [Vec2; 4] {
        let (ax, ay) = self.axes();
        let (x, y) = (ax * self.half.x, ay * self.half.y);
        [self.c - x - y, self.c + x - y, self.c + x + y, self.c - x + y]
    }

    /// Separating-axis test.
    pub fn overlaps(&self, o: &Obb2) -> bool {
        let (a0, a1) = self.axes();
        let (b0, b1) = o.axes();
        let d = o.c - self.c;
        for axis in [a0, a1, b0, b1] {
            let ra = self.half.x * a0.dot(axis).abs() + self.half.y * a1.dot(axis).abs();
            let rb = o.half.x * b0.dot(axis).abs() + o.half.y * b1.dot(axis).abs();
            if d.dot(axis).abs() >= ra + rb {
                return false;
            }
        }
        true
    }

    /// Whether `p` is strictly inside.
    pub fn contains(&self, p: Vec2) -> bool {
        let (ax, ay) = self.axes();
        let d = p - self.c;
        d.dot(ax).abs() < self.half.x && d.dot(ay).abs() < self.half.y
    }

    /// The same rectangle `m` metres larger on every side.
    pub fn grown(&self, m: f32) -> Obb2 {
        Obb2 { half: self.half + Vec2::splat(m), ..*self }
    }

    /// Area, square metres.
    pub fn area(&self) -> f32 {
        4.0 * self.half.x * self.half.y
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// What a block of floor is reserved for.
pub enum BlockKind {
    /// A placed object's footprint.
    Furniture,
    /// A pillar or partition.
    Pillar,
    /// Door swing and window fronts: keep clear, but wall décor may sit beside them.
    Keepout,
}

/// Floor area taken in a band of heights.
#[derive(Clone, Copy, Debug)]
pub struct Block {
    /// Footprint.
    pub r: Obb2,
    /// Bottom of the band, metres.
    pub z0: f32,
    /// Top of the band, metres.
    pub z1: f32,
    /// What reserved it.
    pub kind: BlockKind,
    /// The placed object that made it, if any.
    pub owner: Option<usize>,
}

/// A placed object's pose and footprint, for placing others relative to it.
#[derive(Clone, Copy, Debug)]
pub struct Placed {
    /// Position of the object's origin in the room.
    pub pos: Vec3,
    /// Rotation about z, radians.
    pub yaw: f32,
    /// Footprint on the floor.
    pub fp: Obb2,
    /// Minimum corner of its bounds, object-local.
    pub lo: Vec3,
    /// Maximum corner of its bounds, object-local.
    pub hi: Vec3,
    /// The wall it was placed against, if any.
    pub wall: Option<usize>,
}

#[derive(Clone, Debug)]
/// A free surface of a placed object where small items can stand.
pub struct Slot {
    /// The surface.
    pub s: Support,
    /// Index of the object it belongs to.
    pub owner: usize,
    /// Footprints of what already stands on it.
    pub used: Vec<Obb2>,
}

#[derive(Clone, Copy, Debug)]
struct WallItem {
    wall: usize,
    u0: f32,
    u1: f32,
    z0: f32,
    z1: f32,
}

/// Furniture placement in one room: what is placed and what floor, wall and surface space is taken.
pub struct Layout<'a> {
    /// The room.
    pub room: &'a Room,
    /// Floor space taken, with its height band.
    pub blocks: Vec<Block>,
    /// Placed objects (transformed into the room).
    pub objects: Vec<Object>,
    /// Pose and bounds of each object, by index.
    pub placed: Vec<Placed>,
    /// Surfaces small items can be put on.
    pub slots: Vec<Slot>,
    wall_items: Vec<WallItem>,
}

/// Options for [`Layout::against_wall`].
#[derive(Clone, Copy, Debug, Default)]
pub struct WallOpts {
    /// Distance kept from the wall, metres.
    pub gap: f32,
    /// Prefer a corner of the wall.
    pub corner: bool,
    /// Use this wall; `None` picks one at random, weighted by length.
    pub wall: Option<usize>,
    /// Prefer the middle of the wall (beds, sofas, desks facing a window...).
    pub centred: bool,
}

fn rot2(yaw: f32, v: Vec2) -> Vec2 {
    let (s, c) = yaw.sin_cos();
    Vec2::new(c * v.x - s * v.y, s * v.x + c * v.y)
}

impl<'a> Layout<'a> {
    /// An empty layout of `room` (its pillars already block the floor).
    pub fn new(room: &'a Room) -> Self {
        let mut blocks = Vec::new();
        for p in &room.pillars {
            let r = Obb2 { c: p.rect.centre(), half: p.rect.half(), yaw: 0.0 };
            blocks.push(Block { r, z0: 0.0, z1: f32::INFINITY, kind: BlockKind::Pillar, owner: None });
        }
        for o in &room.openings {
            let wall = room.walls[o.wall];
            let yaw = wall.dir.y.atan2(wall.dir.x);
            let mid = wall.a + wall.dir * (0.5 * (o.u0 + o.u1));
            let (depth, z0) = match o.kind {
                OpeningKind::Door { .. } => (o.width() + 0.25, 0.0),
                OpeningKind::Window => (0.45, o.z0 - 0.03),
            };
            let half = Vec2::new(0.5 * o.width() + 0.08, 0.5 * depth);
            let r = Obb2 { c: mid + wall.inward * half.y, half, yaw };
            blocks.push(Block { r, z0, z1: f32::INFINITY, kind: BlockKind::Keepout, owner: None });
        }
        Self { room, blocks, objects: Vec::new(), placed: Vec::new(), slots: Vec::new(), wall_items: Vec::new() }
    }

    /// Footprint and local bounds of `obj` posed at `pos`, `yaw`.
    pub fn footprint(obj: &Object, pos: Vec3, yaw: f32) -> (Obb2, Vec3, Vec3) {
        let (lo, hi) = obj.bounds();
        let c = (lo + hi).truncate() * 0.5;
        let half = (hi - lo).truncate() * 0.5;
        (Obb2 { c: pos.truncate() + rot2(yaw, c), half, yaw }, lo, hi)
    }

    fn inside_room(&self, r: &Obb2) -> bool {
        let shrunk = Obb2 { half: (r.half - Vec2::splat(0.004)).max(Vec2::ZERO), ..*r };
        let cs = shrunk.corners();
        let mids = [(cs[0] + cs[1]) * 0.5, (cs[1] + cs[2]) * 0.5, (cs[2] + cs[3]) * 0.5, (cs[3] + cs[0]) * 0.5, r.c];
        cs.iter().chain(mids.iter()).all(|p| self.room.contains2(*p))
            && self.room.notch.is_none_or(|n| !Obb2 { c: n.centre(), half: n.half(), yaw: 0.0 }.overlaps(&shrunk))
    }

    /// Whether a footprint occupying heights `z0..z1` is free, ignoring object `skip`.
    pub fn fits(&self, r: &Obb2, z0: f32, z1: f32, skip: Option<usize>) -> bool {
        self.inside_room(r)
            && !self
                .blocks
                .iter()
                .any(|b| (b.owner.is_none() || b.owner != skip) && b.z0 < z1 && z0 < b.z1 && b.r.overlaps(r))
    }

    /// Adds a posed object; `block` reserves its footprint on the floor.
    fn commit(&mut self, obj: Object, pos: Vec3, yaw: f32, block: bool, wall: Option<usize>) -> usize {
        let (fp, lo, hi) = Self::footprint(&obj, pos, yaw);
        let idx = self.objects.len();
        if block {
            self.blocks.push(Block {
                r: fp,
                z0: pos.z + lo.z,
                z1: pos.z + hi.z,
                kind: BlockKind::Furniture,
                owner: Some(idx),
            });
        }
        let obj = obj.transformed(pos, yaw);
        for s in &obj.supports {
            self.slots.push(Slot { s: *s, owner: idx, used: Vec::new() });
        }
        self.objects.push(obj);
        self.placed.push(Placed { pos, yaw, fp, lo, hi, wall });
        idx
    }

    /// Places `obj` at a pose if it fits.
    pub fn at(&mut self, obj: Object, pos: Vec3, yaw: f32, skip: Option<usize>) -> Option<usize> {
        let (fp, lo, hi) = Self::footprint(&obj, pos, yaw);
        self.fits(&fp, pos.z + lo.z, pos.z + hi.z, skip).then(|| self.commit(obj, pos, yaw, true, None))
    }

    /// Places `obj` with its back (+y) against a wall, facing into the room.
    pub fn against_wall(&mut self, obj: Object, rng: &mut Rng, opts: WallOpts) -> Option<usize> {
        let (lo, hi) = obj.bounds();
        let width = hi.x - lo.x;
        for attempt in 0..120 {
            // A corner (or the middle) is a preference: after half the tries, anywhere goes.
            let opts = if attempt < 60 { opts } else { WallOpts { corner: false, centred: false, ..opts } };
            let wi = match opts.wall {
                Some(w) => w,
                None => self.pick_wall(rng),
            };
            let wall = self.room.walls[wi];
            if wall.len < width + 0.02 {
                if opts.wall.is_some() {
                    return None;
                }
                continue;
            }
            // Object x runs along −dir, so its span on the wall is [u − hi.x, u − lo.x].
            let u = if opts.corner {
                if rng.chance(0.5) { hi.x + 0.005 } else { wall.len + lo.x - 0.005 }
            } else if opts.centred {
                0.5 * wall.len + 0.5 * (hi.x + lo.x) + rng.normal() * 0.1 * (wall.len - width).max(0.0)
            } else {
                rng.range(hi.x + 0.005, wall.len + lo.x - 0.005 + 1e-4)
            };
            let yaw = wall.yaw_facing_in();
            let pos = wall.at(u, 0.0) + wall.inward3() * (opts.gap + hi.y);
            let (fp, _, _) = Self::footprint(&obj, pos, yaw);
            if self.fits(&fp, lo.z, hi.z, None) {
                return Some(self.commit(obj, pos, yaw, true, Some(wi)));
            }
        }
        None
    }

    fn pick_wall(&self, rng: &mut Rng) -> usize {
        let total: f32 = self.room.walls.iter().map(|w| w.len).sum();
        let mut x = rng.f32() * total;
        for (i, w) in self.room.walls.iter().enumerate() {
            if x < w.len {
                return i;
            }
            x -= w.len;
        }
        0
    }

    /// Places `obj` anywhere in `region` (the room by default), axis-aligned give or take
    /// `jitter` radians, or at any angle when `jitter` ≥ π.
    pub fn free(&mut self, obj: Object, rng: &mut Rng, region: Option<Rect>, jitter: f32) -> Option<usize> {
        let region = region.unwrap_or(Rect { lo: Vec2::ZERO, hi: self.room.size });
        let (lo, hi) = obj.bounds();
        for _ in 0..80 {
            let p = Vec2::new(rng.range(region.lo.x, region.hi.x), rng.range(region.lo.y, region.hi.y));
            let yaw = if jitter >= PI {
                rng.range(0.0, 2.0 * PI)
            } else {
                rng.below(4) as f32 * FRAC_PI_2 + rng.range(-jitter, jitter)
            };
            let pos = p.extend(0.0);
            let (fp, _, _) = Self::footprint(&obj, pos, yaw);
            if self.fits(&fp, lo.z, hi.z, None) {
                return Some(self.commit(obj, pos, yaw, true, None));
            }
        }
        None
    }

    /// Places `obj` at `offset` in `anchor`'s frame, turned by `yaw` relative to it;
    /// it may overlap the anchor's footprint (chairs pushed under a table).
    pub fn relative(&mut self, anchor: usize, obj: Object, offset: Vec2, yaw: f32) -> Option<usize> {
        let a = self.placed[anchor];
        let pos = a.pos + rot2(a.yaw, offset).extend(0.0);
        self.at(obj, pos, a.yaw + yaw, Some(anchor))
    }

    /// Places `obj` next to `anchor` along the anchor's x axis (side −1 or +1), backs aligned.
    pub fn beside(&mut self, anchor: usize, obj: Object, side: f32, gap: f32) -> Option<usize> {
        let a = self.placed[anchor];
        let (lo, hi) = obj.bounds();
        let x = if side > 0.0 { a.hi.x + gap - lo.x } else { a.lo.x - gap - hi.x };
        let y = a.hi.y - hi.y;
        let pos = a.pos + rot2(a.yaw, Vec2::new(x, y)).extend(0.0);
        let (fp, _, _) = Self::footprint(&obj, pos, a.yaw);
        let wall = a.wall;
        self.fits(&fp, lo.z, hi.z, None).then(|| self.commit(obj, pos, a.yaw, true, wall))
    }

    /// Puts a small object on a support surface (a table top, a shelf) at a random spot,
    /// turned by a random quarter turn when `turns`, plus up to `jitter` radians.
    pub fn on_slot(&mut self, slot: usize, obj: Object, rng: &mut Rng, turns: bool, jitter: f32) -> Option<usize> {
        let s = self.slots[slot].s;
        let (lo, hi) = obj.bounds();
        if hi.z - lo.z > s.clear {
            return None;
        }
        for _ in 0..25 {
            let quarter = if turns { rng.below(4) as f32 * FRAC_PI_2 } else { 0.0 };
            let local_yaw = quarter + rng.range(-jitter, jitter + 1e-6);
            let probe = Self::footprint(&obj, Vec3::ZERO, local_yaw).0;
            // The footprint's extent along the support's axes.
            let ext = probe.corners().iter().fold(Vec2::ZERO, |m, c| m.max((*c - probe.c).abs()));
            if ext.x > s.half.x || ext.y > s.half.y {
                continue;
            }
            let centre = Vec2::new(
                rng.range(-s.half.x + ext.x, s.half.x - ext.x + 1e-6),
                rng.range(-s.half.y + ext.y, s.half.y - ext.y + 1e-6),
            );
            if let Some(i) = self.on_slot_at(slot, obj.clone(), centre - probe.c, local_yaw) {
                return Some(i);
            }
        }
        None
    }

    /// Puts an object at a given spot of a support (support-local offset of its origin).
    pub fn on_slot_at(&mut self, slot: usize, obj: Object, local: Vec2, local_yaw: f32) -> Option<usize> {
        let s = self.slots[slot].s;
        let (lo, hi) = obj.bounds();
        let probe = Self::footprint(&obj, Vec3::ZERO, local_yaw).0;
        let ext = probe.corners().iter().fold(Vec2::ZERO, |m, c| m.max((*c - probe.c).abs()));
        let c = local + probe.c;
        if hi.z - lo.z > s.clear || (c.abs() + ext).cmpgt(s.half + Vec2::splat(1e-3)).any() {
            return None;
        }
        let pos = s.centre + rot2(s.yaw, local).extend(0.0);
        let yaw = s.yaw + local_yaw;
        let (fp, _, _) = Self::footprint(&obj, pos, yaw);
        if self.slots[slot].used.iter().any(|u| u.overlaps(&fp)) {
            return None;
        }
        self.slots[slot].used.push(fp);
        Some(self.commit(obj, pos, yaw, false, None))
    }

    /// Hangs a flat object (built with its back at +y, bottom at z = 0) on a wall, its
    /// bottom between `z_lo` and `z_hi`, clear of openings, other wall items and anything
    /// standing in front that reaches up to it.
    pub fn on_wall(
        &mut self,
        obj: Object,
        rng: &mut Rng,
        z_lo: f32,
        z_hi: f32,
        wall: Option<usize>,
        at_u: Option<f32>,
    ) -> Option<usize> {
        let (lo, hi) = obj.bounds();
        let width = hi.x - lo.x;
        let height = hi.z - lo.z;
        for _ in 0..50 {
            let wi = wall.unwrap_or_else(|| self.pick_wall(rng));
            let w = self.room.walls[wi];
            if w.len < width + 0.2 {
                if wall.is_some() {
                    return None;
                }
                continue;
            }
            let u =
                if let Some(u) = at_u { u + rng.normal() * 0.03 } else { rng.range(hi.x + 0.1, w.len + lo.x - 0.1) };
            let (u0, u1) = (u - hi.x, u - lo.x);
            if u0 < 0.05 || u1 > w.len - 0.05 {
                continue;
            }
            let z = rng.range(z_lo, z_hi.max(z_lo + 1e-3));
            let (z0, z1) = (z + lo.z, z + hi.z);
            if z1 > self.room.height - 0.05 {
                continue;
            }
            let clash_opening = self
                .room
                .openings_on(wi)
                .any(|o| u1 + 0.1 > o.u0 && u0 - 0.1 < o.u1 && z1 + 0.1 > o.z0 && z0 - 0.1 < o.z1);
            let clash_item = self.wall_items.iter().any(|it| {
                it.wall == wi && u1 + 0.05 > it.u0 && u0 - 0.05 < it.u1 && z1 + 0.05 > it.z0 && z0 - 0.05 < it.z1
            });
            if clash_opening || clash_item {
                continue;
            }
            let yaw = w.yaw_facing_in();
            let strip = Obb2 {
                c: w.a + w.dir * (0.5 * (u0 + u1)) + w.inward * 0.3,
                half: Vec2::new(0.5 * (u1 - u0), 0.3),
                yaw: w.dir.y.atan2(w.dir.x),
            };
            let blocked = self
                .blocks
                .iter()
                .any(|b| b.kind != BlockKind::Keepout && b.z1 > z0 - 0.05 && b.z0 < z1 && b.r.overlaps(&strip));
            if blocked || height <= 0.0 {
                continue;
            }
            let pos = w.at(u, z) + w.inward3() * (0.004 + hi.y);
            self.wall_items.push(WallItem { wall: wi, u0, u1, z0, z1 });
            return Some(self.commit(obj, pos, yaw, false, Some(wi)));
        }
        None
    }

    /// Adds an object at a fixed pose without checks (window dressing, things built in
    /// place); `block` reserves its footprint.
    pub fn fixed(&mut self, obj: Object, pos: Vec3, yaw: f32, block: bool) -> usize {
        self.commit(obj, pos, yaw, block, None)
    }

    /// Marks a span of a wall as taken by a fixed item.
    pub fn reserve_wall(&mut self, wall: usize, u0: f32, u1: f32, z0: f32, z1: f32) {
        self.wall_items.push(WallItem { wall, u0, u1, z0, z1 });
    }

    /// Whether a span of a wall is clear of openings (with a margin).
    pub fn wall_span_clear(&self, wall: usize, u0: f32, u1: f32, z0: f32, z1: f32) -> bool {
        !self
            .room
            .openings_on(wall)
            .any(|o| u1 + 0.05 > o.u0 && u0 - 0.05 < o.u1 && z1 + 0.05 > o.z0 && z0 - 0.05 < o.z1)
    }

    /// Where along its wall a wall-placed object's footprint centre lies.
    pub fn wall_u(&self, idx: usize) -> Option<(usize, f32)> {
        let p = self.placed[idx];
        let w = self.room.walls[p.wall?];
        Some((p.wall?, (p.fp.c - w.a).dot(w.dir)))
    }

    /// Places a flat floor covering (rug, mat) if it stays in the room and off pillars.
    pub fn floor_cover(&mut self, obj: Object, pos: Vec3, yaw: f32) -> Option<usize> {
        let (fp, _, _) = Self::footprint(&obj, pos, yaw);
        let clear =
            self.inside_room(&fp) && !self.blocks.iter().any(|b| b.kind == BlockKind::Pillar && b.r.overlaps(&fp));
        clear.then(|| self.commit(obj, pos, yaw, false, None))
    }

    /// Support slots belonging to object `owner`.
    pub fn slots_of(&self, owner: usize) -> Vec<usize> {
        (0..self.slots.len()).filter(|&i| self.slots[i].owner == owner).collect()
    }

    /// Fraction of the floor not covered by furniture or pillars (sampled on a grid).
    pub fn free_fraction(&self) -> f32 {
        let (mut inside, mut free) = (0usize, 0usize);
        let n = 40;
        for i in 0..n {
            for j in 0..n {
                let p = Vec2::new((i as f32 + 0.5) / n as f32, (j as f32 + 0.5) / n as f32) * self.room.size;
                if !self.room.contains2(p) {
                    continue;
                }
                inside += 1;
                if !self.blocks.iter().any(|b| b.kind != BlockKind::Keepout && b.r.contains(p)) {
                    free += 1;
                }
            }
        }
        free as f32 / inside.max(1) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obb_overlap_matches_axis_aligned_cases() {
        let a = Obb2 { c: Vec2::ZERO, half: Vec2::ONE, yaw: 0.0 };
        assert!(a.overlaps(&Obb2 { c: Vec2::new(1.9, 0.0), half: Vec2::ONE, yaw: 0.0 }));
        assert!(!a.overlaps(&Obb2 { c: Vec2::new(2.1, 0.0), half: Vec2::ONE, yaw: 0.0 }));
        // A diamond whose corner reaches into the square.
        assert!(a.overlaps(&Obb2 { c: Vec2::new(2.3, 0.0), half: Vec2::ONE, yaw: PI / 4.0 }));
        assert!(!a.overlaps(&Obb2 { c: Vec2::new(2.5, 0.0), half: Vec2::ONE, yaw: PI / 4.0 }));
    }
}

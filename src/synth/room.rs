//! The room's floor plan: a rectilinear footprint (a box, or an L), its walls, the door
//! and window openings in them, and free-standing pillars. Pure geometry; the surfaces are
//! made in `shell.rs`. Room frame: floor at z = 0, ceiling at z = `height`, the footprint
//! inside [0, size.x] × [0, size.y].

use glam::{Vec2, Vec3};

use super::kind::RoomKind;
use crate::util::rng::Rng;

/// One straight wall, from `a` to `b` counter-clockwise around the room.
#[derive(Clone, Copy, Debug)]
pub struct Wall {
    /// Start corner on the floor plan, metres.
    pub a: Vec2,
    /// End corner (counter-clockwise from `a`).
    pub b: Vec2,
    /// Unit direction from `a` to `b`.
    pub dir: Vec2,
    /// Unit normal pointing into the room.
    pub inward: Vec2,
    /// Length from `a` to `b`, metres.
    pub len: f32,
}

impl Wall {
    /// Point on the wall's inner face at distance `u` from `a` and height `z`.
    pub fn at(&self, u: f32, z: f32) -> Vec3 {
        (self.a + self.dir * u).extend(z)
    }

    /// `dir` as a horizontal 3D vector.
    pub fn dir3(&self) -> Vec3 {
        self.dir.extend(0.0)
    }

    /// `inward` as a horizontal 3D vector.
    pub fn inward3(&self) -> Vec3 {
        self.inward.extend(0.0)
    }

    /// The yaw that turns an object's +y (its back) towards this wall.
    pub fn yaw_facing_in(&self) -> f32 {
        self.inward.x.atan2(-self.inward.y)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
/// What fills an opening.
pub enum OpeningKind {
    /// A door; `open` is the swing angle in radians (0 = closed), hinged at `u0` or `u1`.
    Door {
        /// Swing angle, radians; 0 = closed.
        open: f32,
        /// Hinged at `u0` (true) or `u1` (false).
        hinge_u0: bool,
    },
    /// A window (glass with the outdoors behind).
    Window,
}

/// A hole through a wall, in the wall's (u, z) coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Opening {
    /// Index of the wall in [`Room::walls`].
    pub wall: usize,
    /// Start along the wall from its `a`, metres.
    pub u0: f32,
    /// End along the wall, metres.
    pub u1: f32,
    /// Bottom height, metres.
    pub z0: f32,
    /// Top height, metres.
    pub z1: f32,
    /// Door or window.
    pub kind: OpeningKind,
}

impl Opening {
    /// Whether it is a door.
    pub fn is_door(&self) -> bool {
        matches!(self.kind, OpeningKind::Door { .. })
    }

    /// Width along the wall, metres.
    pub fn width(&self) -> f32 {
        self.u1 - self.u0
    }
}

/// An axis-aligned rectangle on the floor plan.
#[derive(Clone, Copy, Debug)]
pub struct Rect {
    /// Minimum corner, metres.
    pub lo: Vec2,
    /// Maximum corner, metres.
    pub hi: Vec2,
}

impl Rect {
    /// Whether `p` is strictly inside.
    pub fn contains(&self, p: Vec2) -> bool {
        p.x > self.lo.x && p.x < self.hi.x && p.y > self.lo.y && p.y < self.hi.y
    }

    /// Centre point.
    pub fn centre(&self) -> Vec2 {
        (self.lo + self.hi) * 0.5
    }

    /// Half extents.
    pub fn half(&self) -> Vec2 {
        (self.hi - self.lo) * 0.5
    }
}

/// A free-standing column or partition wall, floor to ceiling.
#[derive(Clone, Copy, Debug)]
pub struct Pillar {
    /// Its floor-plan rectangle.
    pub rect: Rect,
    /// A partition is labelled wall; a column otherstructure.
    pub partition: bool,
}

#[derive(Clone, Debug)]
/// A room's shell: floor plan (rectangular or L-shaped), walls, openings and pillars; the
/// floor is z = 0, x and y in metres from one corner.
pub struct Room {
    /// Bounding box of the floor plan (x, y), metres.
    pub size: Vec2,
    /// Floor-to-ceiling height, metres.
    pub height: f32,
    /// Wall thickness, metres.
    pub thickness: f32,
    /// The bounding box minus this corner rectangle is the floor (L-shaped rooms).
    pub notch: Option<Rect>,
    /// Counter-clockwise outline.
    pub outline: Vec<Vec2>,
    /// Walls along the outline, in order.
    pub walls: Vec<Wall>,
    /// Doors and windows.
    pub openings: Vec<Opening>,
    /// Free-standing columns and partitions.
    pub pillars: Vec<Pillar>,
}

impl Room {
    /// Whether a floor-plan point is inside the room (pillars count as inside).
    pub fn contains2(&self, p: Vec2) -> bool {
        p.x > 0.0 && p.y > 0.0 && p.x < self.size.x && p.y < self.size.y && !self.notch.is_some_and(|n| n.contains(p))
    }

    /// Whether a point is inside the room's air volume (pillars excluded by the caller).
    pub fn contains(&self, p: Vec3) -> bool {
        p.z > 0.0 && p.z < self.height && self.contains2(p.truncate())
    }

    /// Distance from a floor point to the nearest wall segment.
    pub fn wall_distance(&self, p: Vec2) -> f32 {
        self.walls
            .iter()
            .map(|w| {
                let t = (p - w.a).dot(w.dir).clamp(0.0, w.len);
                (w.a + w.dir * t - p).length()
            })
            .fold(f32::INFINITY, f32::min)
    }

    /// Floor area in square metres.
    pub fn area(&self) -> f32 {
        let n = self.notch.map_or(0.0, |n| (n.hi - n.lo).x * (n.hi - n.lo).y);
        self.size.x * self.size.y - n
    }

    /// A floor point well inside the room (for an L, the centre of its larger rectangle).
    pub fn centre(&self) -> Vec2 {
        // The centre of the larger rectangle of an L, so it is inside the room.
        match self.notch {
            None => self.size * 0.5,
            Some(n) => {
                let cand = [
                    Vec2::new(
                        self.size.x * 0.5,
                        if n.lo.y > 0.0 { n.lo.y * 0.5 } else { (n.hi.y + self.size.y) * 0.5 },
                    ),
                    Vec2::new(
                        if n.lo.x > 0.0 { n.lo.x * 0.5 } else { (n.hi.x + self.size.x) * 0.5 },
                        self.size.y * 0.5,
                    ),
                ];
                *cand.iter().find(|c| self.contains2(**c)).unwrap_or(&cand[0])
            }
        }
    }

    /// Openings cut into wall `w`.
    pub fn openings_on(&self, w: usize) -> impl Iterator<Item = &Opening> {
        self.openings.iter().filter(move |o| o.wall == w)
    }

    /// A random floor plan for `kind`.
    pub fn generate(kind: RoomKind, rng: &mut Rng) -> Room {
        let ((s0, s1), (l0, l1)) = kind.size_range();
        let short = rng.range(s0, s1);
        let long = rng.range(l0.max(short), l1.max(short + 0.01));
        let size = if rng.chance(0.5) { Vec2::new(short, long) } else { Vec2::new(long, short) };
        let height = match kind {
            RoomKind::Bathroom => rng.range(2.3, 2.8),
            RoomKind::Classroom | RoomKind::Conference => rng.range(2.7, 3.5),
            _ => rng.range(2.35, 3.2),
        };
        let thickness = rng.range(0.1, 0.3);
        let notch = if short >= 3.8 && kind != RoomKind::Bathroom && rng.chance(0.3) {
            let w = size.x * rng.range(0.25, 0.45);
            let d = size.y * rng.range(0.25, 0.45);
            let lo = Vec2::new(
                if rng.chance(0.5) { 0.0 } else { size.x - w },
                if rng.chance(0.5) { 0.0 } else { size.y - d },
            );
            Some(Rect { lo, hi: lo + Vec2::new(w, d) })
        } else {
            None
        };
        let outline = outline(size, notch);
        let walls = outline
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let b = outline[(i + 1) % outline.len()];
                let len = (b - a).length();
                let dir = (b - a) / len;
                Wall { a, b, dir, inward: Vec2::new(-dir.y, dir.x), len }
            })
            .collect();
        let mut room =
            Room { size, height, thickness, notch, outline, walls, openings: Vec::new(), pillars: Vec::new() };
        room.add_doors(kind, rng);
        room.add_windows(kind, rng);
        room.add_pillars(kind, rng);
        room
    }

    /// Whether `[u0, u1]` on wall `w` keeps `margin` from the ends and from other openings.
    fn wall_span_free(&self, w: usize, u0: f32, u1: f32, margin: f32) -> bool {
        let wall = &self.walls[w];
        u0 >= margin
            && u1 <= wall.len - margin
            && self.openings_on(w).all(|o| u1 + margin <= o.u0 || u0 >= o.u1 + margin)
    }

    fn add_doors(&mut self, kind: RoomKind, rng: &mut Rng) {
        let count = match kind {
            RoomKind::Classroom | RoomKind::Conference | RoomKind::Living if rng.chance(0.35) => 2,
            _ => 1,
        };
        for _ in 0..count {
            let width = if matches!(kind, RoomKind::Classroom | RoomKind::Conference) && rng.chance(0.3) {
                rng.range(1.3, 1.6)
            } else {
                rng.range(0.75, 0.95)
            };
            let top = rng.range(1.98, 2.15).min(self.height - 0.12);
            for _ in 0..40 {
                let w = rng.below(self.walls.len());
                let len = self.walls[w].len;
                if len < width + 0.4 {
                    continue;
                }
                // Doors tend to sit near a corner.
                let u0 = if rng.chance(0.6) {
                    if rng.chance(0.5) { rng.range(0.1, 0.5) } else { len - width - rng.range(0.1, 0.5) }
                } else {
                    rng.range(0.1, len - width - 0.1)
                };
                if !self.wall_span_free(w, u0, u0 + width, 0.1) {
                    continue;
                }
                let open = if rng.chance(0.35) { rng.range(0.3, 1.5) } else { 0.0 };
                let kind = OpeningKind::Door { open, hinge_u0: rng.chance(0.5) };
                self.openings.push(Opening { wall: w, u0, u1: u0 + width, z0: 0.0, z1: top, kind });
                break;
            }
        }
    }

    fn add_windows(&mut self, kind: RoomKind, rng: &mut Rng) {
        let count = match kind {
            RoomKind::Bathroom => rng.below(2),
            RoomKind::Classroom => 2 + rng.below(3),
            RoomKind::Kitchen | RoomKind::Study => 1 + rng.below(2),
            _ => rng.below(4).max(1),
        };
        let tall = matches!(kind, RoomKind::Living | RoomKind::Office | RoomKind::Conference) && rng.chance(0.15);
        // Windows of one room usually share sill and head heights.
        let sill = if tall {
            rng.range(0.03, 0.15)
        } else if kind == RoomKind::Bathroom {
            rng.range(1.1, 1.5)
        } else if kind == RoomKind::Kitchen {
            // Above the worktops.
            rng.range(0.95, 1.25)
        } else {
            rng.range(0.55, 1.05)
        };
        let head = (self.height - rng.range(0.15, 0.5)).max(sill + 0.5);
        let mut placed = 0;
        for _ in 0..count * 30 {
            if placed == count {
                break;
            }
            let w = rng.below(self.walls.len());
            let len = self.walls[w].len;
            let width =
                if kind == RoomKind::Bathroom { rng.range(0.5, 1.0) } else { rng.range(0.7, 2.6) }.min(len - 0.6);
            if width < 0.45 {
                continue;
            }
            let u0 = rng.range(0.3, len - width - 0.3 + 1e-3);
            if !self.wall_span_free(w, u0, u0 + width, 0.3) {
                continue;
            }
            self.openings.push(Opening { wall: w, u0, u1: u0 + width, z0: sill, z1: head, kind: OpeningKind::Window });
            placed += 1;
        }
    }

    fn add_pillars(&mut self, kind: RoomKind, rng: &mut Rng) {
        if self.area() < 16.0 || kind == RoomKind::Bathroom {
            return;
        }
        if rng.chance(0.12) {
            // A column, usually near a wall or corner.
            let half = Vec2::new(rng.range(0.15, 0.35), rng.range(0.15, 0.35));
            for _ in 0..20 {
                let c = Vec2::new(rng.range(half.x, self.size.x - half.x), rng.range(half.y, self.size.y - half.y));
                let r = Rect { lo: c - half, hi: c + half };
                let d = self.wall_distance(c);
                if d < 1.2 && self.rect_inside(&r) {
                    self.pillars.push(Pillar { rect: r, partition: false });
                    break;
                }
            }
        } else if rng.chance(0.08) {
            // A partition wall sticking out from a wall without openings.
            for _ in 0..20 {
                let w = rng.below(self.walls.len());
                let wall = self.walls[w];
                if wall.len < 3.5 || self.openings_on(w).count() > 0 {
                    continue;
                }
                let u = rng.range(1.2, wall.len - 1.2);
                let depth = rng.range(0.6, 1.4);
                let t = rng.range(0.08, 0.15) * 0.5;
                let a = wall.a + wall.dir * u;
                let b = a + wall.inward * depth;
                let lo = a.min(b) - Vec2::splat(t) * wall.dir.abs();
                let hi = a.max(b) + Vec2::splat(t) * wall.dir.abs();
                let r = Rect { lo, hi };
                let ends = [
                    a + wall.inward * 0.02 + wall.dir * t,
                    a + wall.inward * 0.02 - wall.dir * t,
                    b + wall.dir * t,
                    b - wall.dir * t,
                ];
                if ends.iter().all(|&p| self.contains2(p)) {
                    self.pillars.push(Pillar { rect: r, partition: true });
                    break;
                }
            }
        }
    }

    fn rect_inside(&self, r: &Rect) -> bool {
        [r.lo, r.hi, Vec2::new(r.lo.x, r.hi.y), Vec2::new(r.hi.x, r.lo.y)].iter().all(|&p| self.contains2(p))
    }
}

/// Counter-clockwise outline of the bounding box minus an optional corner notch.
fn outline(size: Vec2, notch: Option<Rect>) -> Vec<Vec2> {
    let Some(n) = notch else {
        return vec![Vec2::ZERO, Vec2::new(size.x, 0.0), size, Vec2::new(0.0, size.y)];
    };
    // Build with the notch at the (+x, +y) corner, then mirror into place.
    let (w, d) = (n.hi.x - n.lo.x, n.hi.y - n.lo.y);
    let base = [
        Vec2::ZERO,
        Vec2::new(size.x, 0.0),
        Vec2::new(size.x, size.y - d),
        Vec2::new(size.x - w, size.y - d),
        Vec2::new(size.x - w, size.y),
        Vec2::new(0.0, size.y),
    ];
    let flip_x = n.lo.x <= 0.0;
    let flip_y = n.lo.y <= 0.0;
    let mut pts: Vec<Vec2> = base
        .iter()
        .map(|p| Vec2::new(if flip_x { size.x - p.x } else { p.x }, if flip_y { size.y - p.y } else { p.y }))
        .collect();
    // One mirror reverses the winding; restore counter-clockwise order.
    if flip_x != flip_y {
        pts.reverse();
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walls_point_inward_and_openings_fit() {
        for seed in 0..200 {
            let mut rng = Rng::new(seed);
            let kind = RoomKind::ALL[seed as usize % RoomKind::ALL.len()];
            let room = Room::generate(kind, &mut rng);
            for w in &room.walls {
                let mid = (w.a + w.b) * 0.5;
                assert!(room.contains2(mid + w.inward * 0.05), "seed {seed}: wall normal points out");
                assert!(!room.contains2(mid - w.inward * 0.05), "seed {seed}");
            }
            assert!(room.openings.iter().any(|o| o.is_door()), "seed {seed}: no door");
            for o in &room.openings {
                assert!(o.u0 >= 0.0 && o.u1 <= room.walls[o.wall].len && o.z1 < room.height);
            }
            assert!(room.contains2(room.centre()));
        }
    }
}

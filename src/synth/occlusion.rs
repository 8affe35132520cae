//! "Is this surface point hidden?": a point is hidden when just in front of it (along its
//! normal) is inside a solid part or outside the room's air. This drops faces pressed against
//! walls, floors and each other (a wardrobe's back, a book's sides, the floor under a
//! cabinet), as a trained 3DGS scene has no Gaussians there.

use glam::{Vec2, Vec3};

use super::part::Part;
use super::room::Room;

/// Probe distances in front of a surface: one catches touching parts (paper on a desk),
/// the other small gaps (furniture a centimetre off the wall).
const PROBES: [f32; 2] = [0.0015, 0.02];

/// Answers whether a surface point is hidden (pressed against a solid part or outside the room).
pub struct Occluders<'a> {
    room: &'a Room,
    parts: &'a [Part],
    bounds: Vec<(Vec3, Vec3)>,
    origin: Vec2,
    cell: f32,
    nx: usize,
    ny: usize,
    cells: Vec<Vec<u32>>,
}

impl<'a> Occluders<'a> {
    /// An index of `parts` in a 25 cm floor grid over `room`.
    pub fn new(room: &'a Room, parts: &'a [Part]) -> Self {
        let margin = 1.0;
        let origin = Vec2::splat(-margin);
        let cell = 0.25;
        let nx = ((room.size.x + 2.0 * margin) / cell).ceil() as usize + 1;
        let ny = ((room.size.y + 2.0 * margin) / cell).ceil() as usize + 1;
        let mut cells = vec![Vec::new(); nx * ny];
        let bounds: Vec<(Vec3, Vec3)> = parts.iter().map(|p| p.bounds()).collect();
        for (i, p) in parts.iter().enumerate() {
            if !p.solid {
                continue;
            }
            let (lo, hi) = bounds[i];
            let a = ((lo.truncate() - origin) / cell).floor().max(Vec2::ZERO);
            let b = ((hi.truncate() - origin) / cell).floor();
            if b.x < 0.0 || b.y < 0.0 {
                continue;
            }
            let (x0, y0) = (a.x as usize, a.y as usize);
            let (x1, y1) = ((b.x as usize).min(nx - 1), (b.y as usize).min(ny - 1));
            for y in y0..=y1 {
                for x in x0..=x1 {
                    cells[y * nx + x].push(i as u32);
                }
            }
        }
        Self { room, parts, bounds, origin, cell, nx, ny, cells }
    }

    /// Whether a point lies inside a solid part other than `own`.
    pub fn in_solid(&self, q: Vec3, own: usize) -> bool {
        let c = ((q.truncate() - self.origin) / self.cell).floor();
        if c.x < 0.0 || c.y < 0.0 || c.x >= self.nx as f32 || c.y >= self.ny as f32 {
            return false;
        }
        self.cells[c.y as usize * self.nx + c.x as usize].iter().any(|&i| {
            let i = i as usize;
            let (lo, hi) = self.bounds[i];
            i != own && q.cmpgt(lo).all() && q.cmplt(hi).all() && self.parts[i].shape.inside(self.parts[i].to_local(q))
        })
    }

    /// Whether the surface point `p` with normal `n` on part `own` is hidden.
    pub fn hidden(&self, p: Vec3, n: Vec3, own: usize) -> bool {
        let outside_ok = self.parts[own].outside;
        PROBES.iter().any(|&e| {
            let q = p + n * e;
            (!outside_ok && !self.room.contains(q)) || self.in_solid(q, own)
        })
    }
}

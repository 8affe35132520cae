//! A handheld capture: a smooth walking loop through the free floor at eye height, looking
//! around at the furniture and walls, with small pitch and roll wobble; never inside
//! furniture, never facing a wall from up close.

use std::collections::VecDeque;
use std::f32::consts::{PI, TAU};

use glam::{Quat, Vec2, Vec3};

use super::layout::{BlockKind, Layout};
use crate::scene::Camera;
use crate::util::rng::Rng;

struct Grid {
    origin: Vec2,
    cell: f32,
    nx: usize,
    ny: usize,
    free: Vec<bool>,
}

impl Grid {
    fn centre(&self, k: usize) -> Vec2 {
        self.origin + Vec2::new((k % self.nx) as f32 + 0.5, (k / self.nx) as f32 + 0.5) * self.cell
    }

    fn neighbours(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        let (x, y) = ((k % self.nx) as i64, (k / self.nx) as i64);
        [(1i64, 0i64), (-1, 0), (0, 1), (0, -1)].into_iter().filter_map(move |(dx, dy)| {
            let (a, b) = (x + dx, y + dy);
            (a >= 0 && b >= 0 && (a as usize) < self.nx && (b as usize) < self.ny)
                .then(|| b as usize * self.nx + a as usize)
                .filter(|&n| self.free[n])
        })
    }

    /// Breadth-first distances (in cells) from `start` over free cells.
    fn bfs(&self, start: usize) -> Vec<u32> {
        let mut dist = vec![u32::MAX; self.free.len()];
        let mut q = VecDeque::from([start]);
        dist[start] = 0;
        while let Some(k) = q.pop_front() {
            for n in self.neighbours(k) {
                if dist[n] == u32::MAX {
                    dist[n] = dist[k] + 1;
                    q.push_back(n);
                }
            }
        }
        dist
    }

    /// Cells of a shortest path from `a` to `b` (inclusive), given distances from `a`.
    fn path(&self, dist_from_a: &[u32], b: usize) -> Vec<usize> {
        let mut out = vec![b];
        let mut k = b;
        while dist_from_a[k] > 0 {
            k = self.neighbours(k).min_by_key(|&n| (dist_from_a[n], n)).expect("a reachable cell has a parent");
            out.push(k);
        }
        out.reverse();
        out
    }
}

fn free_grid(layout: &Layout, wall_margin: f32, furniture_margin: f32) -> Grid {
    let room = layout.room;
    let cell = 0.1;
    let nx = (room.size.x / cell).ceil() as usize;
    let ny = (room.size.y / cell).ceil() as usize;
    let origin = Vec2::ZERO;
    let mut g = Grid { origin, cell, nx, ny, free: vec![false; nx * ny] };
    for k in 0..nx * ny {
        let p = g.centre(k);
        g.free[k] = room.contains2(p)
            && room.wall_distance(p) >= wall_margin
            && !layout.blocks.iter().any(|b| {
                // Door swings and window fronts hold no furniture but an open door leaf
                // stands in them: keep the camera out of them too, without a margin.
                let margin = if b.kind == BlockKind::Keepout { 0.0 } else { furniture_margin };
                b.r.grown(margin).contains(p)
            });
    }
    g
}

/// How far one can see from `p` along `dir` before leaving the room's floor plan.
fn clear_distance(layout: &Layout, p: Vec2, dir: Vec2) -> f32 {
    let mut t = 0.0;
    while t < 15.0 {
        if !layout.room.contains2(p + dir * t) {
            return t;
        }
        t += 0.05;
    }
    t
}

/// Points worth looking at: the middle of every placed object (furniture, things on walls
/// and tops), bigger things listed more often.
fn interest_points(layout: &Layout) -> Vec<Vec3> {
    let mut out = Vec::new();
    for p in &layout.placed {
        let size = (p.hi - p.lo).length();
        let centre = p.fp.c.extend(p.pos.z + 0.5 * (p.lo.z + p.hi.z));
        let copies = (size / 0.6).ceil().clamp(1.0, 4.0) as usize;
        out.extend(std::iter::repeat_n(centre, copies));
    }
    out
}

/// `views` cameras along a loop through the room, in the room frame (z up).
pub fn trajectory(layout: &Layout, views: usize, width: u32, height: u32, rng: &mut Rng) -> Vec<Camera> {
    let room = layout.room;
    let mut grid = free_grid(layout, 0.4, 0.3);
    if grid.free.iter().filter(|f| **f).count() < 12 {
        grid = free_grid(layout, 0.25, 0.12);
    }
    let free: Vec<usize> = (0..grid.free.len()).filter(|&k| grid.free[k]).collect();
    let mut positions: Vec<Vec2> = Vec::new();
    if free.len() >= 2 {
        // The largest connected patch of free floor.
        let mut comp = vec![usize::MAX; grid.free.len()];
        let mut best: (usize, usize) = (0, free[0]);
        for &k in &free {
            if comp[k] != usize::MAX {
                continue;
            }
            let d = grid.bfs(k);
            let members: Vec<usize> = (0..d.len()).filter(|&i| d[i] != u32::MAX).collect();
            for &m in &members {
                comp[m] = k;
            }
            if members.len() > best.0 {
                best = (members.len(), k);
            }
        }
        let cells: Vec<usize> = free.iter().copied().filter(|&k| comp[k] == best.1).collect();
        // Spread-out waypoints (farthest-point sampling), visited in angular order.
        let area = cells.len() as f32 * grid.cell * grid.cell;
        let want = ((area / 2.5) as usize).clamp(3, 9).min(cells.len());
        let mut way = vec![cells[rng.below(cells.len())]];
        while way.len() < want {
            let far = cells
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    let da = way.iter().map(|&w| grid.centre(w).distance(grid.centre(a))).fold(f32::INFINITY, f32::min);
                    let db = way.iter().map(|&w| grid.centre(w).distance(grid.centre(b))).fold(f32::INFINITY, f32::min);
                    da.total_cmp(&db).then(b.cmp(&a))
                })
                .expect("cells is not empty");
            way.push(far);
        }
        let c = way.iter().map(|&w| grid.centre(w)).sum::<Vec2>() / way.len() as f32;
        way.sort_by(|&a, &b| {
            let (pa, pb) = (grid.centre(a) - c, grid.centre(b) - c);
            pa.y.atan2(pa.x).total_cmp(&pb.y.atan2(pb.x))
        });
        let mut path: Vec<usize> = Vec::new();
        for i in 0..way.len() {
            let d = grid.bfs(way[i]);
            let seg = grid.path(&d, way[(i + 1) % way.len()]);
            path.extend_from_slice(&seg[..seg.len().saturating_sub(1)]);
        }
        let raw: Vec<Vec2> = path.iter().map(|&k| grid.centre(k)).collect();
        // Smooth the staircase of cells, keeping points that stay in free space.
        let n = raw.len();
        positions = (0..n)
            .map(|i| {
                let avg = (0..9).map(|j| raw[(i + n + j - 4) % n]).sum::<Vec2>() / 9.0;
                let cell = ((avg - grid.origin) / grid.cell).floor();
                let k = cell.y as usize * grid.nx + cell.x as usize;
                if cell.x >= 0.0 && cell.y >= 0.0 && k < grid.free.len() && grid.free[k] { avg } else { raw[i] }
            })
            .collect();
    }
    if positions.len() < 2 {
        let c = room.centre();
        positions = (0..16).map(|i| c + Vec2::from_angle(TAU * i as f32 / 16.0) * 0.2).collect();
    }
    // Resample by arc length to the number of views.
    let mut cum = vec![0.0f32];
    for i in 0..positions.len() {
        let d = positions[i].distance(positions[(i + 1) % positions.len()]);
        cum.push(cum[i] + d);
    }
    let total = cum.last().copied().unwrap_or(0.0).max(1e-3);
    let start = rng.f32() * total;
    let reverse = rng.chance(0.5);
    let fov = rng.range(60.0, 80.0);
    let eye = rng.range(1.3, 1.8).min(room.height - 0.35);
    let pitch0 = rng.range(-0.45, -0.12);
    let phase: [f32; 4] = std::array::from_fn(|_| rng.range(0.0, TAU));
    let interest = interest_points(layout);
    // Where each frame sits on the loop.
    let spots: Vec<(Vec2, f32)> = (0..views)
        .map(|i| {
            let f = i as f32 / views.max(1) as f32;
            let mut s = (start + f * total) % total;
            if reverse {
                s = total - s;
            }
            let k = cum.partition_point(|&c| c <= s).clamp(1, positions.len()) - 1;
            let a = positions[k];
            let b = positions[(k + 1) % positions.len()];
            let seg = (cum[k + 1] - cum[k]).max(1e-6);
            let p = a.lerp(b, ((s - cum[k]) / seg).clamp(0.0, 1.0));
            let d = if reverse { a - b } else { b - a };
            (p, d.y.atan2(d.x))
        })
        .collect();
    // Key frames look at something (a piece of furniture, a picture) or just ahead and
    // around; frames in between turn smoothly from one key to the next.
    let key_every = (views / 8).clamp(3, 10);
    let keys: Vec<(f32, f32)> = (0..=views.div_ceil(key_every))
        .map(|j| {
            let i = (j * key_every).min(views.saturating_sub(1));
            let (p, heading) = spots.get(i).copied().unwrap_or((room.centre(), 0.0));
            let eye = p.extend(eye);
            let near: Vec<Vec3> = interest
                .iter()
                .copied()
                .filter(|q| (q.truncate() - p).length() > 0.8 && (q.truncate() - p).length() < 7.0)
                .collect();
            if !near.is_empty() && rng.chance(0.75) {
                let q = near[rng.below(near.len())];
                let d = q - eye;
                let yaw = d.y.atan2(d.x) + rng.range(-0.25, 0.25);
                let pitch = (d.z.atan2(d.truncate().length()) + rng.range(-0.1, 0.1)).clamp(-0.8, 0.15);
                (yaw, pitch)
            } else {
                (heading + rng.range(-1.2, 1.2), pitch0 + rng.range(-0.1, 0.1))
            }
        })
        .collect();
    (0..views)
        .map(|i| {
            let (p, _) = spots[i];
            let t = i as f32 / views.max(1) as f32 * TAU;
            let (j, frac) = (i / key_every, (i % key_every) as f32 / key_every as f32);
            let (y0, p0) = keys[j.min(keys.len() - 1)];
            let (y1, p1) = keys[(j + 1).min(keys.len() - 1)];
            let w = frac * frac * (3.0 - 2.0 * frac);
            let dy = (y1 - y0 + PI).rem_euclid(TAU) - PI;
            let mut yaw = y0 + dy * w + 0.05 * (5.0 * t + phase[1]).sin();
            let pitch = p0 + (p1 - p0) * w + 0.04 * (3.0 * t + phase[2]).sin() + 0.02 * rng.normal();
            let roll = (0.03 * rng.normal()).clamp(-0.08, 0.08);
            // Never stare into a wall from up close: turn towards open space.
            let mut turns = 0;
            while clear_distance(layout, p, Vec2::from_angle(yaw)) < 1.2 && turns < 24 {
                yaw += PI / 12.0;
                turns += 1;
            }
            let z = (eye + 0.05 * (4.0 * t + phase[3]).sin()).clamp(0.5, room.height - 0.25);
            let eye_pos = p.extend(z);
            let fwd = Vec3::new(yaw.cos() * pitch.cos(), yaw.sin() * pitch.cos(), pitch.sin());
            let up = Quat::from_axis_angle(fwd, roll) * Vec3::Z;
            let mut cam = Camera::look_at(eye_pos, eye_pos + fwd, up, fov, width, height);
            cam.id = i as i64;
            cam.img_name = format!("frame_{i:05}");
            cam
        })
        .collect()
}

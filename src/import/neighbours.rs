//! k nearest neighbours of every point through a uniform hash grid: scans are surfaces, so a
//! cell of a few point spacings holds a handful of points and a 3×3×3 block of cells holds
//! the neighbours of any point but those at holes, which widen their search ring by ring.

use std::collections::HashMap;

use glam::Vec3;

/// A uniform grid over a point set.
pub struct Grid<'a> {
    points: &'a [Vec3],
    cell: f32,
    /// The points' median nearest-neighbour distance, when the grid was sized from it.
    spacing: f32,
    cells: HashMap<[i32; 3], Vec<u32>>,
}

impl<'a> Grid<'a> {
    /// A grid over `points` with cubic cells of side `cell` (positive).
    pub fn new(points: &'a [Vec3], cell: f32) -> Self {
        assert!(cell > 0.0 && cell.is_finite(), "grid cell size must be positive");
        let mut cells: HashMap<[i32; 3], Vec<u32>> = HashMap::new();
        for (i, p) in points.iter().enumerate() {
            cells.entry(Self::key_of(*p, cell)).or_default().push(i as u32);
        }
        Self { points, cell, spacing: cell, cells }
    }

    /// A grid for a scanned surface: cells of three median point spacings hold about a
    /// dozen points each (the spacing from a sample of 400 points; 0.01 for a single point).
    pub fn for_surface(points: &'a [Vec3]) -> Self {
        let spacing = median_spacing(points, 400).unwrap_or(0.01).max(1e-6);
        Self { spacing, ..Self::new(points, spacing * 3.0) }
    }

    /// The points the grid indexes.
    pub fn points(&self) -> &'a [Vec3] {
        self.points
    }

    /// The median nearest-neighbour distance ([`Grid::for_surface`]; the cell size otherwise).
    pub fn spacing(&self) -> f32 {
        self.spacing
    }

    fn key_of(p: Vec3, cell: f32) -> [i32; 3] {
        (p / cell).floor().as_ivec3().to_array()
    }

    /// The `k` nearest other points of `at` (indices, nearest first), searching at most
    /// `max_rings` rings of cells out; fewer where the scan has fewer points that close.
    pub fn nearest(&self, at: Vec3, k: usize, skip: Option<u32>, max_rings: i32) -> Vec<(f32, u32)> {
        let centre = Self::key_of(at, self.cell);
        let mut found: Vec<(f32, u32)> = Vec::new();
        for ring in 1..=max_rings {
            found.clear();
            for dx in -ring..=ring {
                for dy in -ring..=ring {
                    for dz in -ring..=ring {
                        let key = [centre[0] + dx, centre[1] + dy, centre[2] + dz];
                        for &j in self.cells.get(&key).map(Vec::as_slice).unwrap_or_default() {
                            if Some(j) != skip {
                                found.push((self.points[j as usize].distance_squared(at), j));
                            }
                        }
                    }
                }
            }
            // Points beyond `ring` cells may be nearer than ones found in a corner cell; only
            // those within ring·cell are certain to be the true nearest.
            let sure = (ring as f32 * self.cell).powi(2);
            if found.iter().filter(|(d, _)| *d <= sure).count() >= k {
                break;
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        found.truncate(k);
        found.iter_mut().for_each(|(d, _)| *d = d.sqrt());
        found
    }

    /// Whether any point lies within `radius` of `at` (`radius` at most one cell).
    pub fn any_within(&self, at: Vec3, radius: f32) -> bool {
        let rings = (radius / self.cell).ceil().max(1.0) as i32;
        let centre = Self::key_of(at, self.cell);
        for dx in -rings..=rings {
            for dy in -rings..=rings {
                for dz in -rings..=rings {
                    let key = [centre[0] + dx, centre[1] + dy, centre[2] + dz];
                    let hit = self
                        .cells
                        .get(&key)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                        .iter()
                        .any(|&j| self.points[j as usize].distance_squared(at) < radius * radius);
                    if hit {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// The median distance from a point to its nearest neighbour, over an evenly spaced sample of
/// up to `sample` points (brute force: the grid needs this number to size its cells).
pub fn median_spacing(points: &[Vec3], sample: usize) -> Option<f32> {
    if points.len() < 2 {
        return None;
    }
    let step = (points.len() / sample.max(1)).max(1);
    let mut nearest: Vec<f32> = points
        .iter()
        .step_by(step)
        .enumerate()
        .map(|(s, p)| {
            let me = s * step;
            points
                .iter()
                .enumerate()
                .filter(|(j, q)| *j != me && *q != p)
                .map(|(_, q)| q.distance_squared(*p))
                .fold(f32::INFINITY, f32::min)
                .sqrt()
        })
        .filter(|d| d.is_finite() && *d > 0.0)
        .collect();
    if nearest.is_empty() {
        return None;
    }
    let mid = nearest.len() / 2;
    Some(*nearest.select_nth_unstable_by(mid, f32::total_cmp).1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn grid_neighbours_equal_brute_force_on_random_points() {
        let mut rng = Rng::new(3);
        let pts: Vec<Vec3> =
            (0..600).map(|_| Vec3::new(rng.range(-2.0, 2.0), rng.range(-1.0, 1.0), rng.range(0.0, 0.3))).collect();
        let grid = Grid::new(&pts, 0.15);
        for i in (0..pts.len()).step_by(37) {
            let got: Vec<u32> = grid.nearest(pts[i], 6, Some(i as u32), 40).iter().map(|n| n.1).collect();
            let mut brute: Vec<(f32, u32)> = (0..pts.len() as u32)
                .filter(|&j| j != i as u32)
                .map(|j| (pts[j as usize].distance_squared(pts[i]), j))
                .collect();
            brute.sort_by(|a, b| a.0.total_cmp(&b.0));
            let want: Vec<u32> = brute[..6].iter().map(|b| b.1).collect();
            assert_eq!(got, want, "point {i}");
        }
        assert!(grid.any_within(pts[0] + Vec3::splat(0.001), 0.01));
        assert!(!grid.any_within(Vec3::new(10.0, 0.0, 0.0), 0.1));
    }

    #[test]
    fn median_spacing_of_a_regular_lattice_is_its_step() {
        let pts: Vec<Vec3> =
            (0..20).flat_map(|i| (0..20).map(move |j| Vec3::new(i as f32 * 0.05, j as f32 * 0.05, 1.0))).collect();
        let s = median_spacing(&pts, 50).expect("spacing");
        assert!((s - 0.05).abs() < 1e-5, "{s}");
        assert_eq!(median_spacing(&pts[..1], 10), None);
    }
}

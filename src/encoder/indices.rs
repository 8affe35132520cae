//! Topology-dependent index tensors of the encoder: voxel grid, per-stage 3×3×3 neighbours,
//! serialisation orders with PTv3's patch padding, pooling and unpooling maps.
//!
//! This is a line-for-line port of `training/rtgs2_train/indices.py` (read its docstring for
//! the rules); the fixture test `tests/encoder_fixture.rs` proves both give identical int64
//! tensors. Everything depends only on grid coordinates computed in f64 from the f32
//! positions, so both languages agree bit for bit.

use rayon::prelude::*;

/// Bits per voxel coordinate (PTv3's serialisation depth).
pub const BITS: u32 = 16;
/// Largest voxel coordinate on each axis; positions beyond are clamped to it.
pub const COORD_MAX: i64 = (1 << BITS) - 1;
/// Voxels per attention patch.
pub const PATCH: usize = 128;

/// PTv3's four serialisation orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SerialOrder {
    /// Z-order (Morton) of (x, y, z).
    Z,
    /// Z-order with x and y swapped.
    ZTrans,
    /// Hilbert curve of (x, y, z).
    Hilbert,
    /// Hilbert curve with x and y swapped.
    HilbertTrans,
}

impl SerialOrder {
    /// Every order, in the card's order.
    pub const ALL: [SerialOrder; 4] = [Self::Z, Self::ZTrans, Self::Hilbert, Self::HilbertTrans];

    /// The order's name in model cards and input names.
    pub fn name(self) -> &'static str {
        match self {
            Self::Z => "z",
            Self::ZTrans => "z-trans",
            Self::Hilbert => "hilbert",
            Self::HilbertTrans => "hilbert-trans",
        }
    }

    /// The order called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The order's code of voxel coordinates `[x, y, z]` (sort key).
    pub fn code(self, [x, y, z]: [i64; 3]) -> i64 {
        match self {
            Self::Z => morton(x, y, z),
            Self::ZTrans => morton(y, x, z),
            Self::Hilbert => hilbert(x, y, z),
            Self::HilbertTrans => hilbert(y, x, z),
        }
    }
}

/// One stage's patch table for one order: `[patches, patch_len]` row-major, and the inverse.
#[derive(Debug, Clone, PartialEq)]
pub struct Patches {
    /// Which serialisation order the table follows.
    pub order: SerialOrder,
    /// Number of patches.
    pub patches: usize,
    /// Voxels per patch (V itself when there is one patch).
    pub patch_len: usize,
    /// Voxel index at each patch position (`[patches, patch_len]`, padding repeats earlier entries).
    pub table: Vec<i64>,
    /// `[V]`: each voxel's position in the unpadded order.
    pub inverse: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
/// One encoder stage's voxels and their index tables.
pub struct Stage {
    /// Voxel grid coordinates, sorted by `coord_key`.
    pub coords: Vec<[i64; 3]>,
    /// `[V, 27]` row-major; a missing neighbour is `V`.
    pub neighbours: Vec<i64>,
    /// Patch tables for the orders the model reads at this stage.
    pub patches: Vec<Patches>,
}

/// Pooling from stage s to s+1.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooling {
    /// `[V_{s+1}, 8]` children of each parent, ascending, padded with the first child.
    pub children: Vec<i64>,
    /// `[V_s]` parent of each child.
    pub parent: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
/// Every index table the encoder graph takes for one scene (or chunk).
pub struct SceneIndices {
    /// `[G]`: each Gaussian's stage-0 voxel.
    pub gauss_voxel: Vec<i64>,
    /// Per stage, finest first.
    pub stages: Vec<Stage>,
    /// Pooling between consecutive stages (`stages - 1` entries).
    pub pools: Vec<Pooling>,
}

impl SceneIndices {
    /// Compute everything for `positions` at `grid`, with patch tables only for `wanted`
    /// (stage, order) pairs (those the model reads).
    pub fn build(positions: &[[f32; 3]], grid: f64, stages: usize, wanted: &[(usize, SerialOrder)]) -> Self {
        let origin = grid_origin(positions);
        let coords0 = voxel_coords(positions, origin, grid);
        let (coords, gauss_voxel) = unique_coords(&coords0);
        let mut stage_coords = vec![coords];
        let mut pools = Vec::new();
        for s in 0..stages.saturating_sub(1) {
            let halved: Vec<[i64; 3]> = stage_coords[s].iter().map(|c| [c[0] >> 1, c[1] >> 1, c[2] >> 1]).collect();
            let (parents, parent) = unique_coords(&halved);
            pools.push(Pooling { children: pool_table(&parent, parents.len()), parent });
            stage_coords.push(parents);
        }
        let stages = stage_coords
            .into_iter()
            .enumerate()
            .map(|(s, coords)| {
                let neighbours = neighbour_table(&coords);
                let patches = SerialOrder::ALL
                    .into_iter()
                    .filter(|o| wanted.contains(&(s, *o)))
                    .map(|order| patches_for(&coords, order))
                    .collect();
                Stage { coords, neighbours, patches }
            })
            .collect();
        Self { gauss_voxel, stages, pools }
    }
}

/// Per-axis minimum of the positions, in f64 (exact for f32 inputs).
pub fn grid_origin(positions: &[[f32; 3]]) -> [f64; 3] {
    let mut o = [f64::INFINITY; 3];
    for p in positions {
        for k in 0..3 {
            o[k] = o[k].min(p[k] as f64);
        }
    }
    o
}

/// Integer voxel coordinates of each position: `floor((p - origin) / grid)` clamped to 0..=[`COORD_MAX`].
pub fn voxel_coords(positions: &[[f32; 3]], origin: [f64; 3], grid: f64) -> Vec<[i64; 3]> {
    positions
        .par_iter()
        .map(|p| {
            std::array::from_fn(|k| (((p[k] as f64 - origin[k]) / grid).floor()).clamp(0.0, COORD_MAX as f64) as i64)
        })
        .collect()
}

/// A coordinate packed into one i64 (x, y, z in 16-bit fields); sorts like the coordinates.
pub fn coord_key(c: [i64; 3]) -> i64 {
    (c[0] << 32) | (c[1] << 16) | c[2]
}

fn key_coord(k: i64) -> [i64; 3] {
    [k >> 32, (k >> 16) & COORD_MAX, k & COORD_MAX]
}

/// Unique coordinates sorted by key, and each input's index into them (numpy's
/// `unique(return_inverse=True)`).
pub fn unique_coords(coords: &[[i64; 3]]) -> (Vec<[i64; 3]>, Vec<i64>) {
    let keys: Vec<i64> = coords.par_iter().map(|&c| coord_key(c)).collect();
    let mut sorted = keys.clone();
    sorted.par_sort_unstable();
    sorted.dedup();
    let inverse =
        keys.par_iter().map(|k| sorted.binary_search(k).expect("every key is in the sorted set") as i64).collect();
    (sorted.into_iter().map(key_coord).collect(), inverse)
}

/// `[V, 27]` row-major: index of each voxel's 26 neighbours and itself (dx, dy, dz each
/// -1..=1, z fastest); a missing neighbour is V.
pub fn neighbour_table(coords: &[[i64; 3]]) -> Vec<i64> {
    let keys: Vec<i64> = coords.iter().map(|&c| coord_key(c)).collect();
    let missing = coords.len() as i64;
    let mut table = vec![missing; coords.len() * 27];
    table.par_chunks_mut(27).zip(coords.par_iter()).for_each(|(row, c)| {
        let mut k = 0;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    let n = [c[0] + dx, c[1] + dy, c[2] + dz];
                    if n.iter().all(|&v| (0..=COORD_MAX).contains(&v))
                        && let Ok(pos) = keys.binary_search(&coord_key(n))
                    {
                        row[k] = pos as i64;
                    }
                    k += 1;
                }
            }
        }
    });
    table
}

/// Bit i of `v` moves to bit 3i.
fn spread_bits(v: i64) -> i64 {
    (0..BITS).fold(0, |out, i| out | (((v >> i) & 1) << (3 * i)))
}

/// Morton code: bit i of a, b, c goes to bits 3i+2, 3i+1, 3i.
pub fn morton(a: i64, b: i64, c: i64) -> i64 {
    (spread_bits(a) << 2) | (spread_bits(b) << 1) | spread_bits(c)
}

/// Skilling's axes-to-transpose Hilbert encoding, then the transposed bits interleaved.
pub fn hilbert(a: i64, b: i64, c: i64) -> i64 {
    let mut x = [a, b, c];
    let mut q: i64 = 1 << (BITS - 1);
    while q > 1 {
        let p = q - 1;
        for i in 0..3 {
            if x[i] & q != 0 {
                x[0] ^= p;
            } else {
                let t = (x[0] ^ x[i]) & p;
                x[0] ^= t;
                x[i] ^= t;
            }
        }
        q >>= 1;
    }
    for i in 1..3 {
        x[i] ^= x[i - 1];
    }
    let mut t = 0;
    let mut q: i64 = 1 << (BITS - 1);
    while q > 1 {
        if x[2] & q != 0 {
            t ^= q - 1;
        }
        q >>= 1;
    }
    for v in &mut x {
        *v ^= t;
    }
    let mut h = 0;
    for bit in (0..BITS).rev() {
        for v in x {
            h = (h << 1) | ((v >> bit) & 1);
        }
    }
    h
}

/// The patch table of `coords` serialised in `order`.
pub fn patches_for(coords: &[[i64; 3]], order: SerialOrder) -> Patches {
    let mut perm: Vec<(i64, i64)> = coords.par_iter().enumerate().map(|(i, &c)| (order.code(c), i as i64)).collect();
    // Codes are unique per voxel, so an unstable sort is deterministic.
    perm.par_sort_unstable();
    let perm: Vec<i64> = perm.into_iter().map(|(_, i)| i).collect();
    let (table, patches, patch_len) = pad_patches(&perm, PATCH);
    let mut inverse = vec![0i64; perm.len()];
    for (pos, &v) in perm.iter().enumerate() {
        inverse[v as usize] = pos as i64;
    }
    Patches { order, patches, patch_len, table, inverse }
}

/// PTv3's rule: one patch of V when V ≤ K, else ⌈V/K⌉ patches of K whose padding repeats the
/// entry K places earlier.
pub fn pad_patches(perm: &[i64], k: usize) -> (Vec<i64>, usize, usize) {
    let v = perm.len();
    if v <= k {
        return (perm.to_vec(), 1, v);
    }
    let p = v.div_ceil(k);
    let mut flat = perm.to_vec();
    for j in v..p * k {
        flat.push(flat[j - k]);
    }
    (flat, p, k)
}

/// `[parents, 8]` row-major children of each parent, ascending, padded with the first child
/// (from each child's `parent`).
pub fn pool_table(parent: &[i64], parents: usize) -> Vec<i64> {
    let mut counts = vec![0usize; parents];
    for &p in parent {
        counts[p as usize] += 1;
    }
    debug_assert!(counts.iter().all(|&c| (1..=8).contains(&c)), "a 2x2x2 cell has 1 to 8 children");
    let mut table = vec![-1i64; parents * 8];
    let mut filled = vec![0usize; parents];
    for (child, &p) in parent.iter().enumerate() {
        let p = p as usize;
        table[p * 8 + filled[p]] = child as i64;
        filled[p] += 1;
    }
    for row in table.chunks_mut(8) {
        let first = row[0];
        for v in row.iter_mut().filter(|v| **v < 0) {
            *v = first;
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hilbert_walks_a_cube_in_unit_steps() {
        let mut cells: Vec<(i64, [i64; 3])> = Vec::new();
        for x in 0..8 {
            for y in 0..8 {
                for z in 0..8 {
                    cells.push((hilbert(x, y, z), [x, y, z]));
                }
            }
        }
        cells.sort();
        cells.windows(2).for_each(|w| {
            assert_ne!(w[0].0, w[1].0, "codes are unique");
            let step: i64 = (0..3).map(|k| (w[0].1[k] - w[1].1[k]).abs()).sum();
            assert_eq!(step, 1, "consecutive Hilbert cells are face neighbours");
        });
    }

    #[test]
    fn morton_interleaves_x_highest() {
        assert_eq!(morton(1, 0, 0), 4);
        assert_eq!(morton(0, 1, 0), 2);
        assert_eq!(morton(0, 0, 1), 1);
        assert_eq!(morton(3, 0, 0), 4 | 32);
    }

    #[test]
    fn padding_repeats_the_previous_patch() {
        let perm: Vec<i64> = (0..300).rev().collect();
        let (flat, p, k) = pad_patches(&perm, 128);
        assert_eq!((p, k, flat.len()), (3, 128, 384));
        assert_eq!(&flat[..300], &perm[..]);
        assert!((300..384).all(|j| flat[j] == flat[j - 128]));
        let (flat, p, k) = pad_patches(&perm[..50], 128);
        assert_eq!((p, k, flat.len()), (1, 50, 50));
    }

    #[test]
    fn pool_table_pads_with_the_first_child() {
        let parent = [1, 0, 1, 1, 0];
        assert_eq!(pool_table(&parent, 2), vec![1, 4, 1, 1, 1, 1, 1, 1, 0, 2, 3, 0, 0, 0, 0, 0]);
    }
}

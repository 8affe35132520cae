"""Topology-dependent index tensors for the PTv3-lite encoder (numpy only).

This file is the contract: `src/encoder/indices.rs` implements exactly the same rules and the
fixture test proves both produce identical int64 tensors. Everything here depends only on the
voxel grid coordinates, which both sides compute in float64 from the float32 positions, so the
results are bit-identical.

Rules (per stage s = 0..STAGES-1, stage 0 at grid g0, each later stage halves the resolution):
- voxel coords: floor((p - min(p)) / g0) in float64, clipped to [0, 2^16 - 1]; voxels are the
  unique coords sorted by key (x << 32 | y << 16 | z); `gauss_voxel[i]` is Gaussian i's voxel.
- stage s+1 coords = stage s coords >> 1 (the cell that PTv3's `code >> 3` pooling forms),
  unique and sorted the same way; `unpool[s][v]` = parent of stage-s voxel v; `pool[s]` is
  [V_{s+1}, 8]: the children in ascending order, padded by repeating the first child (a
  duplicate can never change a max).
- neighbours: [V_s, 27], offset index (dx+1)*9 + (dy+1)*3 + (dz+1); a missing neighbour is V_s
  (the graph appends a zero row).
- serialisation orders: argsort of the code, codes unique per voxel: "z" = Morton(x, y, z),
  "z-trans" = Morton(y, x, z), "hilbert" = Hilbert(x, y, z), "hilbert-trans" = Hilbert(y, x, z),
  16 bits per axis.
- patches (PTv3's padding rule): with V voxels and patch size K, if V <= K one patch of V;
  otherwise ceil(V/K) patches of K where the padding slots repeat the entry K places earlier
  (from the previous patch). `unpatch[v]` = v's position in the flattened patch table.
"""

from __future__ import annotations

import numpy as np

BITS = 16
COORD_MAX = (1 << BITS) - 1
ORDERS = ("z", "z-trans", "hilbert", "hilbert-trans")
STAGES = 4
PATCH = 128


def voxel_coords(positions: np.ndarray, grid: float) -> np.ndarray:
    """[N, 3] float32 positions -> [N, 3] int64 grid coordinates (the shared float64 rule)."""
    p = positions.astype(np.float64)
    origin = p.min(axis=0)
    c = np.floor((p - origin) / grid)
    return np.clip(c, 0, COORD_MAX).astype(np.int64)


def coord_keys(coords: np.ndarray) -> np.ndarray:
    return (coords[:, 0] << 32) | (coords[:, 1] << 16) | coords[:, 2]


def unique_coords(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique coords sorted by key, and each input row's index into them."""
    keys, inverse = np.unique(coord_keys(coords), return_inverse=True)
    uniq = np.stack([keys >> 32, (keys >> 16) & COORD_MAX, keys & COORD_MAX], axis=1)
    return uniq.astype(np.int64), inverse.reshape(-1).astype(np.int64)


def neighbour_table(coords: np.ndarray) -> np.ndarray:
    keys = coord_keys(coords)  # sorted ascending by construction
    n = len(keys)
    table = np.full((n, 27), n, dtype=np.int64)
    k = 0
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dz in (-1, 0, 1):
                c = coords + np.array([dx, dy, dz], dtype=np.int64)
                inside = np.all((c >= 0) & (c <= COORD_MAX), axis=1)
                nk = coord_keys(np.where(inside[:, None], c, 0))
                pos = np.minimum(np.searchsorted(keys, nk), n - 1)
                found = inside & (keys[pos] == nk)
                table[found, k] = pos[found]
                k += 1
    return table


def _spread_bits(v: np.ndarray) -> np.ndarray:
    """Bit i of v moves to bit 3i."""
    out = np.zeros_like(v)
    for i in range(BITS):
        out |= ((v >> i) & 1) << (3 * i)
    return out


def morton(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return (_spread_bits(a) << 2) | (_spread_bits(b) << 1) | _spread_bits(c)


def hilbert(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Skilling's axes-to-transpose Hilbert encoding, then the transposed bits interleaved."""
    x = [a.copy(), b.copy(), c.copy()]
    q = 1 << (BITS - 1)
    while q > 1:
        p = q - 1
        for i in range(3):
            has = (x[i] & q) != 0
            t = (x[0] ^ x[i]) & p
            x0 = np.where(has, x[0] ^ p, x[0] ^ t)
            xi = np.where(has, x[i], x[i] ^ t)
            x[0] = x0
            if i != 0:
                x[i] = xi
        q >>= 1
    for i in range(1, 3):
        x[i] ^= x[i - 1]
    t = np.zeros_like(x[0])
    q = 1 << (BITS - 1)
    while q > 1:
        t = np.where((x[2] & q) != 0, t ^ (q - 1), t)
        q >>= 1
    for i in range(3):
        x[i] ^= t
    h = np.zeros_like(x[0])
    for bit in range(BITS - 1, -1, -1):
        for i in range(3):
            h = (h << 1) | ((x[i] >> bit) & 1)
    return h


def serial_code(coords: np.ndarray, order: str) -> np.ndarray:
    x, y, z = coords[:, 0], coords[:, 1], coords[:, 2]
    if order == "z":
        return morton(x, y, z)
    if order == "z-trans":
        return morton(y, x, z)
    if order == "hilbert":
        return hilbert(x, y, z)
    if order == "hilbert-trans":
        return hilbert(y, x, z)
    raise ValueError(f"unknown serialisation order {order!r}")


def patches(order: np.ndarray, k: int = PATCH) -> tuple[np.ndarray, np.ndarray]:
    """Permutation -> ([P, K'] patch table, [V] inverse positions) by PTv3's padding rule."""
    v = len(order)
    if v <= k:
        table = order.reshape(1, v).astype(np.int64)
    else:
        p = -(-v // k)
        flat = np.empty(p * k, dtype=np.int64)
        flat[:v] = order
        for j in range(v, p * k):
            flat[j] = flat[j - k]
        table = flat.reshape(p, k)
    inverse = np.empty(v, dtype=np.int64)
    inverse[order] = np.arange(v, dtype=np.int64)
    return table, inverse


def pool_table(parent: np.ndarray, parents: int) -> np.ndarray:
    """[V_{s+1}, 8] children per parent, ascending, padded by repeating the first child."""
    children = np.argsort(parent, kind="stable")
    counts = np.bincount(parent, minlength=parents)
    if counts.max(initial=0) > 8:
        raise ValueError("a pooled cell has more than 8 children")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    table = np.empty((parents, 8), dtype=np.int64)
    for j in range(8):
        idx = starts + np.where(j < counts, j, 0)
        table[:, j] = children[idx]
    return table


def build(positions: np.ndarray, grid: float, wanted_patches: list[tuple[int, str]] | None = None) -> dict:
    """All index tensors for one scene. `wanted_patches` limits the (stage, order) patch tables
    to those the model uses (None = all)."""
    coords0 = voxel_coords(positions, grid)
    coords, gauss_voxel = unique_coords(coords0)
    out = {"gauss_voxel": gauss_voxel}
    stage_coords = [coords]
    for s in range(STAGES - 1):
        parent_coords, parent = unique_coords(stage_coords[s] >> 1)
        out[f"unpool_s{s}"] = parent
        out[f"pool_s{s}"] = pool_table(parent, len(parent_coords))
        stage_coords.append(parent_coords)
    for s, c in enumerate(stage_coords):
        out[f"nbr_s{s}"] = neighbour_table(c)
        for name in ORDERS:
            if wanted_patches is not None and (s, name) not in wanted_patches:
                continue
            perm = np.argsort(serial_code(c, name), kind="stable").astype(np.int64)
            table, inverse = patches(perm)
            out[f"patch_s{s}_{name}"] = table
            out[f"unpatch_s{s}_{name}"] = inverse
    out["_coords"] = stage_coords
    return out


def patch_input_name(stage: int, order: str) -> str:
    return f"patch_s{stage}_{order}"

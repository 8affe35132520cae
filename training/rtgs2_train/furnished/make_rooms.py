"""Furnished rooms as labelled point clouds for `rtgs2 import`.

    python -m rtgs2_train.furnished.make_rooms CATALOGUE... --out DIR --split train|heldout \
        --seed S --count N

CATALOGUE: Sweet Home 3D `.sh3f` files and/or `sweethome3d.jar` (its default catalogue).
Each room is `<out>/<kind>_<seed>_vert.npy` (N × [x y z r g b], metres, z up, colour 0-255)
and `<kind>_<seed>_sem_label.npy` (NYU40 ids), ScanNet's layout, plus `<kind>_<seed>.json`
naming every model it holds and who made it (the credit the CC-BY models ask for).

The models are split once, by a hash of their catalogue id: about a quarter are `heldout` and
never appear in a `train` room, so rooms of held-out models check generalisation to furniture
no network saw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

from .catalogue import Item, read_catalogues
from .labels import nyu40_for
from .layout import Catalogue, Room, plan_room
from .mesh import Mesh, load_mesh
from .sampling import fit_to_item, sample_mesh, sample_rectangle, surface_pattern, yaw_matrix

WALL, FLOOR, CEILING = 1, 2, 22
PAINTS = np.array([[0.92, 0.91, 0.88], [0.95, 0.95, 0.95], [0.85, 0.82, 0.74], [0.78, 0.83, 0.86],
                   [0.86, 0.8, 0.7], [0.7, 0.76, 0.7], [0.9, 0.86, 0.8], [0.6, 0.62, 0.64]])
FLOORS = {"planks": [[0.55, 0.4, 0.27], [0.7, 0.55, 0.38], [0.4, 0.28, 0.2], [0.76, 0.66, 0.5]],
          "tiles": [[0.8, 0.8, 0.78], [0.55, 0.55, 0.55], [0.75, 0.68, 0.58], [0.3, 0.3, 0.32]],
          "carpet": [[0.45, 0.45, 0.5], [0.6, 0.55, 0.5], [0.35, 0.4, 0.5], [0.55, 0.3, 0.3]],
          "plain": [[0.6, 0.6, 0.6], [0.7, 0.65, 0.6]]}


def is_heldout(item: Item) -> bool:
    return hashlib.sha1(item.key.encode()).digest()[0] < 64


def split_items(items: list[Item], split: str) -> list[tuple[Item, int]]:
    out = []
    for it in items:
        label = nyu40_for(it.name, float(it.size_m.max()))
        if label is not None and is_heldout(it) == (split == "heldout"):
            out.append((it, label))
    return out


class MeshCache:
    def __init__(self):
        self.meshes: dict[str, Mesh | None] = {}

    def get(self, item: Item) -> Mesh | None:
        if item.key not in self.meshes:
            try:
                self.meshes[item.key] = load_mesh(item.archive, item.model)
            except (KeyError, ValueError, IndexError) as e:
                print(f"skipping {item.key} ({item.model}): {e}", file=sys.stderr)
                self.meshes[item.key] = None
        return self.meshes[item.key]


def _shell(room: Room, density: float, rng: np.random.Generator):
    """Walls (with door and window openings cut out), floor and maybe a ceiling."""
    W, D, H = room.width, room.depth, room.height
    pos, col, lab, nrm = [], [], [], []
    paint = PAINTS[rng.integers(len(PAINTS))] * rng.uniform(0.9, 1.05, 3)
    # Scans often stop short of the ceiling: walls end somewhere between 1.9 m and the top.
    wall_top = H if room.ceiling or rng.random() < 0.5 else float(rng.uniform(1.9, H))
    corners = [np.array(c, dtype=float) for c in ([0, 0], [W, 0], [W, D], [0, D])]
    for wall in range(4):
        a, b = corners[wall], corners[(wall + 1) % 4]
        p = sample_rectangle(np.array([*a, 0.0]), np.array([*(b - a), 0.0]), np.array([0.0, 0.0, wall_top]), density, rng)
        t = np.linalg.norm(p[:, :2] - a, axis=1)
        keep = np.ones(len(p), dtype=bool)
        for w_, t0, t1, z0, z1 in room.openings:
            if w_ == wall:
                keep &= ~((t > t0) & (t < t1) & (p[:, 2] > z0) & (p[:, 2] < z1))
        p, t = p[keep], t[keep]
        tint = paint if rng.random() < 0.85 else PAINTS[rng.integers(len(PAINTS))]
        pos.append(p)
        col.append(surface_pattern("paint", np.stack([t, p[:, 2]], 1), tint, rng))
        lab.append(np.full(len(p), WALL))
        edge = b - a
        nrm.append(np.tile([-edge[1], edge[0], 0.0] / np.linalg.norm(edge), (len(p), 1)))
    kind = str(rng.choice(sorted(FLOORS)))
    base = np.array(FLOORS[kind][rng.integers(len(FLOORS[kind]))]) * rng.uniform(0.9, 1.1, 3)
    p = sample_rectangle(np.zeros(3), np.array([W, 0, 0.0]), np.array([0, D, 0.0]), density, rng)
    pos.append(p), col.append(surface_pattern(kind, p[:, :2], base, rng)), lab.append(np.full(len(p), FLOOR))
    nrm.append(np.tile([0, 0, 1.0], (len(p), 1)))
    if room.ceiling:
        p = sample_rectangle(np.array([0, 0, H]), np.array([W, 0, 0.0]), np.array([0, D, 0.0]), density, rng)
        pos.append(p), col.append(surface_pattern("paint", p[:, :2], paint * 0.97, rng))
        lab.append(np.full(len(p), CEILING)), nrm.append(np.tile([0, 0, -1.0], (len(p), 1)))
    return pos, col, lab, nrm


def build_room(cat: Catalogue, meshes: MeshCache, seed: int, kind: str | None = None):
    """Points, colours (0..1), labels of one room, and its plan."""
    rng = np.random.default_rng(seed)
    room = plan_room(cat, rng, kind)
    density = float(rng.uniform(2500, 5000))
    pos, col, lab, nrm = _shell(room, density, rng)
    for pl in room.placements:
        mesh = meshes.get(pl.item)
        if mesh is None:
            continue
        tri = fit_to_item(mesh, pl.item) @ yaw_matrix(pl.yaw).T + np.array([pl.centre[0], pl.centre[1], pl.z])
        p, c, n = sample_mesh(tri, mesh, density, rng)
        pos.append(p), col.append(c), lab.append(np.full(len(p), pl.label)), nrm.append(n)
    pos, col, lab, nrm = (np.concatenate(x) for x in (pos, col, lab, nrm))
    # Light: soft sky from above plus a random lamp direction; normals' sign is unknown for
    # models (their windings vary), so the shading uses |n·l|.
    light = np.array([*rng.normal(0, 0.5, 2), 1.0])
    light /= np.linalg.norm(light)
    col = col * (0.55 + 0.45 * np.abs(nrm @ light))[:, None]
    # Exposure and white balance of the camera that scanned it, and sensor noise.
    col = col * rng.uniform(0.75, 1.25) * rng.uniform(0.9, 1.1, 3) + rng.normal(0, 0.015, col.shape)
    # Holes where the scan missed (spheres of 0.2-0.6 m) and a little position noise.
    keep = np.ones(len(pos), dtype=bool)
    for _ in range(int(rng.integers(0, 7))):
        centre = pos[rng.integers(len(pos))]
        keep &= np.linalg.norm(pos - centre, axis=1) > rng.uniform(0.2, 0.6)
    pos, col, lab = pos[keep], col[keep], lab[keep]
    pos = pos + rng.normal(0, rng.uniform(0.001, 0.006), pos.shape)
    # As ScanNet's preprocessed scans: a random subset of the vertices, 50k-250k here.
    target = int(math.exp(rng.uniform(math.log(50_000), math.log(250_000))))
    if len(pos) > target:
        pick = rng.choice(len(pos), size=target, replace=False)
        pos, col, lab = pos[pick], col[pick], lab[pick]
    return pos, np.clip(col, 0, 1), lab, room


def write_room(out: Path, name: str, pos, col, lab, room: Room) -> None:
    vert = np.concatenate([pos, col * 255.0], axis=1).astype(np.float32)
    for suffix, arr in (("_vert.npy", vert), ("_sem_label.npy", lab.astype(np.int32))):
        tmp = out / f".{name}{suffix}.tmp-{os.getpid()}"
        with open(tmp, "wb") as f:
            np.save(f, arr)
        os.replace(tmp, out / f"{name}{suffix}")
    meta = {
        "kind": room.kind,
        "size_m": [room.width, room.depth, room.height],
        "ceiling": room.ceiling,
        "points": int(len(pos)),
        "models": [{"key": p.item.key, "name": p.item.name, "label": p.label, "creator": p.item.creator,
                    "catalogue": p.item.catalogue} for p in room.placements],
    }
    (out / f"{name}.json").write_text(json.dumps(meta, indent=1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("catalogues", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--split", choices=["train", "heldout"], required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=1)
    args = ap.parse_args(argv)
    items = read_catalogues(args.catalogues)
    cat = Catalogue(split_items(items, args.split))
    meshes = MeshCache()
    args.out.mkdir(parents=True, exist_ok=True)
    for k in range(args.count):
        seed = args.seed + k
        pos, col, lab, room = build_room(cat, meshes, seed)
        name = f"{room.kind}_{seed}"
        write_room(args.out, name, pos, col, lab, room)
        classes = np.unique(lab)
        print(f"[{k + 1}/{args.count}] {name}: {len(pos)} points, {len(room.placements)} models, "
              f"classes {classes.tolist()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

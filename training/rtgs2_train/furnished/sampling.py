"""Coloured points on surfaces: catalogue models fitted to their real size and placed in a
room, and the room's own walls, floor and ceiling."""

from __future__ import annotations

import numpy as np

from .catalogue import Item
from .mesh import Mesh

# Glass shows neither its diffuse colour nor what is behind it in a scan: a pale grey-blue.
GLASS = np.array([0.78, 0.84, 0.9])
# SH3D models: x right, y up, z towards the viewer (the model's front). Rooms here: z up, and
# a model's front faces -y. A proper rotation (no mirror): room = (x, -z, y).
SH3D_TO_ROOM = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def fit_to_item(mesh: Mesh, item: Item) -> np.ndarray:
    """The mesh's triangles (T × 3 × 3) in metres in the item's frame: the catalogue's
    rotation applied, stretched to its width × depth × height, centred on x and y, standing
    on z = 0, front towards -y."""
    rot = np.asarray(item.rotation, dtype=np.float64).reshape(3, 3)
    v = mesh.triangles.reshape(-1, 3) @ rot.T
    lo, hi = v.min(axis=0), v.max(axis=0)
    extent = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    target = np.array([item.width, item.height, item.depth]) / 100.0
    v = (v - lo) / extent * target - np.array([target[0] / 2, 0.0, target[2] / 2])
    return (v @ SH3D_TO_ROOM.T).reshape(-1, 3, 3)


def yaw_matrix(yaw: float) -> np.ndarray:
    c, s = np.cos(yaw), np.sin(yaw)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def triangle_areas_normals(tri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    norm = np.linalg.norm(cross, axis=1)
    return norm / 2, cross / np.maximum(norm, 1e-12)[:, None]


def sample_mesh(
    tri: np.ndarray, mesh: Mesh, density: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """About `density` points a square metre on the triangles `tri` (the mesh's, placed):
    positions, colours 0..1 and unit normals."""
    areas, normals = triangle_areas_normals(tri)
    total = areas.sum()
    n = int(rng.poisson(total * density)) if total > 0 else 0
    if n == 0:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3))
    pick = rng.choice(len(tri), size=n, p=areas / total)
    r1, r2 = rng.random(n), rng.random(n)
    s = np.sqrt(r1)
    w = np.stack([1 - s, s * (1 - r2), s * r2], axis=1)
    pos = np.einsum("nk,nkd->nd", w, tri[pick])
    uv = np.einsum("nk,nkd->nd", w, mesh.uvs[pick])
    colour = np.empty((n, 3))
    mat_of = mesh.material[pick]
    keep = np.ones(n, dtype=bool)
    for m in np.unique(mat_of):
        sel = mat_of == m
        mat = mesh.materials[m]
        if mat.texture is not None:
            h, wd = mat.texture.shape[:2]
            u = np.mod(uv[sel, 0], 1.0)
            v = np.mod(uv[sel, 1], 1.0)
            colour[sel] = mat.texture[((1 - v) * (h - 1)).astype(int), (u * (wd - 1)).astype(int)]
        else:
            colour[sel] = mat.diffuse
        if mat.opacity < 0.5:
            colour[sel] = 0.4 * colour[sel] + 0.6 * GLASS
            # A scanner sees through most of a pane.
            keep[sel] = rng.random(sel.sum()) < 0.35
    return pos[keep], colour[keep], normals[pick][keep]


def sample_rectangle(
    origin: np.ndarray, edge_u: np.ndarray, edge_v: np.ndarray, density: float, rng: np.random.Generator
) -> np.ndarray:
    """Uniform points on the parallelogram origin + a·edge_u + b·edge_v, a, b in [0, 1)."""
    area = np.linalg.norm(np.cross(edge_u, edge_v))
    n = int(rng.poisson(area * density))
    ab = rng.random((n, 2))
    return origin + ab[:, :1] * edge_u + ab[:, 1:] * edge_v


def surface_pattern(kind: str, uv: np.ndarray, base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Colours for a room surface at metre coordinates `uv` (n × 2): plain paint with a soft
    stain, wooden planks, square tiles, or carpet speckle, around the colour `base`."""
    n = len(uv)
    phase = rng.random(4) * 6.28
    soft = 0.04 * np.sin(uv[:, 0] * 1.3 + phase[0]) * np.sin(uv[:, 1] * 0.9 + phase[1])
    if kind == "planks":
        width = rng.uniform(0.1, 0.25)
        plank = np.floor(uv[:, 0] / width)
        shade = 0.12 * np.sin(plank * 12.9898 + phase[2]) + 0.05 * np.sin(uv[:, 1] * 25 + plank)
        grain = np.where(np.mod(uv[:, 0], width) < 0.006, -0.25, 0.0)
        f = 1 + shade + grain + soft
    elif kind == "tiles":
        size = rng.uniform(0.2, 0.6)
        grout = (np.mod(uv[:, 0], size) < 0.008) | (np.mod(uv[:, 1], size) < 0.008)
        f = np.where(grout, 0.7, 1.0) + soft
    elif kind == "carpet":
        f = 1 + 0.08 * rng.standard_normal(n) + soft
    else:
        f = 1 + soft + 0.01 * rng.standard_normal(n)
    return np.clip(base[None, :] * f[:, None], 0, 1)

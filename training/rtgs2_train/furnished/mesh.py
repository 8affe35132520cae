"""OBJ models with their MTL materials and textures, read from a catalogue's zip archive into
triangles, UVs and per-triangle materials. Texture images are decoded with Pillow (optional:
without it, textured materials keep their diffuse colour)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

import numpy as np

# Textures are shrunk to at most this many pixels a side: points sample them at about 1 cm.
TEXTURE_MAX_SIDE = 256


@dataclass
class Material:
    diffuse: np.ndarray = field(default_factory=lambda: np.array([0.7, 0.7, 0.7]))
    opacity: float = 1.0
    texture: np.ndarray | None = None  # H × W × 3 float in 0..1


@dataclass
class Mesh:
    triangles: np.ndarray  # T × 3 × 3 float, the OBJ's own coordinates
    uvs: np.ndarray  # T × 3 × 2 float (zeros where the OBJ gives none)
    material: np.ndarray  # T material indices into `materials`
    materials: list[Material]


def _decode_texture(data: bytes) -> np.ndarray | None:
    try:
        from PIL import Image
    except ImportError:
        return None
    try:
        img = Image.open(io.BytesIO(data)).convert("RGB")
    except Exception:  # noqa: BLE001 - an unreadable texture falls back to the diffuse colour
        return None
    img.thumbnail((TEXTURE_MAX_SIDE, TEXTURE_MAX_SIDE))
    return np.asarray(img, dtype=np.float32) / 255.0


def _read_member(z: zipfile.ZipFile, base: str, name: str) -> bytes | None:
    path = posixpath.normpath(posixpath.join(base, name.replace("\\", "/")))
    try:
        return z.read(path)
    except KeyError:
        return None


def parse_mtl(text: str, z: zipfile.ZipFile | None, base: str) -> dict[str, Material]:
    out: dict[str, Material] = {}
    current: Material | None = None
    for line in text.splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        key = parts[0]
        if key == "newmtl":
            current = out.setdefault(" ".join(parts[1:]), Material())
        elif current is None:
            continue
        elif key == "Kd" and len(parts) >= 4:
            current.diffuse = np.clip(np.array([float(v) for v in parts[1:4]]), 0, 1)
        elif key == "d" and len(parts) >= 2:
            current.opacity = float(parts[1])
        elif key == "Tr" and len(parts) >= 2:
            current.opacity = 1.0 - float(parts[1])
        elif key == "map_Kd" and len(parts) >= 2 and z is not None:
            data = _read_member(z, base, parts[-1])
            if data is not None:
                current.texture = _decode_texture(data)
    return out


def parse_obj(text: str, z: zipfile.ZipFile | None = None, base: str = "") -> Mesh:
    """Triangles of every face (polygons fanned), with UVs and materials."""
    positions: list[list[float]] = []
    texcoords: list[list[float]] = []
    materials: dict[str, Material] = {}
    order: list[Material] = [Material()]
    index_of: dict[int, int] = {}
    current = 0
    tri_v: list[tuple[int, int, int]] = []
    tri_t: list[tuple[int, int, int]] = []
    tri_m: list[int] = []
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        parts = line.split()
        if not parts:
            continue
        key = parts[0]
        if key == "v":
            positions.append([float(v) for v in parts[1:4]])
        elif key == "vt":
            texcoords.append([float(v) for v in parts[1:3]] if len(parts) >= 3 else [0.0, 0.0])
        elif key == "f":
            vs, ts = [], []
            for token in parts[1:]:
                fields = token.split("/")
                vi = int(fields[0])
                vs.append(vi - 1 if vi > 0 else len(positions) + vi)
                if len(fields) > 1 and fields[1]:
                    ti = int(fields[1])
                    ts.append(ti - 1 if ti > 0 else len(texcoords) + ti)
                else:
                    ts.append(-1)
            for k in range(1, len(vs) - 1):
                tri_v.append((vs[0], vs[k], vs[k + 1]))
                tri_t.append((ts[0], ts[k], ts[k + 1]))
                tri_m.append(current)
        elif key == "mtllib" and z is not None:
            for name in parts[1:]:
                data = _read_member(z, base, name)
                if data is not None:
                    materials.update(parse_mtl(data.decode("latin-1"), z, base))
        elif key == "usemtl":
            mat = materials.get(" ".join(parts[1:]))
            if mat is None:
                current = 0
            else:
                key_id = id(mat)
                if key_id not in index_of:
                    index_of[key_id] = len(order)
                    order.append(mat)
                current = index_of[key_id]
    if not tri_v:
        raise ValueError("no faces")
    pos = np.asarray(positions, dtype=np.float64)
    tv = np.asarray(tri_v, dtype=np.int64)
    if tv.max() >= len(pos) or tv.min() < 0:
        raise ValueError("a face refers to a vertex that does not exist")
    tt = np.asarray(tri_t, dtype=np.int64)
    uv_table = np.vstack([np.asarray(texcoords, dtype=np.float64).reshape(-1, 2), np.zeros((1, 2))])
    tt = np.where((tt < 0) | (tt >= len(uv_table) - 1), len(uv_table) - 1, tt)
    return Mesh(pos[tv], uv_table[tt], np.asarray(tri_m, dtype=np.int64), order)


def load_mesh(archive: str, model: str) -> Mesh:
    """The OBJ at `model` inside the zip `archive`, with its materials and textures."""
    with zipfile.ZipFile(archive) as z:
        text = z.read(model).decode("latin-1")
        return parse_obj(text, z, posixpath.dirname(model))

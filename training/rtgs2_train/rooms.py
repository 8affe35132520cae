"""Synthetic rooms (trainer folders from `rtgs2 synth`): Gaussians, labels and cameras."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .ply import read_vertices


@dataclass
class Camera:
    rotation: np.ndarray  # 3x3 camera-to-world
    centre: np.ndarray
    fx: float
    fy: float
    width: int
    height: int


@dataclass
class Room:
    name: str
    positions: np.ndarray
    f_dc: np.ndarray
    opacity_logit: np.ndarray
    log_scales: np.ndarray
    labels: np.ndarray | None
    cameras: list[Camera]
    # The room's up direction where its folder records one (import.json, synth.json), else None.
    up: np.ndarray | None = None


def find_ply(folder: Path) -> Path:
    its = sorted(
        (folder / "point_cloud").glob("iteration_*"), key=lambda p: int(p.name.split("_")[1])
    )
    if not its:
        raise FileNotFoundError(f"{folder}: no point_cloud/iteration_N folder")
    return its[-1] / "point_cloud.ply"


def load_room(folder: Path) -> Room:
    folder = Path(folder)
    v = read_vertices(find_ply(folder))
    cams = [
        Camera(np.array(c["rotation"], dtype=np.float64), np.array(c["position"], dtype=np.float64),
               c["fx"], c["fy"], c["width"], c["height"])
        for c in json.loads((folder / "cameras.json").read_text())
    ]
    stack = lambda names: np.stack([v[n] for n in names], axis=1).astype(np.float32)  # noqa: E731
    return Room(
        name=folder.name,
        positions=stack(["x", "y", "z"]),
        f_dc=stack(["f_dc_0", "f_dc_1", "f_dc_2"]),
        opacity_logit=v["opacity"].astype(np.float32),
        log_scales=stack(["scale_0", "scale_1", "scale_2"]),
        labels=v["label"].astype(np.int64) if "label" in v else None,
        cameras=cams,
        up=recorded_up(folder),
    )


def recorded_up(folder: Path) -> np.ndarray | None:
    """The unit up vector `rtgs2 import` or `rtgs2 synth` wrote beside the room, if any."""
    for name in ("import.json", "synth.json"):
        f = folder / name
        if f.exists():
            up = json.loads(f.read_text()).get("up")
            if up is not None:
                v = np.asarray(up, dtype=np.float64)
                n = np.linalg.norm(v)
                if np.isfinite(n) and n > 0:
                    return v / n
    return None


def visible(room: Room, cam: Camera, near: float = 0.2) -> np.ndarray:
    """Frustum test of every Gaussian centre (the SSL view subsets)."""
    local = (room.positions.astype(np.float64) - cam.centre) @ cam.rotation
    z = local[:, 2]
    return (
        (z > near)
        & (np.abs(local[:, 0]) <= z * (cam.width / 2) / cam.fx)
        & (np.abs(local[:, 1]) <= z * (cam.height / 2) / cam.fy)
    )


def mine_pairs(room: Room, lo: float = 0.3, hi: float = 0.8) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """Per-camera visible sets and the camera pairs whose sets have lo < IoU < hi (RT-GS2)."""
    masks = [visible(room, c) for c in room.cameras]
    pairs = []
    for i in range(len(masks)):
        for j in range(i + 1, len(masks)):
            union = np.count_nonzero(masks[i] | masks[j])
            if union == 0:
                continue
            iou = np.count_nonzero(masks[i] & masks[j]) / union
            if lo < iou < hi:
                pairs.append((i, j))
    return masks, pairs

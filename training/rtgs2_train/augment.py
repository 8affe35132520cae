"""SSL augmentations of RT-GS2: random-axis rotation (up to 360 deg), scale 0.6-1.2 applied to
positions and log-scales, Gaussian jitter (sigma 0.02) on normalised colour and opacity.

With `keep_min` < 1 each view also keeps a random share in [keep_min, 1] of its Gaussians,
drawn independently per view, so the two views of a pair see one surface at different
densities -- as scans and trainers differ -- and the contrastive loss rewards features that
do not depend on density. The caller picks correspondences among the Gaussians both kept.

With `up` (training's `--upright`) the rotation is only about the room's recorded up after
levelling it to +z, so the features may learn which way is down."""

from __future__ import annotations

import numpy as np

from . import scene_inputs


def skew(v: np.ndarray) -> np.ndarray:
    """The cross-product matrix of v: skew(v) @ x == np.cross(v, x)."""
    return np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])


def axis_angle(axis: np.ndarray, angle: float) -> np.ndarray:
    """The rotation by `angle` about the unit vector `axis` (Rodrigues)."""
    k = skew(axis)
    return np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * (k @ k)


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    return axis_angle(axis, rng.uniform(0.0, 2.0 * np.pi))


def rotation_to_z(up: np.ndarray) -> np.ndarray:
    """A rotation taking the unit vector `up` to +z (Rodrigues about up x z)."""
    z = np.array([0.0, 0.0, 1.0])
    v = np.cross(up, z)
    c = float(np.dot(up, z))
    if np.linalg.norm(v) < 1e-9:
        return np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    k = skew(v)
    return np.eye(3) + k + k @ k / (1.0 + c)


def upright_rotation(rng: np.random.Generator, up: np.ndarray) -> np.ndarray:
    """Level the room (up -> +z), then turn it by a random angle about +z: gravity kept."""
    turn = axis_angle(np.array([0.0, 0.0, 1.0]), rng.uniform(0.0, 2.0 * np.pi))
    return turn @ rotation_to_z(up)


def thin(idx: np.ndarray, keep_min: float, rng: np.random.Generator) -> np.ndarray:
    """A random subset of the sorted index array `idx` (share drawn in [keep_min, 1])."""
    if keep_min >= 1.0:
        return idx
    share = rng.uniform(keep_min, 1.0)
    return idx[rng.random(len(idx)) < share]


def augmented_inputs(positions, f_dc, opacity_logit, log_scales, grid, wanted, rng, augment=True, rule=1,
                     up=None) -> dict:
    """Encoder inputs of a randomly rotated, scaled and jittered copy; with `up` (a unit vector),
    rotated only about it after levelling, so which way is down survives the augmentation."""
    if not augment:
        return scene_inputs.build(positions, f_dc, opacity_logit, log_scales, grid, wanted, rule)
    scale = rng.uniform(0.6, 1.2)
    rot = random_rotation(rng) if up is None else upright_rotation(rng, up)
    pos = (positions.astype(np.float64) @ rot.T * scale).astype(np.float32)
    logs = log_scales + np.float32(np.log(scale))
    attrs = scene_inputs.attributes(pos, f_dc, opacity_logit, logs, rule)
    attrs[:, 3:7] += rng.normal(0.0, 0.02, size=(len(attrs), 4))
    attrs[:, 6] = np.clip(attrs[:, 6], 0.0, 1.0)
    return scene_inputs.build_from_attributes(pos, attrs, grid, wanted, rule)

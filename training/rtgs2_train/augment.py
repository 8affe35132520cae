"""SSL augmentations of RT-GS2: random-axis rotation (up to 360 deg), scale 0.6-1.2 applied to
positions and log-scales, Gaussian jitter (sigma 0.02) on normalised colour and opacity."""

from __future__ import annotations

import numpy as np

from . import scene_inputs


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    angle = rng.uniform(0.0, 2.0 * np.pi)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * (k @ k)


def augmented_inputs(positions, f_dc, opacity_logit, log_scales, grid, wanted, rng, augment=True) -> dict:
    if not augment:
        return scene_inputs.build(positions, f_dc, opacity_logit, log_scales, grid, wanted)
    scale = rng.uniform(0.6, 1.2)
    pos = (positions.astype(np.float64) @ random_rotation(rng).T * scale).astype(np.float32)
    logs = log_scales + np.float32(np.log(scale))
    attrs = scene_inputs.attributes(pos, f_dc, opacity_logit, logs)
    attrs[:, 3:7] += rng.normal(0.0, 0.02, size=(len(attrs), 4))
    attrs[:, 6] = np.clip(attrs[:, 6], 0.0, 1.0)
    return scene_inputs.build_from_attributes(pos, attrs, grid, wanted)

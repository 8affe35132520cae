"""Per-Gaussian and per-voxel float inputs of the encoder (mirrored by src/encoder/inputs.rs).

attributes (10): xyz relative to the bounding-box centre, base colour (SH DC) min-max
normalised per scene and channel, sigmoid opacity, raw log-scales -- the paper's 10 channels.
voxel_feat (11): the mean of the attributes over the voxel's Gaussians, then log(count).
gauss_feat (10): colour (3), opacity (1), log-scales (3) and the offset of the Gaussian from
its voxel centre in voxel units (3, in [-0.5, 0.5), clipped to [-1, 1] for clipped outliers).
"""

from __future__ import annotations

import numpy as np

from . import indices

VOXEL_FEAT = 11
GAUSS_FEAT = 10


def attributes(positions, f_dc, opacity_logit, log_scales) -> np.ndarray:
    p = positions.astype(np.float64)
    centre = (p.min(axis=0) + p.max(axis=0)) / 2.0
    dc = f_dc.astype(np.float64)
    lo, hi = dc.min(axis=0), dc.max(axis=0)
    span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
    colour = (dc - lo) / span
    opacity = 1.0 / (1.0 + np.exp(-opacity_logit.astype(np.float64)))
    return np.concatenate(
        [p - centre, colour, opacity.reshape(-1, 1), log_scales.astype(np.float64)], axis=1
    )


def build(positions, f_dc, opacity_logit, log_scales, grid: float, wanted_patches=None) -> dict:
    """Index tensors plus the two float inputs, keyed by the ONNX input names."""
    attrs = attributes(positions, f_dc, opacity_logit, log_scales)
    return build_from_attributes(positions, attrs, grid, wanted_patches)


def build_from_attributes(positions, attrs, grid: float, wanted_patches=None) -> dict:
    """As `build`, with the [N, 10] attributes given (training jitters them first)."""
    out = indices.build(positions, grid, wanted_patches)
    g2v = out["gauss_voxel"]
    v = len(out["_coords"][0])
    sums = np.zeros((v, 10), dtype=np.float64)
    np.add.at(sums, g2v, attrs)
    counts = np.bincount(g2v, minlength=v).astype(np.float64)
    voxel_feat = np.concatenate([sums / counts[:, None], np.log(counts)[:, None]], axis=1)
    p = positions.astype(np.float64)
    rel = (p - p.min(axis=0)) / grid
    offset = np.clip(rel - (out["_coords"][0][g2v] + 0.5), -1.0, 1.0)
    gauss_feat = np.concatenate([attrs[:, 3:10], offset], axis=1)
    out["voxel_feat"] = voxel_feat.astype(np.float32)
    out["gauss_feat"] = gauss_feat.astype(np.float32)
    return out

"""Per-Gaussian and per-voxel float inputs of the encoder (mirrored by src/encoder/inputs.rs).

Two input rules; the encoder card's `input_rule` says which one a model was trained with.

Rule 1 (the first encoder): attributes (10) are xyz relative to the bounding-box centre, base
colour (SH DC) min-max normalised per scene and channel, sigmoid opacity, raw log-scales -- the
paper's 10 channels; voxel_feat ends with log(count).

Rule 2 (density- and placement-free): the rule-1 inputs let a network latch onto what one
generator makes -- one far Gaussian moves every centred position, one bright floater rescales
every colour, and Gaussian sizes and per-voxel counts follow how densely a trainer or scanner
sampled the scene, not what the surface is. Rule 2 keeps what a surface *is*:
  xyz       zero (the sparse convolutions see the geometry; positions only placed the scene)
  colour    absolute: clip(0.5 + C0 * SH-DC, 0, 1), the colour a renderer shows
  opacity   sigmoid
  scales    log-scales sorted largest first (trainers order the axes differently), minus the
            scene's median mean-log-scale (so 20k and 1M Gaussians of one room look alike)
and voxel_feat's count channel is zero.

voxel_feat (11): the mean of the attributes over the voxel's Gaussians, then the count channel.
gauss_feat (10): colour (3), opacity (1), log-scales (3) and the offset of the Gaussian from
its voxel centre in voxel units (3, in [-0.5, 0.5), clipped to [-1, 1] for clipped outliers).
"""

from __future__ import annotations

import numpy as np

from . import indices

VOXEL_FEAT = 11
GAUSS_FEAT = 10
RULES = (1, 2)
SH_C0 = 0.28209479177387814


def attributes(positions, f_dc, opacity_logit, log_scales, rule: int = 1) -> np.ndarray:
    if rule not in RULES:
        raise ValueError(f"input rule {rule} is not one of {RULES}")
    p = positions.astype(np.float64)
    dc = f_dc.astype(np.float64)
    opacity = 1.0 / (1.0 + np.exp(-opacity_logit.astype(np.float64)))
    logs = log_scales.astype(np.float64)
    if rule == 1:
        centre = (p.min(axis=0) + p.max(axis=0)) / 2.0
        lo, hi = dc.min(axis=0), dc.max(axis=0)
        span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
        return np.concatenate([p - centre, (dc - lo) / span, opacity.reshape(-1, 1), logs], axis=1)
    colour = np.clip(0.5 + SH_C0 * dc, 0.0, 1.0)
    sizes = -np.sort(-logs, axis=1) - median_log_scale(logs)
    return np.concatenate([np.zeros_like(p), colour, opacity.reshape(-1, 1), sizes], axis=1)


def median_log_scale(log_scales) -> float:
    """The median over Gaussians of the mean of the three log-scales (lower median, so the
    Rust mirror picks the same element without averaging two)."""
    m = np.sort(log_scales.astype(np.float64).mean(axis=1))
    return float(m[(len(m) - 1) // 2]) if len(m) else 0.0


def build(positions, f_dc, opacity_logit, log_scales, grid: float, wanted_patches=None, rule: int = 1) -> dict:
    """Index tensors plus the two float inputs, keyed by the ONNX input names."""
    attrs = attributes(positions, f_dc, opacity_logit, log_scales, rule)
    return build_from_attributes(positions, attrs, grid, wanted_patches, rule)


def build_from_attributes(positions, attrs, grid: float, wanted_patches=None, rule: int = 1) -> dict:
    """As `build`, with the [N, 10] attributes given (training jitters them first)."""
    out = indices.build(positions, grid, wanted_patches)
    g2v = out["gauss_voxel"]
    v = len(out["_coords"][0])
    sums = np.zeros((v, 10), dtype=np.float64)
    np.add.at(sums, g2v, attrs)
    counts = np.bincount(g2v, minlength=v).astype(np.float64)
    count_channel = np.log(counts) if rule == 1 else np.zeros(v)
    voxel_feat = np.concatenate([sums / counts[:, None], count_channel[:, None]], axis=1)
    p = positions.astype(np.float64)
    rel = (p - p.min(axis=0)) / grid
    offset = np.clip(rel - (out["_coords"][0][g2v] + 0.5), -1.0, 1.0)
    gauss_feat = np.concatenate([attrs[:, 3:10], offset], axis=1)
    out["voxel_feat"] = voxel_feat.astype(np.float32)
    out["gauss_feat"] = gauss_feat.astype(np.float32)
    return out

"""Segmentation metrics as in Semantic-NeRF / RT-GS2 (DESIGN.md), numpy only.

One confusion matrix over all evaluated views, indexed [ground truth, prediction] by NYU40 id
(0..40). Valid pixels: ground truth not ignored (255) and not unlabelled (0). mIoU and mAcc
average over the classes present in the ground truth; oAcc is over all valid pixels. The Rust
`eval` command computes the same numbers (tests/fixtures/fusion/metrics_case.json).
"""

from __future__ import annotations

import numpy as np

NUM_IDS = 41  # NYU40 ids 0..40
IGNORE = 255


def confusion(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """[41, 41] int64 counts of (gt id, predicted id) over valid pixels."""
    pred = np.asarray(pred).reshape(-1).astype(np.int64)
    gt = np.asarray(gt).reshape(-1).astype(np.int64)
    if pred.shape != gt.shape:
        raise ValueError(f"prediction has {pred.size} pixels, ground truth {gt.size}")
    valid = (gt != IGNORE) & (gt != 0)
    if np.any(pred[valid] > 40) or np.any(pred[valid] < 0):
        raise ValueError("predicted ids must be NYU40 ids 0..40")
    return np.bincount(gt[valid] * NUM_IDS + pred[valid], minlength=NUM_IDS * NUM_IDS).reshape(NUM_IDS, NUM_IDS)


def summarize(conf: np.ndarray) -> dict:
    """mIoU, mAcc, oAcc and per-class IoU/accuracy (classes present in the ground truth)."""
    conf = np.asarray(conf, dtype=np.float64)
    tp = np.diag(conf)
    gt_pixels = conf.sum(axis=1)
    pred_pixels = conf.sum(axis=0)
    present = np.nonzero(gt_pixels > 0)[0]
    per_class = []
    for c in present:
        union = gt_pixels[c] + pred_pixels[c] - tp[c]
        per_class.append({"id": int(c), "iou": float(tp[c] / union), "acc": float(tp[c] / gt_pixels[c]),
                          "pixels": int(gt_pixels[c])})
    total = conf.sum()
    return {
        "miou": float(np.mean([p["iou"] for p in per_class])) if per_class else 0.0,
        "macc": float(np.mean([p["acc"] for p in per_class])) if per_class else 0.0,
        "oacc": float(tp.sum() / total) if total > 0 else 0.0,
        "per_class": per_class,
    }

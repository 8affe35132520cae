"""Segmentation metrics as in Semantic-NeRF / RT-GS2 (DESIGN.md), numpy only.

One confusion matrix over all evaluated views, indexed [ground truth, prediction] by NYU40 id
(0..40). Valid pixels: ground truth not ignored (255) and not unlabelled (0). mIoU and mAcc
average over the classes present in the ground truth; oAcc is over all valid pixels.

`classes` picks the classes scored: "all" (every NYU40 class), or "scannet20" (ScanNet's 20
benchmark classes: ground truth of any other class is not counted at all, and a prediction
outside the 20 on a counted pixel is a miss). The Rust `eval` command computes the same numbers
(tests/fixtures/fusion/metrics_case.json, made by make_metrics_fixture.py).
"""

from __future__ import annotations

import numpy as np

NUM_IDS = 41  # NYU40 ids 0..40
IGNORE = 255
# NYU40 ids of ScanNet's 20 benchmark classes (src/eval/metrics.rs SCANNET20).
SCANNET20 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 24, 28, 33, 34, 36, 39)
PROTOCOLS = ("all", "scannet20")


def scored_rows(conf: np.ndarray, classes: str = "all") -> np.ndarray:
    """`conf` with the rows of ground-truth classes the protocol does not score zeroed; the
    predictions on the rows kept all stay (one outside the protocol is a miss)."""
    if classes not in PROTOCOLS:
        raise ValueError(f"classes must be one of {PROTOCOLS}, not {classes!r}")
    conf = np.array(conf, copy=True)
    if classes == "scannet20":
        keep = np.zeros(conf.shape[0], bool)
        keep[list(SCANNET20)] = True
        conf[~keep] = 0
    return conf


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


def summarize(conf: np.ndarray, classes: str = "all") -> dict:
    """mIoU, mAcc, oAcc and per-class IoU/accuracy (classes present in the ground truth) under
    the `classes` protocol ("all" or "scannet20")."""
    conf = scored_rows(conf, classes).astype(np.float64)
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

"""Do gravity cues add to the encoder's features on real scans? The decision gate for the fusion
network's gravity cues (src/scene/gravity.rs), as a linear probe per Gaussian (`probe.fit`, the
same softmax regression and class weighting as `probe`).

Rooms are `rtgs2 import`ed ScanNet scans (z up, metric), so the cues here are the simple form of
the Rust ones: floor at the 1st percentile of height, top at the 99th; height above the floor,
relative height, |cos| of the thinnest axis with up, and near-floor / near-top flags. Train on
the rooms of --train, score on every labelled Gaussian of --eval:

    python -m rtgs2_train.probe_gravity --train data/probe_real/train --eval data/probe_real/eval \
        --model ../models/encoder.onnx --json runs/probe_gravity.json

Result (2026-12-06, ScanNet rooms 0001-0003 -> 0004-0005, shipped encoder): features 0.077 mIoU,
cues alone 0.134, features + cues 0.157 (floor IoU 0.31 -> 0.74, wall 0.27 -> 0.47).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from . import nyu40, probe
from .rooms import find_ply, load_room, read_vertices

INPUTS = ("features", "cues", "features_cues", "raw_cues", "features_raw_cues")


def thinnest_axes(rotations: np.ndarray, log_scales: np.ndarray) -> np.ndarray:
    """World direction of each Gaussian's thinnest axis; rotations are (w, x, y, z)."""
    q = rotations / np.linalg.norm(rotations, axis=1, keepdims=True)
    w, x, y, z = q.T
    r = np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1)], 1)
    axis = np.argmin(log_scales, axis=1)
    return r[np.arange(len(axis)), :, axis]


def cues(folder: Path, positions: np.ndarray, log_scales: np.ndarray) -> np.ndarray:
    v = read_vertices(find_ply(folder))
    rotations = np.stack([v[f"rot_{i}"] for i in range(4)], 1).astype(np.float64)
    z = positions[:, 2]
    floor, top = np.percentile(z, 1), np.percentile(z, 99)
    h = z - floor
    flat = np.abs(thinnest_axes(rotations, log_scales)[:, 2])
    return np.stack([h, h / max(top - floor, 1e-3), flat, (h < 0.1).astype(float),
                     (h > (top - floor) - 0.15).astype(float)], 1).astype(np.float32)


def collect(encoder: probe.Encoder, dirs: list[Path], per_room: int | None, rng: np.random.Generator):
    xs = {k: [] for k in INPUTS}
    ys = []
    for d in dirs:
        room = load_room(d)
        keep = np.flatnonzero(room.labels != nyu40.UNLABELLED)
        if per_room and len(keep) > per_room:
            keep = np.sort(rng.choice(keep, per_room, replace=False))
        ins = probe.room_inputs(encoder, room)
        g = cues(d, room.positions, room.log_scales)
        both = {"features": ins["features"], "cues": g, "features_cues": np.concatenate([ins["features"], g], 1),
                "raw_cues": np.concatenate([ins["raw_attributes"], g], 1),
                "features_raw_cues": np.concatenate([ins["features_plus_raw"], g], 1)}
        for k in INPUTS:
            xs[k].append(both[k][keep])
        ys.append(room.labels[keep])
        print(f"  {d.name}: {len(keep)} labelled Gaussians used", flush=True)
    return {k: np.concatenate(v) for k, v in xs.items()}, np.concatenate(ys)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="encoder ONNX file")
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--eval", type=Path, required=True)
    ap.add_argument("--json", type=Path, required=True)
    ap.add_argument("--max-train", type=int, default=200_000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    encoder = probe.Encoder.for_model(args.model, args.threads)
    rng = np.random.default_rng(args.seed)
    train = sorted(p for p in args.train.iterdir() if p.is_dir())
    evals = sorted(p for p in args.eval.iterdir() if p.is_dir())
    xt, yt = collect(encoder, train, args.max_train // len(train), rng)
    xe, ye = collect(encoder, evals, None, rng)
    results = {}
    for k in INPUTS:
        results[k] = probe.scores(ye, probe.fit(xt[k], yt, 1e-4, 300)(xe[k]))
        print(f"{k:<20} mIoU {results[k]['miou']:.3f}  oAcc {results[k]['oacc']:.3f}", flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()

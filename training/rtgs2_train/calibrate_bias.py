"""Per-class logit offsets chosen for mIoU on calibration views, folded into the classifier.

A network trained with class-weighted, label-smoothed cross-entropy does not put its decision
boundaries where mIoU wants them: mIoU weighs every present class alike, so a class the
network over-predicts (sinks, shelves: high accuracy, low IoU) or under-predicts (floor mats,
books) costs as much as a large class. Adding a constant to each class's logit moves those
boundaries; the offsets are fitted by coordinate ascent on mIoU over pixels sampled from
*calibration* views, exported from rooms of their own seeds (neither trained on nor evaluated
on), and added to `decoder.classify.bias`. The exported file, the Rust runtime and the
fixtures then need nothing new: argmax over the calibrated logits is the calibrated class.

    python -m rtgs2_train.calibrate_bias --checkpoint runs/RUN/checkpoint.pt --data data/fusion_calib8 \
        --out runs/RUN/checkpoint_calibrated.pt

The fit is numpy only (`fit_offsets`); sampling the logits needs PyTorch.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .metrics import NUM_IDS

CLASSIFIER_BIAS = "decoder.classify.bias"
STEPS = (-1.0, -0.5, -0.25, 0.25, 0.5, 1.0)  # tried per class in the first round, halved each round after


def miou_of(logits: np.ndarray, labels: np.ndarray, offsets: np.ndarray) -> float:
    """mIoU over the classes present in `labels` (NYU40 ids 1..40) of argmax(logits + offsets);
    logits [N, 40] for channel k = id k + 1."""
    pred = np.argmax(logits + offsets, axis=1) + 1
    conf = np.bincount(labels.astype(np.int64) * NUM_IDS + pred, minlength=NUM_IDS * NUM_IDS)
    conf = conf.reshape(NUM_IDS, NUM_IDS)[1:, 1:].astype(np.float64)
    tp, gt, pr = np.diag(conf), conf.sum(1), conf.sum(0)
    present = gt > 0
    return float(np.mean(tp[present] / (gt[present] + pr[present] - tp[present])))


def fit_offsets(logits: np.ndarray, labels: np.ndarray, rounds: int = 3) -> tuple[np.ndarray, list[float]]:
    """Coordinate ascent: class by class (those present in `labels`), keep the step from
    STEPS (scaled by 0.5 ** round) that raises mIoU most, if any does. Returns the offsets
    [40] and the mIoU before and after each round. Never lowers mIoU on these pixels."""
    if logits.ndim != 2 or logits.shape[1] != NUM_IDS - 1 or len(labels) != len(logits):
        raise ValueError(f"logits {logits.shape} and labels {labels.shape}: want [N, 40] and [N]")
    if np.any(labels < 1) or np.any(labels > NUM_IDS - 1):
        raise ValueError("labels must be NYU40 ids 1..40 (valid pixels only)")
    logits = logits.astype(np.float32)
    offsets = np.zeros(NUM_IDS - 1, np.float32)
    best = miou_of(logits, labels, offsets)
    history = [best]
    for r in range(rounds):
        for c in np.unique(labels) - 1:
            start, chosen = offsets[c], offsets[c]
            for step in STEPS:
                offsets[c] = start + step * 0.5 ** r
                score = miou_of(logits, labels, offsets)
                if score > best + 1e-6:
                    best, chosen = score, offsets[c]
            offsets[c] = chosen
        history.append(best)
    return offsets, history


def offsets_of(record: dict) -> np.ndarray:
    """The offsets [40] (channel k = NYU40 id k + 1) a `bias_calibration` record holds, as a
    checkpoint or a model card carries it; a malformed record is refused (ValueError)."""
    offsets = np.zeros(NUM_IDS - 1, np.float32)
    by_id = record.get("offsets_by_id") if isinstance(record, dict) else None
    if not isinstance(by_id, dict):
        raise ValueError("the bias_calibration record has no offsets_by_id object")
    for key, value in by_id.items():
        if not (isinstance(key, str) and key.isdigit() and 1 <= int(key) <= NUM_IDS - 1):
            raise ValueError(f"bias_calibration offset for {key!r}: not an NYU40 id 1..{NUM_IDS - 1}")
        if not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"bias_calibration offset for id {key}: {value!r} is not a finite number")
        offsets[int(key) - 1] = value
    return offsets


def sample_logits(predict, views, card: dict, per_view: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Logits [N, 40] (fp16, to bound memory) and labels at `per_view` valid pixels drawn
    uniformly from each view, so every pixel weighs alike as in the full-frame metric."""
    from . import fusion_io

    rng = np.random.default_rng(seed)
    logits, labels = [], []
    for i in range(len(views)):
        rgb, feats, lab = views.load(i, features="features" in card["inputs"])
        h, w = lab.shape
        out = fusion_io.crop_logits(predict(fusion_io.prepare(rgb, feats, card)), h, w)
        flat = lab.reshape(-1)
        valid = np.flatnonzero((flat > 0) & (flat <= NUM_IDS - 1))
        if len(valid) == 0:
            continue
        pick = rng.choice(valid, min(per_view, len(valid)), replace=False)
        logits.append(out.reshape(out.shape[0], -1)[:, pick].T.astype(np.float16))
        labels.append(flat[pick])
        if i % 100 == 0:
            print(f"  logits of view {i}/{len(views)}", flush=True)
    if not logits:
        raise SystemExit("the calibration views have no labelled pixels")
    return np.concatenate(logits), np.concatenate(labels)


def main(argv=None):
    import torch

    from .fusion_data import ViewSet
    from .fusion_eval import card_of, torch_predictor
    from .fusion_model import from_args
    from .train_fusion import save_atomically

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--data", type=Path, nargs="+", required=True, help="calibration views (rooms of their own seeds)")
    ap.add_argument("--out", type=Path, required=True, help="the calibrated checkpoint (the input is left as it is)")
    ap.add_argument("--pixels-per-view", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    if args.out.resolve() == args.checkpoint.resolve():
        raise SystemExit("--out must differ from --checkpoint: the uncalibrated checkpoint is kept")
    torch.set_num_threads(args.threads)
    ck = torch.load(args.checkpoint, weights_only=False)
    if "bias_calibration" in ck:
        raise SystemExit(f"{args.checkpoint} is calibrated already; calibrate the checkpoint it came from")
    model = from_args(ck["args"])
    model.load_state_dict(ck["model"])
    views = ViewSet(args.data, cues=bool(model.cues))
    logits, labels = sample_logits(torch_predictor(model), views, card_of(model.input_names(), ck["norm"]),
                                   args.pixels_per_view, args.seed)
    offsets, history = fit_offsets(logits, labels, args.rounds)
    state = dict(ck["model"])
    state[CLASSIFIER_BIAS] = state[CLASSIFIER_BIAS] + torch.from_numpy(offsets)
    record = {
        "command": f"python -m rtgs2_train.calibrate_bias --checkpoint {args.checkpoint} --data "
                   + " ".join(map(str, args.data)) + f" --out {args.out} --pixels-per-view {args.pixels_per_view}"
                   + f" --rounds {args.rounds} --seed {args.seed}",
        "views": len(views), "pixels": int(len(labels)),
        "calibration_miou_by_round": [round(h, 4) for h in history],
        "offsets_by_id": {str(k + 1): round(float(o), 4) for k, o in enumerate(offsets) if o != 0},
    }
    save_atomically(ck | {"model": state, "bias_calibration": record}, args.out)
    args.out.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"calibration mIoU {history[0]:.4f} -> {history[-1]:.4f} over {len(labels)} pixels of {len(views)} "
          f"views; {len(record['offsets_by_id'])} classes moved; wrote {args.out}")


if __name__ == "__main__":
    main()

"""Linear probe of frozen encoder features: NYU40 segmentation of held-out rooms per Gaussian.

The encoder (ONNX, CPU EP) runs once on each whole room. A softmax regression is trained on
the labelled Gaussians (label != 0) of the first --train-count rooms of --train-rooms (in seed
order; at most --max-train Gaussians, an equal random share per room) and evaluated on every
labelled Gaussian of every room in --eval-rooms, with one confusion matrix over all of them.
The same probe runs on three inputs: the features, the 10 raw attributes the encoder sees
(`scene_inputs.attributes`, the baseline the features must beat) and both concatenated.

The probe, identical for all three inputs so the comparison is fair:
- inputs standardised with the train-set mean / std;
- cross-entropy with each train class weighted by 1 / sqrt(its frequency): mIoU weights every
  class equally, and an unweighted probe on these wall-dominated rooms mostly learns the class
  prior, while full 1 / frequency weighting over-predicts rare classes and loses IoU on the big
  ones (measured on 12 rooms: the square root gave the best mIoU for all three inputs);
- L2 penalty on the weights (not the bias), full-batch L-BFGS from zero: the problem is convex,
  so the result depends on the data subsample (--seed) only, not on an initialisation;
- classes never seen in training cannot be predicted and score IoU 0 when present in eval.

    python -m rtgs2_train.probe --model ../models/encoder.onnx --train-rooms data/encoder_train \
        --train-count 12 --eval-rooms data/encoder_heldout --json runs/probe.json --threads 2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
import torch.nn.functional as F

from . import encoder_model as em
from . import augment, nyu40, scene_inputs
from .rooms import Room, load_room

PROBES = ("features", "raw_attributes", "features_plus_raw")


def room_dirs(folder: Path) -> list[Path]:
    """Rooms in generation order: by the seed that ends `<kind>_<seed>`, so the first N rooms
    mix the kinds as `rtgs2 synth` drew them (sorting by name would take N bathrooms)."""
    def key(p: Path):
        tail = p.name.rsplit("_", 1)[-1]
        return (int(tail) if tail.isdigit() else float("inf"), p.name)

    return sorted((p for p in Path(folder).iterdir() if (p / "point_cloud").is_dir()), key=key)


def model_card(model: Path) -> dict:
    """The encoder's model card (MODEL.json): its voxel size, input rule and whether it is upright."""
    card = model.with_suffix(".json")
    return json.loads(card.read_text()) if card.exists() else {}


class Encoder:
    """The ONNX encoder on CPU, fed only the inputs its graph declares."""

    def __init__(self, model: Path, threads: int, grid: float, rule: int = 1, upright: bool = False):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self.names = [i.name for i in self.session.get_inputs()]
        self.grid = grid
        self.rule = rule
        self.upright = upright

    @classmethod
    def for_model(cls, model: Path, threads: int, grid: float | None = None) -> "Encoder":
        """The encoder as its card describes it: input rule, upright, and voxel size unless given."""
        card = model_card(model)
        return cls(model, threads, grid or card.get("grid", 0.05), card.get("input_rule", 1),
                   bool(card.get("upright", False)))

    def __call__(self, room: Room) -> np.ndarray:
        # An upright encoder (card `upright`) sees each room levelled by its recorded up, as
        # it trained and as rtgs2 gives it scenes.
        positions = room.positions
        if self.upright and room.up is not None:
            positions = (positions.astype(np.float64) @ augment.rotation_to_z(room.up).T).astype(np.float32)
        inputs = scene_inputs.build(positions, room.f_dc, room.opacity_logit, room.log_scales,
                                    self.grid, em.used_patches(), self.rule)
        return self.session.run(["features"], {n: inputs[n] for n in self.names})[0]


def room_inputs(encoder: Encoder, room: Room) -> dict[str, np.ndarray]:
    """The three probe inputs for one room's Gaussians."""
    feats = encoder(room).astype(np.float32)
    raw = scene_inputs.attributes(room.positions, room.f_dc, room.opacity_logit, room.log_scales).astype(np.float32)
    return {"features": feats, "raw_attributes": raw, "features_plus_raw": np.concatenate([feats, raw], axis=1)}


def collect(encoder: Encoder, dirs: list[Path], per_room: int | None, rng: np.random.Generator, log: dict):
    """Probe inputs and labels of the labelled Gaussians of `dirs`, optionally subsampled per room."""
    xs = {k: [] for k in PROBES}
    ys = []
    for d in dirs:
        t0 = time.perf_counter()
        room = load_room(d)
        if room.labels is None:
            raise ValueError(f"{d}: the room has no labels")
        keep = np.flatnonzero(room.labels != nyu40.UNLABELLED)
        if per_room is not None and len(keep) > per_room:
            keep = np.sort(rng.choice(keep, per_room, replace=False))
        t1 = time.perf_counter()
        for k, x in room_inputs(encoder, room).items():
            xs[k].append(x[keep])
        ys.append(room.labels[keep])
        t2 = time.perf_counter()
        log[d.name] = {"gaussians": len(room.labels), "used": len(keep),
                       "load_s": round(t1 - t0, 2), "encode_s": round(t2 - t1, 2)}
        print(f"  {d.name}: {len(room.labels)} Gaussians, {len(keep)} used, encode {t2 - t1:.1f} s", flush=True)
    return {k: np.concatenate(v) for k, v in xs.items()}, np.concatenate(ys)


def fit(x: np.ndarray, y: np.ndarray, weight_decay: float, iters: int):
    """Softmax regression with 1 / sqrt(frequency) class weights -> predict(x) -> NYU40 ids."""
    classes = np.unique(y)
    target = torch.from_numpy(np.searchsorted(classes, y))
    counts = torch.bincount(target, minlength=len(classes)).float()
    class_weight = counts.rsqrt()  # cross_entropy divides by the summed weights: no scale needed
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    xt = torch.from_numpy((x - mean) / std)
    w = torch.zeros(x.shape[1], len(classes), requires_grad=True)
    b = torch.zeros(len(classes), requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=iters, history_size=20, line_search_fn="strong_wolfe",
                            tolerance_grad=1e-9, tolerance_change=1e-12)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(xt @ w + b, target, weight=class_weight) + weight_decay * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)

    def predict(xe: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            logits = torch.from_numpy((xe - mean) / std) @ w + b
        return classes[logits.argmax(dim=1).numpy()]

    return predict


def scores(gt: np.ndarray, pred: np.ndarray) -> dict:
    """mIoU / mAcc over the classes present in gt, oAcc, per-class IoU (one confusion matrix)."""
    n = len(nyu40.NAMES)
    conf = np.bincount(gt * n + pred, minlength=n * n).reshape(n, n)
    tp = np.diag(conf).astype(np.float64)
    gt_count, pred_count = conf.sum(axis=1), conf.sum(axis=0)
    present = np.flatnonzero(gt_count)
    iou = tp[present] / (gt_count[present] + pred_count[present] - tp[present])
    acc = tp[present] / gt_count[present]
    return {
        "miou": float(iou.mean()),
        "macc": float(acc.mean()),
        "oacc": float(tp.sum() / conf.sum()),
        "per_class_iou": {nyu40.NAMES[c]: float(v) for c, v in zip(present, iou)},
    }


def print_table(results: dict) -> None:
    print(f"\n{'probe':<20}{'mIoU':>8}{'mAcc':>8}{'oAcc':>8}")
    for k in PROBES:
        r = results[k]
        print(f"{k:<20}{r['miou']:8.3f}{r['macc']:8.3f}{r['oacc']:8.3f}")
    print(f"\n{'class IoU':<20}" + "".join(f"{k[:12]:>14}" for k in PROBES))
    for name in results[PROBES[0]]["per_class_iou"]:
        print(f"{name:<20}" + "".join(f"{results[k]['per_class_iou'][name]:14.3f}" for k in PROBES))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="encoder ONNX file")
    ap.add_argument("--train-rooms", type=Path, required=True)
    ap.add_argument("--train-count", type=int, default=12, help="use the first N train rooms (seed order)")
    ap.add_argument("--eval-rooms", type=Path, required=True)
    ap.add_argument("--eval-count", type=int, default=0, help="use the first N eval rooms, seed order (0 = all)")
    ap.add_argument("--json", type=Path, required=True)
    ap.add_argument("--grid", type=float, help="voxel size (default: the model card's, else 0.05)")
    ap.add_argument("--max-train", type=int, default=200_000, help="train Gaussians kept, over all train rooms")
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--iters", type=int, default=300, help="L-BFGS iterations")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    encoder = Encoder.for_model(args.model, args.threads, args.grid)
    train_dirs = room_dirs(args.train_rooms)[: args.train_count]
    eval_dirs = room_dirs(args.eval_rooms)
    eval_dirs = eval_dirs[: args.eval_count] if args.eval_count else eval_dirs
    if not train_dirs or not eval_dirs:
        raise SystemExit("no train or eval rooms found")

    t0 = time.perf_counter()
    rooms_log: dict = {}
    print(f"train rooms ({len(train_dirs)}):", flush=True)
    x_train, y_train = collect(encoder, train_dirs, args.max_train // len(train_dirs), rng, rooms_log)
    print(f"eval rooms ({len(eval_dirs)}):", flush=True)
    x_eval, y_eval = collect(encoder, eval_dirs, None, rng, rooms_log)
    t1 = time.perf_counter()

    results, fit_s = {}, {}
    for k in PROBES:
        start = time.perf_counter()
        predict = fit(x_train[k], y_train, args.weight_decay, args.iters)
        results[k] = scores(y_eval, predict(x_eval[k]))
        fit_s[k] = round(time.perf_counter() - start, 2)
    unseen = sorted(set(np.unique(y_eval)) - set(np.unique(y_train)))
    print_table(results)

    out = {
        **results,
        "train_rooms": [d.name for d in train_dirs],
        "eval_rooms": [d.name for d in eval_dirs],
        "seed": args.seed,
        "model": str(args.model),
        "train_gaussians": int(len(y_train)),
        "eval_gaussians": int(len(y_eval)),
        "eval_classes_unseen_in_train": [nyu40.NAMES[c] for c in unseen],
        "probe": {"loss": "softmax cross-entropy, class weights 1/sqrt(frequency)", "optimiser": "full-batch L-BFGS",
                  "iters": args.iters, "weight_decay": args.weight_decay, "standardised": True,
                  "grid": encoder.grid},
        "timings_s": {"rooms": rooms_log, "inputs_total": round(t1 - t0, 2), "fit_and_eval": fit_s},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {args.json}; features {t1 - t0:.0f} s, probes {sum(fit_s.values()):.0f} s")


if __name__ == "__main__":
    main()

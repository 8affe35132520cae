"""Average the weights of fusion checkpoints of one lineage (a "model soup").

Two networks continued from the same parent lie in one basin of the loss, and the mean of
their weights often generalises better than either (Wortsman et al., "Model soups", 2022):
the average sits nearer the basin's flat middle, which matters on scenes unlike the training
data. Only checkpoints of the same architecture and input normalisation can be averaged;
anything else is refused.

    python -m rtgs2_train.average_checkpoints runs/A/checkpoint.pt runs/B/checkpoint.pt \\
        --out runs/soup/checkpoint.pt [--weights 0.5 0.5]

The result has the first checkpoint's arguments and normalisation, `averaged_from` naming its
parts, and no optimiser state (it is a network to score or export, not a run to resume).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .train_fusion import save_atomically

# Arguments that change which tensors exist or what the inputs mean.
SHAPE_ARGS = ("modality", "feature_depths", "gravity_cues", "cue_head")


def average(checkpoints: list[dict], weights: list[float]) -> dict:
    if len(checkpoints) < 2:
        raise ValueError("average needs at least two checkpoints")
    if len(weights) != len(checkpoints) or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError("one non-negative weight per checkpoint, not all zero")
    first = checkpoints[0]
    for n, ck in enumerate(checkpoints[1:], start=2):
        for a in SHAPE_ARGS:
            if ck["args"].get(a) != first["args"].get(a):
                raise ValueError(f"checkpoint {n}: {a} is {ck['args'].get(a)!r}, the first's {first['args'].get(a)!r}")
        if ck["norm"] != first["norm"]:
            raise ValueError(f"checkpoint {n}: another input normalisation; its weights read other inputs")
        if ck["model"].keys() != first["model"].keys():
            raise ValueError(f"checkpoint {n}: other tensors than the first's")
        for k, v in ck["model"].items():
            if v.shape != first["model"][k].shape:
                raise ValueError(f"checkpoint {n}: {k} is {tuple(v.shape)}, the first's {tuple(first['model'][k].shape)}")
    total = float(sum(weights))
    model = {}
    for k, v in first["model"].items():
        if v.is_floating_point():
            model[k] = sum(w / total * ck["model"][k].double() for w, ck in zip(weights, checkpoints)).to(v.dtype)
        else:  # counters such as num_batches_tracked: not a weight
            model[k] = v.clone()
    return {"model": model, "step": first["step"], "args": first["args"], "norm": first["norm"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", type=Path, nargs="+")
    ap.add_argument("--weights", type=float, nargs="*", help="one per checkpoint (default: equal)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    weights = args.weights or [1.0] * len(args.checkpoints)
    cks = [torch.load(p, weights_only=False) for p in args.checkpoints]
    try:
        soup = average(cks, weights)
    except ValueError as e:
        raise SystemExit(f"average_checkpoints: {e}") from None
    soup["averaged_from"] = [{"checkpoint": str(p), "weight": w, "step": ck["step"]}
                             for p, w, ck in zip(args.checkpoints, weights, cks)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_atomically(soup, args.out)
    print(f"{args.out}: mean of {len(cks)} checkpoints, weights {weights}")


if __name__ == "__main__":
    main()

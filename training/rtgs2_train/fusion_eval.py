"""Evaluate a fusion model (training checkpoint or exported ONNX) on exported views:
full frames, padded as at run time, one confusion matrix over all views (metrics.py).

    python -m rtgs2_train.fusion_eval --data data/fusion_heldout --checkpoint runs/fusion_both/checkpoint.pt
    python -m rtgs2_train.fusion_eval --data data/fusion_heldout --onnx ../models/fusion.onnx
    python -m rtgs2_train.fusion_eval --data data/fusion_heldout --onnx ../models/fusion.onnx --classes scannet20

`--classes scannet20` scores ScanNet's 20 benchmark classes only (metrics.py), as
`rtgs2 eval --classes scannet20` does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from . import fusion_io
from .fusion_data import ViewSet
from .metrics import NUM_IDS, PROTOCOLS, confusion, summarize
from .nyu40 import NAMES


def card_of(modality_inputs: list[str], norm: dict) -> dict:
    return {"inputs": modality_inputs, **norm, "size_multiple": fusion_io.SIZE_MULTIPLE,
            "class_ids": list(range(1, 41))}


def torch_predictor(model: torch.nn.Module):
    model.eval()

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray:
        with torch.no_grad():
            return model(**{k: torch.from_numpy(v) for k, v in inputs.items()}).numpy()

    return run


def onnx_predictor(path: Path, threads: int = 1):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    return lambda inputs: sess.run(None, inputs)[0]


def evaluate(predict, views: ViewSet, card: dict, max_views: int | None = None, progress: bool = False,
             classes: str = "all") -> dict:
    """Total and per-scene metrics under the `classes` protocol ("all" or "scannet20",
    metrics.py); `predict` maps prepared inputs to [1, K, Hp, Wp] logits."""
    if classes not in PROTOCOLS:
        raise ValueError(f"classes must be one of {PROTOCOLS}, not {classes!r}")
    idx = range(len(views))
    if max_views and max_views < len(views):
        idx = np.linspace(0, len(views) - 1, max_views).astype(int)
    total = np.zeros((NUM_IDS, NUM_IDS), np.int64)
    per_scene: dict[str, np.ndarray] = {}
    for n, i in enumerate(idx):
        rgb, feats, labels = views.load(int(i), features="features" in card["inputs"])
        h, w = labels.shape
        logits = fusion_io.crop_logits(predict(fusion_io.prepare(rgb, feats, card)), h, w)
        conf = confusion(fusion_io.ids_from_logits(logits, card["class_ids"]), labels)
        total += conf
        scene = views.views[int(i)].scene
        per_scene[scene] = per_scene.get(scene, 0) + conf
        if progress and n % 50 == 0:
            print(f"  eval {n}/{len(idx)}", flush=True)
    named = lambda m: {**m, "per_class": [{**p, "name": NAMES[p["id"]]} for p in m["per_class"]]}  # noqa: E731
    return {"classes": classes, "total": named(summarize(total, classes)),
            "scenes": {s: named(summarize(c, classes)) for s, c in sorted(per_scene.items())}, "views": len(idx)}


def main(argv=None):
    from .fusion_model import from_args

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, nargs="+", required=True)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", type=Path)
    src.add_argument("--onnx", type=Path, help="an exported model; its card (.json) beside it")
    ap.add_argument("--max-views", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--classes", choices=PROTOCOLS, default="all",
                    help="classes scored: every NYU40 class, or ScanNet's 20 benchmark classes (other ground truth "
                         "ignored, predictions outside the 20 count as misses)")
    ap.add_argument("--inputs-f16", action="store_true",
                    help="round the inputs to f16 first, as `rtgs2 --input-precision f16` does on GPU providers")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.onnx:
        card = json.loads(args.onnx.with_suffix(".json").read_text())
        views = ViewSet(args.data, cues=bool(card.get("gravity_cues")))
        predict = onnx_predictor(args.onnx, args.threads)
    else:
        ck = torch.load(args.checkpoint, weights_only=False)
        model = from_args(ck["args"])
        model.load_state_dict(ck["model"])
        card = card_of(model.input_names(), ck["norm"])
        views = ViewSet(args.data, cues=bool(model.cues))
        predict = torch_predictor(model)
    if args.inputs_f16:
        full_precision = predict
        predict = lambda inputs: full_precision(fusion_io.rounded_to_f16(inputs))  # noqa: E731
    result = evaluate(predict, views, card, args.max_views, progress=True, classes=args.classes)
    t = result["total"]
    print(f"mIoU {t['miou']:.4f}  mAcc {t['macc']:.4f}  oAcc {t['oacc']:.4f}  ({result['views']} views, "
          f"classes {args.classes})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()

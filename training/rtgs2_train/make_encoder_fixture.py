"""Cross-language fixture for the encoder: a small real scene, every index tensor and float
input from the numpy precompute, and the PyTorch network's output for them.

`tests/encoder_fixture.rs` checks that the Rust precompute reproduces the indices exactly and
the inputs within float tolerance, and that ONNX Runtime running models/encoder.onnx
reproduces PyTorch's features within 1e-4. Regenerate whenever the model is re-exported:

    python -m rtgs2_train.make_encoder_fixture --checkpoint runs/encoder/checkpoint.pt \
        --room data/encoder_heldout/<room> --model ../models/encoder.onnx --out ../tests/fixtures/encoder
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from . import encoder_model as em
from . import scene_inputs
from .export_encoder import checkpoint_rule, load_model
from .rooms import load_room


def compact_subset(positions: np.ndarray, count: int, seed: int) -> np.ndarray:
    """The `count` Gaussians nearest a random one: a dense patch of surfaces and objects, so
    every pooling stage and both patch rules (V > 128 padded, V <= 128 single) occur."""
    rng = np.random.default_rng(seed)
    centre = positions[rng.integers(len(positions))]
    d = np.linalg.norm(positions - centre, axis=1)
    return np.sort(np.argpartition(d, count)[:count])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path)
    ap.add_argument("--room", type=Path, required=True)
    ap.add_argument("--model", type=Path, required=True, help="the exported ONNX file (hashed into meta.json)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--count", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--grid", type=float, default=0.05)
    args = ap.parse_args(argv)
    room = load_room(args.room)
    sel = compact_subset(room.positions, args.count, args.seed)
    scene = {"positions": room.positions[sel], "f_dc": room.f_dc[sel],
             "opacity_logit": room.opacity_logit[sel], "log_scales": room.log_scales[sel]}
    rule = checkpoint_rule(args.checkpoint)
    inputs = scene_inputs.build(scene["positions"], scene["f_dc"], scene["opacity_logit"], scene["log_scales"],
                                args.grid, em.used_patches(), rule)
    model = load_model(args.checkpoint)
    with torch.no_grad():
        features = model({k: torch.from_numpy(inputs[k]) for k in em.input_names()}).numpy()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.npy"):
        old.unlink()
    for name, arr in scene.items():
        np.save(args.out / f"scene_{name}.npy", np.ascontiguousarray(arr))
    for name in em.input_names():
        np.save(args.out / f"{name}.npy", np.ascontiguousarray(inputs[name]))
    np.save(args.out / "features.npy", features.astype(np.float32))
    # The other rule's float inputs too, so the Rust port of both rules stays checked.
    for other in scene_inputs.RULES:
        if other != rule:
            extra = scene_inputs.build(scene["positions"], scene["f_dc"], scene["opacity_logit"],
                                       scene["log_scales"], args.grid, em.used_patches(), other)
            for name in ("voxel_feat", "gauss_feat"):
                np.save(args.out / f"rule{other}_{name}.npy", np.ascontiguousarray(extra[name]))
    meta = {"room": args.room.name, "count": int(len(sel)), "grid": args.grid, "seed": args.seed,
            "voxels_per_stage": [int(len(c)) for c in inputs["_coords"]],
            "model_sha256": hashlib.sha256(args.model.read_bytes()).hexdigest(), "inputs": em.input_names(),
            "input_rule": rule}
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()

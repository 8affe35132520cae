"""Export a trained encoder checkpoint to models/encoder.onnx (fp16 weights) + models/encoder.json.

Weights are rounded to fp16 in PyTorch first, so the PyTorch model that the parity fixtures
are made from is exactly the network the ONNX file holds; the ONNX initializers are stored as
fp16 and cast to fp32 once in the graph (ORT folds the casts at session start).

    python -m rtgs2_train.export_encoder --checkpoint runs/encoder/checkpoint.pt \
        --out ../models/encoder.onnx --example-room data/encoder_heldout/<room>
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from . import encoder_model as em
from . import indices, scene_inputs
from .rooms import load_room

OPSET = 18


def round_weights_to_fp16(model: torch.nn.Module) -> None:
    """Every float parameter and buffer rounded to fp16, as the exported file stores them. The
    buffers matter: BatchNorm statistics end up in fp16 initializers too (folded into the
    convolution before it or not). With only the parameters rounded, the 1 2 8 4 fusion
    network's PyTorch logits differed from ONNX Runtime's by 1.45e-3 of the largest logit; with
    the statistics rounded as well, by 1.9e-4 (graph optimisations account for 1e-6 of it)."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
        for b in model.buffers():
            if b.is_floating_point():
                b.copy_(b.half().float())


def checkpoint_args(checkpoint: Path | None) -> dict:
    """The training arguments a checkpoint stored (as text), {} without a checkpoint."""
    if not checkpoint:
        return {}
    return torch.load(checkpoint, weights_only=False).get("args", {})


def checkpoint_rule(checkpoint: Path | None) -> int:
    """The input rule a checkpoint was trained with (runs before rule 2 recorded none: 1)."""
    return int(checkpoint_args(checkpoint).get("input_rule", 1))


def checkpoint_upright(checkpoint: Path | None) -> bool:
    """Whether a checkpoint was trained upright (`train_encoder --upright`)."""
    return str(checkpoint_args(checkpoint).get("upright", False)) == "True"


def load_model(checkpoint: Path | None) -> em.EncoderLite:
    """The network as exported: checkpoint weights (or seed-0 init) rounded to fp16, eval mode."""
    torch.manual_seed(0)
    model = em.EncoderLite()
    if checkpoint:
        model.load_state_dict(torch.load(checkpoint, weights_only=False)["model"])
    round_weights_to_fp16(model)
    return model.eval()


def example_inputs(room_dir: Path, grid: float, limit: int | None = None, rule: int = 1) -> dict[str, np.ndarray]:
    room = load_room(room_dir)
    sl = slice(None) if limit is None else slice(0, limit)
    return scene_inputs.build(room.positions[sl], room.f_dc[sl], room.opacity_logit[sl], room.log_scales[sl],
                              grid, em.used_patches(), rule)


def dynamic_axes() -> dict[str, dict[int, str]]:
    axes = {"voxel_feat": {0: "v0"}, "gauss_feat": {0: "gaussians"}, "gauss_voxel": {0: "gaussians"},
            "features": {0: "gaussians"}}
    for s in range(indices.STAGES):
        axes[f"nbr_s{s}"] = {0: f"v{s}"}
    for s, o in em.used_patches():
        axes[f"patch_s{s}_{o}"] = {0: f"p{s}_{o}", 1: f"k{s}_{o}"}
        axes[f"unpatch_s{s}_{o}"] = {0: f"v{s}"}
    for s in range(indices.STAGES - 1):
        axes[f"pool_s{s}"] = {0: f"v{s + 1}"}
        axes[f"unpool_s{s}"] = {0: f"v{s}"}
    return axes


def to_fp16_initializers(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    casts = []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT or len(init.dims) == 0:
            continue
        arr = numpy_helper.to_array(init).astype(np.float16)
        name = init.name
        init.CopyFrom(numpy_helper.from_array(arr, name + "_fp16"))
        casts.append(helper.make_node("Cast", [name + "_fp16"], [name], to=TensorProto.FLOAT, name=name + "_cast"))
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    return model


def export(model: em.EncoderLite, inputs: dict[str, np.ndarray], out: Path) -> None:
    wrapper = em.ExportWrapper(model).eval()
    args = tuple(torch.from_numpy(inputs[n]) for n in em.input_names())
    tmp = out.with_suffix(".fp32.onnx")
    torch.onnx.export(wrapper, args, str(tmp), input_names=em.input_names(), output_names=["features"],
                      dynamic_axes=dynamic_axes(), opset_version=OPSET, dynamo=False)
    m = to_fp16_initializers(onnx.load(str(tmp)))
    onnx.checker.check_model(m)
    onnx.save(m, str(out))
    tmp.unlink()


VOXEL_FEAT_TEXT = {
    1: "mean over the voxel of [xyz - bbox centre (3), SH-DC min-max normalised (3), sigmoid opacity (1), "
       "log-scales (3)], then log(count)",
    2: "mean over the voxel of [zero (3), clip(0.5 + C0 * SH-DC, 0, 1) (3), sigmoid opacity (1), log-scales "
       "sorted largest first minus the scene's median mean-log-scale (3)], then 0",
}


def card(grid: float, extra: dict, rule: int = 1, upright: bool = False) -> dict:
    return {
        "name": "rtgs2 scene encoder (PTv3-lite, self-supervised)",
        "format": "rtgs2-encoder/1",
        "feature_dim": em.FEATURE_DIM,
        "grid": grid,
        "stages": indices.STAGES,
        "patch_size": indices.PATCH,
        "coord_bits": indices.BITS,
        "orders": list(indices.ORDERS),
        "used_patches": [[s, o] for s, o in em.used_patches()],
        "inputs": em.input_names(),
        "output": "features",
        "input_rule": rule,
        "upright": upright,
        "voxel_feat": VOXEL_FEAT_TEXT[rule],
        "gauss_feat": "[colour (3), opacity (1), log-scales (3), offset from voxel centre in voxels (3)]",
        "architecture": {"enc_channels": list(em.ENC_CHANNELS), "enc_depths": list(em.ENC_DEPTHS),
                         "dec_channels": list(em.DEC_CHANNELS), "head_dim": em.HEAD_DIM,
                         "weights": "fp16 (cast to fp32 in the graph)", "opset": OPSET},
        **extra,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, help="training checkpoint (omit for an untrained network)")
    ap.add_argument("--out", type=Path, default=Path("../models/encoder.onnx"))
    ap.add_argument("--example-room", type=Path, required=True)
    ap.add_argument("--grid", type=float, default=0.05)
    ap.add_argument("--card-extra", type=Path, help="JSON merged into the model card (recipe, metrics)")
    args = ap.parse_args(argv)
    model = load_model(args.checkpoint)
    rule = checkpoint_rule(args.checkpoint)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    export(model, example_inputs(args.example_room, args.grid, limit=20000, rule=rule), args.out)
    extra = json.loads(args.card_extra.read_text()) if args.card_extra else {}
    upright = checkpoint_upright(args.checkpoint)
    args.out.with_suffix(".json").write_text(json.dumps(card(args.grid, extra, rule, upright), indent=2) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) and its card")


if __name__ == "__main__":
    main()

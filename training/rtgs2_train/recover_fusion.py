"""Recover a trainable checkpoint from a shipped fusion model (models/fusion.onnx + its card).

Training checkpoints are not kept in git; the shipped ONNX file is. To continue training the
shipped model on a machine that never had its run folder, this rebuilds the PyTorch weights
from the file:

- initializers named after a parameter (`net.<param>_fp16`) are that parameter;
- a Linear layer's weight is stored transposed for MatMul under an anonymous name;
- a convolution followed by a BatchNorm was folded into one convolution by the exporter, so
  the convolution takes the folded weight and bias, and the BatchNorm becomes an exact
  identity at inference whose statistics are measured on training crops (`--calibrate`):
  running mean/var are the batch statistics of its input and weight/bias undo them, so that in
  training mode (batch statistics) it still passes its input through about unchanged.

The network is the one the card describes: its modality, the feature branch's depths, and
whether it reads gravity cues and has a cue head (`gravity_cues`, `architecture.cue_head`).
Which anonymous initializer is which is found by exporting a freshly built network of the same
code with random weights and matching values, so no name produced by the exporter is assumed.
The recovered network is checked against ONNX Runtime on the shipped file before it is saved.

    python -m rtgs2_train.recover_fusion --onnx ../models/fusion.onnx --calibrate data/fusion_train5 \
        --run-dir runs/fusion_features_ls_cb_cont7

A file whose card records a `bias_calibration` (calibrate_bias.py: per-class offsets folded into
the classifier's bias after training) is recovered *without* those offsets, i.e. as the network
training left it, so that continuing it trains the plain network and calibrating it again
reproduces the shipped file; the ONNX Runtime check runs before they are taken out.

writes `checkpoint.pt` (weights, input normalisation and step from the card; for a calibrated
file also `checkpoint_calibrated.pt`, the network with its offsets, as the file ships it: the
fixture is made from that one) and
`recovered.json` (the file's hash and the card's recipe, ablation and metrics, which
`fusion_card_extra` uses as the history of a run continued from it).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

from . import fusion_model as fm
from .calibrate_bias import CLASSIFIER_BIAS, offsets_of
from .export_fusion import export_fp32
from .fusion_data import Batcher, ViewSet
from .fusion_eval import onnx_predictor, torch_predictor
from .train_fusion import save_atomically

FP16_SUFFIX = "_fp16"
NORM_KEYS = ("rgb_mean", "rgb_std", "feature_scale")


class RecoveryError(RuntimeError):
    pass


def modality_of(card: dict) -> str:
    """The variant a card describes: its architecture's `modality` where it names one (two
    variants take RGB and features), else the one its inputs imply (older cards)."""
    inputs = card.get("inputs")
    by_inputs = {("rgb",): "rgb", ("features",): "features", ("rgb", "features"): "both"}
    named = (card.get("architecture") or {}).get("modality")
    if named is not None:
        if named not in fm.MODALITIES:
            raise RecoveryError(f"the card's architecture names modality {named!r}, not one of {fm.MODALITIES}")
        if fm.INPUTS[named] != list(inputs or ()):
            raise RecoveryError(f"the card's inputs {inputs!r} are not those of a {named!r} network")
        return named
    if tuple(inputs or ()) not in by_inputs:
        raise RecoveryError(f"the card's inputs {inputs!r} name no fusion variant")
    return by_inputs[tuple(inputs)]


def feature_depths_of(card: dict) -> tuple[int, ...]:
    """The feature branch's blocks per stage; cards from before the option had one each."""
    depths = card.get("architecture", {}).get("feature_depths", list(fm.FEAT_DEPTHS))
    if not (isinstance(depths, list) and len(depths) == 4 and all(isinstance(d, int) and d >= 1 for d in depths)):
        raise RecoveryError(f"the card's architecture.feature_depths {depths!r} is not four block counts >= 1")
    return tuple(depths)


def cues_of(card: dict) -> tuple[bool, bool]:
    """Whether the network reads gravity cues (the card names their version) and whether it
    has a cue head (its architecture describes one); older cards have neither."""
    return bool(card.get("gravity_cues")), bool((card.get("architecture") or {}).get("cue_head"))


def build(modality: str, depths: tuple[int, ...], cues: bool, cue_head: bool) -> fm.FusionNet:
    return fm.from_args({"modality": modality, "feature_depths": list(depths), "gravity_cues": cues,
                         "cue_head": cue_head})


def initializers(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Initializers as fp32 arrays, under the names the graph's Cast nodes give them."""
    out = {}
    for init in model.graph.initializer:
        name = init.name[: -len(FP16_SUFFIX)] if init.name.endswith(FP16_SUFFIX) else init.name
        out[name] = numpy_helper.to_array(init).astype(np.float32)
    return out


def op_sequence(model: onnx.ModelProto) -> list[str]:
    return [n.op_type for n in model.graph.node if n.op_type != "Cast"]


def conv_bn_pairs(net: nn.Module) -> list[tuple[str, str]]:
    """Every (Conv2d, BatchNorm2d) whose channel counts allow folding; the probe decides which
    were folded."""
    convs = [(n, m) for n, m in net.named_modules() if isinstance(m, nn.Conv2d)]
    bns = [(n, m) for n, m in net.named_modules() if isinstance(m, nn.BatchNorm2d)]
    return [(cn, bn) for cn, c in convs for bn, b in bns if c.out_channels == b.num_features]


def folded(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> tuple[np.ndarray, np.ndarray]:
    """The exporter's Conv+BatchNorm fold (eval mode) of these two layers."""
    with torch.no_grad():
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        w = conv.weight * scale.reshape(-1, 1, 1, 1)
        b = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
        b = (b - bn.running_mean) * scale + bn.bias
    return w.numpy(), b.numpy()


def probe_map(modality: str, depths: tuple[int, ...] = fm.FEAT_DEPTHS, cues: bool = False,
              cue_head: bool = False) -> tuple[dict[str, tuple], list[str]]:
    """Export a network with random, distinct values everywhere and say, for each anonymous
    initializer, where its values come from: ("linear", param) for a transposed Linear weight,
    ("fold_w" | "fold_b", conv, bn) for a folded convolution. Also the graph's op sequence."""
    torch.manual_seed(0)
    net = build(modality, depths, cues, cue_head).eval()
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand_like(t) + 0.5 if name.endswith("running_var") else torch.randn_like(t))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.onnx"
        export_fp32(net, path)
        probe = onnx.load(str(path))
    state = {k: v.numpy() for k, v in net.state_dict().items()}
    modules = dict(net.named_modules())
    folds = {pair: folded(modules[pair[0]], modules[pair[1]]) for pair in conv_bn_pairs(net)}
    found: dict[str, tuple] = {}
    for name, value in initializers(probe).items():
        if name.startswith("net.") and name[4:] in state:
            continue
        hits = [("linear", k) for k, v in state.items() if v.ndim == 2 and v.T.shape == value.shape
                and np.array_equal(v.T, value)]
        for pair, (w, b) in folds.items():
            for kind, f in (("fold_w", w), ("fold_b", b)):
                if f.shape == value.shape and np.allclose(f, value, rtol=1e-5, atol=1e-6):
                    hits.append((kind, *pair))
        if len(hits) != 1:
            raise RecoveryError(f"initializer {name}: {len(hits)} sources in the probe export ({hits[:3]})")
        found[name] = hits[0]
    return found, op_sequence(probe)


def recover_state(onnx_model: onnx.ModelProto, modality: str, depths: tuple[int, ...] = fm.FEAT_DEPTHS,
                  cues: bool = False, cue_head: bool = False) -> tuple[fm.FusionNet, list[tuple[str, str, np.ndarray]]]:
    """The network with every weight the file holds; returns also the folded pairs
    (conv, bn, extra bias the BatchNorm must add when the convolution has none)."""
    mapping, probe_ops = probe_map(modality, depths, cues, cue_head)
    if op_sequence(onnx_model) != probe_ops:
        extras = ", ".join(n for n, on in (("gravity cues", cues), ("a cue head", cue_head)) if on) or "no cues"
        raise RecoveryError("the file's graph differs from what this code exports for a "
                            f"{modality!r} network with {extras}: it was made by another version of fusion_model.py")
    values = initializers(onnx_model)
    net = build(modality, depths, cues, cue_head)
    state = net.state_dict()
    modules = dict(net.named_modules())
    covered = set()
    fold_w: dict[tuple[str, str], np.ndarray] = {}
    fold_b: dict[tuple[str, str], np.ndarray] = {}
    for name, value in values.items():
        if name.startswith("net.") and name[4:] in state:
            state[name[4:]] = torch.from_numpy(value.copy()).reshape(state[name[4:]].shape)
            covered.add(name[4:])
        elif name in mapping:
            kind, *where = mapping[name]
            if kind == "linear":
                state[where[0]] = torch.from_numpy(value.T.copy())
                covered.add(where[0])
            else:
                (fold_w if kind == "fold_w" else fold_b)[tuple(where)] = value
        else:
            raise RecoveryError(f"initializer {name} is not in the probe export")
    pairs = []
    for conv, bn in fold_w:
        if (conv, bn) not in fold_b:
            raise RecoveryError(f"{conv} was folded with {bn} but the folded bias is missing")
        state[f"{conv}.weight"] = torch.from_numpy(fold_w[(conv, bn)].copy())
        covered.add(f"{conv}.weight")
        extra = np.zeros_like(fold_b[(conv, bn)])
        if modules[conv].bias is not None:
            state[f"{conv}.bias"] = torch.from_numpy(fold_b[(conv, bn)].copy())
            covered.add(f"{conv}.bias")
        else:
            extra = fold_b[(conv, bn)]
        covered.update(f"{bn}.{k}" for k in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"))
        pairs.append((conv, bn, extra))
    missing = [k for k in state if k not in covered and not k.endswith("num_batches_tracked")]
    if missing:
        raise RecoveryError(f"the file holds no value for {missing[:5]}")
    net.load_state_dict(state)
    return net, pairs


def calibrate(net: fm.FusionNet, pairs, batches: list[dict[str, np.ndarray]]) -> None:
    """Give each folded-away BatchNorm the statistics of its input on training crops, with
    weight and bias that undo them: identity at inference, about identity in training."""
    modules = dict(net.named_modules())
    sums: dict[str, list] = {bn: [] for _, bn, _ in pairs}
    hooks = []
    for _, bn, extra in pairs:
        m = modules[bn]
        with torch.no_grad():
            m.weight.fill_(1.0)
            m.bias.copy_(torch.from_numpy(extra))
            m.running_mean.zero_()
            m.running_var.fill_(1.0 - m.eps)

        def grab(mod, inp, out, bn=bn):
            x = inp[0].detach().double()
            sums[bn].append((x.mean((0, 2, 3)), (x * x).mean((0, 2, 3))))

        hooks.append(m.register_forward_hook(grab))
    predict = torch_predictor(net)
    for b in batches:
        predict({k: b[k] for k in net.input_names()})
    for h in hooks:
        h.remove()
    for _, bn, extra in pairs:
        m = modules[bn]
        mean = torch.stack([s[0] for s in sums[bn]]).mean(0)
        var = (torch.stack([s[1] for s in sums[bn]]).mean(0) - mean * mean).clamp_min(0.0)
        with torch.no_grad():
            m.running_mean.copy_(mean.float())
            m.running_var.copy_(var.float())
            m.weight.copy_(torch.sqrt(var + m.eps).float())
            m.bias.copy_(mean.float() + torch.from_numpy(extra))


def check_against_onnx(net: fm.FusionNet, path: Path, batch: dict[str, np.ndarray], tolerance: float) -> float:
    """Largest |PyTorch - ONNX Runtime| logit difference over the batch's first crop, relative
    to the largest logit; refuses the recovery above `tolerance`."""
    inputs = {k: np.ascontiguousarray(batch[k][:1]) for k in net.input_names()}
    mine = torch_predictor(net)(inputs)
    ref = onnx_predictor(path)(inputs)
    err = float(np.abs(mine - ref).max() / max(np.abs(ref).max(), 1e-6))
    if not err <= tolerance:
        raise RecoveryError(f"recovered network differs from {path} by {err:.2e} (relative), above {tolerance:.0e}")
    return err


def remove_bias_calibration(net: fm.FusionNet, record: dict) -> None:
    """Subtract a card's calibration offsets from the classifier's bias (see the module notes)."""
    try:
        offsets = offsets_of(record)
    except ValueError as e:
        raise RecoveryError(f"the card's {e}") from None
    bias = dict(net.named_parameters())[CLASSIFIER_BIAS]
    with torch.no_grad():
        bias -= torch.from_numpy(offsets)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", type=Path, default=Path("../models/fusion.onnx"))
    ap.add_argument("--card", type=Path, help="its model card (default: the .json beside it)")
    ap.add_argument("--calibrate", type=Path, nargs="+", required=True,
                    help="exported training views whose crops give the folded BatchNorms their statistics")
    ap.add_argument("--batches", type=int, default=16, help="calibration batches of 8 crops")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tolerance", type=float, default=1e-3)
    ap.add_argument("--run-dir", type=Path, required=True)
    args = ap.parse_args(argv)
    card_path = args.card or args.onnx.with_suffix(".json")
    for p in (args.onnx, card_path):
        if not p.exists():
            raise SystemExit(f"{p} does not exist")
    try:
        card = json.loads(card_path.read_text())
        norm = {k: card[k] for k in NORM_KEYS}
    except (json.JSONDecodeError, KeyError) as e:
        raise SystemExit(f"{card_path}: not a fusion model card ({e})") from None
    try:
        model = onnx.load(str(args.onnx))
    except Exception as e:  # protobuf's DecodeError and friends: a truncated or foreign file
        raise SystemExit(f"{args.onnx}: not a readable ONNX file ({e})") from None
    try:
        modality = modality_of(card)
        depths = feature_depths_of(card)
        cues, cue_head = cues_of(card)
        net, pairs = recover_state(model, modality, depths, cues, cue_head)
        views = ViewSet(args.calibrate, cues=cues)
        batcher = Batcher(views, norm, seed=args.seed, features="features" in net.input_names(),
                          rgb="rgb" in net.input_names())
        batches = [batcher.batch(8) for _ in range(args.batches)]
        calibrate(net, pairs, batches)
        err = check_against_onnx(net, args.onnx, batches[0], args.tolerance)
        calibration = card.get("bias_calibration")
        as_shipped = None
        if calibration is not None:
            # The network exactly as the file ships it (offsets included): what the parity
            # fixture and a re-export of the same file are made from.
            as_shipped = copy.deepcopy(net.state_dict())
            remove_bias_calibration(net, calibration)
    except RecoveryError as e:
        raise SystemExit(f"{args.onnx}: {e}") from None
    args.run_dir.mkdir(parents=True, exist_ok=True)
    recovered = {
        "onnx": str(args.onnx), "onnx_sha256": hashlib.sha256(args.onnx.read_bytes()).hexdigest(),
        "command": "python -m rtgs2_train.recover_fusion --onnx " + str(args.onnx) + " --calibrate "
                   + " ".join(map(str, args.calibrate)) + f" --batches {args.batches} --seed {args.seed}"
                   + f" --run-dir {args.run_dir}",
        "folded_batchnorms": [bn for _, bn, _ in pairs],
        "max_relative_logit_difference": err,
        # The checkpoint is the network before these offsets (module notes).
        **({"bias_calibration_removed": calibration} if calibration is not None else {}),
        "card": {k: card[k] for k in ("recipe", "ablation", "beyond_ablation", "metrics", "shipped_run",
                                      "checkpoint_step") if k in card},
    }
    ck = {"model": net.state_dict(), "step": card.get("checkpoint_step", 0), "norm": norm,
          "args": {"modality": modality, "feature_depths": list(depths), "gravity_cues": cues, "cue_head": cue_head,
                   "recovered_from": str(args.onnx)}}
    save_atomically(ck, args.run_dir / "checkpoint.pt")
    if as_shipped is not None:
        save_atomically({**ck, "model": as_shipped, "bias_calibration": calibration},
                        args.run_dir / "checkpoint_calibrated.pt")
    (args.run_dir / "recovered.json").write_text(json.dumps(recovered, indent=1) + "\n")
    print(f"recovered {args.onnx} into {args.run_dir}/checkpoint.pt: {len(pairs)} folded BatchNorms "
          f"recalibrated, ONNX Runtime agrees to {err:.1e} (relative)"
          + ("; the card's bias calibration taken out of the classifier" if calibration is not None else ""))


if __name__ == "__main__":
    main()

"""Train the VDVI-lite fusion network on views exported by `rtgs2 export-dataset`.

Generalisation mode (default): cross-entropy with label smoothing (0.15, RT-GS2) over random
192x256 crops with flips and colour jitter; AdamW, linear warm-up then poly 0.9 decay,
gradient clipping at 1. Fine-tuning mode (`--finetune CKPT`, one labelled scene): starts from
a generalisation checkpoint and adds CeCo (lambda 0.4): class centres of the decoder's
embedding, pooled per class over the batch, classified by a fixed simplex ETF.

Single CPU process by default; under `torchrun --nproc_per_node=N` every rank draws its own
batches and DDP averages the gradients. RUN/checkpoint.pt is written atomically every
--checkpoint-every steps and at the end; --resume continues from it. At the end the model is
evaluated on --val (full frames), written to RUN/eval.json.

    python -m rtgs2_train.train_fusion --data data/fusion_train --val data/fusion_heldout \
        --run-dir runs/fusion_both --modality both --steps 1200 --seed 3
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from . import fusion_eval, fusion_loss
from .fusion_data import Batcher, Prefetcher, ViewSet, class_weights, input_statistics
from .fusion_model import CUE_CHANNELS, DECODER_EMBED, MODALITIES, NUM_CLASSES, FusionNet, from_args
from .imagenet_trunk import load_pretrained
from .metrics import IGNORE


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, nargs="+", required=True, help="exported dataset folder(s)")
    ap.add_argument("--val", type=Path, nargs="*", default=[], help="exported views to evaluate on at the end")
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--modality", choices=list(MODALITIES), default="both")
    ap.add_argument("--gravity-cues", action="store_true",
                    help="also read the views' gravity cues (height above the floor and below the top, relative "
                         "height, flatness) after the features; add them with add_gravity_cues.sh")
    ap.add_argument("--cue-head", action="store_true",
                    help="with --gravity-cues: also a per-pixel path from the cues straight to the logits "
                         "(fusion_model.CueHead, zero at first)")
    ap.add_argument("--feature-depths", type=int, nargs=4, default=[1, 1, 1, 1], metavar="D",
                    help="MiT blocks in each feature-branch stage (blocks past the first start as identities, "
                         "so --init-from a shallower checkpoint starts from its function)")
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--minutes", type=float, default=0.0, help="stop (and checkpoint) after this wall time")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="stop (and checkpoint) after this step; the schedule still runs to --steps "
                         "(reproduces a run that was cut short and continued from)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, nargs=2, default=[192, 256], metavar=("H", "W"))
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-2)
    ap.add_argument("--warmup", type=int, default=60, help="warm-up steps")
    ap.add_argument("--label-smoothing", type=float, default=0.15)
    ap.add_argument("--jitter", type=float, default=0.25, help="colour jitter strength on RGB")
    ap.add_argument("--isolate", type=float, default=0.0,
                    help="share of crops showing one object class on a void (splats of single objects)")
    ap.add_argument("--rgb-dropout", type=float, default=0.0,
                    help="share of crops whose RGB input is replaced by the mean colour (features alone must "
                         "carry them): keeps a from-scratch RGB branch from crowding out the features")
    ap.add_argument("--class-balance", type=float, default=0.0,
                    help="weight classes by pixel frequency^-P (0 = plain CE, as in RT-GS2; 0.5 = inverse square root)")
    ap.add_argument("--finetune", type=Path, help="start from this checkpoint (one-scene fine-tuning)")
    ap.add_argument("--init-from", type=Path,
                    help="warm start: take every tensor of this checkpoint (any variant) that the new network "
                         "has under the same name and shape, e.g. a features-only model's feature branch for a "
                         "'both' network, and keep that checkpoint's input normalisation")
    ap.add_argument("--freeze-init-steps", type=int, default=0,
                    help="with --init-from: keep the taken tensors fixed for this many steps while the new "
                         "parts learn (so their first, noisy gradients do not undo what was taken)")
    ap.add_argument("--ceco", type=float, default=0.0, help="CeCo weight (0.4 in RT-GS2's fine-tuning)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    ap.add_argument("--checkpoint-every", type=int, default=50)
    ap.add_argument("--val-max-views", type=int, default=None)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--loader-workers", type=int, default=0,
                    help="processes preparing batches ahead of the step (0 = in line); same batches either way")
    return ap.parse_args(argv)


def simplex_etf(dim: int, classes: int, seed: int = 0) -> torch.Tensor:
    """[dim, classes] simplex equiangular tight frame: unit columns, pairwise cosine -1/(K-1)."""
    if dim < classes:
        raise ValueError("the ETF needs dim >= classes")
    g = torch.Generator().manual_seed(seed)
    u, _ = torch.linalg.qr(torch.randn(dim, classes, generator=g))
    k = classes
    return math.sqrt(k / (k - 1)) * u @ (torch.eye(k) - torch.full((k, k), 1.0 / k))


class CeCo(nn.Module):
    """Center collapse regulariser (Zhong et al., CVPR 2023) as RT-GS2 uses it for fine-tuning."""

    def __init__(self, embed: int = DECODER_EMBED, classes: int = NUM_CLASSES, dim: int = 64, temperature: float = 0.1):
        super().__init__()
        self.project = nn.Conv2d(embed, dim, 1)
        self.register_buffer("etf", simplex_etf(dim, classes))
        self.temperature = temperature

    def forward(self, embedding: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        z = self.project(embedding)  # [B, dim, h, w]
        t = F.interpolate(target[:, None].float(), size=z.shape[2:], mode="nearest")[:, 0].long()
        z = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        t = t.reshape(-1)
        keep = t != IGNORE
        z, t = z[keep], t[keep]
        if len(t) == 0:
            return embedding.sum() * 0.0
        classes, inverse = torch.unique(t, return_inverse=True)
        centres = torch.zeros(len(classes), z.shape[1]).index_add_(0, inverse, z)
        centres = centres / torch.bincount(inverse).unsqueeze(1).float()
        logits = F.normalize(centres, dim=1) @ self.etf / self.temperature
        return F.cross_entropy(logits, classes)


def lr_at(step: int, args) -> float:
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (1.0 - min(progress, 1.0)) ** 0.9


def warm_start_names(model: nn.Module, state: dict) -> list[str]:
    """Names of `state`'s tensors that `model` has with the same shape."""
    own = model.state_dict()
    return [k for k, v in state.items() if k in own and own[k].shape == v.shape]


def taken_parts(names: list[str]) -> list[str]:
    """The modules a warm start took, named to their second level (`feat.embed`, `decoder.fuse`)."""
    return sorted({".".join(n.split(".")[:2]) for n in names})


def warm_start(model: nn.Module, state: dict, names: list[str]) -> None:
    """Loads the tensors `names` (warm_start_names) of `state` into `model`. Refuses a checkpoint
    that shares nothing with the network (a wrong file, not a warm start)."""
    if not names:
        raise SystemExit("--init-from: the checkpoint has no tensor of this network's names and shapes")
    model.load_state_dict({k: state[k] for k in names}, strict=False)


def save_atomically(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)  # an --out in a folder not made yet
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    rank = 0
    if distributed:
        dist.init_process_group("gloo")
        rank = dist.get_rank()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = args.run_dir / "checkpoint.pt"

    views = ViewSet(args.data, cues=args.gravity_cues)
    model = FusionNet(args.modality, feature_dim=views.feature_dim or 32, feature_depths=tuple(args.feature_depths),
                      cues=CUE_CHANNELS if args.gravity_cues else 0, cue_head=args.cue_head)
    ceco = CeCo() if args.ceco > 0 else None
    if args.init_from and args.finetune:
        raise SystemExit("--init-from starts a new network from parts of another; --finetune continues one")
    if args.init_from and args.ceco:
        raise SystemExit("--ceco is for fine-tuning a trained network on one scene (with --finetune), "
                         "not for a network warm-started with --init-from")
    init = torch.load(args.init_from, weights_only=False) if args.init_from else None
    names = warm_start_names(model, init["model"]) if init else []
    taken = set(names)
    if init:
        args.init_step = init["step"]  # recorded on a resumed start too (args.json is rewritten)
    params = list(model.parameters()) + (list(ceco.parameters()) if ceco else [])
    # Two parameter groups: the parts taken by --init-from (held at lr 0 during
    # --freeze-init-steps: exact, and unlike toggling requires_grad it is safe under DDP) and the rest.
    fresh = [p for n, p in model.named_parameters() if n not in taken] + (list(ceco.parameters()) if ceco else [])
    groups = [{"params": fresh}] + ([{"params": [p for n, p in model.named_parameters() if n in taken],
                                       "taken": True}] if taken else [])
    opt = torch.optim.AdamW(groups, lr=args.lr, weight_decay=args.weight_decay)
    start = 0
    norm = None
    if args.resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        if ceco and "ceco" in ck:
            ceco.load_state_dict(ck["ceco"])
        start, norm = ck["step"], ck["norm"]
        print(f"resumed at step {start}")
    elif args.finetune:
        ck = torch.load(args.finetune, weights_only=False)
        if ck["args"]["modality"] != args.modality:
            raise SystemExit(f"{args.finetune} is a {ck['args']['modality']!r} model, not {args.modality!r}")
        if from_args(ck["args"]).feature_depths != model.feature_depths:
            raise SystemExit(f"{args.finetune} has feature depths {list(from_args(ck['args']).feature_depths)}, not "
                             f"{args.feature_depths}: continue it with its own, or start a deeper one with --init-from")
        model.load_state_dict(ck["model"])
        norm = ck["norm"]  # the network's inputs must stay as it learnt them
        # Which step of that run this one starts from: a run cut short (and continued from
        # before its --steps) is reproduced with --stop-after this step.
        args.finetune_step = ck["step"]
    elif init:
        warm_start(model, init["model"], names)
        norm = init["norm"]  # the taken parts learnt their inputs normalised this way
        if rank == 0:
            parts = taken_parts(names)
            (args.run_dir / "taken.json").write_text(json.dumps({"from": str(args.init_from), "step": init["step"],
                                                                 "parts": parts}, indent=1) + "\n")
            print(f"--init-from {args.init_from}: took {len(names)} tensors ({', '.join(parts)}); "
                  "the rest starts fresh", flush=True)
    if norm is None:
        norm = input_statistics(views)
    if model.trunk is not None and not (args.resume and ckpt_path.exists()) and not args.finetune \
            and "trunk._conv_stem.weight" not in taken:
        # A new ImageNet trunk: its pretrained weights, fed the frame as the card normalises it.
        load_pretrained(model.trunk)
        model.trunk.set_input_normalisation(norm["rgb_mean"], norm["rgb_std"])
        if rank == 0:
            print("ImageNet trunk: EfficientNet-Lite0 weights loaded", flush=True)
    weights = None
    if args.class_balance > 0:
        weights = torch.tensor(class_weights(views, args.class_balance), dtype=torch.float32)
        if rank == 0:
            (args.run_dir / "class_weights.json").write_text(json.dumps(weights.tolist()) + "\n")
    if rank == 0:
        (args.run_dir / "norm.json").write_text(json.dumps(norm, indent=1) + "\n")
        (args.run_dir / "args.json").write_text(json.dumps(vars(args), default=str, indent=1) + "\n")
    net = nn.parallel.DistributedDataParallel(model) if distributed else model
    batcher = Batcher(views, norm, tuple(args.crop), seed=args.seed * 1000 + rank + start,
                      features="features" in model.input_names(), rgb="rgb" in model.input_names(),
                      jitter=args.jitter, isolate=args.isolate,
                      rgb_dropout=args.rgb_dropout)
    prefetch = Prefetcher(batcher, args.batch, args.loader_workers) if args.loader_workers > 0 else None

    def checkpoint(step):
        if rank == 0:
            save_atomically({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                             "args": vars(args) | {"data": [str(d) for d in args.data], "val": [str(v) for v in args.val],
                                                   "run_dir": str(args.run_dir),
                                                   "finetune": str(args.finetune) if args.finetune else None,
                                                   "init_from": str(args.init_from) if args.init_from else None},
                             "norm": norm, **({"ceco": ceco.state_dict()} if ceco else {})}, ckpt_path)

    log = open(args.run_dir / "log.jsonl", "a") if rank == 0 else None
    t_start = time.time()
    model.train()
    step = start
    while step < args.steps:
        for g in opt.param_groups:
            held = g.get("taken") and step < args.freeze_init_steps
            g["lr"] = 0.0 if held else lr_at(step, args)
        t0 = time.time()
        b = prefetch.next() if prefetch else batcher.batch(args.batch)
        target = torch.from_numpy(b["target"])
        inputs = {k: torch.from_numpy(b[k]) for k in model.input_names()}
        if ceco:
            emb = model.decoder.embed(model.stages(**inputs))
            logits_s4 = model.decoder.classify(model.decoder.dropout(emb))
        else:
            logits_s4 = net(**inputs, full_size=False)
        rows, target_rows = fusion_loss.pixel_logits(logits_s4, tuple(target.shape[1:])), target.reshape(-1)
        ce = fusion_loss.cross_entropy(rows, target_rows, weights, args.label_smoothing)
        loss = ce + (args.ceco * ceco(emb, target) if ceco else 0.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if ceco and distributed:
            raise SystemExit("CeCo fine-tuning runs in one process")
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if rank == 0:
            with torch.no_grad():
                acc = fusion_loss.pixel_accuracy(rows, target_rows)
            rec = {"step": step, "loss": round(loss.item(), 4), "ce": round(ce.item(), 4), "acc": round(acc, 4),
                   "lr": round(lr_at(step - 1, args), 6), "s": round(time.time() - t0, 3)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            if step % 10 == 0 or step == 1:
                print(json.dumps(rec), flush=True)
        out_of_time = args.minutes > 0 and (time.time() - t_start) > args.minutes * 60
        stop_here = step == args.stop_after
        if step % args.checkpoint_every == 0 or step == args.steps or out_of_time or stop_here:
            checkpoint(step)
        if out_of_time or stop_here:
            print(f"stopping at step {step}: " + ("--stop-after" if stop_here else f"--minutes {args.minutes}")
                  + " reached", flush=True)
            break
    if prefetch:
        prefetch.close()
    if log:
        log.close()
    if rank == 0:
        checkpoint(step)
        if args.val:
            result = fusion_eval.evaluate(fusion_eval.torch_predictor(model), ViewSet(args.val, cues=args.gravity_cues),
                                          fusion_eval.card_of(model.input_names(), norm), args.val_max_views)
            result |= {"step": step, "minutes": round((time.time() - t_start) / 60, 1)}
            (args.run_dir / "eval.json").write_text(json.dumps(result, indent=1) + "\n")
            t = result["total"]
            print(f"val mIoU {t['miou']:.4f} mAcc {t['macc']:.4f} oAcc {t['oacc']:.4f}", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()

"""Self-supervised training of the PTv3-lite encoder (PointContrast / PointInfoNCE, RT-GS2 recipe).

One step = one room, one camera pair whose visible Gaussian sets overlap with 0.3 < IoU < 0.8,
each view's set independently augmented, voxelised and encoded; the loss is PointInfoNCE
(tau 0.07) over up to 4096 Gaussians seen in both views. Adam 1e-3, weight decay 1e-5.

Single CPU process by default; under `torchrun --nproc_per_node=N` every rank draws its own
pairs and DDP averages the gradients (nothing else changes). Checkpoints every
--checkpoint-every steps to RUN/checkpoint.pt (atomic); --resume continues from it.

    python -m rtgs2_train.train_encoder --rooms data/encoder_train --run-dir runs/encoder \
        --steps 100000 --minutes 70 --seed 7

`--rooms` takes several folders (rooms of every source mixed); `--input-rule 2` trains on the
density- and placement-free inputs, `--keep-min` thins each view independently.
`--semantic-weight W` adds W x the NYU40 cross-entropy of a cosine classifier over the features
of both views' labelled Gaussians (`semantic_head.py`; the head is not exported).
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
import torch.nn.functional as F

from . import encoder_model as em
from . import semantic_head as sh
from .augment import augmented_inputs, thin
from .rooms import load_room, mine_pairs


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rooms", type=Path, nargs="+", required=True,
                    help="folders of trainer-folder rooms (`rtgs2 synth` or `rtgs2 import` output)")
    ap.add_argument("--run-dir", type=Path, required=True, help="output folder (checkpoints, log); not --run, which torchrun would take for its own --run-path")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--minutes", type=float, default=0.0, help="stop after this wall time (0 = no limit)")
    ap.add_argument("--grid", type=float, default=0.05)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-5)
    ap.add_argument("--tau", type=float, default=0.07)
    ap.add_argument("--correspondences", type=int, default=4096)
    ap.add_argument("--max-view-gaussians", type=int, default=60000,
                    help="larger view sets are cut to a random sphere around a common Gaussian")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--input-rule", type=int, default=1, choices=(1, 2),
                    help="encoder input rule (scene_inputs.py); 2 = density- and placement-free")
    ap.add_argument("--keep-min", type=float, default=1.0,
                    help="each view keeps a random share in [keep-min, 1] of its Gaussians (1 = all)")
    ap.add_argument("--semantic-weight", type=float, default=0.0,
                    help="weight of the semantic auxiliary loss on labelled Gaussians (0 = self-supervised only)")
    ap.add_argument("--semantic-head-lr", type=float, default=1e-2,
                    help="learning rate of the semantic head: started at random, at the encoder's rate it "
                         "takes thousands of steps to reach the features' scale")
    ap.add_argument("--semantic-balance", type=float, default=0.5,
                    help="class weights of the semantic loss: frequency^-balance")
    ap.add_argument("--upright", action="store_true",
                    help="rotate rooms only about their recorded up (levelled first), so the features may "
                         "depend on which way is down; rooms without a recorded up are left out")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    ap.add_argument("--checkpoint-every", type=int, default=25)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init-from", type=Path,
                    help="start from these weights: a train_encoder checkpoint.pt or an exported encoder.onnx "
                         "(e.g. ../models/encoder.onnx, whose checkpoint is lost); a --resume that finds a "
                         "checkpoint continues that instead")
    return ap.parse_args(argv)


def info_nce(fa: torch.Tensor, fb: torch.Tensor, tau: float) -> tuple[torch.Tensor, float]:
    logits = fa @ fb.T / tau
    target = torch.arange(len(fa))
    loss = 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))
    acc = (logits.argmax(dim=1) == target).float().mean().item()
    return loss, acc


def cap_view(idx: np.ndarray, positions: np.ndarray, centre: np.ndarray, cap: int) -> np.ndarray:
    """Keep the `cap` Gaussians of a view closest to `centre` (bounds the step's cost)."""
    if len(idx) <= cap:
        return idx
    d = np.linalg.norm(positions[idx] - centre, axis=1)
    return np.sort(idx[np.argpartition(d, cap)[:cap]])


def encode_view(model, room, idx, grid, wanted, rng, rule, upright=False):
    inputs = augmented_inputs(
        room.positions[idx], room.f_dc[idx], room.opacity_logit[idx], room.log_scales[idx], grid, wanted, rng,
        rule=rule, up=room.up if upright else None,
    )
    return model({k: torch.from_numpy(inputs[k]) for k in em.input_names()})


def save_checkpoint(path: Path, state: dict):
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank = 0
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        rank = dist.get_rank()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    log = open(args.run_dir / f"train_rank{rank}.log", "a", buffering=1)

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")

    folders = sorted(p for root in args.rooms for p in root.iterdir() if (p / "cameras.json").exists())
    rooms, pairs = [], []
    for f in folders:
        room = load_room(f)
        masks, room_pairs = mine_pairs(room)
        if room_pairs:
            rooms.append((room, masks))
            pairs.append(room_pairs)
    if args.upright:
        kept = [i for i, (room, _) in enumerate(rooms) if room.up is not None]
        say(f"--upright: {len(rooms) - len(kept)} rooms without a recorded up left out")
        rooms, pairs = [rooms[i] for i in kept], [pairs[i] for i in kept]
    say(f"{len(rooms)} rooms with pairs, {sum(map(len, pairs))} pairs in all")

    if distributed and args.semantic_weight > 0:
        # The head sits outside DDP (a rank whose room has no labels gives it no gradient).
        raise SystemExit("--semantic-weight trains in one process only: its head is not synchronised across ranks")
    model = em.EncoderLite()
    head = sh.SemanticHead(em.FEATURE_DIM) if args.semantic_weight > 0 else None
    sem_weights = sh.class_weights([room.labels for room, _ in rooms], args.semantic_balance) if head else None
    groups = [{"params": list(model.parameters())}]
    if head:
        groups.append({"params": list(head.parameters()), "lr": args.semantic_head_lr})
    opt = torch.optim.Adam(groups, lr=args.lr, weight_decay=args.weight_decay)
    step = 0
    ckpt = args.run_dir / "checkpoint.pt"
    if args.resume and ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        if head is not None and "semantic_head" not in state:
            raise SystemExit(f"{ckpt}: no semantic head in this checkpoint; resume it without "
                             "--semantic-weight, or start a new run (--init-from it)")
        if head is None and "semantic_head" in state:
            raise SystemExit(f"{ckpt}: this run trained a semantic head; resume it with its --semantic-weight")
        if head is not None:
            head.load_state_dict(state["semantic_head"])
        opt.load_state_dict(state["optimizer"])
        step = state["step"]
        say(f"resumed at step {step}")
    elif args.init_from:
        if args.init_from.suffix == ".onnx":
            from .encoder_from_onnx import load_into

            load_into(model, args.init_from)
        else:
            model.load_state_dict(torch.load(args.init_from, weights_only=False)["model"])
        say(f"weights from {args.init_from}")
    net = torch.nn.parallel.DistributedDataParallel(model) if distributed else model

    def snapshot() -> dict:
        return {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                **({"semantic_head": head.state_dict()} if head else {}),
                "args": {k: str(v) for k, v in vars(args).items()}}

    wanted = em.used_patches()
    start = time.time()
    history = []
    while step < args.steps:
        if args.minutes and (time.time() - start) > args.minutes * 60:
            say(f"time budget reached at step {step}")
            break
        # Deterministic per (seed, rank, step): a resumed run draws the same pairs it would have.
        rng = np.random.default_rng([args.seed, rank, step])
        # Redraw rather than skip: under DDP every rank must take part in every step.
        for _ in range(20):
            r = rng.integers(len(rooms))
            room, masks = rooms[r]
            i, j = pairs[r][rng.integers(len(pairs[r]))]
            common = np.flatnonzero(masks[i] & masks[j])
            centre = room.positions[common[rng.integers(len(common))]]
            ia = cap_view(np.flatnonzero(masks[i]), room.positions, centre, args.max_view_gaussians)
            ib = cap_view(np.flatnonzero(masks[j]), room.positions, centre, args.max_view_gaussians)
            ia, ib = thin(ia, args.keep_min, rng), thin(ib, args.keep_min, rng)
            common = np.intersect1d(ia, ib)
            if len(common) >= 64:
                break
        pick = rng.choice(common, size=min(args.correspondences, len(common)), replace=False)
        t0 = time.time()
        fa = encode_view(net, room, ia, args.grid, wanted, rng, args.input_rule, args.upright)
        fb = encode_view(net, room, ib, args.grid, wanted, rng, args.input_rule, args.upright)
        loss, acc = info_nce(fa[np.searchsorted(ia, pick)], fb[np.searchsorted(ib, pick)], args.tau)
        sem_acc = float("nan")
        if head is not None and room.labels is not None:
            la, acc_a = sh.semantic_loss(head, fa, room.labels[ia], sem_weights)
            lb, acc_b = sh.semantic_loss(head, fb, room.labels[ib], sem_weights)
            if la is not None and lb is not None:
                loss = loss + args.semantic_weight * 0.5 * (la + lb)
                sem_acc = 0.5 * (acc_a + acc_b)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        history.append((loss.item(), acc, sem_acc))
        if step % 10 == 0 or step == 1:
            recent = np.nanmean(history[-10:], axis=0) if head else np.mean(history[-10:], axis=0)
            sem = f" class-acc {recent[2]:.3f}" if head else ""
            say(f"step {step} loss {recent[0]:.4f} match-acc {recent[1]:.3f}{sem} "
                f"step {time.time() - t0:.2f}s elapsed {(time.time() - start) / 60:.1f} min")
        if rank == 0 and (step % args.checkpoint_every == 0 or step == args.steps):
            save_checkpoint(ckpt, snapshot())
    if rank == 0:
        save_checkpoint(ckpt, snapshot())
        summary = {"steps": step, "final_loss": float(np.mean([h[0] for h in history[-50:]])) if history else None,
                   "final_match_acc": float(np.mean([h[1] for h in history[-50:]])) if history else None,
                   "final_class_acc": float(np.nanmean([h[2] for h in history[-50:]])) if head and history
                   else None,
                   "rooms": len(rooms), "pairs": int(sum(map(len, pairs))), "seed": args.seed,
                   "minutes": (time.time() - start) / 60}
        (args.run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
        say(json.dumps(summary))
    if distributed:
        dist.destroy_process_group()
    return 0 if math.isfinite(history[-1][0] if history else 0.0) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Assemble the fusion model card's recipe, ablation table and held-out metrics from the run
folders (so the card is written from what the runs recorded, not by hand), as the JSON that
`export_fusion --card-extra` merges into models/fusion.json.

    python -m rtgs2_train.fusion_card_extra --runs runs --ship fusion_both_ls \
        --onnx-eval runs/fusion_onnx_eval.json --bench runs/bench_segment.json --out runs/fusion_card_extra.json

The shipped run is the ablation's best by held-out mIoU unless --ship names one. A shipped run
outside the ablation (the best cell's inputs trained for longer, say) gets its own row in the
card's `beyond_ablation` beside the table it was chosen from.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .fusion_ablation import collect, run_row

RECOVERED = "recovered.json"  # written by recover_fusion beside the checkpoint it rebuilt

# The training sets after the first: data/fusion_roomsK (rtgs2 synth --seed SEED --count ROOMS, the
# first set's options) exported into data/fusion_trainK. One row per set; the card's text is made
# from these rows. (K, first seed, rooms, --views-per-scene, --extra-views, export --seed)
LATER_TRAIN_SETS = [
    (2, 1100, 100, 10, 10, 12),
    (3, 1200, 100, 5, 5, 13),
    (4, 1300, 200, 5, 5, 14),
    (5, 1500, 200, 5, 5, 15),
    (6, 1700, 200, 5, 5, 16),
    (9, 2100, 400, 3, 2, 19),
    (10, 2500, 200, 3, 2, 20),
    (11, 2700, 300, 3, 2, 23),
    (12, 3000, 300, 3, 2, 24),
    (13, 3300, 300, 3, 2, 25),
    (14, 3600, 300, 3, 2, 26),
]


def later_rooms_text() -> str:
    return "; ".join(f"data/fusion_rooms{k}: --seed {seed} --count {n} (seeds {seed}-{seed + n - 1})"
                     for k, seed, n, _, _, _ in LATER_TRAIN_SETS)


def later_views_text() -> str:
    return "; ".join(f"K={k}: --views-per-scene {v} --extra-views {e} --seed {s} ({n * (v + e)} views)"
                     for k, _, n, v, e, s in LATER_TRAIN_SETS)


DATA_RECIPE = {
    "train_rooms": "100 rooms from `rtgs2 synth ... --gaussians 80000 --sh-degree 0 --scale 1 --views 30`: "
                   "the encoder's 60 (seeds 1000-1059) and 40 more (seeds 1060-1099); later sets, same options, "
                   "each read only by the runs whose command names it: " + later_rooms_text(),
    "train_views": "rtgs2 export-dataset <the 100 rooms> --out data/fusion_train --views-per-scene 10 "
                   "--extra-views 10 --seed 11 --backend cpu (2000 views, 320x240); later sets: rtgs2 "
                   "export-dataset data/fusion_roomsK/* --out data/fusion_trainK --backend cpu with "
                   + later_views_text(),
    "calibration_views": "for calibrate_bias only, never trained or evaluated on: rtgs2 synth data/fusion_rooms8 "
                         "--seed 2000 --count 100 --gaussians 80000 --sh-degree 0 --scale 1 --views 30; rtgs2 "
                         "export-dataset data/fusion_rooms8/* --out data/fusion_calib8 --views-per-scene 3 "
                         "--extra-views 2 --seed 18 --backend cpu (500 views)",
    "heldout_rooms": "10 rooms with seeds 5000-5009, never seen by the encoder or the fusion network",
    "heldout_views": "rtgs2 export-dataset <the 10 rooms> --out data/fusion_heldout --views-per-scene 30 "
                     "--backend cpu (300 views, 320x240)",
}


ABLATION_NOTE = ("same data, seed and steps; held-out rooms, full 320x240 frames, one confusion matrix over "
                 "all views, mIoU/mAcc over classes present in the ground truth")

# train_fusion's defaults (a test reads them out of its parser): the recipe's command names
# these options only where a run changed them.
TRAIN_DEFAULTS = {"class_balance": 0.0, "lr": 2e-3, "warmup": 60, "batch": 8, "crop": [192, 256],
                  "weight_decay": 1e-2, "jitter": 0.25, "ceco": 0.0, "feature_depths": [1, 1, 1, 1]}


def changed_options(args: dict) -> str:
    """` --option value` for every training option the run set away from its default."""
    text = ""
    for key, default in TRAIN_DEFAULTS.items():
        value = args.get(key, default)
        if value != default:
            shown = " ".join(map(str, value)) if isinstance(value, list) else value
            text += f" --{key.replace('_', '-')} {shown}"
    return text


def parent_option(args: dict) -> str | None:
    """How a run started from another's checkpoint: continued it (--finetune) or took parts of
    it into a new network (--init-from); None for a run from scratch."""
    return next((opt for opt in ("finetune", "init_from") if args.get(opt)), None)


def parent_run(run: Path, args: dict) -> Path | None:
    """The run a run started from (its --finetune or --init-from checkpoint's folder), if any: a
    training run (args.json) or a shipped model read back by recover_fusion (recovered.json)."""
    opt = parent_option(args)
    if opt is None:
        return None
    parent = run.parent / Path(args[opt]).parent.name
    if not (parent / "args.json").exists() and not (parent / RECOVERED).exists():
        raise SystemExit(f"{run} started from {args[opt]}, but {parent}/args.json is missing: "
                         "the recipe could not say how that run was made")
    return parent


def recovered_recipe(run: Path) -> dict:
    """The history of a checkpoint recover_fusion rebuilt from a shipped file: that file's card
    recipe (its chain of commands reproduces the file), and how it was read back."""
    rec = json.loads((run / RECOVERED).read_text())
    recipe = {k: v for k, v in rec["card"]["recipe"].items() if k not in ("data", "hardware")}
    recipe["recovered"] = {
        "from": rec["onnx"], "onnx_sha256": rec["onnx_sha256"], "command": rec["command"],
        "note": "weights read back from the shipped fp16 file (the run folder was not kept); the "
                "BatchNorms the exporter folded into convolutions were recalibrated on training crops; "
                "the commands of this recipe reproduce that file",
    }
    return recipe


def logged_steps(log: Path, stop: int | None = None) -> tuple[list[dict], list[int]]:
    """The run's step records, one per step, and the checkpoints it was resumed from. A run
    stopped and resumed (`--resume`) replays the steps after its last checkpoint, and its log
    holds both tries of those: the later one is the one the model kept. With `stop` (the step
    of the checkpoint that was used), the steps after it, and resumes that came later, are not
    part of that model."""
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    by_step: dict[int, dict] = {}
    resumed_at = []
    for prev, rec in zip([None] + records, records):
        if prev is not None and rec["step"] <= prev["step"]:
            resumed_at.append(rec["step"] - 1)
        by_step[rec["step"]] = rec
    if stop is not None:
        by_step = {k: v for k, v in by_step.items() if k <= stop}
        resumed_at = [r for r in resumed_at if r < stop]
    return [by_step[k] for k in sorted(by_step)], resumed_at


def steps_trained(recipe: dict) -> int:
    """The steps one run of a recipe trained: up to where it was cut short, else its --steps."""
    return recipe.get("stopped_at_step", recipe["arguments"]["steps"])


def run_recipe(run: Path, stop: int | None = None) -> dict:
    """How `run` was trained: its command, arguments, loss and time; a run continued from
    another's checkpoint also carries that run's recipe under `starts_from`, so the chain of
    commands reproduces the shipped model. `stop`: the step of the checkpoint that was used,
    when that run was cut short before its --steps (its command then says --stop-after)."""
    if not (run / "args.json").exists() and (run / RECOVERED).exists():
        return recovered_recipe(run)
    args = json.loads((run / "args.json").read_text())
    keep = ["modality", "steps", "batch", "crop", "lr", "weight_decay", "warmup", "label_smoothing", "jitter",
            "class_balance", "feature_depths", "seed", "threads"]
    if stop is not None and stop >= args["steps"]:
        stop = None
    steps, resumed_at = logged_steps(run / "log.jsonl", stop)
    last = steps[-1] if steps else {}
    parent = parent_run(run, args)
    opt = parent_option(args)
    options = f" --{opt.replace('_', '-')} runs/{parent.name}/checkpoint.pt" if parent else ""
    if args.get("freeze_init_steps"):
        options += f" --freeze-init-steps {args['freeze_init_steps']}"
    options += changed_options(args)
    if stop is not None:
        options += f" --stop-after {stop}"
    # The folders the run read, as it recorded them (older runs: the generalisation data).
    data = " ".join(args.get("data") or ["data/fusion_train"])
    val = " ".join(args.get("val", ["data/fusion_heldout"]))
    recipe = {
        "command": f"python -m rtgs2_train.train_fusion --data {data}" + (f" --val {val}" if val else "")
                   + f" --run-dir runs/{run.name} --modality {args['modality']} --label-smoothing "
                   f"{args['label_smoothing']}{options} --steps {args['steps']} --threads {args['threads']} "
                   f"--seed {args['seed']}",
        "arguments": {k: args[k] for k in keep if k in args},
        "loss": "cross-entropy" + (f" with label smoothing {args['label_smoothing']}" if args["label_smoothing"] else "")
                + (f", class weights frequency^-{args['class_balance']}" if args.get("class_balance") else ""),
        "optimizer": "AdamW, linear warm-up then poly 0.9 decay, gradient clip 1",
        "final_train_step": {k: last.get(k) for k in ("step", "loss", "acc")},
        "train_seconds": round(sum(s.get("s", 0.0) for s in steps)),
    }
    if stop is not None:
        recipe["stopped_at_step"] = stop  # cut short: the model is its checkpoint at this step
    if resumed_at:
        recipe["resumed_at_steps"] = resumed_at  # the same command with --resume, from that checkpoint
    if parent:
        # A warm start took its parent's checkpoint as it was; a continuation may have taken
        # one saved before that run's end (finetune_step).
        used_step = args.get("finetune_step") if opt == "finetune" else args.get("init_step")
        recipe["starts_from"] = {"run": parent.name, **run_recipe(parent, used_step)}
        if opt == "init_from":
            taken = json.loads((run / "taken.json").read_text())["parts"] if (run / "taken.json").exists() else []
            recipe["starts_from"]["taken"] = {
                "note": "this run's network took these parts of that checkpoint (same names and shapes); "
                        "the rest started fresh", "parts": taken}
        before = recipe["starts_from"]
        recipe["total_steps"] = steps_trained(recipe) + before.get("total_steps", steps_trained(before))
        recipe["total_train_seconds"] = recipe["train_seconds"] + before.get("total_train_seconds",
                                                                             before["train_seconds"])
    return recipe


def recovered_ablation(runs: Path) -> list[dict]:
    """The ablation rows a recovered model's card carried, where the ablation runs themselves are
    not on this machine."""
    for rec in sorted(runs.glob(f"*/{RECOVERED}")):
        rows = json.loads(rec.read_text())["card"].get("ablation", {}).get("rows")
        if rows:
            return rows
    return []


def is_recovered(run: Path) -> bool:
    """A run folder recover_fusion rebuilt from a shipped file, not one a training run wrote."""
    return (run / RECOVERED).exists() and not (run / "args.json").exists()


def recovered_extra(run: Path, rows: list[dict], hardware: str) -> dict:
    """The card of a shipped file read back and changed without training (its classifier's bias
    calibrated, say): the file's recipe and its held-out row, as its own card recorded them; what
    changed it is recorded beside them (the checkpoint's `bias_calibration`)."""
    card = json.loads((run / RECOVERED).read_text())["card"]
    extra = {"recipe": {"data": DATA_RECIPE, **recovered_recipe(run), "hardware": hardware},
             "ablation": {"note": ABLATION_NOTE, "rows": rows},
             "shipped_run": run.name}
    if card.get("beyond_ablation"):
        extra["beyond_ablation"] = card["beyond_ablation"]
    return extra


def build(runs: Path, ship: str | None, hardware: str) -> dict:
    """The card's recipe, ablation table and (for a shipped run outside it) that run's row."""
    rows = collect(runs) or recovered_ablation(runs)
    if not rows:
        raise SystemExit(f"no runs/fusion_*/eval.json under {runs}")
    ship = ship or max(rows, key=lambda r: r["miou"])["run"]
    if is_recovered(runs / ship):
        return recovered_extra(runs / ship, rows, hardware)
    if not (runs / ship / "eval.json").exists():
        raise SystemExit(f"{runs / ship} has no eval.json: it has not finished")
    # A shipped run stopped before its --steps (--minutes ran out) is the model at that step.
    evaluated_at = json.loads((runs / ship / "eval.json").read_text()).get("step")
    extra = {
        "recipe": {"data": DATA_RECIPE, **run_recipe(runs / ship, evaluated_at), "hardware": hardware},
        "ablation": {"note": ABLATION_NOTE, "rows": rows},
        "shipped_run": ship,
    }
    if ship not in {r["run"] for r in rows}:
        shipped_args = json.loads((runs / ship / "args.json").read_text())
        if shipped_args.get("init_from"):
            note = ("the shipped run: a new network warm-started from parts of another run's checkpoint "
                    "(recipe.starts_from), trained with the arguments in the recipe; same held-out views")
        else:
            note = ("the shipped run: the ablation's best inputs with a longer schedule (and the arguments in "
                    "the recipe), same data and held-out views")
        extra["beyond_ablation"] = {"note": note, "rows": [run_row(runs / ship)]}
    return extra


def eval_metrics(path: Path) -> dict:
    """The card's form of a `fusion_eval --json` result: totals and per-class numbers, rounded."""
    e = json.loads(path.read_text())
    t = e["total"]
    return {"views": e["views"], "miou": round(t["miou"], 4), "macc": round(t["macc"], 4), "oacc": round(t["oacc"], 4),
            "per_class": [{"id": p["id"], "name": p["name"], "iou": round(p["iou"], 4), "acc": round(p["acc"], 4),
                           "pixels": p["pixels"]} for p in t["per_class"]]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=Path, default=Path("runs"))
    ap.add_argument("--ship", help="run folder name of the shipped model (default: the best held-out mIoU)")
    ap.add_argument("--onnx-eval", type=Path, help="fusion_eval --json of the exported model on the held-out views")
    ap.add_argument("--check-eval", type=Path,
                    help="fusion_eval --json of the exported model on data/fusion_check7 (100 more unseen rooms)")
    ap.add_argument("--bench", type=Path, help="`rtgs2 bench segment --json` output of the exported model")
    ap.add_argument("--hardware", default="2-core x86_64 CPU, torch 2.15.0, two runs side by side, one thread each")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    extra = build(args.runs, args.ship, args.hardware)
    ship = extra["shipped_run"]
    if args.onnx_eval:
        extra["metrics"] = {"heldout_320x240": eval_metrics(args.onnx_eval),
                            "evaluated": "the exported ONNX file (fp16 weights) through ONNX Runtime"}
        if args.check_eval:
            extra["metrics"]["unseen_check_320x240"] = {
                "rooms": "100 rooms of seeds 1900-1999 no network trained on (data/fusion_check7: rtgs2 synth "
                         "data/fusion_rooms7 --seed 1900 --count 100, options as the training rooms; export-dataset "
                         "--views-per-scene 5 --extra-views 5 --seed 17 --backend cpu)",
                **eval_metrics(args.check_eval)}
    if args.bench:
        bench = json.loads(args.bench.read_text())
        bench.pop("model", None)  # the measuring machine's path to the file this card belongs to
        extra["speed"] = {"measured_by": "rtgs2 bench segment --json", **bench}
    args.out.write_text(json.dumps(extra, indent=1) + "\n")
    print(f"card extra for {ship} -> {args.out}")


if __name__ == "__main__":
    main()

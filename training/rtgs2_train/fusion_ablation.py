"""Tabulate the fusion ablation (runs/fusion_*/eval.json) as markdown and JSON for the card."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ORDER = [("rgb", "RGB only"), ("features", "features only"), ("both", "RGB + features"),
         ("features_rgb", "features + early RGB")]


def run_row(run: Path) -> dict:
    """One run's held-out scores and what it was trained with (its eval.json and args.json)."""
    e = json.loads((run / "eval.json").read_text())
    args = json.loads((run / "args.json").read_text())
    t = e["total"]
    return {"run": run.name, "inputs": dict(ORDER)[args["modality"]], "modality": args["modality"],
            "label_smoothing": args["label_smoothing"], "class_balance": args.get("class_balance", 0.0),
            "steps": e.get("step"), "minutes": e.get("minutes"), "views": e["views"],
            "miou": round(t["miou"], 4), "macc": round(t["macc"], 4), "oacc": round(t["oacc"], 4)}


def collect(runs: Path) -> list[dict]:
    """The ablation cells that have finished: runs/fusion_<modality>_<ls|nols>."""
    rows = []
    for modality, _ in ORDER:
        for suffix in ("ls", "nols"):
            run = runs / f"fusion_{modality}_{suffix}"
            if (run / "eval.json").exists():
                rows.append(run_row(run))
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| inputs | label smoothing | mIoU | mAcc | oAcc | steps |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['inputs']} | {r['label_smoothing']} | {r['miou']:.3f} | {r['macc']:.3f} | "
                     f"{r['oacc']:.3f} | {r['steps']} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=Path, default=Path("runs"))
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    rows = collect(args.runs)
    print(markdown(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()

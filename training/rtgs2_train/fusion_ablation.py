"""Tabulate the fusion ablation (runs/fusion_*/eval.json) as markdown and JSON for the card."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ORDER = [("rgb", "RGB only"), ("features", "features only"), ("both", "RGB + features")]


def collect(runs: Path) -> list[dict]:
    rows = []
    for modality, label in ORDER:
        for ls, suffix in ((0.15, "ls"), (0.0, "nols")):
            path = runs / f"fusion_{modality}_{suffix}" / "eval.json"
            if not path.exists():
                continue
            e = json.loads(path.read_text())
            t = e["total"]
            rows.append({"run": path.parent.name, "inputs": label, "modality": modality, "label_smoothing": ls,
                         "steps": e.get("step"), "minutes": e.get("minutes"), "views": e["views"],
                         "miou": round(t["miou"], 4), "macc": round(t["macc"], 4), "oacc": round(t["oacc"], 4)})
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

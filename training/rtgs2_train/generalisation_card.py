"""The fusion card's generalisation section from `rtgs2 eval --json` files (generalisation.sh).

Every row names its data source and both class protocols; real-scan rows come from the
cross-validation folds (a network that never trained on the rooms it is scored on). Sets
evaluated with `--source both --consistency` (generalisation.sh's `*_lifted` sets) give
`lifted_rows`: live and lifted predictions side by side, with each one's view consistency.


    python -m rtgs2_train.generalisation_card --shipped runs/generalisation \\
        --fold runs/gen_fold_a:"fold A: rooms 0004-0005 (trained on 0001-0003)" \\
        --fold runs/gen_fold_b:"fold B: rooms 0001-0002 (trained on 0003-0005)" \\
        --recipe-note "..." --out runs/card_extra.json

numpy-free: only json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SOURCES = {
    "synth_heldout": "rtgs2 synth held-out rooms (seeds 5000-5009, 8 views each)",
    "furnished_heldout": "Sweet Home 3D rooms of held-out models only (seeds 8000-8011, 8 views each)",
    "brittle_as_generated": "one held-out synth room (seed 5003, 150k Gaussians), as generated",
    "brittle_scaled_2_5": "the same room scaled x2.5",
    "brittle_g40k": "the same room with 40k Gaussians",
    "scannet_val_a": "real ScanNet scans",
    "scannet_val_b": "real ScanNet scans",
}


def scores(path: Path) -> dict | None:
    if not path.is_file():
        return None
    total = json.loads(path.read_text())["total"]
    return {k: round(total[k], 4) for k in ("miou", "macc", "oacc")}


def row(folder: Path, name: str, source: str) -> dict | None:
    both = {c: scores(folder / f"{name}_{c}.json") for c in ("all", "scannet20")}
    if not any(both.values()):
        return None
    return {"source": source, "set": name, "all": both["all"], "scannet20": both["scannet20"]}


def lifted_row(folder: Path, name: str, source: str) -> dict | None:
    """Live against lifted for `name`_lifted_{all,scannet20}.json (an `eval --source both
    --consistency` file); view consistency does not depend on the class protocol."""
    files = {c: folder / f"{name}_lifted_{c}.json" for c in ("all", "scannet20")}
    loaded = {c: json.loads(f.read_text()) for c, f in files.items() if f.is_file()}
    if not loaded:
        return None
    pick = lambda src, c: (  # noqa: E731
        {k: round(loaded[c][src]["total"][k], 4) for k in ("miou", "macc", "oacc")} if c in loaded else None)
    any_file = next(iter(loaded.values()))
    consistency = {src: round(any_file[src]["consistency"]["share"], 4) for src in ("live", "lifted")
                   if any_file[src].get("consistency")}
    return {"source": source, "set": name,
            **{src: {c: pick(src, c) for c in ("all", "scannet20")} for src in ("live", "lifted")},
            "view_consistency": consistency}


def build(shipped: Path, folds: list[tuple[Path, str]], note: str) -> dict:
    rows = [r for name, src in SOURCES.items() if not name.startswith("scannet")
            if (r := row(shipped, name, src))]
    lifted = [r for name, src in SOURCES.items() if not name.startswith("scannet")
              if (r := lifted_row(shipped, name, src))]
    for folder, label in folds:
        for name in ("scannet_val_a", "scannet_val_b"):
            if r := row(folder, name, f"{SOURCES[name]}, {label}"):
                rows.append(r)
            if r := lifted_row(folder, name, f"{SOURCES[name]}, {label}"):
                lifted.append(r)
    section = {"protocol": "rtgs2 eval at 320x240; 'all': mIoU over every NYU40 class present, "
                           "'scannet20': ScanNet's 20 benchmark classes", "note": note, "rows": rows}
    if lifted:
        section["lifted_rows"] = lifted
        section["lifted_protocol"] = ("rtgs2 eval --source both --consistency: 'live' is the per-frame network, "
                                      "'lifted' its predictions fused onto the Gaussians from 48 views a scene "
                                      "(rtgs2 lift) and splatted; view consistency as README defines it")
    return {"generalisation": section}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shipped", type=Path, required=True, help="generalisation.sh output of the shipped model")
    ap.add_argument("--fold", action="append", default=[], help="FOLDER:LABEL of a cross-validation model's output")
    ap.add_argument("--note", default="")
    ap.add_argument("--extra", type=Path, help="further JSON to merge (recipe, ablation)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    folds = [(Path(f.split(":", 1)[0]), f.split(":", 1)[1]) for f in args.fold]
    card = build(args.shipped, folds, args.note)
    if args.extra:
        card.update(json.loads(args.extra.read_text()))
    args.out.write_text(json.dumps(card, indent=2) + "\n")
    fmt = lambda s: f"{s['miou']:.3f}" if s else "-"  # noqa: E731
    for r in card["generalisation"]["rows"]:
        print(f"{r['source']:<70} all {fmt(r['all'])}  scannet20 {fmt(r['scannet20'])}")
    for r in card["generalisation"].get("lifted_rows", []):
        print(f"{r['source']:<70} lifted all {fmt(r['lifted']['all'])}  scannet20 {fmt(r['lifted']['scannet20'])}"
              f"  (live {fmt(r['live']['all'])} / {fmt(r['live']['scannet20'])})")


if __name__ == "__main__":
    main()

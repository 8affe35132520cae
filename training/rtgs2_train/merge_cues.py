"""Adds the gravity cues of an exported view set to another export of the same views.

`rtgs2 export-dataset --no-features --gravity-cues` with the arguments a dataset was exported
with renders the same views and writes each view's 4 cue channels as its "features". This
checks that the two exports are the same views (same scenes, cameras and depth images), then
moves each cue file beside the dataset's own files as `NNNN_cues.npy` and records them in its
manifest (`gravity_cues`, `files.cues`), so the features need not be rendered again:

    python -m rtgs2_train.merge_cues --dataset data/scannet_train_a --cues data/cues/scannet_train_a
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from .fusion_data import CUE_CHANNELS, CUE_NAME


def merge(dataset: Path, cues: Path) -> int:
    """Moves the cue files of `cues` into `dataset`; returns the number of views."""
    mpath, cpath = dataset / "manifest.json", cues / "manifest.json"
    m, c = json.loads(mpath.read_text()), json.loads(cpath.read_text())
    if c.get("gravity_cues") != CUE_NAME or c.get("feature_dim") != CUE_CHANNELS:
        raise ValueError(f"{cpath}: not a cues-only export (gravity_cues {c.get('gravity_cues')!r}, "
                         f"feature_dim {c.get('feature_dim')})")
    if m.get("gravity_cues"):
        raise ValueError(f"{mpath}: already has gravity cues ({m['gravity_cues']})")
    if len(m["views"]) != len(c["views"]):
        raise ValueError(f"{dataset} has {len(m['views'])} views, {cues} {len(c['views'])}")
    for a, b in zip(m["views"], c["views"]):
        if (a["scene"], a["view"], a["camera"]) != (b["scene"], b["view"], b["camera"]):
            raise ValueError(f"view {a['scene']}/{a['view']}: the cue export has another camera or scene")
        da, db = np.load(dataset / a["files"]["depth"]), np.load(cues / b["files"]["depth"])
        if da.shape != db.shape or not np.allclose(da, db, rtol=1e-4, atol=1e-4):
            raise ValueError(f"view {a['scene']}/{a['view']}: depth differs between the exports")
    for a, b in zip(m["views"], c["views"]):
        name = a["files"]["depth"].replace("_depth.npy", "_cues.npy")
        os.replace(cues / b["files"]["features"], dataset / name)
        a["files"]["cues"] = name
    m["gravity_cues"] = CUE_NAME
    tmp = mpath.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(m, indent=2))
    os.replace(tmp, mpath)
    return len(m["views"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", type=Path, required=True)
    ap.add_argument("--cues", type=Path, required=True)
    args = ap.parse_args(argv)
    n = merge(args.dataset, args.cues)
    print(f"{args.dataset}: gravity cues of {n} views merged from {args.cues}")


if __name__ == "__main__":
    main()

"""Rule-2 float inputs of the encoder fixture's scene, for the Rust parity test.

The encoder fixture (`make_encoder_fixture.py`) holds the shipped model's rule; this adds the
other rule's `voxel_feat` and `gauss_feat` for the same Gaussians (numpy only, no model), so
`tests/encoder_fixture.rs` checks both rules of `src/encoder/inputs.rs` against numpy:

    python -m rtgs2_train.make_inputs_fixture --fixture ../tests/fixtures/encoder
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from . import scene_inputs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", type=Path, required=True)
    ap.add_argument("--rule", type=int, default=2, choices=scene_inputs.RULES)
    args = ap.parse_args(argv)
    d = args.fixture
    meta = json.loads((d / "meta.json").read_text())
    scene = [np.load(d / f"scene_{n}.npy") for n in ("positions", "f_dc", "opacity_logit", "log_scales")]
    out = scene_inputs.build(*scene, grid=meta["grid"], rule=args.rule)
    for name in ("voxel_feat", "gauss_feat"):
        np.save(d / f"rule{args.rule}_{name}.npy", np.ascontiguousarray(out[name]))
    print(f"rule {args.rule}: voxel_feat {out['voxel_feat'].shape}, gauss_feat {out['gauss_feat'].shape}")


if __name__ == "__main__":
    main()

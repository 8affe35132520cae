"""The metric parity fixture, tests/fixtures/fusion/metrics_case.json: random ground truth (with
0 = unlabelled, 255 = ignored, and classes outside ScanNet's 20) and noisy predictions, with the
scores metrics.py gives them under both protocols ("expected": all classes,
"expected_scannet20"). `src/eval/metrics.rs` checks that Rust gives the same.

    python -m rtgs2_train.make_metrics_fixture            # rescore the stored case
    python -m rtgs2_train.make_metrics_fixture --new 7    # a new random case, seed 7

Rescoring keeps the stored ground truth and predictions, so a change to the metrics shows up
as a change of the expected numbers only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .metrics import confusion, summarize

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "fusion" / "metrics_case.json"
ABOUT = ("random ground truth (incl. 0 = unlabelled, 255 = ignored and classes outside ScanNet's 20) and noisy "
         "predictions; expected (all classes) and expected_scannet20 = training/rtgs2_train/metrics.py "
         "(make_metrics_fixture.py)")


def random_case(seed: int, pixels: int = 3000) -> tuple[list[int], list[int]]:
    """A few classes in the ground truth (some outside ScanNet's 20), 0 and 255 among them;
    predictions right about two times in three, otherwise any NYU40 id 1..40."""
    rng = np.random.default_rng(seed)
    present = np.array([0, 1, 2, 3, 5, 8, 13, 14, 39, 40, 255])
    weights = np.array([1, 4, 4, 2, 2, 2, 1, 2, 1, 1, 1], float)
    gt = rng.choice(present, pixels, p=weights / weights.sum())
    noise = rng.integers(1, 41, pixels)
    pred = np.where((rng.random(pixels) < 0.65) & (gt != 0) & (gt != 255), gt, noise)
    return gt.tolist(), pred.tolist()


def scored(gt: list[int], pred: list[int]) -> dict:
    conf = confusion(np.array(pred), np.array(gt))
    return {"expected": summarize(conf, "all"), "expected_scannet20": summarize(conf, "scannet20")}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=FIXTURE)
    ap.add_argument("--new", type=int, metavar="SEED",
                    help="make a new random case instead of rescoring the stored one")
    args = ap.parse_args(argv)
    if args.new is not None or not args.out.exists():
        gt, pred = random_case(args.new or 0)
    else:
        stored = json.loads(args.out.read_text())
        gt, pred = stored["gt"], stored["pred"]
    case = {"about": ABOUT, "gt": gt, "pred": pred, **scored(gt, pred)}
    args.out.write_text(json.dumps(case) + "\n")
    print(f"{args.out}: {len(gt)} pixels; mIoU {case['expected']['miou']:.4f} (all), "
          f"{case['expected_scannet20']['miou']:.4f} (scannet20)")


if __name__ == "__main__":
    main()

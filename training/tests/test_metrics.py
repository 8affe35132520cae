"""The metric definitions (numpy only): hand-computed cases and the Rust parity fixture."""

import json
import unittest
from pathlib import Path

import numpy as np

from rtgs2_train.metrics import confusion, summarize

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "fusion" / "metrics_case.json"


class MetricsTest(unittest.TestCase):
    def test_hand_computed(self):
        gt = np.array([1, 1, 1, 2, 2, 0, 255, 3])
        pred = np.array([1, 1, 2, 2, 5, 7, 7, 3])
        m = summarize(confusion(pred, gt))
        # class 1: tp 2, gt 3, pred 2 -> IoU 2/3, acc 2/3; class 2: tp 1, gt 2, pred 2 -> 1/3, 1/2;
        # class 3: 1/1; id 0 and 255 pixels are ignored, so prediction 7 never counts.
        ious = {p["id"]: p["iou"] for p in m["per_class"]}
        self.assertEqual(sorted(ious), [1, 2, 3])
        self.assertAlmostEqual(ious[1], 2 / 3)
        self.assertAlmostEqual(ious[2], 1 / 3)
        self.assertAlmostEqual(ious[3], 1.0)
        self.assertAlmostEqual(m["miou"], (2 / 3 + 1 / 3 + 1) / 3)
        self.assertAlmostEqual(m["macc"], (2 / 3 + 1 / 2 + 1) / 3)
        self.assertAlmostEqual(m["oacc"], 4 / 6)

    def test_absent_classes_do_not_count_but_false_positives_do(self):
        gt = np.array([4, 4, 4, 4])
        pred = np.array([4, 4, 9, 9])
        m = summarize(confusion(pred, gt))
        self.assertEqual([p["id"] for p in m["per_class"]], [4])
        self.assertAlmostEqual(m["miou"], 0.5)

    def test_confusions_add_over_views(self):
        rng = np.random.default_rng(3)
        a = [rng.integers(0, 41, 500) for _ in range(4)]
        whole = confusion(np.concatenate(a[:2]), np.concatenate(a[2:]))
        self.assertTrue(np.array_equal(whole, confusion(a[0], a[2]) + confusion(a[1], a[3])))

    def test_rust_fixture_matches(self):
        if not FIXTURE.exists():
            self.skipTest("no metrics fixture yet")
        case = json.loads(FIXTURE.read_text())
        m = summarize(confusion(np.array(case["pred"]), np.array(case["gt"])))
        for key in ("miou", "macc", "oacc"):
            self.assertAlmostEqual(m[key], case["expected"][key], places=12)
        self.assertEqual(m["per_class"], case["expected"]["per_class"])


if __name__ == "__main__":
    unittest.main()

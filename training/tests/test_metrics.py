"""The metric definitions (numpy only): hand-computed cases and the Rust parity fixture."""

import json
import unittest
from pathlib import Path

import numpy as np

from rtgs2_train.metrics import SCANNET20, confusion, scored_rows, summarize

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

    def test_scannet20_hand_computed(self):
        # Ground truth wall x3, blinds x2 (13, not one of the 20), other prop (40, neither),
        # refrigerator x2, 0 and 255. Blinds and other prop are not counted, nor what was
        # predicted on them; blinds / other prop predicted on counted pixels are misses.
        gt = np.array([1, 1, 1, 13, 13, 40, 24, 24, 0, 255])
        pred = np.array([1, 1, 13, 13, 1, 24, 24, 40, 5, 5])
        conf = confusion(pred, gt)
        m = summarize(conf, classes="scannet20")
        # wall: tp 2, gt 3, pred 2 -> IoU 2/3, acc 2/3; refrigerator: tp 1, gt 2, pred 1 -> 1/2.
        self.assertEqual([(p["id"], p["pixels"]) for p in m["per_class"]], [(1, 3), (24, 2)])
        self.assertAlmostEqual(m["per_class"][0]["iou"], 2 / 3)
        self.assertAlmostEqual(m["per_class"][0]["acc"], 2 / 3)
        self.assertAlmostEqual(m["per_class"][1]["iou"], 1 / 2)
        self.assertAlmostEqual(m["per_class"][1]["acc"], 1 / 2)
        self.assertAlmostEqual(m["miou"], 7 / 12)
        self.assertAlmostEqual(m["macc"], 7 / 12)
        self.assertAlmostEqual(m["oacc"], 3 / 5)
        # Every class: blinds and other prop count; the wall predicted on blinds is a false
        # positive of wall (IoU 2/4).
        a = summarize(conf)
        self.assertEqual(a, summarize(conf, classes="all"))
        self.assertEqual([p["id"] for p in a["per_class"]], [1, 13, 24, 40])
        self.assertAlmostEqual(a["per_class"][0]["iou"], 1 / 2)
        self.assertAlmostEqual(a["oacc"], 4 / 8)
        kept = scored_rows(conf, "scannet20")
        self.assertEqual((kept.sum(), kept[1, 13], kept[24, 40], kept[13, 1]), (5, 1, 1, 0))
        self.assertEqual(conf.sum(), 8, "the matrix given is left as it was")

    def test_protocols(self):
        self.assertEqual(len(SCANNET20), 20)
        self.assertEqual(sorted(SCANNET20), [*range(1, 13), 14, 16, 24, 28, 33, 34, 36, 39])
        with self.assertRaises(ValueError):
            summarize(np.zeros((41, 41), np.int64), classes="nyu13")

    def test_confusions_add_over_views(self):
        rng = np.random.default_rng(3)
        a = [rng.integers(0, 41, 500) for _ in range(4)]
        whole = confusion(np.concatenate(a[:2]), np.concatenate(a[2:]))
        self.assertTrue(np.array_equal(whole, confusion(a[0], a[2]) + confusion(a[1], a[3])))

    def test_rust_fixture_matches(self):
        if not FIXTURE.exists():
            self.skipTest("no metrics fixture yet")
        case = json.loads(FIXTURE.read_text())
        conf = confusion(np.array(case["pred"]), np.array(case["gt"]))
        for block, classes in (("expected", "all"), ("expected_scannet20", "scannet20")):
            m = summarize(conf, classes=classes)
            for key in ("miou", "macc", "oacc"):
                self.assertAlmostEqual(m[key], case[block][key], places=12, msg=f"{block} {key}")
            self.assertEqual(m["per_class"], case[block]["per_class"], block)
        # The case exercises what scannet20 ignores: ground truth outside the 20.
        self.assertTrue(set(case["gt"]) - set(SCANNET20) - {0, 255})


if __name__ == "__main__":
    unittest.main()

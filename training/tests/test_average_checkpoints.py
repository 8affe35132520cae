"""Averaging fusion checkpoints (needs torch: skipped where only numpy is installed, as in CI)."""

from __future__ import annotations

import contextlib
import io
import tempfile
import unittest
from pathlib import Path

from test_fusion_data import write_dataset  # tests/ is the discovery root

try:
    import torch
except ImportError:  # CI runs the numpy-only tests
    torch = None


@unittest.skipIf(torch is None, "needs PyTorch (training/requirements.txt)")
class AverageCheckpoints(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from rtgs2_train import train_fusion

        cls.tmp = tempfile.TemporaryDirectory()
        root = Path(cls.tmp.name)
        (root / "data").mkdir()
        write_dataset(root / "data", views=4, h=64, w=96, dim=32)
        cls.runs = {}
        for name, seed, depths in (("a", "9", "1"), ("b", "10", "1"), ("deep", "9", "2")):
            run = root / name
            with contextlib.redirect_stdout(io.StringIO()):
                train_fusion.main(["--data", str(root / "data"), "--run-dir", str(run), "--modality", "features",
                                   "--batch", "2", "--crop", "64", "64", "--warmup", "2", "--threads", "1",
                                   "--seed", seed, "--steps", "3", "--feature-depths", "1", depths, "1", "1"])
            cls.runs[name] = run / "checkpoint.pt"

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def load(self, name):
        return torch.load(self.runs[name], weights_only=False)

    def test_the_mean_is_weighted_per_tensor_and_counters_are_kept(self):
        from rtgs2_train.average_checkpoints import average

        a, b = self.load("a"), self.load("b")
        soup = average([a, b], [3.0, 1.0])
        moved = 0
        for k, v in soup["model"].items():
            if v.is_floating_point():
                expect = 0.75 * a["model"][k].double() + 0.25 * b["model"][k].double()
                torch.testing.assert_close(v.double(), expect, rtol=0, atol=1e-6)
                moved += not torch.equal(a["model"][k], b["model"][k])
            else:
                self.assertTrue(torch.equal(v, a["model"][k]), k)
        self.assertGreater(moved, 0, "the two runs differ, so the mean is a third network")
        self.assertEqual(soup["norm"], a["norm"])
        self.assertNotIn("opt", soup)

    def test_the_soup_exports_through_the_usual_loader(self):
        from rtgs2_train.average_checkpoints import main
        from rtgs2_train.fusion_model import from_args

        out = Path(self.tmp.name) / "soup" / "checkpoint.pt"
        with contextlib.redirect_stdout(io.StringIO()):
            main([str(self.runs["a"]), str(self.runs["b"]), "--out", str(out)])
        ck = torch.load(out, weights_only=False)
        model = from_args(ck["args"])
        model.load_state_dict(ck["model"])
        self.assertEqual([p["checkpoint"] for p in ck["averaged_from"]], [str(self.runs["a"]), str(self.runs["b"])])

    def test_other_architectures_and_inputs_are_refused(self):
        from rtgs2_train.average_checkpoints import average

        with self.assertRaisesRegex(ValueError, "feature_depths"):
            average([self.load("a"), self.load("deep")], [1, 1])
        b = self.load("b")
        b["norm"] = {**b["norm"], "rgb_mean": [0.0, 0.0, 0.0]}
        with self.assertRaisesRegex(ValueError, "normalisation"):
            average([self.load("a"), b], [1, 1])
        with self.assertRaisesRegex(ValueError, "one non-negative weight"):
            average([self.load("a"), self.load("b")], [1])
        with self.assertRaisesRegex(ValueError, "at least two"):
            average([self.load("a")], [1])


if __name__ == "__main__":
    unittest.main()

"""Recovering a trainable network from the shipped models/fusion.onnx (needs torch and onnx:
skipped where only numpy is installed, as in CI; run it in training/.venv). The recovered
network must reproduce the PyTorch logits the Rust parity fixture holds, and its recalibrated
BatchNorms must pass their input through in training mode as well as at inference."""

from __future__ import annotations

import copy
import json
import unittest
from pathlib import Path

import numpy as np

try:
    import onnx
    import torch

    from rtgs2_train import fusion_io
    from rtgs2_train import recover_fusion as rf
except ImportError:  # CI runs the numpy-only tests
    torch = None

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "fusion"


@unittest.skipIf(torch is None, "needs PyTorch and onnx (training/requirements.txt)")
class RecoverShippedModel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.card = json.loads((ROOT / "models" / "fusion.json").read_text())
        cls.model = onnx.load(str(ROOT / "models" / "fusion.onnx"))
        cls.meta = json.loads((FIXTURE / "meta.json").read_text())
        rgb = np.load(FIXTURE / "rgb_u8.npy")
        feats = np.load(FIXTURE / "features.npy")
        cls.inputs = fusion_io.prepare(rgb, feats, cls.card)
        cls.hw = rgb.shape[:2]
        cls.net, cls.pairs = rf.recover_state(cls.model, rf.modality_of(cls.card), rf.feature_depths_of(cls.card),
                                              *rf.cues_of(cls.card))
        rf.calibrate(cls.net, cls.pairs, [cls.inputs])

    def logits(self, train_mode: bool) -> np.ndarray:
        # Only the recalibrated BatchNorms switch to batch statistics: the others keep the
        # running statistics of the whole training set, which one crop does not reproduce.
        # A copy, because a training-mode forward also moves the running statistics.
        net = copy.deepcopy(self.net)
        modules = dict(net.named_modules())
        for _, bn, _ in self.pairs:
            modules[bn].train(train_mode)
        with torch.no_grad():
            out = net(**{k: torch.from_numpy(v) for k, v in self.inputs.items()}).numpy()
        return fusion_io.crop_logits(out, *self.hw)

    def test_matches_the_fixture_pytorch_logits(self):
        self.assertTrue(self.model.graph.initializer, "the shipped file has weights")
        # Four patch embeds and the decoder's fuse layer are folded; with early colour the first
        # embed's BatchNorm follows a sum of two patchifies, so it stays a BatchNorm in the file.
        folded = 4 if rf.modality_of(self.card) == "features_rgb" else 5
        self.assertEqual(len(self.pairs), folded)
        want = np.load(FIXTURE / "logits.npy")
        self.assertGreater(np.abs(want).max(), 1.0, "the fixture holds real logits")
        diff = np.abs(self.logits(train_mode=False) - want).max()
        self.assertLess(diff, self.meta["tolerance"])

    def test_recalibrated_batchnorms_pass_input_through_in_training_mode(self):
        # Calibrated on this very input, batch statistics equal the running ones.
        diff = np.abs(self.logits(train_mode=True) - self.logits(train_mode=False)).max()
        self.assertLess(diff, 1e-3)

    def test_refuses_a_file_of_another_variant(self):
        with self.assertRaises(rf.RecoveryError):
            rf.recover_state(self.model, "both")

    def test_the_shipped_cue_head_is_part_of_the_recovered_network(self):
        self.assertEqual(rf.cues_of(self.card), (True, True), "the shipped card names cues and a cue head")
        self.assertIsNotNone(self.net.cue_head)
        with self.assertRaisesRegex(rf.RecoveryError, "with gravity cues:"):
            rf.recover_state(self.model, rf.modality_of(self.card), rf.feature_depths_of(self.card), True, False)
        self.assertEqual(rf.cues_of({"inputs": ["features"]}), (False, False), "older cards: no cues")

    def test_a_truncated_file_is_named_in_a_clear_error(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "fusion.onnx"
            bad.write_bytes((ROOT / "models" / "fusion.onnx").read_bytes()[:5000])
            (Path(tmp) / "fusion.json").write_text((ROOT / "models" / "fusion.json").read_text())
            with self.assertRaises(SystemExit) as e:
                rf.main(["--onnx", str(bad), "--calibrate", tmp, "--run-dir", str(Path(tmp) / "run")])
            self.assertIn(f"{bad}: not a readable ONNX file", str(e.exception))
            self.assertFalse((Path(tmp) / "run").exists(), "nothing is written for a bad file")

    def test_the_cards_bias_calibration_is_taken_out_of_the_classifier(self):
        record = {"offsets_by_id": {"1": 1.125, "2": -0.5, "38": 1.625}}
        net = copy.deepcopy(self.net)
        rf.remove_bias_calibration(net, record)
        before = dict(self.net.named_parameters())[rf.CLASSIFIER_BIAS].detach().numpy()
        after = dict(net.named_parameters())[rf.CLASSIFIER_BIAS].detach().numpy()
        want = np.zeros(40, np.float32)
        want[[0, 1, 37]] = [1.125, -0.5, 1.625]
        np.testing.assert_allclose(before - after, want, atol=1e-6)
        with self.assertRaises(rf.RecoveryError):
            rf.remove_bias_calibration(net, {"offsets_by_id": {"99": 1.0}})

    def test_refuses_a_file_of_other_feature_depths(self):
        with self.assertRaises(rf.RecoveryError):
            rf.recover_state(self.model, "features", (1, 2, 1, 1))

    def test_a_deeper_network_is_recovered_from_its_export(self):
        import tempfile

        from rtgs2_train import fusion_model as fm

        torch.manual_seed(4)
        net = fm.FusionNet("features", feature_depths=(1, 2, 1, 1)).eval()
        with torch.no_grad():  # trained-looking values everywhere, the extra block's zeroed projections too
            for name, t in net.state_dict().items():
                if t.is_floating_point():
                    t.copy_(torch.rand_like(t) + 0.5 if name.endswith("running_var") else 0.2 * torch.randn_like(t))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "deep.onnx"
            rf.export_fp32(net, path)
            card = {"inputs": ["features"], "architecture": {"feature_depths": [1, 2, 1, 1]}}
            got, pairs = rf.recover_state(onnx.load(str(path)), rf.modality_of(card), rf.feature_depths_of(card))
        self.assertEqual(len(got.feat.more_blocks[1]), 1)
        x = torch.randn(1, 32, 64, 96)
        rf.calibrate(got, pairs, [{"features": x.numpy()}])  # the folded BatchNorms become identities
        with torch.no_grad():
            want, out = net(features=x), got.eval()(features=x)
        self.assertLess(((out - want).abs().max() / want.abs().max()).item(), 1e-4)

    def test_an_early_colour_network_is_recovered_from_its_export(self):
        import tempfile

        from rtgs2_train import fusion_model as fm

        torch.manual_seed(5)
        net = fm.FusionNet("features_rgb").eval()
        with torch.no_grad():  # trained-looking values everywhere, the zero-started colour patchify too
            for name, t in net.state_dict().items():
                if t.is_floating_point():
                    t.copy_(torch.rand_like(t) + 0.5 if name.endswith("running_var") else 0.2 * torch.randn_like(t))
        card = {"inputs": ["rgb", "features"], "architecture": {"modality": "features_rgb"}}
        self.assertEqual(rf.modality_of(card), "features_rgb")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "early.onnx"
            rf.export_fp32(net, path)
            got, pairs = rf.recover_state(onnx.load(str(path)), rf.modality_of(card))
        x, rgb = torch.randn(1, 32, 64, 96), torch.randn(1, 3, 64, 96)
        rf.calibrate(got, pairs, [{"rgb": rgb.numpy(), "features": x.numpy()}])
        with torch.no_grad():
            want, out = net(rgb=rgb, features=x), got.eval()(rgb=rgb, features=x)
        self.assertLess(((out - want).abs().max() / want.abs().max()).item(), 1e-4)

    def test_a_cards_named_modality_must_agree_with_its_inputs(self):
        with self.assertRaises(rf.RecoveryError):
            rf.modality_of({"inputs": ["features"], "architecture": {"modality": "features_rgb"}})
        with self.assertRaises(rf.RecoveryError):
            rf.modality_of({"inputs": ["rgb", "features"], "architecture": {"modality": "late"}})
        self.assertEqual(rf.modality_of({"inputs": ["rgb", "features"], "architecture": {"modality": "both"}}), "both")
        self.assertEqual(rf.modality_of({"inputs": ["rgb", "features"]}), "both", "older cards: by inputs")

    def test_refuses_a_card_with_malformed_feature_depths(self):
        for depths in ([2, 2], [1, 0, 1, 1], "2 2 2 2"):
            with self.assertRaises(rf.RecoveryError):
                rf.feature_depths_of({"architecture": {"feature_depths": depths}})
        self.assertEqual(rf.feature_depths_of({}), (1, 1, 1, 1), "older cards: one block a stage")

    def test_refuses_a_card_without_a_known_variant(self):
        with self.assertRaises(rf.RecoveryError):
            rf.modality_of({"inputs": ["depth"]})


if __name__ == "__main__":
    unittest.main()

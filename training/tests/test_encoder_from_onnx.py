"""The encoder's weights read back from models/encoder.onnx give the network the fixture was
made with (needs torch and onnx: skipped where only numpy is installed, as in CI)."""

from __future__ import annotations

import unittest
from pathlib import Path

import numpy as np

try:
    import onnx  # noqa: F401
    import torch
except ImportError:  # CI runs the numpy-only tests
    torch = None

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "encoder"


@unittest.skipIf(torch is None, "needs PyTorch and onnx (training/requirements.txt)")
class EncoderFromOnnx(unittest.TestCase):
    def test_the_shipped_file_reproduces_the_fixture_features(self):
        from rtgs2_train import encoder_model as em
        from rtgs2_train.encoder_from_onnx import load_into

        model = em.EncoderLite()
        load_into(model, REPO / "models" / "encoder.onnx")
        model.eval()
        inputs = {k: torch.from_numpy(np.load(FIXTURE / f"{k}.npy")) for k in em.input_names()}
        with torch.no_grad():
            out = model(inputs).numpy()
        np.testing.assert_allclose(out, np.load(FIXTURE / "features.npy"), rtol=0, atol=1e-4)

    def test_a_network_of_another_shape_is_refused(self):
        from rtgs2_train.encoder_from_onnx import load_into

        other = torch.nn.Linear(3, 4)
        with self.assertRaisesRegex(ValueError, "no weight for weight, bias"):
            load_into(other, REPO / "models" / "encoder.onnx")


if __name__ == "__main__":
    unittest.main()

"""The exported encoder card says `upright` exactly when the checkpoint trained upright, so
rtgs2 levels scenes for that network and no other. Needs torch."""

import tempfile
import unittest
from pathlib import Path

try:
    import torch
except ImportError:  # CI runs only the numpy tests
    torch = None


@unittest.skipIf(torch is None, "needs torch")
class ExportCardTest(unittest.TestCase):
    def test_upright_follows_the_checkpoint(self):
        from rtgs2_train import export_encoder

        with tempfile.TemporaryDirectory() as d:
            for stored, want in [({"upright": "True"}, True), ({"upright": "False"}, False), ({}, False)]:
                ckpt = Path(d) / "checkpoint.pt"
                torch.save({"args": stored}, ckpt)
                self.assertIs(export_encoder.checkpoint_upright(ckpt), want)
                self.assertIs(export_encoder.card(0.05, {}, 1, want)["upright"], want)
        self.assertFalse(export_encoder.checkpoint_upright(None))


if __name__ == "__main__":
    unittest.main()

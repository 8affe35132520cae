"""The trainer's fast loss head gives PyTorch's numbers (needs torch: skipped where only numpy is
installed, as in CI; run it in training/.venv)."""

from __future__ import annotations

import unittest

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # CI runs the numpy-only tests
    torch = None


@unittest.skipIf(torch is None, "needs PyTorch (training/requirements.txt)")
class FastLossMatchesPyTorch(unittest.TestCase):
    def setUp(self):
        from rtgs2_train import fusion_loss

        self.loss = fusion_loss
        self.gen = torch.Generator().manual_seed(1234)

    def case(self, b=2, c=40, h=12, w=16, size=(48, 64), ignored=0.2):
        x = torch.randn(b, c, h, w, generator=self.gen) * 3
        target = torch.randint(0, c, (b, *size), generator=self.gen)
        target[torch.rand(b, *size, generator=self.gen) < ignored] = 255
        weight = torch.rand(c, generator=self.gen) * 4 + 0.25
        return x, target, weight

    def reference(self, x, target, weight, eps):
        up = F.interpolate(x, size=target.shape[1:], mode="bilinear", align_corners=False)
        return F.cross_entropy(up, target, weight=weight, ignore_index=255, label_smoothing=eps), up

    def fast(self, x, target, weight, eps):
        rows = self.loss.pixel_logits(x, tuple(target.shape[1:]))
        return self.loss.cross_entropy(rows, target.reshape(-1), weight, eps), rows

    def test_loss_and_gradient_equal_the_reference(self):
        for weighted in (False, True):
            for eps in (0.0, 0.15):
                for size in ((48, 64), (50, 70)):  # x4 exactly, and a non-integer factor
                    x, target, weight = self.case(size=size)
                    weight = weight if weighted else None
                    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
                    ref, _ = self.reference(xa, target, weight, eps)
                    got, _ = self.fast(xb, target, weight, eps)
                    ref.backward()
                    got.backward()
                    with self.subTest(weighted=weighted, eps=eps, size=size):
                        self.assertTrue(torch.isfinite(ref))
                        torch.testing.assert_close(got, ref, rtol=1e-5, atol=1e-6)
                        torch.testing.assert_close(xb.grad, xa.grad, rtol=1e-4, atol=1e-9)

    def test_rows_are_the_upsampled_pixels_in_order(self):
        x, target, _ = self.case()
        _, up = self.reference(x, target, None, 0.0)
        _, rows = self.fast(x, target, None, 0.0)
        torch.testing.assert_close(rows, up.permute(0, 2, 3, 1).reshape(-1, up.shape[1]), rtol=1e-6, atol=1e-6)

    def test_accuracy_counts_only_labelled_pixels(self):
        rows = torch.tensor([[2.0, 1.0], [0.0, 3.0], [5.0, 0.0], [0.0, 1.0]])
        target = torch.tensor([0, 0, 255, 1])
        self.assertAlmostEqual(self.loss.pixel_accuracy(rows, target), 2 / 3)
        self.assertEqual(self.loss.pixel_accuracy(rows, torch.full((4,), 255)), 0.0)

    def test_all_ignored_is_nan_like_pytorch(self):
        x, target, weight = self.case(ignored=1.1)
        ref, _ = self.reference(x, target, weight, 0.15)
        got, _ = self.fast(x, target, weight, 0.15)
        self.assertTrue(torch.isnan(ref) and torch.isnan(got))

    def test_network_stride4_output_upsamples_to_its_forward(self):
        from rtgs2_train.fusion_model import FusionNet

        torch.manual_seed(0)
        net = FusionNet("features").eval()
        feats = torch.randn(1, 32, 64, 96)
        with torch.no_grad():
            full = net(features=feats)
            rows = self.loss.pixel_logits(net(features=feats, full_size=False), (64, 96))
        torch.testing.assert_close(rows, full.permute(0, 2, 3, 1).reshape(-1, full.shape[1]), rtol=1e-5, atol=1e-5)


if __name__ == "__main__":
    unittest.main()

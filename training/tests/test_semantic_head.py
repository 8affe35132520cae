"""The encoder's semantic auxiliary loss (needs torch: skipped where only numpy is installed)."""

from __future__ import annotations

import unittest

import numpy as np

try:
    import torch
except ImportError:  # CI runs the numpy-only tests
    torch = None


@unittest.skipIf(torch is None, "needs PyTorch (training/requirements.txt)")
class SemanticHeadTest(unittest.TestCase):
    def test_weights_favour_rare_classes_and_ignore_unannotated(self):
        from rtgs2_train.semantic_head import class_weights

        labels = np.array([0] * 50 + [1] * 90 + [5] * 10, dtype=np.int64)
        w = class_weights([labels, None], balance=0.5).numpy()
        self.assertEqual(w[0], 0.0)
        self.assertEqual(w[2], 0.0)  # absent
        self.assertAlmostEqual(w[5] / w[1], 3.0, places=5)  # (10/100)^-0.5 / (90/100)^-0.5
        self.assertAlmostEqual(float(w[1] * 90 + w[5] * 10), 100.0, places=3)

    def test_no_labels_at_all_is_refused(self):
        from rtgs2_train.semantic_head import class_weights

        with self.assertRaisesRegex(ValueError, "no labelled Gaussian"):
            class_weights([np.zeros(5, dtype=np.int64), None])

    def test_unlabelled_gaussians_carry_no_loss(self):
        from rtgs2_train.semantic_head import SemanticHead, class_weights, semantic_loss

        torch.manual_seed(0)
        head = SemanticHead(8)
        feats = torch.nn.functional.normalize(torch.randn(6, 8), dim=1)
        labels = np.array([0, 3, 0, 7, 41, 3])
        weights = class_weights([labels])
        loss, _ = semantic_loss(head, feats, labels, weights)
        keep = [1, 3, 5]
        expected = torch.nn.functional.cross_entropy(head(feats[keep]), torch.tensor([3, 7, 3]), weight=weights)
        self.assertAlmostEqual(loss.item(), expected.item(), places=5)
        none, acc = semantic_loss(head, feats, np.zeros(6, dtype=np.int64), weights)
        self.assertIsNone(none)
        self.assertTrue(np.isnan(acc))

    def test_training_the_features_through_it_separates_classes(self):
        from rtgs2_train.semantic_head import SemanticHead, class_weights, semantic_loss

        torch.manual_seed(1)
        rng = np.random.default_rng(1)
        labels = rng.integers(1, 5, size=200)
        raw = torch.nn.Parameter(torch.randn(200, 8))
        head = SemanticHead(8)
        opt = torch.optim.Adam([raw, *head.parameters()], lr=0.05)
        weights = class_weights([labels])
        first = None
        for _ in range(60):
            feats = torch.nn.functional.normalize(raw, dim=1)
            loss, acc = semantic_loss(head, feats, labels, weights)
            first = first if first is not None else loss.item()
            opt.zero_grad()
            loss.backward()
            opt.step()
        self.assertLess(loss.item(), 0.2 * first)
        self.assertGreater(acc, 0.95)


if __name__ == "__main__":
    unittest.main()

"""Fusion input preparation (numpy only): padding, normalisation, id mapping."""

import unittest

import numpy as np

from rtgs2_train.fusion_io import (
    TARGET_OF_ID,
    crop_logits,
    ids_from_logits,
    pad_replicate,
    padded_size,
    prepare,
    rounded_to_f16,
)


class FusionIoTest(unittest.TestCase):
    def test_padding_repeats_the_last_row_and_column(self):
        rng = np.random.default_rng(1)
        a = rng.random((50, 70, 3)).astype(np.float32)
        p = pad_replicate(a)
        self.assertEqual(p.shape, (64, 96, 3))
        self.assertTrue(np.array_equal(p[:50, :70], a))
        self.assertTrue(np.array_equal(p[63, 95], a[49, 69]))
        self.assertTrue(np.array_equal(p[55, :70], a[49]))
        self.assertTrue(np.array_equal(p[:50, 80], a[:, 69]))
        self.assertEqual(padded_size(64, 96), (64, 96))

    def test_prepare_normalises_and_transposes(self):
        rng = np.random.default_rng(2)
        rgb = rng.integers(0, 256, (40, 33, 3), dtype=np.uint8)
        feats = rng.standard_normal((40, 33, 8)).astype(np.float32)
        card = {"inputs": ["rgb", "features"], "rgb_mean": [0.1, 0.2, 0.3], "rgb_std": [0.5, 0.25, 2.0],
                "feature_scale": 3.0, "size_multiple": 32}
        x = prepare(rgb, feats, card)
        self.assertEqual(x["rgb"].shape, (1, 3, 64, 64))
        self.assertEqual(x["features"].shape, (1, 8, 64, 64))
        self.assertAlmostEqual(float(x["rgb"][0, 1, 5, 7]), (rgb[5, 7, 1] / 255 - 0.2) / 0.25, places=5)
        self.assertAlmostEqual(float(x["features"][0, 4, 39, 32]), 3 * feats[39, 32, 4], places=5)
        only_rgb = prepare(rgb, None, {**card, "inputs": ["rgb"]})
        self.assertEqual(list(only_rgb), ["rgb"])
        with self.assertRaises(ValueError):
            prepare(rgb, None, card)

    def test_ids_and_targets(self):
        logits = np.zeros((1, 3, 64, 64), np.float32)
        logits[0, 2, 1, 1] = 5.0
        ids = ids_from_logits(crop_logits(logits, 2, 3), [4, 7, 9])
        self.assertEqual(ids.shape, (2, 3))
        self.assertEqual(ids[1, 1], 9)
        self.assertEqual(ids[0, 0], 4)
        self.assertEqual(TARGET_OF_ID[0], 255)
        self.assertEqual(TARGET_OF_ID[255], 255)
        self.assertEqual(TARGET_OF_ID[1], 0)
        self.assertEqual(TARGET_OF_ID[40], 39)


if __name__ == "__main__":
    unittest.main()


class RoundedToF16Test(unittest.TestCase):
    def test_inputs_are_the_nearest_f16_values_as_float32(self):
        rng = np.random.default_rng(7)
        x = (rng.standard_normal((1, 3, 8, 8)) * 3).astype(np.float32)
        out = rounded_to_f16({"rgb": x})["rgb"]
        self.assertEqual(out.dtype, np.float32)
        self.assertEqual(out.shape, x.shape)
        self.assertTrue(np.array_equal(out.astype(np.float16).astype(np.float32), out), "f16-representable")
        # Each value moved by at most half an f16 step (11 significant bits), and some moved.
        self.assertTrue(np.all(np.abs(out - x) <= np.abs(x) * 2.0**-11 + 2.0**-25))
        self.assertFalse(np.array_equal(out, x))

"""calibrate_bias's fit (numpy only): it moves decision boundaries toward mIoU and never away."""

import unittest

import numpy as np

from rtgs2_train.calibrate_bias import fit_offsets, miou_of, offsets_of


def under_predicted(n: int = 20000, seed: int = 0):
    """Two classes (ids 1 and 2) of equal size and equally clear logits, except that class 2's
    logit reads 1.5 low, so argmax gives many of its pixels to class 1: the best offset for
    class 2 (relative to class 1) is that +1.5."""
    rng = np.random.default_rng(seed)
    labels = rng.choice([1, 2], size=n)
    logits = rng.normal(0.0, 1.0, (n, 40)).astype(np.float32) - 8.0  # absent classes never win
    logits[:, :2] = rng.normal(0.0, 1.0, (n, 2))
    logits[np.arange(n), labels - 1] += 2.0
    logits[:, 1] -= 1.5
    return logits, labels


class FitOffsets(unittest.TestCase):
    def test_a_class_read_low_gets_a_positive_offset_and_mIoU_rises(self):
        logits, labels = under_predicted()
        offsets, history = fit_offsets(logits, labels)
        self.assertAlmostEqual(offsets[1] - offsets[0], 1.5, delta=0.3)
        self.assertGreater(history[-1], history[0] + 0.05)
        self.assertAlmostEqual(history[-1], miou_of(logits, labels, offsets), places=6)
        # The offsets carry to new pixels of the same kind: they are not fitted to noise.
        fresh_logits, fresh_labels = under_predicted(seed=1)
        self.assertGreater(miou_of(fresh_logits, fresh_labels, offsets),
                           miou_of(fresh_logits, fresh_labels, np.zeros(40)) + 0.05)

    def test_mIoU_never_falls_from_round_to_round_and_absent_classes_stay_put(self):
        logits, labels = under_predicted(seed=2)
        offsets, history = fit_offsets(logits, labels, rounds=2)
        self.assertEqual(len(history), 3)
        self.assertTrue(all(b >= a for a, b in zip(history, history[1:])))
        self.assertTrue(np.all(offsets[2:] == 0.0), "only classes in the labels are moved")

    def test_calibrated_logits_already_at_the_optimum_are_left_alone(self):
        rng = np.random.default_rng(3)
        labels = rng.choice([1, 2], size=5000)
        logits = np.full((5000, 40), -10.0, np.float32)
        logits[np.arange(5000), labels - 1] = 5.0  # every pixel right: mIoU 1
        offsets, history = fit_offsets(logits, labels)
        self.assertEqual(history, [1.0] * 4)
        self.assertTrue(np.all(offsets == 0.0))

    def test_bad_shapes_and_ids_are_refused(self):
        logits, labels = under_predicted(n=100)
        with self.assertRaises(ValueError):
            fit_offsets(logits[:, :39], labels)
        with self.assertRaises(ValueError):
            fit_offsets(logits, np.where(labels == 1, 0, labels))


class OffsetsOfARecord(unittest.TestCase):
    def test_ids_map_to_their_channels_and_the_rest_stay_zero(self):
        got = offsets_of({"offsets_by_id": {"1": 1.125, "20": -0.5, "40": 0.25}})
        self.assertEqual(got.shape, (40,))
        self.assertEqual((got[0], got[19], got[39]), (1.125, -0.5, 0.25))
        self.assertEqual(np.count_nonzero(got), 3)

    def test_malformed_records_are_refused_with_the_reason(self):
        for record, reason in (({}, "no offsets_by_id"), ({"offsets_by_id": {"0": 1.0}}, "not an NYU40 id"),
                               ({"offsets_by_id": {"41": 1.0}}, "not an NYU40 id"),
                               ({"offsets_by_id": {"wall": 1.0}}, "not an NYU40 id"),
                               ({"offsets_by_id": {"3": float("nan")}}, "not a finite number"),
                               ({"offsets_by_id": {"3": "1.0"}}, "not a finite number")):
            with self.assertRaises(ValueError) as e:
                offsets_of(record)
            self.assertIn(reason, str(e.exception))


if __name__ == "__main__":
    unittest.main()

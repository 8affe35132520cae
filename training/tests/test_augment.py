"""Upright augmentation: levelling and turning about up keep gravity (numpy only)."""

from __future__ import annotations

import unittest

import numpy as np

from rtgs2_train.augment import rotation_to_z, upright_rotation


class UprightRotation(unittest.TestCase):
    def test_levelling_takes_up_to_z_with_a_proper_rotation(self):
        rng = np.random.default_rng(3)
        ups = [rng.normal(size=3) for _ in range(20)] + [np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0])]
        for u in ups:
            u = u / np.linalg.norm(u)
            r = rotation_to_z(u)
            np.testing.assert_allclose(r @ u, [0.0, 0.0, 1.0], atol=1e-12)
            np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
            self.assertAlmostEqual(np.linalg.det(r), 1.0, places=12)

    def test_turns_vary_about_up_and_keep_it(self):
        rng = np.random.default_rng(4)
        u = np.array([0.4, -0.5, 0.76])
        u /= np.linalg.norm(u)
        headings = []
        for _ in range(50):
            r = upright_rotation(rng, u)
            np.testing.assert_allclose(r @ u, [0.0, 0.0, 1.0], atol=1e-12)
            x = r @ np.cross(u, [1.0, 0.0, 0.0])
            headings.append(np.arctan2(x[1], x[0]))
        # The turn is random: headings spread over the circle rather than repeating.
        self.assertGreater(max(headings) - min(headings), 5.0)


if __name__ == "__main__":
    unittest.main()

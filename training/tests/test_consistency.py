"""The numpy view-consistency twin still gives the fixture's counts (the Rust side checks the
same fixture in tests/consistency_fixture.rs), and behaves on simple cases."""

import json
import unittest
from pathlib import Path

import numpy as np

from rtgs2_train import consistency

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "consistency"


class Consistency(unittest.TestCase):
    def test_fixture_counts(self):
        meta = json.loads((FIXTURE / "meta.json").read_text())
        arr = {n: np.load(FIXTURE / f"{n}.npy") for n in ("classes_a", "depth_a", "classes_b", "depth_b")}
        got = consistency.agreement(meta["camera_a"], arr["classes_a"], arr["depth_a"],
                                    meta["camera_b"], arr["classes_b"], arr["depth_b"])
        self.assertEqual(got, (meta["agree"], meta["counted"]))

    def test_a_view_agrees_with_itself_and_occlusion_is_not_counted(self):
        cam = {"position": [0.0, 0.0, 0.0], "rotation": np.eye(3).tolist(), "fx": 10.0, "fy": 10.0,
               "width": 4, "height": 3}
        classes = np.array([[1, 2, 0, 3], [1, 1, 2, 2], [4, 4, 4, 4]], dtype=np.uint8)
        depth = np.full((3, 4), 2.0, dtype=np.float32)
        self.assertEqual(consistency.agreement(cam, classes, depth, cam, classes, depth), (11, 11))
        nearer = depth * 0.5  # B sees something in front of every point: all occluded
        self.assertEqual(consistency.agreement(cam, classes, depth, cam, classes, nearer), (0, 0))


if __name__ == "__main__":
    unittest.main()

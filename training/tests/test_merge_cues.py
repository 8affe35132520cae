"""Gravity cues merged into an exported set (numpy only): merge_cues moves a cues-only export's
files beside the views it matches and refuses one that renders other views; ViewSet(cues=True)
then gives each view's features followed by its cues, and refuses a set without them."""

import json
import tempfile
import unittest
from pathlib import Path

import numpy as np

from rtgs2_train.fusion_data import ViewSet
from rtgs2_train.merge_cues import merge


def export(root: Path, channels: int, cues: bool, seed: int, camera_shift: float = 0.0) -> None:
    """A two-view export like `rtgs2 export-dataset` writes (same depth for the same seed)."""
    root.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    depth_rng = np.random.default_rng(99)
    views = []
    for i in range(2):
        stem = f"room/{i:04}"
        (root / "room").mkdir(exist_ok=True)
        files = {k: f"{stem}_{k}.npy" for k in ("rgb", "features", "depth", "labels")}
        np.save(root / files["rgb"], rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
        np.save(root / files["features"], rng.standard_normal((6, 8, channels)).astype(np.float16))
        np.save(root / files["depth"], depth_rng.random((6, 8)).astype(np.float32))
        np.save(root / files["labels"], rng.integers(0, 41, (6, 8), dtype=np.uint8))
        camera = {"position": [i + camera_shift, 0.0, 1.0]}
        views.append({"scene": "room", "view": i, "camera": camera, "files": files})
    manifest = {"format": "rtgs2-dataset/1", "feature_dim": channels, "views": views,
                "gravity_cues": "gravity-v1" if cues else None}
    (root / "manifest.json").write_text(json.dumps(manifest))


class MergeCuesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_merged_cues_follow_the_features(self):
        export(self.dir / "set", 5, False, seed=1)
        export(self.dir / "cues", 4, True, seed=2)
        cue_values = [np.load(self.dir / "cues" / f"room/{i:04}_features.npy") for i in range(2)]
        self.assertEqual(merge(self.dir / "set", self.dir / "cues"), 2)
        views = ViewSet([self.dir / "set"], cues=True)
        self.assertEqual(views.feature_dim, 9)
        for i in range(2):
            _, feats, _ = views.load(i)
            own = np.load(self.dir / "set" / f"room/{i:04}_features.npy")
            np.testing.assert_array_equal(feats[..., :5], own)
            np.testing.assert_array_equal(feats[..., 5:], cue_values[i])
        # Without asking, the set reads as before.
        self.assertEqual(ViewSet([self.dir / "set"]).feature_dim, 5)
        with self.assertRaisesRegex(ValueError, "already has gravity cues"):
            merge(self.dir / "set", self.dir / "cues")

    def test_cues_exported_with_the_features_are_read_or_left_out(self):
        # `export-dataset --gravity-cues` with features writes D + 4 channels, the cues last.
        export(self.dir / "set", 9, True, seed=3)
        with_cues = ViewSet([self.dir / "set"], cues=True)
        without = ViewSet([self.dir / "set"])
        self.assertEqual((with_cues.feature_dim, without.feature_dim), (9, 5))
        for i in range(2):
            stored = np.load(self.dir / "set" / f"room/{i:04}_features.npy")
            np.testing.assert_array_equal(with_cues.load(i)[1], stored)
            np.testing.assert_array_equal(without.load(i)[1], stored[..., :5])

    def test_other_views_are_refused(self):
        export(self.dir / "set", 5, False, seed=1)
        export(self.dir / "cues", 4, True, seed=2, camera_shift=0.5)
        with self.assertRaisesRegex(ValueError, "another camera"):
            merge(self.dir / "set", self.dir / "cues")
        self.assertNotIn("cues", json.loads((self.dir / "set" / "manifest.json").read_text())["views"][0]["files"])

    def test_a_set_without_cues_is_refused_when_they_are_asked_for(self):
        export(self.dir / "set", 5, False, seed=1)
        with self.assertRaisesRegex(ValueError, "no gravity cues"):
            ViewSet([self.dir / "set"], cues=True)


if __name__ == "__main__":
    unittest.main()

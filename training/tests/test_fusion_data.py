"""Training batches: the plan/make split and the prefetching workers give exactly the batches
the in-line sampler gives (numpy only; a tiny exported dataset written here)."""

import json
import tempfile
import unittest
from pathlib import Path

import numpy as np

from rtgs2_train.fusion_data import Batcher, Prefetcher, ViewSet

NORM = {"rgb_mean": [0.4, 0.5, 0.6], "rgb_std": [0.2, 0.25, 0.3], "feature_scale": 2.0}


def write_dataset(root: Path, views: int = 5, h: int = 70, w: int = 100, dim: int = 4) -> None:
    rng = np.random.default_rng(1)
    entries = []
    for i in range(views):
        files = {"rgb": f"v{i}_rgb.npy", "features": f"v{i}_features.npy", "labels": f"v{i}_labels.npy"}
        np.save(root / files["rgb"], rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        np.save(root / files["features"], rng.standard_normal((h, w, dim)).astype(np.float16))
        np.save(root / files["labels"], rng.integers(0, 41, (h, w), dtype=np.uint8))
        entries.append({"scene": f"room{i % 2}", "files": files})
    manifest = {"format": "rtgs2-dataset/1", "feature_dim": dim, "views": entries}
    (root / "manifest.json").write_text(json.dumps(manifest))


class BatcherTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        write_dataset(self.root)
        self.views = ViewSet([self.root])

    def tearDown(self):
        self.tmp.cleanup()

    def batcher(self, seed=5, **kw):
        return Batcher(self.views, NORM, (64, 64), seed=seed, **kw)

    def test_batches_are_random_crops_of_the_views_with_the_cards_normalisation(self):
        b = self.batcher(jitter=0.0).batch(6)
        self.assertEqual(b["rgb"].shape, (6, 3, 64, 64))
        self.assertEqual(b["features"].shape, (6, 4, 64, 64))
        self.assertEqual(b["target"].shape, (6, 64, 64))
        plans = self.batcher(jitter=0.0).plan(6)
        for k, p in enumerate(plans):
            rgb, feats, _ = self.views.load(p.view)
            crop = np.asarray(feats[p.y:p.y + 64, p.x:p.x + 64], np.float32) * 2.0
            crop = crop[:, ::-1] if p.flip else crop
            np.testing.assert_array_equal(b["features"][k], crop.transpose(2, 0, 1))
            pixel = rgb[p.y, p.x + (63 if p.flip else 0)] / 255.0
            want = (pixel - np.asarray(NORM["rgb_mean"])) / np.asarray(NORM["rgb_std"])
            np.testing.assert_allclose(b["rgb"][k][:, 0, 0], want, rtol=1e-5)
        self.assertGreater(len({p.view for p in plans}), 1, "crops come from several views")
        self.assertTrue(any(p.flip for p in plans) and not all(p.flip for p in plans))

    def test_isolated_crops_keep_one_object_class_on_a_void(self):
        plain = self.batcher(jitter=0.0)
        iso = self.batcher(jitter=0.0, isolate=1.0)
        plans = iso.plan(4)
        self.assertTrue(all(p.isolate is not None for p in plans))
        b = iso.make(plans)
        black = (0.0 - np.asarray(NORM["rgb_mean"])) / np.asarray(NORM["rgb_std"])
        for k, p in enumerate(plans):
            whole = plain.make_sample(p.__class__(**{**p.__dict__, "isolate": None}))
            kept = b["target"][k] != 255
            classes = np.unique(b["target"][k][kept])
            self.assertEqual(len(classes), 1, "one class is kept")
            self.assertNotIn(int(classes[0]), (0, 1, 21), "never wall, floor or ceiling")
            np.testing.assert_array_equal(kept, whole["target"] == classes[0])
            np.testing.assert_array_equal(b["rgb"][k][:, kept], whole["rgb"][:, kept])
            np.testing.assert_allclose(b["rgb"][k][:, ~kept], np.broadcast_to(black[:, None], (3, (~kept).sum())),
                                       rtol=1e-6)
            self.assertTrue(np.all(b["features"][k][:, ~kept] == 0))
            np.testing.assert_array_equal(b["features"][k][:, kept], whole["features"][:, kept])
        # Without --isolate the random stream (and so every batch) is as before.
        np.testing.assert_array_equal(self.batcher().batch(3)["rgb"], self.batcher(isolate=0.0).batch(3)["rgb"])

    def test_dropped_rgb_is_the_mean_colour_and_leaves_features_and_labels_alone(self):
        plain = self.batcher(jitter=0.0)
        drop = self.batcher(jitter=0.0, rgb_dropout=1.0)
        plans = drop.plan(4)
        self.assertTrue(all(p.drop_rgb for p in plans))
        b = drop.make(plans)
        self.assertTrue(np.all(b["rgb"] == 0.0), "the mean colour, normalised")
        whole = plain.make([p.__class__(**{**p.__dict__, "drop_rgb": False}) for p in plans])
        self.assertTrue(np.any(whole["rgb"] != 0.0))
        np.testing.assert_array_equal(b["features"], whole["features"])
        np.testing.assert_array_equal(b["target"], whole["target"])
        # About the share asked for; without it the random stream (every batch) is as before.
        half = self.batcher(rgb_dropout=0.5).plan(400)
        self.assertTrue(150 < sum(p.drop_rgb for p in half) < 250)
        np.testing.assert_array_equal(self.batcher().batch(3)["rgb"], self.batcher(rgb_dropout=0.0).batch(3)["rgb"])

    def test_the_same_seed_gives_the_same_batches_and_another_seed_others(self):
        a, b, c = self.batcher(), self.batcher(), self.batcher(seed=6)
        x, y, z = a.batch(4), b.batch(4), c.batch(4)
        for k in x:
            np.testing.assert_array_equal(x[k], y[k])
        self.assertFalse(np.array_equal(x["features"], z["features"]))

    def test_a_batch_written_in_place_equals_the_samples_made_one_by_one(self):
        for kw in ({}, {"rgb": False}, {"features": False}):
            batcher = self.batcher(**kw)
            plans = batcher.plan(5)
            batch = batcher.make(plans)
            for k, p in enumerate(plans):
                alone = batcher.make_sample(p)
                self.assertEqual(alone.keys(), batch.keys())
                for name, array in alone.items():
                    self.assertEqual(array.dtype, batch[name].dtype, name)
                    np.testing.assert_array_equal(batch[name][k], array, err_msg=f"{name} with {kw}")
            self.assertTrue(all(a.flags.c_contiguous for a in batch.values()))

    def test_crops_of_different_sizes_are_refused_by_name(self):
        # A view smaller than the crop gets a smaller crop: such plans cannot share a batch.
        batcher = self.batcher()
        plans = batcher.plan(3)
        small = [type(p)(p.view, 0, 0, 32, 32, p.flip, p.jitter) for p in plans[:2]]
        with self.assertRaises(ValueError) as e:
            batcher.make(small + plans[2:])
        self.assertIn("crops of one size", str(e.exception))
        batch = batcher.make(small)
        self.assertEqual(batch["features"].shape, (2, 4, 32, 32))
        np.testing.assert_array_equal(batch["features"][1], batcher.make_sample(small[1])["features"])

    def test_prefetching_workers_give_exactly_the_in_line_batches(self):
        for kw in ({}, {"rgb": False}, {"features": False}):
            inline, ahead = self.batcher(**kw), self.batcher(**kw)
            with Prefetcher(ahead, 3, workers=2) as prefetch:
                for _ in range(4):
                    want, got = inline.batch(3), prefetch.next()
                    self.assertEqual(want.keys(), got.keys())
                    for k in want:
                        np.testing.assert_array_equal(want[k], got[k], err_msg=f"{k} with {kw}")


if __name__ == "__main__":
    unittest.main()

"""Checks of the encoder's index rules (`indices.py`) and float inputs (`scene_inputs.py`)
against their definitions, mostly by brute force. numpy only, so they run without torch:

    cd training && python3 -m unittest discover -s tests -v
"""

from __future__ import annotations

import itertools
import unittest

import numpy as np

from rtgs2_train import indices, scene_inputs


def cube(side: int) -> np.ndarray:
    """Every coordinate of [0, side)^3 as [side^3, 3] int64."""
    g = np.meshgrid(*(np.arange(side, dtype=np.int64),) * 3, indexing="ij")
    return np.stack(g, axis=-1).reshape(-1, 3)


def sparse_coords(rng: np.random.Generator, n: int, hi: int) -> np.ndarray:
    """Unique random coords in [0, hi)^3, sorted by key as `unique_coords` returns them."""
    coords, _ = indices.unique_coords(rng.integers(0, hi, size=(n, 3), dtype=np.int64))
    return coords


def random_scene(rng: np.random.Generator, n: int):
    """Positions, SH DC, opacity logits and log-scales of a small random scene."""
    return (
        rng.uniform(-1.0, 1.5, size=(n, 3)).astype(np.float32),
        rng.normal(0.0, 1.0, size=(n, 3)).astype(np.float32),
        rng.normal(0.0, 2.0, size=n).astype(np.float32),
        rng.uniform(-6.0, -2.0, size=(n, 3)).astype(np.float32),
    )


class SerialCodes(unittest.TestCase):
    def test_hilbert_fills_the_first_cube_with_unit_steps(self):
        c = cube(8)
        h = indices.hilbert(c[:, 0], c[:, 1], c[:, 2])
        # The curve starts at the origin and visits an 8^3 sub-cube before leaving it.
        np.testing.assert_array_equal(np.sort(h), np.arange(8**3))
        steps = np.abs(np.diff(c[np.argsort(h)], axis=0)).sum(axis=1)
        np.testing.assert_array_equal(steps, 1)

    def test_hilbert_is_a_bijection_on_16_bit_coords(self):
        c = sparse_coords(np.random.default_rng(1), 20000, 1 << 16)
        c = np.concatenate([c, [[0, 0, 0], [65535, 65535, 65535], [65535, 0, 65535]]])
        h = indices.hilbert(c[:, 0], c[:, 1], c[:, 2])
        self.assertEqual(len(np.unique(h)), len(c))
        self.assertTrue(np.all((h >= 0) & (h < 1 << 48)))

    def test_morton_known_values(self):
        m = lambda x, y, z: int(indices.morton(np.array([x]), np.array([y]), np.array([z]))[0])  # noqa: E731
        self.assertEqual(m(1, 0, 0), 4)
        self.assertEqual(m(0, 1, 0), 2)
        self.assertEqual(m(0, 0, 1), 1)
        self.assertEqual(m(3, 0, 0), 0b100100)
        # x=101, y=110, z=011: bit i of (x, y, z) lands on bits (3i+2, 3i+1, 3i).
        self.assertEqual(m(5, 6, 3), 0b110_011_101)
        self.assertEqual(m(65535, 65535, 65535), (1 << 48) - 1)

    def test_orders_transpose_x_and_y(self):
        c = sparse_coords(np.random.default_rng(2), 500, 1000)
        t = c[:, [1, 0, 2]]
        np.testing.assert_array_equal(indices.serial_code(c, "z-trans"), indices.serial_code(t, "z"))
        np.testing.assert_array_equal(indices.serial_code(c, "hilbert-trans"), indices.serial_code(t, "hilbert"))
        with self.assertRaises(ValueError):
            indices.serial_code(c, "peano")


class Patches(unittest.TestCase):
    def test_small_set_is_one_patch(self):
        order = np.random.default_rng(3).permutation(100)
        table, inverse = indices.patches(order, k=128)
        self.assertEqual(table.shape, (1, 100))
        np.testing.assert_array_equal(table[0], order)
        np.testing.assert_array_equal(table[0][inverse], np.arange(100))

    def test_padding_repeats_the_entry_k_earlier(self):
        rng = np.random.default_rng(4)
        for v, k in [(128, 128), (129, 128), (300, 128), (257, 16), (1000, 7)]:
            order = rng.permutation(v)
            table, inverse = indices.patches(order, k)
            p = -(-v // k)
            self.assertEqual(table.shape, (p, k) if v > k else (1, v))
            flat = table.reshape(-1)
            np.testing.assert_array_equal(flat[:v], order)
            for j in range(v, len(flat)):
                self.assertEqual(flat[j], flat[j - k])
            np.testing.assert_array_equal(flat[inverse], np.arange(v))  # unpatch inverts


class Pooling(unittest.TestCase):
    def test_pool_and_unpool_follow_coords_shifted_by_one(self):
        rng = np.random.default_rng(5)
        # Half-filled cells plus one full 2x2x2 cell, so both padded and full rows occur.
        coords, _ = indices.unique_coords(np.concatenate([rng.integers(0, 16, size=(1500, 3)), cube(2) + 20]))
        parent_coords, parent = indices.unique_coords(coords >> 1)
        np.testing.assert_array_equal(parent_coords[parent], coords >> 1)
        table = indices.pool_table(parent, len(parent_coords))
        self.assertEqual(table.shape, (len(parent_coords), 8))
        for q in range(len(parent_coords)):
            children = np.flatnonzero(parent == q)  # ascending
            n = len(children)
            np.testing.assert_array_equal(table[q, :n], children)
            np.testing.assert_array_equal(table[q, n:], children[0])
        self.assertTrue(np.any(table[:, 7] == table[:, 0]))  # some padding was exercised
        self.assertTrue(np.any(table[:, 7] != table[:, 0]))  # and some full cells

    def test_more_than_eight_children_is_refused(self):
        with self.assertRaises(ValueError):
            indices.pool_table(np.zeros(9, dtype=np.int64), 1)


class Neighbours(unittest.TestCase):
    def test_matches_a_dict_lookup(self):
        rng = np.random.default_rng(6)
        coords = np.concatenate([
            rng.integers(0, 12, size=(800, 3)),
            # Edge of the 16-bit range: (5, 3, 65535) + dz would alias to (5, 4, 0) if the key
            # overflowed, and -1 at 0 must not wrap.
            [[5, 3, 65535], [5, 4, 0], [65535, 65535, 65535], [65534, 65535, 65535], [0, 0, 0]],
        ]).astype(np.int64)
        coords, _ = indices.unique_coords(coords)
        table = indices.neighbour_table(coords)
        v = len(coords)
        where = {tuple(c): i for i, c in enumerate(coords.tolist())}
        self.assertEqual(table.shape, (v, 27))
        for i, (x, y, z) in enumerate(coords.tolist()):
            for dx, dy, dz in itertools.product((-1, 0, 1), repeat=3):
                k = (dx + 1) * 9 + (dy + 1) * 3 + (dz + 1)
                self.assertEqual(table[i, k], where.get((x + dx, y + dy, z + dz), v), (x, y, z, dx, dy, dz))


class Build(unittest.TestCase):
    def test_voxel_coords_are_clipped_to_16_bits(self):
        rng = np.random.default_rng(7)
        p = rng.uniform(0.0, 2.0, size=(200, 3)).astype(np.float32)
        p[0] = [5000.0, 1.0, 1.0]  # 5000 / 0.05 = 100000 voxels away: past 65535
        c = indices.voxel_coords(p, 0.05)
        self.assertEqual(c.dtype, np.int64)
        self.assertTrue(np.all((c >= 0) & (c <= indices.COORD_MAX)))
        self.assertEqual(c[0, 0], indices.COORD_MAX)
        p64 = p.astype(np.float64)
        np.testing.assert_array_equal(c[1:], np.floor((p64[1:] - p64.min(axis=0)) / 0.05).astype(np.int64))

    def test_shapes_and_ranges(self):
        rng = np.random.default_rng(8)
        n = 5000
        out = indices.build(rng.uniform(-3.0, 3.0, size=(n, 3)).astype(np.float32), 0.1)
        v = [len(c) for c in out["_coords"]]
        self.assertEqual(len(v), indices.STAGES)
        self.assertTrue(all(a > b for a, b in zip(v, v[1:])))
        self.assertEqual(out["gauss_voxel"].shape, (n,))
        self.assertEqual(set(out["gauss_voxel"].tolist()), set(range(v[0])))  # every voxel has a Gaussian
        for s in range(indices.STAGES):
            nbr = out[f"nbr_s{s}"]
            self.assertEqual(nbr.shape, (v[s], 27))
            self.assertTrue(np.all((nbr >= 0) & (nbr <= v[s])))
            np.testing.assert_array_equal(nbr[:, 13], np.arange(v[s]))  # the centre is itself
            for order in indices.ORDERS:
                table, inverse = out[f"patch_s{s}_{order}"], out[f"unpatch_s{s}_{order}"]
                self.assertEqual(table.shape[1], min(v[s], indices.PATCH))
                flat = table.reshape(-1)
                np.testing.assert_array_equal(np.sort(flat[: v[s]]), np.arange(v[s]))
                np.testing.assert_array_equal(flat[inverse], np.arange(v[s]))
                codes = indices.serial_code(out["_coords"][s], order)[flat[: v[s]]]
                self.assertTrue(np.all(np.diff(codes) > 0))
        for s in range(indices.STAGES - 1):
            self.assertEqual(out[f"unpool_s{s}"].shape, (v[s],))
            self.assertEqual(out[f"pool_s{s}"].shape, (v[s + 1], 8))
            self.assertTrue(np.all(out[f"pool_s{s}"] < v[s]))
            np.testing.assert_array_equal(out["_coords"][s + 1][out[f"unpool_s{s}"]], out["_coords"][s] >> 1)
        for key, value in out.items():
            if key != "_coords":
                self.assertEqual(value.dtype, np.int64, key)

    def test_wanted_patches_limits_the_tables(self):
        p = np.random.default_rng(9).uniform(0.0, 2.0, size=(500, 3)).astype(np.float32)
        out = indices.build(p, 0.1, [(0, "z"), (2, "hilbert-trans")])
        patch_keys = {k for k in out if k.startswith(("patch_", "unpatch_"))}
        self.assertEqual(patch_keys, {"patch_s0_z", "unpatch_s0_z", "patch_s2_hilbert-trans", "unpatch_s2_hilbert-trans"})


class SceneInputs(unittest.TestCase):
    def setUp(self):
        self.grid = 0.5
        self.scene = random_scene(np.random.default_rng(10), 400)
        self.attrs = scene_inputs.attributes(*self.scene)
        self.out = scene_inputs.build(*self.scene, grid=self.grid)

    def test_attributes(self):
        a = self.attrs
        self.assertEqual(a.shape, (400, 10))
        np.testing.assert_allclose((a[:, :3].min(axis=0) + a[:, :3].max(axis=0)) / 2, 0.0, atol=1e-12)
        np.testing.assert_allclose(a[:, 3:6].min(axis=0), 0.0)
        np.testing.assert_allclose(a[:, 3:6].max(axis=0), 1.0)
        self.assertTrue(np.all((a[:, 6] > 0) & (a[:, 6] < 1)))
        np.testing.assert_array_equal(a[:, 7:10], self.scene[3].astype(np.float64))

    def test_voxel_feat_is_the_mean_and_log_count(self):
        g2v = self.out["gauss_voxel"]
        vf = self.out["voxel_feat"]
        self.assertEqual(vf.shape, (len(self.out["_coords"][0]), scene_inputs.VOXEL_FEAT))
        self.assertEqual(vf.dtype, np.float32)
        self.assertGreater(np.bincount(g2v).max(), 1)  # some voxels average several Gaussians
        for v in range(len(vf)):
            members = [i for i in range(len(g2v)) if g2v[i] == v]
            np.testing.assert_allclose(vf[v, :10], self.attrs[members].mean(axis=0), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(vf[v, 10], np.log(len(members)), rtol=1e-6)

    def test_gauss_feat(self):
        gf = self.out["gauss_feat"]
        self.assertEqual(gf.shape, (400, scene_inputs.GAUSS_FEAT))
        np.testing.assert_allclose(gf[:, :7], self.attrs[:, 3:10], rtol=1e-6, atol=1e-7)
        offset = gf[:, 7:]
        self.assertTrue(np.all((offset >= -0.5) & (offset <= 0.5)))
        p = self.scene[0].astype(np.float64)
        rel = (p - p.min(axis=0)) / self.grid
        np.testing.assert_allclose(offset, rel - np.floor(rel) - 0.5, atol=1e-6)


class DensityFreeInputs(unittest.TestCase):
    """Rule 2 must not see where the scene sits, how large its units are, how a trainer
    ordered the scale axes or how densely it sampled the surfaces."""

    def setUp(self):
        self.scene = random_scene(np.random.default_rng(11), 600)

    def attrs(self, pos, dc, op, logs):
        return scene_inputs.attributes(pos, dc, op, logs, rule=2)

    def test_placement_units_and_axis_order_do_not_change_it(self):
        pos, dc, op, logs = self.scene
        base = self.attrs(pos, dc, op, logs)
        moved = self.attrs(pos * 3.7 + np.float32(40.0), dc, op, logs + np.float32(np.log(3.7)))
        np.testing.assert_allclose(moved, base, atol=1e-6)
        np.testing.assert_allclose(self.attrs(pos, dc, op, logs[:, ::-1].copy()), base, atol=1e-12)

    def test_channels(self):
        pos, dc, op, logs = self.scene
        a = self.attrs(pos, dc, op, logs)
        np.testing.assert_array_equal(a[:, :3], 0.0)
        np.testing.assert_allclose(a[:, 3:6], np.clip(0.5 + scene_inputs.SH_C0 * dc.astype(np.float64), 0, 1), atol=1e-12)
        self.assertTrue(np.all(np.diff(a[:, 7:10], axis=1) <= 0), "sizes sorted largest first")
        means = a[:, 7:10].mean(axis=1)
        self.assertEqual(np.sort(means)[(len(means) - 1) // 2], 0.0, "the lower median size is the zero")

    def test_thinning_keeps_the_scale_channels_near(self):
        """Half the Gaussians of one surface: the median barely moves, the counts are gone."""
        pos, dc, op, logs = self.scene
        keep = np.random.default_rng(2).random(len(pos)) < 0.5
        full = scene_inputs.build(pos, dc, op, logs, grid=0.5, rule=2)
        half = scene_inputs.build(pos[keep], dc[keep], op[keep], logs[keep], grid=0.5, rule=2)
        np.testing.assert_array_equal(full["voxel_feat"][:, 10], 0.0)
        np.testing.assert_array_equal(half["voxel_feat"][:, 10], 0.0)
        shift = abs(np.median(half["gauss_feat"][:, 4:7]) - np.median(full["gauss_feat"][keep][:, 4:7]))
        self.assertLess(shift, 0.2)

    def test_unknown_rule_is_refused(self):
        with self.assertRaises(ValueError):
            scene_inputs.attributes(*self.scene, rule=3)


if __name__ == "__main__":
    unittest.main()

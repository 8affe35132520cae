"""Checks of the furnished-room generator (`rtgs2_train.furnished`) on a small catalogue it
builds itself: a zip with a properties index and box-shaped OBJ models. numpy only (Pillow,
for textures, is optional and not needed here)."""

from __future__ import annotations

import tempfile
import unittest
import zipfile
from pathlib import Path

import numpy as np

from rtgs2_train.furnished import catalogue, labels, layout, make_rooms, mesh, sampling

# A box from (0,0,0) to (1,2,3) in SH3D axes (x right, y up, z front), as 6 quads.
BOX_OBJ = """mtllib box.mtl
v 0 0 0
v 1 0 0
v 1 2 0
v 0 2 0
v 0 0 3
v 1 0 3
v 1 2 3
v 0 2 3
vt 0 0
vt 1 0
vt 1 1
usemtl red
f 1/1 2/2 3/3 4
f 5 6 7 8
f 1 2 6 5
f -5 -6 -2 -1
usemtl glass
f 1 4 8 5
f 2 3 7 6
"""
BOX_MTL = "newmtl red\nKd 0.8 0.1 0.1\n\nnewmtl glass\nKd 0.2 0.2 0.2\nd 0.2\n"


def write_catalogue(path: Path, entries: list[tuple[str, str, str, int, int, int]]) -> None:
    """A `.sh3f` zip whose models are all the box above: (id, name, category, w, d, h cm)."""
    lines = ["# test catalogue"]
    with zipfile.ZipFile(path, "w") as z:
        for i, (ident, name, category, w, d, h) in enumerate(entries, start=1):
            lines += [f"id#{i}={ident}", f"name#{i}={name}", f"category#{i}={category}",
                      f"model#{i}=/m/{ident}/box.obj", f"width#{i}={w}", f"depth#{i}={d}",
                      f"height#{i}={h}", f"creator#{i}=Tester", f"doorOrWindow#{i}=false"]
            z.writestr(f"m/{ident}/box.obj", BOX_OBJ)
            z.writestr(f"m/{ident}/box.mtl", BOX_MTL)
        z.writestr(catalogue.PLUGIN_INDEX, "\n".join(lines) + "\n")


class PropertiesTest(unittest.TestCase):
    def test_escapes_continuations_and_comments(self):
        text = "# comment\n! also\nname#1=Caf\\u00e9 table\nlong#1=a \\\n   b\nkey\\:x: v\n"
        props = catalogue.parse_properties(text)
        self.assertEqual(props["name#1"], "Café table")
        self.assertEqual(props["long#1"], "a b")
        self.assertEqual(props["key:x"], "v")
        self.assertNotIn("# comment", props)


class LabelsTest(unittest.TestCase):
    def test_names_map_to_nyu40(self):
        cases = {
            "Bed 140x190": 4, "Bedside table": 32, "Armchair": 5, "Sofa 3 seats": 6,
            "Coffee table": 7, "Table fan": 40, "Bookcase": 10, "Book": 23, "Shower curtain": 28,
            "Curtains": 16, "Venetian blind": 13, "Double French window": 9, "Door frame": 8,
            "Glass door cabinet": 3, "Toilet unit": 33, "Toilet paper dispenser": 40,
            "Corner bathtub": 36, "Fridge & Freezer": 24, "TV stand": 39, "Flat TV": 25,
            "White board": 30, "Ficus": 40, "Red light source": None, "Wall socket": None,
        }
        for name, want in cases.items():
            self.assertEqual(labels.nyu40_for(name, 1.0), want, name)

    def test_unnamed_things_by_size(self):
        self.assertEqual(labels.nyu40_for("Gizmo", 0.3), 40)
        self.assertEqual(labels.nyu40_for("Gizmo", 1.5), 39)
        # Whole words: "capital" is not a cap, "bedside" is not a bed.
        self.assertEqual(labels.nyu40_for("Capital", 2.0), 39)


class MeshTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.zip = Path(self.dir.name) / "c.sh3f"
        write_catalogue(self.zip, [("box", "Box", "Miscellaneous", 200, 100, 50)])

    def tearDown(self):
        self.dir.cleanup()

    def test_obj_faces_fan_into_triangles_with_materials(self):
        m = mesh.load_mesh(str(self.zip), "m/box/box.obj")
        self.assertEqual(m.triangles.shape, (12, 3, 3))
        # The fourth quad uses negative indices: vertices 4 3 7 8 (1-based).
        np.testing.assert_array_equal(m.triangles[6], np.array([[0, 2, 0], [1, 2, 0], [1, 2, 3]]))
        names = [tuple(np.round(mat.diffuse, 2)) for mat in m.materials]
        self.assertEqual(m.materials[m.material[0]].diffuse.tolist(), [0.8, 0.1, 0.1])
        self.assertAlmostEqual(m.materials[m.material[-1]].opacity, 0.2)
        self.assertEqual(len(names), 3)  # the default plus the two used
        np.testing.assert_array_equal(m.uvs[0], [[0, 0], [1, 0], [1, 1]])

    def test_fit_to_item_sizes_and_faces_front_to_minus_y(self):
        item = catalogue.read_catalogue(self.zip)[0]
        m = mesh.load_mesh(item.archive, item.model)
        tri = sampling.fit_to_item(m, item).reshape(-1, 3)
        np.testing.assert_allclose(tri.min(axis=0), [-1.0, -0.5, 0.0], atol=1e-9)
        np.testing.assert_allclose(tri.max(axis=0), [1.0, 0.5, 0.5], atol=1e-9)
        # The OBJ's front face (z = 3, its +z) lands at the room's -y side.
        front = sampling.fit_to_item(m, item)[2:4].reshape(-1, 3)
        np.testing.assert_allclose(front[:, 1], -0.5, atol=1e-9)

    def test_samples_follow_area_and_glass_is_thinned(self):
        rng = np.random.default_rng(0)
        m = mesh.load_mesh(str(self.zip), "m/box/box.obj")
        item = catalogue.read_catalogue(self.zip)[0]
        tri = sampling.fit_to_item(m, item)
        pos, col, nrm = sampling.sample_mesh(tri, m, 20000.0, rng)
        area = sampling.triangle_areas_normals(tri)[0].sum()
        glass_area = sampling.triangle_areas_normals(tri[m.material == m.material[-1]])[0].sum()
        expected = (area - glass_area) * 20000 + glass_area * 20000 * 0.35
        self.assertLess(abs(len(pos) - expected) / expected, 0.05)
        red = np.all(np.isclose(col, [0.8, 0.1, 0.1]), axis=1)
        self.assertGreater(red.mean(), 0.5)
        np.testing.assert_allclose(np.linalg.norm(nrm, axis=1), 1.0, atol=1e-9)


class RoomTest(unittest.TestCase):
    def test_rooms_hold_their_models_inside_walls_and_splits_are_disjoint(self):
        entries = [("bed%d" % i, "Bed", "Bedroom", 160, 200, 60) for i in range(4)]
        entries += [("tab%d" % i, "Table", "Living room", 120, 80, 75) for i in range(4)]
        entries += [("chr%d" % i, "Chair", "Living room", 45, 50, 90) for i in range(4)]
        entries += [("door%d" % i, "Door", "Doors and windows", 90, 10, 210) for i in range(4)]
        entries += [("cup%d" % i, "Cup", "Kitchen", 10, 10, 12) for i in range(4)]
        with tempfile.TemporaryDirectory() as d:
            z = Path(d) / "c.sh3f"
            write_catalogue(z, entries)
            items = catalogue.read_catalogues([z])
            train = make_rooms.split_items(items, "train")
            held = make_rooms.split_items(items, "heldout")
            self.assertEqual(len(train) + len(held), len(items))
            self.assertFalse({i.key for i, _ in train} & {i.key for i, _ in held})
            cat = layout.Catalogue(train)
            pos, col, lab, room = make_rooms.build_room(cat, make_rooms.MeshCache(), 3, kind="bedroom")
            self.assertTrue({1, 2, 4}.issubset(set(np.unique(lab).tolist())), np.unique(lab))
            margin = 0.1
            self.assertTrue(np.all(pos[:, 0] > -margin) and np.all(pos[:, 0] < room.width + margin))
            self.assertTrue(np.all(pos[:, 1] > -margin) and np.all(pos[:, 1] < room.depth + margin))
            self.assertTrue(np.all((col >= 0) & (col <= 1)))
            boxes = [layout.footprint(p) for p in room.placements if p.z == 0 and p.label not in (8, 9, 20)]
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    self.assertFalse(layout._overlaps(a, b), (a, b))
            # Written as the ScanNet pair that `rtgs2 import` reads.
            make_rooms.write_room(Path(d), "r", pos, col, lab, room)
            vert = np.load(Path(d) / "r_vert.npy")
            self.assertEqual(vert.shape, (len(pos), 6))
            self.assertEqual(np.load(Path(d) / "r_sem_label.npy").shape, (len(pos),))
            self.assertFalse(list(Path(d).glob(".*tmp*")))


if __name__ == "__main__":
    unittest.main()

import json
import tempfile
import unittest
from pathlib import Path

from rtgs2_train import generalisation_card as gc


def write(folder: Path, name: str, classes: str, miou: float):
    folder.mkdir(parents=True, exist_ok=True)
    total = {"miou": miou, "macc": miou + 0.1, "oacc": 0.9, "per_class": []}
    (folder / f"{name}_{classes}.json").write_text(json.dumps({"classes": classes, "total": total}))


class GeneralisationCardTest(unittest.TestCase):
    def test_rows_name_their_source_and_both_protocols(self):
        with tempfile.TemporaryDirectory() as d:
            shipped, fold = Path(d) / "shipped", Path(d) / "fold_a"
            write(shipped, "synth_heldout", "all", 0.55)
            write(shipped, "synth_heldout", "scannet20", 0.6)
            write(shipped, "scannet_val_a", "all", 0.99)  # a model scored on rooms it trained on: not a row
            write(fold, "scannet_val_a", "scannet20", 0.24)
            card = gc.build(shipped, [(fold, "fold A")], "note")["generalisation"]
            sets = [(r["set"], r["source"]) for r in card["rows"]]
            self.assertEqual(sets[0][0], "synth_heldout")
            self.assertEqual(card["rows"][0]["all"]["miou"], 0.55)
            self.assertEqual(card["rows"][0]["scannet20"]["miou"], 0.6)
            self.assertEqual(len(card["rows"]), 2)
            self.assertIn("fold A", card["rows"][1]["source"])
            self.assertIsNone(card["rows"][1]["all"])
            self.assertEqual(card["rows"][1]["scannet20"]["miou"], 0.24)

    def test_lifted_rows_pair_live_and_lifted_with_their_consistency(self):
        with tempfile.TemporaryDirectory() as d:
            shipped, fold = Path(d) / "shipped", Path(d) / "fold_a"
            write(shipped, "furnished_heldout", "all", 0.2)
            for classes, live, lifted in (("all", 0.2, 0.22), ("scannet20", 0.31, 0.35)):
                both = {src: {"total": {"miou": m, "macc": m, "oacc": 0.8},
                              "consistency": {"pixels": 100, "share": share}}
                        for src, m, share in (("live", live, 0.91), ("lifted", lifted, 0.995))}
                (shipped / f"furnished_heldout_lifted_{classes}.json").write_text(json.dumps(both))
            fold.mkdir()
            (fold / "scannet_val_a_lifted_scannet20.json").write_text(json.dumps(
                {src: {"total": {"miou": m, "macc": m, "oacc": 0.6}, "consistency": None}
                 for src, m in (("live", 0.33), ("lifted", 0.38))}))
            card = gc.build(shipped, [(fold, "fold A")], "note")["generalisation"]
            furn, real = card["lifted_rows"]
            self.assertEqual(furn["set"], "furnished_heldout")
            self.assertEqual(furn["live"]["scannet20"]["miou"], 0.31)
            self.assertEqual(furn["lifted"]["all"]["miou"], 0.22)
            self.assertEqual(furn["view_consistency"], {"live": 0.91, "lifted": 0.995})
            self.assertIn("fold A", real["source"])
            self.assertIsNone(real["lifted"]["all"])
            self.assertEqual(real["lifted"]["scannet20"]["miou"], 0.38)
            self.assertEqual(real["view_consistency"], {})
            self.assertEqual(len(card["rows"]), 1, "lifted files are not per-frame rows")

    def test_no_lifted_files_no_lifted_section(self):
        with tempfile.TemporaryDirectory() as d:
            write(Path(d), "synth_heldout", "all", 0.5)
            self.assertNotIn("lifted_rows", gc.build(Path(d), [], "")["generalisation"])


if __name__ == "__main__":
    unittest.main()

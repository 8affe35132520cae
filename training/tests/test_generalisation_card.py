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


if __name__ == "__main__":
    unittest.main()

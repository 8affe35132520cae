"""The fusion card's ablation table and recipe are assembled from what the runs recorded."""

import json
import tempfile
import unittest
from pathlib import Path

from rtgs2_train import fusion_card_extra


def fake_run(runs: Path, name: str, modality: str, ls: float, miou: float, steps: int, balance: float = 0.0):
    run = runs / name
    run.mkdir(parents=True)
    args = {"modality": modality, "label_smoothing": ls, "class_balance": balance, "steps": steps, "batch": 8,
            "crop": [192, 256], "lr": 2e-3, "weight_decay": 1e-2, "warmup": 60, "jitter": 0.25, "seed": 3,
            "threads": 1}
    (run / "args.json").write_text(json.dumps(args))
    (run / "log.jsonl").write_text("".join(json.dumps({"step": s, "loss": 1.0, "acc": 0.5, "s": 1.5}) + "\n"
                                           for s in range(1, steps + 1)))
    total = {"miou": miou, "macc": miou + 0.05, "oacc": miou + 0.5, "per_class": []}
    (run / "eval.json").write_text(json.dumps({"views": 300, "step": steps, "minutes": 1.0, "total": total}))


class CardExtraTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.runs = Path(self.tmp.name)
        fake_run(self.runs, "fusion_rgb_ls", "rgb", 0.15, 0.05, 10)
        fake_run(self.runs, "fusion_features_ls", "features", 0.15, 0.17, 10)
        fake_run(self.runs, "fusion_both_nols", "both", 0.0, 0.16, 10)
        fake_run(self.runs, "fusion_features_ls_cb", "features", 0.15, 0.25, 40, balance=0.5)

    def tearDown(self):
        self.tmp.cleanup()

    def test_the_table_holds_the_ablation_cells_in_order_and_ships_the_best_by_default(self):
        extra = fusion_card_extra.build(self.runs, None, "test machine")
        rows = extra["ablation"]["rows"]
        self.assertEqual([r["run"] for r in rows], ["fusion_rgb_ls", "fusion_features_ls", "fusion_both_nols"])
        self.assertEqual([r["inputs"] for r in rows], ["RGB only", "features only", "RGB + features"])
        self.assertEqual(extra["shipped_run"], "fusion_features_ls")
        self.assertNotIn("beyond_ablation", extra)
        self.assertNotIn("--class-balance", extra["recipe"]["command"])

    def test_a_longer_run_outside_the_table_gets_its_own_row_and_full_command(self):
        extra = fusion_card_extra.build(self.runs, "fusion_features_ls_cb", "test machine")
        self.assertEqual(extra["shipped_run"], "fusion_features_ls_cb")
        (row,) = extra["beyond_ablation"]["rows"]
        self.assertEqual((row["steps"], row["class_balance"], row["miou"]), (40, 0.5, 0.25))
        recipe = extra["recipe"]
        self.assertIn("--class-balance 0.5 --steps 40", recipe["command"])
        self.assertIn("frequency^-0.5", recipe["loss"])
        self.assertEqual(recipe["final_train_step"]["step"], 40)
        self.assertEqual(recipe["train_seconds"], 60)

    def test_an_unfinished_shipped_run_is_refused(self):
        (self.runs / "fusion_features_ls_cb" / "eval.json").unlink()
        with self.assertRaises(SystemExit) as e:
            fusion_card_extra.build(self.runs, "fusion_features_ls_cb", "test machine")
        self.assertIn("has not finished", str(e.exception))


if __name__ == "__main__":
    unittest.main()

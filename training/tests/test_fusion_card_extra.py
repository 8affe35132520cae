"""The fusion card's ablation table and recipe are assembled from what the runs recorded."""

import ast
import json
import tempfile
import unittest
from pathlib import Path

from rtgs2_train import fusion_card_extra


def fake_run(runs: Path, name: str, modality: str, ls: float, miou: float, steps: int, balance: float = 0.0,
             **changed):
    run = runs / name
    run.mkdir(parents=True)
    args = {"modality": modality, "label_smoothing": ls, "class_balance": balance, "steps": steps, "batch": 8,
            "crop": [192, 256], "lr": 2e-3, "weight_decay": 1e-2, "warmup": 60, "jitter": 0.25, "seed": 3,
            "threads": 1, "finetune": None} | changed
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

    def test_a_resumed_run_counts_each_step_once_and_says_where_it_resumed(self):
        log = self.runs / "fusion_features_ls_cb" / "log.jsonl"
        lines = log.read_text().splitlines(keepends=True)
        # stopped after step 25 with the last checkpoint at 20, resumed twice more at 30
        log.write_text("".join(lines[:25] + lines[20:32] + lines[30:]))
        recipe = fusion_card_extra.build(self.runs, "fusion_features_ls_cb", "test machine")["recipe"]
        self.assertEqual(recipe["resumed_at_steps"], [20, 30])
        self.assertEqual(recipe["train_seconds"], 60)
        self.assertEqual(recipe["final_train_step"]["step"], 40)

    def test_a_run_continued_from_a_checkpoint_carries_the_whole_chain(self):
        fake_run(self.runs, "fusion_features_ls_cb_cont", "features", 0.15, 0.3, 20, balance=0.5, lr=1e-3,
                 warmup=30, seed=4, finetune="runs/fusion_features_ls_cb/checkpoint.pt")
        extra = fusion_card_extra.build(self.runs, "fusion_features_ls_cb_cont", "test machine")
        recipe = extra["recipe"]
        self.assertIn("--finetune runs/fusion_features_ls_cb/checkpoint.pt --class-balance 0.5 --lr 0.001 "
                      "--warmup 30 --steps 20", recipe["command"])
        self.assertEqual(recipe["starts_from"]["run"], "fusion_features_ls_cb")
        self.assertIn("--steps 40", recipe["starts_from"]["command"])
        self.assertNotIn("--lr", recipe["starts_from"]["command"], "defaults are left out")
        self.assertEqual((recipe["total_steps"], recipe["total_train_seconds"]), (60, 90))
        (row,) = extra["beyond_ablation"]["rows"]
        self.assertEqual(row["miou"], 0.3)

    def test_a_warm_started_network_names_its_parent_and_the_parts_it_took(self):
        fake_run(self.runs, "fusion_both_warm", "both", 0.15, 0.4, 20, balance=0.5, lr=1e-3, warmup=30, seed=12,
                 init_from="runs/fusion_features_ls_cb/checkpoint.pt", init_step=40, freeze_init_steps=5)
        (self.runs / "fusion_both_warm" / "taken.json").write_text(json.dumps(
            {"from": "runs/fusion_features_ls_cb/checkpoint.pt", "step": 40, "parts": ["feat.blocks", "feat.embed"]}))
        extra = fusion_card_extra.build(self.runs, "fusion_both_warm", "test machine")
        recipe = extra["recipe"]
        self.assertIn("--modality both --label-smoothing 0.15 --init-from runs/fusion_features_ls_cb/checkpoint.pt "
                      "--freeze-init-steps 5 --class-balance 0.5", recipe["command"])
        self.assertNotIn("--finetune", recipe["command"])
        self.assertEqual(recipe["starts_from"]["run"], "fusion_features_ls_cb")
        self.assertEqual(recipe["starts_from"]["taken"]["parts"], ["feat.blocks", "feat.embed"])
        self.assertEqual(recipe["total_steps"], 60)
        (row,) = extra["beyond_ablation"]["rows"]
        self.assertEqual((row["inputs"], row["miou"]), ("RGB + features", 0.4))
        self.assertIn("warm-started", extra["beyond_ablation"]["note"])

    def test_a_continuation_of_a_run_cut_short_says_where_that_run_stopped(self):
        # The parent (40 steps planned) ran to 25, was resumed at its step-20 checkpoint, ran
        # to 23 and was killed; the child started from that step-20 checkpoint.
        log = self.runs / "fusion_features_ls_cb" / "log.jsonl"
        lines = log.read_text().splitlines(keepends=True)
        log.write_text("".join(lines[:25] + lines[20:23]))
        fake_run(self.runs, "fusion_features_ls_cb_cont", "features", 0.15, 0.3, 20, balance=0.5, seed=4,
                 finetune="runs/fusion_features_ls_cb/checkpoint.pt", finetune_step=20)
        recipe = fusion_card_extra.build(self.runs, "fusion_features_ls_cb_cont", "test machine")["recipe"]
        parent = recipe["starts_from"]
        self.assertIn("--class-balance 0.5 --stop-after 20 --steps 40", parent["command"])
        self.assertEqual(parent["stopped_at_step"], 20)
        self.assertNotIn("resumed_at_steps", parent, "the resume at 20 came after the kept checkpoint")
        self.assertEqual((parent["final_train_step"]["step"], parent["train_seconds"]), (20, 30))
        self.assertEqual((recipe["total_steps"], recipe["total_train_seconds"]), (40, 60))
        self.assertNotIn("--stop-after", recipe["command"], "the shipped run itself ran to the end")

    def test_a_continuation_of_a_finished_run_names_no_stop(self):
        fake_run(self.runs, "fusion_features_ls_cb_cont", "features", 0.15, 0.3, 20, balance=0.5, seed=4,
                 finetune="runs/fusion_features_ls_cb/checkpoint.pt", finetune_step=40)
        recipe = fusion_card_extra.build(self.runs, "fusion_features_ls_cb_cont", "test machine")["recipe"]
        self.assertNotIn("--stop-after", recipe["starts_from"]["command"])
        self.assertNotIn("stopped_at_step", recipe["starts_from"])
        self.assertEqual(recipe["total_steps"], 60)

    def test_a_shipped_run_stopped_by_its_time_limit_is_the_model_at_that_step(self):
        run = self.runs / "fusion_features_ls_cb"
        (run / "log.jsonl").write_text("".join(json.dumps({"step": s, "loss": 1.0, "acc": 0.5, "s": 1.5}) + "\n"
                                               for s in range(1, 31)))
        ev = json.loads((run / "eval.json").read_text())
        (run / "eval.json").write_text(json.dumps(ev | {"step": 30}))
        recipe = fusion_card_extra.build(self.runs, "fusion_features_ls_cb", "test machine")["recipe"]
        self.assertIn("--stop-after 30 --steps 40", recipe["command"])
        self.assertEqual((recipe["stopped_at_step"], recipe["train_seconds"]), (30, 45))

    def test_the_command_names_the_runs_own_folders_and_every_changed_option(self):
        fake_run(self.runs, "fusion_scene", "both", 0.0, 0.4, 20, data=["data/one_scene"], val=[], batch=4,
                 crop=[240, 320], ceco=0.4, feature_depths=[2, 2, 4, 2])
        recipe = fusion_card_extra.build(self.runs, "fusion_scene", "test machine")["recipe"]
        command = recipe["command"]
        self.assertIn("--feature-depths 2 2 4 2", command)
        self.assertEqual(recipe["arguments"]["feature_depths"], [2, 2, 4, 2])
        self.assertIn("--data data/one_scene --run-dir runs/fusion_scene", command)
        self.assertNotIn("--val", command, "the run evaluated on nothing")
        self.assertIn("--batch 4 --crop 240 320 --ceco 0.4 --feature-depths 2 2 4 2 --steps 20", command)
        self.assertNotIn("--jitter", command, "defaults are left out")
        older = fusion_card_extra.build(self.runs, "fusion_features_ls", "test machine")["recipe"]["command"]
        self.assertIn("--data data/fusion_train --val data/fusion_heldout", older, "runs that recorded no folders")

    def test_the_default_table_matches_the_trainers_parser(self):
        # Read from train_fusion's source: importing it needs PyTorch, which these tests do not.
        source = (Path(__file__).resolve().parents[1] / "rtgs2_train" / "train_fusion.py").read_text()
        defaults = {}
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
                name = node.args[0].value.lstrip("-").replace("-", "_")
                for kw in node.keywords:
                    if kw.arg == "default":
                        defaults[name] = ast.literal_eval(kw.value)
        for key, value in fusion_card_extra.TRAIN_DEFAULTS.items():
            self.assertEqual(defaults[key], value, key)

    def test_a_run_continued_from_a_recovered_model_carries_that_models_card_history(self):
        # A fresh machine: only the shipped file's card knows the earlier runs and the ablation.
        runs = self.runs / "fresh"
        recovered = runs / "fusion_shipped"
        recovered.mkdir(parents=True)
        card_recipe = {"data": {"train_rooms": "old"}, "hardware": "old machine", "command": "python -m old",
                       "arguments": {"steps": 40}, "train_seconds": 60, "total_steps": 300,
                       "total_train_seconds": 900}
        ablation = {"rows": [{"run": "fusion_rgb_ls", "miou": 0.05}, {"run": "fusion_features_ls", "miou": 0.17}]}
        (recovered / "recovered.json").write_text(json.dumps({
            "onnx": "../models/fusion.onnx", "onnx_sha256": "ab" * 32, "command": "python -m recover",
            "card": {"recipe": card_recipe, "ablation": ablation}}))
        fake_run(runs, "fusion_next", "features", 0.15, 0.5, 20, balance=0.5, seed=11,
                 finetune="runs/fusion_shipped/checkpoint.pt", finetune_step=40)
        extra = fusion_card_extra.build(runs, "fusion_next", "test machine")
        recipe = extra["recipe"]
        self.assertIn("--finetune runs/fusion_shipped/checkpoint.pt", recipe["command"])
        before = recipe["starts_from"]
        self.assertEqual((before["run"], before["command"]), ("fusion_shipped", "python -m old"))
        self.assertEqual(before["recovered"]["onnx_sha256"], "ab" * 32)
        self.assertNotIn("data", before, "the data recipe is the card's own, not repeated per run")
        self.assertEqual((recipe["total_steps"], recipe["total_train_seconds"]), (320, 930))
        self.assertEqual(extra["ablation"]["rows"], ablation["rows"])
        (row,) = extra["beyond_ablation"]["rows"]
        self.assertEqual(row["miou"], 0.5)

    def test_a_recovered_model_shipped_without_training_keeps_its_cards_history_and_row(self):
        # A shipped file read back and changed without training (bias calibration): no run wrote
        # args.json or eval.json; the file's own card holds its recipe and held-out row.
        runs = self.runs / "fresh"
        recovered = runs / "fusion_shipped"
        recovered.mkdir(parents=True)
        card_recipe = {"data": {"train_rooms": "old"}, "hardware": "old machine", "command": "python -m old",
                       "arguments": {"steps": 40}, "train_seconds": 60, "total_steps": 300}
        beyond = {"note": "the shipped run", "rows": [{"run": "fusion_shipped", "miou": 0.48}]}
        ablation = {"rows": [{"run": "fusion_features_ls", "miou": 0.17}]}
        (recovered / "recovered.json").write_text(json.dumps({
            "onnx": "../models/fusion.onnx", "onnx_sha256": "cd" * 32, "command": "python -m recover",
            "card": {"recipe": card_recipe, "ablation": ablation, "beyond_ablation": beyond}}))
        extra = fusion_card_extra.build(runs, "fusion_shipped", "test machine")
        self.assertEqual(extra["shipped_run"], "fusion_shipped")
        self.assertEqual(extra["recipe"]["command"], "python -m old")
        self.assertEqual(extra["recipe"]["hardware"], "test machine")
        self.assertEqual(extra["recipe"]["recovered"]["onnx_sha256"], "cd" * 32)
        self.assertIn("calibration_views", extra["recipe"]["data"])
        self.assertEqual(extra["ablation"]["rows"], ablation["rows"])
        self.assertEqual(extra["beyond_ablation"], beyond)

    def test_the_wider_check_goes_into_the_cards_metrics(self):
        def write_eval(name, miou):
            path = self.runs / name
            per_class = [{"id": 1, "name": "wall", "iou": 0.91234, "acc": 0.95, "pixels": 10}]
            path.write_text(json.dumps({"views": 7, "total": {"miou": miou, "macc": 0.6, "oacc": 0.8,
                                                              "per_class": per_class}}))
            return str(path)
        out = self.runs / "extra.json"
        fusion_card_extra.main(["--runs", str(self.runs), "--onnx-eval", write_eval("heldout.json", 0.51234),
                                "--check-eval", write_eval("check.json", 0.47), "--out", str(out)])
        metrics = json.loads(out.read_text())["metrics"]
        self.assertEqual(metrics["heldout_320x240"]["miou"], 0.5123)
        self.assertEqual(metrics["heldout_320x240"]["per_class"][0]["iou"], 0.9123)
        self.assertEqual(metrics["unseen_check_320x240"]["miou"], 0.47)
        self.assertIn("1900-1999", metrics["unseen_check_320x240"]["rooms"])

    def test_a_continued_run_whose_parent_is_gone_is_refused(self):
        fake_run(self.runs, "fusion_cont", "features", 0.15, 0.3, 20, finetune="runs/fusion_missing/checkpoint.pt")
        with self.assertRaises(SystemExit) as e:
            fusion_card_extra.build(self.runs, "fusion_cont", "test machine")
        self.assertIn("fusion_missing/args.json is missing", str(e.exception))

    def test_an_unfinished_shipped_run_is_refused(self):
        (self.runs / "fusion_features_ls_cb" / "eval.json").unlink()
        with self.assertRaises(SystemExit) as e:
            fusion_card_extra.build(self.runs, "fusion_features_ls_cb", "test machine")
        self.assertIn("has not finished", str(e.exception))


if __name__ == "__main__":
    unittest.main()

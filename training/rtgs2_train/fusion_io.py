"""What the fusion network's inputs are, in numpy (the Rust `fusion` module does the same):
u8 RGB [H, W, 3] and splatted features [H, W, D] -> padded, normalised NCHW arrays, and
logits back to NYU40 ids. Padding repeats the last row/column up to a multiple of 32 (the
network's total stride); the caller crops the output back.
"""

from __future__ import annotations

import numpy as np

SIZE_MULTIPLE = 32

# NYU40 id -> training target: 1..40 -> 0..39, 0 (unlabelled) and 255 (ignored) -> 255.
TARGET_OF_ID = np.full(256, 255, dtype=np.uint8)
TARGET_OF_ID[1:41] = np.arange(40, dtype=np.uint8)


def padded_size(h: int, w: int, multiple: int = SIZE_MULTIPLE) -> tuple[int, int]:
    return -(-h // multiple) * multiple, -(-w // multiple) * multiple


def pad_replicate(a: np.ndarray, multiple: int = SIZE_MULTIPLE) -> np.ndarray:
    """[H, W, ...] -> [Hp, Wp, ...], repeating the last row and column."""
    h, w = a.shape[:2]
    hp, wp = padded_size(h, w, multiple)
    return np.pad(a, [(0, hp - h), (0, wp - w)] + [(0, 0)] * (a.ndim - 2), mode="edge")


def prepare(rgb_u8: np.ndarray, features: np.ndarray | None, card: dict) -> dict[str, np.ndarray]:
    """Graph inputs named as in the card, each [1, C, Hp, Wp] float32."""
    multiple = card.get("size_multiple", SIZE_MULTIPLE)
    out = {}
    if "rgb" in card["inputs"]:
        x = rgb_u8.astype(np.float32) / 255.0
        x = (x - np.asarray(card["rgb_mean"], np.float32)) / np.asarray(card["rgb_std"], np.float32)
        out["rgb"] = np.ascontiguousarray(pad_replicate(x, multiple).transpose(2, 0, 1)[None])
    if "features" in card["inputs"]:
        if features is None:
            raise ValueError("this model needs the splatted feature image")
        f = features.astype(np.float32) * np.float32(card["feature_scale"])
        out["features"] = np.ascontiguousarray(pad_replicate(f, multiple).transpose(2, 0, 1)[None])
    return out


def rounded_to_f16(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The inputs as the Rust side feeds them with `--input-precision f16` (its default on GPU
    providers): rounded to the nearest f16, widened back to float32 exactly."""
    return {k: v.astype(np.float16).astype(np.float32) for k, v in inputs.items()}


def crop_logits(logits: np.ndarray, h: int, w: int) -> np.ndarray:
    """[1, K, Hp, Wp] -> [K, H, W]."""
    return logits[0, :, :h, :w]


def ids_from_logits(logits: np.ndarray, class_ids) -> np.ndarray:
    """[K, H, W] -> NYU40 ids [H, W] u8."""
    return np.asarray(class_ids, dtype=np.uint8)[np.argmax(logits, axis=0)]

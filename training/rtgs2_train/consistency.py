"""View consistency, the numpy twin of src/eval/consistency.rs (same rules, parity fixture).

Every pixel of view A with a class (non-zero) and a depth (> 0) is lifted to 3D with A's
depth (pixel centres at integer coordinates: u = fx * x / z + W / 2 - 0.5) and projected into
view B, rounded to the nearest pixel. It counts when it lands inside B in front of the camera,
B's pixel has a class and a depth, and B's depth there is within 5 % of the projected depth
(else it is occluded in B). Consistency = share of counted pixels whose classes agree.
Cameras are dicts with `position` (3), `rotation` (3x3 camera-to-world, rows), fx, fy,
width, height -- the cameras.json fields.

    python -m rtgs2_train.consistency --make-fixture ../tests/fixtures/consistency
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

DEPTH_TOLERANCE = 0.05
BASELINE = 0.05


def agreement(cam_a: dict, classes_a, depth_a, cam_b: dict, classes_b, depth_b) -> tuple[int, int]:
    """(agree, counted) for A's pixels reprojected into B."""
    wa, ha, wb, hb = cam_a["width"], cam_a["height"], cam_b["width"], cam_b["height"]
    ys, xs = np.mgrid[0:ha, 0:wa]
    ca, da = classes_a.reshape(-1), depth_a.reshape(-1).astype(np.float64)
    ok = (ca != 0) & (da > 0) & np.isfinite(da)
    x, y, d, ca = xs.reshape(-1)[ok], ys.reshape(-1)[ok], da[ok], ca[ok]
    local = np.stack([(x - wa / 2 + 0.5) * d / cam_a["fx"], (y - ha / 2 + 0.5) * d / cam_a["fy"], d], axis=1)
    world = local @ np.asarray(cam_a["rotation"], dtype=np.float64).T + np.asarray(cam_a["position"])
    t = (world - np.asarray(cam_b["position"])) @ np.asarray(cam_b["rotation"], dtype=np.float64)
    front = t[:, 2] > 0
    t, ca = t[front], ca[front]
    u = np.round(cam_b["fx"] * t[:, 0] / t[:, 2] + wb / 2 - 0.5)
    v = np.round(cam_b["fy"] * t[:, 1] / t[:, 2] + hb / 2 - 0.5)
    inside = (u >= 0) & (v >= 0) & (u < wb) & (v < hb)
    u, v, t, ca = u[inside].astype(np.int64), v[inside].astype(np.int64), t[inside], ca[inside]
    j = v * wb + u
    cb, db = classes_b.reshape(-1)[j], depth_b.reshape(-1)[j].astype(np.float64)
    counted = (cb != 0) & (db > 0) & (np.abs(db - t[:, 2]) <= DEPTH_TOLERANCE * t[:, 2])
    return int(np.count_nonzero(counted & (cb == ca))), int(np.count_nonzero(counted))


def partner(cam: dict, median_depth: float) -> dict:
    """The same camera moved sideways (its right axis) by BASELINE x median_depth."""
    right = np.asarray(cam["rotation"], dtype=np.float64)[:, 0]
    return {**cam, "position": list(np.asarray(cam["position"], dtype=np.float64) + BASELINE * median_depth * right)}


def _look_at(eye, target, fov_deg, w, h):
    f = np.asarray(target, float) - eye
    f /= np.linalg.norm(f)
    right = np.cross(f, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(f, right)
    fx = 0.5 * w / np.tan(np.radians(fov_deg) / 2)
    return {"position": list(map(float, eye)), "rotation": np.stack([right, down, f], axis=1).tolist(),
            "fx": float(fx), "fy": float(fx), "width": w, "height": h}


def make_fixture(out: Path, seed: int = 5) -> None:
    """Two views of a random box room: depths by ray casting, classes by face with noise."""
    rng = np.random.default_rng(seed)
    w, h = 48, 36
    lo, hi = np.array([-2.0, -1.5, 0.0]), np.array([2.0, 1.5, 2.5])

    def render(cam):
        ys, xs = np.mgrid[0:h, 0:w]
        d_local = np.stack([(xs - w / 2 + 0.5) / cam["fx"], (ys - h / 2 + 0.5) / cam["fy"], np.ones_like(xs, float)], -1)
        dirs = d_local @ np.asarray(cam["rotation"]).T
        eye = np.asarray(cam["position"])
        with np.errstate(divide="ignore", invalid="ignore"):
            tl, th = (lo - eye) / dirs, (hi - eye) / dirs
        tmax = np.where(dirs > 0, th, tl)
        s = np.min(np.where(np.isfinite(tmax), tmax, np.inf), axis=-1)
        face = np.argmin(np.where(np.isfinite(tmax), tmax, np.inf), axis=-1)
        depth = (s * d_local[..., 2]).astype(np.float32)
        classes = (face + 1).astype(np.uint8)
        classes[rng.random(classes.shape) < 0.1] = rng.integers(1, 6)  # disagreement
        classes[rng.random(classes.shape) < 0.05] = 0  # no class
        depth[rng.random(depth.shape) < 0.03] = 0.0  # no depth
        return classes, depth

    cam_a = _look_at(np.array([0.3, -0.4, 1.2]), [1.5, 1.0, 0.9], 70, w, h)
    ca, da = render(cam_a)
    cam_b = partner(cam_a, float(np.median(da[da > 0])) * 4)  # a larger step: many occlusion edges
    cb, db = render(cam_b)
    agree, counted = agreement(cam_a, ca, da, cam_b, cb, db)
    out.mkdir(parents=True, exist_ok=True)
    for name, arr in {"classes_a": ca, "depth_a": da, "classes_b": cb, "depth_b": db}.items():
        np.save(out / f"{name}.npy", arr)
    meta = {"camera_a": cam_a, "camera_b": cam_b, "agree": agree, "counted": counted,
            "rules": {"depth_tolerance": DEPTH_TOLERANCE, "baseline": BASELINE}}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"agree {agree} of {counted} -> {out}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--make-fixture", type=Path, required=True)
    make_fixture(ap.parse_args(argv).make_fixture)


if __name__ == "__main__":
    main()

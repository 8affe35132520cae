#!/usr/bin/env bash
# The speed figures the README's tables report, in one run, as JSON files plus a summary:
# GPU splatting at 640x480 on a 300k and a 1M-Gaussian generated room with 0 and 32 feature
# channels (`bench render`), the GPU radix sort on 1M key/value pairs (`bench sort`), and the
# whole segmentation path (render + read-back + fusion network + overlay) at 640x480 and
# 320x240 on the 300k room (`bench segment`), at 640x480 also with the per-pixel head in Rust
# and with f32 input tensors (the A/B of the two device-side steps a GPU provider takes).
# BENCH_EP (default auto) picks the ONNX Runtime provider, e.g. BENCH_EP=cuda.
#
#   scripts/bench_suite.sh OUT_DIR            # the full suite (minutes on a GPU, hours on lavapipe)
#   scripts/bench_suite.sh OUT_DIR --quick    # small rooms and sizes: checks that every step runs
#
# RTGS2 names the binary (default: target/release/rtgs2, built when missing). The rooms are
# generated under OUT_DIR/scenes with fixed seeds, so every machine measures the same scenes.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: scripts/bench_suite.sh OUT_DIR [--quick]}
mode=${2:-full}
rtgs2=${RTGS2:-target/release/rtgs2}
ep=${BENCH_EP:-auto}
if [ ! -x "$rtgs2" ]; then
  cargo build --release --locked
fi

if [ "$mode" = "--quick" ]; then
  rooms="30000 100000"; frames=3; sort_n=100000; big=160x120; small=96x64
else
  rooms="300000 1000000"; frames=20; sort_n=1000000; big=640x480; small=320x240
fi
mkdir -p "$out/scenes"

# One living room per size (seed 4242, no rotation, metric scale), 20 cameras.
room_of() { echo "$out/scenes/$1/living_04242"; }
for n in $rooms; do
  if [ ! -d "$(room_of "$n")" ]; then
    "$rtgs2" synth "$out/scenes/$n" --seed 4242 --kind living --gaussians "$n" --views 20 \
      --rotation none --scale 1 >/dev/null
  fi
done

wh() { echo "--width ${1%x*} --height ${1#*x}"; }
for n in $rooms; do
  for d in 0 32; do
    echo "bench render: $n Gaussians, $d feature channels, $big"
    # shellcheck disable=SC2046
    "$rtgs2" bench render "$(room_of "$n")" $(wh "$big") --frames "$frames" --features "$d" --json \
      >"$out/render_${n}_f${d}.json"
  done
done
echo "bench sort: $sort_n pairs"
"$rtgs2" bench sort --n "$sort_n" --json >"$out/sort.json"
first=${rooms%% *}
for size in $big $small; do
  echo "bench segment: $first Gaussians, $size"
  # shellcheck disable=SC2046
  "$rtgs2" bench segment "$(room_of "$first")" $(wh "$size") --frames "$frames" --json --ep "$ep" \
    >"$out/segment_${size}.json"
done
# The per-pixel head taken in Rust from the returned logits, for comparison: the default above
# runs it on the device on a GPU provider (on the CPU provider both runs are the same).
echo "bench segment: $first Gaussians, $big, per-pixel head in Rust"
# shellcheck disable=SC2046
"$rtgs2" bench segment "$(room_of "$first")" $(wh "$big") --frames "$frames" --json --ep "$ep" --pixel-head host \
  >"$out/segment_${big}_host.json"
# Likewise the input tensors as f32 (the default packs f16 for a GPU provider).
echo "bench segment: $first Gaussians, $big, f32 input tensors"
# shellcheck disable=SC2046
"$rtgs2" bench segment "$(room_of "$first")" $(wh "$big") --frames "$frames" --json --ep "$ep" \
  --input-precision f32 >"$out/segment_${big}_f32.json"

python3 - "$out" <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
fps = lambda v: f"{v:.0f}" if v >= 10 else f"{v:.2f}"  # noqa: E731
renders = [json.loads(f.read_text()) for f in out.glob("render_*.json")]
for r in sorted(renders, key=lambda r: (r["gaussians"], r["features"])):
    print(f"render  {r['gaussians']:>8} Gaussians, {r['features']:>2} channels, {r['width']}x{r['height']}: "
          f"GPU time {r['gpu_sum_median_ms']:.2f} ms ({fps(r['fps_gpu'])} FPS), steady state {fps(r['pipelined_fps'])} "
          f"FPS, single frame {fps(r['fps_wall'])} FPS  [{r['adapter']}]")
s = json.loads((out / "sort.json").read_text())
print(f"sort    {s['n']} pairs: GPU {s['gpu_timestamp_median_ms']:.3f} ms ({s['gpu_timestamp_mkeys_per_s']:.0f} M keys/s), "
      f"CPU sort_unstable {s['cpu_sort_unstable_median_ms']:.2f} ms  [{s['adapter']}]")
for f in sorted(out.glob("segment_*.json")):
    r = json.loads(f.read_text())
    stages = ", ".join(f"{k} {v['median_ms']:.1f}" for k, v in r["stages"].items())
    print(f"{f.stem.replace('_', ' ', 1)}: {fps(r['sequential_fps'])} FPS sequential, "
          f"{fps(r['pipelined']['frames_per_s'])} pipelined ({fps(r['pipelined']['predictions_per_s'])} predictions/s); "
          f"medians ms: {stages}  [fusion on {r['provider']}, per-pixel head: {r['pixel_head']}, "
          f"inputs: {r['inputs']}, read in place: {r.get('tensors_read_in_place')}]")
EOF

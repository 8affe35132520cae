#!/usr/bin/env bash
# Issue 31, the encoder's turn: the self-supervised encoder retrained on input rule 2 (density-
# and placement-free, scene_inputs.py) with rooms of every training source, then the fusion
# network continued on the features it gives. Steps (from training/, rtgs2 built in release;
# data from real_rooms.sh, furnished_rooms.sh, varied_rooms.sh):
#
#   bash train_density_free.sh encoder   # 62 min, one thread: runs/encoder_r2
#   bash train_density_free.sh data      # export it, every fusion set re-exported with its features
#   bash train_density_free.sh fusion    # fold A and all, side by side (train_furnished.sh's pair)
#
# Encoder rooms (data/encoder_mix, symbolic links): ScanNet rooms 0001-0003 only (fold A's
# training rooms, so the fold-A row stays unseen; every scan at disc 0.9 and 0.6), the 80
# furnished training rooms and every fifth varied synthetic room (24). Never rooms 0000 or
# 0006-0010 (reserved), never 0004-0005 (fold A's validation), never held-out furniture.
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-python}
rtgs2=${RTGS2:-../target/release/rtgs2}
run=runs/encoder_r2
enc=$run/models/encoder.onnx
r2=data/r2

# mix [OUT ROOMS]: the encoder rooms in data/OUT (default encoder_mix) with the ScanNet rooms
# whose last digit is in ROOMS (a bracket range, default 1-3; fold B's encoder takes 3-5).
mix() {
  local out=data/${1:-encoder_mix} rooms=${2:-1-3}
  mkdir -p "$out"
  for s in $(cd data/scannet_rooms && ls -d scene000[$rooms]_*); do
    ln -sfn "../scannet_rooms/$s" "$out/real09_$s"
    ln -sfn "../disc06/scannet_rooms/$s" "$out/real06_$s"
  done
  for r in $(ls data/furnished_rooms/train); do ln -sfn "../furnished_rooms/train/$r" "$out/furn_$r"; done
  for r in $(ls data/varied_rooms | sed -n '1~5p'); do ln -sfn "../varied_rooms/$r" "$out/synth_$r"; done
}

export_sets() {  # the fusion sets of train_furnished.sh, same views and seeds, rule-2 features
  local x=("$rtgs2" export-dataset --model "$enc" --backend cpu --threads 1 --scene-scale recorded)
  scans() { local d=$1; shift; for r in "$@"; do ls -d "$d"/scannet_rooms/scene${r}_*; done; }
  local d o
  for d_o in "data:$r2" "data/disc06:$r2/disc06"; do
    d=${d_o%%:*} o=${d_o#*:}
    "${x[@]}" $(scans "$d" 0001 0002 0003) --out "$o/scannet_train_a" --views-per-scene 20 --extra-views 20 --seed 41
    "${x[@]}" $(scans "$d" 0004 0005) --out "$o/scannet_train_b45" --views-per-scene 20 --extra-views 20 --seed 44
  done
  "${x[@]}" $(scans data 0004 0005) --out "$r2/scannet_val_a" --views-per-scene 30 --seed 42
  "${x[@]}" data/furnished_rooms/train/* --out "$r2/furnished_train" --views-per-scene 12 --extra-views 8 --seed 47
  "${x[@]}" data/furnished_rooms/heldout/* --out "$r2/furnished_val" --views-per-scene 10 --seed 48
  "${x[@]}" data/varied_rooms/* --out "$r2/varied_train" --views-per-scene 3 --extra-views 2 --seed 43
}

case "${1:-}" in
  mix) mix "${2:-}" "${3:-}" ;;  # the encoder rooms alone (finetune_encoder.sh, train_upright.sh use them too)
  encoder)
    mix
    $py -m rtgs2_train.train_encoder --rooms data/encoder_mix --run-dir "$run" --steps 100000 --minutes 62 \
        --threads 1 --seed 11 --input-rule 2 --keep-min 0.35 --max-view-gaussians 30000 ;;
  data)
    $py -m rtgs2_train.export_encoder --checkpoint "$run/checkpoint.pt" --out "$enc" \
        --example-room data/encoder_heldout/bathroom_05007
    export_sets ;;
  fusion)
    a=$r2/scannet_train_a a6=$r2/disc06/scannet_train_a b=$r2/scannet_train_b45 b6=$r2/disc06/scannet_train_b45
    common=(--modality features_rgb --feature-depths 1 2 8 4 --label-smoothing 0.15 --class-balance 0.5
            --threads 1 --lr 3e-4 --warmup 30 --steps "${STEPS:-1400}" --seed 36)
    # shellcheck disable=SC2086  # the data lists are word lists on purpose
    $py -m rtgs2_train.train_fusion --data $a $a $a6 $a6 $r2/furnished_train $r2/varied_train \
        --val $r2/scannet_val_a --run-dir runs/fusion_r2_a --init-from runs/fusion_furn_a2/checkpoint.pt \
        "${common[@]}" > logs/fusion_r2_a.log 2>&1 &
    # shellcheck disable=SC2086
    $py -m rtgs2_train.train_fusion --data $a $a6 $b $b6 $r2/furnished_train $r2/varied_train \
        --val $r2/furnished_val --val-max-views 60 --run-dir runs/fusion_r2_all \
        --init-from runs/fusion_furn_all2/checkpoint.pt "${common[@]}" > logs/fusion_r2_all.log 2>&1 &
    wait ;;
  *) echo "usage: train_density_free.sh mix|encoder|data|fusion" >&2; exit 2 ;;
esac

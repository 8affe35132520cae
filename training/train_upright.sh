#!/usr/bin/env bash
# Issue 31: the upright chain. An encoder trained upright with labels (`--upright
# --semantic-weight 1`, its card says "upright" and rtgs2 levels scenes for it) and fusion
# networks continued on its features. Fold A's encoder is runs/encoder_sem_up
# (finetune_encoder.sh, RUN=runs/encoder_sem_up SEM=1 HEAD_LR=3e-4 SEED=14 UPRIGHT=1, 22 min on
# two threads: 1164 steps; labels of ScanNet rooms 0001-0003 only); its fold-A fusion run is
# runs/fusion_up_a (`TAG=up ... finetune_encoder.sh data` then `STEPS=1200 CONTROL=0 ... fusion`).
# This script adds the rest, one thread each:
#
#   bash train_upright.sh data_all    # rooms 0004-0005's training views with fold A's encoder (data/up)
#   bash train_upright.sh fusion_all  # the shipped all-rooms twin continued 1200 steps on them:
#                                     # runs/fusion_up_all, the candidate to ship
#   bash train_upright.sh encoder_b   # fold B's encoder: the same recipe on ScanNet rooms 0003-0005
#                                     # (never 0001-0002, fold B's validation rooms), 1164 steps
#   bash train_upright.sh data_b      # fold B's sets with its encoder (data/up_b, ~17 GB)
#   bash train_upright.sh fusion_b    # fold B's twin continued 1200 steps: runs/fusion_up_b
#   bash train_upright.sh eval        # fusion_eval of both folds on the rooms they never saw
#
# Every fusion run starts from the same-fold twin of the shipped cue-head network
# (runs/fusion_synth1_s41_3600_v2_ch_lvl2_{a,b,all}), seed 42, lr 3e-4, 1200 steps: the
# protocol of finetune_encoder.sh's A/B, where fold A scored 0.292 / 0.367 (all / ScanNet-20)
# on upright features against 0.232 / 0.344 for the control on the shipped encoder's.
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-python}
rtgs2=${RTGS2:-../target/release/rtgs2}
enc_a=runs/encoder_sem_up
enc_b=runs/encoder_sem_up_b
mkdir -p logs
scans() { local d=$1; shift; for r in "$@"; do ls -d "$d"/scannet_rooms/scene${r}_*; done; }
export_with() {  # encoder run, then export-dataset's arguments
  local enc=$1
  shift
  "$rtgs2" export-dataset --model "$enc/encoder.onnx" --backend cpu --gravity-cues "$@"
}
fusion() {  # fold, data dir, then the data list's sets relative to it
  local fold=$1 d=$2
  shift 2
  local list=()
  for s in "$@"; do list+=("$d/$s"); done
  $py -m rtgs2_train.train_fusion --data "${list[@]}" --run-dir "runs/fusion_up_$fold" \
      --init-from "runs/fusion_synth1_s41_3600_v2_ch_lvl2_$fold/checkpoint.pt" \
      --modality features_rgb --gravity-cues --cue-head --rgb-dropout 0.3 --feature-depths 1 2 8 4 \
      --label-smoothing 0.15 --class-balance 0.5 --lr 3e-4 --warmup 30 --steps "${STEPS:-1200}" --seed 42 \
      --threads "${THREADS:-1}" > "logs/fusion_up_$fold.log" 2>&1
}
case "${1:-}" in
  data_all)
    # shellcheck disable=SC2046  # the scan lists are word lists on purpose
    export_with $enc_a $(scans data 0004 0005) --out data/up/scannet_train_b45 --views-per-scene 20 \
        --extra-views 20 --seed 44
    # shellcheck disable=SC2046
    export_with $enc_a $(scans data/disc06 0004 0005) --out data/up/disc06/scannet_train_b45 \
        --views-per-scene 20 --extra-views 20 --seed 44 ;;
  fusion_all)
    fusion all data/up scannet_train_a scannet_train_a disc06/scannet_train_a disc06/scannet_train_a \
        scannet_train_b45 scannet_train_b45 disc06/scannet_train_b45 disc06/scannet_train_b45 \
        furnished_train varied_train varied_train ;;
  encoder_b)
    bash train_density_free.sh mix encoder_mix_b 3-5
    $py -m rtgs2_train.train_encoder --rooms data/encoder_mix_b --run-dir $enc_b --steps 1164 \
        --threads 1 --seed 14 --lr 3e-4 --keep-min 0.5 --max-view-gaussians 30000 \
        --init-from ../models/encoder.onnx --semantic-weight 1 --semantic-head-lr 3e-4 --upright
    $py -m rtgs2_train.export_encoder --checkpoint $enc_b/checkpoint.pt --out $enc_b/encoder.onnx \
        --example-room data/encoder_heldout/bathroom_05007 ;;
  data_b)
    o=data/up_b
    for d_o in "data:$o" "data/disc06:$o/disc06"; do
      d=${d_o%%:*} oo=${d_o#*:}
      # shellcheck disable=SC2046
      export_with $enc_b $(scans "$d" 0003) --out "$oo/scannet_train_b3" --views-per-scene 20 --extra-views 20 --seed 46
      # shellcheck disable=SC2046
      export_with $enc_b $(scans "$d" 0004 0005) --out "$oo/scannet_train_b45" --views-per-scene 20 \
          --extra-views 20 --seed 44
    done
    # shellcheck disable=SC2046
    export_with $enc_b $(scans data 0001 0002) --out $o/scannet_val_b --views-per-scene 30 --seed 45
    export_with $enc_b data/furnished_rooms/train/* --out $o/furnished_train --views-per-scene 12 --extra-views 8 --seed 47
    export_with $enc_b data/varied_rooms/* --out $o/varied_train --views-per-scene 3 --extra-views 2 --seed 43 ;;
  fusion_b)
    # Fold B's real views as train_from_synth.sh lists them: each set three times, both disc sizes.
    r=()
    for s in scannet_train_b3 scannet_train_b45; do r+=("$s" "$s" "$s" "disc06/$s" "disc06/$s" "disc06/$s"); done
    fusion b data/up_b "${r[@]}" furnished_train varied_train varied_train ;;
  eval)
    for fold_data in a:data/up/scannet_val_a b:data/up_b/scannet_val_b; do
      fold=${fold_data%%:*} d=${fold_data#*:}
      [ -f "runs/fusion_up_$fold/checkpoint.pt" ] || continue
      for classes in all scannet20; do
        $py -m rtgs2_train.fusion_eval --data "$d" --checkpoint "runs/fusion_up_$fold/checkpoint.pt" \
            --classes "$classes" --json "runs/fusion_up_$fold/val_$classes.json" --threads 1 | tail -1
      done
    done ;;
  *) echo "usage: train_upright.sh data_all|fusion_all|encoder_b|data_b|fusion_b|eval" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# One stage from the synthetic-room network (issue 31): the fusion network shipped before real
# rooms came in (`fusion_features_rgb_1284d`, held-out synthetic mIoU 0.610, the file of commit
# 48f2386) trained once on every source at the same time, with the gravity cues (their
# patchify zero-started) and a third of the crops without colour (--rgb-dropout 0.3, so the
# features and cues must carry them), and 200 more furnished training rooms
# (data/furnished_train2, `SET=train2 bash furnished_rooms.sh`, also a make_data.sh step).
#
# Why one stage: the shipped network came out of four warm-started stages whose fold-A twins
# (the real-scan row) were lost with the machine that trained them; a single stage from a
# parent that git keeps gives the twin pair from one command, on any machine.
#
#   bash train_from_synth.sh          # runs/fusion_synth1_{a,all}, side by side, one thread each
#
# fold A  ScanNet rooms 0001-0003 (x3, both disc sizes), scored on rooms 0004-0005 it never saw
# all     all five rooms: the candidate to ship, validated on furnished rooms of held-out models
# fold B  rooms 0003-0005, scored on rooms 0001-0002 (FOLDS="b" or "a b all": the second fold
#         of the cross-validation; FOLDS picks which of a, b, all run, side by side)
# STEPS (default 3200), SEED (default 40), VARIED (copies of the varied synthetic rooms in the
# list, default 1), MINUTES (a wall-time cap, default 0 = none), TAG (appended to the run
# names, to keep a run on remade data apart from one of the same recipe before it) and
# CUE_HEAD=1 (a per-pixel path from the gravity cues to the logits, fusion_model.CueHead).
# A second cycle: CONTINUE=NAME starts each twin from that earlier pair's own checkpoint
# (runs/NAME_a, runs/NAME_all) instead of the parent, at LR (default 6e-4; 3e-4 for a second
# cycle); name the new pair with TAG. Each fold continues from runs/NAME_FOLD.
# REAL2=DIR adds more distinct views of the same training scans (`SEED_SHIFT=100 SETS=train
# DATA=DIR bash real_rooms.sh ...`: other cameras and views), as many copies as the disc-0.9
# views have, so real crops go from about a third to about half of each batch.
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-python}
folds=${FOLDS:-a all}
for fold in $folds; do
  case $fold in a|b|all) ;; *) echo "FOLDS: $fold is not one of a, b, all" >&2; exit 1 ;; esac
done
parent=runs/fusion_1284d_recovered
init_of() {  # the checkpoint fold $1 starts from
  if [ -n "${CONTINUE:-}" ]; then echo "runs/${CONTINUE}_$1/checkpoint.pt"; else echo "$parent/checkpoint.pt"; fi
}
if [ -n "${CONTINUE:-}" ]; then  # the earlier pair's checkpoints; the parent is not needed
  for fold in $folds; do
    f=$(init_of "$fold"); [ -f "$f" ] || { echo "CONTINUE: no $f" >&2; exit 1; }
  done
elif [ ! -f "$parent/checkpoint.pt" ]; then
  mkdir -p runs/parents
  git show 48f2386:models/fusion.onnx > runs/parents/1284d_fusion.onnx
  git show 48f2386:models/fusion.json > runs/parents/1284d_fusion.json
  $py -m rtgs2_train.recover_fusion --onnx runs/parents/1284d_fusion.onnx \
      --card runs/parents/1284d_fusion.json --calibrate data/varied_train --run-dir "$parent"
fi
# Real training views per fold: the disc-0.9 scans, their disc-0.6 twins and REAL2's views of
# the same scans, each listed as often as the fold's recipe has always listed it.
real_views() {  # fold, then the sets of its rooms; prints the data list
  local fold=$1 copies=3 set
  shift
  [ "$fold" = all ] && copies=2
  for set in "$@"; do
    for _ in $(seq $copies); do echo "data/$set"; done
    for _ in $(seq $copies); do echo "data/disc06/$set"; done
  done
  [ -n "${REAL2:-}" ] || return 0
  for set in "$@"; do
    [ -f "$REAL2/$set/manifest.json" ] || { echo "REAL2: no $REAL2/$set/manifest.json" >&2; return 1; }
    for _ in $(seq $copies); do echo "$REAL2/$set"; done
  done
}
furn=(data/furnished_train data/furnished_train2)
seed=${SEED:-40} steps=${STEPS:-3200} copies=${VARIED:-1}
varied=()
for _ in $(seq "$copies"); do varied+=(data/varied_train); done
common=(--modality features_rgb --gravity-cues --rgb-dropout 0.3 --feature-depths 1 2 8 4
        --label-smoothing 0.15 --class-balance 0.5
        --lr "${LR:-6e-4}" --warmup 30 --steps "$steps" --minutes "${MINUTES:-0}" --seed "$seed" --threads 1)
[ "${CUE_HEAD:-0}" = 1 ] && common+=(--cue-head)
name=fusion_synth1
[ "$seed/$steps" = 40/3200 ] || name=fusion_synth1_s${seed}_$steps
[ "$copies" = 1 ] || name=${name}_v$copies
[ "${CUE_HEAD:-0}" = 1 ] && name=${name}_ch
name=${name}${TAG:+_$TAG}
mkdir -p logs
real_of() {  # the real training views of fold $1
  case $1 in
    a) real_views a scannet_train_a ;;
    b) real_views b scannet_train_b3 scannet_train_b45 ;;
    all) real_views all scannet_train_a scannet_train_b45 ;;
  esac
}
for fold in $folds; do real_of "$fold" > /dev/null; done  # every set there before anything starts
for fold in $folds; do
  val=(--val "data/scannet_val_$fold")
  [ "$fold" = all ] && val=(--val data/furnished_val --val-max-views 60)
  # shellcheck disable=SC2046  # the data list is a word list on purpose
  $py -m rtgs2_train.train_fusion --data $(real_of "$fold") "${furn[@]}" "${varied[@]}" "${val[@]}" \
      --run-dir "runs/${name}_$fold" --init-from "$(init_of "$fold")" "${common[@]}" > "logs/${name}_$fold.log" 2>&1 &
done
wait
for fold in $folds; do  # the real-scan rows: each fold on the rooms it never saw
  [ "$fold" = all ] && continue
  for classes in all scannet20; do
    $py -m rtgs2_train.fusion_eval --data "data/scannet_val_$fold" --checkpoint "runs/${name}_$fold/checkpoint.pt" \
        --classes "$classes" --json "runs/${name}_$fold/val_$classes.json" >> "logs/${name}_$fold.log" 2>&1
  done
done

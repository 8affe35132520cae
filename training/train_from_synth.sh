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
# STEPS (default 3200), SEED (default 40), VARIED (copies of the varied synthetic rooms in the
# list, default 1), MINUTES (a wall-time cap, default 0 = none), TAG (appended to the run
# names, to keep a run on remade data apart from one of the same recipe before it) and
# CUE_HEAD=1 (a per-pixel path from the gravity cues to the logits, fusion_model.CueHead).
# A second cycle: CONTINUE=NAME starts each twin from that earlier pair's own checkpoint
# (runs/NAME_a, runs/NAME_all) instead of the parent, at LR (default 6e-4; 3e-4 for a second
# cycle); name the new pair with TAG.
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-python}
parent=runs/fusion_1284d_recovered
if [ -n "${CONTINUE:-}" ]; then  # the earlier pair's checkpoints; the parent is not needed
  init_a=runs/${CONTINUE}_a/checkpoint.pt init_all=runs/${CONTINUE}_all/checkpoint.pt
  for f in "$init_a" "$init_all"; do [ -f "$f" ] || { echo "CONTINUE: no $f" >&2; exit 1; }; done
else
  init_a=$parent/checkpoint.pt init_all=$parent/checkpoint.pt
  if [ ! -f "$parent/checkpoint.pt" ]; then
    mkdir -p runs/parents
    git show 48f2386:models/fusion.onnx > runs/parents/1284d_fusion.onnx
    git show 48f2386:models/fusion.json > runs/parents/1284d_fusion.json
    $py -m rtgs2_train.recover_fusion --onnx runs/parents/1284d_fusion.onnx \
        --card runs/parents/1284d_fusion.json --calibrate data/varied_train --run-dir "$parent"
  fi
fi
a=data/scannet_train_a a6=data/disc06/scannet_train_a b=data/scannet_train_b45 b6=data/disc06/scannet_train_b45
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
# shellcheck disable=SC2086  # the data lists are word lists on purpose
$py -m rtgs2_train.train_fusion --data $a $a $a $a6 $a6 $a6 "${furn[@]}" "${varied[@]}" \
    --val data/scannet_val_a --run-dir "runs/${name}_a" --init-from "$init_a" "${common[@]}" > "logs/${name}_a.log" 2>&1 &
# shellcheck disable=SC2086
$py -m rtgs2_train.train_fusion --data $a $a $a6 $a6 $b $b $b6 $b6 "${furn[@]}" "${varied[@]}" \
    --val data/furnished_val --val-max-views 60 --run-dir "runs/${name}_all" --init-from "$init_all" "${common[@]}" \
    > "logs/${name}_all.log" 2>&1 &
wait
for classes in all scannet20; do
  $py -m rtgs2_train.fusion_eval --data data/scannet_val_a --checkpoint "runs/${name}_a/checkpoint.pt" \
      --classes "$classes" --json "runs/${name}_a/val_$classes.json" >> "logs/${name}_a.log" 2>&1
done

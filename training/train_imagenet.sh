#!/usr/bin/env bash
# The fusion network with an ImageNet-pretrained colour trunk (issue 31): the stage-2 networks
# of train_furnished.sh (fold A and all rooms) given EfficientNet-Lite0's first stages on the
# half-size frame (modality features_rgb_imagenet; rtgs2_train/imagenet_trunk.py), joined to
# the feature branch through projections started at zero, so each run starts from exactly the
# network it continues. Same data, steps, lr and warm-up as the features-only warm start of
# the input ablation (training/README), so the rows compare. Two runs side by side, one
# thread each (~18 minutes each on the 2-core CPU):
#   fold A  trained on ScanNet rooms 0001-0003 only, validated on rooms 0004-0005 it never saw
#   all     trained on all five rooms (the candidate to ship), validated on furnished rooms of
#           held-out models
# Needs: train_furnished.sh stage2 (runs/fusion_furn_a2, runs/fusion_furn_all2) and its data;
# the EfficientNet-Lite0 weights come with requirements.txt.
#
#   bash train_imagenet.sh
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-python}
a=data/scannet_train_a a6=data/disc06/scannet_train_a b=data/scannet_train_b45 b6=data/disc06/scannet_train_b45
common=(--modality features_rgb_imagenet --feature-depths 1 2 8 4 --label-smoothing 0.15 --class-balance 0.5
        --lr 2e-4 --warmup 20 --steps 1000 --threads 1)
mkdir -p logs
# shellcheck disable=SC2086  # the data lists are word lists on purpose
$py -m rtgs2_train.train_fusion --data $a $a $a6 $a6 data/furnished_train data/varied_train \
    --val data/scannet_val_a --run-dir runs/fusion_imnet_a --init-from runs/fusion_furn_a2/checkpoint.pt \
    --seed 37 "${common[@]}" > logs/fusion_imnet_a.log 2>&1 &
# shellcheck disable=SC2086
$py -m rtgs2_train.train_fusion --data $a $a6 $b $b6 data/furnished_train data/varied_train \
    --val data/furnished_val --val-max-views 60 --run-dir runs/fusion_imnet_all \
    --init-from runs/fusion_furn_all2/checkpoint.pt --seed 38 "${common[@]}" > logs/fusion_imnet_all.log 2>&1 &
wait

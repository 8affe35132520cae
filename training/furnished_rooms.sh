#!/usr/bin/env bash
# Rooms furnished with Sweet Home 3D's catalogues (issue 31): labelled point clouds made by
# rtgs2_train.furnished, turned into Gaussian scenes by `rtgs2 import` (the path real scans
# take), then exported as fusion-network training views.
#
#   bash furnished_rooms.sh [SH3D_DIR]      # from training/, rtgs2 built in release
#   SET=train2 bash furnished_rooms.sh      # 200 more training rooms, 6 views each (below)
#
# SH3D_DIR (default data/sh3d) receives Debian's sweethome3d-furniture 1.8 and sweethome3d
# 7.0.2 packages, unpacked (apt-get download + dpkg -x; no Java needed). Nothing from them is
# committed: the models are CC-BY 3.0 / public domain, credited in docs/furniture_credits.md.
#
# Train rooms: seeds 7000-7079, models of the "train" split only. Check rooms: seeds
# 8000-8011, models of the "heldout" split only (a quarter of the catalogue by a hash of each
# model's id: furniture no network trains on).
# Train2 rooms (SET=train2): seeds 7100-7299, models of the "train" split, 4 + 2 views a room
# (data/furnished_train2, ~7 GB): more rooms rather than more views of the same rooms, so each
# training model is seen in more places and lights for the same disk and page cache.
set -euo pipefail
cd "$(dirname "$0")"
sh3d=${1:-data/sh3d}
rtgs2=${RTGS2:-../target/release/rtgs2}
py=${PYTHON:-python}
if [ ! -d "$sh3d/furn" ]; then
  mkdir -p "$sh3d"
  (cd "$sh3d" && apt-get download sweethome3d-furniture=1.8-1 sweethome3d=7.0.2+dfsg-3 \
    && dpkg -x sweethome3d-furniture_1.8-1_all.deb furn && dpkg -x sweethome3d_7.0.2+dfsg-3_all.deb app)
fi
cats=$(ls "$sh3d"/furn/usr/share/sweethome3d/furniture/*.sh3f; echo "$sh3d"/app/usr/share/sweethome3d/sweethome3d.jar)
if [ "${SET:-}" = train2 ]; then
  $py -m rtgs2_train.furnished.make_rooms $cats --out data/furnished_points/train2 --split train --seed 7100 --count 200
  "$rtgs2" import data/furnished_points/train2/*_vert.npy --out data/furnished_rooms/train2 --views 30 --seed 33 --units-per-metre 1
  "$rtgs2" export-dataset data/furnished_rooms/train2/* --out data/furnished_train2 \
      --views-per-scene 4 --extra-views 2 --seed 49 --backend cpu --gravity-cues
  exit
fi
$py -m rtgs2_train.furnished.make_rooms $cats --out data/furnished_points/train --split train --seed 7000 --count 80
$py -m rtgs2_train.furnished.make_rooms $cats --out data/furnished_points/heldout --split heldout --seed 8000 --count 12
"$rtgs2" import data/furnished_points/train/*_vert.npy --out data/furnished_rooms/train --views 30 --seed 31 --units-per-metre 1
"$rtgs2" import data/furnished_points/heldout/*_vert.npy --out data/furnished_rooms/heldout --views 30 --seed 32 --units-per-metre 1
"$rtgs2" export-dataset data/furnished_rooms/train/* --out data/furnished_train \
    --views-per-scene 12 --extra-views 8 --seed 47 --backend cpu --gravity-cues
"$rtgs2" export-dataset data/furnished_rooms/heldout/* --out data/furnished_val \
    --views-per-scene 10 --seed 48 --backend cpu --gravity-cues

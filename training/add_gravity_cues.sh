#!/usr/bin/env bash
# Issue 31: gravity cues (height above the floor, below the top, relative height, flatness;
# src/scene/gravity.rs) added to the fusion sets already exported, without rendering their
# encoder features again: each set is exported once more with --no-features --gravity-cues and
# the arguments it was made with (real_rooms.sh, furnished_rooms.sh, varied_rooms.sh), then
# merge_cues checks the views are the same and moves the cue files in.
#
#   bash add_gravity_cues.sh      # from training/, rtgs2 built in release; ~30 min on 2 cores
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-python}
rtgs2=${RTGS2:-../target/release/rtgs2}

add() {  # add SET SCENES... -- EXPORT_OPTIONS...
  local set=$1; shift
  local scenes=()
  while [ "$1" != "--" ]; do scenes+=("$1"); shift; done
  shift
  if grep -q '"gravity_cues": "gravity-v1"' "$set/manifest.json"; then echo "$set: has cues"; return; fi
  local out=data/cues/${set#data/}
  rm -rf "$out"
  "$rtgs2" export-dataset "${scenes[@]}" --out "$out" --no-features --gravity-cues --backend cpu "$@"
  $py -m rtgs2_train.merge_cues --dataset "$set" --cues "$out"
  rm -rf "$out"
}

for d in data data/disc06; do
  scans() { for r in "$@"; do ls -d "$d"/scannet_rooms/scene${r}_*; done; }
  # shellcheck disable=SC2046  # the scan lists are word lists on purpose
  add "$d/scannet_train_a" $(scans 0001 0002 0003) -- --views-per-scene 20 --extra-views 20 --seed 41
  # shellcheck disable=SC2046
  add "$d/scannet_train_b45" $(scans 0004 0005) -- --views-per-scene 20 --extra-views 20 --seed 44
done
scans() { for r in "$@"; do ls -d data/scannet_rooms/scene${r}_*; done; }
# shellcheck disable=SC2046
add data/scannet_val_a $(scans 0004 0005) -- --views-per-scene 30 --seed 42
add data/furnished_val data/furnished_rooms/heldout/* -- --views-per-scene 10 --seed 48
add data/varied_train data/varied_rooms/* -- --views-per-scene 3 --extra-views 2 --seed 43
add data/furnished_train data/furnished_rooms/train/* -- --views-per-scene 12 --extra-views 8 --seed 47
# The synthetic held-out set (README's table, the fusion fixture's view).
add data/fusion_heldout data/encoder_heldout/* -- --views-per-scene 30

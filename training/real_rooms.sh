#!/usr/bin/env bash
# Real labelled rooms for the fusion network: ScanNet scans of rooms scene0001-scene0005 only
# (10 scans), as preprocessed by votenet (picwoon/votenet at the commit below: 50 000
# vertices a scan, [x y z r g b] in metres, z up, and NYU40 ids). Rooms scene0000 and
# scene0006-scene0010 are reserved for outside evaluation: this script never extracts them.
# ScanNet's terms forbid redistribution: everything written here stays under training/data
# (git-ignored).
#
#   bash real_rooms.sh VOTENET_GIT_DIR        # from training/, rtgs2 built in release
#
# Folds: rooms 0001-0003 train and 0004-0005 validate (fold A), and the reverse split of
# 0003-0005 / 0001-0002 (fold B); no room is on both sides of a fold.
set -euo pipefail
cd "$(dirname "$0")"
git_dir=${1:?usage: real_rooms.sh VOTENET_GIT_DIR (a clone or bare mirror of picwoon/votenet)}
commit=5fc3060eb459f5ecc950d9b159cbef83e43b90c3
rtgs2=${RTGS2:-../target/release/rtgs2}
# DISC_SIZE and DATA make the same scans with other disc sizes for training beside these:
#   DISC_SIZE=0.6 DATA=data/disc06 bash real_rooms.sh ...   (train_furnished.sh stage 2)
disc=${DISC_SIZE:-0.9}
data=${DATA:-data}
# SEED_SHIFT moves every camera and view seed, for more distinct views of the same scans
# beside these (SEED_SHIFT=1 SETS=train DATA=data/views2: train_from_synth.sh's REAL2).
shift_by=${SEED_SHIFT:-0}
seed() { echo $(($1 + shift_by)); }
raw=data/scannet_raw
mkdir -p "$raw"
for f in $(git --git-dir="$git_dir" ls-tree --name-only "$commit" scannet/scannet_train_detection_data/ \
    | grep -E 'scene000[1-5]_[0-9]{2}_(vert|sem_label)\.npy$'); do
  [ -s "$raw/$(basename "$f")" ] || git --git-dir="$git_dir" show "$commit:$f" > "$raw/$(basename "$f")"
done
# Every scan → a labelled Gaussian scene with 40 cameras in its free space (seed 31).
"$rtgs2" import "$raw"/scene000[1-5]_*_vert.npy --out "$data/scannet_rooms" --views 40 --seed "$(seed 31)" --units-per-metre 1 --disc-size "$disc"
scans() { for r in "$@"; do ls -d "$data"/scannet_rooms/scene${r}_*; done; }
# Every set carries the gravity cues (add_gravity_cues.sh adds them to sets made without).
x=("$rtgs2" export-dataset --backend cpu --gravity-cues)
# Training views: 20 of each scan's cameras plus 20 random views near them; validation: 30.
# SETS=train (the disc-0.6 copy) exports the training sets only: nothing validates on it.
sets=${SETS:-train val}
"${x[@]}" $(scans 0001 0002 0003) --out "$data/scannet_train_a" --views-per-scene 20 --extra-views 20 --seed "$(seed 41)"
# Fold B: rooms 0003-0005 train, 0001-0002 validate. The shipped model trains on all five.
"${x[@]}" $(scans 0004 0005) --out "$data/scannet_train_b45" --views-per-scene 20 --extra-views 20 --seed "$(seed 44)"
case " $sets " in *" val "*)
  "${x[@]}" $(scans 0004 0005) --out "$data/scannet_val_a" --views-per-scene 30 --seed "$(seed 42)"
  "${x[@]}" $(scans 0001 0002) --out "$data/scannet_val_b" --views-per-scene 30 --seed "$(seed 45)"
 ;;
esac
# Fold B's third room (a training set, so the disc-0.6 copy has it too).
"${x[@]}" $(scans 0003) --out "$data/scannet_train_b3" --views-per-scene 20 --extra-views 20 --seed "$(seed 46)"

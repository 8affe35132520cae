#!/usr/bin/env bash
# Every data set the fusion recipes read, made from nothing on a new machine, in one command:
# the real ScanNet rooms 0001-0005 at disc sizes 0.9 and 0.6 (real_rooms.sh), the Sweet Home 3D
# furnished rooms (furnished_rooms.sh) and the varied synthetic rooms with the held-out synthetic
# check rooms (varied_rooms.sh). Every exported set carries its gravity cues. None of it is
# committed (training/data is git-ignored; ScanNet's terms forbid redistribution).
#
#   bash make_data.sh VOTENET_GIT_DIR     # from training/, rtgs2 built in release
#
# VOTENET_GIT_DIR: a clone or bare mirror of picwoon/votenet (the search tool's `fetch` brings
# one). Each step leaves a stamp (data/.made_STEP) when it finishes, so a second call goes on
# where the first stopped; a step cut half way is redone whole. Times per step go to
# logs/make_data.log.
set -euo pipefail
cd "$(dirname "$0")"
git_dir=${1:?usage: make_data.sh VOTENET_GIT_DIR}
mkdir -p data logs
step() {  # step NAME COMMAND...: run it unless its stamp says it is made
  local name=$1; shift
  if [ -f "data/.made_$name" ]; then echo "make_data: $name: made already"; return; fi
  local t0=$SECONDS
  echo "make_data: $name ..."
  "$@" > "logs/make_data_$name.log" 2>&1 || { echo "make_data: $name failed: logs/make_data_$name.log" >&2; exit 1; }
  touch "data/.made_$name"
  echo "make_data: $name: $(( (SECONDS - t0) / 60 )) min" | tee -a logs/make_data.log
}
step real_rooms bash real_rooms.sh "$git_dir"
step real_rooms_disc06 env DISC_SIZE=0.6 DATA=data/disc06 SETS=train bash real_rooms.sh "$git_dir"
step furnished_rooms bash furnished_rooms.sh
step varied_rooms bash varied_rooms.sh
step furnished_rooms_train2 env SET=train2 bash furnished_rooms.sh

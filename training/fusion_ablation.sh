#!/usr/bin/env bash
# The fusion ablation (RT-GS2 Table 4 analogue): RGB only, features only, both; each with and
# without label smoothing; same data, seed and step budget. Two runs at a time, one thread
# each (a 2-core machine), each worker taking the next run when its own ends. Then
# `python -m rtgs2_train.fusion_ablation` tabulates runs/*/eval.json.
#   STEPS=1000 bash fusion_ablation.sh      (from training/, with .venv set up)
set -euo pipefail
cd "$(dirname "$0")"
export STEPS=${STEPS:-1000}
export PY=${PY:-.venv/bin/python}
one() {  # "modality smoothing name"
  set -- $1
  "$PY" -m rtgs2_train.train_fusion --data data/fusion_train --val data/fusion_heldout \
    --run-dir "runs/fusion_$3" --modality "$1" --label-smoothing "$2" --steps "$STEPS" \
    --threads 1 --seed 3 --resume > "runs/fusion_$3.log" 2>&1
  echo "$3 finished (exit $?) at $(date +%T)"
}
export -f one
mkdir -p runs
printf '%s\n' "both 0.15 both_ls" "rgb 0.15 rgb_ls" "features 0.15 features_ls" \
  "both 0 both_nols" "rgb 0 rgb_nols" "features 0 features_nols" |
  xargs -P 2 -I{} bash -c 'one "{}"'
"$PY" -m rtgs2_train.fusion_ablation --runs runs --out runs/fusion_ablation.json

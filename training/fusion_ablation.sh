#!/usr/bin/env bash
# The fusion ablation (RT-GS2 Table 4 analogue): RGB only, features only, both; each with and
# without label smoothing; same data, seed and step budget. Two runs at a time, one thread
# each (a 2-core machine). Then `python -m rtgs2_train.fusion_ablation` tabulates runs/*/eval.json.
#   STEPS=900 bash fusion_ablation.sh      (from training/, with .venv set up)
set -euo pipefail
cd "$(dirname "$0")"
STEPS=${STEPS:-900}
PY=${PY:-.venv/bin/python}
run() {  # modality smoothing name
  "$PY" -m rtgs2_train.train_fusion --data data/fusion_train --val data/fusion_heldout \
    --run-dir "runs/fusion_$3" --modality "$1" --label-smoothing "$2" --steps "$STEPS" \
    --threads 1 --seed 3 --resume > "runs/fusion_$3.log" 2>&1
}
mkdir -p runs
run both 0.15 both_ls & run rgb 0.15 rgb_ls & wait
run features 0.15 features_ls & run both 0 both_nols & wait
run rgb 0 rgb_nols & run features 0 features_nols & wait
"$PY" -m rtgs2_train.fusion_ablation --runs runs --out runs/fusion_ablation.json

#!/usr/bin/env bash
# Score a fusion checkpoint as a candidate to ship, then ship it. One recipe is trained twice:
# on all five real rooms (RUN, the file users get) and on rooms 0001-0003 only (FOLD_A_RUN,
# whose score on rooms 0004-0005 is the real-scan row: a network that never saw those rooms).
#
#   bash ship_fusion.sh candidate RUN FOLD_A_RUN   # export both next to their checkpoints and run
#                                                 # generalisation.sh: RUN on every generated
#                                                 # source, FOLD_A_RUN on the real scans, side by
#                                                 # side, live and lifted (~40 min on the 2-core CPU)
#   bash ship_fusion.sh ship RUN FOLD_A_RUN CARD.json  # RUN becomes ../models/fusion.onnx; its card
#                                                 # carries the table, CARD.json's "recipe" and
#                                                 # "speed" (the new file's: write them first;
#                                                 # "ablation_real_scans" too when re-measured),
#                                                 # and the shipped card's list of training rooms
#                                                 # and furniture; the parity fixture is
#                                                 # regenerated from it
# Compare with the shipped file's own table (runs/gen_furn_all2, runs/gen_furn_a2) before the
# second step; ship only what is better on the sources we did not generate.
set -euo pipefail
cd "$(dirname "$0")"
py=${PYTHON:-python}
step=${1:?usage: ship_fusion.sh candidate RUN FOLD_A_RUN | ship RUN FOLD_A_RUN CARD.json}
run=${2:?RUN}
fold=${3:?FOLD_A_RUN}
mkdir -p logs
case "$step" in
  candidate)
    for r in "$run" "$fold"; do
      $py -m rtgs2_train.export_fusion --checkpoint "runs/$r/checkpoint.pt" --out "runs/$r/fusion.onnx" \
          > "logs/export_$r.log" 2>&1
    done
    SETS="synth furnished brittle furnished_lifted" bash generalisation.sh "runs/gen_$run" \
        --model "runs/$run/fusion.onnx" > "logs/gen_$run.log" 2>&1 &
    SETS="scannet scannet_lifted" bash generalisation.sh "runs/gen_$fold" --model "runs/$fold/fusion.onnx" \
        > "logs/gen_$fold.log" 2>&1 &
    wait
    grep -h ': total\|: view consistency' "logs/gen_$run.log" "logs/gen_$fold.log" ;;
  ship)
    sections=${4:?ship needs CARD.json with the recipe and speed of the new file}
    $py - "$sections" > "runs/card_extra_$run.json" <<'EOF'
import json, sys
# What trained it and how fast it is are the new file's and must be given; which real rooms
# and furniture the data used (and their credits) carry over from the shipped card.
given = json.load(open(sys.argv[1]))
missing = [k for k in ("recipe", "speed") if k not in given]
if missing:
    raise SystemExit(f"{sys.argv[1]} lacks {', '.join(missing)}: the old file's would describe another network")
card = json.load(open("../models/fusion.json"))
keep = {k: card[k] for k in ("trained_on_real_rooms", "trained_on_furniture") if k in card}
print(json.dumps(keep | given, indent=2))
EOF
    $py -m rtgs2_train.generalisation_card --shipped "runs/gen_$run" \
        --fold "runs/gen_$fold:fold A: rooms 0004-0005, scored by the same recipe trained on rooms 0001-0003 (60 views)" \
        --note "the real-scan row is a cross-validated estimate for the shipped network, which trained on all five rooms" \
        --extra "runs/card_extra_$run.json" --out "runs/card_$run.json"
    $py -m rtgs2_train.export_fusion --checkpoint "runs/$run/checkpoint.pt" --out ../models/fusion.onnx \
        --card-extra "runs/card_$run.json"
    $py -m rtgs2_train.make_fusion_fixture --checkpoint "runs/$run/checkpoint.pt" --model ../models/fusion.onnx \
        --data data/fusion_heldout --view 7 --out ../tests/fixtures/fusion ;;
  *) echo "usage: ship_fusion.sh candidate RUN FOLD_A_RUN | ship RUN FOLD_A_RUN CARD.json" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The generalisation table (README, model card): `rtgs2 eval` at 320x240 per data source,
# both class protocols, for the model given (default: the shipped one). Sources:
#   synth_heldout  10 generated rooms, seeds 5000-5009 (varied_rooms.sh), 8 views each
#   scannet_val_a  real ScanNet scans of rooms 0004-0005, never trained on (real_rooms.sh), 20 views each
#   furnished_heldout  12 Sweet Home 3D rooms of held-out models only (furnished_rooms.sh), 8 views each
#   scannet_val_b  real ScanNet scans of rooms 0001-0002 (fold B's validation rooms), 20 views each
#   brittle_*      one generated room (seed 5003) as generated, scaled x2.5, and with 40k Gaussians
#   scannet_lifted, scannet_b_lifted, furnished_lifted  the same views of scannet_val_a,
#                  scannet_val_b and furnished_heldout, live
#                  and lifted (`--source both --consistency`: 48 lifting views a scene, cached, so
#                  the second protocol reuses the first's lift), files NAME_lifted_CLASSES.json
#
#   bash generalisation.sh OUT_DIR [extra rtgs2 eval options, e.g. --model M.onnx]
#   SETS="synth brittle" bash generalisation.sh ...   # a subset (a model trained on every real
#                                                      # room has no real row: its folds give it)
set -euo pipefail
cd "$(dirname "$0")"
out=${1:?usage: generalisation.sh OUT_DIR [rtgs2 eval options]}
shift
rtgs2=${RTGS2:-../target/release/rtgs2}
mkdir -p "$out"
run() {  # name, max views, scenes...
  local name=$1 views=$2
  shift 2
  for classes in all scannet20; do
    "$rtgs2" eval "$@" --max-views "$views" --classes "$classes" --json "$out/${name}_${classes}.json" "${extra[@]}" \
      > "$out/${name}_${classes}.txt"
    grep '^total\|^view consistency' "$out/${name}_${classes}.txt" | sed "s/^/$name $classes: /"
  done
}
lifted() {  # run's arguments: live and lifted side by side, with their view consistency
  local name=$1
  shift
  local plain=("${extra[@]}")
  extra=("${plain[@]}" --source both --consistency)
  run "${name}_lifted" "$@"
  extra=("${plain[@]}")
}
extra=("$@")
sets=${SETS:-synth furnished scannet brittle}
case " $sets " in *" synth "*) run synth_heldout 8 data/encoder_heldout/* ;; esac
case " $sets " in *" scannet "*) run scannet_val_a 20 data/scannet_rooms/scene0004_* data/scannet_rooms/scene0005_* ;; esac
case " $sets " in *" furnished "*) run furnished_heldout 8 data/furnished_rooms/heldout/* ;; esac
case " $sets " in *" scannet_b "*) run scannet_val_b 20 data/scannet_rooms/scene0001_* data/scannet_rooms/scene0002_* ;; esac
case " $sets " in *" scannet_lifted "*)
  lifted scannet_val_a 20 data/scannet_rooms/scene0004_* data/scannet_rooms/scene0005_* ;; esac
case " $sets " in *" scannet_b_lifted "*)
  lifted scannet_val_b 20 data/scannet_rooms/scene0001_* data/scannet_rooms/scene0002_* ;; esac
case " $sets " in *" furnished_lifted "*) lifted furnished_heldout 8 data/furnished_rooms/heldout/* ;; esac
case " $sets " in *" brittle "*)
  for v in as_generated scaled_2_5 g40k; do
    run "brittle_$v" 8 "data/brittle/$v/classroom_05003"
  done ;;
esac

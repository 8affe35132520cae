#!/usr/bin/env bash
# Synthetic rooms whose Gaussian representation varies the way other trainers' does, for the
# fusion network beside the real rooms (real_rooms.sh): random world scale (0.5-2, the
# encoder sees it normalised by the estimated scene scale), random orientation, three
# densities (30k, 80k and 250k Gaussians a room) and SH degrees 0 and 3. Seeds 6000-6119 are
# new: no earlier network trained on them. Held-out check: seeds 5000-5009 as the card's.
#
#   bash varied_rooms.sh        # from training/, rtgs2 built in release
set -euo pipefail
cd "$(dirname "$0")"
rtgs2=${RTGS2:-../target/release/rtgs2}
"$rtgs2" synth data/varied_rooms --seed 6000 --count 40 --gaussians 30000 --sh-degree 0 --views 30
"$rtgs2" synth data/varied_rooms --seed 6040 --count 40 --gaussians 80000 --sh-degree 3 --views 30
"$rtgs2" synth data/varied_rooms --seed 6080 --count 40 --gaussians 250000 --sh-degree 0 --views 30
"$rtgs2" export-dataset data/varied_rooms/* --out data/varied_train \
    --views-per-scene 3 --extra-views 2 --seed 43 --backend cpu --gravity-cues
"$rtgs2" synth data/encoder_heldout --seed 5000 --count 10 --gaussians 80000 --sh-degree 0 --scale 1 --views 30
# Their views: the README table's fusion_eval set and the fusion parity fixture's view.
"$rtgs2" export-dataset data/encoder_heldout/* --out data/fusion_heldout --views-per-scene 30 --backend cpu --gravity-cues
# One held-out room three ways (the issue's brittleness check): as generated, x2.5, 40k Gaussians.
"$rtgs2" synth data/brittle/as_generated --seed 5003 --gaussians 150000 --views 8 --scale 1
"$rtgs2" synth data/brittle/scaled_2_5 --seed 5003 --gaussians 150000 --views 8 --scale 2.5
"$rtgs2" synth data/brittle/g40k --seed 5003 --gaussians 40000 --views 8 --scale 1

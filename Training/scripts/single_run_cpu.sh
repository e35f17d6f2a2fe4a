#!/usr/bin/env bash
# The default model's recipe from random weights with every read-out from the first step (Training/results/
# README.md, single/): h1 trains stage 0 with the orientation, turn and class-prototype read-outs from the
# start, where rotation_cpu.sh adds them in four resumed parts over 40 epochs; h2 resumes h1's model for three
# more epochs with h1's read-out heads (--heads-from). From the repository root:
#   DATA=.data/synthmotion OUT=.data [E2E=.data/e2e] bash Training/scripts/single_run_cpu.sh
# writes OUT/h1 and OUT/h2 (model/, report.json, train.log, state/) and with E2E (the clips of
# Scripts/e2e/default-model.sh, see rotation_cpu.sh) their e2e.json. --checkpoint keeps each run's state, so
# running this again continues where it stopped; a finished run (its report written) is skipped. fp32, since
# the trainer refuses bf16 on CPUs without its kernels.
set -euo pipefail
source "$(dirname "$0")/cpu_env.sh"
COMMON+=(--orientation-weight 5 --turn-weight 5 --class-weight 1)
train h1 --lr0 2e-3 --epochs0 12 --time-limit 6600
evaluate_e2e h1
train h2 --resume "$OUT/h1/model" --heads-from "$OUT/h1/state/stage0.pt" --lr0 1e-3 --epochs0 3
evaluate_e2e h2

#!/usr/bin/env bash
# One run of the default model's recipe sized for the issue's hour on two CPU cores (Training/results/README.md,
# single/, p16 and t4): patch 16 instead of 8 gives each 64×64 frame 16 patch tokens instead of 64, and four
# frames a clip instead of eight halve them again; every read-out from the first step (single_run_cpu.sh's h1).
# --epochs0 60 asks for more epochs than fit: the time limit fits the schedule to the hour after every epoch
# (42 epochs of 51-69 s on two AMD EPYC Zen 3 cores, t4), and it only ever shortens it. From the repository root:
#   DATA=.data/synthmotion OUT=.data [E2E=.data/e2e] bash Training/scripts/hour_cpu.sh
# writes OUT/t4 (model/, report.json, train.log, state/) and with E2E (the clips of Scripts/e2e/default-model.sh,
# see rotation_cpu.sh) its e2e.json. --checkpoint keeps the state, so running this again continues where it
# stopped; a finished run (its report written) is skipped. The results' p16, p16w and p16f were this command
# with eight frames and --epochs0 30 (17, 14 and 25 epochs fitted; p16 under the trainer before commit 375631c,
# which did not cut the warm-up with the schedule).
set -euo pipefail
source "$(dirname "$0")/cpu_env.sh"
train t4 --epochs0 60 --lr0 2e-3 --patch-size 16 --frames 4 --orientation-weight 5 --turn-weight 5 \
    --class-weight 1 --time-limit 3450
evaluate_e2e t4

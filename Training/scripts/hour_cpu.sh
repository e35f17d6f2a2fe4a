#!/usr/bin/env bash
# One run of the default model's recipe sized for the issue's hour on two CPU cores (Training/results/README.md,
# single/, p16): patch 16 instead of 8 gives each 64×64 frame 16 patch tokens instead of 64, a training step about
# 3 times cheaper (epochs of 148-177 s instead of 448-528 s), so the time limit fits 17 stage-0 epochs into the
# hour instead of 7; every read-out from the first step (single_run_cpu.sh's h1). From the repository root:
#   DATA=.data/synthmotion OUT=.data [E2E=.data/e2e] bash Training/scripts/hour_cpu.sh
# writes OUT/p16w (model/, report.json, train.log, state/) and with E2E (the clips of Scripts/e2e/default-model.sh,
# see rotation_cpu.sh) its e2e.json. --checkpoint keeps the state, so running this again continues where it
# stopped; a finished run (its report written) is skipped. The results' p16 is this command under the trainer
# before commit 375631c, whose time limit cut the 30 epochs to 17 and kept the warm-up of 3; p16w's warm-up is
# cut with them (to 1.4 epochs of the 14 that fitted on a slower machine); p16f is this command on a faster one,
# where 25 fitted.
set -euo pipefail
source "$(dirname "$0")/cpu_env.sh"
train p16w --epochs0 30 --lr0 2e-3 --patch-size 16 --orientation-weight 5 --turn-weight 5 --class-weight 1 \
    --time-limit 3450
evaluate_e2e p16w

#!/usr/bin/env bash
# Rotation on two CPU cores, trained in parts (Training/results/README.md, orientation/): or6, Models/default's
# first recipe with the orientation read-out from random weights (or2's); or7, or6's model resumed with the
# orientation and turn read-outs (or3's); or8, or7's model resumed with class prototypes scored against v as
# well (--class-weight); or9, or8's model resumed at half the learning rate; or10 (Models/default), or9's
# model resumed for five more epochs at that rate. Each keeps its state with --checkpoint, so running this again
# continues where it stopped; a finished run (its report written) is skipped. From the repository root:
#   DATA=.data/synthmotion OUT=.data [E2E=.data/e2e] bash Training/scripts/rotation_cpu.sh
# writes OUT/or6 to OUT/or10 (model/, report.json, train.log, state/), and with E2E (the clips of
# Scripts/e2e/default-model.sh: python -m stasclip.synthetic E2E --splits test --test-per-class 10
# --train-per-class 0 --zeroshot-per-class 0 --seed 20261126) OUT/or7/e2e.json to OUT/or10/e2e.json. fp32
# throughout, since the trainer refuses bf16 on CPUs without its kernels and the parts may run on different
# machines.
set -euo pipefail
source "$(dirname "$0")/cpu_env.sh"
train or6 --lr0 2e-3 --epochs0 18 --orientation-weight 5
train or7 --resume "$OUT/or6/model" --lr0 1e-3 --epochs0 8 --orientation-weight 5 --turn-weight 5
train or8 --resume "$OUT/or7/model" --lr0 1e-3 --epochs0 5 --orientation-weight 5 --turn-weight 5 --class-weight 1
train or9 --resume "$OUT/or8/model" --lr0 5e-4 --epochs0 4 --orientation-weight 5 --turn-weight 5 --class-weight 1
train or10 --resume "$OUT/or9/model" --lr0 5e-4 --epochs0 5 --orientation-weight 5 --turn-weight 5 --class-weight 1
evaluate_e2e or7 or8 or9 or10

#!/usr/bin/env bash
# Rotation on two CPU cores, trained in parts (Training/results/README.md, orientation/): or6, Models/default's
# recipe with the orientation read-out from random weights (or2's), then or7, or6's model resumed with the
# orientation and turn read-outs (or3's). Both keep their state with --checkpoint, so running this again
# continues where it stopped; a finished run (its report written) is skipped. From the repository root:
#   DATA=.data/synthmotion OUT=.data [E2E=.data/e2e] bash Training/scripts/rotation_cpu.sh
# writes OUT/or6 and OUT/or7 (model/, report.json, train.log, state/), and with E2E (the clips of
# Scripts/e2e/default-model.sh: python -m stasclip.synthetic E2E --splits test --test-per-class 10
# --train-per-class 0 --zeroshot-per-class 0 --seed 20261126) OUT/or7/e2e.json. fp32 throughout, since the
# trainer refuses bf16 on CPUs without its kernels and the parts may run on different machines.
set -euo pipefail
DATA=$(realpath "${DATA:-.data/synthmotion}")
OUT=$(realpath -m "${OUT:-.data}")
E2E=${E2E:+$(realpath "$E2E")}
TOKENIZER=$PWD/Tests/Fixtures/clip-tokenizer
# glibc's malloc faults every step's large activations in afresh; jemalloc keeps the pages (Training/README.md).
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [ -e "$JEMALLOC" ]; then
    export LD_PRELOAD=$JEMALLOC MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1
else
    echo "no $JEMALLOC (apt-get install libjemalloc2): training with glibc's malloc, about a fifth slower" >&2
fi
export PYTHONUNBUFFERED=1
cd Training
COMMON=(--data "$DATA" --tokenizer "$TOKENIZER" --online-train 1000 --stage0 full --epochs2 1 --warmup2 1
        --batch-size 64 --position-init sincos-st --image-size 64 --precision fp32 --device cpu --threads 2
        --jobs 2 --half)
train() {  # name args...
    local name=$1
    shift
    [ -f "$OUT/$name/report.json" ] && return 0
    mkdir -p "$OUT/$name"
    python3 -m stasclip.train "${COMMON[@]}" --checkpoint "$OUT/$name/state" --out "$OUT/$name/model" \
        --report "$OUT/$name/report.json" "$@" >>"$OUT/$name/train.log" 2>&1
}
train or6 --lr0 2e-3 --epochs0 18 --orientation-weight 5
train or7 --resume "$OUT/or6/model" --lr0 1e-3 --epochs0 8 --orientation-weight 5 --turn-weight 5
if [ -n "${E2E:-}" ]; then
    python3 -m stasclip.evaluate "$OUT/or7/model" "$E2E/test.txt" --threads 2 \
        --out "$OUT/or7/e2e.json"
fi

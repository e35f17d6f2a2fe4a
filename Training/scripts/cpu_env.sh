# Sourced from the repository root by the CPU training scripts (rotation_cpu.sh, single_run_cpu.sh,
# hour_cpu.sh): resolves DATA, OUT, E2E and TOKENIZER to absolute paths, trains under jemalloc where it is
# installed, changes into Training/, and gives the scripts the options every run shares (COMMON), `train` and
# `evaluate_e2e`.
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
# fp32 throughout, since the trainer refuses bf16 on CPUs without its kernels.
COMMON=(--data "$DATA" --tokenizer "$TOKENIZER" --online-train 1000 --stage0 full --epochs2 1 --warmup2 1
        --batch-size 64 --position-init sincos-st --image-size 64 --precision fp32 --device cpu --threads 2
        --jobs 2 --half)
# train NAME ARGS...: trains OUT/NAME (model/, report.json, train.log, state/) with COMMON and ARGS, keeping its
# state with --checkpoint so that running it again continues where it stopped; a finished run (its report
# written) is skipped.
train() {
    local name=$1
    shift
    [ -f "$OUT/$name/report.json" ] && return 0
    mkdir -p "$OUT/$name"
    python3 -m stasclip.train "${COMMON[@]}" --checkpoint "$OUT/$name/state" --out "$OUT/$name/model" \
        --report "$OUT/$name/report.json" "$@" >>"$OUT/$name/train.log" 2>&1
}
# evaluate_e2e NAME...: with E2E set, writes OUT/NAME/e2e.json, each model's score on the end-to-end clips,
# where it is not there yet.
evaluate_e2e() {
    [ -n "${E2E:-}" ] || return 0
    local name
    for name in "$@"; do
        [ -f "$OUT/$name/e2e.json" ] || python3 -m stasclip.evaluate "$OUT/$name/model" "$E2E/test.txt" \
            --threads 2 --out "$OUT/$name/e2e.json"
    done
}

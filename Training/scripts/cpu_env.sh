# Sourced from the repository root by the CPU training scripts (rotation_cpu.sh, single_run_cpu.sh,
# hour_cpu.sh): resolves DATA, OUT, E2E and TOKENIZER to absolute paths, trains under jemalloc where it is
# installed, and changes into Training/.
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

#!/usr/bin/env bash
# The training session run on a lent GPU machine (16 cores, one GPU) in one call, from the repo root:
#   DATA=.data/synthmotion OUT=/somewhere bash Training/scripts/gpu_session.sh
# 1. a smoke run on the small dataset (fails fast if the machine's torch/transformers disagree with us);
# 2. the ablation (python -m stasclip.ablate) on cores 0-12;
# 3. the default model's training on core 13 (GPU);
# 4. the same training on two CPU cores (14-15, --device cpu --threads 2) for one epoch per stage, to
#    measure what training on a 2-core machine costs.
# Results land in $OUT (8 files at most): logs, ablation.md, runs.jsonl (rebuild ablation.json with
# `python -m stasclip.ablate --from-runs`), default-report.json, and two models as tarballs.
set -u
DATA=${DATA:-.data/synthmotion}
SMALL=${SMALL:-.data/synth-small}
OUT=${OUT:?set OUT}
WORK=${WORK:-/tmp/stclip-train}
TOKENIZER=$PWD/Tests/Fixtures/clip-tokenizer
SCHEDULE=${SCHEDULE:---epochs0 15 --epochs1 6 --epochs2 10 --warmup2 2}
DEFAULT_SCHEDULE=${DEFAULT_SCHEDULE:---epochs0 30 --epochs1 10 --epochs2 20 --warmup2 3}
CPU_SCHEDULE=${CPU_SCHEDULE:---epochs0 1 --epochs1 1 --epochs2 1 --warmup2 1}
DEVICE=${DEVICE:-cuda}
ABLATION_CORES=${ABLATION_CORES:-0-12} DEFAULT_CORES=${DEFAULT_CORES:-13} CPU_CORES=${CPU_CORES:-14,15}
JOBS=${JOBS:-13}
mkdir -p "$WORK" "$OUT"
command -v taskset >/dev/null || taskset() { shift 2; "$@"; }
export PYTHONUNBUFFERED=1
cd Training
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, transformers, PIL, numpy; print('torch', torch.__version__, 'transformers', transformers.__version__, 'cuda', torch.cuda.is_available())"
python3 -c "import av" 2>/dev/null && echo "decoder: PyAV" || python3 -c "import cv2; print('decoder: OpenCV', cv2.__version__)"

timeout 120 python3 -m stasclip.train --data "../$SMALL" --tokenizer "$TOKENIZER" --out "$WORK/smoke" \
    --epochs0 1 --epochs1 1 --epochs2 1 --warmup2 1 --device "$DEVICE" >"$WORK/smoke.log" 2>&1 \
    || { echo "smoke run failed"; tail -30 "$WORK/smoke.log"; exit 1; }
tail -2 "$WORK/smoke.log"

taskset -c "$DEFAULT_CORES" python3 -m stasclip.train --data "../$DATA" --tokenizer "$TOKENIZER" --out "$WORK/default" --half \
    $DEFAULT_SCHEDULE --device "$DEVICE" --jobs 1 --report "$WORK/default-report.json" >"$OUT/default.log" 2>&1 &
DEFAULT=$!
taskset -c "$CPU_CORES" timeout 400 python3 -m stasclip.train --data "../$DATA" --tokenizer "$TOKENIZER" --out "$WORK/cpu" \
    $CPU_SCHEDULE --device cpu --threads 2 --jobs 2 >"$OUT/cpu2.log" 2>&1 &
CPU=$!
taskset -c "$ABLATION_CORES" timeout "${ABLATION_TIMEOUT:-420}" python3 -m stasclip.ablate --data "../$DATA" --tokenizer "$TOKENIZER" \
    --out "$WORK/ablation" --seeds 3 --jobs "$JOBS" $SCHEDULE >"$OUT/ablation.log" 2>&1
echo "ablation exit $?"
wait $DEFAULT; echo "default exit $?"
wait $CPU; echo "cpu exit $?"
cp "$WORK/ablation/runs.jsonl" "$WORK/ablation/ablation.md" "$WORK/default-report.json" "$OUT/" 2>/dev/null
# At most 8 files of 16 MB come back: the default model and the best seed's full model, one tarball each.
BEST=$(python3 -c "
import json
runs = [json.loads(l) for l in open('$WORK/ablation/runs.jsonl') if l.strip()]
full = [r for r in runs if r['name'] == 'full']
print(max(full, key=lambda r: r['test']['top1'])['recipe']['seed'] if full else '')" 2>/dev/null)
[ -d "$WORK/default" ] && tar czf "$OUT/default.tgz" -C "$WORK" default
[ -n "$BEST" ] && tar czf "$OUT/full-best.tgz" -C "$WORK/ablation" "full-seed$BEST"
ls -la "$OUT"
tail -25 "$OUT/ablation.log"; tail -5 "$OUT/default.log"; grep -E "epoch|decoded" "$OUT/cpu2.log"

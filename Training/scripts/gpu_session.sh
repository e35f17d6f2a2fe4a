#!/usr/bin/env bash
# The ablation (python -m stasclip.ablate, tables 1-4) on a lent GPU machine (16 cores, one GPU) in one call,
# from the repository root:
#   DATA=.data/synthmotion OUT=/somewhere bash Training/scripts/gpu_session.sh
# 1. a smoke run on the small dataset (fails fast if the machine's torch/transformers disagree with us);
# 2. the ablation on cores 0-14: per seed a plain-CLIP stage 0 from scratch on clips rendered on the fly, trained
#    with the covariance aux head (dropped after; plain CLIP alone stays at the uniform loss) and the sin-cos
#    position start that lets a small model learn where things are (results/README.md), then every row's
#    stages 1 and 2 from it (tables 3a and 3b may then lean toward the base's own head, covariance with D' = 32).
# $OUT gets ablation.log, ablation.md and runs.jsonl (rebuild ablation.json with
# `python -m stasclip.ablate --from-runs runs.jsonl --out DIR`) and the best seed's full model as a tarball.
set -u
DATA=${DATA:-.data/synthmotion}
SMALL=${SMALL:-.data/synth-small}
OUT=${OUT:?set OUT}
WORK=${WORK:-/tmp/stclip-train}
TOKENIZER=$PWD/Tests/Fixtures/clip-tokenizer
SCHEDULE=${SCHEDULE:---online-train 500 --lr0 2e-3 --position-init sincos --stage0 aux --epochs0 12 --epochs1 3 --epochs2 5 --warmup2 1 --batch-size 64}
DEVICE=${DEVICE:-cuda}
ABLATION_CORES=${ABLATION_CORES:-0-14}
JOBS=${JOBS:-15}
mkdir -p "$WORK" "$OUT"
command -v taskset >/dev/null || taskset() { shift 2; "$@"; }
export PYTHONUNBUFFERED=1
cd Training
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo "no GPU"
python3 -c "import torch, transformers, PIL, numpy; print('torch', torch.__version__, 'transformers', transformers.__version__, 'cuda', torch.cuda.is_available())"

timeout 120 python3 -m stasclip.train --data "../$SMALL" --tokenizer "$TOKENIZER" --out "$WORK/smoke" \
    --epochs0 1 --epochs1 1 --epochs2 1 --warmup2 1 --device "$DEVICE" >"$WORK/smoke.log" 2>&1 \
    || { echo "smoke run failed"; tail -30 "$WORK/smoke.log"; exit 1; }
tail -2 "$WORK/smoke.log"

taskset -c "$ABLATION_CORES" timeout "${ABLATION_TIMEOUT:-540}" python3 -m stasclip.ablate --data "../$DATA" \
    --tokenizer "$TOKENIZER" --out "$WORK/ablation" --seeds 3 --jobs "$JOBS" $SCHEDULE >"$OUT/ablation.log" 2>&1
echo "ablation exit $?"
cp "$WORK/ablation/runs.jsonl" "$WORK/ablation/ablation.md" "$OUT/" 2>/dev/null
BEST=$(python3 -c "
import json
runs = [json.loads(l) for l in open('$WORK/ablation/runs.jsonl') if l.strip()]
full = [r for r in runs if r['name'] == 'full']
print(max(full, key=lambda r: r['test']['top1'])['recipe']['seed'] if full else '')" 2>/dev/null)
[ -n "$BEST" ] && tar czf "$OUT/full-best.tgz" -C "$WORK/ablation" "full-seed$BEST"
ls -la "$OUT"
tail -25 "$OUT/ablation.log"

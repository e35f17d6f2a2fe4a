#!/usr/bin/env bash
# The default model's training on a lent GPU machine (16 cores, one GPU) in one call, from the repo root:
#   DATA=.data/synthmotion OUT=/somewhere bash Training/scripts/gpu_default_sweep.sh
# Five configurations of the small model train at once, each from scratch on clips rendered on the fly by
# stasclip.synthetic (--online-train), for at most LIMIT seconds; each is tested on the encoded test and
# zero-shot splits. Two of them also run for one stage-0 epoch on two pinned CPU cores (--device cpu
# --threads 2) to measure what training costs on a 2-core machine. $OUT gets summary.json, logs.tgz and the
# best model (by test top-1) as best.tgz.
set -u
DATA=${DATA:-.data/synthmotion}
OUT=${OUT:?set OUT}
WORK=${WORK:-/tmp/stclip-sweep}
LIMIT=${LIMIT:-220}
POOL=${POOL:-1000}
DEVICE=${DEVICE:-cuda}
mkdir -p "$WORK" "$OUT"
command -v taskset >/dev/null || taskset() { shift 2; "$@"; }
export PYTHONUNBUFFERED=1
TOKENIZER=$PWD/Tests/Fixtures/clip-tokenizer
cd Training
COMMON=(--data "../$DATA" --tokenizer "$TOKENIZER" --online-train "$POOL" --stage0 full --epochs2 1 --warmup2 1 --half)
run() {  # name cores args...
    local name=$1 cores=$2; shift 2
    taskset -c "$cores" python3 -m stasclip.train "${COMMON[@]}" --out "$WORK/$name" --report "$WORK/$name.json" \
        "$@" >"$WORK/$name.log" 2>&1
}
run v1-base      0-2   --device "$DEVICE" --workers 2 --jobs 3 --time-limit "$LIMIT" --lr0 1e-3 --epochs0 12 --batch-size 64 &
run v2-lr2e-3    3-5   --device "$DEVICE" --workers 2 --jobs 3 --time-limit "$LIMIT" --lr0 2e-3 --epochs0 12 --batch-size 64 &
run v3-w128-p6   6-8   --device "$DEVICE" --workers 2 --jobs 3 --time-limit "$LIMIT" --lr0 1e-3 --epochs0 12 --batch-size 64 \
    --vision-width 128 --patch-size 6 &
run v4-w128-l6   9-10  --device "$DEVICE" --workers 1 --jobs 2 --time-limit "$LIMIT" --lr0 1e-3 --epochs0 12 --batch-size 64 \
    --vision-width 128 --vision-layers 6 &
run v5-b32       11    --device "$DEVICE" --workers 1 --jobs 1 --time-limit "$LIMIT" --lr0 1e-3 --epochs0 6 --batch-size 32 &
run cpu2-base    12-13 --online-train 400 --device cpu --threads 2 --jobs 2 --lr0 1e-3 --epochs0 1 --epochs2 0 --batch-size 64 --stop-after-stage0 &
run cpu2-w128-p6 14-15 --online-train 400 --device cpu --threads 2 --jobs 2 --lr0 1e-3 --epochs0 1 --epochs2 0 --batch-size 64 \
    --vision-width 128 --patch-size 6 --stop-after-stage0 &
wait
python3 - "$WORK" "$OUT" <<'PY'
import glob, json, os, sys
work, out = sys.argv[1:]
summary = {}
for path in sorted(glob.glob(f"{work}/v*.json")):
    r = json.load(open(path))
    for split in ("test", "zeroshot"):
        r[split].pop("predictions", None)
    summary[os.path.basename(path)[:-5]] = r
for path in sorted(glob.glob(f"{work}/cpu2-*.log")):
    summary[os.path.basename(path)[:-4]] = [l.rstrip() for l in open(path) if "epoch" in l or "decoded" in l or "top-1" in l]
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
best = max((k for k in summary if k.startswith("v")), key=lambda k: summary[k]["test"]["top1"], default="")
for k, v in summary.items():
    print(k, (f"test {v['test']['top1']:.1f}% zero-shot {v['zeroshot']['top1']:.1f}% aux {v['test'].get('aux_top1', 0):.1f}% "
              f"gflops {v['gflops']:.3f} params {v['video_params']}") if isinstance(v, dict) else v)
open(f"{work}/best", "w").write(best)
PY
BEST=$(cat "$WORK/best")
[ -n "$BEST" ] && tar czf "$OUT/best.tgz" -C "$WORK" "$BEST" && echo "best: $BEST"
tar czf "$OUT/logs.tgz" -C "$WORK" $(cd "$WORK" && ls *.log)
ls -la "$OUT"

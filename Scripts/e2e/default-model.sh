#!/usr/bin/env bash
# The embedded default model end to end (issue 8): generate held-out synthetic clips (a seed the model never
# trained on, the test split's compositions), POST them to a live `stclip serve` started with no model and
# no label set named, and check the top-1 accuracy and that `stclip classify` gives the same answers.
#   Scripts/e2e/default-model.sh [STCLIP_BINARY]
# Needs numpy and Pillow in .venv (Scripts/setup-debian.sh) and ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(realpath "${1:-.build/debug/stclip}")
per_class=${STCLIP_E2E_CLIPS_PER_CLASS:-10}
seed=${STCLIP_E2E_SEED:-20261126}
min_accuracy=$(python3 -c "import json; print(json.load(open('Models/default/metrics.json'))['e2e_floor_percent'])")
port=${STCLIP_E2E_PORT:-18741}
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

PYTHONPATH=Training .venv/bin/python -m stasclip.synthetic "$work/clips" --splits test --test-per-class "$per_class" \
    --train-per-class 0 --zeroshot-per-class 0 --seed "$seed" --jobs 2 >/dev/null
env -u STCLIP_MODEL STCLIP_LOG_LEVEL=warning "$binary" serve --data "$work/data" --port "$port" --workers 1 \
    >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
.venv/bin/python Scripts/e2e/default_model_check.py --list "$work/clips/test.txt" --url "http://127.0.0.1:$port" \
    --binary "$binary" --min-accuracy "$min_accuracy"

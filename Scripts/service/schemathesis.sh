#!/usr/bin/env bash
# Validates openapi.yaml (openapi-spec-validator), then runs schemathesis against a live
# `stclip serve` on loopback with the tiny CLIP fixture model: every operation, positive and
# negative examples, every check, a bounded number of examples. Exits non-zero on any failure.
#   Scripts/service/schemathesis.sh [STCLIP_BINARY]
# Needs the Python tools in .venv (Scripts/setup-debian.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-.build/debug/stclip}
venv=.venv/bin
port=${STCLIP_SCHEMATHESIS_PORT:-18731}
examples=${STCLIP_SCHEMATHESIS_EXAMPLES:-25}
work=$(mktemp -d)
key=schemathesis-key

"$venv/openapi-spec-validator" openapi.yaml

# The tiny CLIP fixture with a label set of its own, as the embedded default model has, so that a
# classification naming no label set (the parameter is optional) has one to rank.
cp -r Tests/Fixtures/clip/tiny-p32 "$work/model"
cat >"$work/model/labelset.json" <<'JSON'
{"name": "fixture", "title": "fixture", "names_source": "test fixture", "descriptions_source": "test fixture",
 "question": "What are useful visual features for distinguishing {} in a video?",
 "classes": [{"name": "dancing", "text": "dancing", "descriptions": ["People move their bodies to music."]},
             {"name": "swimming", "text": "swimming", "descriptions": ["A person moves through water."]}]}
JSON

STCLIP_INFERENCE_KEYS=$key STCLIP_ADMIN_KEYS=$key STCLIP_LOG_LEVEL=warning \
    "$binary" serve --model "$work/model" --data "$work/data" --port "$port" --workers 2 \
    >"$work/server.log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
# A label set for classification to find, and a short video in it for the examples.
curl -fsS -X PUT "http://127.0.0.1:$port/v1/labelsets/demo" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d '{"labels": [{"label": "dancing"}, {"label": "swimming"}]}' >/dev/null

status=0
# One worker: a two-worker run once died inside the tool with "SystemError: AST constructor recursion
# depth mismatch" (hypothesis's ast.parse of a schemathesis source, on POST /v1/classify). CPython
# 3.11 keeps the AST constructor's recursion depth in interpreter-wide state, which the two worker
# threads parsing at once can most likely upset; one worker leaves nothing to interleave.
PYTHONPATH=Scripts/service SCHEMATHESIS_HOOKS=schemathesis_hooks "$venv/schemathesis" --config-file Scripts/service/schemathesis.toml run openapi.yaml --url "http://127.0.0.1:$port" -H "Authorization: Bearer $key" \
    --checks all --max-examples "$examples" --seed 20261126 --workers 1 --request-timeout 30 --generation-database none \
    --report junit --report-junit-path "$work/junit.xml" --no-color || status=$?
if [ "$status" -ne 0 ]; then
    echo "schemathesis: failures above; server log:" >&2
    tail -50 "$work/server.log" >&2
fi
exit "$status"

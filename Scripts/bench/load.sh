#!/usr/bin/env bash
# Load benchmark of `stclip serve` on loopback with wrk. Prints:
#   - the time of one classification alone (median of sequential requests), and the throughput
#     that `workers` such requests in parallel would give;
#   - the throughput under load (wrk, 2 × workers connections) and its ratio to that (target ≥ 0.9);
#   - classification latency p50 / p99 under load;
#   - GET /healthz p99 while every worker is busy (target < 10 ms), probed every 20 ms;
#   - the server's RSS every 5 s over the run (flat: no growth).
# Only 127.0.0.1 is contacted; every loop is bounded in count and time.
#
#   Scripts/bench/load.sh [--model DIR] [--workers N] [--duration SECONDS] [--video FILE]
# Without --model, a ViT-B/32-sized CLIP checkpoint with random weights is written to
# /tmp/stclip-bench-b32 (Scripts/bench/load_model.py; needs numpy and safetensors). The label
# store is kept in /tmp/stclip-bench-data, so the shipped label sets' class embeddings, which the
# server computes once per model after it starts (minutes for a ViT-B), are there on later runs;
# measuring starts once they are.
# Needs wrk, curl and ffmpeg (apt-get install wrk curl ffmpeg); builds stclip in release mode.
set -euo pipefail
cd "$(dirname "$0")/../.."

model=/tmp/stclip-bench-b32 workers=2 duration=60 video= port=${STCLIP_BENCH_PORT:-18741}
while (($#)); do
    case "$1" in
    --model) model=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --video) video=$2; shift 2 ;;
    *) echo "usage: $0 [--model DIR] [--workers N] [--duration SECONDS] [--video FILE]" >&2; exit 2 ;;
    esac
done
for tool in wrk curl ffmpeg; do
    command -v "$tool" >/dev/null || { echo "load: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
((duration >= 20)) || { echo "load: --duration must be at least 20 s" >&2; exit 2; }

work=$(mktemp -d)
[ -f "$model/config.json" ] || python3 Scripts/bench/load_model.py "$model"
if [ -z "$video" ]; then
    video=$work/clip.mp4
    ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=320x240:rate=25 -t 4 -c:v mpeg4 -q:v 5 "$video"
fi
nice swift build -c release --product stclip >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
binary=$(swift build -c release --show-bin-path)/stclip

STCLIP_LOG_LEVEL=notice "$binary" serve --model "$model" --data /tmp/stclip-bench-data --port "$port" \
    --workers "$workers" --queue-depth $((2 * workers)) >"$work/server.log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
url=http://127.0.0.1:$port
for _ in $(seq 1 1800); do
    grep -q "class embeddings ready" "$work/server.log" && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 1
done
grep -q "class embeddings ready" "$work/server.log" || { echo "load: class embeddings not ready after 30 min" >&2; exit 1; }
curl -fsS -X PUT "$url/v1/labelsets/bench" -H 'Content-Type: application/json' -d '{"labels": [
    {"label": "dancing"}, {"label": "swimming"}, {"label": "playing guitar"}, {"label": "riding a bike"},
    {"label": "cooking"}, {"label": "running"}, {"label": "reading a book"}, {"label": "climbing"},
    {"label": "juggling"}, {"label": "skateboarding"}]}' >/dev/null

classify() {
    curl -fsS -o /dev/null -w '%{time_total}\n' -X POST "$url/v1/classify?labelset=bench" \
        -H 'Content-Type: video/mp4' --data-binary "@$video"
}
classify >/dev/null && classify >/dev/null
for _ in $(seq 1 9); do classify; done >"$work/single.txt"

cat >"$work/classify.lua" <<LUA
local f = io.open("$video", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "video/mp4"
LUA

# A probe every 20 ms, as a load balancer's health checks would come, not a flood that would
# take CPU from the workers.
cat >"$work/health.lua" <<'LUA'
function delay()
    return 20
end
LUA

rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
wrk -t2 -c $((2 * workers)) -d "${duration}s" --timeout 60s --latency -s "$work/classify.lua" \
    "$url/v1/classify?labelset=bench" >"$work/classify.txt" &
load=$!
sleep 5
wrk -t1 -c1 -d "$((duration - 10))s" --latency -s "$work/health.lua" "$url/healthz" >"$work/health.txt" &
health=$!
: >"$work/rss.txt"
for _ in $(seq 0 5 "$((duration - 1))"); do
    rss >>"$work/rss.txt"
    sleep 5
done
wait "$load" "$health"
rss >>"$work/rss.txt"

python3 - "$work" "$workers" "$duration" <<'PY'
import re, statistics, sys
work, workers, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def read(name):
    return open(f"{work}/{name}").read()

def ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

def latency(text, pct):
    return ms(re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M).group(1))

single = statistics.median(float(x) for x in read("single.txt").split())
load, health = read("classify.txt"), read("health.txt")
throughput = float(re.search(r"Requests/sec:\s+([\d.]+)", load).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", load)
socket = re.search(r"Socket errors: (.*)", load)
ideal = workers / single
rss = [int(x) / 1024 for x in read("rss.txt").split()]
half = len(rss) // 2
print(f"workers {workers}, {duration} s under load, {2 * workers} connections")
print(f"single classification alone:      {single * 1e3:.1f} ms (median of 9) -> ideal {ideal:.2f} req/s with {workers} workers")
print(f"classification throughput:        {throughput:.2f} req/s = {throughput / ideal:.2f} of ideal (target >= 0.9)")
print(f"classification latency under load: p50 {latency(load, 50):.1f} ms, p99 {latency(load, 99):.1f} ms")
print(f"non-2xx responses: {errors.group(1) if errors else 0}; socket errors: {socket.group(1) if socket else 'none'}")
print(f"/healthz while workers are busy:  p50 {latency(health, 50):.2f} ms, p99 {latency(health, 99):.2f} ms (target < 10 ms)")
print("RSS every 5 s (MiB): " + " ".join(f"{x:.0f}" for x in rss))
print(f"RSS first half max {max(rss[:half]):.0f} MiB, second half max {max(rss[half:]):.0f} MiB, "
      f"growth over the second half {rss[-1] - rss[half]:+.0f} MiB")
PY

#!/usr/bin/env bash
# Fuzzes the in-memory video sampler with libFuzzer for SECONDS (default 600) seconds.
#   Scripts/fuzz/run.sh [SECONDS] [CORPUS_DIR]
# The corpus lives outside git (default .build/fuzz-corpus); when empty it is seeded with tiny
# videos made by the ffmpeg CLI in the containers and codecs the sampler accepts. Findings are
# written to .build/fuzz-artifacts/. Only Swift code is instrumented (FFmpeg is the system's), so
# coverage counts edges in stclip's own code; AddressSanitizer watches every access in it.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
corpus=${2:-.build/fuzz-corpus}
artifacts=.build/fuzz-artifacts
mkdir -p "$corpus" "$artifacts"

nice -n 19 swift build --scratch-path .build/fuzz -c debug --product STClipVideoFuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >&2
binary=.build/fuzz/debug/STClipVideoFuzz

if [ -z "$(ls -A "$corpus")" ]; then
    echo "fuzz: seeding $corpus" >&2
    seed() { ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=${1}:rate=10:duration=1" "${@:3}" "$corpus/$2"; }
    seed 32x24 h264.mp4 -c:v libx264 -g 4 -bf 2 -pix_fmt yuv420p
    seed 32x24 h264-faststart.mp4 -c:v libx264 -g 5 -pix_fmt yuv420p -movflags +faststart
    seed 30x22 hevc.mkv -c:v libx265 -x265-params log-level=none -g 4 -pix_fmt yuv420p
    seed 32x24 vp9.webm -c:v libvpx-vp9 -g 4 -deadline realtime
    seed 32x24 vp8.webm -c:v libvpx -g 4
    seed 32x24 mpeg4.avi -c:v mpeg4 -g 4 -bf 1
    seed 32x24 mjpeg.avi -c:v mjpeg
    seed 32x24 rotated.mp4 -c:v libx264 -g 4 -metadata:s:v rotate=90
    seed 32x24 h264-10bit.mkv -c:v libx264 -pix_fmt yuv420p10le -g 4
    seed 32x24 av1.mkv -c:v libaom-av1 -cpu-used 8 -g 4
fi

exec nice -n 19 "$binary" "$corpus" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=262144 \
    -artifact_prefix="$artifacts/" -print_final_stats=1

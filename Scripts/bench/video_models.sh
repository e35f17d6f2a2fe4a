#!/usr/bin/env bash
# One clip of 8 frames at ViT-B/32 size, fp32, random weights, same thread count:
# X-CLIP video features in stclip beside transformers (ratio), and stas-clip's cost over plain CLIP.
#   Scripts/bench/video_models.sh [--threads 2] [--iterations 10] [--rounds 1]
# With --rounds N the two sides alternate N times and the medians of the N ratios are printed too.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=$(nproc) iterations=10 rounds=1
while (($#)); do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --iterations) iterations=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --product stclip-bench >&2
pairs=()
for ((round = 1; round <= rounds; round++)); do
    torch_json=$(python3 Scripts/bench/xclip_video_torch.py --threads "$threads" --iterations "$iterations")
    ours=$(. Scripts/openblas-env.sh; .build/release/stclip-bench video-models --threads "$threads" --iterations "$iterations")
    echo "$torch_json"
    echo "$ours"
    pairs+=("$torch_json" "$ours")
done
python3 - "${pairs[@]}" <<'PY'
import json, statistics, sys
args = sys.argv[1:]
xclip_ratios, stas_ratios = [], []
for torch_json, ours_lines in zip(args[::2], args[1::2]):
    torch = json.loads(torch_json)
    ours = [json.loads(line) for line in ours_lines.splitlines()]
    by_model = {o["model"]: o for o in ours if "model" in o}
    stas_ratios.append(next(o["stas_over_clip"] for o in ours if "stas_over_clip" in o))
    x = by_model["xclip-b32"]["median_ms"]
    xclip_ratios.append(x / torch["median_ms"])
    print(f"X-CLIP B/32 video features, 8 frames, {torch['threads']} threads: stclip {x:.1f} ms vs PyTorch "
          f"{torch['median_ms']:.1f} ms -> ratio {xclip_ratios[-1]:.3f}; stas-clip B/32 "
          f"{by_model['stas-clip-b32']['median_ms']:.1f} ms vs CLIP B/32 {by_model['clip-b32']['median_ms']:.1f} ms -> {stas_ratios[-1]:.3f}x")
if len(xclip_ratios) > 1:
    print(f"{len(xclip_ratios)} rounds: X-CLIP ratio median {statistics.median(xclip_ratios):.3f} "
          f"(min {min(xclip_ratios):.3f}, max {max(xclip_ratios):.3f}); stas-clip over CLIP median "
          f"{statistics.median(stas_ratios):.3f} (min {min(stas_ratios):.3f}, max {max(stas_ratios):.3f})")
PY

#!/usr/bin/env bash
# One clip of 8 frames at ViT-B/32 size, fp32, random weights, same thread count:
# X-CLIP video features in stclip beside transformers (ratio), and stas-clip's cost over plain CLIP.
#   Scripts/bench/video_models.sh [--threads 2] [--iterations 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=$(nproc) iterations=10
while (($#)); do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --iterations) iterations=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --product stclip-bench >&2
torch_json=$(python3 Scripts/bench/xclip_video_torch.py --threads "$threads" --iterations "$iterations")
ours=$(. Scripts/openblas-env.sh; .build/release/stclip-bench video-models --threads "$threads" --iterations "$iterations")
echo "$torch_json"
echo "$ours"
python3 - "$torch_json" "$ours" <<'PY'
import json, sys
torch = json.loads(sys.argv[1])
ours = [json.loads(line) for line in sys.argv[2].splitlines()]
by_model = {o["model"]: o for o in ours if "model" in o}
ratio = next(o["stas_over_clip"] for o in ours if "stas_over_clip" in o)
x = by_model["xclip-b32"]["median_ms"]
print(f"X-CLIP B/32 video features, 8 frames, {torch['threads']} threads: stclip {x:.1f} ms vs PyTorch "
      f"{torch['median_ms']:.1f} ms -> ratio {x / torch['median_ms']:.3f}; stas-clip B/32 "
      f"{by_model['stas-clip-b32']['median_ms']:.1f} ms vs CLIP B/32 {by_model['clip-b32']['median_ms']:.1f} ms -> {ratio:.3f}x")
PY

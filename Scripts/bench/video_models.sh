#!/usr/bin/env bash
# One clip of 8 frames at ViT-B/32 size, fp32, random weights, same thread count:
# X-CLIP video features (get_video_features) in stclip beside transformers (ratio), and stas-clip's
# cost over plain CLIP (both stclip, each computing what classification needs). Each comparison
# takes turns run by run (Scripts/bench/lockstep.py); the ratios are medians of per-pair ratios, each
# turn the fastest of --best-of runs (default 3: a virtual machine's speed dips for seconds at a time).
#   Scripts/bench/video_models.sh [--threads 2] [--pairs 20] [--best-of 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=$(nproc) pairs=20 best=3
while (($#)); do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --pairs) pairs=$2; shift 2 ;;
        --best-of) best=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --product stclip-bench >&2
. Scripts/openblas-env.sh
bench=(.build/release/stclip-bench video-models --threads "$threads" --lockstep --models)
xclip_json=$(python3 Scripts/bench/lockstep.py --name xclip-b32 --pairs "$pairs" --best-of "$best" \
    --reference "python3 Scripts/bench/xclip_video_torch.py --lockstep --threads $threads" --ours "${bench[*]} xclip")
stas_json=$(python3 Scripts/bench/lockstep.py --name stas-over-clip-b32 --pairs "$pairs" --best-of "$best" \
    --reference "${bench[*]} clip" --ours "${bench[*]} stas")
echo "$xclip_json"
echo "$stas_json"
python3 - "$threads" "$xclip_json" "$stas_json" <<'PY'
import json, sys
threads = sys.argv[1]
x, s = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"X-CLIP B/32 video features, 8 frames, {threads} threads: stclip {x['ours_median_ms']:.1f} ms vs PyTorch "
      f"{x['reference_median_ms']:.1f} ms -> ratio {x['ratio_median']:.3f} (median of {x['pairs']} pairs, best of {x['best_of']}; quartiles "
      f"{x['ratio_q1']:.3f}-{x['ratio_q3']:.3f})")
print(f"stas-clip B/32 {s['ours_median_ms']:.1f} ms vs CLIP B/32 {s['reference_median_ms']:.1f} ms -> {s['ratio_median']:.3f}x "
      f"(median of {s['pairs']} pairs, best of {s['best_of']}; quartiles {s['ratio_q1']:.3f}-{s['ratio_q3']:.3f})")
PY

#!/usr/bin/env bash
# ViT-B/32 (or /16) vision tower, 8 frames at 224², fp32: stclip beside transformers with the same
# thread count, on one machine in one script. Prints both and the ratio stclip / PyTorch, twice:
# stclip computing every token of every layer (CLIPVisionModel's work), and stclip computing the
# pooled class tokens alone (its classification path: the last layer's MLP, queries and output
# projection run on the class tokens only; transformers computes every token either way).
#   Scripts/bench/clip_vision.sh [--patch 32|16] [--threads 2] [--iterations 10] [--rounds 1]
# With --rounds N the two alternate N times and the median of the N ratios is printed too: on a
# shared machine whose speed drifts, one pair of runs can be several percent off either way.
# Needs torch, transformers and numpy (pip), and a checkpoint written by
# Scripts/parity/clip_real_size.py (made here when missing) to time the load and measure RSS.
set -euo pipefail
cd "$(dirname "$0")/../.."
patch=32 threads=$(nproc) iterations=10 rounds=1
while (($#)); do
    case "$1" in
        --patch) patch=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --iterations) iterations=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --product stclip >&2
swift build -c release --product stclip-bench >&2
model=/tmp/stclip-parity/clip-b$patch
[ -f "$model/model.safetensors" ] || python3 Scripts/parity/clip_real_size.py --patch "$patch" >&2
pairs=()
for ((round = 1; round <= rounds; round++)); do
    torch_json=$(python3 Scripts/bench/clip_vision_torch.py --patch "$patch" --threads "$threads" --iterations "$iterations")
    ours_json=$(. Scripts/openblas-env.sh; .build/release/stclip-bench clip-vision --model "$model" --threads "$threads" --iterations "$iterations")
    echo "$torch_json"
    echo "$ours_json"
    pairs+=("$torch_json" "$ours_json")
done
python3 - "$patch" "${pairs[@]}" <<'PY'
import json, statistics, sys
patch, runs = sys.argv[1], [json.loads(a) for a in sys.argv[2:]]
ratios, pooled_ratios = [], []
for torch, ours in zip(runs[::2], runs[1::2]):
    ratios.append(ours['median_ms'] / torch['median_ms'])
    pooled_ratios.append(ours['pooled_median_ms'] / torch['median_ms'])
    print(f"ViT-B/{patch}-class vision tower, 8 frames, {ours['threads']} threads: stclip {ours['median_ms']:.1f} ms vs "
          f"PyTorch {torch['median_ms']:.1f} ms (median) -> ratio {ratios[-1]:.3f}; pooled class tokens only "
          f"{ours['pooled_median_ms']:.1f} ms -> ratio {pooled_ratios[-1]:.3f}; "
          f"GEMM floor {ours['gemm_floor_ms']:.1f} ms; load {ours['load_ms']:.0f} ms; "
          f"peak RSS {ours['peak_rss_mb']:.0f} MB for {ours['weights_mb']:.0f} MB of weights")
if len(ratios) > 1:
    print(f"{len(ratios)} rounds: all-token ratio median {statistics.median(ratios):.3f} (min {min(ratios):.3f}, "
          f"max {max(ratios):.3f}); pooled ratio median {statistics.median(pooled_ratios):.3f} "
          f"(min {min(pooled_ratios):.3f}, max {max(pooled_ratios):.3f})")
PY

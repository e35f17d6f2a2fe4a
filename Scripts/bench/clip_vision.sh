#!/usr/bin/env bash
# ViT-B/32 (or /16) vision tower, 8 frames at 224², fp32: stclip beside transformers with the same
# thread count, on one machine in one script. Prints both and the ratio stclip / PyTorch.
#   Scripts/bench/clip_vision.sh [--patch 32|16] [--threads 2] [--iterations 10]
# Needs torch, transformers and numpy (pip), and a checkpoint written by
# Scripts/parity/clip_real_size.py (made here when missing) to time the load and measure RSS.
set -euo pipefail
cd "$(dirname "$0")/../.."
patch=32 threads=$(nproc) iterations=10
while (($#)); do
    case "$1" in
        --patch) patch=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --iterations) iterations=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --product stclip >&2
swift build -c release --product stclip-bench >&2
model=/tmp/stclip-parity/clip-b$patch
[ -f "$model/model.safetensors" ] || python3 Scripts/parity/clip_real_size.py --patch "$patch" >&2
torch_json=$(python3 Scripts/bench/clip_vision_torch.py --patch "$patch" --threads "$threads" --iterations "$iterations")
ours_json=$(. Scripts/openblas-env.sh; .build/release/stclip-bench clip-vision --model "$model" --threads "$threads" --iterations "$iterations")
echo "$torch_json"
echo "$ours_json"
python3 - "$torch_json" "$ours_json" <<'PY'
import json, sys
torch, ours = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ViT-B/32-class vision tower, 8 frames, {ours['threads']} threads: stclip {ours['median_ms']:.1f} ms vs "
      f"PyTorch {torch['median_ms']:.1f} ms (median) -> ratio {ours['median_ms'] / torch['median_ms']:.3f}; "
      f"GEMM floor {ours['gemm_floor_ms']:.1f} ms; load {ours['load_ms']:.0f} ms; "
      f"peak RSS {ours['peak_rss_mb']:.0f} MB for {ours['weights_mb']:.0f} MB of weights")
PY

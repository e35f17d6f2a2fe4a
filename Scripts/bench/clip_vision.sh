#!/usr/bin/env bash
# ViT-B/32 (or /16) vision tower, 8 frames at 224², fp32: stclip beside transformers with the same
# thread count, on one machine in one script.
#   Scripts/bench/clip_vision.sh [--patch 32|16] [--threads 2] [--pairs 20]
# The two sides take turns run by run (Scripts/bench/lockstep.py) and the ratio stclip / PyTorch is
# the median of the per-pair ratios, twice: stclip computing every token of every layer
# (CLIPVisionModel's work), and stclip computing the pooled class tokens alone (its classification
# path: the last layer's MLP, queries and output projection run on the class tokens only;
# transformers computes every token either way). A separate run of the real-size checkpoint written
# by Scripts/parity/clip_real_size.py (made here when missing) gives the load time, peak RSS and
# the GEMM floor. Needs torch, transformers and numpy (pip).
set -euo pipefail
cd "$(dirname "$0")/../.."
patch=32 threads=$(nproc) pairs=20
while (($#)); do
    case "$1" in
        --patch) patch=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --pairs) pairs=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --product stclip >&2
swift build -c release --product stclip-bench >&2
model=/tmp/stclip-parity/clip-b$patch
[ -f "$model/model.safetensors" ] || python3 Scripts/parity/clip_real_size.py --patch "$patch" >&2
. Scripts/openblas-env.sh
ours_json=$(.build/release/stclip-bench clip-vision --model "$model" --threads "$threads" --iterations 5)
torch=(python3 Scripts/bench/clip_vision_torch.py --lockstep --patch "$patch" --threads "$threads")
bench=(.build/release/stclip-bench clip-vision --patch "$patch" --threads "$threads" --lockstep)
all_json=$(python3 Scripts/bench/lockstep.py --name "clip-b$patch-all-tokens" --pairs "$pairs" --reference "${torch[*]}" --ours "${bench[*]} all")
pooled_json=$(python3 Scripts/bench/lockstep.py --name "clip-b$patch-pooled" --pairs "$pairs" --reference "${torch[*]}" --ours "${bench[*]} pooled")
echo "$ours_json"
echo "$all_json"
echo "$pooled_json"
python3 - "$patch" "$threads" "$ours_json" "$all_json" "$pooled_json" <<'PY'
import json, sys
patch, threads = sys.argv[1], sys.argv[2]
ours, everything, pooled = (json.loads(a) for a in sys.argv[3:])
for label, r in (("all tokens", everything), ("pooled class tokens only", pooled)):
    print(f"ViT-B/{patch} vision tower, 8 frames, {threads} threads, {label}: stclip {r['ours_median_ms']:.1f} ms vs PyTorch "
          f"{r['reference_median_ms']:.1f} ms -> ratio {r['ratio_median']:.3f} (median of {r['pairs']} pairs; "
          f"quartiles {r['ratio_q1']:.3f}-{r['ratio_q3']:.3f})")
print(f"GEMM floor {ours['gemm_floor_ms']:.1f} ms; load {ours['load_ms']:.0f} ms; peak RSS {ours['peak_rss_mb']:.0f} MB "
      f"for {ours['weights_mb']:.0f} MB of weights")
PY

#!/usr/bin/env python3
"""The PyTorch side of the X-CLIP benchmark: transformers' XCLIPModel.get_video_features at the
microsoft/xclip-base-patch32 config with random weights, fp32, one clip; prints one JSON line."""
import argparse
import json
import statistics
import sys
import time

import torch
from transformers import XCLIPConfig, XCLIPModel

parser = argparse.ArgumentParser()
parser.add_argument("--frames", type=int, default=8)
parser.add_argument("--iterations", type=int, default=10)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--lockstep", action="store_true", help="print 'ready', then time one run per stdin line (Scripts/bench/lockstep.py)")
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
model = XCLIPModel(XCLIPConfig(vision_config=dict(num_frames=args.frames))).eval()
pixels = torch.randn(1, args.frames, 3, 224, 224)
times = []
if args.lockstep:
    from lockstep import serve  # this script's folder is on sys.path

    with torch.inference_mode():
        serve(lambda: model.get_video_features(pixel_values=pixels))
    sys.exit(0)
with torch.inference_mode():
    model.get_video_features(pixel_values=pixels)
    for _ in range(args.iterations):
        start = time.perf_counter()
        model.get_video_features(pixel_values=pixels)
        times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"impl": "pytorch", "model": "xclip-b32", "median_ms": statistics.median(times), "min_ms": min(times),
                  "threads": args.threads, "torch": torch.__version__}))

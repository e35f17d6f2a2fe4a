#!/usr/bin/env python3
"""The PyTorch side of the CLIP vision-tower benchmark: transformers' CLIPVisionModel at the
ViT-B config with random weights, fp32, on one clip of frames; prints one JSON line."""
import argparse
import json
import statistics
import sys
import time

import torch
from transformers import CLIPVisionConfig, CLIPVisionModel

parser = argparse.ArgumentParser()
parser.add_argument("--frames", type=int, default=8)
parser.add_argument("--iterations", type=int, default=10)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--lockstep", action="store_true", help="print 'ready', then time one run per stdin line (Scripts/bench/lockstep.py)")
parser.add_argument("--patch", type=int, default=32)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
model = CLIPVisionModel(CLIPVisionConfig(patch_size=args.patch)).eval()
pixels = torch.randn(args.frames, 3, 224, 224)
times = []
if args.lockstep:
    from lockstep import serve  # this script's folder is on sys.path

    with torch.inference_mode():
        serve(lambda: model(pixel_values=pixels))
    sys.exit(0)
with torch.inference_mode():
    model(pixel_values=pixels)
    for _ in range(args.iterations):
        start = time.perf_counter()
        model(pixel_values=pixels)
        times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"impl": "pytorch", "median_ms": statistics.median(times), "min_ms": min(times),
                  "threads": args.threads, "torch": torch.__version__, "attn": model.config._attn_implementation}))

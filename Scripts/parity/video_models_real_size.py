#!/usr/bin/env python3
"""Parity at the real ViT-B/32 size for the video families: random weights through the reference
and through the `stclip` binary, compared numerically. Nothing here is committed as a fixture.

  X-CLIP:    transformers' XCLIPModel at microsoft/xclip-base-patch32's config → get_video_features
             and logits_per_video vs `stclip embed-video` / `stclip classify`.
  stas-clip: Training/stasclip built from a random CLIP B/32 directory (TWS, end transformer,
             covariance aux head) → get_video_features and logits vs the same commands.

  swift build -c release --product stclip
  python3 Scripts/parity/video_models_real_size.py [--out /tmp/stclip-parity]

Needs torch and transformers (not CI) and the real CLIP vocabulary in Tests/Fixtures/clip-tokenizer.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import torch
from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizer, XCLIPConfig, XCLIPModel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Training"))
from stasclip import STASCLIPModel  # noqa: E402

TOKENIZER = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer")
LABELS = ["playing guitar", "riding a bike", "dancing tango", "swimming", "juggling balls"]


def copy_tokenizer(directory):
    """The real CLIP vocabulary, and CLIP's preprocessor settings at 224²."""
    for name in ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(os.path.join(TOKENIZER, name), directory)
    CLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224}).save_pretrained(directory)


def perturb(model, scale=0.02):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * scale)


def stclip(binary, *argv):
    out = subprocess.run([binary, *argv], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"stclip {argv[0]} failed: {out.stderr}")
    return json.loads(out.stdout)


def report(name, ours, ref):
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape, f"{name}: shape {ours.shape} vs {ref.shape}"
    err = np.abs(ours - ref).max()
    rel = err / np.abs(ref).max()
    print(f"{name:28s} shape {str(ref.shape):10s} max abs error {err:.3e}  max rel (to max |ref|) {rel:.3e}")
    return rel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--out", default="/tmp/stclip-parity")
    parser.add_argument("--stclip", default=os.path.join(ROOT, ".build", "release", "stclip"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    pixels = torch.randn(1, args.frames, 3, 224, 224, generator=torch.Generator().manual_seed(3))
    pixels_path = os.path.join(args.out, "clip-pixels.npy")
    np.save(pixels_path, pixels[0].numpy().astype(np.float32))
    worst = 0.0

    # X-CLIP B/32 at the hub config (transformers' defaults are microsoft/xclip-base-patch32's).
    xdir = os.path.join(args.out, "xclip-b32")
    torch.manual_seed(7)
    xclip = XCLIPModel(XCLIPConfig(vision_config=dict(num_frames=args.frames))).eval()
    perturb(xclip)
    xclip.save_pretrained(xdir)
    copy_tokenizer(xdir)
    tokenizer = CLIPTokenizer.from_pretrained(xdir)
    batch = tokenizer(LABELS, padding=True, return_tensors="pt")
    with torch.no_grad():
        video = xclip.get_video_features(pixel_values=pixels)
        video = video if torch.is_tensor(video) else video.pooler_output
        logits = xclip(pixel_values=pixels, **batch).logits_per_video
    ours_video = stclip(args.stclip, "embed-video", "--model", xdir, "--pixels", pixels_path)["video_embeds"]
    ours_top = stclip(args.stclip, "classify", "--model", xdir, "--pixels", pixels_path, "--top-k", str(len(LABELS)),
                      "--labels", *LABELS)["top_k"]
    ours_logits = [next(e["logit"] for e in ours_top if e["label"] == label) for label in LABELS]
    print(f"X-CLIP B/32, {args.frames} frames, transformers {__import__('transformers').__version__}")
    worst = max(worst, report("xclip video_embeds", ours_video, video[0].numpy()),
                report("xclip logits_per_video", ours_logits, logits[0].numpy()))

    # stas-clip B/32: TWS, end transformer, covariance aux head, from a random CLIP B/32 directory.
    cdir, sdir = os.path.join(args.out, "clip-b32-for-stas"), os.path.join(args.out, "stas-clip-b32")
    torch.manual_seed(11)
    clip = CLIPModel(CLIPConfig(text_config=dict(bos_token_id=0, eos_token_id=2, pad_token_id=1),
                                vision_config=dict(patch_size=32), projection_dim=512)).eval()
    perturb(clip)
    clip.save_pretrained(cdir)
    copy_tokenizer(cdir)
    torch.manual_seed(13)
    stas = STASCLIPModel.from_clip(cdir, num_frames=args.frames, aux_labels=LABELS).eval()
    perturb(stas)
    stas.save_pretrained(sdir, tokenizer_dir=cdir)
    with torch.no_grad():
        video = stas.get_video_features(pixels)
        text = stas.get_text_features(batch.input_ids, batch.attention_mask)
        scale = stas.logit_scale.exp()
        logits = scale * torch.nn.functional.normalize(video, dim=-1) @ torch.nn.functional.normalize(text, dim=-1).T
    ours_video = stclip(args.stclip, "embed-video", "--model", sdir, "--pixels", pixels_path)["video_embeds"]
    ours_top = stclip(args.stclip, "classify", "--model", sdir, "--pixels", pixels_path, "--top-k", str(len(LABELS)),
                      "--labels", *LABELS)["top_k"]
    ours_logits = [next(e["logit"] for e in ours_top if e["label"] == label) for label in LABELS]
    print(f"stas-clip B/32 (TWS, end transformer, covariance aux), {args.frames} frames")
    worst = max(worst, report("stas-clip video_embeds", ours_video, video[0].numpy()),
                report("stas-clip logits_per_video", ours_logits, logits[0].numpy()))
    sys.exit(0 if worst < 1e-4 else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Parity at the real ViT-B/32 or ViT-B/16 size: random weights through transformers and through
`stclip embed-video` / `embed-text`, compared numerically. Nothing here is committed as a fixture:
the checkpoint (~600 MB) goes to a scratch directory.

  swift build -c release --product stclip
  python3 Scripts/parity/clip_real_size.py --patch 32 [--out /tmp/stclip-parity]

Needs torch and transformers (not CI), and the real CLIP vocabulary in
Tests/Fixtures/clip-tokenizer (from Scripts/fixtures/make_tokenizer_fixtures.py).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import torch
from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKENIZER = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer")
TEXTS = ["a video of a person playing guitar", "riding a bike", "Somebody's dancing the TANGO!!",
         "a photo of a cat", "the quick brown fox jumps over the lazy dog " * 3]


def make_checkpoint(directory, patch):
    """openai/clip-vit-base-patch{32,16}'s config (legacy eos_token_id 2 included), random weights."""
    config = CLIPConfig(
        text_config=dict(bos_token_id=0, eos_token_id=2, pad_token_id=1),
        vision_config=dict(patch_size=patch), projection_dim=512)
    torch.manual_seed(patch)
    model = CLIPModel(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    os.makedirs(directory, exist_ok=True)
    model.save_pretrained(directory, safe_serialization=True)
    for name in ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(TOKENIZER, name)):
            shutil.copy(os.path.join(TOKENIZER, name), directory)
    return model


def report(name, ours, ref):
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape, f"{name}: shape {ours.shape} vs {ref.shape}"
    err = np.abs(ours - ref).max()
    rel = err / np.abs(ref).max()
    cos = (ours * ref).sum(-1) / np.linalg.norm(ours, axis=-1) / np.linalg.norm(ref, axis=-1)
    print(f"{name:14s} shape {str(ref.shape):12s} max abs error {err:.3e}  max rel (to max |ref|) {rel:.3e}  min cosine {cos.min():.9f}")
    return rel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--patch", type=int, default=32, choices=[32, 16])
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--out", default="/tmp/stclip-parity")
    parser.add_argument("--stclip", default=os.path.join(ROOT, ".build", "release", "stclip"))
    args = parser.parse_args()

    directory = os.path.join(args.out, f"clip-b{args.patch}")
    model = make_checkpoint(directory, args.patch)
    tokenizer = CLIPTokenizer.from_pretrained(directory)
    pixels = torch.randn(args.frames, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    np.save(os.path.join(args.out, "pixels.npy"), pixels.numpy().astype(np.float32))
    with torch.no_grad():
        frames = model.get_image_features(pixel_values=pixels)
        batch = tokenizer(TEXTS, padding=True, truncation=True, return_tensors="pt")
        texts = model.get_text_features(**batch)
    frames = frames if torch.is_tensor(frames) else frames.pooler_output
    texts = texts if torch.is_tensor(texts) else texts.pooler_output

    def run(*argv):
        out = subprocess.run([args.stclip, *argv, "--model", directory], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"stclip {argv[0]} failed: {out.stderr}")
        return json.loads(out.stdout)

    video = run("embed-video", "--pixels", os.path.join(args.out, "pixels.npy"))
    text = run("embed-text", *TEXTS)
    ids = run("tokenize", *TEXTS)["input_ids"]
    ref_ids = [tokenizer(t, truncation=True)["input_ids"] for t in TEXTS]
    print(f"ViT-B/{args.patch}, {args.frames} frames, transformers {__import__('transformers').__version__}, torch {torch.__version__}")
    print(f"input_ids identical: {ids == ref_ids}")
    worst = max(report("frame_embeds", video["frame_embeds"], frames.numpy()),
                report("video_embeds", video["video_embeds"], frames.mean(0).numpy()),
                report("text_embeds", text["text_embeds"], texts.numpy()))
    sys.exit(0 if worst < 1e-4 and ids == ref_ids else 1)


if __name__ == "__main__":
    main()

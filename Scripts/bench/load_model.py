#!/usr/bin/env python3
"""Writes a CLIP ViT-B/32-sized checkpoint with random weights (about 600 MB of float32) for the
service load benchmark: the real model's shapes and so its cost, with the real CLIP vocabulary
from Tests/Fixtures/clip-tokenizer. Its outputs mean nothing.

    Scripts/bench/load_model.py OUT_DIR

Needs numpy and safetensors.
"""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

ROOT = Path(__file__).resolve().parents[2]
TOKENIZER = ROOT / "Tests/Fixtures/clip-tokenizer"


def layer(prefix, width, mlp, rng, out):
    def dense(name, rows, cols):
        out[f"{prefix}{name}.weight"] = (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02)
        out[f"{prefix}{name}.bias"] = np.zeros(rows, dtype=np.float32)
    for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
        dense(f"self_attn.{proj}", width, width)
    dense("mlp.fc1", mlp, width)
    dense("mlp.fc2", width, mlp)
    for norm in ("layer_norm1", "layer_norm2"):
        out[f"{prefix}{norm}.weight"] = np.ones(width, dtype=np.float32)
        out[f"{prefix}{norm}.bias"] = np.zeros(width, dtype=np.float32)


def main(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    vocab = len(json.loads((TOKENIZER / "vocab.json").read_text()))
    text, vision, projection = dict(width=512, mlp=2048, layers=12, heads=8), dict(width=768, mlp=3072, layers=12, heads=12), 512
    t = {}
    norm = lambda n: rng.standard_normal(n, dtype=np.float32) * 0.02
    t["text_model.embeddings.token_embedding.weight"] = norm((vocab, text["width"]))
    t["text_model.embeddings.position_embedding.weight"] = norm((77, text["width"]))
    for i in range(text["layers"]):
        layer(f"text_model.encoder.layers.{i}.", text["width"], text["mlp"], rng, t)
    t["text_model.final_layer_norm.weight"] = np.ones(text["width"], dtype=np.float32)
    t["text_model.final_layer_norm.bias"] = np.zeros(text["width"], dtype=np.float32)
    t["text_projection.weight"] = norm((projection, text["width"]))
    w = vision["width"]
    t["vision_model.embeddings.class_embedding"] = norm(w)
    t["vision_model.embeddings.patch_embedding.weight"] = norm((w, 3, 32, 32))
    t["vision_model.embeddings.position_embedding.weight"] = norm((50, w))
    for name in ("pre_layrnorm", "post_layernorm"):
        t[f"vision_model.{name}.weight"] = np.ones(w, dtype=np.float32)
        t[f"vision_model.{name}.bias"] = np.zeros(w, dtype=np.float32)
    for i in range(vision["layers"]):
        layer(f"vision_model.encoder.layers.{i}.", w, vision["mlp"], rng, t)
    t["visual_projection.weight"] = norm((projection, w))
    t["logit_scale"] = np.array(np.log(100.0), dtype=np.float32)
    save_file(t, str(out_dir / "model.safetensors"))

    def tower(kind, c, extra):
        return dict(model_type=f"clip_{kind}_model", hidden_size=c["width"], intermediate_size=c["mlp"], num_hidden_layers=c["layers"],
                    num_attention_heads=c["heads"], hidden_act="quick_gelu", layer_norm_eps=1e-5, projection_dim=projection, **extra)
    config = dict(architectures=["CLIPModel"], model_type="clip", projection_dim=projection, logit_scale_init_value=2.6592,
                  text_config=tower("text", text, dict(vocab_size=vocab, max_position_embeddings=77, bos_token_id=49406,
                                                       eos_token_id=49407, pad_token_id=49407)),
                  vision_config=tower("vision", vision, dict(image_size=224, patch_size=32, num_channels=3)))
    (out_dir / "config.json").write_text(json.dumps(config, indent=2))
    (out_dir / "preprocessor_config.json").write_text(json.dumps(dict(
        crop_size=dict(height=224, width=224), do_center_crop=True, do_normalize=True, do_rescale=True, do_resize=True,
        rescale_factor=1 / 255, image_mean=[0.48145466, 0.4578275, 0.40821073], image_std=[0.26862954, 0.26130258, 0.27577711],
        image_processor_type="CLIPImageProcessor", resample=3, size=dict(shortest_edge=224)), indent=2))
    for name in ("vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json"):
        shutil.copy(TOKENIZER / name, out_dir / name)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

"""Shared tiny checkpoints for the stas-clip tests (run by hand: python -m pytest Training/tests).

torch and transformers are imported where used, so that test_synthetic.py runs without them.
"""
from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TRAINING)
ROOT = os.path.dirname(TRAINING)
# The tiny BPE vocabulary (byte alphabet + 300 CLIP merges, 814 ids, EOS = 813) of the CLIP fixtures.
TOKENIZER_SOURCE = os.path.join(ROOT, "Tests", "Fixtures", "clip", "tiny-p32")

FRAMES = 3
IMAGE = 32
TEXT = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=1, num_attention_heads=2, vocab_size=814,
            bos_token_id=812, eos_token_id=813, pad_token_id=813)
# Odd head dim (36 / 4 = 9) and a shift of floor(36 / 8) = 4 channels.
VISION = dict(hidden_size=36, intermediate_size=52, num_hidden_layers=2, num_attention_heads=4, image_size=IMAGE,
              patch_size=16, hidden_act="gelu", layer_norm_eps=1e-6)
PROJECTION = 20
# The trainer's toy data set: three classes, real CLIP tokenizer.
TOKENIZER = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer")
LABELSET = {"name": "toy", "title": "toy", "class_count": 3, "names_source": "test", "descriptions_source": "test",
            "question": "q", "classes": [{"name": n, "text": n, "descriptions": [f"something {n}"]}
                                         for n in ("moving left", "moving right", "growing")]}
LABELSET_NAMES = [c["name"] for c in LABELSET["classes"]]
# Sizes of the new modules small enough for the tiny widths above.
SMALL = dict(num_frames=FRAMES, mit_num_attention_heads=2, mit_intermediate_size=40, aux_dim=10,
             aux_intermediate_size=44, aux_num_attention_heads=3, aux_labels=["guitar", "bike", "tango"])


def clip_config() -> CLIPConfig:
    from transformers import CLIPConfig

    return CLIPConfig(text_config=TEXT, vision_config=VISION, projection_dim=PROJECTION)


def perturb(model: torch.nn.Module, seed: int) -> None:
    """Every parameter + N(0, 0.05²), so zero biases and identity norms cannot hide a mistake."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=generator) * 0.05)


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory) -> str:
    """A tiny random HF CLIP checkpoint directory with tokenizer and preprocessor files."""
    import torch
    from transformers import CLIPModel

    directory = str(tmp_path_factory.mktemp("tiny-clip"))
    torch.manual_seed(0)
    model = CLIPModel(clip_config()).eval()
    perturb(model, 1)
    model.save_pretrained(directory)
    for name in ("vocab.json", "merges.txt", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(TOKENIZER_SOURCE, name), os.path.join(directory, name))
    with open(os.path.join(directory, "special_tokens_map.json"), "w") as f:
        json.dump({"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
                   "unk_token": "<|endoftext|>"}, f)
    with open(os.path.join(os.path.join(TOKENIZER_SOURCE, "preprocessor_config.json"))) as f:
        preprocessor = json.load(f)
    preprocessor.update(crop_size={"height": IMAGE, "width": IMAGE}, size={"shortest_edge": IMAGE})
    with open(os.path.join(directory, "preprocessor_config.json"), "w") as f:
        json.dump(preprocessor, f)
    return directory


@pytest.fixture
def pixels() -> torch.Tensor:
    """Two clips of FRAMES frames: (2, T, 3, S, S)."""
    import torch

    return torch.randn(2, FRAMES, 3, IMAGE, IMAGE, generator=torch.Generator().manual_seed(7))


@pytest.fixture
def text_ids() -> tuple[torch.Tensor, torch.Tensor]:
    """Four texts of different lengths, EOS-terminated and EOS-padded, with their attention mask."""
    import torch

    generator = torch.Generator().manual_seed(8)
    ids = torch.full((4, 9), 813)
    mask = torch.zeros(4, 9, dtype=torch.long)
    for row, length in enumerate((9, 5, 3, 7)):
        ids[row, 0] = 812
        ids[row, 1:length - 1] = torch.randint(0, 812, (length - 2,), generator=generator)
        mask[row, :length] = 1
    return ids, mask


@pytest.fixture(scope="module")
def data():
    """Six random 12-frame clips of the toy classes (55×55, 8 fps), the first three also the test split."""
    import numpy as np

    from stasclip import train as trainer
    from stasclip.sampling import Preprocessing
    from stasclip.videos import DecodedVideo

    rng = np.random.default_rng(0)
    videos = [DecodedVideo(frames=rng.integers(0, 256, (12, 55, 55, 3), dtype=np.uint8),
                           presentation=np.arange(12) / 8.0, end=1.5, label=i % 3) for i in range(6)]
    return trainer.Data(labelset=LABELSET, texts=trainer.ClassTexts.from_labelset(LABELSET, TOKENIZER),
                        preprocessing=Preprocessing.from_json(trainer.SMALL_PREPROCESSOR),
                        preprocessor_json=trainer.SMALL_PREPROCESSOR, train=videos, test=videos[:3], zeroshot=None)

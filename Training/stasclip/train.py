"""Trains stas-clip with the seed paper's two-stage recipe (section 4.2) and exports a checkpoint directory
that the Swift runtime loads.

  python -m stasclip.train --data DIR --tokenizer TOKENIZER_DIR --out OUT_DIR [--init scratch|CLIP_DIR] ...

DIR holds train.txt, test.txt (and optionally zeroshot.txt) with `path<TAB>label` lines and labelset.json
(the format of Sources/STClipLabelSets/Data: classes with name, text, descriptions); --train/--test/
--zeroshot/--labelset name them one by one instead (e.g. a Kinetics or UCF101 list with a built-in label
set).

Stages (epochs scale with --epochs0/1/2 for small data):
  0. only with --init scratch (no pretrained CLIP exists for a small custom architecture): plain CLIP,
     frames averaged, trained from random weights with the contrastive loss — our stand-in for CLIP's
     400M-pair pre-training.
  1. without the temporal module of the communication tokens (TWS, TC, TS or transformer): the new
     parameters (communication token, end transformer, aux head) learn at 8e-4, cosine; CLIP's are frozen.
  2. with the temporal module: everything learns, AdamW lr 8e-6 with 5 warm-up epochs then cosine;
     TWS parameters ×1000, other new parameters ×100 (training.parameter_groups).
AdamW (β1 = 0.9), weight decay 5e-4, loss w·L_m + (1 − w)·L_s (training.stas_loss). Train-mode sampling
and multi-scale crops are the Swift sampler's (sampling.py); evaluation uses its test mode (segment centres,
centre crop) and class embeddings as stclip's `all` mode: the mean of the L2-normalised embeddings of the
class text in the prompt templates and of its descriptions, renormalised.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from torch import nn

from .checkpointing import (CheckpointMismatch, StagePosition, load_heads, load_stage, run_fingerprint, save_stage,
                            stage_path)
from .modeling_stas_clip import AUX_HEADS, TEMPORAL_MODELING, STASCLIPConfig, STASCLIPModel, is_new_parameter
from .sampling import Preprocessing, segment_times, frame_at
from .synthetic import reversal_partners
from .training import parameter_groups, stas_loss
from .videos import DecodedVideo, decode_list, read_list

# stclip's default prompt ensemble (Sources/STClipModels/PromptTemplates.swift, `standard`), in its order.
TEMPLATES = ("a video of a person {}.", "a video of {}.", "a photo of a person {}.", "a clip of someone {}.",
             "human action of {}.", "{}, an action.", "look, the person is {}.", "video classification of {}.")

WEIGHT_DECAY = 5e-4
STAGE1_LR = 8e-4
STAGE2_LR = 8e-6
MASK64 = (1 << 64) - 1

# The small architecture of the embedded default model: CLIP's, narrow and shallow, trained from scratch.
SMALL_TEXT = dict(vocab_size=49408, hidden_size=64, intermediate_size=256, projection_dim=64, num_hidden_layers=3,
                  num_attention_heads=4, max_position_embeddings=77, hidden_act="quick_gelu", layer_norm_eps=1e-5,
                  attention_dropout=0.0, initializer_range=0.02, initializer_factor=1.0, pad_token_id=1,
                  bos_token_id=49406, eos_token_id=49407)
SMALL_VISION = dict(hidden_size=96, intermediate_size=384, projection_dim=64, num_hidden_layers=4,
                    num_attention_heads=4, num_channels=3, image_size=48, patch_size=8, hidden_act="quick_gelu",
                    layer_norm_eps=1e-5, attention_dropout=0.0, initializer_range=0.02, initializer_factor=1.0)
SMALL_PREPROCESSOR = {
    "crop_size": {"height": 48, "width": 48}, "do_center_crop": True, "do_convert_rgb": True,
    "do_normalize": True, "do_rescale": True, "do_resize": True, "rescale_factor": 1 / 255,
    "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
    "image_processor_type": "CLIPImageProcessor", "resample": 3, "size": {"shortest_edge": 55},
}


def small_preprocessor(image_size: int | None = None, shortest_edge: int | None = None) -> dict:
    """SMALL_PREPROCESSOR for another input size: crop image_size × image_size out of frames resized to
    shortest_edge (default: the whole shortest edge, image_size, when image_size is given)."""
    if image_size is None and shortest_edge is None:
        return SMALL_PREPROCESSOR
    crop = image_size or SMALL_PREPROCESSOR["crop_size"]["height"]
    edge = shortest_edge or (crop if image_size else SMALL_PREPROCESSOR["size"]["shortest_edge"])
    if crop < 1 or edge < crop:
        raise ValueError(f"the shortest edge ({edge}) must be at least the image size ({crop}), which must be positive")
    return {**SMALL_PREPROCESSOR, "crop_size": {"height": crop, "width": crop}, "size": {"shortest_edge": edge}}


# ============================================================================================
# Run configuration
# ============================================================================================

@dataclass
class Recipe:
    """One training run: the model switches, the schedule and the seed."""
    temporal_modeling: str = "tws"
    communication_token: bool = True
    end_transformer: bool = True
    aux_head: str = "covariance"
    aux_dim: int = 32
    loss_weight: float = 0.5
    frames: int = 8
    epochs0: int = 20
    epochs1: int = 10
    epochs2: int = 15
    warmup2: int = 3
    batch_size: int = 32
    seed: int = 0
    heads: int = 4
    lr0: float = 5e-4
    stage0: str = "plain"           # STAGE0_KINDS
    workers: int = 0
    vision: dict = field(default_factory=dict)
    position_init: str = "random"   # "random" (CLIP's), "sincos" or "sincos-st" (POSITION_INITS)
    precision: str = "fp32"         # "fp32", or "bf16": forward and loss under bfloat16 autocast (PRECISIONS)
    compile: bool = False           # train through torch.compile (the saved weights are the same module's)
    reverse_twins: bool = False     # each training batch: half clips, half those clips played backwards (_Batches)
    orientation_weight: float = 0.0 # stage 0 adds this times orientation_loss (needs clips that know it)
    turn_weight: float = 0.0        # stage 0 adds this times turn_loss (the same clips)
    class_weight: float = 0.0       # stage 0 adds this times class_loss (any clips)
    heads_from: str | None = None   # stage-0 state (.pt) whose read-out heads stage 0 starts from (checkpointing.load_heads)
    deadline: float | None = None   # time.time() by which training must be over (stage 0 gets 85 % of what is left)
    checkpoint: str | None = None   # directory of each stage's training state (checkpointing.save_stage), continued from if there
    checkpoint_minutes: float = 5.0 # how often a stage writes its state between epoch ends

    def switches(self, labels: list[str], stage: int) -> dict:
        """STASCLIPConfig switches for stage 0 (plain CLIP; with stage0 "aux" plus the covariance aux head;
        with "full" the whole model), 1 (no temporal module) or 2 (the full run)."""
        if stage == 0 and self.stage0 == "full":
            return self.switches(labels, 2)
        if stage == 0:
            plain = dict(num_frames=self.frames, communication_token=False, temporal_modeling="none",
                         end_transformer=False, aux_head="none", aux_labels=[], loss_weight=1.0)
            if self.stage0 == "aux":
                plain.update(aux_head="covariance", aux_dim=self.aux_dim, aux_labels=list(labels),
                             loss_weight=self.loss_weight, aux_num_attention_heads=self.heads)
            return plain
        temporal = self.temporal_modeling if stage == 2 else "none"
        return dict(num_frames=self.frames, communication_token=self.communication_token,
                    temporal_modeling=temporal, end_transformer=self.end_transformer, aux_head=self.aux_head,
                    aux_dim=self.aux_dim, aux_labels=list(labels) if self.aux_head != "none" else [],
                    loss_weight=self.loss_weight, mit_num_attention_heads=self.heads,
                    aux_num_attention_heads=self.heads)


# ============================================================================================
# Data
# ============================================================================================

@dataclass
class ClassTexts:
    """Every class's texts (templates filled with the class text, then its descriptions), tokenized."""
    names: list[str]
    input_ids: torch.Tensor        # (S, L) all texts, class after class
    attention_mask: torch.Tensor   # (S, L)
    owner: torch.Tensor            # (S,) class of each text
    texts: list[str] = field(default_factory=list)

    @classmethod
    def from_labelset(cls, labelset: dict, tokenizer_dir: str, descriptions: bool = True) -> "ClassTexts":
        """`descriptions` False: the class text in the templates only (table 4's "no prompt learning")."""
        from transformers import CLIPTokenizer
        tokenizer = CLIPTokenizer.from_pretrained(tokenizer_dir)
        texts, owner = [], []
        for index, entry in enumerate(labelset["classes"]):
            for text in [t.replace("{}", entry["text"]) for t in TEMPLATES] + (list(entry.get("descriptions", [])) if descriptions else []):
                texts.append(text)
                owner.append(index)
        encoded = tokenizer(texts, padding=True, truncation=True, max_length=77, return_tensors="pt")
        return cls(names=[c["name"] for c in labelset["classes"]], input_ids=encoded["input_ids"],
                   attention_mask=encoded["attention_mask"], owner=torch.tensor(owner), texts=texts)

    def sample(self, generator: np.random.Generator) -> torch.Tensor:
        """One random text index per class, (C,)."""
        owner = self.owner.numpy()
        return torch.tensor([int(generator.choice(np.flatnonzero(owner == c))) for c in range(len(self.names))])


def clip_seed(run_seed: int, epoch: int, index: int) -> int:
    """The sampler seed of one clip in one epoch of one run."""
    return ((run_seed * 1_000_003 + epoch) * 1_000_003 + index) & MASK64


def sample_clip(video: DecodedVideo, preprocessing: Preprocessing, frames: int,
                seed: int | None) -> tuple[np.ndarray, list[int]]:
    """(T, 3, H, W) float32 of one clip (train mode with `seed`, test mode without) and the indices of the
    video's frames it shows."""
    start = float(video.presentation[0])
    times, crops = segment_times(start, video.end - start, frames, 1, seed)
    draw = crops[0] if crops else None
    picked = [frame_at(video.presentation, t) for t in times[0]]
    return preprocessing.normalize(np.stack([preprocessing.crop(video.frames[i], draw) for i in picked])), picked


def load_clip(video: DecodedVideo, preprocessing: Preprocessing, frames: int, seed: int | None) -> np.ndarray:
    """(T, 3, H, W) float32 of one clip: train mode with `seed`, test mode without."""
    return sample_clip(video, preprocessing, frames, seed)[0]


def clip_orientation(video: DecodedVideo, picked: list[int]) -> np.ndarray:
    """(T, 2) the moving object's silhouette orientation (synthetic.frame_orientations) in the `picked` frames,
    NaN where the video has none."""
    if video.orientation is None:
        return np.full((len(picked), 2), np.nan, dtype=np.float32)
    return video.orientation[picked]


def clips_per_batch(batch_size: int, partners: list[int] | None) -> int:
    """Distinct clips in a batch: all of them, or half with reversal `partners` (the other half their twins)."""
    return batch_size // 2 if partners else batch_size


class _Batches(torch.utils.data.Dataset):
    """Batch `b` of one epoch, for DataLoader workers (each batch is built whole in one worker). With
    `partners` (class → the class of its clips played backwards) a batch holds batch_size // 2 clips and then
    the same clips, same frames and crops, in reverse order, labelled with the partner class. With
    `orientation` a batch also holds its frames' object orientations (clip_orientation)."""

    def __init__(self, videos, preprocessing, frames, batch_size, seed, epoch, order, partners=None,
                 orientation=False):
        self.videos, self.preprocessing, self.frames = videos, preprocessing, frames
        self.batch_size, self.seed, self.epoch, self.order = batch_size, seed, epoch, order
        self.partners, self.orientation = partners, orientation
        self.clips = clips_per_batch(batch_size, partners)

    def __len__(self) -> int:
        return math.ceil(len(self.order) / self.clips)

    def __getitem__(self, b: int):
        chosen = self.order[b * self.clips:(b + 1) * self.clips]
        clips = [sample_clip(self.videos[i], self.preprocessing, self.frames,
                             None if self.seed is None else clip_seed(self.seed, self.epoch, int(i)))
                 for i in chosen]
        pixels = np.stack([p for p, _ in clips])                                   # (B, T, 3, H, W)
        angles = np.stack([clip_orientation(self.videos[i], picked)
                           for i, (_, picked) in zip(chosen, clips)])              # (B, T, 2)
        labels = [self.videos[i].label for i in chosen]
        if self.partners:
            pixels = np.concatenate([pixels, pixels[:, ::-1]])                     # (2B, T, 3, H, W)
            angles = np.concatenate([angles, angles[:, ::-1]])                     # (2B, T, 2)
            labels = labels + [self.partners[label] for label in labels]
        batch = torch.from_numpy(np.ascontiguousarray(pixels)), torch.tensor(labels)
        return batch + (torch.from_numpy(np.ascontiguousarray(angles)),) if self.orientation else batch


def batches(videos: list[DecodedVideo], preprocessing: Preprocessing, frames: int, batch_size: int,
            seed: int | None, epoch: int, shuffle: bool, workers: int = 0, partners: list[int] | None = None,
            orientation: bool = False, start: int = 0):
    """Yields (pixels (B, T, 3, H, W), labels (B,)), with `orientation` also each frame's object orientation
    (B, T, 2) (clip_orientation); the last partial batch is kept. With `workers`, batches are built in that
    many forked processes (the same batches, in the same order). With `partners`, half of each batch is the
    other half's clips played backwards (_Batches), so an epoch takes twice the steps. `start` skips the
    epoch's first batches without building them (a continued stage)."""
    order = np.random.default_rng((seed or 0) * 7919 + epoch).permutation(len(videos)) if shuffle else np.arange(len(videos))
    dataset = _Batches(videos, preprocessing, frames, batch_size, seed, epoch, order, partners, orientation)
    if workers <= 0:
        for b in range(start, len(dataset)):
            yield dataset[b]
        return
    loader = torch.utils.data.DataLoader(dataset, batch_size=None, sampler=range(start, len(dataset)),
                                         num_workers=workers, multiprocessing_context="fork", prefetch_factor=4)
    yield from loader


# ============================================================================================
# Model construction
# ============================================================================================

# How the small model's position embeddings start: CLIP's and X-CLIP's N(0, 0.02) ("random"); the vision
# tower's from 2-D sin-cos codes ("sincos", init_sincos_positions); those and the end transformer's temporal
# embedding from 1-D sin-cos codes ("sincos-st", init_sincos_time).
POSITION_INITS = ("random", "sincos", "sincos-st")
# Training arithmetic: fp32 throughout, or bfloat16 autocast (matrix products in bf16, weights, optimizer state
# and the covariance pooling in fp32); bf16 alone gave 1.7 times fp32's steps per second in a bare training step
# of the small model on this repository's two AVX-512 cores.
PRECISIONS = ("fp32", "bf16")
# What stage 0 trains (Recipe.switches, pretrain).
STAGE0_KINDS = ("plain", "aux", "full")


def bf16_precision_error(precision: str, device: torch.device) -> str | None:
    """Why `precision` cannot train on `device`, or None. bf16 on a CPU without oneDNN's bfloat16 kernels
    (AVX-512 or AMX) falls back to scalar code: the product of two 2048 × 2048 matrices took 70 s in bf16 against
    0.18 s in fp32 on two AVX2 cores (torch 2.15), so a run that asked for speed would look hung."""
    if precision != "bf16" or device.type != "cpu" or torch.ops.mkldnn._is_mkldnn_bf16_supported():
        return None
    return (f"--precision bf16 needs a CPU with native bfloat16 matrix kernels (AVX-512 or AMX); this one has "
            f"{torch.backends.cpu.get_cpu_capability()}, where bf16 runs hundreds of times slower than fp32: "
            f"use --precision fp32")


def sincos_codes(positions: torch.Tensor, width: int) -> torch.Tensor:
    """(N, width) sin and cos of each position at width/2 geometric frequencies 1 … 1/10000."""
    half = width // 2
    omega = 1.0 / 10000 ** (torch.arange(half, dtype=torch.float64) / half)                 # (W/2)
    angle = positions[:, None].double() * omega[None]                                        # (N, W/2)
    return torch.cat([angle.sin(), angle.cos()], dim=1).float()                              # (N, W)


def sincos_positions(grid: int, width: int) -> torch.Tensor:
    """(grid², width) 2-D sine-cosine position codes, row-major patches: the first half of the channels code
    the column, the second half the row, each as sin and cos at width/4 geometric frequencies (MAE's table)."""
    if width % 4:
        raise ValueError(f"sin-cos positions need a width divisible by 4, got {width}")
    rows, cols = torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")
    return torch.cat([sincos_codes(cols.reshape(-1), width // 2),
                      sincos_codes(rows.reshape(-1), width // 2)], dim=1)                     # (N, W)


def output_spread(weight: torch.Tensor) -> float:
    """σ_w·√fan-in: the spread of a linear map's (or convolution's) output for unit-variance input, fan-in
    being the size of one output unit's weights (weight[0])."""
    return float(weight.detach().std() * weight[0].numel() ** 0.5)


def init_sincos_positions(model: STASCLIPModel) -> None:
    """Starts the patch rows of the vision position embedding from 2-D sin-cos codes scaled to the spread of
    the patch embedding's output for unit-variance pixels (σ_w·√fan-in). CLIP's N(0, 0.02) start is about 14×
    weaker than the patch content at the small width, and a class token trained from there does not learn
    where things are within an hour (Training/results/README.md): at initialisation a linear read-out of an
    object's x from the class token has R² 0.003 with CLIP's start and 0.6 with this one."""
    embeddings = model.vision_model.embeddings
    weight = embeddings.patch_embedding.weight                                                # (D, 3, p, p)
    grid = embeddings.image_size // embeddings.patch_size
    codes = sincos_positions(grid, weight.shape[0])                                           # (N, D)
    with torch.no_grad():
        embeddings.position_embedding.weight[1:] = codes / codes.std() * output_spread(weight)  # (N, D) of (N+1, D)


def init_sincos_time(model: STASCLIPModel) -> None:
    """Starts the end transformer's temporal position embedding from 1-D sin-cos codes of the frame index,
    scaled to the spread of the frame embeddings it is added to (the visual projection's σ_w·√fan-in for
    unit-variance input). X-CLIP's N(0, 0.02) start is about 50× weaker than those at the small width."""
    if not model.config.end_transformer:
        raise ValueError("sincos-st needs the end transformer")
    embedding = model.mit.position_embedding                                                 # (1, T, P)
    codes = sincos_codes(torch.arange(embedding.shape[1]), embedding.shape[2])               # (T, P)
    with torch.no_grad():
        embedding[0] = codes / codes.std() * output_spread(model.visual_projection.weight)   # (P, D) weight


def small_model(labels: list[str], switches: dict, seed: int, vision: dict | None = None,
                position_init: str = "random") -> STASCLIPModel:
    """The small architecture (SMALL_VISION with `vision`'s overrides) with CLIP's own initialisation
    (transformers' CLIPModel init), new parts random; with position_init "sincos" the vision position
    embedding starts from init_sincos_positions instead, with "sincos-st" also the end transformer's
    temporal one (init_sincos_time)."""
    if position_init not in POSITION_INITS:
        raise ValueError(f"position_init must be one of {POSITION_INITS}, got {position_init!r}")
    from transformers import CLIPConfig, CLIPModel
    torch.manual_seed(seed)
    clip_config = CLIPConfig(text_config=SMALL_TEXT, vision_config={**SMALL_VISION, **(vision or {})}, projection_dim=64,
                             logit_scale_init_value=2.6592)
    clip = CLIPModel(clip_config)
    model = STASCLIPModel(STASCLIPConfig.from_clip_config(clip.config, **switches))
    result = model.load_state_dict(clip.state_dict(), strict=False)
    if result.unexpected_keys:
        raise ValueError(f"CLIP tensors not used: {result.unexpected_keys}")
    if position_init in ("sincos", "sincos-st"):
        init_sincos_positions(model)
    if position_init == "sincos-st":
        init_sincos_time(model)
    return model


def rebuild(model: STASCLIPModel, switches: dict, seed: int) -> STASCLIPModel:
    """A model with new switches that takes every tensor `model` has in common with it; the rest random."""
    torch.manual_seed(seed)
    config = STASCLIPConfig.from_dict({**model.config.to_dict(), **switches})
    fresh = STASCLIPModel(config)
    result = fresh.load_state_dict(model.state_dict(), strict=False)
    stray = [n for n in result.unexpected_keys if not is_new_parameter(n)]
    if stray:
        raise ValueError(f"tensors that do not fit the new model: {stray}")
    return fresh


# ============================================================================================
# Training and evaluation
# ============================================================================================

def warmup_steps(warmup_epochs: int, steps_per_epoch: int, epochs: int, requested: int) -> int:
    """Steps of linear warm-up: `warmup_epochs` of the `requested` epochs, or the same share of the `epochs` a
    time limit cut the schedule to (3 of 30 epochs cut to 17 warm up for 1.7 epochs, not 3 of the 17)."""
    return warmup_epochs * steps_per_epoch * epochs // max(1, requested)


def cosine_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up over `warmup` steps, then cosine from 1 to 0."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def step_loss(forward, pixels: torch.Tensor, labels: torch.Tensor, input_ids: torch.Tensor,
              attention_mask: torch.Tensor, loss_weight: float, precision: str):
    """One training batch's output and loss (eq. 22) in `precision` (PRECISIONS); text i is class i's.
    pixels: (B, T, 3, H, W); labels: (B,); input_ids, attention_mask: (C, L)."""
    with torch.autocast(pixels.device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
        out = forward(pixels, input_ids, attention_mask)
        loss = stas_loss(out, labels, torch.arange(len(input_ids), device=pixels.device), loss_weight)
    return out, loss


def known_mean(error: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean of `error` over the entries whose `target` (same shape) is known (not NaN); 0 when none is."""
    known = (~torch.isnan(target)).float()
    return (error * known).sum() / known.sum().clamp(min=1)


def orientation_loss(head: nn.Linear, frame_embeds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared error of `head`'s read-out of each frame's object orientation from Z, frame_embeds `(B, T, P)`,
    against target `(B, T, 2)` (synthetic.frame_orientations: the silhouette's principal axis as a double
    angle, its length the elongation), averaged over the frames whose target is known (not NaN); 0 when none
    is. A training-only objective: the head is never saved."""
    error = ((head(frame_embeds.float()) - target.nan_to_num()) ** 2).sum(-1)  # (B, T)
    return known_mean(error, target[..., 0])


def turn_loss(head: nn.Linear, states: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared error of `head`'s read-out, from frame t of the temporal module's output states `(B, T, P)`, of
    how far the object turns from sampled frame t to t + 1: sin 2Δθ, the cross product of the two frames'
    orientation targets `(B, T, 2)` (synthetic.frame_orientations, double angles) over their lengths;
    positive clockwise on screen, 0 for an object that does not turn. Averaged over the known pairs, 0 when
    none is. A training-only objective: the head is never saved."""
    a, b = target[:, :-1], target[:, 1:]                                      # (B, T-1, 2)
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]                     # (B, T-1)
    turn = cross / (a.norm(dim=-1) * b.norm(dim=-1)).clamp(min=1e-6)          # (B, T-1) sin 2Δθ
    error = (head(states[:, :-1].float()).squeeze(-1) - turn.nan_to_num()) ** 2   # (B, T-1)
    return known_mean(error, turn)


def class_loss(prototypes: torch.Tensor, video_embeds: torch.Tensor, labels: torch.Tensor,
               scale: torch.Tensor) -> torch.Tensor:
    """Cross-entropy, against labels `(B,)`, of the unit video embeddings `(B, P)` scored against one learnt
    prototype per class, `prototypes` `(C, P)`, as the contrastive logits score them against the class texts:
    cosine times `scale` (the model's exp(logit_scale), not trained through this loss).

    The contrastive loss alone has a fixed point where two classes' text embeddings coincide: v then gets no
    gradient to tell them apart, and the text tower none to part them while v does not (the two senses of a
    rotation, results/README.md). The prototypes give v that gradient whatever the text tower does. A
    training-only objective: the prototypes are never saved."""
    v = video_embeds.float()
    v = v / v.norm(dim=-1, keepdim=True)
    p = prototypes / prototypes.norm(dim=-1, keepdim=True)
    return nn.functional.cross_entropy(v @ p.t() * scale.detach().float(), labels)


def train_stage(model: STASCLIPModel, groups: list[dict], epochs: int, warmup_epochs: int, train: list[DecodedVideo],
                texts: ClassTexts, preprocessing: Preprocessing, recipe: Recipe, device: torch.device,
                stage: int, log) -> None:
    """One stage: AdamW over `groups` (frozen parameters left out), cosine schedule per step. Stage 0 with
    recipe.orientation_weight also trains a linear read-out of each frame's object orientation from Z
    (orientation_loss), with recipe.turn_weight one of each step's turn from the end transformer's output
    (turn_loss, from Z without one), with recipe.class_weight class prototypes scored against v (class_loss);
    the heads are dropped after the stage.

    With recipe.checkpoint the stage keeps its whole state (checkpointing.save_stage) every
    recipe.checkpoint_minutes and at every epoch's end, and a stage that finds its state there continues
    from it: stopped at any step and started again with the same command, it ends with what one unbroken
    run gives."""
    if epochs <= 0 or not groups:
        return
    head = turn_head = class_head = None
    if stage == 0 and recipe.orientation_weight > 0:
        head = nn.Linear(model.config.projection_dim, 2).to(device)         # (2, P)
        groups = groups + [{"params": list(head.parameters()), "lr": groups[0]["lr"]}]
    if stage == 0 and recipe.turn_weight > 0:
        turn_head = nn.Linear(model.config.projection_dim, 1).to(device)    # (1, P)
        groups = groups + [{"params": list(turn_head.parameters()), "lr": groups[0]["lr"]}]
    if stage == 0 and recipe.class_weight > 0:
        class_head = nn.Embedding(len(texts.names), model.config.projection_dim).to(device)   # (C, P)
        groups = groups + [{"params": list(class_head.parameters()), "lr": groups[0]["lr"]}]
    optimizer = torch.optim.AdamW(groups, betas=(0.9, 0.999), weight_decay=WEIGHT_DECAY)
    base = [g["lr"] for g in optimizer.param_groups]
    partners = reversal_partners(texts.names) if recipe.reverse_twins else None
    steps_per_epoch = math.ceil(len(train) / clips_per_batch(recipe.batch_size, partners))
    requested, total = epochs, epochs * steps_per_epoch
    text_rng = np.random.default_rng(recipe.seed * 31 + stage)
    heads = {k: h for k, h in (("orientation", head), ("turn", turn_head), ("class", class_head)) if h is not None}
    if stage == 0 and recipe.heads_from and heads:
        load_heads(recipe.heads_from, heads, device)
        log(f"stage {stage}: the {', '.join(heads)} read-outs start from {recipe.heads_from}")
    position = StagePosition(epoch=0, batch=0, step=0, epochs=epochs, total=total)
    state_path = fingerprint = None
    if recipe.checkpoint:
        state_path = stage_path(recipe.checkpoint, stage)
        fingerprint = run_fingerprint(recipe, stage, [v.label for v in train])
        restored = load_stage(state_path, fingerprint, asdict(Recipe()), model, optimizer, heads, text_rng, device)
        if restored is not None:
            position = restored
            log(f"stage {stage}: {state_path} holds the finished stage ({position.step} steps)"
                if position.epoch >= position.epochs else
                f"stage {stage}: continuing {state_path} at epoch {position.epoch + 1} of {position.epochs}, "
                f"batch {position.batch + 1}, step {position.step + 1}")
    saved_at = time.time()

    def keep(epoch: int, batch: int) -> None:
        nonlocal saved_at
        save_stage(state_path, fingerprint, StagePosition(epoch=epoch, batch=batch, step=step, epochs=epochs,
                                                          total=total), model, optimizer, heads, text_rng, device)
        saved_at = time.time()

    stop_at = None
    if recipe.deadline is not None:
        left = recipe.deadline - time.time()
        stop_at = time.time() + (0.85 * left if stage == 0 else left)
    input_ids, attention_mask = texts.input_ids.to(device), texts.attention_mask.to(device)
    # The compiled module shares `model`'s parameters, so the optimizer and the export see what it trains.
    forward = torch.compile(model) if recipe.compile else model
    epoch, step, epochs, total, first = position.epoch, position.step, position.epochs, position.total, position.batch
    warmup = warmup_steps(warmup_epochs, steps_per_epoch, epochs, requested)
    model.train()
    while epoch < epochs:
        started, losses, oriented, turned, classed = time.time(), [], [], [], []
        for b, batch in enumerate(batches(train, preprocessing, recipe.frames, recipe.batch_size, recipe.seed * 10 + stage,
                                          epoch, shuffle=True, workers=recipe.workers, partners=partners,
                                          orientation=head is not None or turn_head is not None, start=first),
                             start=first):
            pixels, labels = batch[:2]
            for g, lr in zip(optimizer.param_groups, base):
                g["lr"] = lr * cosine_factor(step, total, warmup)
            chosen = texts.sample(text_rng).to(device)                        # (C,) one text per class
            out, loss = step_loss(forward, pixels.to(device), labels.to(device), input_ids[chosen],
                                  attention_mask[chosen], model.config.loss_weight, recipe.precision)
            if head is not None:
                orientation = orientation_loss(head, out.video.frame_embeds, batch[2].to(device))
                loss = loss + recipe.orientation_weight * orientation
                oriented.append(float(orientation.detach()))
            if turn_head is not None:
                states = out.video.mit_output if out.video.mit_output is not None else out.video.frame_embeds
                turn = turn_loss(turn_head, states, batch[2].to(device))
                loss = loss + recipe.turn_weight * turn
                turned.append(float(turn.detach()))
            if class_head is not None:
                classified = class_loss(class_head.weight, out.video.video_embeds, labels.to(device),
                                        model.logit_scale.exp())
                loss = loss + recipe.class_weight * classified
                classed.append(float(classified.detach()))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
            losses.append(float(loss.detach()))
            step += 1
            if state_path and time.time() - saved_at >= 60 * recipe.checkpoint_minutes and b + 1 < steps_per_epoch:
                keep(epoch, b + 1)
        log(f"stage {stage} epoch {epoch + 1}/{epochs} loss {np.mean(losses):.4f}"
            + (f" (orientation {np.mean(oriented):.4f})" if oriented else "")
            + (f" (turn {np.mean(turned):.4f})" if turned else "")
            + (f" (class {np.mean(classed):.4f})" if classed else "")
            + (f" (batches {first + 1}-{steps_per_epoch} after continuing)" if first else "")
            + f" ({time.time() - started:.1f} s)")
        epoch, first = epoch + 1, 0
        if stop_at is not None and epoch < epochs and not (recipe.compile and epoch == 1):
            # Fit the schedule to the time left: as many more epochs as the last one's pace allows, the cosine
            # rescaled to end with them and the warm-up to the same share of them. A compiled run's first epoch
            # also holds the compilation (1.5-3 minutes on two cores), so its pace would cut the schedule
            # short; the second decides.
            fits = epoch + int((stop_at - time.time()) // max(1e-6, time.time() - started))
            if fits < epochs:
                fitted = max(epoch, fits)
                total = max(step + 1, fitted * steps_per_epoch)
                warmup = warmup_steps(warmup_epochs, steps_per_epoch, fitted, requested)
                log(f"stage {stage}: {fits} of {epochs} epochs fit in the time limit; the schedule ends there"
                    + (f", its warm-up {warmup} of its {total} steps" if warmup_epochs else ""))
                epochs = fitted
        if state_path:
            keep(epoch, 0)


@torch.no_grad()
def class_embeddings(model: STASCLIPModel, texts: ClassTexts, device: torch.device) -> torch.Tensor:
    """(C, P) unit class embeddings: per class, the mean of its texts' unit embeddings, renormalised."""
    model.eval()
    e = model.get_text_features(texts.input_ids.to(device), texts.attention_mask.to(device))
    e = e / e.norm(dim=-1, keepdim=True)
    owner = texts.owner.to(device)
    means = torch.stack([e[owner == c].mean(0) for c in range(len(texts.names))])
    return means / means.norm(dim=-1, keepdim=True)


@torch.no_grad()
def evaluate(model: STASCLIPModel, videos: list[DecodedVideo], texts: ClassTexts, preprocessing: Preprocessing,
             recipe: Recipe, device: torch.device) -> dict:
    """Test-mode top-1 of the contrastive scores (and of the aux head where there is one), in percent."""
    model.eval()
    classes = class_embeddings(model, texts, device)
    correct = aux_correct = count = 0
    predictions = []
    for pixels, labels in batches(videos, preprocessing, recipe.frames, 64, None, 0, shuffle=False, workers=recipe.workers):
        video = model.encode_video(pixels.to(device))
        v = video.video_embeds / video.video_embeds.norm(dim=-1, keepdim=True)
        predicted = (v @ classes.t()).argmax(-1).cpu()
        predictions += predicted.tolist()
        correct += int((predicted == labels).sum())
        if model.config.aux_head != "none":
            last = video.hidden_states[-1][:, 1:]
            h = last.reshape(pixels.shape[0], recipe.frames, last.shape[1], last.shape[2])
            aux_correct += int((model.aux_head(h, video.video_embeds).logits.argmax(-1).cpu() == labels).sum())
        count += len(labels)
    result = {"top1": 100 * correct / count, "count": count, "predictions": predictions}
    if model.config.aux_head != "none":
        result["aux_top1"] = 100 * aux_correct / count
    return result


def video_cost(model: STASCLIPModel, preprocessing: Preprocessing, frames: int) -> dict:
    """Parameters of the video encoder (everything but the text tower) and its GFLOPs per clip."""
    from torch.utils.flop_counter import FlopCounterMode
    video_params = sum(p.numel() for n, p in model.named_parameters()
                       if not n.startswith(("text_model.", "text_projection.", "aux_head.")))
    aux_params = sum(p.numel() for n, p in model.named_parameters() if n.startswith("aux_head."))
    device = next(model.parameters()).device
    pixels = torch.zeros(1, frames, 3, preprocessing.crop_height, preprocessing.crop_width, device=device)
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.encode_video(pixels)
    return {"video_params": video_params, "aux_params": aux_params, "gflops": counter.get_total_flops() / 1e9}


# ============================================================================================
# The whole run
# ============================================================================================

@dataclass
class Data:
    """Decoded splits and the class texts."""
    labelset: dict
    texts: ClassTexts
    preprocessing: Preprocessing
    preprocessor_json: dict
    train: list[DecodedVideo]
    test: list[DecodedVideo]
    zeroshot: list[DecodedVideo] | None


def load_data(labelset_path: str, train: str, test: str, zeroshot: str | None, tokenizer_dir: str,
              preprocessor_json: dict, jobs: int | None = None) -> Data:
    with open(labelset_path, encoding="utf-8") as f:
        labelset = json.load(f)
    names = [c["name"] for c in labelset["classes"]]
    preprocessing = Preprocessing.from_json(preprocessor_json)
    splits = [decode_list(read_list(p, names), preprocessing, jobs) if p else None for p in (train, test, zeroshot)]
    return Data(labelset=labelset, texts=ClassTexts.from_labelset(labelset, tokenizer_dir), preprocessing=preprocessing,
                preprocessor_json=preprocessor_json, train=splits[0], test=splits[1], zeroshot=splits[2])


def add_online_train_arguments(parser: argparse.ArgumentParser) -> None:
    """--online-train N and --online-seed, as train and ablate take them (online_train_set)."""
    parser.add_argument("--online-train", type=int, metavar="N",
                        help="train on N clips per class rendered now by stasclip.synthetic (no encoder; yuv420p "
                             "emulated) instead of the train list")
    parser.add_argument("--online-seed", type=int, default=1000, help="generator seed of --online-train")


def online_train_set(data: Data, per_class: int, seed: int, jobs: int | None) -> list[DecodedVideo]:
    """`per_class` clips per class of stasclip.synthetic's train split for `seed`, rendered now; raises
    ValueError unless data's label set is the synthetic one (its classes in its order)."""
    from .synthetic import CLASSES
    from .videos import render_split
    if [c.name for c in CLASSES] != data.texts.names:
        raise ValueError("--online-train renders stasclip.synthetic's classes: the label set must be its labelset.json")
    return render_split(seed, per_class, "train", data.preprocessing, jobs=jobs)


def pretrain(data: Data, recipe: Recipe, device: torch.device, log) -> STASCLIPModel:
    """Stage 0: the small plain CLIP (or, with recipe.stage0 "full", the whole model) from random weights,
    every parameter at recipe.lr0.

    stage0 "aux" trains plain CLIP with the covariance aux head (eq. 22) and returns plain CLIP. With the
    contrastive loss alone, the loss stays at its uniform value (3.32 with 12 classes and batch 64) for 20
    epochs (results/README.md): the random text tower embeds every class nearly alike (pairwise cosine
    0.87-0.95), which leaves v almost no gradient. The aux head's cross-entropy gives the backbone a gradient
    from the first step. It pools the visual tokens over time, so the backbone's tokens learn what moves,
    while the class tokens, averaged over frames, get no temporal module."""
    model = small_model(data.texts.names, recipe.switches(data.texts.names, 0), recipe.seed, recipe.vision,
                        recipe.position_init).to(device)
    groups = [{"params": list(model.parameters()), "lr": recipe.lr0}]
    train_stage(model, groups, recipe.epochs0, max(1, recipe.epochs0 // 10), data.train, data.texts,
                data.preprocessing, recipe, device, 0, log)
    if recipe.stage0 == "aux":
        # Only CLIP's tensors go on: the rows start with no new parameter trained.
        plain = replace(recipe, stage0="plain").switches(data.texts.names, 0)
        model = rebuild(model.cpu(), plain, recipe.seed).to(device)
    return model


def stage1(base: STASCLIPModel, data: Data, recipe: Recipe, device: torch.device, log) -> STASCLIPModel:
    """Stage 1 from a CLIP-initialised model (`base`: plain CLIP weights, stage 0's or OpenAI's): no temporal
    module; the new parameters learn at STAGE1_LR, CLIP's are frozen."""
    model = rebuild(base.cpu(), recipe.switches(data.texts.names, 1), recipe.seed + 1).to(device)
    new = [p for n, p in model.named_parameters() if is_new_parameter(n)]
    for n, p in model.named_parameters():
        p.requires_grad_(is_new_parameter(n))
    train_stage(model, [{"params": new, "lr": STAGE1_LR}] if new else [], recipe.epochs1, 0, data.train, data.texts,
                data.preprocessing, recipe, device, 1, log)
    return model


def stage2(model: STASCLIPModel, data: Data, recipe: Recipe, device: torch.device, log) -> STASCLIPModel:
    """Stage 2: the temporal module added; everything learns with the paper's multipliers and warm-up."""
    model = rebuild(model.cpu(), recipe.switches(data.texts.names, 2), recipe.seed + 2).to(device)
    for p in model.parameters():
        p.requires_grad_(True)
    train_stage(model, parameter_groups(model, STAGE2_LR), recipe.epochs2, recipe.warmup2, data.train, data.texts,
                data.preprocessing, recipe, device, 2, log)
    return model


def save_base(model: STASCLIPModel, path: str, **extra) -> None:
    """A stage-0 model as {config, state} for --base and the ablation, with `extra` keys beside them."""
    torch.save({"config": model.config.to_dict(), "state": {k: v.cpu() for k, v in model.state_dict().items()},
                **extra}, path)


def load_base(path: str) -> STASCLIPModel:
    saved = torch.load(path, weights_only=False)
    model = STASCLIPModel(STASCLIPConfig.from_dict(saved["config"]))
    model.load_state_dict(saved["state"])
    return model


def finetune(base: STASCLIPModel, data: Data, recipe: Recipe, device: torch.device, log) -> STASCLIPModel:
    """Stages 1 and 2; stage 1 is left out when stage 0 already trained the whole model (its temporal module
    would be dropped)."""
    if recipe.stage0 == "full":
        return stage2(base, data, recipe, device, log)
    return stage2(stage1(base, data, recipe, device, log), data, recipe, device, log)


def report(model: STASCLIPModel, data: Data, recipe: Recipe, device: torch.device) -> dict:
    out = {"recipe": asdict(recipe), **video_cost(model, data.preprocessing, recipe.frames)}
    out["test"] = evaluate(model, data.test, data.texts, data.preprocessing, recipe, device)
    if data.zeroshot:
        out["zeroshot"] = evaluate(model, data.zeroshot, data.texts, data.preprocessing, recipe, device)
    return out


def export(model: STASCLIPModel, data: Data, tokenizer_dir: str, out_dir: str, half: bool) -> None:
    """A checkpoint directory the Swift runtime loads: config.json, model.safetensors (F16 with `half`),
    the tokenizer files, the training preprocessor_config.json and the label set as labelset.json."""
    from safetensors.torch import save_file
    with tempfile.TemporaryDirectory() as staging:
        for name in ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"):
            shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(staging, name))
        with open(os.path.join(staging, "preprocessor_config.json"), "w", encoding="utf-8") as f:
            json.dump(data.preprocessor_json, f, indent=2)
            f.write("\n")
        model.cpu().save_pretrained(out_dir, tokenizer_dir=staging)
    if half:
        tensors = {n: t.detach().to(torch.float16).contiguous() for n, t in model.state_dict().items()}
        save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(out_dir, "labelset.json"), "w", encoding="utf-8") as f:
        json.dump(data.labelset, f, indent=1, ensure_ascii=False)
        f.write("\n")


def trained_model(args: argparse.Namespace, data: Data, recipe: Recipe, device: torch.device, log) -> STASCLIPModel | None:
    """The stages main() runs for `args`; None when --stop-after-stage0 ended the run after its report."""
    if args.resume:
        base = STASCLIPModel.from_pretrained(args.resume).to(device)
        base.config.loss_weight = recipe.loss_weight
        groups = [{"params": list(base.parameters()), "lr": recipe.lr0}]
        train_stage(base, groups, recipe.epochs0, max(1, recipe.epochs0 // 10), data.train, data.texts,
                    data.preprocessing, recipe, device, 0, log)
    elif args.base:
        base = load_base(args.base)
    elif args.init == "scratch":
        base = pretrain(data, recipe, device, log)
        if args.save_base:
            save_base(base, args.save_base)
        if args.stop_after_stage0:
            metrics = report(base, data, recipe, device)
            log(f"stage 0 test top-1 {metrics['test']['top1']:.1f}%")
            return None
    else:
        from transformers import CLIPModel
        clip = CLIPModel.from_pretrained(args.init, local_files_only=True, dtype=torch.float32)
        base = STASCLIPModel(STASCLIPConfig.from_clip_config(clip.config, **recipe.switches(data.texts.names, 0)))
        base.load_state_dict(clip.state_dict(), strict=False)
    # A resumed stage 0 trained the whole model, temporal module included, as --stage0 full does.
    return stage2(base, data, recipe, device, log) if args.resume else finetune(base, data, recipe, device, log)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="folder with train.txt, test.txt, [zeroshot.txt], labelset.json")
    parser.add_argument("--train"), parser.add_argument("--test"), parser.add_argument("--zeroshot")
    parser.add_argument("--labelset", help="label set JSON (classes with name, text, descriptions)")
    parser.add_argument("--tokenizer", required=True, help="folder with CLIP's vocab.json and merges.txt")
    parser.add_argument("--init", default="scratch", help="'scratch' (small CLIP, stage 0 first) or an HF CLIP dir")
    parser.add_argument("--out", required=True, help="checkpoint directory to write")
    parser.add_argument("--report", help="write the metrics JSON here")
    parser.add_argument("--half", action="store_true", help="store the weights as F16")
    parser.add_argument("--temporal-modeling", choices=TEMPORAL_MODELING, default="tws")
    parser.add_argument("--no-communication-token", action="store_true")
    parser.add_argument("--no-end-transformer", action="store_true")
    parser.add_argument("--aux-head", choices=AUX_HEADS, default="covariance")
    parser.add_argument("--aux-dim", type=int, default=32)
    parser.add_argument("--loss-weight", type=float, default=0.5, help="w of w·L_m + (1 − w)·L_s")
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--epochs0", type=int, default=20, help="stage 0 epochs (scratch only)")
    parser.add_argument("--epochs1", type=int, default=20, help="stage 1 epochs (paper: 20)")
    parser.add_argument("--epochs2", type=int, default=30, help="stage 2 epochs (paper: 30)")
    parser.add_argument("--warmup2", type=int, default=5, help="stage 2 warm-up epochs (paper: 5)")
    parser.add_argument("--lr0", type=float, default=5e-4, help="stage 0 learning rate")
    parser.add_argument("--stage0", choices=STAGE0_KINDS, default="plain",
                        help="stage 0 trains plain CLIP (the stand-in for its pre-training), plain CLIP with the "
                             "aux head (dropped after), or the whole model")
    parser.add_argument("--base", help="skip stage 0: start from this stage-0 checkpoint (.pt from --save-base)")
    parser.add_argument("--resume", help="continue stage 0 (all parameters, --lr0, --epochs0) from this exported "
                                         "checkpoint directory of the same architecture, then stage 2")
    parser.add_argument("--save-base", help="write the stage-0 model here (.pt)")
    parser.add_argument("--stop-after-stage0", action="store_true")
    add_online_train_arguments(parser)
    parser.add_argument("--time-limit", type=float, help="seconds: stages end early (at an epoch boundary) to finish in time")
    parser.add_argument("--checkpoint", metavar="DIR",
                        help="keep each stage's training state here and continue from it when the same command "
                             "runs again (a stopped run resumes at the step it reached)")
    parser.add_argument("--checkpoint-minutes", type=float, default=5.0,
                        help="minutes between --checkpoint states within an epoch (one is kept at every epoch's end)")
    parser.add_argument("--vision-width", type=int, help=f"small architecture: vision width (default {SMALL_VISION['hidden_size']})")
    parser.add_argument("--vision-layers", type=int, help=f"small architecture: vision layers (default {SMALL_VISION['num_hidden_layers']})")
    parser.add_argument("--patch-size", type=int, help=f"small architecture: patch size (default {SMALL_VISION['patch_size']})")
    parser.add_argument("--image-size", type=int, help=f"small architecture: input (crop) size "
                        f"(default {SMALL_VISION['image_size']})")
    parser.add_argument("--shortest-edge", type=int, help="small architecture: the frames' shortest edge after "
                        f"resizing, before the crop (default {SMALL_PREPROCESSOR['size']['shortest_edge']}, "
                        "or the image size when --image-size is given)")
    parser.add_argument("--position-init", choices=POSITION_INITS, default="random",
                        help="small architecture: how the position embeddings start (see POSITION_INITS)")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="training arithmetic: fp32, or bf16 autocast (evaluation and export stay fp32)")
    parser.add_argument("--compile", action="store_true", help="train through torch.compile (needs a C++ compiler on CPU)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--reverse-twins", action="store_true",
                        help="half of each training batch is the other half's clips played backwards, labelled with "
                             "their reversal partner (synthetic label set only); an epoch takes twice the steps")
    parser.add_argument("--orientation-weight", type=float, default=0.0,
                        help="stage 0 also fits a linear read-out of the moving object's silhouette orientation "
                             "(principal axis and elongation) from each frame embedding, with this weight on its "
                             "squared error (a training-only objective; needs --online-train, whose rendered clips "
                             "know their frames' orientation)")
    parser.add_argument("--turn-weight", type=float, default=0.0,
                        help="stage 0 also fits a linear read-out, from each frame of the end transformer's output, "
                             "of how far the moving object turns until the next sampled frame, with this weight on "
                             "its squared error (training-only; needs --online-train)")
    parser.add_argument("--class-weight", type=float, default=0.0,
                        help="stage 0 also learns one prototype per class and scores v against them as against the "
                             "class texts, with this weight on their cross-entropy (training-only; asks v to tell "
                             "apart classes whose text embeddings have come to coincide)")
    parser.add_argument("--heads-from", metavar="STATE",
                        help="with --resume: start the read-out heads from this stage-0 state (a previous run's "
                             "--checkpoint DIR/stage0.pt) instead of random weights")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--jobs", type=int, default=0, help="decoding processes (0: one per core)")
    parser.add_argument("--workers", type=int, default=0, help="batch-building processes (0: in the training process)")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    vision = {k: v for k, v in (("hidden_size", args.vision_width), ("num_hidden_layers", args.vision_layers),
                                ("patch_size", args.patch_size), ("image_size", args.image_size)) if v}
    if "hidden_size" in vision:
        vision["intermediate_size"] = 4 * vision["hidden_size"]
    paths = {k: getattr(args, k) or (os.path.join(args.data, f"{k}.txt" if k != "labelset" else "labelset.json")
                                     if args.data else None) for k in ("train", "test", "zeroshot", "labelset")}
    if paths["zeroshot"] and not os.path.exists(paths["zeroshot"]) and not args.zeroshot:
        paths["zeroshot"] = None
    if not (paths["train"] and paths["test"] and paths["labelset"]):
        parser.error("give --data, or --train, --test and --labelset")
    if args.init == "scratch":
        try:
            preprocessor_json = small_preprocessor(args.image_size, args.shortest_edge)
        except ValueError as error:
            parser.error(str(error))
    else:
        if args.image_size or args.shortest_edge:
            parser.error("--image-size and --shortest-edge set the small architecture (--init scratch) only")
        with open(os.path.join(args.init, "preprocessor_config.json"), encoding="utf-8") as f:
            preprocessor_json = json.load(f)
    recipe = Recipe(temporal_modeling=args.temporal_modeling, communication_token=not args.no_communication_token,
                    end_transformer=not args.no_end_transformer, aux_head=args.aux_head, aux_dim=args.aux_dim,
                    loss_weight=args.loss_weight, frames=args.frames, epochs0=args.epochs0, epochs1=args.epochs1,
                    epochs2=args.epochs2, warmup2=args.warmup2, batch_size=args.batch_size, seed=args.seed,
                    lr0=args.lr0, stage0=args.stage0, workers=args.workers, vision=vision,
                    position_init=args.position_init, precision=args.precision, compile=args.compile,
                    reverse_twins=args.reverse_twins, orientation_weight=args.orientation_weight,
                    turn_weight=args.turn_weight, class_weight=args.class_weight,
                    heads_from=os.path.abspath(args.heads_from) if args.heads_from else None,
                    checkpoint=args.checkpoint, checkpoint_minutes=args.checkpoint_minutes)
    if args.checkpoint_minutes < 0:
        parser.error("--checkpoint-minutes must be 0 or more")
    for option, weight, rendered in (("--orientation-weight", args.orientation_weight, True),
                                     ("--turn-weight", args.turn_weight, True),
                                     ("--class-weight", args.class_weight, False)):
        if weight < 0:
            parser.error(f"{option} must be 0 or more")
        if weight and rendered and not args.online_train:
            parser.error(f"{option} needs --online-train: only rendered clips know their frames' orientation")
    if args.heads_from and not args.resume:
        parser.error("--heads-from needs --resume: the heads read out a trained model's features")
    if args.heads_from and not os.path.isfile(args.heads_from):
        parser.error(f"--heads-from {args.heads_from}: no such file")
    if args.heads_from and not (args.orientation_weight or args.turn_weight or args.class_weight):
        parser.error("--heads-from needs a read-out: --orientation-weight, --turn-weight or --class-weight")
    if args.reverse_twins and args.batch_size < 2:
        parser.error("--reverse-twins needs --batch-size 2 or more")
    device = torch.device(args.device)
    if (reason := bf16_precision_error(args.precision, device)) is not None:
        parser.error(reason)
    started = time.time()
    if args.time_limit:
        recipe.deadline = started + args.time_limit

    def log(message: str) -> None:
        print(f"[{time.time() - started:7.1f} s] {message}", flush=True)

    data = load_data(paths["labelset"], None if args.online_train else paths["train"], paths["test"],
                     paths["zeroshot"], args.tokenizer, preprocessor_json, args.jobs or None)
    if args.online_train:
        try:
            data.train = online_train_set(data, args.online_train, args.online_seed, args.jobs or None)
        except ValueError as error:
            parser.error(str(error))
    if args.reverse_twins:
        try:
            reversal_partners(data.texts.names)
        except ValueError as error:
            parser.error(str(error))
    log(f"decoded {len(data.train)} train, {len(data.test)} test, {len(data.zeroshot or [])} zero-shot videos")
    try:
        model = trained_model(args, data, recipe, device, log)
    except CheckpointMismatch as error:
        parser.error(str(error))
    if model is None:
        return
    metrics = report(model, data, recipe, device)
    metrics["seconds"] = time.time() - started
    log(f"test top-1 {metrics['test']['top1']:.1f}%" + (f", zero-shot top-1 {metrics['zeroshot']['top1']:.1f}%"
                                                        if "zeroshot" in metrics else ""))
    export(model, data, args.tokenizer, args.out, args.half)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(metrics, f, indent=1)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()

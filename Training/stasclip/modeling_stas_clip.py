"""stas-clip: the language-video contrastive model with spatio-temporal auxiliary supervision of the
seed paper (sections 3.2-3.4), as a PyTorch reference for the Swift runtime.

Sections, top to bottom: configuration → temporal operators → covariance pooling → modules →
model (forward) → checkpoint I/O. The CLIP parts are transformers' own modules (CLIPVisionEmbeddings,
CLIPAttention, CLIPMLP, CLIPEncoderLayer, CLIPEncoder, CLIPTextModel) so that an HF CLIP checkpoint
initialises them by name.

Letters in shape comments: B clips, T frames per clip, N patches per frame, D vision width,
Dt text width, L text length, P projection dim (= MIT width), D' aux_dim, M = T·N reduced tokens
per clip, F pooled aux features (D'(D'+1)/2 or D'), K aux labels, C texts.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
from dataclasses import dataclass, field

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import CLIPModel, CLIPTextConfig, CLIPTextModel, CLIPVisionConfig
from transformers.models.clip.modeling_clip import (
    CLIPAttention,
    CLIPEncoder,
    CLIPEncoderLayer,
    CLIPMLP,
    CLIPVisionEmbeddings,
)

# ============================================================================================
# Configuration
# ============================================================================================

MODEL_TYPE = "stas-clip"
ARCHITECTURE = "STASCLIPModel"
TEMPORAL_MODELING = ("none", "tc", "ts", "transformer", "tws")
AUX_HEADS = ("none", "first_order", "covariance")

# The CLIP sub-config keys written to config.json, every one explicitly.
TEXT_CONFIG_KEYS = ("vocab_size", "hidden_size", "intermediate_size", "projection_dim", "num_hidden_layers",
                    "num_attention_heads", "max_position_embeddings", "hidden_act", "layer_norm_eps",
                    "attention_dropout", "initializer_range", "initializer_factor", "pad_token_id",
                    "bos_token_id", "eos_token_id")
VISION_CONFIG_KEYS = ("hidden_size", "intermediate_size", "projection_dim", "num_hidden_layers", "num_attention_heads",
                      "num_channels", "image_size", "patch_size", "hidden_act", "layer_norm_eps", "attention_dropout",
                      "initializer_range", "initializer_factor")

# Top-level keys beyond CLIPConfig's, in the order they are documented in Training/README.md.
STAS_KEYS = ("num_frames", "communication_token", "temporal_modeling", "shift_fraction", "tc_kernel_size",
             "end_transformer", "mit_hidden_size", "mit_intermediate_size", "mit_num_hidden_layers",
             "mit_num_attention_heads", "aux_head", "aux_dim", "aux_intermediate_size", "aux_num_hidden_layers",
             "aux_num_attention_heads", "aux_iterations", "aux_dropout", "aux_labels", "loss_weight")

# Submodules of a vision layer that CLIP does not have (randomly initialised by from_clip).
NEW_LAYER_MODULES = ("message_fc", "tws", "temporal_conv", "message_ln", "message_attn")
# The files of a checkpoint directory besides config.json and model.safetensors, copied from the CLIP source.
TOKENIZER_FILES = ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json",
                   "preprocessor_config.json")


@dataclass
class STASCLIPConfig:
    """Everything needed to build a stas-clip model; mirrors config.json key for key.

    The defaults of the switches are the paper's full model (TWS in every layer, end transformer,
    covariance aux head with D' = 128, w = 0.5, 5 Newton-Schulz iterations as in iSQRT-COV).
    aux_dropout = 0.5 is our choice: the paper inserts dropout after the pooling (section 4.2) without
    giving its rate.
    """

    text_config: CLIPTextConfig
    vision_config: CLIPVisionConfig
    projection_dim: int
    logit_scale_init_value: float
    mit_hidden_size: int
    mit_intermediate_size: int
    aux_intermediate_size: int
    num_frames: int = 8
    communication_token: bool = True
    temporal_modeling: str = "tws"
    shift_fraction: float = 0.125
    tc_kernel_size: int = 3
    end_transformer: bool = True
    mit_num_hidden_layers: int = 1
    mit_num_attention_heads: int = 8
    aux_head: str = "covariance"
    aux_dim: int = 128
    aux_num_hidden_layers: int = 1
    aux_num_attention_heads: int = 8
    aux_iterations: int = 5
    aux_dropout: float = 0.5
    aux_labels: list[str] = field(default_factory=list)
    loss_weight: float = 0.5

    def __post_init__(self):
        if self.temporal_modeling not in TEMPORAL_MODELING:
            raise ValueError(f"temporal_modeling must be one of {TEMPORAL_MODELING}, got {self.temporal_modeling!r}")
        if not self.communication_token and self.temporal_modeling != "none":
            raise ValueError("temporal_modeling acts on the communication token: it must be 'none' "
                             "when communication_token is false")
        if self.aux_head not in AUX_HEADS:
            raise ValueError(f"aux_head must be one of {AUX_HEADS}, got {self.aux_head!r}")
        if self.aux_head != "none" and not self.aux_labels:
            raise ValueError("an aux head needs aux_labels (its classes)")
        if self.mit_hidden_size != self.projection_dim:
            raise ValueError(f"mit_hidden_size ({self.mit_hidden_size}) must equal projection_dim "
                             f"({self.projection_dim}): the MIT runs on projected class tokens")
        if self.tc_kernel_size % 2 != 1:
            raise ValueError(f"tc_kernel_size must be odd to keep T frames, got {self.tc_kernel_size}")
        if not 0 <= self.shift_fraction <= 0.5:
            raise ValueError(f"shift_fraction must lie in [0, 0.5], got {self.shift_fraction}")
        if self.num_frames < 1 or self.aux_dim < 1 or self.aux_iterations < 1:
            raise ValueError("num_frames, aux_dim and aux_iterations must be positive")
        if not 0 <= self.loss_weight <= 1:
            raise ValueError(f"loss_weight must lie in [0, 1], got {self.loss_weight}")

    @property
    def shift_channels(self) -> int:
        """Channels shifted each way by TS: floor(D * shift_fraction) (D = 768 → 96, D = 36 → 4)."""
        return int(self.vision_config.hidden_size * self.shift_fraction)

    @property
    def aux_pooled_dim(self) -> int:
        """F: D'(D'+1)/2 upper-triangle values for covariance pooling, D' for first-order."""
        return self.aux_dim * (self.aux_dim + 1) // 2 if self.aux_head == "covariance" else self.aux_dim

    @classmethod
    def from_clip_config(cls, clip_config, **switches) -> "STASCLIPConfig":
        """The config of a stas-clip model on top of an HF CLIPConfig; switches override the defaults.

        MIT and aux transformer widths follow X-CLIP: intermediate size 4 × width.
        """
        text = CLIPTextConfig(**{k: getattr(clip_config.text_config, k) for k in TEXT_CONFIG_KEYS})
        vision = CLIPVisionConfig(**{k: getattr(clip_config.vision_config, k) for k in VISION_CONFIG_KEYS})
        projection_dim = clip_config.projection_dim
        values = dict(text_config=text, vision_config=vision, projection_dim=projection_dim,
                      logit_scale_init_value=clip_config.logit_scale_init_value,
                      mit_hidden_size=projection_dim, mit_intermediate_size=4 * projection_dim,
                      aux_intermediate_size=4 * vision.hidden_size)
        unknown = set(switches) - set(STAS_KEYS)
        if unknown:
            raise TypeError(f"unknown stas-clip switches: {sorted(unknown)}")
        values.update(switches)
        return cls(**values)

    def to_dict(self) -> dict:
        """config.json: CLIPConfig's keys plus every stas-clip key, none left to a default."""
        text = {k: getattr(self.text_config, k) for k in TEXT_CONFIG_KEYS}
        text["model_type"] = "clip_text_model"
        vision = {k: getattr(self.vision_config, k) for k in VISION_CONFIG_KEYS}
        vision["model_type"] = "clip_vision_model"
        out = {"model_type": MODEL_TYPE, "architectures": [ARCHITECTURE], "dtype": "float32",
               "text_config": text, "vision_config": vision, "projection_dim": self.projection_dim,
               "logit_scale_init_value": self.logit_scale_init_value,
               "initializer_factor": self.vision_config.initializer_factor}
        for key in STAS_KEYS:
            value = getattr(self, key)
            out[key] = list(value) if isinstance(value, list) else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "STASCLIPConfig":
        """Inverse of to_dict; every stas-clip key must be present."""
        if data.get("model_type") != MODEL_TYPE:
            raise ValueError(f"config.json: model_type is {data.get('model_type')!r}, expected {MODEL_TYPE!r}")
        missing = [k for k in STAS_KEYS + ("text_config", "vision_config", "projection_dim", "logit_scale_init_value")
                   if k not in data]
        if missing:
            raise KeyError(f"config.json lacks {missing}")
        text = CLIPTextConfig(**{k: data["text_config"][k] for k in TEXT_CONFIG_KEYS})
        vision = CLIPVisionConfig(**{k: data["vision_config"][k] for k in VISION_CONFIG_KEYS})
        return cls(text_config=text, vision_config=vision, projection_dim=data["projection_dim"],
                   logit_scale_init_value=data["logit_scale_init_value"],
                   **{k: data[k] for k in STAS_KEYS})


def _eager(config):
    """A copy of a CLIP sub-config whose attention is transformers' eager softmax(QKᵀ·scale)V."""
    config = copy.deepcopy(config)
    config._attn_implementation = "eager"
    return config


def _encoder_config(vision_config: CLIPVisionConfig, width: int, intermediate: int, layers: int, heads: int):
    """CLIP encoder-layer config of another width, with the vision tower's activation, eps and dropout
    (as X-CLIP builds its MIT config from the vision config)."""
    return _eager(CLIPVisionConfig(hidden_size=width, intermediate_size=intermediate, num_hidden_layers=layers,
                                   num_attention_heads=heads, hidden_act=vision_config.hidden_act,
                                   layer_norm_eps=vision_config.layer_norm_eps,
                                   attention_dropout=vision_config.attention_dropout,
                                   initializer_range=vision_config.initializer_range))


# ============================================================================================
# Temporal operators on the communication tokens (eqs. 4-8)
# ============================================================================================

def temporal_shift(m: torch.Tensor, fold: int) -> torch.Tensor:
    """TS (eqs. 7-8): the first `fold` channels move forward in time (out[t] = in[t-1]), the last `fold`
    move backward (out[t] = in[t+1]), the rest stay; zeros enter at the ends. m: (B, T, D)."""
    if fold == 0:
        return m
    out = torch.zeros_like(m)                                    # (B, T, D)
    out[:, 1:, :fold] = m[:, :-1, :fold]                          # S_a(t) = S_a(t-1)
    out[:, :-1, -fold:] = m[:, 1:, -fold:]                        # S_c(t) = S_c(t+1)
    out[:, :, fold:-fold] = m[:, :, fold:-fold]                   # S_b(t) = S_b(t)
    return out


def _conv_over_time(conv: nn.Conv1d, m: torch.Tensor) -> torch.Tensor:
    """A depthwise Conv1d over the T axis of (B, T, D) tokens."""
    return conv(m.transpose(1, 2)).transpose(1, 2)               # (B, D, T) → (B, T, D)


# ============================================================================================
# Covariance pooling (iSQRT-COV, Li et al. CVPR 2018)
# ============================================================================================

def covariance(x: torch.Tensor) -> torch.Tensor:
    """Σ = (1/M)(X - mean)ᵀ(X - mean) over the M tokens of each clip. x: (B, M, D') → (B, D', D')."""
    centered = x - x.mean(dim=1, keepdim=True)                   # (B, M, D')
    return centered.transpose(1, 2) @ centered / x.shape[1]      # (B, D', D')


def isqrt_cov(sigma: torch.Tensor, iterations: int) -> torch.Tensor:
    """Σ^(1/2) by coupled Newton-Schulz: A = Σ/tr(Σ); Y0 = A, Z0 = I; T_k = ½(3I - Z Y), Y ← Y T_k,
    Z ← T_k Z; result √tr(Σ)·Y. The iteration converges for A's spectrum in (0, 1], which the trace
    normalisation guarantees. sigma: (B, D', D') → (B, D', D')."""
    trace = sigma.diagonal(dim1=-2, dim2=-1).sum(-1)[:, None, None]     # (B, 1, 1)
    a = sigma / trace                                                   # (B, D', D')
    eye = torch.eye(sigma.shape[-1], dtype=sigma.dtype, device=sigma.device).expand_as(sigma)   # (B, D', D')
    y, z = a, eye
    for _ in range(iterations):
        t = 0.5 * (3.0 * eye - z @ y)                                   # (B, D', D')
        y = y @ t
        z = t @ z
    return y * trace.sqrt()                                             # (B, D', D')


def upper_triangle(matrix: torch.Tensor) -> torch.Tensor:
    """Row-major upper triangle including the diagonal: (B, D', D') → (B, D'(D'+1)/2)."""
    rows, cols = torch.triu_indices(matrix.shape[-2], matrix.shape[-1], device=matrix.device)
    return matrix[:, rows, cols]


# ============================================================================================
# Modules
# ============================================================================================

class STASVisionEncoderLayer(nn.Module):
    """One vision layer with a communication token (eqs. 3-10): X-CLIP's XCLIPVisionEncoderLayer with
    the message attention replaced by the configured temporal modelling."""

    def __init__(self, config: STASCLIPConfig):
        super().__init__()
        vision = _eager(config.vision_config)
        width = vision.hidden_size
        self.num_frames = config.num_frames
        self.temporal_modeling = config.temporal_modeling
        self.shift_channels = config.shift_channels
        self.message_fc = nn.Linear(width, width)                          # (D, D), (D)
        if self.temporal_modeling == "tws":
            self.tws = nn.Conv1d(width, width, 1, groups=width)            # f_ω: (D, 1, 1), (D)
        elif self.temporal_modeling == "tc":
            k = config.tc_kernel_size
            self.temporal_conv = nn.Conv1d(width, width, k, padding=k // 2, groups=width)  # (D, 1, k), (D)
        elif self.temporal_modeling == "transformer":
            self.message_ln = nn.LayerNorm(width, eps=vision.layer_norm_eps)   # (D), (D)
            self.message_attn = CLIPAttention(vision)                           # q/k/v/out: (D, D), (D)
        self.self_attn = CLIPAttention(vision)                             # q/k/v/out: (D, D), (D)
        self.layer_norm1 = nn.LayerNorm(width, eps=vision.layer_norm_eps)  # (D), (D)
        self.mlp = CLIPMLP(vision)                                         # fc1 (I, D), fc2 (D, I)
        self.layer_norm2 = nn.LayerNorm(width, eps=vision.layer_norm_eps)  # (D), (D)

    def temporal(self, m: torch.Tensor) -> torch.Tensor:
        """M̂ from M over the T frames of each clip. m: (B, T, D) → (B, T, D)."""
        if self.temporal_modeling == "tws":
            return m + temporal_shift(_conv_over_time(self.tws, m), self.shift_channels)   # eqs. 4-6
        if self.temporal_modeling == "tc":
            return m + _conv_over_time(self.temporal_conv, m)
        if self.temporal_modeling == "ts":
            return m + temporal_shift(m, self.shift_channels)
        if self.temporal_modeling == "transformer":
            return m + self.message_attn(self.message_ln(m))[0]
        return m

    def forward(self, hidden_states: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """hidden_states: (B*T, N+1, D), frames of a clip consecutive. Returns the layer output
        (B*T, N+1, D) and the communication tokens m̂ (B*T, D) it used."""
        frames, length, width = hidden_states.shape
        m = self.message_fc(hidden_states[:, 0])                           # (B*T, D)   eq. 3
        m_hat = self.temporal(m.view(-1, self.num_frames, width))          # (B, T, D)  eqs. 4-8
        m_hat = m_hat.reshape(frames, 1, width)                            # (B*T, 1, D)

        x = torch.cat([hidden_states, m_hat], dim=1)                       # (B*T, N+2, D), m̂ last
        x = x + self.self_attn(self.layer_norm1(x))[0]                     # (B*T, N+2, D)  eq. 9, frames apart
        y_hat = x[:, :length]                                              # (B*T, N+1, D)  m̂ dropped
        y = y_hat + self.mlp(self.layer_norm2(y_hat))                      # (B*T, N+1, D)  eq. 10
        return y, m_hat.view(frames, width)


class STASVisionEncoder(nn.Module):
    """The L vision layers: STAS layers with a communication token, or plain CLIP layers without."""

    def __init__(self, config: STASCLIPConfig):
        super().__init__()
        vision = _eager(config.vision_config)
        self.communication_token = config.communication_token
        self.layers = nn.ModuleList([
            STASVisionEncoderLayer(config) if config.communication_token else CLIPEncoderLayer(vision)
            for _ in range(vision.num_hidden_layers)])

    def forward(self, hidden_states: torch.Tensor) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...]]:
        """hidden_states: (B*T, N+1, D). Returns the L+1 hidden states (input first) and the L
        communication tokens (B*T, D) (empty without communication token)."""
        states, messages = [hidden_states], []
        for layer in self.layers:
            if self.communication_token:
                hidden_states, m_hat = layer(hidden_states)                # (B*T, N+1, D), (B*T, D)
                messages.append(m_hat)
            else:
                hidden_states = layer(hidden_states, None)                 # (B*T, N+1, D)
            states.append(hidden_states)
        return tuple(states), tuple(messages)


class STASVisionTransformer(nn.Module):
    """CLIP's vision tower with STAS layers; names as in HF CLIPVisionModel."""

    def __init__(self, config: STASCLIPConfig):
        super().__init__()
        vision = config.vision_config
        self.embeddings = CLIPVisionEmbeddings(vision)   # class (D), patch (D, 3, p, p), position (N+1, D)
        self.pre_layrnorm = nn.LayerNorm(vision.hidden_size, eps=vision.layer_norm_eps)    # (D), (D)
        self.encoder = STASVisionEncoder(config)
        self.post_layernorm = nn.LayerNorm(vision.hidden_size, eps=vision.layer_norm_eps)  # (D), (D)


class TemporalTransformer(nn.Module):
    """X-CLIP's MultiframeIntegrationTransformer before its mean: x + Encoder(x + E_temp) over T steps."""

    def __init__(self, encoder_config: CLIPVisionConfig, num_frames: int):
        super().__init__()
        self.position_embedding = nn.Parameter(torch.zeros(1, num_frames, encoder_config.hidden_size))  # (1, T, W)
        self.encoder = CLIPEncoder(encoder_config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (S, T, W) sequences of T steps → (S, T, W)."""
        return x + self.encoder(inputs_embeds=x + self.position_embedding).last_hidden_state


@dataclass
class STASAuxOutput:
    """Intermediates of the aux head (eqs. 18-20)."""
    tokens: torch.Tensor                  # (B, T·N, D') reduced tokens, frame-major (index t·N + n)
    covariance: torch.Tensor | None       # (B, D', D') Σ; None for first-order pooling
    pooled: torch.Tensor                  # (B, F) ẑ
    logits: torch.Tensor                  # (B, K) FC_pooled(ẑ) + FC_video(v)
    probs: torch.Tensor                   # (B, K) softmax of logits


class STASAuxHead(nn.Module):
    """Spatio-temporal auxiliary supervision (section 3.4): temporal transformer on each patch position's
    visual tokens, 1×1 reduction D → D', covariance (or first-order) pooling, fused with v by two FCs."""

    def __init__(self, config: STASCLIPConfig):
        super().__init__()
        width = config.vision_config.hidden_size
        self.kind = config.aux_head
        self.iterations = config.aux_iterations
        self.temporal = TemporalTransformer(
            _encoder_config(config.vision_config, width, config.aux_intermediate_size,
                            config.aux_num_hidden_layers, config.aux_num_attention_heads),
            config.num_frames)
        self.reduce = nn.Linear(width, config.aux_dim)                              # (D', D), (D')
        self.dropout = nn.Dropout(config.aux_dropout)
        self.fc_pooled = nn.Linear(config.aux_pooled_dim, len(config.aux_labels))   # (K, F), (K)
        self.fc_video = nn.Linear(config.projection_dim, len(config.aux_labels))    # (K, P), (K)

    def forward(self, visual_tokens: torch.Tensor, video_embeds: torch.Tensor) -> STASAuxOutput:
        """visual_tokens: (B, T, N, D) last-layer tokens before post_layernorm; video_embeds: (B, P) v."""
        clips, frames, patches, width = visual_tokens.shape
        h = visual_tokens.permute(0, 2, 1, 3).reshape(clips * patches, frames, width)  # (B*N, T, D)
        h = self.temporal(h)                                                          # (B*N, T, D)  H̃
        h = h.view(clips, patches, frames, width).transpose(1, 2)                     # (B, T, N, D)
        x = self.reduce(h.reshape(clips, frames * patches, width))                    # (B, M, D')  1×1 conv
        if self.kind == "covariance":
            # In fp32 even under bf16 autocast: with bf16 products the five Newton-Schulz steps leave a
            # 0.7 % relative error in Σ^(1/2) (random (8, 288, 32) tokens).
            with torch.autocast(x.device.type, enabled=False):
                sigma = covariance(x.float())                                         # (B, D', D')  eq. 19
                pooled = upper_triangle(isqrt_cov(sigma, self.iterations))            # (B, F)
        else:
            sigma = None
            pooled = x.mean(dim=1)                                                    # (B, D')
        logits = self.fc_pooled(self.dropout(pooled)) + self.fc_video(video_embeds)   # (B, K)  eq. 20
        return STASAuxOutput(tokens=x, covariance=sigma, pooled=pooled, logits=logits, probs=logits.softmax(-1))


# ============================================================================================
# Model (forward)
# ============================================================================================

@dataclass
class STASVideoOutput:
    """Intermediates of the video encoder."""
    hidden_states: tuple[torch.Tensor, ...]   # L+1 × (B*T, N+1, D); [0] after pre_layrnorm
    communication: tuple[torch.Tensor, ...]   # L × (B*T, D) m̂ of layer i (after temporal modelling)
    frame_embeds: torch.Tensor                # (B, T, P) Z: projected post-layernormed class tokens
    mit_output: torch.Tensor | None           # (B, T, P) h_δ(Z + E_temp) + Z, None without end transformer
    video_embeds: torch.Tensor                # (B, P) v


@dataclass
class STASCLIPOutput:
    """Contrastive logits, embeddings and aux head outputs of one forward."""
    logits_per_video: torch.Tensor            # (B, C) cos(v, c) · exp(logit_scale)
    logits_per_text: torch.Tensor             # (C, B)
    video_embeds: torch.Tensor                # (B, P) unnormalised
    text_embeds: torch.Tensor                 # (C, P) unnormalised
    video: STASVideoOutput
    aux: STASAuxOutput | None

    @property
    def aux_logits(self) -> torch.Tensor | None:
        return None if self.aux is None else self.aux.logits

    @property
    def aux_probs(self) -> torch.Tensor | None:
        return None if self.aux is None else self.aux.probs


def is_new_parameter(name: str) -> bool:
    """True for the parameters CLIP does not have (communication token, temporal modelling, MIT, aux head)."""
    return name.startswith(("mit.", "aux_head.")) or any(f".{m}." in name for m in NEW_LAYER_MODULES)


class STASCLIPModel(nn.Module):
    """stas-clip: CLIP text tower, CLIP vision tower with communication tokens, optional end transformer
    (X-CLIP's MIT) and optional auxiliary head."""

    def __init__(self, config: STASCLIPConfig):
        super().__init__()
        self.config = config
        vision, text = config.vision_config, config.text_config
        self.text_model = CLIPTextModel._from_config(copy.deepcopy(text), attn_implementation="eager")
        self.vision_model = STASVisionTransformer(config)
        self.visual_projection = nn.Linear(vision.hidden_size, config.projection_dim, bias=False)  # (P, D)
        self.text_projection = nn.Linear(text.hidden_size, config.projection_dim, bias=False)     # (P, Dt)
        self.logit_scale = nn.Parameter(torch.tensor(float(config.logit_scale_init_value)))      # ()
        if config.end_transformer:
            self.mit = TemporalTransformer(
                _encoder_config(vision, config.mit_hidden_size, config.mit_intermediate_size,
                                config.mit_num_hidden_layers, config.mit_num_attention_heads),
                config.num_frames)
        if config.aux_head != "none":
            self.aux_head = STASAuxHead(config)
        self.source_dir: str | None = None
        self._init_new_parameters()

    def _init_new_parameters(self):
        """Random init of the parameters CLIP lacks: N(0, initializer_range) weights, zero biases,
        identity layer norms (section 4.2: these modules start random)."""
        std = self.config.vision_config.initializer_range
        for name, module in self.named_modules():
            owned = [p for n, p in module.named_parameters(recurse=False) if is_new_parameter(f"{name}.{n}")]
            if not owned:
                continue
            if isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, (nn.Linear, nn.Conv1d)):
                nn.init.normal_(module.weight, std=std)
                nn.init.zeros_(module.bias)
            elif isinstance(module, TemporalTransformer):
                nn.init.normal_(module.position_embedding, std=std)
            else:
                raise TypeError(f"no initialisation rule for {name} ({type(module).__name__})")

    # ---------------------------------------------------------------------------- video

    def encode_video(self, pixel_values: torch.Tensor) -> STASVideoOutput:
        """pixel_values: (B, T, 3, H, W) normalised frames → every intermediate of the video encoder."""
        clips, frames = pixel_values.shape[:2]
        if frames != self.config.num_frames:
            raise ValueError(f"expected {self.config.num_frames} frames per clip, got {frames}")
        vision = self.vision_model
        x = vision.embeddings(pixel_values.flatten(0, 1))                  # (B*T, N+1, D)  eq. 2
        x = vision.pre_layrnorm(x)                                         # (B*T, N+1, D)
        states, messages = vision.encoder(x)                               # L+1 × (B*T, N+1, D), L × (B*T, D)
        z = vision.post_layernorm(states[-1][:, 0])                        # (B*T, D)   eq. 11
        z = self.visual_projection(z).view(clips, frames, -1)              # (B, T, P)  Z
        if self.config.end_transformer:
            mit = self.mit(z)                                              # (B, T, P)
            video = mit.mean(dim=1)                                        # (B, P)     eq. 12
        else:
            mit = None
            video = z.mean(dim=1)                                          # (B, P)
        return STASVideoOutput(hidden_states=states, communication=messages, frame_embeds=z,
                               mit_output=mit, video_embeds=video)

    def get_video_features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """v: (B, T, 3, H, W) → (B, P), unnormalised."""
        return self.encode_video(pixel_values).video_embeds

    # ---------------------------------------------------------------------------- text

    def get_text_features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """c: CLIP text embeddings, (C, L) ids → (C, P), unnormalised (= CLIPModel.get_text_features)."""
        pooled = self.text_model(input_ids=input_ids, attention_mask=attention_mask).pooler_output  # (C, Dt)
        return self.text_projection(pooled)                                                        # (C, P)

    # ---------------------------------------------------------------------------- both

    def forward(self, pixel_values: torch.Tensor, input_ids: torch.Tensor,
                attention_mask: torch.Tensor | None = None) -> STASCLIPOutput:
        """Video-text logits (eqs. 15-16 before the softmax) and, with an aux head, its class
        probabilities (eq. 20). pixel_values (B, T, 3, H, W), input_ids (C, L)."""
        video = self.encode_video(pixel_values)
        v = video.video_embeds                                             # (B, P)
        c = self.get_text_features(input_ids, attention_mask)              # (C, P)
        v_unit = v / v.norm(p=2, dim=-1, keepdim=True)                     # (B, P)
        c_unit = c / c.norm(p=2, dim=-1, keepdim=True)                     # (C, P)
        logits_per_video = v_unit @ c_unit.t() * self.logit_scale.exp()    # (B, C)
        aux = None
        if self.config.aux_head != "none":
            last = video.hidden_states[-1][:, 1:]                          # (B*T, N, D)  before post_layernorm
            h = last.reshape(v.shape[0], self.config.num_frames, last.shape[1], last.shape[2])  # (B, T, N, D)
            aux = self.aux_head(h, v)
        return STASCLIPOutput(logits_per_video=logits_per_video, logits_per_text=logits_per_video.t(),
                              video_embeds=v, text_embeds=c, video=video, aux=aux)

    # ============================================================================================
    # Checkpoint I/O
    # ============================================================================================

    @classmethod
    def from_clip(cls, clip_dir: str, **switches) -> "STASCLIPModel":
        """A stas-clip model whose CLIP parameters come from an HF CLIP checkpoint directory and whose
        new parameters are random; `switches` are STASCLIPConfig fields (num_frames, temporal_modeling,
        aux_labels, ...). Raises when the checkpoint's names do not cover exactly the CLIP part."""
        clip = CLIPModel.from_pretrained(clip_dir, local_files_only=True, dtype=torch.float32)
        model = cls(STASCLIPConfig.from_clip_config(clip.config, **switches))
        result = model.load_state_dict(clip.state_dict(), strict=False)
        expected_missing = sorted(n for n in model.state_dict() if is_new_parameter(n))
        if result.unexpected_keys or sorted(result.missing_keys) != expected_missing:
            clip_missing = sorted(set(result.missing_keys) - set(expected_missing))
            raise ValueError(f"{clip_dir}: CLIP tensors not used: {result.unexpected_keys}; "
                             f"CLIP tensors absent: {clip_missing}")
        model.source_dir = clip_dir
        return model.eval()

    def save_pretrained(self, directory: str, tokenizer_dir: str | None = None) -> None:
        """Writes config.json, model.safetensors (float32) and the tokenizer/preprocessor files copied
        from `tokenizer_dir` (default: the directory this model was loaded from)."""
        source = tokenizer_dir or self.source_dir
        if source is None:
            raise ValueError("save_pretrained needs tokenizer_dir: this model was not loaded from a directory")
        absent = [f for f in TOKENIZER_FILES if not os.path.isfile(os.path.join(source, f))]
        if absent:
            raise FileNotFoundError(f"{source} lacks {absent}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "config.json"), "w", encoding="utf-8") as f:
            json.dump(self.config.to_dict(), f, indent=2, ensure_ascii=False)
            f.write("\n")
        tensors = {name: t.detach().to(torch.float32).contiguous().clone() for name, t in self.state_dict().items()}
        save_file(tensors, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
        if os.path.abspath(source) != os.path.abspath(directory):
            for name in TOKENIZER_FILES:
                shutil.copyfile(os.path.join(source, name), os.path.join(directory, name))

    @classmethod
    def from_pretrained(cls, directory: str) -> "STASCLIPModel":
        """Loads a directory written by save_pretrained; every tensor must be present and no other."""
        with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
            config = STASCLIPConfig.from_dict(json.load(f))
        model = cls(config)
        model.load_state_dict(load_file(os.path.join(directory, "model.safetensors")), strict=True)
        model.source_dir = directory
        return model.eval()

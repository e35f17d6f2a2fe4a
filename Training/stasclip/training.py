"""Training helpers for stas-clip: the loss of eq. 22 and the learning-rate groups of section 4.2."""
from __future__ import annotations

import torch
from torch import nn

from .modeling_stas_clip import STASCLIPModel, STASCLIPOutput, is_new_parameter

# Section 4.2: TWS parameters learn 1000× faster, the other new parameters 100×, CLIP's at the base rate.
TWS_LR_MULTIPLIER = 1000.0
NEW_LR_MULTIPLIER = 100.0


def contrastive_loss(logits_per_video: torch.Tensor, video_labels: torch.Tensor,
                     text_labels: torch.Tensor) -> torch.Tensor:
    """L_m: symmetric cross-entropy between the video→text and text→video softmaxes of the logits and
    targets spread uniformly over every same-class pair.

    logits_per_video: (B, C) scaled cosine similarities; video_labels: (B,) class of each video;
    text_labels: (C,) class of each text. Every video needs a text of its class; texts whose class has
    no video in the batch take no part in the text→video term.
    """
    positives = (video_labels[:, None] == text_labels[None, :]).to(logits_per_video.dtype)   # (B, C)
    per_video = positives.sum(dim=1)                                                           # (B,)
    if bool((per_video == 0).any()):
        raise ValueError("every video needs at least one text of its class")
    v2t = -(positives / per_video[:, None] * logits_per_video.log_softmax(dim=1)).sum(dim=1).mean()
    per_text = positives.sum(dim=0)                                                            # (C,)
    present = per_text > 0
    t2v_targets = positives.t()[present] / per_text[present, None]                             # (C', B)
    t2v = -(t2v_targets * logits_per_video.t()[present].log_softmax(dim=1)).sum(dim=1).mean()
    return (v2t + t2v) / 2


def stas_loss(output: STASCLIPOutput, video_labels: torch.Tensor, text_labels: torch.Tensor,
              loss_weight: float) -> torch.Tensor:
    """Eq. 22: w·L_m + (1 - w)·L_s, with L_s the cross-entropy of the aux head's softmax (eq. 21)
    against video_labels (indices into aux_labels). Without an aux head the loss is L_m alone."""
    l_m = contrastive_loss(output.logits_per_video, video_labels, text_labels)
    if output.aux is None:
        return l_m
    l_s = nn.functional.cross_entropy(output.aux.logits, video_labels)
    return loss_weight * l_m + (1 - loss_weight) * l_s


def parameter_groups(model: STASCLIPModel, lr: float, weight_decay: float = 0.0) -> list[dict]:
    """AdamW parameter groups with the paper's multipliers: 'tws' (lr × 1000), 'new' (every other
    parameter CLIP lacks: communication token, TC/transformer temporal modelling, MIT, aux head; lr × 100)
    and 'clip' (lr). Empty groups are left out; each group carries its name under "name"."""
    groups = {"tws": [], "new": [], "clip": []}
    for name, parameter in model.named_parameters():
        if ".tws." in name:
            groups["tws"].append(parameter)
        elif is_new_parameter(name):
            groups["new"].append(parameter)
        else:
            groups["clip"].append(parameter)
    rates = {"tws": lr * TWS_LR_MULTIPLIER, "new": lr * NEW_LR_MULTIPLIER, "clip": lr}
    return [{"name": k, "params": v, "lr": rates[k], "weight_decay": weight_decay} for k, v in groups.items() if v]

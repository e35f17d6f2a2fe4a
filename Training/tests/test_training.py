"""The loss of eq. 22 and the learning-rate groups of section 4.2."""
import math

import pytest
import torch
from transformers.models.clip.modeling_clip import image_text_contrastive_loss

from conftest import SMALL
from stasclip import STASCLIPModel, contrastive_loss, parameter_groups, stas_loss


def test_contrastive_loss_with_distinct_classes_is_clips_loss():
    logits = torch.randn(5, 5, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(5)
    # transformers' CLIP loss takes text-by-image logits; with one text per video the matrix is square.
    torch.testing.assert_close(contrastive_loss(logits, labels, labels), image_text_contrastive_loss(logits.t()))


def test_contrastive_loss_spreads_targets_over_same_class_pairs():
    # Videos of classes [0, 0, 1] against the texts of classes [0, 1, 2]; text 2 has no video.
    logits = torch.tensor([[2.0, 0.5, -1.0], [1.0, 1.5, 0.0], [0.0, 3.0, 1.0]])
    video_labels, text_labels = torch.tensor([0, 0, 1]), torch.tensor([0, 1, 2])

    def log_softmax(row):
        log_total = math.log(sum(math.exp(x) for x in row))
        return [x - log_total for x in row]

    rows = logits.tolist()
    v2t = -(log_softmax(rows[0])[0] + log_softmax(rows[1])[0] + log_softmax(rows[2])[1]) / 3
    columns = logits.t().tolist()
    # Text 0 has two positive videos (targets ½, ½); text 1 has one; text 2 none, so it is left out.
    t2v = -((0.5 * log_softmax(columns[0])[0] + 0.5 * log_softmax(columns[0])[1]) + log_softmax(columns[1])[2]) / 2
    got = contrastive_loss(logits, video_labels, text_labels)
    assert got.item() == pytest.approx((v2t + t2v) / 2, rel=1e-6)


def test_contrastive_loss_needs_a_text_for_every_video():
    with pytest.raises(ValueError, match="every video"):
        contrastive_loss(torch.zeros(2, 2), torch.tensor([0, 3]), torch.tensor([0, 1]))


def test_stas_loss_weights_the_contrastive_and_aux_terms(clip_dir, pixels, text_ids):
    torch.manual_seed(0)
    model = STASCLIPModel.from_clip(clip_dir, **SMALL)
    ids, mask = text_ids
    out = model(pixels, ids[:3], mask[:3])
    video_labels, text_labels = torch.tensor([2, 0]), torch.arange(3)
    l_m = contrastive_loss(out.logits_per_video, video_labels, text_labels)
    l_s = -out.aux.probs[torch.arange(2), video_labels].log().mean()
    for w in (0.5, 0.2):
        torch.testing.assert_close(stas_loss(out, video_labels, text_labels, w), w * l_m + (1 - w) * l_s)
    loss = stas_loss(out, video_labels, text_labels, model.config.loss_weight)
    loss.backward()
    assert model.aux_head.fc_pooled.weight.grad.abs().sum() > 0
    assert model.vision_model.encoder.layers[0].tws.weight.grad.abs().sum() > 0

    plain = STASCLIPModel.from_clip(clip_dir, **{**SMALL, "aux_head": "none"})
    out = plain(pixels, ids[:3], mask[:3])
    torch.testing.assert_close(stas_loss(out, video_labels, text_labels, 0.5),
                               contrastive_loss(out.logits_per_video, video_labels, text_labels))


def test_parameter_groups_follow_the_paper_multipliers(clip_dir):
    model = STASCLIPModel.from_clip(clip_dir, **SMALL)
    groups = {g["name"]: g for g in parameter_groups(model, lr=8e-6, weight_decay=5e-4)}
    assert groups["tws"]["lr"] == pytest.approx(8e-3)
    assert groups["new"]["lr"] == pytest.approx(8e-4)
    assert groups["clip"]["lr"] == pytest.approx(8e-6)
    assert all(g["weight_decay"] == 5e-4 for g in groups.values())
    names = {id(p): n for n, p in model.named_parameters()}
    members = {k: sorted(names[id(p)] for p in g["params"]) for k, g in groups.items()}
    assert sum(len(v) for v in members.values()) == len(names)
    assert members["tws"] == sorted(n for n in names.values() if ".tws." in n) and len(members["tws"]) == 4
    assert "vision_model.encoder.layers.1.message_fc.weight" in members["new"]
    assert "mit.position_embedding" in members["new"] and "aux_head.fc_video.bias" in members["new"]
    assert "logit_scale" in members["clip"]
    assert "vision_model.encoder.layers.1.self_attn.q_proj.weight" in members["clip"]
    assert not any(n.startswith(("mit.", "aux_head.")) or "message_fc" in n for n in members["clip"])


def test_convert_writes_a_loadable_checkpoint(clip_dir, tmp_path, pixels):
    from stasclip.convert import main

    labels = tmp_path / "labels.txt"
    labels.write_text("playing guitar\nriding a bike\n\ndancing tango\n")
    out = tmp_path / "stas"
    main([clip_dir, str(out), "--labels", str(labels), "--frames", "3", "--aux-dim", "8", "--mit-heads", "2",
          "--aux-heads", "3", "--seed", "5"])
    model = STASCLIPModel.from_pretrained(str(out))
    assert model.config.aux_labels == ["playing guitar", "riding a bike", "dancing tango"]
    assert model.config.temporal_modeling == "tws" and model.config.aux_dim == 8
    assert model.get_video_features(pixels).shape == (2, 20)

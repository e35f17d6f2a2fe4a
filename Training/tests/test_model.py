"""stas-clip against transformers' CLIP and X-CLIP, the equations of the paper, and the checkpoint contract."""
import json
import os

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import CLIPModel, XCLIPConfig, XCLIPModel

from conftest import FRAMES, IMAGE, PROJECTION, SMALL, TEXT, VISION, clip_config, perturb
from stasclip import STASCLIPConfig, STASCLIPModel

VARIANTS = [
    dict(temporal_modeling=t, end_transformer=e, aux_head=a)
    for t in ("none", "tc", "ts", "transformer", "tws")
    for e in (True, False)
    for a in ("none", "first_order", "covariance")
] + [dict(communication_token=False, temporal_modeling="none", end_transformer=e, aux_head=a)
     for e in (True, False) for a in ("none", "covariance")]


def f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().double().numpy()


def build(clip_dir, seed=3, **switches) -> STASCLIPModel:
    torch.manual_seed(seed)
    model = STASCLIPModel.from_clip(clip_dir, **{**SMALL, **switches})
    perturb(model, seed)
    return model.eval()


@pytest.mark.parametrize("switches", VARIANTS, ids=lambda s: "-".join(str(v) for v in s.values()))
def test_forward_shapes(clip_dir, pixels, text_ids, switches):
    model = build(clip_dir, **switches)
    ids, mask = text_ids
    with torch.no_grad():
        out = model(pixels, ids, mask)
    batch, layers, width, patches = 2, VISION["num_hidden_layers"], VISION["hidden_size"], (IMAGE // 16) ** 2
    assert out.logits_per_video.shape == (batch, 4)
    assert out.video_embeds.shape == (batch, PROJECTION) and out.text_embeds.shape == (4, PROJECTION)
    assert model.get_video_features(pixels).shape == (batch, PROJECTION)
    assert len(out.video.hidden_states) == layers + 1
    assert all(h.shape == (batch * FRAMES, patches + 1, width) for h in out.video.hidden_states)
    assert out.video.frame_embeds.shape == (batch, FRAMES, PROJECTION)
    communication = switches.get("communication_token", True)
    assert len(out.video.communication) == (layers if communication else 0)
    assert all(m.shape == (batch * FRAMES, width) for m in out.video.communication)
    assert (out.video.mit_output is not None) == switches["end_transformer"]
    if switches["aux_head"] == "none":
        assert out.aux is None
        return
    width = SMALL["aux_dim"]
    features = width * (width + 1) // 2 if switches["aux_head"] == "covariance" else width
    assert out.aux.tokens.shape == (batch, FRAMES * patches, SMALL["aux_dim"])
    assert out.aux.pooled.shape == (batch, features)
    assert out.aux.probs.shape == (batch, 3)
    torch.testing.assert_close(out.aux.probs.sum(-1), torch.ones(batch))


def test_frame_average_baseline_is_the_mean_of_clip_image_features(clip_dir, pixels, text_ids):
    model = STASCLIPModel.from_clip(clip_dir, num_frames=FRAMES, communication_token=False, temporal_modeling="none",
                                    end_transformer=False, aux_head="none")
    clip = CLIPModel.from_pretrained(clip_dir, dtype=torch.float32).eval()
    ids, mask = text_ids
    with torch.no_grad():
        video = model.get_video_features(pixels)
        frames = clip.get_image_features(pixel_values=pixels.flatten(0, 1)).pooler_output   # (B*T, P)
        text = model.get_text_features(ids, mask)
        clip_text = clip.get_text_features(input_ids=ids, attention_mask=mask).pooler_output
        logits = model(pixels, ids, mask).logits_per_video
    torch.testing.assert_close(video, frames.view(2, FRAMES, -1).mean(1), rtol=0, atol=1e-5)
    torch.testing.assert_close(text, clip_text, rtol=0, atol=1e-5)
    cos = torch.nn.functional.cosine_similarity(video[:, None], clip_text[None], dim=-1)
    torch.testing.assert_close(logits, cos * clip.logit_scale.exp(), rtol=0, atol=1e-4)


def test_transformer_variant_is_xclip(pixels, text_ids):
    """temporal_modeling="transformer" + end transformer, on X-CLIP's weights, is X-CLIP's video encoder."""
    mit = dict(mit_hidden_size=PROJECTION, mit_intermediate_size=40, mit_num_hidden_layers=1, mit_num_attention_heads=2)
    xclip_config = XCLIPConfig(text_config=TEXT, vision_config=dict(VISION, num_frames=FRAMES, **mit),
                               projection_dim=PROJECTION, prompt_layers=1, prompt_num_attention_heads=2)
    torch.manual_seed(4)
    xclip = XCLIPModel(xclip_config).eval()
    perturb(xclip, 4)
    config = STASCLIPConfig.from_clip_config(clip_config(), num_frames=FRAMES, temporal_modeling="transformer",
                                             end_transformer=True, aux_head="none", **mit)
    model = STASCLIPModel(config).eval()
    state = {k.replace("vision_model.pre_layernorm.", "vision_model.pre_layrnorm."): v
             for k, v in xclip.state_dict().items() if not k.startswith("prompts_")}
    model.load_state_dict(state, strict=True)
    ids, mask = text_ids
    with torch.no_grad():
        ours = model.encode_video(pixels)
        theirs = xclip.get_video_features(pixel_values=pixels, output_hidden_states=True)
        ours_text = model.get_text_features(ids, mask)
        theirs_text = xclip.get_text_features(input_ids=ids, attention_mask=mask).pooler_output
    for a, b in zip(ours.hidden_states, theirs.hidden_states, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)
    torch.testing.assert_close(ours.video_embeds, theirs.pooler_output, rtol=0, atol=1e-5)
    torch.testing.assert_close(ours_text, theirs_text, rtol=0, atol=1e-5)


def shift_by_hand(m: np.ndarray, fold: int) -> np.ndarray:
    """TS written out per frame and channel: m (T, D)."""
    frames, width = m.shape
    out = np.zeros_like(m)
    for t in range(frames):
        for c in range(width):
            if c < fold:
                out[t, c] = m[t - 1, c] if t > 0 else 0.0
            elif c >= width - fold:
                out[t, c] = m[t + 1, c] if t + 1 < frames else 0.0
            else:
                out[t, c] = m[t, c]
    return out


@pytest.mark.parametrize("temporal", ["none", "tc", "ts", "tws"])
def test_communication_tokens_follow_the_equations(clip_dir, pixels, temporal):
    model = build(clip_dir, temporal_modeling=temporal, aux_head="none")
    with torch.no_grad():
        out = model.encode_video(pixels)
    fold = VISION["hidden_size"] // 8
    for i, layer in enumerate(model.vision_model.encoder.layers):
        cls = f64(out.hidden_states[i][:, 0])                                              # (B*T, D)
        m = cls @ f64(layer.message_fc.weight).T + f64(layer.message_fc.bias)
        for clip in range(2):
            mc = m[clip * FRAMES:(clip + 1) * FRAMES]                                       # (T, D)
            if temporal == "tws":
                weighted = mc * f64(layer.tws.weight)[:, 0, 0] + f64(layer.tws.bias)
                expected = mc + shift_by_hand(weighted, fold)
            elif temporal == "ts":
                expected = mc + shift_by_hand(mc, fold)
            elif temporal == "tc":
                w = f64(layer.temporal_conv.weight)[:, 0, :]                                # (D, 3)
                padded = np.concatenate([np.zeros((1, mc.shape[1])), mc, np.zeros((1, mc.shape[1]))])
                conv = sum(padded[k:k + FRAMES] * w[:, k] for k in range(3)) + f64(layer.temporal_conv.bias)
                expected = mc + conv
            else:
                expected = mc
            got = f64(out.communication[i][clip * FRAMES:(clip + 1) * FRAMES])
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_layer_output_does_not_depend_on_the_other_clips(clip_dir, pixels):
    """Temporal modelling mixes the frames of one clip only; batching must not leak across clips."""
    model = build(clip_dir, temporal_modeling="tws")
    with torch.no_grad():
        both = model.get_video_features(pixels)
        first = model.get_video_features(pixels[:1])
    torch.testing.assert_close(both[:1], first, rtol=0, atol=1e-5)


@pytest.mark.parametrize("kind", ["first_order", "covariance"])
def test_aux_head_by_hand(clip_dir, pixels, text_ids, kind):
    model = build(clip_dir, aux_head=kind, aux_iterations=5)
    ids, mask = text_ids
    with torch.no_grad():
        out = model(pixels, ids, mask)
    head = model.aux_head
    x = f64(out.aux.tokens)                                                                # (B, M, D')
    pooled = []
    for clip in x:
        if kind == "first_order":
            pooled.append(clip.mean(0))
            continue
        centered = clip - clip.mean(0)
        sigma = centered.T @ centered / len(clip)
        trace = np.trace(sigma)
        y, z, eye = sigma / trace, np.eye(len(sigma)), np.eye(len(sigma))
        for _ in range(5):
            t = 0.5 * (3 * eye - z @ y)
            y, z = y @ t, t @ z
        root = y * np.sqrt(trace)
        pooled.append(root[np.triu_indices(len(root))])
    pooled = np.stack(pooled)
    np.testing.assert_allclose(f64(out.aux.pooled), pooled, rtol=0, atol=1e-5)
    logits = (pooled @ f64(head.fc_pooled.weight).T + f64(head.fc_pooled.bias)
              + f64(out.video_embeds) @ f64(head.fc_video.weight).T + f64(head.fc_video.bias))
    probs = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(f64(out.aux.probs), probs / probs.sum(1, keepdims=True), rtol=0, atol=1e-5)
    # The reduced tokens: frame-major, 1×1 conv of the temporal transformer output of the last visual tokens.
    last = out.video.hidden_states[-1][:, 1:].reshape(2, FRAMES, -1, VISION["hidden_size"])
    with torch.no_grad():
        per_position = head.temporal(last.transpose(1, 2).flatten(0, 1))                  # (B*N, T, D)
        tokens = head.reduce(per_position.view(2, -1, FRAMES, VISION["hidden_size"]).transpose(1, 2).flatten(1, 2))
    torch.testing.assert_close(out.aux.tokens, tokens, rtol=0, atol=1e-6)


def test_aux_head_dropout_is_active_only_in_training(clip_dir, pixels, text_ids):
    model = build(clip_dir, aux_head="covariance", aux_dropout=0.5)
    ids, mask = text_ids
    with torch.no_grad():
        evaluated = [model(pixels, ids, mask).aux.probs for _ in range(2)]
        model.train()
        torch.manual_seed(0)
        trained = model(pixels, ids, mask).aux.probs
    assert torch.equal(evaluated[0], evaluated[1])
    assert not torch.allclose(trained, evaluated[0])


CLIP_LAYER = ["layer_norm1.bias", "layer_norm1.weight", "layer_norm2.bias", "layer_norm2.weight", "mlp.fc1.bias",
              "mlp.fc1.weight", "mlp.fc2.bias", "mlp.fc2.weight"] + [
    f"self_attn.{p}_proj.{w}" for p in ("q", "k", "v", "out") for w in ("weight", "bias")]


def expected_new_tensors(temporal, communication, end, aux, width=36, projection=PROJECTION, frames=FRAMES):
    """The contract's names and shapes for everything CLIP does not have."""
    out = {}
    for i in range(VISION["num_hidden_layers"]):
        layer = f"vision_model.encoder.layers.{i}."
        if communication:
            out[layer + "message_fc.weight"] = (width, width)
            out[layer + "message_fc.bias"] = (width,)
        if temporal == "tws":
            out.update({layer + "tws.weight": (width, 1, 1), layer + "tws.bias": (width,)})
        elif temporal == "tc":
            out.update({layer + "temporal_conv.weight": (width, 1, 3), layer + "temporal_conv.bias": (width,)})
        elif temporal == "transformer":
            out.update({layer + "message_ln.weight": (width,), layer + "message_ln.bias": (width,)})
            for p in ("q", "k", "v", "out"):
                out.update({layer + f"message_attn.{p}_proj.weight": (width, width),
                            layer + f"message_attn.{p}_proj.bias": (width,)})
    if end:
        out["mit.position_embedding"] = (1, frames, projection)
        out.update({f"mit.encoder.layers.0.{k}": None for k in CLIP_LAYER})
    if aux != "none":
        features = 55 if aux == "covariance" else 10
        out["aux_head.temporal.position_embedding"] = (1, frames, width)
        out.update({f"aux_head.temporal.encoder.layers.0.{k}": None for k in CLIP_LAYER})
        out.update({"aux_head.reduce.weight": (10, width), "aux_head.reduce.bias": (10,),
                    "aux_head.fc_pooled.weight": (3, features), "aux_head.fc_pooled.bias": (3,),
                    "aux_head.fc_video.weight": (3, projection), "aux_head.fc_video.bias": (3,)})
    return out


@pytest.mark.parametrize("switches", VARIANTS, ids=lambda s: "-".join(str(v) for v in s.values()))
def test_tensor_names_are_clip_names_plus_the_contract(clip_dir, switches):
    model = build(clip_dir, **switches)
    clip_names = set(CLIPModel(clip_config()).state_dict())
    state = model.state_dict()
    expected = expected_new_tensors(switches["temporal_modeling"], switches.get("communication_token", True),
                                    switches["end_transformer"], switches["aux_head"])
    assert set(state) == clip_names | set(expected)
    assert not any("position_ids" in k for k in state)
    for name, shape in expected.items():
        if shape is not None:
            assert tuple(state[name].shape) == shape, name


def test_save_load_round_trip_is_bit_exact(clip_dir, pixels, text_ids, tmp_path):
    model = build(clip_dir, temporal_modeling="tws", aux_head="covariance")
    model.save_pretrained(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == sorted(["config.json", "model.safetensors", "vocab.json", "merges.txt",
                                                   "tokenizer_config.json", "special_tokens_map.json",
                                                   "preprocessor_config.json"])
    loaded = STASCLIPModel.from_pretrained(str(tmp_path))
    assert loaded.config.to_dict() == model.config.to_dict()
    original, restored = model.state_dict(), loaded.state_dict()
    assert original.keys() == restored.keys()
    for name in original:
        assert restored[name].dtype == torch.float32
        assert torch.equal(original[name], restored[name]), name
    ids, mask = text_ids
    with torch.no_grad():
        a, b = model(pixels, ids, mask), loaded(pixels, ids, mask)
    assert torch.equal(a.logits_per_video, b.logits_per_video) and torch.equal(a.aux.probs, b.aux.probs)
    # Saving the loaded model again gives the same bytes.
    again = tmp_path / "again"
    loaded.save_pretrained(str(again))
    for name in os.listdir(tmp_path):
        if name != "again":
            assert (tmp_path / name).read_bytes() == (again / name).read_bytes(), name


def test_config_json_writes_every_key(clip_dir, tmp_path):
    model = build(clip_dir, temporal_modeling="ts", end_transformer=False, aux_head="none", aux_labels=[])
    model.save_pretrained(str(tmp_path))
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model_type"] == "stas-clip" and config["architectures"] == ["STASCLIPModel"]
    expected = {"num_frames": FRAMES, "communication_token": True, "temporal_modeling": "ts", "shift_fraction": 0.125,
                "tc_kernel_size": 3, "end_transformer": False, "mit_hidden_size": PROJECTION,
                "mit_intermediate_size": 40, "mit_num_hidden_layers": 1, "mit_num_attention_heads": 2,
                "aux_head": "none", "aux_dim": 10, "aux_intermediate_size": 44, "aux_num_hidden_layers": 1,
                "aux_num_attention_heads": 3, "aux_iterations": 5, "aux_dropout": 0.5, "aux_labels": [],
                "loss_weight": 0.5}
    assert {k: config[k] for k in expected} == expected
    assert config["projection_dim"] == PROJECTION and "logit_scale_init_value" in config
    for key, value in VISION.items():
        assert config["vision_config"][key] == value
    for key, value in TEXT.items():
        assert config["text_config"][key] == value


def test_from_pretrained_rejects_a_missing_or_foreign_tensor(clip_dir, tmp_path):
    model = build(clip_dir)
    model.save_pretrained(str(tmp_path))
    path = str(tmp_path / "model.safetensors")
    state = load_file(path)
    save_file({k: v for k, v in state.items() if k != "vision_model.encoder.layers.1.tws.bias"}, path)
    with pytest.raises(RuntimeError, match="layers.1.tws.bias"):
        STASCLIPModel.from_pretrained(str(tmp_path))
    save_file({**state, "vision_model.encoder.layers.0.temporal_conv.bias": torch.zeros(36)}, path)
    with pytest.raises(RuntimeError, match="temporal_conv"):
        STASCLIPModel.from_pretrained(str(tmp_path))


def test_from_clip_initialises_only_the_new_parameters_randomly(clip_dir):
    clip = CLIPModel.from_pretrained(clip_dir, dtype=torch.float32).state_dict()
    a = STASCLIPModel.from_clip(clip_dir, **SMALL).state_dict()
    torch.manual_seed(123)
    b = STASCLIPModel.from_clip(clip_dir, **SMALL).state_dict()
    for name in a:
        if name in clip:
            assert torch.equal(a[name], clip[name]) and torch.equal(b[name], clip[name]), name
    assert not torch.equal(a["vision_model.encoder.layers.0.tws.weight"], b["vision_model.encoder.layers.0.tws.weight"])
    assert torch.equal(a["vision_model.encoder.layers.0.tws.bias"], torch.zeros(36))


@pytest.mark.parametrize("switches, message", [
    (dict(temporal_modeling="lstm"), "temporal_modeling"),
    (dict(communication_token=False, temporal_modeling="tws"), "communication_token"),
    (dict(aux_head="covariance", aux_labels=[]), "aux_labels"),
    (dict(mit_hidden_size=PROJECTION + 1), "mit_hidden_size"),
    (dict(tc_kernel_size=4), "tc_kernel_size"),
])
def test_config_rejects_contradictions(switches, message):
    with pytest.raises(ValueError, match=message):
        STASCLIPConfig.from_clip_config(clip_config(), **{**SMALL, **switches})


def test_wrong_frame_count_is_an_error(clip_dir, pixels):
    model = build(clip_dir)
    with pytest.raises(ValueError, match="frames"):
        model.get_video_features(pixels[:, :2])

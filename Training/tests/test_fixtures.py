"""The committed Swift parity fixtures are current: Tests/Fixtures/stas-clip/ against the reference model (and two
of them against transformers' own CLIPModel and XCLIPModel on the fixture's weights), Tests/Fixtures/xclip/
against transformers' XCLIPModel loaded from the fixture directory."""
import json
import os

import pytest
import torch
from safetensors.torch import load_file
from transformers import CLIPConfig, CLIPModel, XCLIPConfig, XCLIPModel

from conftest import ROOT
from stasclip import STASCLIPModel
from stasclip.modeling_stas_clip import TOKENIZER_FILES

FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "stas-clip")
VARIANTS = ["none", "tc", "ts", "transformer", "tws", "tws-no-end", "tws-first-order", "tws-aux12", "frame-average"]


def read_config(directory):
    with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
        return json.load(f)


def load(variant):
    directory = os.path.join(FIXTURES, variant)
    with open(os.path.join(directory, "reference.json"), encoding="utf-8") as f:
        meta = json.load(f)
    return (STASCLIPModel.from_pretrained(directory), load_file(os.path.join(directory, "reference.safetensors")),
            torch.tensor(meta["input_ids"]), torch.tensor(meta["attention_mask"]), directory)


@pytest.mark.parametrize("variant", VARIANTS)
def test_fixture_reference_matches_the_reference_model(variant):
    model, ref, ids, mask, directory = load(variant)
    for name in TOKENIZER_FILES:
        assert os.path.isfile(os.path.join(directory, name)), name
    with torch.no_grad():
        out = model(ref["pixel_values"], ids, mask)
    got = {"frame_embeds": out.video.frame_embeds, "video_embeds": out.video_embeds, "text_embeds": out.text_embeds,
           "logits_per_video": out.logits_per_video}
    got.update({f"vision.hidden_states.{i}": h for i, h in enumerate(out.video.hidden_states)})
    got.update({f"communication.{i}": m for i, m in enumerate(out.video.communication)})
    if out.video.mit_output is not None:
        got["mit.output"] = out.video.mit_output
    if out.aux is not None:
        got.update({"aux.tokens": out.aux.tokens, "aux.pooled": out.aux.pooled, "aux.logits": out.aux.logits,
                    "aux.probs": out.aux.probs})
        if out.aux.covariance is not None:
            got["aux.covariance"] = out.aux.covariance
    assert set(ref) == set(got) | {"pixel_values"}
    for name, value in got.items():
        torch.testing.assert_close(value, ref[name], rtol=0, atol=1e-5, msg=name)


def test_frame_average_fixture_is_clip():
    model, ref, ids, mask, directory = load("frame-average")
    config = read_config(directory)
    clip = CLIPModel(CLIPConfig(text_config=config["text_config"], vision_config=config["vision_config"],
                                projection_dim=config["projection_dim"])).eval()
    clip.load_state_dict(load_file(os.path.join(directory, "model.safetensors")), strict=True)
    pixels = ref["pixel_values"]
    with torch.no_grad():
        vision = clip.vision_model(pixel_values=pixels.flatten(0, 1), output_hidden_states=True)
        frames = clip.get_image_features(pixel_values=pixels.flatten(0, 1)).pooler_output
        text = clip.get_text_features(input_ids=ids, attention_mask=mask).pooler_output
    for i, h in enumerate(vision.hidden_states):
        torch.testing.assert_close(h, ref[f"vision.hidden_states.{i}"], rtol=0, atol=1e-5)
    frames = frames.view(pixels.shape[0], pixels.shape[1], -1)                                   # (B, T, P)
    torch.testing.assert_close(frames, ref["frame_embeds"], rtol=0, atol=1e-5)
    torch.testing.assert_close(text, ref["text_embeds"], rtol=0, atol=1e-5)


def test_transformer_fixture_video_is_xclip():
    model, ref, ids, mask, directory = load("transformer")
    c = model.config
    mit = dict(mit_hidden_size=c.mit_hidden_size, mit_intermediate_size=c.mit_intermediate_size,
               mit_num_hidden_layers=c.mit_num_hidden_layers, mit_num_attention_heads=c.mit_num_attention_heads)
    config = read_config(directory)
    vision = {k: v for k, v in config["vision_config"].items() if k not in ("model_type", "projection_dim")}
    text = {k: v for k, v in config["text_config"].items() if k not in ("model_type", "projection_dim")}
    xclip = XCLIPModel(XCLIPConfig(text_config=text, vision_config=dict(vision, num_frames=c.num_frames, **mit),
                                   projection_dim=c.projection_dim, prompt_num_attention_heads=2)).eval()
    state = {k.replace("vision_model.pre_layrnorm.", "vision_model.pre_layernorm."): v
             for k, v in load_file(os.path.join(directory, "model.safetensors")).items()
             if not k.startswith("aux_head.")}
    result = xclip.load_state_dict(state, strict=False)
    assert not result.unexpected_keys and all(k.startswith("prompts_") for k in result.missing_keys)
    with torch.no_grad():
        video = xclip.get_video_features(pixel_values=ref["pixel_values"]).pooler_output
    torch.testing.assert_close(video, ref["video_embeds"], rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", ["tiny-p32", "tiny-p16-odd"])
def test_xclip_fixture_is_transformers_on_its_checkpoint(name):
    directory = os.path.join(ROOT, "Tests", "Fixtures", "xclip", name)
    with open(os.path.join(directory, "reference.json"), encoding="utf-8") as f:
        meta = json.load(f)
    ref = load_file(os.path.join(directory, "reference.safetensors"))
    model = XCLIPModel.from_pretrained(directory, dtype=torch.float32).eval()
    ids, mask = torch.tensor(meta["input_ids"]), torch.tensor(meta["attention_mask"])
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, pixel_values=ref["pixel_values"], output_hidden_states=True)
        video = model.get_video_features(pixel_values=ref["pixel_values"]).pooler_output
    torch.testing.assert_close(out.logits_per_video, ref["logits_per_video"], rtol=0, atol=1e-5)
    torch.testing.assert_close(video, ref["video_embeds"], rtol=0, atol=1e-5)
    torch.testing.assert_close(out.mit_output.last_hidden_state, ref["mit.output"], rtol=0, atol=1e-5)
    for i, h in enumerate(out.vision_model_output.hidden_states):
        torch.testing.assert_close(h, ref[f"vision.hidden_states.{i}"], rtol=0, atol=1e-5)
    per_video = ref["text_embeds_per_video"]
    torch.testing.assert_close(out.text_embeds, per_video / per_video.norm(dim=-1, keepdim=True), rtol=0, atol=1e-6)
    torch.testing.assert_close(per_video, ref["text_embeds"][None] + ref["prompt.output"], rtol=0, atol=0)
    for file in TOKENIZER_FILES:
        assert os.path.isfile(os.path.join(directory, file)), file

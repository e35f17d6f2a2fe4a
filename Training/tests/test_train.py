"""The trainer: sampling identical to the Swift fixtures, the two-stage recipe's freezing and learning
rates, and export to a checkpoint the Swift runtime reads (run by hand: python -m pytest Training/tests)."""
import json
import os
from dataclasses import replace

import numpy as np
import pytest
import torch

from stasclip import train as trainer
from stasclip.modeling_stas_clip import STASCLIPModel, is_new_parameter
from stasclip.sampling import CROP_PAIRS, SplitMix64, segment_times

from conftest import LABELSET, LABELSET_NAMES, ROOT, TOKENIZER

DRAWS = os.path.join(ROOT, "Tests", "Fixtures", "video", "train-sampling", "draws.json")


def test_draws_are_the_swift_fixture():
    """The committed fixture the Swift tests compare against is what sampling.py draws now."""
    with open(DRAWS) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        times, crops = segment_times(case["start"], case["duration"], case["frames"], case["clips"], int(case["seed"]))
        assert times == case["times"]
        for sized in case["boxes"]:
            assert [list(c.box(sized["width"], sized["height"])) for c in crops] == sized["boxes"]


def test_splitmix64_reference_values():
    # SplitMix64 seeded with 0: the first outputs of Vigna's reference implementation.
    g = SplitMix64(0)
    assert [g.next() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    assert len(CROP_PAIRS) == 10


def test_cosine_schedule_warms_up_then_decays():
    assert trainer.cosine_factor(0, 100, 10) == pytest.approx(0.1)
    assert trainer.cosine_factor(9, 100, 10) == pytest.approx(1.0)
    assert trainer.cosine_factor(10, 100, 10) == pytest.approx(1.0)
    assert trainer.cosine_factor(55, 100, 10) == pytest.approx(0.5)
    assert trainer.cosine_factor(100, 100, 10) == pytest.approx(0.0, abs=1e-12)


def test_class_texts_are_templates_then_descriptions(data):
    texts = data.texts
    assert len(texts.texts) == 3 * (len(trainer.TEMPLATES) + 1)
    assert texts.texts[0] == "a video of a person moving left."
    assert texts.texts[len(trainer.TEMPLATES)] == "something moving left"
    no_descriptions = trainer.ClassTexts.from_labelset(LABELSET, TOKENIZER, descriptions=False)
    assert len(no_descriptions.texts) == 3 * len(trainer.TEMPLATES)


def test_train_clips_are_seeded_and_test_clips_central(data):
    video = data.train[0]
    a = trainer.load_clip(video, data.preprocessing, 8, 5)
    b = trainer.load_clip(video, data.preprocessing, 8, 5)
    c = trainer.load_clip(video, data.preprocessing, 8, 6)
    assert a.shape == (8, 3, 48, 48) and np.array_equal(a, b) and not np.array_equal(a, c)
    centre = trainer.load_clip(video, data.preprocessing, 8, None)
    # Test mode: segment centres of [0, 1.5) at 8 fps are frames 0, 2, 3, 5, 6, 8, 9, 11; centre crop.
    expected = data.preprocessing.normalize(np.stack([video.frames[i][3:51, 3:51] for i in (0, 2, 3, 5, 6, 8, 9, 11)]))
    assert np.array_equal(centre, expected)


def _snapshot(model):
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def test_stage1_trains_only_new_parameters_and_stage2_everything(data):
    recipe = trainer.Recipe(epochs0=1, epochs1=1, epochs2=1, warmup2=1, batch_size=3, aux_dim=4)
    device = torch.device("cpu")
    base = trainer.pretrain(data, recipe, device, lambda m: None)
    initial = _snapshot(trainer.rebuild(base, recipe.switches(data.texts.names, 1), recipe.seed + 1))
    model = trainer.stage1(base, data, recipe, device, lambda m: None)
    after = _snapshot(model)
    assert set(after) == set(initial) and not any(".tws." in n for n in after), "stage 1 runs without TWS"
    frozen = [n for n in after if not is_new_parameter(n)]
    assert frozen and all(torch.equal(after[n], initial[n]) for n in frozen), "CLIP's parameters are frozen in stage 1"
    assert any(not torch.equal(after[n], initial[n]) for n in after if is_new_parameter(n)), "new parameters learn"

    model2 = trainer.stage2(model, data, recipe, device, lambda m: None)
    names = [n for n, _ in model2.named_parameters()]
    assert any(".tws." in n for n in names), "stage 2 adds TWS"
    moved = [n for n, p in model2.named_parameters() if n in after and not torch.equal(p.detach(), after[n])]
    assert any(n.startswith("vision_model.encoder.") and not is_new_parameter(n) for n in moved), "stage 2 moves CLIP too"


def _loss_and_gradients(model, data, precision):
    pixels = torch.from_numpy(np.stack([trainer.load_clip(v, data.preprocessing, 8, 1) for v in data.train]))
    labels = torch.tensor([v.label for v in data.train])
    ids, mask = data.texts.input_ids[:3], data.texts.attention_mask[:3]
    model.zero_grad(set_to_none=True)
    out, loss = trainer.step_loss(model, pixels, labels, ids, mask, 0.5, precision)
    loss.backward()
    return out, float(loss), torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])


def test_bf16_autocast_keeps_the_loss_and_gradients_and_pools_covariance_in_fp32(data):
    recipe = trainer.Recipe(aux_dim=8)
    model = trainer.small_model(data.texts.names, recipe.switches(data.texts.names, 2), 0, position_init="sincos-st")
    model.train()
    torch.manual_seed(3)
    _, loss32, grad32 = _loss_and_gradients(model, data, "fp32")
    torch.manual_seed(3)
    out, loss16, grad16 = _loss_and_gradients(model, data, "bf16")
    cosine = float(grad32 @ grad16 / (grad32.norm() * grad16.norm()))
    print(f"loss fp32 {loss32:.5f} bf16 {loss16:.5f}; gradient cosine {cosine:.5f}")
    assert out.aux.covariance.dtype == torch.float32 and out.aux.pooled.dtype == torch.float32
    assert abs(loss16 - loss32) < 0.01 * loss32
    assert cosine > 0.99


def test_compiled_training_moves_the_exported_module(data):
    # bf16 as the default model was trained, where this CPU has the kernels for it (the trainer refuses it
    # elsewhere, and it would take minutes); what is tested, the compiled module's parameter sharing, is the same.
    precision = "bf16" if trainer.bf16_precision_error("bf16", torch.device("cpu")) is None else "fp32"
    recipe = trainer.Recipe(epochs0=1, batch_size=3, aux_dim=4, stage0="full", precision=precision, compile=True)
    start = _snapshot(trainer.small_model(data.texts.names, recipe.switches(data.texts.names, 0), recipe.seed))
    lines = []
    model = trainer.pretrain(data, recipe, torch.device("cpu"), lines.append)
    after = _snapshot(model)
    assert set(after) == set(start) and lines and "stage 0 epoch 1/1" in lines[0]
    assert all(not torch.equal(after[n], start[n]) for n in after if n.startswith("vision_model.encoder.")), \
        "the compiled module's steps land in the module's own parameters"


def test_export_round_trips_in_half_precision(data, tmp_path):
    recipe = trainer.Recipe(epochs0=0, epochs1=0, epochs2=0, aux_dim=4)
    model = trainer.small_model(data.texts.names, recipe.switches(data.texts.names, 2), 0)
    trainer.export(model, data, TOKENIZER, str(tmp_path), half=True)
    for name in ("config.json", "model.safetensors", "vocab.json", "merges.txt", "preprocessor_config.json", "labelset.json"):
        assert (tmp_path / name).exists(), name
    with open(tmp_path / "preprocessor_config.json") as f:
        assert json.load(f)["size"] == {"shortest_edge": 55}
    loaded = STASCLIPModel.from_pretrained(str(tmp_path))
    pixels = torch.from_numpy(np.stack([trainer.load_clip(data.train[0], data.preprocessing, 8, None)]))
    with torch.no_grad():
        ours, theirs = model.eval().get_video_features(pixels), loaded.get_video_features(pixels)
    assert (ours - theirs).abs().max() < 2e-2 * ours.abs().max()


def test_sincos_positions_code_column_and_row():
    codes = trainer.sincos_positions(3, 8)                                   # (9, 8)
    assert codes.shape == (9, 8)
    # Patch 4 is row 1, column 1; frequency 0 of each half is the position itself.
    assert codes[4, 0] == pytest.approx(np.sin(1.0)) and codes[4, 2] == pytest.approx(np.cos(1.0))
    assert codes[5, 0] == pytest.approx(np.sin(2.0)) and codes[5, 4] == pytest.approx(np.sin(1.0))
    with pytest.raises(ValueError):
        trainer.sincos_positions(3, 6)


def _x_readout_r2(model: STASCLIPModel) -> float:
    """R² of a least-squares read-out of a disc's x centre from the untrained class token (600 fits, 200 tests)."""
    rng = np.random.default_rng(0)
    n, fit, size = 800, 600, 48
    images = np.full((n, size, size, 3), 0.5, np.float32)
    centres = rng.uniform(8, 40, (n, 2))
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(n):
        images[i][(xx - centres[i, 0]) ** 2 + (yy - centres[i, 1]) ** 2 < 36] = rng.uniform(0, 1, 3)
        images[i] += rng.normal(0, 0.05, (size, size, 3))
    pixels = torch.tensor((images - 0.45) / 0.27).permute(0, 3, 1, 2)
    vision = model.vision_model
    with torch.no_grad():
        states, _ = vision.encoder(vision.pre_layrnorm(vision.embeddings(pixels)))
        cls = vision.post_layernorm(states[-1][:, 0]).numpy()
    features = np.c_[cls, np.ones(n)]
    weights = np.linalg.lstsq(features[:fit], centres[:fit, 0], rcond=None)[0]
    error = features[fit:] @ weights - centres[fit:, 0]
    return 1 - (error ** 2).mean() / centres[fit:, 0].var()


def test_sincos_start_puts_position_into_the_class_token():
    """The reason for --position-init sincos: before any training, where an object is can be read from the
    class token with sin-cos positions, and not with CLIP's N(0, 0.02) positions."""
    switches = trainer.Recipe().switches(LABELSET_NAMES, 0)             # plain CLIP: frames one by one
    clip_start = _x_readout_r2(trainer.small_model(LABELSET_NAMES, switches, 0))
    sincos_start = _x_readout_r2(trainer.small_model(LABELSET_NAMES, switches, 0, position_init="sincos"))
    print(f"x read-out R² at initialisation: CLIP's start {clip_start:.3f}, sin-cos start {sincos_start:.3f}")
    assert clip_start < 0.2 and sincos_start > 0.4
    with pytest.raises(ValueError):
        trainer.small_model(LABELSET_NAMES, switches, 0, position_init="learned")


def test_image_size_sets_the_crop_the_resize_and_the_patch_grid():
    """--image-size 64: the 64×64 synthetic frames whole (shortest edge 64, crop 64) and an 8×8 patch grid."""
    assert trainer.small_preprocessor() is trainer.SMALL_PREPROCESSOR
    native = trainer.small_preprocessor(64)
    assert native["crop_size"] == {"height": 64, "width": 64} and native["size"] == {"shortest_edge": 64}
    assert trainer.small_preprocessor(64, 73)["size"] == {"shortest_edge": 73}
    assert trainer.small_preprocessor(shortest_edge=60)["crop_size"] == {"height": 48, "width": 48}
    with pytest.raises(ValueError):
        trainer.small_preprocessor(64, 56)
    switches = trainer.Recipe(aux_dim=4).switches(LABELSET_NAMES, 2)
    model = trainer.small_model(LABELSET_NAMES, switches, 0, vision={"image_size": 64}, position_init="sincos-st")
    assert model.vision_model.embeddings.position_embedding.weight.shape == (65, 96)   # (8·8 + 1, D)
    pixels = torch.zeros(8, 3, 64, 64)                                                   # (T, 3, H, W)
    with torch.no_grad():
        assert model.get_video_features(pixels[None]).shape == (1, 64)


def test_sincos_st_also_starts_the_temporal_embedding_from_codes():
    switches = trainer.Recipe(aux_dim=4).switches(LABELSET_NAMES, 2)
    plain = trainer.small_model(LABELSET_NAMES, switches, 0, position_init="sincos")
    both = trainer.small_model(LABELSET_NAMES, switches, 0, position_init="sincos-st")
    assert float(plain.mit.position_embedding.std()) < 0.05                  # X-CLIP's N(0, 0.02)
    codes = trainer.sincos_codes(torch.arange(8), both.mit.position_embedding.shape[2])
    expected = codes / codes.std() * float(both.visual_projection.weight.std() * both.visual_projection.weight.shape[1] ** 0.5)
    torch.testing.assert_close(both.mit.position_embedding[0].detach(), expected)
    torch.testing.assert_close(both.vision_model.embeddings.position_embedding.weight,
                               plain.vision_model.embeddings.position_embedding.weight)
    no_mit = {**switches, "end_transformer": False}
    with pytest.raises(ValueError):
        trainer.small_model(LABELSET_NAMES, no_mit, 0, position_init="sincos-st")


def test_stage0_aux_trains_with_the_aux_head_and_returns_plain_clip(data):
    """stage0 "aux": the covariance aux head trains with plain CLIP (its loss moves the backbone), then only
    CLIP's tensors go on, and stages 1 and 2 run from them as from a plain base."""
    recipe = trainer.Recipe(stage0="aux", epochs0=1, epochs1=1, epochs2=1, warmup2=1, batch_size=6, lr0=1e-3)
    switches = recipe.switches(LABELSET_NAMES, 0)
    assert switches["aux_head"] == "covariance" and not switches["communication_token"]
    assert switches["temporal_modeling"] == "none" and not switches["end_transformer"]
    start = trainer.small_model(LABELSET_NAMES, switches, recipe.seed).state_dict()
    base = trainer.pretrain(data, recipe, torch.device("cpu"), lambda m: None)
    assert base.config.aux_head == "none" and not any(is_new_parameter(n) for n in base.state_dict())
    assert all(not torch.equal(start[n], t) for n, t in base.state_dict().items()
               if n.startswith("vision_model.encoder.layers.0.self_attn."))
    full = trainer.finetune(base, data, recipe, torch.device("cpu"), lambda m: None)
    assert full.config.aux_head == "covariance" and full.config.temporal_modeling == "tws"


def test_reverse_twins_put_each_clip_backwards_beside_itself_with_its_partner_label(data):
    partners = [1, 0, 2]
    plain = list(trainer.batches(data.train, data.preprocessing, 8, 4, 3, 0, shuffle=True))
    twins = list(trainer.batches(data.train, data.preprocessing, 8, 4, 3, 0, shuffle=True, partners=partners))
    assert [len(l) for _, l in plain] == [4, 2] and [len(l) for _, l in twins] == [4, 4, 4]
    order = np.random.default_rng(3 * 7919).permutation(len(data.train))
    for b, (pixels, labels) in enumerate(twins):
        chosen = order[2 * b:2 * b + 2]
        forward = np.stack([trainer.load_clip(data.train[i], data.preprocessing, 8, trainer.clip_seed(3, 0, int(i)))
                            for i in chosen])                                    # (2, T, 3, H, W)
        assert np.array_equal(pixels[:2].numpy(), forward)
        assert np.array_equal(pixels[2:].numpy(), forward[:, ::-1])
        assert labels.tolist() == [data.train[i].label for i in chosen] + [partners[data.train[i].label] for i in chosen]
    forked = list(trainer.batches(data.train, data.preprocessing, 8, 4, 3, 0, shuffle=True, workers=2, partners=partners))
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(twins, forked))


def test_orientation_batches_carry_each_sampled_frames_orientation_and_reverse_with_twins(data):
    videos = [trainer.DecodedVideo(frames=v.frames, presentation=v.presentation, end=v.end, label=v.label,
                                   orientation=(np.stack([np.cos(np.arange(12.0)), np.sin(np.arange(12.0))], 1)
                                                .astype(np.float32) if i % 2 == 0 else None))
              for i, v in enumerate(data.train)]
    plain = list(trainer.batches(videos, data.preprocessing, 8, 4, 3, 0, shuffle=True))
    oriented = list(trainer.batches(videos, data.preprocessing, 8, 4, 3, 0, shuffle=True, orientation=True))
    twins = list(trainer.batches(videos, data.preprocessing, 8, 4, 3, 0, shuffle=True, partners=[1, 0, 2],
                                 orientation=True))
    assert all(len(b) == 2 for b in plain) and all(len(b) == 3 for b in oriented + twins)
    order = np.random.default_rng(3 * 7919).permutation(len(videos))
    for b, (pixels, labels, angles) in enumerate(oriented):
        assert torch.equal(pixels, plain[b][0]) and torch.equal(labels, plain[b][1])
        assert angles.shape == (len(labels), 8, 2)
        for row, i in enumerate(order[4 * b:4 * b + 4]):
            _, picked = trainer.sample_clip(videos[i], data.preprocessing, 8, trainer.clip_seed(3, 0, int(i)))
            if i % 2 == 0:
                np.testing.assert_array_equal(angles[row].numpy(), videos[i].orientation[picked])
            else:
                assert torch.isnan(angles[row]).all()
    for _, labels, angles in twins:
        half = len(labels) // 2
        torch.testing.assert_close(angles[half:], angles[:half].flip(1), equal_nan=True)


def test_orientation_loss_counts_only_known_frames():
    head = torch.nn.Linear(3, 2)
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
        head.bias.zero_()
    z = torch.tensor([[[1.0, 0.0, 5.0], [0.0, 1.0, 5.0]], [[3.0, 3.0, 3.0], [0.5, 0.5, 0.0]]])   # (B=2, T=2, P=3)
    target = torch.tensor([[[1.0, 0.0], [0.0, 0.0]], [[float("nan")] * 2, [0.5, 0.0]]])         # (2, 2, 2)
    # Known frames: (0, 0) exact, (0, 1) error 1, (1, 1) error 0.25; (1, 0) unknown.
    assert float(trainer.orientation_loss(head, z, target).detach()) == pytest.approx((0 + 1 + 0.25) / 3)
    assert float(trainer.orientation_loss(head, z, torch.full((2, 2, 2), float("nan"))).detach()) == 0.0


def test_turn_loss_reads_sin_of_twice_each_steps_turn_from_frame_t():
    head = torch.nn.Linear(2, 1)
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[1.0, 0.0]]))
        head.bias.zero_()
    angles = torch.tensor([[0.0, 0.2, 0.5], [0.3, 0.3, 0.1]])                                  # (B=2, T=3) θ
    target = 0.4 * torch.stack([torch.cos(2 * angles), torch.sin(2 * angles)], -1)             # (2, 3, 2)
    turn = torch.sin(2 * (angles[:, 1:] - angles[:, :-1]))                                       # (2, 2)
    states = torch.zeros(2, 3, 2)
    states[:, :2, 0] = turn
    states[:, 2, 0] = 9.0                                        # the last frame has no next step: not read
    assert float(trainer.turn_loss(head, states, target).detach()) == pytest.approx(0.0, abs=1e-12)
    states[0, 1, 0] += 0.5
    target[1, 2] = float("nan")                                  # pair (1, 1) unknown: three pairs count
    assert float(trainer.turn_loss(head, states, target).detach()) == pytest.approx(0.25 / 3)


def test_stage0_orientation_read_out_trains_the_frame_embeddings_and_is_not_kept(data):
    videos = [trainer.DecodedVideo(frames=v.frames, presentation=v.presentation, end=v.end, label=v.label,
                                   orientation=np.tile(np.array([[0.6, 0.8]], np.float32), (12, 1)))
              for v in data.train]
    with_data = replace(data, train=videos)
    oriented, plain = [], []
    recipe = trainer.Recipe(stage0="full", epochs0=2, batch_size=4, orientation_weight=1.0)
    model = trainer.pretrain(with_data, recipe, torch.device("cpu"), oriented.append)
    assert len(oriented) == 2 and all(" (orientation " in line for line in oriented)
    plain_model = trainer.pretrain(with_data, replace(recipe, orientation_weight=0.0), torch.device("cpu"), plain.append)
    assert len(plain) == 2 and not any("orientation" in line for line in plain)
    turned = []
    trainer.pretrain(with_data, replace(recipe, turn_weight=1.0), torch.device("cpu"), turned.append)
    assert len(turned) == 2 and all(" (orientation " in line and " (turn " in line for line in turned)
    assert model.state_dict().keys() == plain_model.state_dict().keys()
    classed = []
    class_model = trainer.pretrain(data, replace(recipe, orientation_weight=0.0, class_weight=1.0),
                                   torch.device("cpu"), classed.append)
    assert len(classed) == 2 and all(" (class " in line and "orientation" not in line for line in classed)
    assert class_model.state_dict().keys() == plain_model.state_dict().keys()


def test_class_prototypes_score_the_unit_video_embedding_as_the_texts_do():
    prototypes = torch.tensor([[2.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])      # unit: (1, 0), (0, 1), (-1, 0)
    v = torch.tensor([[3.0, 4.0], [0.0, -2.0]])                          # unit: (0.6, 0.8), (0, -1)
    labels = torch.tensor([1, 2])
    scale = torch.tensor(10.0, requires_grad=True)
    logits = 10 * torch.tensor([[0.6, 0.8, -0.6], [0.0, -1.0, 0.0]])
    expected = -(logits.log_softmax(-1)[0, 1] + logits.log_softmax(-1)[1, 2]) / 2
    loss = trainer.class_loss(prototypes, v, labels, scale)
    assert float(loss.detach()) == pytest.approx(float(expected), rel=1e-6)
    assert not loss.requires_grad, "the temperature is not trained through the prototypes"


def test_class_weight_must_not_be_negative(capsys):
    with pytest.raises(SystemExit):
        trainer.main(["--data", "unused", "--tokenizer", TOKENIZER, "--out", "unused", "--class-weight", "-1"])
    assert "--class-weight must be 0 or more" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--orientation-weight", "--turn-weight"])
def test_orientation_weights_need_online_training(capsys, option):
    with pytest.raises(SystemExit):
        trainer.main(["--data", "unused", "--tokenizer", TOKENIZER, "--out", "unused", option, "1"])
    assert f"{option} needs --online-train" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        trainer.main(["--data", "unused", "--tokenizer", TOKENIZER, "--out", "unused", option, "-1"])
    assert f"{option} must be 0 or more" in capsys.readouterr().err


@pytest.mark.parametrize("native", [False, True])
def test_bf16_on_a_cpu_without_bfloat16_kernels_is_a_usage_error(capsys, monkeypatch, native):
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: native)
    cpu = torch.device("cpu")
    assert trainer.bf16_precision_error("fp32", cpu) is None
    assert trainer.bf16_precision_error("bf16", torch.device("cuda")) is None
    assert (trainer.bf16_precision_error("bf16", cpu) is None) == native
    if native:
        return
    with pytest.raises(SystemExit) as exit_info:
        trainer.main(["--data", "unused", "--tokenizer", TOKENIZER, "--out", "unused", "--device", "cpu",
                      "--precision", "bf16"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--precision bf16 needs a CPU with native bfloat16 matrix kernels" in err and "use --precision fp32" in err


def test_resume_continues_stage0_then_goes_to_stage2_without_stage1(data, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(trainer, "load_data", lambda *args: data)
    monkeypatch.setattr(trainer, "train_stage", lambda model, groups, *args: calls.append(("stage", args[-2])))
    monkeypatch.setattr(trainer, "stage1", lambda base, *args: calls.append("stage1") or base)
    monkeypatch.setattr(trainer, "stage2", lambda model, *args: calls.append("stage2") or model)
    monkeypatch.setattr(trainer, "report", lambda *args: {"test": {"top1": 50.0}})
    monkeypatch.setattr(trainer, "export", lambda model, data, tokenizer, out, half: calls.append(("export", out)))
    default = os.path.join(ROOT, "Models", "default")
    trainer.main(["--data", str(tmp_path), "--tokenizer", TOKENIZER, "--out", str(tmp_path / "out"), "--resume",
                  default, "--epochs0", "1"])
    assert calls == [("stage", 0), "stage2", ("export", str(tmp_path / "out"))]


@pytest.mark.parametrize("workers", [0, 1])
def test_batches_from_a_start_are_the_epochs_later_batches(data, workers):
    args = (data.train, data.preprocessing, 3, 2, 5, 1, True)
    whole = list(trainer.batches(*args, workers=workers))
    later = list(trainer.batches(*args, workers=workers, start=1))
    assert len(whole) == 3 and len(later) == 2
    for a, b in zip(whole[1:], later):
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


class _Stopped(Exception):
    pass


def _oriented(data):
    videos = [trainer.DecodedVideo(frames=v.frames, presentation=v.presentation, end=v.end, label=v.label,
                                   orientation=np.random.default_rng(i).normal(size=(12, 2)).astype(np.float32))
              for i, v in enumerate(data.train)]
    return replace(data, train=videos)


def _stop_at(monkeypatch, call):
    """Makes the trainer's step_loss raise _Stopped on its `call`-th call (1-based), before that step."""
    real, calls = trainer.step_loss, []

    def step_loss(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise _Stopped()
        return real(*args, **kwargs)

    monkeypatch.setattr(trainer, "step_loss", step_loss)


# 6 clips in batches of 4: 2 steps an epoch, 4 in the 2 epochs. Stopping before step 2 continues from the state
# kept within epoch 1, before step 3 from epoch 1's end, before step 4 from within epoch 2.
@pytest.mark.parametrize("stop_before", [2, 3, 4])
def test_a_stage_stopped_at_any_step_continues_to_what_one_unbroken_run_gives(data, tmp_path, monkeypatch,
                                                                           stop_before):
    data = _oriented(data)
    cpu = torch.device("cpu")
    recipe = trainer.Recipe(stage0="full", epochs0=2, batch_size=4, orientation_weight=1.0, turn_weight=1.0)
    unbroken = trainer.pretrain(data, recipe, cpu, lambda line: None)
    kept = replace(recipe, checkpoint=str(tmp_path / "state"), checkpoint_minutes=0.0)
    with monkeypatch.context() as patch:
        _stop_at(patch, stop_before)
        with pytest.raises(_Stopped):
            trainer.pretrain(data, kept, cpu, lambda line: None)
    assert os.listdir(tmp_path / "state") == ["stage0.pt"]
    lines = []
    continued = trainer.pretrain(data, kept, cpu, lines.append)
    assert lines[0].startswith(f"stage 0: continuing {tmp_path / 'state' / 'stage0.pt'} at epoch "
                               f"{(stop_before - 1) // 2 + 1} of 2, batch {(stop_before - 1) % 2 + 1}, step {stop_before}")
    assert len(lines) == 1 + (2 - (stop_before - 1) // 2)
    worst = max(float((a - b).abs().max()) for a, b in zip(unbroken.state_dict().values(),
                                                           continued.state_dict().values()))
    assert worst == 0.0, f"continued run differs from the unbroken one by {worst}"
    # A finished stage's state is kept, and running the command again trains no further step.
    again = []
    _stop_at(monkeypatch, 1)
    finished = trainer.pretrain(data, kept, cpu, again.append)
    assert again == [f"stage 0: {tmp_path / 'state' / 'stage0.pt'} holds the finished stage (4 steps)"]
    assert all(torch.equal(a, b) for a, b in zip(finished.state_dict().values(), continued.state_dict().values()))


def test_a_state_of_another_run_is_refused_with_what_differs(data, tmp_path, monkeypatch, capsys):
    data = _oriented(data)
    cpu = torch.device("cpu")
    recipe = trainer.Recipe(stage0="full", epochs0=1, batch_size=4, checkpoint=str(tmp_path), checkpoint_minutes=0.0)
    trainer.pretrain(data, recipe, cpu, lambda line: None)
    with pytest.raises(trainer.CheckpointMismatch, match=r"lr0: 0\.0005 there, 0\.001 here"):
        trainer.pretrain(data, replace(recipe, lr0=1e-3), cpu, lambda line: None)
    with pytest.raises(trainer.CheckpointMismatch, match=r"orientation_weight: 0\.0 there, 1\.0 here"):
        trainer.pretrain(data, replace(recipe, orientation_weight=1.0), cpu, lambda line: None)
    with pytest.raises(trainer.CheckpointMismatch, match=r"train_clips: 6 there, 5 here"):
        trainer.pretrain(replace(data, train=data.train[:5]), recipe, cpu, lambda line: None)
    # A state written before a recipe field existed counts as having had its default.
    saved = torch.load(tmp_path / "stage0.pt", weights_only=False)
    del saved["fingerprint"]["recipe"]["turn_weight"]
    torch.save(saved, tmp_path / "stage0.pt")
    trainer.pretrain(data, recipe, cpu, lambda line: None)
    with pytest.raises(trainer.CheckpointMismatch, match=r"turn_weight: 0\.0 there, 1\.0 here"):
        trainer.pretrain(data, replace(recipe, turn_weight=1.0), cpu, lambda line: None)
    # What only decides when or how the stage runs may change.
    trainer.pretrain(data, replace(recipe, workers=1, deadline=1e12, checkpoint_minutes=3.0), cpu, lambda line: None)
    monkeypatch.setattr(trainer, "load_data", lambda *args: data)
    monkeypatch.setattr(trainer, "trained_model", lambda *args: (_ for _ in ()).throw(
        trainer.CheckpointMismatch("DIR/stage0.pt holds the state of another run (lr0: 1 there, 2 here)")))
    with pytest.raises(SystemExit) as exit_info:
        trainer.main(["--data", str(tmp_path), "--tokenizer", TOKENIZER, "--out", str(tmp_path / "out"),
                      "--checkpoint", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "holds the state of another run (lr0: 1 there, 2 here)" in capsys.readouterr().err


def test_warm_up_keeps_its_share_of_a_schedule_a_time_limit_cut():
    assert trainer.warmup_steps(3, 188, 30, 30) == 564
    assert trainer.warmup_steps(3, 188, 17, 30) == 319
    assert trainer.warmup_steps(0, 188, 17, 30) == 0


def test_a_time_limit_that_cuts_the_schedule_cuts_its_warm_up_too_and_a_stopped_run_continues_with_it(
        data, tmp_path, monkeypatch):
    """20 epochs of 2 steps (6 clips, batch 4) warm up for 2 epochs, 4 steps. A clock that moves 10 s a step
    and a deadline of 120 s (stage 0 gets 85 %, 102 s) fit 5 epochs after the first: the warm-up becomes the
    same tenth of those, 1 step, so the cut schedule does not spend 4 of its 10 steps warming up."""
    cpu = torch.device("cpu")
    clock, schedule, stop_before = [0.0], [], [None]
    real_step_loss, real_cosine = trainer.step_loss, trainer.cosine_factor

    def step_loss(*args, **kwargs):
        clock[0] += 10.0
        if len(schedule) == stop_before[0]:
            raise _Stopped()
        return real_step_loss(*args, **kwargs)

    def cosine_factor(step, total, warmup):
        schedule.append((step, total, warmup))
        return real_cosine(step, total, warmup)

    monkeypatch.setattr(trainer, "time", type("Clock", (), {"time": staticmethod(lambda: clock[0])}))
    monkeypatch.setattr(trainer, "step_loss", step_loss)
    monkeypatch.setattr(trainer, "cosine_factor", cosine_factor)
    recipe = trainer.Recipe(stage0="full", epochs0=20, batch_size=4, deadline=120.0)
    lines = []
    unbroken = trainer.pretrain(data, recipe, cpu, lines.append)
    assert lines[1] == ("stage 0: 5 of 20 epochs fit in the time limit; the schedule ends there, its warm-up 1 of "
                        "its 10 steps")
    assert len(lines) == 6
    assert schedule == [(0, 40, 4), (1, 40, 4)] + [(step, 10, 1) for step in range(2, 10)]
    # Stopped before step 4 (within epoch 2, after the cut) and started again on a fresh clock, the run
    # continues with the cut warm-up from its kept state and ends where the unbroken one did.
    kept = replace(recipe, checkpoint=str(tmp_path), checkpoint_minutes=0.0)
    clock[0], schedule[:], stop_before[0] = 0.0, [], 4
    with pytest.raises(_Stopped):
        trainer.pretrain(data, kept, cpu, lambda line: None)
    clock[0], schedule[:], stop_before[0] = 0.0, [], None
    continued = trainer.pretrain(data, kept, cpu, lambda line: None)
    assert schedule == [(step, 10, 1) for step in range(3, 10)]
    worst = max(float((a - b).abs().max()) for a, b in zip(unbroken.state_dict().values(),
                                                           continued.state_dict().values()))
    assert worst == 0.0, f"continued run differs from the unbroken one by {worst}"


def test_heads_from_starts_the_read_outs_from_a_kept_state_and_refuses_ones_that_do_not_fit(data, tmp_path,
                                                                                           monkeypatch):
    data = _oriented(data)
    cpu = torch.device("cpu")
    recipe = trainer.Recipe(stage0="full", epochs0=1, batch_size=4, orientation_weight=1.0, turn_weight=1.0,
                            class_weight=1.0, checkpoint=str(tmp_path / "first"), checkpoint_minutes=0.0)
    trainer.pretrain(data, recipe, cpu, lambda line: None)
    kept = torch.load(tmp_path / "first" / "stage0.pt", weights_only=False)["heads"]
    assert set(kept) == {"orientation", "turn", "class"}
    seen = {}

    def first_step(name, real):
        def loss(head, *args):
            seen[name] = {k: t.detach().clone() for k, t in
                          (head.state_dict() if isinstance(head, torch.nn.Module) else {"weight": head}).items()}
            if len(seen) == 3:
                raise _Stopped()
            return real(head, *args)
        return loss

    lines = []
    carried = replace(recipe, checkpoint=None, heads_from=str(tmp_path / "first" / "stage0.pt"))
    with monkeypatch.context() as patch:
        for name, function in (("orientation", "orientation_loss"), ("turn", "turn_loss"), ("class", "class_loss")):
            patch.setattr(trainer, function, first_step(name, getattr(trainer, function)))
        with pytest.raises(_Stopped):
            trainer.pretrain(data, carried, cpu, lines.append)
        assert lines == [f"stage 0: the orientation, turn, class read-outs start from "
                         f"{tmp_path / 'first' / 'stage0.pt'}"]
        for name, state in seen.items():
            for key, tensor in state.items():
                assert torch.equal(tensor, kept[name][key]), f"{name}.{key} did not start from the kept state"
        # Without --heads-from the read-outs start from random weights.
        seen.clear()
        with pytest.raises(_Stopped):
            trainer.pretrain(data, replace(carried, heads_from=None), cpu, lambda line: None)
        assert not torch.equal(seen["orientation"]["weight"], kept["orientation"]["weight"])
    # A state without a wanted head, or with one of another shape, is refused with what is wrong.
    trainer.pretrain(data, replace(recipe, class_weight=0.0, checkpoint=str(tmp_path / "second")), cpu,
                     lambda line: None)
    with pytest.raises(trainer.CheckpointMismatch, match="holds no class read-out .it has: orientation, turn."):
        trainer.pretrain(data, replace(carried, heads_from=str(tmp_path / "second" / "stage0.pt")), cpu,
                         lambda line: None)
    state = torch.load(tmp_path / "first" / "stage0.pt", weights_only=False)
    state["heads"]["class"]["weight"] = state["heads"]["class"]["weight"][:2]
    torch.save(state, tmp_path / "fewer-classes.pt")
    with pytest.raises(trainer.CheckpointMismatch, match="its class read-out does not fit this model"):
        trainer.pretrain(data, replace(carried, heads_from=str(tmp_path / "fewer-classes.pt")), cpu,
                         lambda line: None)
    (tmp_path / "not-a-state.pt").write_bytes(b"not a torch file")
    with pytest.raises(trainer.CheckpointMismatch, match="not-a-state.pt cannot be read as a stage state"):
        trainer.pretrain(data, replace(carried, heads_from=str(tmp_path / "not-a-state.pt")), cpu,
                         lambda line: None)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(trainer.CheckpointMismatch, match="other.pt is not a stage state written by --checkpoint"):
        trainer.pretrain(data, replace(carried, heads_from=str(tmp_path / "other.pt")), cpu, lambda line: None)


@pytest.mark.parametrize("extra, message", [
    ([], "--heads-from needs --resume"),
    (["--resume", "MODEL"], "--heads-from needs a read-out"),
])
def test_heads_from_needs_a_resume_and_a_read_out(capsys, tmp_path, extra, message):
    state = tmp_path / "stage0.pt"
    state.write_bytes(b"")
    with pytest.raises(SystemExit) as exit_info:
        trainer.main(["--data", "unused", "--tokenizer", TOKENIZER, "--out", "unused", "--device", "cpu",
                      "--heads-from", str(state), *extra])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_heads_from_a_missing_file_is_a_usage_error(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        trainer.main(["--data", "unused", "--tokenizer", TOKENIZER, "--out", "unused", "--device", "cpu",
                      "--resume", "MODEL", "--class-weight", "1", "--heads-from", str(tmp_path / "none.pt")])
    assert exit_info.value.code == 2
    assert f"--heads-from {tmp_path / 'none.pt'}: no such file" in capsys.readouterr().err

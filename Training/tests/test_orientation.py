"""stasclip.orientation: the ridge read-out, the sense of a turn, the sampled frames' object states, and a
run on the shipped default model (run by hand: python -m pytest Training/tests)."""
import json
import math
import os

import numpy as np
import pytest

from stasclip import synthetic
from stasclip.orientation import main, r_squared, readout, ridge_fit, ridge_predict, sampled_states, turn_sense

from conftest import ROOT

DEFAULT_MODEL = os.path.join(ROOT, "Models", "default")


def test_ridge_recovers_a_linear_map_and_not_noise():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 16))
    y = x @ rng.normal(size=(16, 2)) + 0.01 * rng.normal(size=(400, 2))
    fit = ridge_fit(x[:300], y[:300], 1e-4)
    assert r_squared(y[300:], ridge_predict(fit, x[300:])) > 0.99
    noise = rng.normal(size=(400, 2))
    groups = np.zeros(400, dtype=int)
    r2, _ = readout(x[:300], noise[:300], groups[:300], x[300:], noise[300:], groups[300:])
    assert r2 < 0.1


def test_turn_sense_follows_the_wrapped_steps():
    clockwise = np.array([[0.0, 0.5, 1.0, 1.5], [6.0, 6.2, 0.1, 0.4]])        # the second wraps past 2π
    assert turn_sense(clockwise).tolist() == [1, 1]
    assert turn_sense(clockwise[:, ::-1]).tolist() == [-1, -1]


def test_sampled_states_of_a_reversed_clip_turn_the_other_way():
    forward, backward = 4, 5                                                  # rotating clockwise, anticlockwise
    assert synthetic.CLASSES[forward].motion == "rotate" and synthetic.CLASSES[backward].reverse
    for index in range(3):
        a = synthetic.draw_params(forward, "train", synthetic.clip_rng(5, "train", forward, index))
        b = synthetic.draw_params(backward, "train", synthetic.clip_rng(5, "train", forward, index))
        picked_a, states_a = sampled_states(a, 8)
        picked_b, states_b = sampled_states(b, 8)
        assert picked_a == picked_b and len(states_a) == 8
        frames = synthetic.render_clip(b, 64)
        # Frame k of the reversed clip shows the forward path at step count − 1 − k.
        assert np.array_equal(frames[picked_b[0]], synthetic.render_clip(a, 64)[a["frames"] - 1 - picked_b[0]])
        angles_a = np.array([[s[2] for s in states_a]])
        angles_b = np.array([[s[2] for s in states_b]])
        assert turn_sense(angles_a).tolist() == [1] and turn_sense(angles_b).tolist() == [-1]
        assert all(math.isclose(s[3], 1.0) for s in states_a)


def test_silhouette_axis_is_the_trainers_target():
    params = synthetic.draw_params(4, "train", synthetic.clip_rng(2, "train", 4, 0))    # rotating clockwise
    count = params["frames"]
    expected = synthetic.frame_orientations(params)
    angles = [synthetic.object_state(params["objects"][0], k / (count - 1))[2] for k in range(count)]
    np.testing.assert_allclose(synthetic.silhouette_axis(params["shape"], np.array(angles)), expected, atol=1e-6)


def test_default_model_run_reports_every_layer(tmp_path, capsys):
    """Eight train and two test clips per class: the report's shape, and layer 0's class token (the same
    for every frame before any attention) reads out nothing: a constant prediction's R² is at most 0."""
    main([DEFAULT_MODEL, "--clips", "8", "--out", str(tmp_path / "orientation.json")])
    with open(tmp_path / "orientation.json") as f:
        report = json.load(f)
    assert report["features"] == ["layer 0", "layer 1", "layer 2", "layer 3", "layer 4", "layer 4 patches"]
    for motion in ("rotate", "rotate-axis", "translate-x", "translate-y"):
        assert [row["features"] for row in report[motion]] == report["features"]
        assert report[motion][0]["r2"] <= 1e-9
    assert all(0 <= row["sense_accuracy"] <= 100 for row in report["rotate"] + report["rotate-axis"])
    assert "sense" in capsys.readouterr().out


def test_too_few_clips_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        main([DEFAULT_MODEL, "--clips", "2"])
    assert stopped.value.code == 2 and "--clips must be 4 or more" in capsys.readouterr().err

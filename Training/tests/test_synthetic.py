"""The synthetic motion dataset generator: determinism, files, held-out compositions, time reversal, and that
single frames carry no class information within a reversed pair. Needs numpy, Pillow and ffmpeg, not torch."""
import copy
import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, TRAINING
from stasclip import synthetic
from stasclip.synthetic import (CLASSES, SHAPE_NAMES, SPLITS, SyntheticError, clip_rng, draw_params, generate,
                                held_out_shape, render_clip)

CLASS_INDEX = {c.name: n for n, c in enumerate(CLASSES)}
SIZE = 32
# Two runs whose clips overlap, with different counts and job counts.
SMALL_COUNTS = {"train": 2, "test": 1, "zeroshot": 1}
OTHER_COUNTS = {"train": 1, "zeroshot": 2}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp("synth") / "data")
    generate(out, SMALL_COUNTS, seed=3, size=SIZE, jobs=2)
    return out


@pytest.fixture(scope="module")
def manifest(dataset) -> dict:
    with open(os.path.join(dataset, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def plain(params: dict) -> dict:
    """The clip without background pattern, static distractor or camera jitter: only the moving objects."""
    params = copy.deepcopy(params)
    params["background"] = {"kind": "solid", "colour": params["background"]["colour"]}
    params["distractor"] = None
    params["jitter"] = [[0.0, 0.0]] * params["frames"]
    return params


def object_statistics(frames: np.ndarray, background) -> np.ndarray:
    """Per-frame pixel statistics of the pixels that differ from the solid background, (T, 14).

    Columns: present, area, centroid x, y, spreads sx, sy, cos 2θ, sin 2θ (second-moment orientation),
    mean R, G, B, cos φ, sin φ, and last φ itself: the direction of Σ r²·r over the object's pixels around
    the centroid, which turns with the object.
    """
    f = frames.astype(np.float32) / 255
    count, size = f.shape[:2]
    w = (np.abs(f - np.asarray(background, dtype=np.float32)).sum(-1) > 0.1).astype(np.float32)
    mass = w.sum((1, 2))
    m = np.maximum(mass, 1.0)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    cx, cy = (w * xs).sum((1, 2)) / m, (w * ys).sum((1, 2)) / m
    dx, dy = xs[None] - cx[:, None, None], ys[None] - cy[:, None, None]
    mxx, myy, mxy = ((w * dx * dx).sum((1, 2)) / m, (w * dy * dy).sum((1, 2)) / m, (w * dx * dy).sum((1, 2)) / m)
    theta = 0.5 * np.arctan2(2 * mxy, mxx - myy)
    colour = (f * w[..., None]).sum((1, 2)) / m[:, None]
    r2 = dx * dx + dy * dy
    phi = np.arctan2((w * r2 * dy).sum((1, 2)), (w * r2 * dx).sum((1, 2)))
    return np.column_stack([(mass > 0).astype(np.float32), mass / size**2, cx, cy, np.sqrt(mxx), np.sqrt(myy),
                            np.cos(2 * theta), np.sin(2 * theta), colour, np.cos(phi), np.sin(phi), phi])


def plain_statistics(class_index: int, index: int, seed: int = 11, size: int = 64) -> np.ndarray:
    """``object_statistics`` of the plain rendering of train clip ``index`` of a class."""
    p = plain(draw_params(class_index, "train", clip_rng(seed, "train", class_index, index)))
    return object_statistics(render_clip(p, size), p["background"]["colour"])


# Determinism ----------------------------------------------------------------------------------------------

def test_same_seed_same_frames_and_different_seed_different_frames():
    for class_index in range(len(CLASSES)):
        for split in SPLITS:
            a = render_clip(draw_params(class_index, split, clip_rng(0, split, class_index, 4)), 48)
            b = render_clip(draw_params(class_index, split, clip_rng(0, split, class_index, 4)), 48)
            c = render_clip(draw_params(class_index, split, clip_rng(1, split, class_index, 4)), 48)
            assert a.dtype == np.uint8 and a.shape[1:] == (48, 48, 3)
            assert np.array_equal(a, b)
            assert a.shape != c.shape or not np.array_equal(a, c)


def test_clips_do_not_depend_on_counts_or_jobs(dataset, manifest, tmp_path):
    other = str(tmp_path / "other")
    other_manifest = generate(other, OTHER_COUNTS, seed=3, size=SIZE, jobs=1)
    mine = {c["path"]: c for c in manifest["clips"]}
    shared = [c for c in other_manifest["clips"] if c["path"] in mine]
    # train 00000 of every class; zeroshot 00000 of every class.
    assert len(shared) == 2 * len(CLASSES)
    for clip in shared:
        assert clip == mine[clip["path"]]
        with open(os.path.join(dataset, clip["path"]), "rb") as f, open(os.path.join(other, clip["path"]), "rb") as g:
            assert f.read() == g.read(), clip["path"]


# Files ----------------------------------------------------------------------------------------------------

def test_list_files_are_well_formed(dataset):
    names = [c.name for c in CLASSES]
    for split, count in SMALL_COUNTS.items():
        with open(os.path.join(dataset, f"{split}.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        assert len(lines) == count * len(CLASSES)
        for line in lines:
            path, label = line.split("\t")
            assert label in names
            slug = label.replace(" ", "_")
            assert re.fullmatch(rf"{split}/{slug}/\d{{5}}\.mp4", path), path
            assert os.path.getsize(os.path.join(dataset, path)) > 0
        for name in names:
            assert sum(line.endswith("\t" + name) for line in lines) == count
    assert not [p for p, _, files in os.walk(dataset) for f in files if f.endswith(".part")]


def test_label_set_has_the_built_in_format():
    with open(os.path.join(ROOT, "Sources", "STClipLabelSets", "Data", "ucf101.json"), encoding="utf-8") as f:
        builtin = json.load(f)
    labels = synthetic.label_set()
    assert list(labels) == list(builtin)
    assert labels["name"] == "synthmotion" and labels["question"] == builtin["question"]
    assert labels["class_count"] == len(labels["classes"]) == 12
    assert [list(c) for c in labels["classes"]] == [list(builtin["classes"][0])] * 12
    assert [c["name"] for c in labels["classes"]] == [
        "moving left", "moving right", "moving up", "moving down", "rotating clockwise", "rotating anticlockwise",
        "growing", "shrinking", "appearing", "disappearing", "approaching", "separating"]
    assert len({c["text"] for c in labels["classes"]}) == 12
    # Shapes, colours and textures are distractors: no description may name one.
    forbidden = set(synthetic.PALETTE) | {"triangle", "arrow", "l-shape", "t-shape", "half-disc", "disc", "house",
                                      "square", "circle", "cross", "colour", "color", "coloured", "texture",
                                      "striped", "stripes", "checker", "checkered", "dots", "dotted", "shape"}
    sentences = {}
    for c in labels["classes"]:
        assert 2 <= len(c["descriptions"]) <= 3, c["name"]
        for d in c["descriptions"]:
            assert d.endswith(".") and 1 <= len(re.findall(r"[.!?](?=\s|$)", d)) <= 3, d
            assert len(d.split()) <= 55, d
            assert not re.match(r"^(It|They|This|These|He|She)\b", d), d
            assert not re.match(r"^(a|an|the)\s+(video|photo|clip)\s+of\b", d, re.I), d
            words = set(re.findall(r"[a-z-]+", d.lower()))
            assert not words & forbidden, (d, words & forbidden)
            for sentence in re.split(r"(?<=[.!?])\s+", d):
                assert sentence not in sentences, (c["name"], sentences.get(sentence))
                sentences[sentence] = c["name"]


def test_dataset_label_set_and_manifest(dataset, manifest):
    with open(os.path.join(dataset, "labelset.json"), encoding="utf-8") as f:
        assert json.load(f) == synthetic.label_set()
    first = subprocess.run(["ffmpeg", "-hide_banner", "-version"], capture_output=True, text=True,
                           check=True).stdout.splitlines()[0]
    assert manifest["ffmpeg"]["version"] == first.strip()
    assert manifest["seed"] == 3 and manifest["size"] == SIZE
    assert manifest["counts_per_class"] == SMALL_COUNTS
    assert manifest["clip_count"] == len(manifest["clips"]) == sum(SMALL_COUNTS.values()) * len(CLASSES)
    assert [c["held_out_shape"] for c in manifest["classes"]] == [SHAPE_NAMES[n // 2] for n in range(12)]
    for clip in manifest["clips"]:
        assert {"path", "split", "class", "index", "shape", "background", "objects", "distractor", "fps", "frames",
                "duration_s", "motion_params", "jitter"} <= set(clip)
        assert clip["objects"][0]["texture"]["kind"] in synthetic.TEXTURES
        assert "colour" in clip["objects"][0] and clip["background"]["kind"] in synthetic.BACKGROUNDS
        assert 8 <= clip["fps"] <= 12 and 1.4 <= clip["duration_s"] <= 2.6
        assert len(clip["jitter"]) == clip["frames"]
        # The manifest's parameters are the clip: they render the same frames as the clip's own generator.
        split, class_index = clip["split"], CLASS_INDEX[clip["class"]]
        drawn = draw_params(class_index, split, clip_rng(3, split, class_index, clip["index"]))
        assert np.array_equal(render_clip(clip, SIZE), render_clip(drawn, SIZE))


def ffprobe(path: str) -> dict:
    result = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                             "stream=codec_type,codec_name,pix_fmt,width,height,nb_read_frames,r_frame_rate",
                             "-of", "json", path], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def decode(path: str, size: int) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, size, size, 3)


def test_clips_decode_as_the_rendered_frames(dataset, manifest):
    for clip in manifest["clips"][::5]:
        path = os.path.join(dataset, clip["path"])
        streams = ffprobe(path)["streams"]
        assert len(streams) == 1, streams
        s = streams[0]
        assert (s["codec_type"], s["codec_name"], s["pix_fmt"]) == ("video", "h264", "yuv420p")
        assert (s["width"], s["height"]) == (SIZE, SIZE)
        assert int(s["nb_read_frames"]) == clip["frames"]
        assert s["r_frame_rate"] == f"{clip['fps']}/1"
        decoded = decode(path, SIZE).astype(np.float64)
        rendered = render_clip(clip, SIZE).astype(np.float64)
        assert decoded.shape == rendered.shape
        error = np.mean((decoded - rendered) ** 2)
        assert 10 * math.log10(255**2 / error) > 28, (clip["path"], error)
        # In order: the rendered frames played backwards are much further away than the encoding error.
        assert error < 0.5 * np.mean((decoded - rendered[::-1]) ** 2), clip["path"]


# Held-out compositions ------------------------------------------------------------------------------------

def test_zeroshot_compositions_are_disjoint_from_train_and_test(manifest):
    seen = {(c["class"], c["shape"]) for c in manifest["clips"] if c["split"] != "zeroshot"}
    held = {(c["class"], c["shape"]) for c in manifest["clips"] if c["split"] == "zeroshot"}
    assert held and seen and not held & seen
    # Over many drawn clips: train/test never show the held-out shape, moving or as distractor; zeroshot only it.
    for class_index, spec in enumerate(CLASSES):
        held_shape = held_out_shape(class_index)
        for split in SPLITS:
            shapes = set()
            for index in range(40):
                p = draw_params(class_index, split, clip_rng(0, split, class_index, index))
                moving = {o["shape"] for o in p["objects"]}
                assert moving == {p["shape"]}
                shapes |= moving
                assert p["distractor"] is None or p["distractor"]["shape"] != held_shape
            if split == "zeroshot":
                assert shapes == {held_shape}, spec.name
            else:
                assert held_shape not in shapes and len(shapes) >= 4, (spec.name, split, shapes)
    # Every shape is held out by exactly one pair, and from both of its classes.
    assert sorted(held_out_shape(n) for n in range(0, 12, 2)) == sorted(SHAPE_NAMES)
    assert all(held_out_shape(2 * p) == held_out_shape(2 * p + 1) for p in range(6))


# Motion and time reversal ---------------------------------------------------------------------------------

def test_reversed_classes_are_exact_time_reversals():
    for pair in range(6):
        forward, backward = (2 * pair, 2 * pair + 1) if not CLASSES[2 * pair].reverse else (2 * pair + 1, 2 * pair)
        assert CLASSES[forward].motion == CLASSES[backward].motion and CLASSES[backward].reverse
        for index in range(3):
            # The same generator: the two classes draw identical parameters...
            a = draw_params(forward, "train", clip_rng(5, "train", forward, index))
            b = draw_params(backward, "train", clip_rng(5, "train", forward, index))
            differing = {k for k in a if a[k] != b[k]}
            assert differing == {"class", "reverse"}
            # ...and the backward class shows the forward frames in reverse order.
            frames = render_clip(a, 64)
            assert np.array_equal(render_clip(b, 64), frames[::-1])
            assert not np.array_equal(frames, frames[::-1])


def test_reversal_partners_pair_each_class_with_its_time_reversal():
    names = [c.name for c in CLASSES]
    assert synthetic.reversal_partners(names) == [1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10]
    shuffled = ["separating", "moving up", "approaching", "moving down"]
    assert synthetic.reversal_partners(shuffled) == [2, 3, 0, 1]
    with pytest.raises(ValueError, match="synthetic classes only"):
        synthetic.reversal_partners(["moving left", "juggling"])
    with pytest.raises(ValueError, match="'moving right' missing"):
        synthetic.reversal_partners(["moving left", "moving up", "moving down"])


def unwrapped_turn(phi: np.ndarray) -> float:
    return float(np.sum(np.angle(np.exp(1j * np.diff(phi)))))


def test_each_class_moves_as_named():
    for index in range(6):
        s = {c.name: plain_statistics(n, index) for n, c in enumerate(CLASSES)}
        # Columns: 1 area, 2 centroid x, 3 centroid y, 4/5 spreads, 13 φ; y grows downwards.
        assert s["moving right"][-1, 2] - s["moving right"][0, 2] > 0.2
        assert s["moving left"][-1, 2] - s["moving left"][0, 2] < -0.2
        assert s["moving down"][-1, 3] - s["moving down"][0, 3] > 0.2
        assert s["moving up"][-1, 3] - s["moving up"][0, 3] < -0.2
        for name in ("moving right", "moving left"):
            assert np.ptp(s[name][:, 3]) < 0.02
        assert s["growing"][-1, 1] > 3 * s["growing"][0, 1]
        assert s["shrinking"][0, 1] > 3 * s["shrinking"][-1, 1]
        assert s["appearing"][0, 1] == 0 and s["appearing"][-1, 1] > 0
        assert s["disappearing"][0, 1] > 0 and s["disappearing"][-1, 1] == 0
        spread = {name: np.hypot(s[name][:, 4], s[name][:, 5]) for name in ("approaching", "separating")}
        assert spread["approaching"][-1] < 0.75 * spread["approaching"][0]
        assert spread["separating"][0] < 0.75 * spread["separating"][-1]
        # On screen (y down) a clockwise turn increases the angle of image vectors.
        assert unwrapped_turn(s["rotating clockwise"][:, 13]) > math.radians(45)
        assert unwrapped_turn(s["rotating anticlockwise"][:, 13]) < -math.radians(45)


def test_outline_elongation_of_known_polygons():
    square = np.array([(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)])
    np.testing.assert_allclose(synthetic.outline_elongation(square), [0.0, 0.0], atol=1e-12)
    # A 2 × 1 rectangle: μ20 = 4/12, μ02 = 1/12; the same turned a quarter turn, and listed the other way round.
    wide = np.array([(-1.0, -0.5), (1.0, -0.5), (1.0, 0.5), (-1.0, 0.5)])
    np.testing.assert_allclose(synthetic.outline_elongation(wide), [0.6, 0.0], atol=1e-12)
    np.testing.assert_allclose(synthetic.outline_elongation(wide[::-1, ::-1]), [-0.6, 0.0], atol=1e-12)
    # Turned by α the point (x, y) goes to (x cos α − y sin α, x sin α + y cos α) and the elongation turns by
    # 2α: at α = 45° the long axis runs towards the bottom right (y down).
    c = s = math.sqrt(0.5)
    np.testing.assert_allclose(synthetic.outline_elongation(wide @ np.array([[c, s], [-s, c]])), [0.0, 0.6], atol=1e-12)


def silhouette_elongation(frames: np.ndarray, background) -> np.ndarray:
    """(T, 2) (μ20 − μ02, 2μ11) / (μ20 + μ02) of the pixels that differ from a solid background."""
    f = frames.astype(np.float32) / 255
    w = (np.abs(f - np.asarray(background, dtype=np.float32)).sum(-1) > 0.1).astype(np.float32)
    ys, xs = np.mgrid[0:f.shape[1], 0:f.shape[2]] + 0.5
    m = w.sum((1, 2))
    cx, cy = (w * xs).sum((1, 2)) / m, (w * ys).sum((1, 2)) / m
    dx, dy = xs - cx[:, None, None], ys - cy[:, None, None]
    a, b, d = ((w * dx * dx).sum((1, 2)) / m, (w * dy * dy).sum((1, 2)) / m, (w * dx * dy).sum((1, 2)) / m)
    return np.stack([(a - b) / (a + b), 2 * d / (a + b)], 1)


def test_frame_orientations_are_the_moving_silhouettes_in_the_order_shown():
    for name in ("rotating clockwise", "rotating anticlockwise", "moving left", "growing"):
        c = CLASS_INDEX[name]
        params = plain(draw_params(c, "train", clip_rng(4, "train", c, 0)))
        params["objects"][0]["texture"] = {"kind": "solid"}
        count = params["frames"]
        orientation = synthetic.frame_orientations(params)
        assert orientation.shape == (count, 2) and orientation.dtype == np.float32
        # What the frames show: the silhouette's second moments, to pixel accuracy (the grown object's first
        # frames are a few pixels wide).
        measured = silhouette_elongation(render_clip(params, 64), params["background"]["colour"])
        tolerance = 0.25 if params["motion"] == "scale" else 0.1
        assert np.abs(measured - orientation).max() < tolerance
        length = np.hypot(orientation[:, 0], orientation[:, 1])
        np.testing.assert_allclose(length, np.hypot(*synthetic.SHAPE_ELONGATION[params["shape"]]), rtol=1e-5)
        if params["motion"] == "rotate":
            # The principal axis turns at twice the object's rate, in the object's sense.
            sense = unwrapped_turn(np.arctan2(orientation[:, 1], orientation[:, 0]))
            assert sense > 1.0 if name == "rotating clockwise" else sense < -1.0
        else:
            assert np.ptp(orientation, axis=0).max() == 0
    for name in ("appearing", "separating"):
        c = CLASS_INDEX[name]
        assert synthetic.frame_orientations(draw_params(c, "train", clip_rng(4, "train", c, 0))) is None


def test_angles_turn_clockwise_on_screen():
    def centroid(angle: float) -> tuple[float, float]:
        canvas = np.zeros((64, 64, 3), dtype=np.float32)
        synthetic.draw_object(canvas, "triangle", (32.0, 32.0), 20.0, angle, 1.0, (1.0, 1.0, 1.0), {"kind": "solid"})
        w = canvas[..., 0]
        ys, xs = np.mgrid[0:64, 0:64] + 0.5
        return (w * xs).sum() / w.sum() - 32, (w * ys).sum() / w.sum() - 32

    # The triangle's tip points up at angle 0, so its centroid lies 0.2 radii (4 px) below the centre; each
    # quarter turn clockwise on screen moves it from below to the left, then above.
    (x0, y0), (x1, y1), (x2, y2) = centroid(0.0), centroid(math.pi / 2), centroid(math.pi)
    assert abs(x0) < 0.2 and abs(y0 - 4) < 0.2
    assert abs(x1 + 4) < 0.2 and abs(y1) < 0.2
    assert abs(x2) < 0.2 and abs(y2 + 4) < 0.2


# No single frame tells a reversed pair apart ---------------------------------------------------------------

def linear_classifier(x_train, y_train, x_test):
    """Ridge least squares on standardized features with a bias, targets ±1: the predicted signs."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    a = np.column_stack([(x_train - mean) / std, np.ones(len(x_train))])
    w = np.linalg.solve(a.T @ a + 1e-2 * np.eye(a.shape[1]), a.T @ y_train)
    return np.sign(np.column_stack([(x_test - mean) / std, np.ones(len(x_test))]) @ w)


def nearest_neighbour(x_train, y_train, x_test):
    """1-NN in standardized feature space; a test frame with several nearest frames at exactly the same
    distance (an absent object's frames are all alike) takes their majority label.

    Distances are sums of squared differences, so that identical frames are exactly 0 apart: the expanded
    form |b|² − 2 b·a + |a|² leaves rounding noise from the BLAS kernel, which would pick one of the tied
    frames at random, differently on different CPUs."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    a, b = (x_train - mean) / std, (x_test - mean) / std
    distances = ((b[:, None, :] - a[None, :, :]) ** 2).sum(-1)                   # (test, train)
    nearest = distances == distances.min(1, keepdims=True)
    votes = (nearest * y_train[None]).sum(1)                                     # labels are ±1
    return np.where(votes != 0, np.sign(votes), y_train[distances.argmin(1)])


def single_frames(clips: list[list[np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every frame's statistics (φ itself dropped), its label ±1 and the number of its clip."""
    x = np.concatenate([s[:, :-1] for group in clips for s in group])
    y = np.concatenate([np.full(len(s), 2.0 * k - 1) for k, group in enumerate(clips) for s in group])
    clip = np.concatenate([np.full(len(s), n) for n, s in enumerate(s for group in clips for s in group)])
    return x, y, clip


def ordered_pairs(clips: list[list[np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames t and t + T/2 of every clip: statistics of the first, the change to the second, and the turn."""
    xs, ys, ns = [], [], []
    for n, (k, s) in enumerate((k, s) for k, group in enumerate(clips) for s in group):
        gap = len(s) // 2
        turn = np.angle(np.exp(1j * (s[gap:, -1] - s[:-gap, -1])))
        xs.append(np.column_stack([s[:-gap, :-1], s[gap:, :-1] - s[:-gap, :-1], turn]))
        ys.append(np.full(len(s) - gap, 2.0 * k - 1))
        ns.append(np.full(len(s) - gap, n))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ns)


def clip_accuracy(predicted: np.ndarray, truth: np.ndarray, clip: np.ndarray) -> tuple[float, float]:
    """Mean over test clips of each clip's fraction of correct frames, and its standard error.

    Frames of one clip share everything but time, so the clip is the independent unit.
    """
    per_clip = np.array([np.mean(predicted[clip == n] == truth[clip == n]) for n in np.unique(clip)])
    return float(per_clip.mean()), float(per_clip.std(ddof=1) / math.sqrt(len(per_clip)))


def test_single_frames_do_not_tell_a_reversed_pair_apart():
    """Per reversed pair, classifiers trained on single frames of 32 clips per class do no better than chance
    on single frames of 96 other clips per class, while they do tell the first half of a path from its second
    half, and the linear one given two frames in temporal order separates the pair.

    The clips are rendered without background pattern, distractor and jitter, so that the statistics describe
    the moving objects (presence, area, position, spread, orientation, colour) and have the power to see a
    difference; the ordered-pair control shows they have it. Any fixed classifier's expected accuracy on an
    exact reversal pair is 0.5; "no better than chance" is at most 3 standard errors above that.
    """
    single, halved, paired = [], [], []
    for pair in range(6):
        classes = (2 * pair, 2 * pair + 1)
        train = [[plain_statistics(c, i, size=SIZE) for i in range(32)] for c in classes]
        test = [[plain_statistics(c, 1000 + i, size=SIZE) for i in range(96)] for c in classes]
        x_train, y_train, _ = single_frames(train)
        x_test, y_test, clip = single_frames(test)
        for classify in (linear_classifier, nearest_neighbour):
            accuracy, error = clip_accuracy(classify(x_train, y_train, x_test), y_test, clip)
            single.append((CLASSES[classes[0]].name, classify.__name__, round(accuracy, 3), round(error, 3)))
            assert error < 0.04, single[-1]
            assert accuracy <= 0.5 + 3 * error, single[-1]
        # Power: the same single-frame classifiers tell the first half of the forward path from the second
        # half, the kind of difference a broken reversal would leak (not for rotation: angles start uniform).
        if CLASSES[classes[0]].motion != "rotate":
            halves = [[[s[:len(s) // 2] for s in group[0]], [s[len(s) // 2:] for s in group[0]]]
                      for group in (train, test)]
            h_train, g_train, _ = single_frames(halves[0])
            h_test, g_test, clip = single_frames(halves[1])
            for classify in (linear_classifier, nearest_neighbour):
                accuracy, error = clip_accuracy(classify(h_train, g_train, h_test), g_test, clip)
                halved.append((CLASSES[classes[0]].name, classify.__name__, round(accuracy, 3), round(error, 3)))
                assert accuracy >= 0.65, halved[-1]
        p_train, q_train, _ = ordered_pairs(train)
        p_test, q_test, clip = ordered_pairs(test)
        accuracy, error = clip_accuracy(linear_classifier(p_train, q_train, p_test), q_test, clip)
        paired.append((CLASSES[classes[0]].name, round(accuracy, 3), round(error, 3)))
        assert accuracy >= 0.85, paired[-1]
    print("single frames (pair, classifier, accuracy, standard error):", single)
    print("ordered pairs (pair, accuracy, standard error):", paired)
    print("halves of one class, single frames:", halved)


# Command line and errors ----------------------------------------------------------------------------------

def run_cli(*args: str, block_torch: bool = True) -> subprocess.CompletedProcess:
    """``python -m stasclip.synthetic ARGS`` with torch and transformers made unimportable."""
    prelude = "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None; " if block_torch else ""
    code = prelude + "import runpy; runpy.run_module('stasclip.synthetic', run_name='__main__', alter_sys=True)"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=TRAINING, capture_output=True, text=True,
                          timeout=300)


def test_command_line_runs_without_torch(tmp_path):
    out = tmp_path / "cli"
    result = run_cli(str(out), "--splits", "zeroshot,test", "--test-per-class", "1", "--zeroshot-per-class", "1",
                     "--size", "16", "--jobs", "2", "--seed", "9")
    assert result.returncode == 0, result.stderr
    assert "wrote 24 clips" in result.stderr
    assert sorted(os.listdir(out)) == ["labelset.json", "manifest.json", "test", "test.txt", "zeroshot",
                                       "zeroshot.txt"]
    with open(out / "manifest.json", encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["counts_per_class"] == {"test": 1, "zeroshot": 1} and manifest["seed"] == 9
    assert ffprobe(str(out / "zeroshot" / "growing" / "00000.mp4"))["streams"][0]["width"] == 16


@pytest.mark.parametrize("args, status, message", [
    (["--size", "33"], 1, "size must be even"),
    (["--size", "8"], 1, "size must be even and 16..1024"),
    (["--seed", "-1"], 1, "seed must be"),
    (["--splits", "train,validation"], 2, "--splits"),
    (["--splits", "train,train"], 2, "--splits"),
    (["--jobs", "0"], 2, "--jobs"),
    (["--train-per-class", "-3"], 2, "--train-per-class"),
    (["--train-per-class", "100000"], 2, "--train-per-class"),
])
def test_command_line_rejects_bad_arguments(tmp_path, args, status, message):
    result = run_cli(str(tmp_path / "out"), *args)
    assert result.returncode == status, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_command_line_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    result = run_cli(str(tmp_path), "--splits", "test", "--test-per-class", "1")
    assert result.returncode == 1 and "exists and is not an empty directory" in result.stderr
    assert os.listdir(tmp_path) == ["keep.txt"]


def test_zero_clips_per_class_gives_empty_lists(tmp_path):
    manifest = generate(str(tmp_path / "out"), {"train": 0, "zeroshot": 0}, jobs=2)
    assert manifest["clip_count"] == 0 and manifest["clips"] == []
    assert (tmp_path / "out" / "train.txt").read_text() == "" and (tmp_path / "out" / "zeroshot.txt").read_text() == ""


def test_missing_ffmpeg_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SyntheticError, match="ffmpeg is not on PATH"):
        generate(str(tmp_path / "out"), {"test": 1}, size=16)
    with pytest.raises(SyntheticError, match="ffmpeg is not on PATH"):
        synthetic.encode_clips([(np.zeros((2, 16, 16, 3), np.uint8), 10, str(tmp_path / "a.mp4"))])


def test_ffmpeg_failure_is_reported_and_leaves_no_partial_files(tmp_path):
    good = str(tmp_path / "good.mp4")
    missing = str(tmp_path / "no-such-directory" / "bad.mp4")
    frames = np.zeros((3, 16, 16, 3), np.uint8)
    with pytest.raises(SyntheticError, match="ffmpeg failed"):
        synthetic.encode_clips([(frames, 10, good), (frames, 10, missing)])
    assert os.listdir(tmp_path) == []
    with pytest.raises(SyntheticError, match="uint8"):
        synthetic.encode_clips([(frames.astype(np.float32), 10, good)])

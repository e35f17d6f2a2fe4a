"""Synthetic motion dataset: twelve classes that only motion and temporal order tell apart, as H.264 files.

    python -m stasclip.synthetic OUT_DIR [--train-per-class N] [--test-per-class N] [--zeroshot-per-class N]
                                 [--seed S] [--size 64] [--jobs J] [--splits train,test,zeroshot]

writes ``OUT/{split}/{class_slug}/{index:05d}.mp4``, the list files ``OUT/{split}.txt`` (``path<TAB>class``,
paths relative to OUT), ``OUT/labelset.json`` (stclip's label-set format) and ``OUT/manifest.json`` (every
clip's parameters). Needs only numpy, Pillow and the ``ffmpeg`` binary.

The classes come in six pairs whose second member is the exact time reversal of the first: both draw their
parameters with the same code from the same ranges, the clip is rendered along its path, and the second
class plays those frames backwards. So within a pair every single frame, and even the unordered set of
frames, is equally likely under both classes; only the order of the frames tells them apart.

Each clip's parameters come from its own generator seeded by (seed, split, class, index), so a clip does not
depend on ``--jobs`` or on the other counts. Rendering is numpy/Pillow only (4x supersampled coverage), so
the same seed gives byte-identical frames on the same numpy and Pillow versions.

Held-out compositions: pair p never shows shape ``SHAPES[p]`` as its moving object (nor as its static
distractor) in train and test; the zeroshot split shows exactly those (shape, motion) pairs. Holding the
shape out per pair, not per class, keeps each pair's shape distribution identical, so shape says nothing
about which member of a pair a clip belongs to.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing import Pool

import numpy as np
from PIL import Image, ImageDraw
from PIL import __version__ as PILLOW_VERSION

GENERATOR_VERSION = 1
SPLITS = ("train", "test", "zeroshot")
# Part of each clip's seed, so the three splits never share a clip.
SPLIT_IDS = {"train": 0, "test": 1, "zeroshot": 2}
QUESTION = "What are useful visual features for distinguishing {} in a video?"
# Subsamples per pixel side when rasterizing objects (coverage in steps of 1/16).
SUPERSAMPLE = 4
# Clips per ffmpeg process: each ffmpeg start costs ~0.15 s of CPU, each clip ~15 ms.
BATCH = 48
FFMPEG_OUTPUT_ARGS = ["-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-preset", "veryfast",
                      "-threads", "1", "-movflags", "+faststart"]
FFMPEG_TIMEOUT_S = 600


class SyntheticError(Exception):
    """The dataset could not be generated: bad arguments, a missing or failing ffmpeg, an unusable OUT_DIR."""


@dataclass(frozen=True)
class MotionClass:
    """One class: its name, its caption (the label set's ``text``) and descriptions, and how it moves.

    ``motion`` names the parameter drawing shared by the class and its reversed partner; ``reverse`` says the
    rendered path is played backwards.
    """
    name: str
    caption: str
    descriptions: tuple[str, ...]
    motion: str
    reverse: bool

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "_")


# In the order of the label set. Descriptions answer QUESTION about motion and temporal order only: shape,
# colour, texture and background are distractors that never identify a class.
CLASSES = (
    MotionClass("moving left", "an object moving to the left", (
        "A single object slides horizontally across the frame, starting near the right side and ending further "
        "to the left.",
        "The object's position changes steadily from frame to frame towards the left edge while its size and "
        "orientation stay the same.",
    ), "translate-x", True),
    MotionClass("moving right", "an object moving to the right", (
        "A single object slides horizontally across the frame, starting near the left side and ending further "
        "to the right.",
        "Frame after frame the object travels towards the right edge at a steady pace, without turning or "
        "changing size.",
    ), "translate-x", False),
    MotionClass("moving up", "an object moving upwards", (
        "A single object rises vertically through the frame, lower in the first frames and higher in the last.",
        "The object's height in the picture increases steadily over time while its sideways position, size "
        "and orientation stay fixed.",
    ), "translate-y", True),
    MotionClass("moving down", "an object moving downwards", (
        "A single object sinks vertically through the frame, higher in the first frames and lower in the last.",
        "Over time the object descends towards the bottom edge at a steady pace, keeping its sideways "
        "position, size and orientation.",
    ), "translate-y", False),
    MotionClass("rotating clockwise", "an object rotating clockwise", (
        "An object stays in place and turns about its centre in the same direction as the hands of a clock.",
        "From one frame to the next the object's outline is tilted a little further clockwise, the top "
        "swinging towards the right.",
    ), "rotate", False),
    MotionClass("rotating anticlockwise", "an object rotating anticlockwise", (
        "An object stays in place and turns about its centre against the direction of the hands of a clock.",
        "From one frame to the next the object's outline is tilted a little further anticlockwise, the top "
        "swinging towards the left.",
    ), "rotate", True),
    MotionClass("growing", "an object growing larger", (
        "An object stays in place while becoming steadily bigger, small in the first frames and large in the "
        "last.",
        "The object's outline expands evenly around a fixed centre over time, covering more of the picture "
        "with every frame.",
    ), "scale", False),
    MotionClass("shrinking", "an object shrinking", (
        "An object stays in place while becoming steadily smaller, large in the first frames and small in the "
        "last.",
        "The object's outline contracts evenly towards a fixed centre over time, covering less of the picture "
        "with every frame.",
    ), "scale", True),
    MotionClass("appearing", "an object appearing", (
        "The first frames show an empty scene, then partway through an object fades in or pops into view and "
        "remains until the end.",
        "Nothing occupies the spot at the start; later the object becomes visible there and stays still.",
    ), "fade", False),
    MotionClass("disappearing", "an object disappearing", (
        "An object is visible in the first frames, then partway through fades out or vanishes, leaving an "
        "empty scene until the end.",
        "The object stays still and fully visible at the start; later its spot becomes empty.",
    ), "fade", True),
    MotionClass("approaching", "two objects moving towards each other", (
        "Two objects start far apart and move along a straight line towards each other, ending close together.",
        "The gap between the two objects shrinks steadily from frame to frame, both travelling inwards at the "
        "same pace.",
    ), "pair", False),
    MotionClass("separating", "two objects moving apart", (
        "Two objects start close together and move along a straight line away from each other, ending far "
        "apart.",
        "The gap between the two objects widens steadily from frame to frame, both travelling outwards at the "
        "same pace.",
    ), "pair", True),
)
# The six motions in class order; pair p holds classes 2p and 2p + 1.
MOTIONS = ("translate-x", "translate-y", "rotate", "scale", "fade", "pair")


def _half_disc() -> list[tuple[float, float]]:
    # Flat side down, dome up: the arc of a unit circle centred at (0, 0.4), 25 points (y points down).
    return [(math.cos(a), 0.4 + math.sin(a)) for a in np.linspace(math.pi, 2 * math.pi, 25)]


# Unit outlines (x right, y down, radius about 1) around the rotation centre. None has a rotational symmetry,
# so every rotation by less than a full turn changes the picture.
SHAPES = {
    "triangle": [(0.0, -1.0), (0.75, 0.8), (-0.75, 0.8)],
    "arrow": [(-1.0, -0.28), (0.15, -0.28), (0.15, -0.7), (1.0, 0.0), (0.15, 0.7), (0.15, 0.28), (-1.0, 0.28)],
    "L-shape": [(-0.8, -1.0), (-0.25, -1.0), (-0.25, 0.45), (0.8, 0.45), (0.8, 1.0), (-0.8, 1.0)],
    "T-shape": [(-0.9, -1.0), (0.9, -1.0), (0.9, -0.45), (0.275, -0.45), (0.275, 1.0), (-0.275, 1.0),
                (-0.275, -0.45), (-0.9, -0.45)],
    "half-disc": _half_disc(),
    "house": [(0.0, -1.0), (0.85, -0.2), (0.85, 1.0), (-0.85, 1.0), (-0.85, -0.2)],
}
SHAPE_NAMES = tuple(SHAPES)
SHAPE_ARRAYS = {name: np.array(points, dtype=np.float64) for name, points in SHAPES.items()}
# Object colours before jitter (RGB in [0, 1]).
PALETTE = {
    "red": (0.86, 0.16, 0.14), "orange": (0.95, 0.55, 0.10), "yellow": (0.95, 0.85, 0.15),
    "green": (0.20, 0.70, 0.25), "teal": (0.10, 0.60, 0.60), "blue": (0.15, 0.35, 0.85),
    "purple": (0.50, 0.25, 0.75), "pink": (0.95, 0.50, 0.70), "brown": (0.50, 0.30, 0.15),
    "white": (0.95, 0.95, 0.95), "black": (0.08, 0.08, 0.08), "grey": (0.50, 0.50, 0.50),
}
TEXTURES = ("solid", "stripes", "checker", "dots")
BACKGROUNDS = ("solid", "gradient", "noise")
COLOUR_JITTER = 0.07
# Least RGB distance between an object's colour and every key colour of its background.
MIN_CONTRAST = 0.35
FPS_CHOICES = (8, 9, 10, 11, 12)
DURATION_S = (1.5, 2.5)
DISTRACTOR_PROBABILITY = 0.5
# Camera jitter: per-clip standard deviation as a fraction of the frame size, offsets clipped to the padding.
JITTER_STD = (0.0, 0.02)
JITTER_MAX = 0.03


def reversal_partners(class_names: list[str]) -> list[int]:
    """Per class of ``class_names`` (CLASSES' names, in any order) the index of the class whose clips are its
    clips played backwards (moving left ↔ moving right, …); raises ValueError for a name not in CLASSES."""
    known = {c.name: c for c in CLASSES}
    missing = [n for n in class_names if n not in known]
    if missing:
        raise ValueError(f"reversal partners are known for the synthetic classes only, not {missing}")
    index = {n: i for i, n in enumerate(class_names)}
    partners = []
    for name in class_names:
        c = known[name]
        partner = next(o.name for o in CLASSES if o.motion == c.motion and o.reverse != c.reverse)
        if partner not in index:
            raise ValueError(f"'{name}' has its reversal '{partner}' missing from the label set")
        partners.append(index[partner])
    return partners


def held_out_shape(class_index: int) -> str:
    """The shape that class ``class_index`` shows only in the zeroshot split: ``SHAPES[pair index]``."""
    return SHAPE_NAMES[class_index // 2]


def allowed_shapes(class_index: int, split: str) -> tuple[str, ...]:
    """The moving objects' possible shapes: the held-out one in zeroshot, every other one in train and test."""
    held = held_out_shape(class_index)
    return (held,) if split == "zeroshot" else tuple(s for s in SHAPE_NAMES if s != held)


def clip_rng(seed: int, split: str, class_index: int, index: int) -> np.random.Generator:
    """The generator of one clip's parameters, from (seed, split, class, index) alone."""
    return np.random.default_rng(np.random.SeedSequence([seed, SPLIT_IDS[split], class_index, index]))


def clip_path(split: str, class_index: int, index: int) -> str:
    """The clip's path relative to OUT_DIR."""
    return f"{split}/{CLASSES[class_index].slug}/{index:05d}.mp4"


# Parameters -----------------------------------------------------------------------------------------------

def _uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _colour_distance(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def _draw_background(rng: np.random.Generator) -> dict:
    kind = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
    colour = rng.uniform(0.1, 0.9, 3)
    if kind == "solid":
        return {"kind": kind, "colour": colour.tolist()}
    if kind == "gradient":
        other = np.clip(colour + rng.uniform(-0.3, 0.3, 3), 0.0, 1.0)
        return {"kind": kind, "colour": colour.tolist(), "colour2": other.tolist(),
                "angle": _uniform(rng, 0.0, 2 * math.pi)}
    return {"kind": kind, "colour": colour.tolist(), "amplitude": _uniform(rng, 0.03, 0.07),
            "grid": int(rng.integers(4, 9)), "noise_seed": int(rng.integers(2**31))}


def _background_keys(background: dict) -> list:
    """The colours an object must stand out from."""
    return [background["colour"]] + ([background["colour2"]] if "colour2" in background else [])


def _draw_appearance(rng: np.random.Generator, background: dict) -> dict:
    """Colour (palette entry + jitter, redrawn until it contrasts with the background) and texture."""
    keys = _background_keys(background)
    best = None
    # At most 32 draws; then the most contrasting one drawn, so a clip never fails for lack of contrast.
    for _ in range(32):
        name = list(PALETTE)[int(rng.integers(len(PALETTE)))]
        colour = np.clip(np.asarray(PALETTE[name]) + rng.uniform(-COLOUR_JITTER, COLOUR_JITTER, 3), 0.0, 1.0)
        contrast = min(_colour_distance(colour, k) for k in keys)
        if best is None or contrast > best[2]:
            best = (name, colour, contrast)
        if contrast >= MIN_CONTRAST:
            break
    name, colour, _ = best
    kind = TEXTURES[int(rng.integers(len(TEXTURES)))]
    texture = {"kind": kind}
    if kind != "solid":
        # The second texture colour is a darker or lighter version of the first.
        if rng.random() < 0.5:
            colour2 = colour * _uniform(rng, 0.4, 0.65)
        else:
            colour2 = colour + (1.0 - colour) * _uniform(rng, 0.4, 0.65)
        texture.update(colour2=colour2.tolist(), period=_uniform(rng, 0.35, 0.6), angle=_uniform(rng, 0.0, math.pi))
    return {"colour_name": name, "colour": colour.tolist(), "texture": texture}


def _object(shape: str, centre0, centre1, radius0: float, radius1: float, angle0: float, angle1: float,
            appearance: dict, fade: dict | None = None) -> dict:
    """An object's path: centre and angle linear in path time u ∈ [0, 1], radius geometric, optional fade-in."""
    return {"shape": shape, "centre": [list(map(float, centre0)), list(map(float, centre1))],
            "radius": [float(radius0), float(radius1)], "angle": [float(angle0), float(angle1)],
            "fade": fade, **appearance}


def _draw_motion(motion: str, rng: np.random.Generator, shape: str, background: dict,
                 duration: float) -> tuple[list[dict], dict]:
    """The moving objects along the forward path (u = 0 → 1) and the motion's own parameters.

    Positions are fractions of the frame (x right, y down); angles are radians, increasing clockwise on screen.
    """
    if motion in ("translate-x", "translate-y"):
        radius = _uniform(rng, 0.09, 0.15)
        margin = radius + 0.03
        distance = _uniform(rng, 0.30, 0.55)
        low = _uniform(rng, margin, 1.0 - margin - distance)
        across = _uniform(rng, margin, 1.0 - margin)
        angle = _uniform(rng, 0.0, 2 * math.pi)
        start, end = (low, across), (low + distance, across)
        if motion == "translate-y":
            start, end = start[::-1], end[::-1]
        objects = [_object(shape, start, end, radius, radius, angle, angle, _draw_appearance(rng, background))]
        return objects, {"distance": distance, "speed": distance / duration, "speed_unit": "frame widths/s"}
    if motion == "rotate":
        radius = _uniform(rng, 0.13, 0.20)
        margin = radius + 0.03
        centre = (_uniform(rng, margin, 1.0 - margin), _uniform(rng, margin, 1.0 - margin))
        turn = math.radians(_uniform(rng, 100.0, 240.0))
        angle = _uniform(rng, 0.0, 2 * math.pi)
        objects = [_object(shape, centre, centre, radius, radius, angle, angle + turn,
                           _draw_appearance(rng, background))]
        return objects, {"turn_degrees": math.degrees(turn), "speed": math.degrees(turn) / duration,
                         "speed_unit": "degrees/s"}
    if motion == "scale":
        small = _uniform(rng, 0.05, 0.09)
        ratio = _uniform(rng, 2.0, 3.0)
        margin = small * 3.0 + 0.03
        centre = (_uniform(rng, margin, 1.0 - margin), _uniform(rng, margin, 1.0 - margin))
        angle = _uniform(rng, 0.0, 2 * math.pi)
        objects = [_object(shape, centre, centre, small, small * ratio, angle, angle,
                           _draw_appearance(rng, background))]
        return objects, {"ratio": ratio, "speed": math.log(ratio) / duration, "speed_unit": "log size/s"}
    if motion == "fade":
        radius = _uniform(rng, 0.09, 0.16)
        margin = radius + 0.03
        centre = (_uniform(rng, margin, 1.0 - margin), _uniform(rng, margin, 1.0 - margin))
        angle = _uniform(rng, 0.0, 2 * math.pi)
        # Fully transparent until path time `start`, opaque from `start + length` (length 0: pops in).
        start = _uniform(rng, 0.25, 0.55)
        length = 0.0 if rng.random() < 0.5 else _uniform(rng, 0.1, 0.3)
        fade = {"start": start, "length": length}
        objects = [_object(shape, centre, centre, radius, radius, angle, angle, _draw_appearance(rng, background),
                           fade)]
        speed = None if length == 0.0 else 1.0 / (length * duration)
        return objects, {"fade_start": start, "fade_length": length, "pop": length == 0.0, "speed": speed,
                         "speed_unit": "opacity/s"}
    if motion == "pair":
        radius = _uniform(rng, 0.07, 0.11)
        far = _uniform(rng, 0.5, 0.7)
        near = 2 * radius + _uniform(rng, 0.0, 0.1)
        direction = _uniform(rng, 0.0, 2 * math.pi)
        # Both objects must fit at the far end: the midpoint keeps far/2 of room along each axis.
        half = np.abs(np.array([math.cos(direction), math.sin(direction)])) * far / 2
        low, high = radius + 0.02 + half, 1.0 - radius - 0.02 - half
        middle = np.array([_uniform(rng, low[0], high[0]), _uniform(rng, low[1], high[1])])
        unit = np.array([math.cos(direction), math.sin(direction)])
        objects = []
        for sign in (-1.0, 1.0):
            angle = _uniform(rng, 0.0, 2 * math.pi)
            objects.append(_object(shape, middle + sign * unit * far / 2, middle + sign * unit * near / 2,
                                   radius, radius, angle, angle, _draw_appearance(rng, background)))
        return objects, {"far": far, "near": near, "direction": direction, "speed": (far - near) / duration,
                         "speed_unit": "frame widths/s"}
    raise SyntheticError(f"unknown motion {motion!r}")


def draw_params(class_index: int, split: str, rng: np.random.Generator) -> dict:
    """Every parameter of one clip; ``render_clip`` needs nothing else.

    The two classes of a pair make exactly the same draws, so the same generator gives the same path and
    the second class is the first played backwards.
    """
    if not 0 <= class_index < len(CLASSES):
        raise SyntheticError(f"class index {class_index} out of range 0..{len(CLASSES) - 1}")
    if split not in SPLIT_IDS:
        raise SyntheticError(f"unknown split {split!r}; want one of {', '.join(SPLITS)}")
    spec = CLASSES[class_index]
    fps = int(FPS_CHOICES[int(rng.integers(len(FPS_CHOICES)))])
    frames = max(2, round(fps * _uniform(rng, *DURATION_S)))
    duration = frames / fps
    background = _draw_background(rng)
    shapes = allowed_shapes(class_index, split)
    shape = shapes[int(rng.integers(len(shapes)))]
    objects, motion = _draw_motion(spec.motion, rng, shape, background, duration)
    distractor = None
    if rng.random() < DISTRACTOR_PROBABILITY:
        # Static; any shape but the pair's held-out one, so that shape never appears with this motion
        # outside the zeroshot split.
        others = [s for s in SHAPE_NAMES if s != held_out_shape(class_index)]
        radius = _uniform(rng, 0.06, 0.10)
        centre = (_uniform(rng, radius, 1.0 - radius), _uniform(rng, radius, 1.0 - radius))
        angle = _uniform(rng, 0.0, 2 * math.pi)
        distractor = _object(others[int(rng.integers(len(others)))], centre, centre, radius, radius, angle, angle,
                             _draw_appearance(rng, background))
    jitter_std = _uniform(rng, *JITTER_STD)
    # One (dx, dy) camera offset per path step (frame index along the forward path), as fractions of the
    # frame size; rendering rounds them to whole pixels.
    jitter = np.clip(rng.normal(0.0, jitter_std, (frames, 2)), -JITTER_MAX, JITTER_MAX)
    return {"class": spec.name, "split": split, "motion": spec.motion, "reverse": spec.reverse, "fps": fps,
            "frames": frames, "duration_s": duration, "shape": shape, "background": background,
            "objects": objects, "motion_params": motion, "distractor": distractor, "jitter_std": jitter_std,
            "jitter": jitter.tolist()}


# Rendering ------------------------------------------------------------------------------------------------

def jitter_padding(size: int) -> int:
    """Pixels of scene kept around the frame on each side, the largest camera offset."""
    return max(1, math.ceil(JITTER_MAX * size))


def _render_background(background: dict, size: int, pad: int) -> np.ndarray:
    """The static scene behind the objects, (S + 2·pad, S + 2·pad, 3) float32 in [0, 1]."""
    side = size + 2 * pad
    colour = np.asarray(background["colour"], dtype=np.float32)
    if background["kind"] == "solid":
        return np.broadcast_to(colour, (side, side, 3)).copy()
    # Pixel centres as fractions of the frame, the frame's own pixels spanning [0, 1].
    axis = ((np.arange(side, dtype=np.float32) - pad + 0.5) / size)
    if background["kind"] == "gradient":
        angle = background["angle"]
        # t = 0.5 + (p − centre)·(cos a, sin a), clipped: colour at t = 0, colour2 at t = 1.
        t = np.clip(0.5 + (axis[None, :] - 0.5) * math.cos(angle) + (axis[:, None] - 0.5) * math.sin(angle), 0, 1)
        colour2 = np.asarray(background["colour2"], dtype=np.float32)
        return (colour + t[..., None].astype(np.float32) * (colour2 - colour)).astype(np.float32)
    if background["kind"] == "noise":
        # A grid × grid field of N(0, 1), bilinearly upsampled: smooth, low-contrast luminance blobs.
        grid = background["grid"]
        field = np.random.default_rng(background["noise_seed"]).standard_normal((grid, grid)).astype(np.float32)
        smooth = np.asarray(Image.fromarray(field).resize((side, side), Image.Resampling.BILINEAR), dtype=np.float32)
        return np.clip(colour + background["amplitude"] * smooth[..., None], 0.0, 1.0).astype(np.float32)
    raise SyntheticError(f"unknown background {background['kind']!r}")


def _texture_weight(texture: dict, lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """Where the second colour shows (1, else 0) at object-local points (units of the radius), float32."""
    kind = texture["kind"]
    period = np.float32(texture["period"])
    if kind == "stripes":
        a = texture["angle"]
        along = (lx * np.float32(math.cos(a)) + ly * np.float32(math.sin(a))) / period
        return (np.floor(along) % 2).astype(np.float32)
    if kind == "checker":
        return ((np.floor(lx / period) + np.floor(ly / period)) % 2).astype(np.float32)
    if kind == "dots":
        # Dots of radius 0.3·period on a square lattice of that period.
        qx, qy = lx / period, ly / period
        qx, qy = qx - np.rint(qx), qy - np.rint(qy)
        return (qx * qx + qy * qy < np.float32(0.09)).astype(np.float32)
    raise SyntheticError(f"unknown texture {kind!r}")


def draw_object(canvas: np.ndarray, shape: str, centre: tuple[float, float], radius: float, angle: float,
                opacity: float, colour, texture: dict) -> None:
    """Composites one object onto ``canvas`` (H, W, 3) float32 in place.

    ``centre`` and ``radius`` are in canvas pixels (pixel i spans [i, i + 1)); ``angle`` is in radians,
    clockwise on screen. The outline is rasterized at SUPERSAMPLE² points per pixel, where the texture is
    evaluated too, and both are box-averaged: premultiplied colour over coverage.
    """
    if opacity <= 0.0:
        return
    height, width = canvas.shape[:2]
    c, s = math.cos(angle), math.sin(angle)
    unit = SHAPE_ARRAYS[shape]
    xs = centre[0] + radius * (unit[:, 0] * c - unit[:, 1] * s)
    ys = centre[1] + radius * (unit[:, 0] * s + unit[:, 1] * c)
    x0, x1 = max(0, math.floor(xs.min())), min(width, math.ceil(xs.max()))
    y0, y1 = max(0, math.floor(ys.min())), min(height, math.ceil(ys.max()))
    if x1 <= x0 or y1 <= y0:
        return
    k = SUPERSAMPLE
    w, h = x1 - x0, y1 - y0
    mask_image = Image.new("L", (w * k, h * k), 0)
    # Pillow fills the subpixels whose integer coordinate lies inside; subpixel j's centre is at j + 0.5.
    ImageDraw.Draw(mask_image).polygon([((x - x0) * k - 0.5, (y - y0) * k - 0.5) for x, y in zip(xs, ys)],
                                       fill=255)
    mask = np.asarray(mask_image)
    colour = np.asarray(colour, dtype=np.float32)
    # Box average of k × k subpixels, mask 0..255: coverage in [0, 1].
    norm = np.float32(1.0 / (255 * k * k))
    coverage = mask.reshape(h, k, w, k).sum(axis=(1, 3), dtype=np.float32) * norm
    premultiplied = coverage[..., None] * colour
    if texture["kind"] != "solid":
        # Subpixel centres back in object-local coordinates: the inverse rotation of (p − centre), over radius.
        gx = ((x0 - centre[0] + (np.arange(w * k, dtype=np.float32) + 0.5) / k) / radius)[None, :]
        gy = ((y0 - centre[1] + (np.arange(h * k, dtype=np.float32) + 0.5) / k) / radius)[:, None]
        weight = _texture_weight(texture, gx * c + gy * s, gy * c - gx * s)
        colour2 = np.asarray(texture["colour2"], dtype=np.float32)
        # Mean over subpixels of mask · (c1 + t·(c2 − c1)) = coverage·c1 + mean(mask·t)·(c2 − c1).
        second = (mask * weight).reshape(h, k, w, k).sum(axis=(1, 3), dtype=np.float32) * norm
        premultiplied += second[..., None] * (colour2 - colour)
    region = canvas[y0:y1, x0:x1]
    region *= (1.0 - np.float32(opacity) * coverage)[..., None]
    region += np.float32(opacity) * premultiplied


def object_state(obj: dict, u: float) -> tuple[tuple[float, float], float, float, float]:
    """(centre, radius, angle, opacity) at path time u ∈ [0, 1]: centre and angle linear, radius geometric."""
    (cx0, cy0), (cx1, cy1) = obj["centre"]
    r0, r1 = obj["radius"]
    a0, a1 = obj["angle"]
    opacity = 1.0
    fade = obj["fade"]
    if fade is not None:
        if fade["length"] == 0.0:
            opacity = 1.0 if u >= fade["start"] else 0.0
        else:
            opacity = min(1.0, max(0.0, (u - fade["start"]) / fade["length"]))
    return (cx0 + u * (cx1 - cx0), cy0 + u * (cy1 - cy0)), r0 * (r1 / r0) ** u, a0 + u * (a1 - a0), opacity


def render_clip(params: dict, size: int) -> np.ndarray:
    """The clip's frames, (T, S, S, 3) uint8 RGB, from ``draw_params``' parameters alone.

    Frames are rendered along the forward path (step k at u = k / (T − 1), camera offset ``jitter[k]``);
    a reversed class returns them backwards.
    """
    pad = jitter_padding(size)
    scene = _render_background(params["background"], size, pad)
    distractor = params["distractor"]
    if distractor is not None:
        centre, radius, angle, _ = object_state(distractor, 0.0)
        draw_object(scene, distractor["shape"], (centre[0] * size + pad, centre[1] * size + pad), radius * size,
                    angle, 1.0, distractor["colour"], distractor["texture"])
    count = params["frames"]
    frames = np.empty((count, size, size, 3), dtype=np.uint8)
    for step in range(count):
        u = step / (count - 1)
        # Scene point p shows at p − offset: the camera moved by +offset.
        ox, oy = (int(np.clip(np.rint(j * size), -pad, pad)) for j in params["jitter"][step])
        frame = scene[pad + oy:pad + oy + size, pad + ox:pad + ox + size].copy()
        for obj in params["objects"]:
            centre, radius, angle, opacity = object_state(obj, u)
            draw_object(frame, obj["shape"], (centre[0] * size - ox, centre[1] * size - oy), radius * size, angle,
                        opacity, obj["colour"], obj["texture"])
        frames[step] = np.clip(np.rint(frame * 255.0), 0, 255).astype(np.uint8)
    return frames[::-1].copy() if params["reverse"] else frames


# Motions whose clip shows one moving object that is visible in every frame (frame_orientations is defined in
# all of them); fade's object is invisible at times and pair has two.
ORIENTED_MOTIONS = ("translate-x", "translate-y", "rotate", "scale")


def outline_elongation(points: np.ndarray) -> np.ndarray:
    """(2,) (μ20 − μ02, 2·μ11) / (μ20 + μ02) of the filled polygon `points` (N, 2) (x right, y down): the
    direction of its principal axis as a double angle, the length its elongation (0 for a disc, 1 for a line).
    Central second moments of the area from the polygon's edges (Green's theorem)."""
    x, y = points[:, 0], points[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y                                                    # (N,) twice each edge's triangle
    area = cross.sum() / 2
    cx, cy = ((x + x1) * cross).sum() / (6 * area), ((y + y1) * cross).sum() / (6 * area)
    mxx = ((x * x + x * x1 + x1 * x1) * cross).sum() / (12 * area) - cx * cx
    myy = ((y * y + y * y1 + y1 * y1) * cross).sum() / (12 * area) - cy * cy
    mxy = ((x * y1 + 2 * x * y + 2 * x1 * y1 + x1 * y) * cross).sum() / (24 * area) - cx * cy
    return np.array([mxx - myy, 2 * mxy]) / (mxx + myy)


SHAPE_ELONGATION = {name: outline_elongation(points) for name, points in SHAPE_ARRAYS.items()}


def frame_orientations(params: dict) -> np.ndarray | None:
    """(T, 2) the moving object's silhouette orientation in each of the clip's frames as render_clip returns
    them, or None unless the motion is in ORIENTED_MOTIONS: outline_elongation of its outline turned by θ,
    which is SHAPE_ELONGATION turned by 2θ. A picture statistic every shape shares (its principal axis), where
    θ itself is measured from each shape's own outline; steps of less than a quarter turn keep their sense."""
    if params["motion"] not in ORIENTED_MOTIONS:
        return None
    count = params["frames"]
    obj = params["objects"][0]
    angles = np.array([object_state(obj, step / (count - 1))[2] for step in range(count)])      # (T,)
    if params["reverse"]:
        angles = angles[::-1]
    return silhouette_axis(obj["shape"], angles).astype(np.float32)


def silhouette_axis(shape: str, angles: np.ndarray) -> np.ndarray:
    """(..., 2) outline_elongation of `shape` turned by each of `angles` (...,): SHAPE_ELONGATION turned by 2θ."""
    ex, ey = SHAPE_ELONGATION[shape]
    c, s = np.cos(2 * angles), np.sin(2 * angles)
    return np.stack([c * ex - s * ey, s * ex + c * ey], axis=-1)


# Encoding -------------------------------------------------------------------------------------------------

def ffmpeg_version() -> str:
    """The first line of ``ffmpeg -version``, e.g. ``ffmpeg version 5.1.6-0+deb12u1 ...``."""
    try:
        result = subprocess.run(["ffmpeg", "-hide_banner", "-version"], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise SyntheticError("ffmpeg is not on PATH; install it (Debian: apt-get install ffmpeg)") from None
    except subprocess.TimeoutExpired:
        raise SyntheticError("ffmpeg -version did not answer within 60 s") from None
    if result.returncode != 0 or not result.stdout.strip():
        raise SyntheticError(f"ffmpeg -version failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
    return result.stdout.splitlines()[0].strip()


def _feed(fd: int, data: bytes, failures: list) -> None:
    """Writes one clip's raw frames into its pipe; a closed pipe (ffmpeg gave up) is recorded, not raised."""
    try:
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except BrokenPipeError as error:
        failures.append(error)


def encode_clips(clips: list[tuple[np.ndarray, int, str]]) -> None:
    """Encodes (frames (T, S, S, 3) uint8, fps, path) clips as H.264 yuv420p mp4, all in one ffmpeg process.

    Each clip's frames go in as rawvideo rgb24 through a pipe of its own (ffmpeg input ``pipe:FD``), since
    starting ffmpeg costs ten times more CPU than encoding a 64 × 64 clip. Every output has its own encoder
    with one thread, so the bytes of a clip do not depend on the batch it was encoded in. Each file is
    written under a temporary name and renamed when ffmpeg succeeded.
    """
    if not clips:
        return
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"]
    pipes = [os.pipe() for _ in clips]
    try:
        for (frames, fps, _), (read_end, _) in zip(clips, pipes):
            if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
                raise SyntheticError(f"frames must be (T, H, W, 3) uint8, got {frames.shape} {frames.dtype}")
            args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{frames.shape[2]}x{frames.shape[1]}",
                     "-framerate", str(fps), "-i", f"pipe:{read_end}"]
        for i, (_, _, path) in enumerate(clips):
            args += ["-map", f"{i}:v:0", *FFMPEG_OUTPUT_ARGS, "-f", "mp4", "-y", path + ".part"]
        try:
            process = subprocess.Popen(args, pass_fds=[r for r, _ in pipes], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise SyntheticError("ffmpeg is not on PATH; install it (Debian: apt-get install ffmpeg)") from None
    except BaseException:
        for read_end, write_end in pipes:
            os.close(read_end)
            os.close(write_end)
        raise
    for read_end, _ in pipes:
        os.close(read_end)
    failures: list = []
    writers = [threading.Thread(target=_feed, args=(w, np.ascontiguousarray(frames).tobytes(), failures))
               for (frames, _, _), (_, w) in zip(clips, pipes)]
    for writer in writers:
        writer.start()
    try:
        _, stderr = process.communicate(timeout=FFMPEG_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise SyntheticError(f"ffmpeg did not finish {len(clips)} clips within {FFMPEG_TIMEOUT_S} s") from None
    finally:
        for writer in writers:
            writer.join()
    if process.returncode != 0 or failures:
        for _, _, path in clips:
            if os.path.exists(path + ".part"):
                os.remove(path + ".part")
        message = stderr.decode(errors="replace").strip()[-2000:]
        raise SyntheticError(f"ffmpeg failed (exit {process.returncode}) on {clips[0][2]} and "
                             f"{len(clips) - 1} more: {message or 'no message'}")
    for _, _, path in clips:
        os.replace(path + ".part", path)


# The dataset ----------------------------------------------------------------------------------------------

def _make_batch(job: tuple[str, int, int, list[tuple[str, int, int]]]) -> list[dict]:
    """Worker: (out_dir, seed, size, [(split, class index, index)]) → the clips drawn, rendered, encoded.

    Returns each clip's manifest entry: its path and index, then ``draw_params``' parameters.
    """
    out_dir, seed, size, items = job
    clips, params = [], []
    for split, class_index, index in items:
        p = draw_params(class_index, split, clip_rng(seed, split, class_index, index))
        path = clip_path(split, class_index, index)
        clips.append((render_clip(p, size), p["fps"], os.path.join(out_dir, path)))
        params.append({"path": path, "index": index, **p})
    encode_clips(clips)
    return params


def label_set() -> dict:
    """The dataset's label set in the format of stclip's built-in ones (Sources/STClipLabelSets/Data)."""
    return {
        "name": "synthmotion",
        "title": "Synthetic motions",
        "class_count": len(CLASSES),
        "names_source": (
            f"stasclip.synthetic (Training/stasclip/synthetic.py, generator version {GENERATOR_VERSION}): twelve "
            "classes of rendered clips defined by motion and temporal order, in six pairs that are exact time "
            "reversals of each other (moving left/right, moving up/down, rotating clockwise/anticlockwise, "
            "growing/shrinking, appearing/disappearing, approaching/separating), so that no single frame tells "
            "the two classes of a pair apart. Shape, colour, texture, background, speed, position, a static "
            "distractor object and camera jitter are drawn per clip as distractors."),
        "descriptions_source": (
            "Written by Claude (Anthropic), a large language model, answering the seed paper's question, "
            "\"What are useful visual features for distinguishing {class} in a video?\", with two answers per "
            "class of one or two sentences that describe only the motion and the order of events over time, "
            "never a shape, colour or texture, since those are distractors drawn independently of the class. "
            "Checked by Training/tests/test_synthetic.py: 2-3 non-empty descriptions per class, no two equal, "
            "one to three sentences, at most 55 words, no shape or colour word."),
        "question": QUESTION,
        "classes": [{"name": c.name, "text": c.caption, "descriptions": list(c.descriptions)} for c in CLASSES],
    }


def _write_json(path: str, value: dict, one_line_each: str | None = None) -> None:
    """Writes ``value`` indented, except that the entries of its list ``one_line_each`` take a line each."""
    head = {k: v for k, v in value.items() if k != one_line_each}
    text = json.dumps(head, indent=1, ensure_ascii=False)
    if one_line_each is not None:
        rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in value[one_line_each])
        text = text[:-2] + f',\n {json.dumps(one_line_each)}: [\n{rows}\n ]\n}}'
    with open(path + ".part", "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(path + ".part", path)


def generate(out_dir: str, counts: dict[str, int], seed: int = 0, size: int = 64, jobs: int = 1,
             progress=None) -> dict:
    """Writes the dataset to ``out_dir`` (created; must be empty) and returns its manifest.

    ``counts`` maps each split to generate (train, test, zeroshot) to clips per class. ``manifest.json`` is
    written last, so a directory without it holds an interrupted run.
    """
    unknown = sorted(set(counts) - set(SPLITS))
    if unknown:
        raise SyntheticError(f"unknown split(s) {', '.join(unknown)}; want some of {', '.join(SPLITS)}")
    if not counts:
        raise SyntheticError("no split to generate")
    for split, count in counts.items():
        if not 0 <= count <= 99999:
            raise SyntheticError(f"{split}: clips per class must be 0..99999, got {count}")
    if not 0 <= seed < 2**63:
        raise SyntheticError(f"seed must be 0..2^63-1, got {seed}")
    if size < 16 or size > 1024 or size % 2:
        raise SyntheticError(f"size must be even and 16..1024 (yuv420p halves the chroma), got {size}")
    if jobs < 1:
        raise SyntheticError(f"jobs must be at least 1, got {jobs}")
    version = ffmpeg_version()
    if os.path.exists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
        raise SyntheticError(f"{out_dir} exists and is not an empty directory")
    splits = [s for s in SPLITS if s in counts]
    items = [(s, c, i) for s in splits for c in range(len(CLASSES)) for i in range(counts[s])]
    for split in splits:
        for spec in CLASSES:
            os.makedirs(os.path.join(out_dir, split, spec.slug), exist_ok=True)
    # Batches small enough that every worker gets some, at most BATCH clips per ffmpeg process.
    batch = max(1, min(BATCH, math.ceil(len(items) / jobs)))
    work = [(out_dir, seed, size, items[i:i + batch]) for i in range(0, len(items), batch)]
    clips: list[dict] = []
    if jobs == 1 or len(work) <= 1:
        for job in work:
            clips += _make_batch(job)
            if progress:
                progress(len(clips), len(items))
    else:
        with Pool(min(jobs, len(work))) as pool:
            for done in pool.imap_unordered(_make_batch, work):
                clips += done
                if progress:
                    progress(len(clips), len(items))
    class_order = {c.name: n for n, c in enumerate(CLASSES)}
    clips.sort(key=lambda p: (SPLITS.index(p["split"]), class_order[p["class"]], p["index"]))
    for split in splits:
        lines = [f"{p['path']}\t{p['class']}\n" for p in clips if p["split"] == split]
        with open(os.path.join(out_dir, f"{split}.txt"), "w", encoding="utf-8") as f:
            f.writelines(lines)
    _write_json(os.path.join(out_dir, "labelset.json"), label_set())
    manifest = {
        "generator": "stasclip.synthetic",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "size": size,
        "counts_per_class": {s: counts[s] for s in splits},
        "clip_count": len(clips),
        "classes": [{"name": c.name, "slug": c.slug, "caption": c.caption, "motion": c.motion,
                     "reverse": c.reverse, "held_out_shape": held_out_shape(n)} for n, c in enumerate(CLASSES)],
        "held_out": (
            "Class pair p (classes 2p and 2p + 1, the same motion forwards and backwards) never shows shape "
            "shapes[p] in train or test, neither moving nor as the static distractor; the zeroshot split's "
            "moving objects are exactly those held-out (shape, class) compositions."),
        "reversal": (
            "Classes with reverse = true play the frames of their partner's path backwards; both draw their "
            "parameters with the same code, so each pair is an exact time reversal in distribution."),
        "coordinates": (
            "Positions and radii are fractions of the frame size, x right, y down; angles in radians, "
            "increasing clockwise on screen; centre/radius/angle hold [start, end] of the forward path, centre "
            "and angle linear in path time u, radius geometric; jitter holds one (dx, dy) camera offset per "
            "path step as fractions of the frame size, rounded to whole pixels."),
        "shapes": SHAPE_NAMES,
        "palette": PALETTE,
        "textures": TEXTURES,
        "backgrounds": BACKGROUNDS,
        "ffmpeg": {"version": version, "output_args": FFMPEG_OUTPUT_ARGS},
        "numpy": np.__version__,
        "pillow": PILLOW_VERSION,
        "clips": clips,
    }
    _write_json(os.path.join(out_dir, "manifest.json"), manifest, one_line_each="clips")
    return manifest


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"want a positive integer, got {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 99999:
        raise argparse.ArgumentTypeError(f"want 0..99999, got {text}")
    return value


def _splits(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in SPLITS]
    if not names or unknown or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"want distinct names from {','.join(SPLITS)}, got {text!r}")
    return names


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit status (0, 1 on a generation error; argparse exits 2 on bad usage)."""
    parser = argparse.ArgumentParser(prog="python -m stasclip.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", metavar="OUT_DIR", help="new or empty directory to write the dataset to")
    parser.add_argument("--train-per-class", type=_count, default=200, metavar="N")
    parser.add_argument("--test-per-class", type=_count, default=40, metavar="N")
    parser.add_argument("--zeroshot-per-class", type=_count, default=40, metavar="N")
    parser.add_argument("--seed", type=int, default=0, metavar="S")
    parser.add_argument("--size", type=int, default=64, help="frame side in pixels, even (default 64)")
    parser.add_argument("--jobs", type=_positive_int, default=os.cpu_count() or 1, metavar="J",
                        help="worker processes (default: the CPU count)")
    parser.add_argument("--splits", type=_splits, default=list(SPLITS), help="default: train,test,zeroshot")
    args = parser.parse_args(argv)
    per_class = {"train": args.train_per_class, "test": args.test_per_class, "zeroshot": args.zeroshot_per_class}
    counts = {s: per_class[s] for s in args.splits}
    start = time.monotonic()

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total} clips", end="", file=sys.stderr, flush=True)

    try:
        manifest = generate(args.out_dir, counts, seed=args.seed, size=args.size, jobs=args.jobs,
                            progress=progress if sys.stderr.isatty() else None)
    except SyntheticError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - start
    total = manifest["clip_count"]
    print(f"\rwrote {total} clips to {args.out_dir} in {elapsed:.1f} s ({total / max(elapsed, 1e-9):.1f} clips/s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train- and test-mode frame sampling and preprocessing, step for step the Swift sampler's
(Sources/STClipVideo: SegmentSampler, Timeline.frame(at:), FramePreprocessor), so that a model trained
here sees at training time what stclip feeds it at inference time.

Random draws come from SplitMix64 seeded per clip, in this order: for each clip c, for each segment k, one
unit u → time start + (k + u)·duration/T; then for each clip one multi-scale crop: a unit picking one of the
ten (width, height) scale pairs of TSN's multi-scale crop (scales {256, 224, 192, 168}/256 of the resized
short side, the two scales at most one step apart), then a unit each for the x and the y offset.

Needs numpy and Pillow only (no torch).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

MASK64 = (1 << 64) - 1

# Section 4.2: crop sides {256, 224, 192, 168} → 224, as fractions of the resized short side.
CROP_SCALES = (256, 224, 192, 168)
# TSN's GroupMultiScaleCrop with max_distort = 1: (width scale, height scale) index pairs, row-major.
CROP_PAIRS = tuple((i, j) for i in range(4) for j in range(4) if abs(i - j) <= 1)


class SplitMix64:
    """Steele, Lea & Flood's SplitMix64: the generator of the Swift sampler, same stream."""

    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_unit(self) -> float:
        """Uniform in [0, 1): the top 53 bits over 2^53."""
        return (self.next() >> 11) * 2.0 ** -53


@dataclass(frozen=True)
class CropDraw:
    """One clip's multi-scale crop, before the resized frame size is known."""
    pair: int      # index into CROP_PAIRS
    fx: float      # unit for the x offset
    fy: float      # unit for the y offset

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the crop in a width × height resized frame."""
        short = min(width, height)
        i, j = CROP_PAIRS[self.pair]
        w, h = short * CROP_SCALES[i] // 256, short * CROP_SCALES[j] // 256
        return int(self.fx * (width - w + 1)), int(self.fy * (height - h + 1)), w, h


def segment_times(start: float, duration: float, frames: int, clips: int = 1,
                  seed: int | None = None) -> tuple[list[list[float]], list[CropDraw]]:
    """TSN segment sampling: test mode (seed None) takes `(k + (c + ½)/C)·duration/T`; train mode a
    SplitMix64 point per segment, then one CropDraw per clip. Returns (times[clip][segment], crops)."""
    segment = duration / frames
    if seed is None:
        return [[start + (k + (c + 0.5) / clips) * segment for k in range(frames)] for c in range(clips)], []
    generator = SplitMix64(seed)
    times = [[start + (k + generator.next_unit()) * segment for k in range(frames)] for _ in range(clips)]
    crops = []
    for _ in range(clips):
        pair = min(len(CROP_PAIRS) - 1, int(generator.next_unit() * len(CROP_PAIRS)))
        crops.append(CropDraw(pair, generator.next_unit(), generator.next_unit()))
    return times, crops


def frame_at(presentation: np.ndarray, seconds: float) -> int:
    """The shown frame whose display interval holds `seconds`: the last one presented at or before it
    (within a nanosecond), or the first frame for earlier times. `presentation` is increasing."""
    index = int(np.searchsorted(presentation, seconds + 1e-9, side="right")) - 1
    return max(0, index)


@dataclass(frozen=True)
class Preprocessing:
    """The parts of preprocessor_config.json the sampler uses (shortest-edge resize, centre crop)."""
    shortest_edge: int
    crop_height: int
    crop_width: int
    resample: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    rescale_factor: float = 1 / 255

    @classmethod
    def from_json(cls, config: dict) -> "Preprocessing":
        size, crop = config["size"], config["crop_size"]
        if "shortest_edge" not in size:
            raise ValueError("the trainer supports size {shortest_edge: S} only")
        return cls(shortest_edge=int(size["shortest_edge"]), crop_height=int(crop["height"]),
                   crop_width=int(crop["width"]), resample=int(config.get("resample", 3)),
                   mean=tuple(config["image_mean"]), std=tuple(config["image_std"]),
                   rescale_factor=float(config.get("rescale_factor", 1 / 255)))

    def resized_size(self, width: int, height: int) -> tuple[int, int]:
        """transformers' shortest-edge output size: the long side truncated, as the Swift sampler."""
        s = self.shortest_edge
        if width <= height:
            return s, int(s * height / width)
        return int(s * width / height), s

    def resize(self, frame: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 → the shortest-edge resized (h, w, 3) uint8, with PIL's filter."""
        height, width = frame.shape[:2]
        w, h = self.resized_size(width, height)
        return np.asarray(Image.fromarray(frame).resize((w, h), resample=self.resample))

    def crop(self, resized: np.ndarray, draw: CropDraw | None) -> np.ndarray:
        """Test mode (draw None): the centre crop. Train mode: the drawn multi-scale box, resized to the
        crop size with PIL's filter. (h, w, 3) uint8 → (crop_height, crop_width, 3) uint8."""
        height, width = resized.shape[:2]
        ch, cw = self.crop_height, self.crop_width
        if draw is None:
            if ch > height or cw > width:
                raise ValueError("the centre crop is larger than the resized frame")
            y, x = (height - ch) // 2, (width - cw) // 2
            return resized[y:y + ch, x:x + cw]
        x, y, w, h = draw.box(width, height)
        box = Image.fromarray(np.ascontiguousarray(resized[y:y + h, x:x + w]))
        return np.asarray(box.resize((cw, ch), resample=self.resample))

    def normalize(self, crops: np.ndarray) -> np.ndarray:
        """(..., H, W, 3) uint8 → (..., 3, H, W) float32: float32(float64(v)·rescale), then (x − mean)/std
        in float32, as the Swift lookup table."""
        table = np.stack([((np.arange(256, dtype=np.float64) * self.rescale_factor).astype(np.float32)
                           - np.float32(self.mean[c])) / np.float32(self.std[c]) for c in range(3)])  # (3, 256)
        out = np.stack([table[c][crops[..., c]] for c in range(3)], axis=-3)
        return out.astype(np.float32)

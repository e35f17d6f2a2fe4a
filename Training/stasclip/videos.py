"""Video lists (`path<TAB>label` per line) decoded once into an in-memory frame cache for training.

Each video's frames are decoded in display order, converted to RGB, and resized to the preprocessor's
shortest edge (the first step of the Swift sampler, identical per frame, so doing it once is exact); the
cache keeps those uint8 frames with their presentation times and the time the last frame stops being shown.
Decoding uses PyAV when it is installed (its rgb24 conversion is the Swift sampler's SWS_BILINEAR), else
OpenCV's bundled FFmpeg (the GPU machines have OpenCV, not PyAV; its YUV→RGB conversion may differ by a
level or two).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from .sampling import Preprocessing


@dataclass
class DecodedVideo:
    """One video of the cache."""
    frames: np.ndarray         # (N, h, w, 3) uint8, shortest-edge resized
    presentation: np.ndarray   # (N,) float64 seconds each frame is shown from, increasing
    end: float                 # seconds the last frame stops being shown
    label: int                 # class index
    orientation: np.ndarray | None = None  # (N, 2) a synthetic clip's moving silhouette's orientation per frame
                                           # (synthetic.frame_orientations), None where not known


def read_list(path: str, class_names: list[str]) -> list[tuple[str, int]]:
    """`path<TAB>label` lines → (absolute path, class index); relative paths are taken from the list's
    folder. Unknown labels and malformed lines raise, naming the line."""
    index = {name: i for i, name in enumerate(class_names)}
    root = os.path.dirname(os.path.abspath(path))
    items = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                raise ValueError(f"{path}:{number}: expected 'path<TAB>label', got {line!r}")
            video, label = parts
            if label not in index:
                raise ValueError(f"{path}:{number}: unknown label {label!r}")
            items.append((video if os.path.isabs(video) else os.path.join(root, video), index[label]))
    if not items:
        raise ValueError(f"{path}: no videos")
    return items


def _decode_pyav(path: str) -> tuple[list[np.ndarray], list[float], float]:
    import av
    with av.open(path) as container:
        stream = container.streams.video[0]
        base = float(stream.time_base)
        frames, times, durations = [], [], []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            times.append(float(frame.pts) * base)
            durations.append(float(frame.duration or 0) * base)
        rate = float(stream.average_rate or 0)
    step = durations[-1] if durations and durations[-1] > 0 else (1 / rate if rate > 0 else 0.0)
    return frames, times, (times[-1] + step) if times else 0.0


def _decode_opencv(path: str) -> tuple[list[np.ndarray], list[float], float]:
    import cv2
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise OSError(f"{path}: OpenCV cannot open it")
    rate = capture.get(cv2.CAP_PROP_FPS)
    if not rate > 0:
        raise OSError(f"{path}: no frame rate")
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    times = [i / rate for i in range(len(frames))]
    return frames, times, len(frames) / rate


def decode(path: str, label: int, preprocessing: Preprocessing) -> DecodedVideo:
    """Decodes one video into the cache's form."""
    try:
        import av  # noqa: F401
    except ImportError:
        try:
            import cv2  # noqa: F401
        except ImportError:
            raise ImportError("decoding videos needs PyAV (pip install av, in requirements.txt) or OpenCV") from None
        frames, times, end = _decode_opencv(path)
    else:
        frames, times, end = _decode_pyav(path)
    if not frames:
        raise OSError(f"{path}: no frames decoded")
    order = np.argsort(np.asarray(times), kind="stable")
    resized = np.stack([preprocessing.resize(frames[i]) for i in order])
    return DecodedVideo(frames=resized, presentation=np.asarray(times, dtype=np.float64)[order], end=end, label=label)


def _decode_item(args):
    return decode(*args)


def decode_list(items: list[tuple[str, int]], preprocessing: Preprocessing, jobs: int | None = None) -> list[DecodedVideo]:
    """Decodes every (path, label) with a process pool."""
    return _pool_map(_decode_item, [(path, label, preprocessing) for path, label in items], jobs, chunksize=16)


def _pool_map(function, work: list, jobs: int | None, chunksize: int) -> list:
    """`function` over `work` in a pool of `jobs` processes (default one per core; 1: in this process)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        return [function(w) for w in work]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(function, work, chunksize=chunksize))


# ============================================================================================
# Synthetic clips rendered on the fly
# ============================================================================================

def yuv420_round_trip(frames: np.ndarray) -> np.ndarray:
    """What H.264 yuv420p does to RGB frames besides quantisation: BT.601 limited-range YUV, chroma averaged
    over 2×2 blocks and spread back bilinearly, back to RGB. (N, H, W, 3) uint8, H and W even."""
    rgb = frames.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    v = 128 + 0.439 * r - 0.368 * g - 0.071 * b

    def subsample(c: np.ndarray) -> np.ndarray:
        n, h, w = c.shape
        small = c.reshape(n, h // 2, 2, w // 2, 2).mean(axis=(2, 4))                       # (N, H/2, W/2)
        # Bilinear upsampling with centred samples (edge-clamped), as swscale's SWS_BILINEAR.
        def up(a, axis):
            size = a.shape[axis]
            pos = (np.arange(2 * size) + 0.5) / 2 - 0.5
            lo = np.clip(np.floor(pos).astype(int), 0, size - 1)
            hi = np.clip(lo + 1, 0, size - 1)
            t = np.clip(pos - np.floor(pos), 0, 1).astype(np.float32)
            shape = [1] * a.ndim
            shape[axis] = -1
            return np.take(a, lo, axis=axis) * (1 - t.reshape(shape)) + np.take(a, hi, axis=axis) * t.reshape(shape)
        return up(up(small, 1), 2)

    u, v = subsample(u), subsample(v)
    yy = (y - 16) * 1.164
    out = np.stack([yy + 1.596 * (v - 128), yy - 0.392 * (u - 128) - 0.813 * (v - 128), yy + 2.017 * (u - 128)], -1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _render_item(args) -> DecodedVideo:
    seed, split, class_index, index, size, preprocessing = args
    from . import synthetic
    params = synthetic.draw_params(class_index, split, synthetic.clip_rng(seed, split, class_index, index))
    frames = yuv420_round_trip(synthetic.render_clip(params, size))
    fps = params["fps"]
    resized = np.stack([preprocessing.resize(f) for f in frames])
    return DecodedVideo(frames=resized, presentation=np.arange(len(frames)) / fps, end=len(frames) / fps,
                        label=class_index, orientation=synthetic.frame_orientations(params))


def render_split(seed: int, per_class: int, split: str, preprocessing: Preprocessing, size: int = 64,
                 jobs: int | None = None) -> list[DecodedVideo]:
    """`per_class` synthetic clips per class of `split` (stasclip.synthetic's draws for `seed`), rendered
    without the encoder — an unbounded training set — with yuv420p's chroma loss emulated."""
    from . import synthetic
    work = [(seed, split, c, i, size, preprocessing) for c in range(len(synthetic.CLASSES)) for i in range(per_class)]
    return _pool_map(_render_item, work, jobs, chunksize=32)

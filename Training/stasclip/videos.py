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
        frames, times, end = _decode_pyav(path)
    except ImportError:
        frames, times, end = _decode_opencv(path)
    if not frames:
        raise OSError(f"{path}: no frames decoded")
    order = np.argsort(np.asarray(times), kind="stable")
    resized = np.stack([preprocessing.resize(frames[i]) for i in order])
    return DecodedVideo(frames=resized, presentation=np.asarray(times, dtype=np.float64)[order], end=end, label=label)


def _decode_item(args):
    return decode(*args)


def decode_list(items: list[tuple[str, int]], preprocessing: Preprocessing, jobs: int | None = None) -> list[DecodedVideo]:
    """Decodes every (path, label) with a process pool."""
    jobs = jobs or os.cpu_count() or 1
    work = [(path, label, preprocessing) for path, label in items]
    if jobs == 1:
        return [_decode_item(w) for w in work]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_decode_item, work, chunksize=16))

#!/usr/bin/env python3
"""Frame sampler benchmark: stclip's sampler beside PyAV, same videos, same T=8 test-mode sampling
(centre of each of 8 equal segments of presentation time), both ending in CLIP's preprocessing
(shortest side to 224 with PIL-identical bicubic, centre crop 224, normalised float32).

  python3 Scripts/bench/sampler_vs_pyav.py [--scratch DIR] [--runs N] [--stclip PATH]

Videos are generated with the ffmpeg CLI into a scratch directory (not committed). Per video it
prints the median wall time of:
  pyav-seek      PyAV: for each target, seek to the keyframe before it, decode forward to the frame
                 whose display interval contains it, convert that frame (PyAV's default threading)
  pyav-straight  PyAV: decode the stream once up to the last target, convert the frames chosen
  stclip         this package, in-process time as `stclip sample-frames` reports it (open, scan,
                 decode, preprocess; process start-up and writing the .npy excluded), at 1 and 2
                 decoder threads. Each call samples the video WARM_RUNS + 1 times in one process:
                 the figures are the median of the runs after the first (a warm process, as a
                 server's is after its first request, and as PyAV's is here, where it runs many
                 times in this script's process); `2t-cold` is the first run at 2 threads (a fresh
                 process: page faults for the decoder's buffers and one-time set-up included)
and the ratio of stclip to PyAV's faster strategy (the median of per-run ratios: the strategies take
turns run by run). PyAV's resize is Pillow's, on the same frames.
Because a shared machine makes wall time noisy, it also prints CPU seconds of the same work: PyAV's
faster strategy (this process's CPU time) and stclip at 1 thread (`processCPUSeconds` from its
timing: the sampler's request, start-up and .npy writing excluded).
Run it with nothing else busy on the machine, and quote `uptime` with the figures.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import time

import av
import numpy as np
from PIL import Image

T = 8
WARM_RUNS = 3
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)

VIDEOS = {
    "720p-h264-gop60.mp4": ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10",
                            "-c:v", "libx264", "-g", "60", "-pix_fmt", "yuv420p"],
    "360p-h264-gop250.mp4": ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "10",
                             "-c:v", "libx264", "-g", "250", "-pix_fmt", "yuv420p"],
    "1080p-h264.mp4": ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "10",
                       "-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "720p-hevc.mp4": ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10",
                      "-c:v", "libx265", "-x265-params", "log-level=none", "-tag:v", "hvc1", "-pix_fmt", "yuv420p"],
    # Frames alternately 20 ms and 46 ms apart, so time and frame count disagree.
    "720p-h264-vfr.mkv": ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10",
                          "-vf", "settb=1/1000,setpts=(33*N+13*mod(N\\,2))/1000/TB", "-fps_mode", "passthrough",
                          "-enc_time_base:v", "1:1000", "-c:v", "libx264", "-g", "60", "-pix_fmt", "yuv420p"],
}


def make_videos(scratch):
    scratch.mkdir(parents=True, exist_ok=True)
    for name, args in VIDEOS.items():
        path = scratch / name
        if not path.exists():
            subprocess.run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", *args, str(path)], check=True)


def preprocess(rgb):
    """CLIP's preprocessing with Pillow: shortest side 224 (bicubic), centre crop, normalise, CHW."""
    img = Image.fromarray(rgb)
    w, h = img.size
    if w <= h:
        size = (224, int(224 * h / w))
    else:
        size = (int(224 * w / h), 224)
    img = img.resize(size, resample=Image.BICUBIC)
    left, top = (size[0] - 224) // 2, (size[1] - 224) // 2
    x = np.asarray(img.crop((left, top, left + 224, top + 224)), dtype=np.float32) / 255.0
    return ((x - MEAN) / STD).transpose(2, 0, 1)


def targets(container, stream):
    """Segment centres in seconds, from the container's start time and duration (what PyAV users have)."""
    start = (stream.start_time or 0) * float(stream.time_base)
    duration = float(stream.duration * stream.time_base) if stream.duration else container.duration / 1e6
    return [start + (k + 0.5) * duration / T for k in range(T)]


def pyav_seek(path):
    out = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        tb = float(stream.time_base)
        for t in targets(container, stream):
            container.seek(int(t / tb), stream=stream, backward=True)
            chosen = None
            for frame in container.decode(stream):
                if frame.pts * tb <= t + 1e-9:
                    chosen = frame
                else:
                    break
            out.append(preprocess((chosen or frame).to_ndarray(format="rgb24")))
    return np.stack(out)


def pyav_straight(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        tb = float(stream.time_base)
        wanted = targets(container, stream)
        chosen = [None] * T
        for frame in container.decode(stream):
            t = frame.pts * tb
            if t > wanted[-1] + 1e-9 and chosen[-1] is not None:
                break  # every target has its frame: the rest of the stream is not needed
            for k, target in enumerate(wanted):
                if t <= target + 1e-9:
                    chosen[k] = frame
        return np.stack([preprocess(f.to_ndarray(format="rgb24")) for f in chosen])


def stclip(binary, path, threads, out, cpu=False):
    """(cold, warm): the first run's figure and the median of the warm runs' (wall or CPU seconds)."""
    # The CLI links OpenBLAS for its model commands; its thread pool would otherwise start and spin
    # beside the decoder although sample-frames does no linear algebra.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    result = subprocess.run([binary, "sample-frames", str(path), "--frames", str(T), "--threads", str(threads),
                             "--repeat", str(WARM_RUNS + 1), "--out", str(out)],
                            check=True, capture_output=True, text=True, env=env)
    runs = json.loads(result.stdout)["runTimings"]
    if cpu:
        figures = [t["processCPUSeconds"] for t in runs]
    else:
        figures = [sum(t[k] for k in ("openSeconds", "scanSeconds", "decodeSeconds", "preprocessSeconds")) for t in runs]
    return figures[0], statistics.median(figures[1:])


def seconds(fn):
    """Wall seconds of one call of `fn`."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_seconds(fn):
    """CPU seconds of one call of `fn` in this process (PyAV decodes on the calling thread)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scratch", default="/tmp/stclip-sampler-bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stclip", default=str(pathlib.Path(__file__).resolve().parents[2] / ".build" / "release" / "stclip"))
    args = parser.parse_args()
    scratch = pathlib.Path(args.scratch)
    make_videos(scratch)
    print(f"uptime: {os.popen('uptime').read().strip()}")
    print(f"{'video':24} {'pyav-seek':>10} {'pyav-straight':>14} {'stclip-1t':>10} {'stclip-2t':>10} {'2t-cold':>8}"
          f" {'ratio-1t':>9} {'ratio-2t':>9} {'ratio-cold':>10} {'cpu-pyav':>9} {'cpu-1t':>8} {'cpu-ratio':>9}")
    for name in VIDEOS:
        path = scratch / name
        # The four take turns run by run, so that a drift in the machine's speed reaches all of them
        # alike; each ratio is the median of the per-run ratios to PyAV's faster strategy (the one
        # with the lower median).
        times = {"seek": [], "straight": [], 1: [], 2: [], "cold": []}
        for _ in range(args.runs):
            times["seek"].append(seconds(lambda: pyav_seek(path)))
            times["straight"].append(seconds(lambda: pyav_straight(path)))
            for n in (1, 2):
                cold, warm = stclip(args.stclip, path, n, scratch / "out.npy")
                times[n].append(warm)
                if n == 2:
                    times["cold"].append(cold)
        seek, straight = statistics.median(times["seek"]), statistics.median(times["straight"])
        ours = {n: statistics.median(times[n]) for n in (1, 2, "cold")}
        strategy = "seek" if seek < straight else "straight"
        ratio = {n: statistics.median(o / p for o, p in zip(times[n], times[strategy])) for n in (1, 2, "cold")}
        faster = {"seek": pyav_seek, "straight": pyav_straight}[strategy]
        cpu_pyav, cpu_runs = [], []
        for _ in range(args.runs):
            cpu_pyav.append(cpu_seconds(lambda: faster(path)))
            cpu_runs.append(stclip(args.stclip, path, 1, scratch / "out.npy", cpu=True)[1])
        cpu_ratio = statistics.median(o / p for o, p in zip(cpu_runs, cpu_pyav))
        cpu_pyav, cpu_ours = statistics.median(cpu_pyav), statistics.median(cpu_runs)
        # Same frames, same pixels: stclip's tensor against PyAV's straight-through one.
        ours_pixels = np.load(scratch / "out.npy")[0]
        diff = np.abs(ours_pixels - pyav_straight(path)).max()
        print(f"{name:24} {seek * 1e3:8.0f}ms {straight * 1e3:12.0f}ms {ours[1] * 1e3:8.0f}ms {ours[2] * 1e3:8.0f}ms "
              f"{ours['cold'] * 1e3:6.0f}ms {ratio[1]:8.2f}x {ratio[2]:8.2f}x {ratio['cold']:9.2f}x "
              f"{cpu_pyav * 1e3:7.0f}ms {cpu_ours * 1e3:6.0f}ms {cpu_ratio:8.2f}x"
              f"   max |stclip - pyav| {diff:.3g}")


if __name__ == "__main__":
    main()

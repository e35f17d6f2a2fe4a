"""Where a model loses the sense of a turn: ridge read-outs of each sampled frame's object orientation
(cos θ, sin θ) from the class token of every vision layer and from the last layer's patch tokens, fitted
on rotating clips of the train split and scored on those of the test split (R², one read-out per shape,
since orientation is measured from each shape's own outline), and the sense of the turn (clockwise or
not) decided from the read-out angles of a clip's consecutive frames. The same for the silhouette's
principal axis as a double angle ("rotate-axis", what the trainer's --orientation-weight asks for: θ and
θ + π share one axis, so a model that holds the axis reads out at R² ≈ 0 on θ), and for the position (x, y)
of translating objects, as a control of the read-outs: a layer that says where an object is but not how it is turned has the detail of
the first and not of the second.

  python -m stasclip.orientation MODEL [--clips 200] [--seed 7] [--out orientation.json]

MODEL is an exported checkpoint directory (stasclip.train --out) trained on stasclip.synthetic's classes;
the clips are rendered now (stasclip.synthetic's draws for --seed, yuv420p emulated, no encoder) and
sampled in the Swift sampler's test mode."""
from __future__ import annotations

import argparse
import math

import numpy as np
import torch

from . import synthetic
from .probe import load_exported, parse_tool_arguments, write_report
from .sampling import Preprocessing, frame_at, segment_times
from .videos import yuv420_round_trip


def ridge_fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ridge regression of y `(N, K)` on standardised x `(N, F)` in its dual form (N ≤ a few thousand):
    returns (mean, std, weights `(F + 1, K)`) for ridge_predict; l2 is relative to the mean squared row norm."""
    mean, std = x.mean(0), x.std(0) + 1e-6
    z = np.concatenate([(x - mean) / std, np.ones((len(x), 1))], axis=1)      # (N, F+1)
    gram = z @ z.T                                                            # (N, N)
    alpha = np.linalg.solve(gram + l2 * np.trace(gram) / len(z) * np.eye(len(z)), y)
    return mean, std, z.T @ alpha


def ridge_predict(model: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    mean, std, w = model
    return np.concatenate([(x - mean) / std, np.ones((len(x), 1))], axis=1) @ w


def r_squared(truth: np.ndarray, predicted: np.ndarray) -> float:
    """1 − SSE / SST over all columns of `(N, K)` targets."""
    return float(1 - ((truth - predicted) ** 2).sum() / ((truth - truth.mean(0)) ** 2).sum())


def turn_sense(angles: np.ndarray) -> np.ndarray:
    """+1 where a clip's angles `(N, T)` (radians, clockwise on screen) turn clockwise in sum, else −1; each
    step is wrapped into (−π, π]."""
    steps = np.angle(np.exp(1j * np.diff(angles, axis=1)))
    return np.where(steps.sum(1) > 0, 1, -1)


def sampled_states(params: dict, frames: int) -> tuple[list[int], list[tuple]]:
    """The test-mode sampled frame indices of a rendered clip and the moving object's (centre, radius, angle,
    opacity) in each: frame k of a reversed class is forward step count − 1 − k."""
    count, fps = params["frames"], params["fps"]
    times, _ = segment_times(0.0, count / fps, frames)
    picked = [frame_at(np.arange(count) / fps, t) for t in times[0]]
    steps = [count - 1 - k if params["reverse"] else k for k in picked]
    return picked, [synthetic.object_state(params["objects"][0], s / (count - 1)) for s in steps]


def render_set(motion: str, split: str, per_class: int, seed: int, preprocessing: Preprocessing, frames: int):
    """Pixels `(N, T, 3, H, W)`, each sampled frame's object state and the clips' shapes, for the classes of
    one motion."""
    pixels, states, shapes = [], [], []
    for c, spec in enumerate(synthetic.CLASSES):
        if spec.motion != motion:
            continue
        for i in range(per_class):
            params = synthetic.draw_params(c, split, synthetic.clip_rng(seed, split, c, i))
            video = yuv420_round_trip(synthetic.render_clip(params, 64))
            picked, clip_states = sampled_states(params, frames)
            crops = [preprocessing.crop(preprocessing.resize(video[k]), None) for k in picked]
            pixels.append(preprocessing.normalize(np.stack(crops)))
            states.append(clip_states)
            shapes.append(params["shape"])
    return torch.from_numpy(np.stack(pixels)), states, shapes


@torch.no_grad()
def layer_features(model, pixels: torch.Tensor) -> list[np.ndarray]:
    """Per vision layer (input first), each sampled frame's class token `(N·T, D)`; then the last layer's
    patch tokens side by side `(N·T, N_p·D)`, what the aux head reads."""
    out = [[] for _ in range(model.config.vision_config.num_hidden_layers + 2)]
    for batch in pixels.split(64):
        video = model.encode_video(batch)
        for layer, state in enumerate(video.hidden_states):
            out[layer].append(state[:, 0].float().numpy())
        out[-1].append(video.hidden_states[-1][:, 1:].flatten(1).float().numpy())
    return [np.concatenate(o) for o in out]


L2_GRID = (1e-3, 1e-2, 1e-1, 1.0, 10.0)


def readout(train_x, train_y, train_groups, test_x, test_y, test_groups) -> tuple[float, np.ndarray]:
    """Test R² of one ridge read-out per group (shape) and the test predictions; each group's l2 is the one of
    L2_GRID that scores best on the last fifth of its train rows when fitted on the rest."""
    predicted = np.zeros_like(test_y)
    for group in sorted(set(test_groups)):
        x, y = train_x[train_groups == group], train_y[train_groups == group]
        cut = len(x) * 4 // 5
        l2 = max(L2_GRID, key=lambda l: r_squared(y[cut:], ridge_predict(ridge_fit(x[:cut], y[:cut], l), x[cut:])))
        predicted[test_groups == group] = ridge_predict(ridge_fit(x, y, l2), test_x[test_groups == group])
    return r_squared(test_y, predicted), predicted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--clips", type=int, default=200, help="train clips per class (test clips: a quarter)")
    parser.add_argument("--seed", type=int, default=7)
    args = parse_tool_arguments(parser, argv)
    if args.clips < 4:
        parser.error("--clips must be 4 or more: each shape's read-out needs train rows to choose its l2 on")
    model, preprocessor = load_exported(args.model)
    preprocessing, frames = Preprocessing.from_json(preprocessor), model.config.num_frames
    layers = model.config.vision_config.num_hidden_layers
    names = [f"layer {i}" for i in range(layers + 1)] + [f"layer {layers} patches"]
    report = {"model": args.model, "clips": args.clips, "seed": args.seed, "features": names}
    rendered = {}
    for key, motion, what in (("rotate", "rotate", "orientation"), ("rotate-axis", "rotate", "axis"),
                              ("translate-x", "translate-x", "position"), ("translate-y", "translate-y", "position")):
        if motion not in rendered:
            rendered[motion] = {}
            for split, count in (("train", args.clips), ("test", max(1, args.clips // 4))):
                pixels, states, shapes = render_set(motion, split, count, args.seed, preprocessing, frames)
                rendered[motion][split] = (layer_features(model, pixels), states, shapes)
        sets = {}
        for split, (features, states, shapes) in rendered[motion].items():
            if what == "orientation":
                target = np.array([[[math.cos(s[2]), math.sin(s[2])] for s in clip] for clip in states])
            elif what == "axis":
                target = np.stack([synthetic.silhouette_axis(shape, np.array([s[2] for s in clip]))
                                   for clip, shape in zip(states, shapes)])                  # (N, T, 2)
            else:
                target = np.array([[list(s[0]) for s in clip] for clip in states])       # (N, T, 2)
            sets[split] = (features, target, np.repeat(np.array(shapes), frames), states)
        (train_f, train_t, train_g, _), (test_f, test_t, test_g, test_states) = sets["train"], sets["test"]
        rows = []
        for name, train_x, test_x in zip(names, train_f, test_f):
            r2, predicted = readout(train_x, train_t.reshape(-1, 2), train_g, test_x, test_t.reshape(-1, 2), test_g)
            row = {"features": name, "r2": r2}
            if what != "position":
                # The axis is a double angle: its steps are twice the object's, in the same sense.
                angles = np.arctan2(predicted[:, 1], predicted[:, 0]).reshape(-1, frames)
                truth = turn_sense(np.array([[s[2] for s in clip] for clip in test_states]))
                row["sense_accuracy"] = 100 * float((turn_sense(angles) == truth).mean())
            rows.append(row)
        report[key] = rows
        print(f"{key} ({what} read-out, test R² per feature set"
              f"{'; sense of the turn from the read-out angles' if what != 'position' else ''}):")
        for row in rows:
            sense = f"  sense {row['sense_accuracy']:5.1f}%" if "sense_accuracy" in row else ""
            print(f"  {row['features']:16}  R² {row['r2']:6.3f}{sense}")
    if args.out:
        write_report(args.out, report)


if __name__ == "__main__":
    main()

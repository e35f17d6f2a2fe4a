"""A training stage's state on disk, so that a stage stopped at any step (a killed process, the end of a
machine's lease) continues exactly where it stopped: the same weights, optimizer moments, schedule, batches
and random draws as a run that was never stopped.

One file per stage (`stage0.pt`, `stage1.pt`, `stage2.pt`) in the run's checkpoint directory, written
atomically (a temporary file renamed over the last one), so a kill while writing leaves the previous state.
A state written by a different run (another recipe, other training clips) is refused, never mixed in.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

# Recipe fields that do not change what a stage computes: when it must end, how batches are built (the same
# batches either way), compilation (the same module's parameters) and where and how often states are kept.
NEUTRAL_FIELDS = ("deadline", "workers", "compile", "checkpoint", "checkpoint_minutes")


class CheckpointMismatch(ValueError):
    """The checkpoint directory holds a state of another run; its message names the differing fields."""


@dataclass
class StagePosition:
    """Where a stage is: `epoch` epochs done and `batch` batches of the next, `step` optimizer steps in all,
    out of `epochs` epochs and `total` steps (a time limit may have shortened both)."""
    epoch: int
    batch: int
    step: int
    epochs: int
    total: int


def stage_path(directory: str, stage: int) -> str:
    return os.path.join(directory, f"stage{stage}.pt")


def run_fingerprint(recipe, stage: int, labels: list[int]) -> dict:
    """What must match for a state to continue this stage: the recipe (less NEUTRAL_FIELDS), the stage, and the
    training clips' count and labels in order."""
    fields = {k: v for k, v in asdict(recipe).items() if k not in NEUTRAL_FIELDS}
    digest = hashlib.sha256(np.asarray(labels, dtype=np.int64).tobytes()).hexdigest()
    return {"recipe": fields, "stage": stage, "train_clips": len(labels), "train_labels_sha256": digest}


def save_stage(path: str, fingerprint: dict, position: StagePosition, model: nn.Module,
               optimizer: torch.optim.Optimizer, heads: dict[str, nn.Module], text_rng: np.random.Generator,
               device: torch.device) -> None:
    """Writes the stage's state to `path` atomically."""
    state = {"fingerprint": fingerprint, "position": asdict(position),
             "model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "heads": {k: h.state_dict() for k, h in heads.items()},
             "text_rng": text_rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
             "cuda_rng": torch.cuda.get_rng_state(device) if device.type == "cuda" else None}
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temporary = path + ".partial"
    torch.save(state, temporary)
    os.replace(temporary, path)


def load_stage(path: str, fingerprint: dict, defaults: dict, model: nn.Module, optimizer: torch.optim.Optimizer,
               heads: dict[str, nn.Module], text_rng: np.random.Generator,
               device: torch.device) -> StagePosition | None:
    """Restores the state at `path` into the given objects and returns its position; None when there is no
    state. Raises CheckpointMismatch when the state is another run's (`fingerprint` from run_fingerprint;
    `defaults`, the recipe's default per field, stands in for fields the state predates)."""
    if not os.path.exists(path):
        return None
    saved = torch.load(path, map_location=device, weights_only=False)
    old, new = saved["fingerprint"], fingerprint
    # A recipe field newer than the state counts as its default there: the trainer then behaved as the default.
    before = {**{k: defaults.get(k) for k in new["recipe"]}, **old["recipe"]}
    keys = sorted(set(before) | set(new["recipe"]))
    differing = [f"{k}: {before.get(k)!r} there, {new['recipe'].get(k)!r} here" for k in keys
                 if before.get(k) != new["recipe"].get(k)]
    differing += [f"{k}: {old[k]!r} there, {new[k]!r} here" for k in ("stage", "train_clips", "train_labels_sha256")
                  if old[k] != new[k]]
    if differing:
        raise CheckpointMismatch(f"{path} holds the state of another run ({'; '.join(differing)}); "
                                 "give another --checkpoint directory or remove it")
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    for name, head in heads.items():
        head.load_state_dict(saved["heads"][name])
    text_rng.bit_generator.state = saved["text_rng"]
    torch.set_rng_state(saved["torch_rng"].cpu())
    if saved["cuda_rng"] is not None and device.type == "cuda":
        torch.cuda.set_rng_state(saved["cuda_rng"].cpu(), device)
    return StagePosition(**saved["position"])


def load_heads(path: str, heads: dict[str, nn.Module], device: torch.device) -> None:
    """Starts the read-out `heads` from those kept in the stage state at `path` (written by save_stage), so that
    a resumed stage 0 does not spend its first epoch relearning them. Raises CheckpointMismatch when the state
    lacks one of `heads` or holds it at another shape (another label set or projection width), and when the
    file is not such a state."""
    try:
        state = torch.load(path, map_location=device, weights_only=False)
    except Exception as error:  # torch.load raises whatever its unpickler meets in a file that is not a state
        raise CheckpointMismatch(f"{path} cannot be read as a stage state: {error}") from error
    if not isinstance(state, dict) or not isinstance(state.get("heads"), dict):
        raise CheckpointMismatch(f"{path} is not a stage state written by --checkpoint")
    saved = state["heads"]
    for name, head in heads.items():
        if name not in saved:
            raise CheckpointMismatch(f"{path} holds no {name} read-out (it has: {', '.join(sorted(saved)) or 'none'})")
        try:
            head.load_state_dict(saved[name])
        except RuntimeError as error:
            raise CheckpointMismatch(f"{path}: its {name} read-out does not fit this model: {error}") from error

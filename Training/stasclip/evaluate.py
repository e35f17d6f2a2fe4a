"""An exported checkpoint's contrastive top-1 on one list file, overall and per class, scored the way
`stclip eval` scores it (test-mode sampling, class embeddings of the `all` mode). It is how
Training/results/ measures a candidate default model on the clips Scripts/e2e/default-model.sh renders,
before the Swift service does.

  python -m stasclip.evaluate MODEL LIST [--labelset labelset.json] [--weights STATE] [--out report.json]

MODEL is an exported checkpoint directory (stasclip.train --out); LIST a `path<TAB>label` file; the label
set defaults to the model's own labelset.json. --weights scores a run that is still training: the weights
come from one of its states (stasclip.train --checkpoint DIR: DIR/stage0.pt or DIR/stage2.pt), and MODEL,
an exported model of the same architecture, gives the configuration, tokenizer, preprocessing and label set;
a state whose tensors do not fit MODEL is refused."""
from __future__ import annotations

import argparse
import os

import torch

from .probe import confusion, load_exported, parse_tool_arguments, per_class, write_report
from .train import Recipe, evaluate, load_data


def load_state_weights(model: torch.nn.Module, state_path: str) -> dict:
    """Loads a training state's model weights (checkpointing.save_stage) into `model`; returns the state's
    position. Raises ValueError naming the tensors that do not fit."""
    saved = torch.load(state_path, map_location="cpu", weights_only=False)
    weights = saved["model"]
    own = model.state_dict()
    missing = sorted(set(own) - set(weights))
    extra = sorted(set(weights) - set(own))
    shapes = sorted(k for k in set(own) & set(weights) if own[k].shape != weights[k].shape)
    if missing or extra or shapes:
        raise ValueError(f"{state_path} does not fit the model: missing {missing[:5]}, unexpected {extra[:5]}, "
                         f"other shapes {shapes[:5]}")
    model.load_state_dict({k: v.float() for k, v in weights.items()})
    return saved["position"]


def evaluate_list(model_dir: str, list_path: str, labelset: str | None = None, weights: str | None = None) -> dict:
    """{"top1", "count", "per_class", "confusion", "classes"} of the model's contrastive scores on the list;
    with `weights`, of that training state's weights in model_dir's architecture (and "position", where the
    state's stage was)."""
    model, preprocessor = load_exported(model_dir)
    position = load_state_weights(model, weights) if weights else None
    data = load_data(labelset or os.path.join(model_dir, "labelset.json"), None, list_path, None, model_dir,
                     preprocessor)
    result = evaluate(model, data.test, data.texts, data.preprocessing, Recipe(frames=model.config.num_frames),
                      torch.device("cpu"))
    predicted = torch.tensor(result["predictions"])
    labels = torch.tensor([video.label for video in data.test])
    names = data.texts.names
    report = {"model": model_dir, "list": list_path, "classes": names, "top1": result["top1"],
              "count": result["count"], "per_class": per_class(predicted, labels, len(names)),
              "confusion": confusion(predicted, labels, len(names))}
    return report | ({"weights": weights, "position": position} if weights else {})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("list")
    parser.add_argument("--labelset", help="label set JSON (default: the model's labelset.json)")
    parser.add_argument("--weights", metavar="STATE", help="a training state (stasclip.train --checkpoint) whose "
                        "weights to score in MODEL's architecture")
    args = parse_tool_arguments(parser, argv)
    try:
        report = evaluate_list(args.model, args.list, args.labelset, args.weights)
    except ValueError as error:
        parser.error(str(error))
    width = max(len(n) for n in report["classes"])
    for name, accuracy in zip(report["classes"], report["per_class"]):
        print(f"{name:{width}}  {accuracy:5.1f}%")
    correct = round(report["top1"] * report["count"] / 100)
    print(f"{'all':{width}}  {report['top1']:5.1f}% ({correct}/{report['count']})")
    if args.out:
        write_report(args.out, report)


if __name__ == "__main__":
    main()

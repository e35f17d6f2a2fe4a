"""An exported checkpoint's contrastive top-1 on one list file, overall and per class, scored the way
`stclip eval` scores it (test-mode sampling, class embeddings of the `all` mode). It is how
Training/results/ measures a candidate default model on the clips Scripts/e2e/default-model.sh renders,
before the Swift service does.

  python -m stasclip.evaluate MODEL LIST [--labelset labelset.json] [--out report.json]

MODEL is an exported checkpoint directory (stasclip.train --out); LIST a `path<TAB>label` file; the label
set defaults to the model's own labelset.json."""
from __future__ import annotations

import argparse
import os

import torch

from .probe import confusion, load_exported, parse_tool_arguments, per_class, write_report
from .train import Recipe, evaluate, load_data


def evaluate_list(model_dir: str, list_path: str, labelset: str | None = None) -> dict:
    """{"top1", "count", "per_class", "confusion", "classes"} of the model's contrastive scores on the list."""
    model, preprocessor = load_exported(model_dir)
    data = load_data(labelset or os.path.join(model_dir, "labelset.json"), None, list_path, None, model_dir,
                     preprocessor)
    result = evaluate(model, data.test, data.texts, data.preprocessing, Recipe(frames=model.config.num_frames),
                      torch.device("cpu"))
    predicted = torch.tensor(result["predictions"])
    labels = torch.tensor([video.label for video in data.test])
    names = data.texts.names
    return {"model": model_dir, "list": list_path, "classes": names, "top1": result["top1"],
            "count": result["count"], "per_class": per_class(predicted, labels, len(names)),
            "confusion": confusion(predicted, labels, len(names))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("list")
    parser.add_argument("--labelset", help="label set JSON (default: the model's labelset.json)")
    args = parse_tool_arguments(parser, argv)
    report = evaluate_list(args.model, args.list, args.labelset)
    width = max(len(n) for n in report["classes"])
    for name, accuracy in zip(report["classes"], report["per_class"]):
        print(f"{name:{width}}  {accuracy:5.1f}%")
    correct = round(report["top1"] * report["count"] / 100)
    print(f"{'all':{width}}  {report['top1']:5.1f}% ({correct}/{report['count']})")
    if args.out:
        write_report(args.out, report)


if __name__ == "__main__":
    main()

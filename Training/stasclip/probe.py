"""What a trained model's video embedding knows: per-class accuracy of its contrastive scores, the
confusion matrix, and linear probes — logistic regressions fitted on the train list, scored on the
test list — of v (the video embedding) and of Z (the T projected frame embeddings, concatenated) —
and each class's nearest other class by the cosine of their class embeddings. A probe that fails
where the contrastive score fails says the information is missing from the features, not from the
text side; two classes whose class embeddings coincide cannot be told apart by the scores at all.

  python -m stasclip.probe MODEL --data DATA [--out probe.json]

MODEL is an exported checkpoint directory (stasclip.train --out); DATA a folder with train.txt,
test.txt and labelset.json (stasclip.synthetic's layout)."""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

from .modeling_stas_clip import STASCLIPModel
from .train import batches, class_embeddings, load_data


def linear_probe(train_x: torch.Tensor, train_y: torch.Tensor, test_x: torch.Tensor, classes: int,
                 steps: int = 800, lr: float = 0.01, l2: float = 1e-3, seed: int = 0) -> tuple[float, torch.Tensor]:
    """Softmax regression on standardised features (statistics from the train side): train
    accuracy and the test predictions."""
    torch.manual_seed(seed)
    mean, std = train_x.mean(0), train_x.std(0) + 1e-6
    x, xt = (train_x - mean) / std, (test_x - mean) / std
    w = torch.zeros(x.shape[1], classes, requires_grad=True)
    b = torch.zeros(classes, requires_grad=True)
    optimizer = torch.optim.Adam([w, b], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w + b, train_y) + l2 * (w ** 2).sum()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return float(((x @ w + b).argmax(-1) == train_y).float().mean()), (xt @ w + b).argmax(-1)


def per_class(predicted: torch.Tensor, labels: torch.Tensor, classes: int) -> list[float]:
    """Top-1 accuracy of each class, in percent."""
    return [100 * float((predicted[labels == c] == c).float().mean()) if (labels == c).any() else float("nan")
            for c in range(classes)]


def confusion(predicted: torch.Tensor, labels: torch.Tensor, classes: int) -> list[list[int]]:
    """counts[true][predicted]."""
    counts = np.zeros((classes, classes), dtype=int)
    for t, p in zip(labels.tolist(), predicted.tolist()):
        counts[t, p] += 1
    return counts.tolist()


def nearest_classes(class_embeds: torch.Tensor) -> list[tuple[int, float]]:
    """Per class, the other class whose unit embedding `(C, P)` is closest and the cosine between them."""
    similarity = class_embeds @ class_embeds.t()                                     # (C, C)
    similarity.fill_diagonal_(-float("inf"))
    cosine, index = similarity.max(dim=1)
    return [(int(i), float(c)) for i, c in zip(index, cosine)]


@torch.no_grad()
def features(model: STASCLIPModel, videos, preprocessing, frames: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """v `(N, P)`, Z flattened `(N, T·P)` and the labels of `videos` in test-mode sampling."""
    model.eval()
    v, z, y = [], [], []
    for pixels, labels in batches(videos, preprocessing, frames, 64, None, 0, shuffle=False):
        out = model.encode_video(pixels)
        v.append(out.video_embeds)
        z.append(out.frame_embeds.flatten(1))
        y.append(labels)
    return torch.cat(v), torch.cat(z), torch.cat(y)


def load_exported(model_dir: str) -> tuple[STASCLIPModel, dict]:
    """An exported checkpoint in fp32 eval mode, and its preprocessor_config.json."""
    with open(os.path.join(model_dir, "preprocessor_config.json"), encoding="utf-8") as f:
        preprocessor = json.load(f)
    return STASCLIPModel.from_pretrained(model_dir).float().eval(), preprocessor


def parse_tool_arguments(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The analysis tools' shared options (--out, --threads) added to `parser`, argv parsed, and --threads
    applied to torch."""
    parser.add_argument("--out", help="write the figures here as JSON")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    return args


def write_report(path: str, report: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--data", required=True)
    parser.add_argument("--tokenizer", help="folder with vocab.json and merges.txt (default: the model's)")
    args = parse_tool_arguments(parser, argv)
    model, preprocessor = load_exported(args.model)
    data = load_data(os.path.join(args.data, "labelset.json"), os.path.join(args.data, "train.txt"),
                     os.path.join(args.data, "test.txt"), None, args.tokenizer or args.model, preprocessor)
    names, frames = data.texts.names, model.config.num_frames
    train_v, train_z, train_y = features(model, data.train, data.preprocessing, frames)
    test_v, test_z, test_y = features(model, data.test, data.preprocessing, frames)
    texts = class_embeddings(model, data.texts, torch.device("cpu"))
    contrastive = (torch.nn.functional.normalize(test_v, dim=-1) @ texts.t()).argmax(-1)
    report = {"model": args.model, "classes": names, "train_clips": len(train_y), "test_clips": len(test_y),
              "contrastive": {"top1": 100 * float((contrastive == test_y).float().mean()),
                              "per_class": per_class(contrastive, test_y, len(names)),
                              "confusion": confusion(contrastive, test_y, len(names))},
              "nearest_class": [{"class": names[i], "cosine": c} for i, c in nearest_classes(texts)]}
    for name, train_x, test_x in (("probe_v", train_v, test_v), ("probe_frames", train_z, test_z)):
        train_accuracy, predicted = linear_probe(train_x, train_y, test_x, len(names))
        report[name] = {"train_top1": 100 * train_accuracy, "top1": 100 * float((predicted == test_y).float().mean()),
                        "per_class": per_class(predicted, test_y, len(names))}
    width = max(len(n) for n in names)
    print(f"{'class':{width}}  contrastive  probe(v)  probe(Z)  nearest class (cosine)")
    for i, n in enumerate(names):
        nearest = report["nearest_class"][i]
        print(f"{n:{width}}  {report['contrastive']['per_class'][i]:10.1f}%  {report['probe_v']['per_class'][i]:7.1f}%"
              f"  {report['probe_frames']['per_class'][i]:7.1f}%  {nearest['class']} ({nearest['cosine']:.3f})")
    print(f"{'all':{width}}  {report['contrastive']['top1']:10.1f}%  {report['probe_v']['top1']:7.1f}%"
          f"  {report['probe_frames']['top1']:7.1f}%")
    if args.out:
        write_report(args.out, report)


if __name__ == "__main__":
    main()

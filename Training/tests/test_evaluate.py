"""stasclip.evaluate: the shipped default model scored on freshly rendered held-out clips (run by hand:
python -m pytest Training/tests)."""
import json
import os

import pytest
import torch

from stasclip import synthetic
from stasclip.evaluate import evaluate_list, main
from stasclip.probe import load_exported

from conftest import ROOT

DEFAULT_MODEL = os.path.join(ROOT, "Models", "default")


def test_default_model_scores_held_out_clips_and_writes_its_report(tmp_path, capsys):
    """Two clips per class of a seed nobody trained on: the default model, far above chance (8.3 %), and a
    report whose per-class figures and confusion matrix add up to the overall top-1."""
    synthetic.main([str(tmp_path / "clips"), "--splits", "test", "--test-per-class", "2", "--train-per-class", "0",
                    "--zeroshot-per-class", "0", "--seed", "7", "--jobs", "1"])
    report = evaluate_list(DEFAULT_MODEL, str(tmp_path / "clips" / "test.txt"))
    print(f"default model on 24 clips of seed 7: {report['top1']:.1f} %")
    assert report["count"] == 24 and len(report["per_class"]) == 12
    assert report["top1"] >= 50
    diagonal = sum(report["confusion"][i][i] for i in range(12))
    assert abs(100 * diagonal / 24 - report["top1"]) < 1e-9
    assert abs(sum(report["per_class"]) / 12 - report["top1"]) < 1e-9           # 2 clips in every class
    main([DEFAULT_MODEL, str(tmp_path / "clips" / "test.txt"), "--out", str(tmp_path / "report.json")])
    assert "(%d/24)" % diagonal in capsys.readouterr().out
    with open(tmp_path / "report.json") as f:
        assert json.load(f)["top1"] == report["top1"]
    # A training state's weights in the exported model's architecture: the model's own weights score alike,
    # a state of another architecture is refused with the tensors that differ.
    model, _ = load_exported(DEFAULT_MODEL)
    position = {"epoch": 3, "batch": 0, "step": 564, "epochs": 24, "total": 4512}
    torch.save({"model": model.state_dict(), "position": position}, tmp_path / "stage0.pt")
    same = evaluate_list(DEFAULT_MODEL, str(tmp_path / "clips" / "test.txt"), weights=str(tmp_path / "stage0.pt"))
    assert same["confusion"] == report["confusion"] and same["position"] == position
    weights = model.state_dict()
    weights["text_projection.weight"] = weights["text_projection.weight"][:, :10]
    del weights["logit_scale"]
    torch.save({"model": weights, "position": position}, tmp_path / "other.pt")
    with pytest.raises(SystemExit) as exit_info:
        main([DEFAULT_MODEL, str(tmp_path / "clips" / "test.txt"), "--weights", str(tmp_path / "other.pt")])
    assert exit_info.value.code == 2
    assert ("does not fit the model: missing ['logit_scale'], unexpected [], other shapes ['text_projection.weight']"
            in capsys.readouterr().err)

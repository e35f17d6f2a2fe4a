"""stasclip.evaluate: the shipped default model scored on freshly rendered held-out clips (run by hand:
python -m pytest Training/tests)."""
import json
import os

from stasclip import synthetic
from stasclip.evaluate import evaluate_list, main

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

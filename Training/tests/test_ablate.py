"""The ablation driver: every (seed, row) run once, bases kept, and --resume adding rows to a table without
training stage 0 or any finished run again (run by hand: python -m pytest Training/tests)."""
import json
import os
import shutil

import pytest
import torch

from conftest import TOKENIZER
from stasclip import ablate

SCHEDULE = dict(epochs0=1, epochs1=1, epochs2=1, warmup2=1, batch_size=4, lr0=1e-3, position_init="random",
                precision="fp32")
DATA_KEY = dict(online_train=None, online_seed=None, train_clips=6)
TWS, END, FULL = (ablate.ROWS[i] for i in (5, 6, 8))


def _lines(out) -> list[dict]:
    with open(os.path.join(out, "runs.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture
def toy(data, monkeypatch):
    monkeypatch.setattr(ablate, "DATA", data)
    monkeypatch.setattr(ablate, "TEXTS", {"all": data.texts})
    return data


def test_resume_adds_rows_from_the_kept_bases(toy, tmp_path, capfd):
    out, tokenizer = str(tmp_path), TOKENIZER
    first = ablate.run(out, [0, 1], SCHEDULE, [TWS, FULL], 2, tokenizer, DATA_KEY, resume=False)
    assert sorted((r["name"], r["recipe"]["seed"]) for r in first) == sorted(
        (name, seed) for name in (TWS[1], FULL[1]) for seed in (0, 1))
    assert len(_lines(out)) == 4 and os.path.isdir(os.path.join(out, "full-seed1"))
    bases = {s: os.stat(os.path.join(out, f"base-seed{s}.pt")).st_mtime_ns for s in (0, 1)}
    capfd.readouterr()

    second = ablate.run(out, [0, 1], SCHEDULE, [TWS, END, FULL], 2, tokenizer, DATA_KEY, resume=True)
    printed = capfd.readouterr().out
    assert "seed 0: stage 0 from" in printed and "seed 1: stage 0 from" in printed
    assert {s: os.stat(os.path.join(out, f"base-seed{s}.pt")).st_mtime_ns for s in (0, 1)} == bases
    lines = _lines(out)
    assert len(second) == len(lines) == 6
    assert sorted(map(json.dumps, lines[:4])) == sorted(map(json.dumps, first))
    assert sorted(r["recipe"]["seed"] for r in lines[4:]) == [0, 1] and {r["name"] for r in lines[4:]} == {END[1]}

    # Nothing left to run: no base is loaded and the file is unchanged.
    assert len(ablate.run(out, [0, 1], SCHEDULE, [TWS, END, FULL], 2, tokenizer, DATA_KEY, resume=True)) == 6
    assert "stage 0" not in capfd.readouterr().out and _lines(out) == lines

    # The tables, rebuilt from the runs and the bases' reports: the base row first, each row over both seeds.
    tables = str(tmp_path / "tables")
    ablate.main(["--from-runs", os.path.join(out, "runs.jsonl"), "--out", tables])
    with open(os.path.join(tables, "ablation.json"), encoding="utf-8") as f:
        rebuilt = json.load(f)
    assert [b["recipe"]["seed"] for b in rebuilt["bases"]] == [0, 1] and len(rebuilt["runs"]) == 6
    with open(os.path.join(tables, "ablation.md"), encoding="utf-8") as f:
        rows = [line.split(" | ")[:3] for line in f if line.startswith("| ") and "---" not in line][1:]
    assert rows == [["| 0", ablate.BASE_ROW, "2"], ["| 1", TWS[1], "2"], ["| 2", END[1], "2"],
                    ["| 3a,3b,3c,4", FULL[1], "2"]]


def test_another_schedule_is_refused_not_mixed(toy, tmp_path):
    out, tokenizer = str(tmp_path / "a"), TOKENIZER
    os.makedirs(out)
    ablate.run(out, [0], SCHEDULE, [TWS], 1, tokenizer, DATA_KEY, resume=False)
    with pytest.raises(ValueError, match="holds a run of another schedule"):
        ablate.run(out, [0], dict(SCHEDULE, epochs2=2), [TWS], 1, tokenizer, DATA_KEY, resume=True)
    # A kept base trained with another stage-0 recipe is an error, not silently retrained or reused.
    other = str(tmp_path / "b")
    os.makedirs(other)
    shutil.copyfile(os.path.join(out, "base-seed0.pt"), os.path.join(other, "base-seed0.pt"))
    with pytest.raises(ValueError, match="base-seed0.pt was trained with"):
        ablate.run(other, [0], dict(SCHEDULE, lr0=2e-3), [TWS], 1, tokenizer, DATA_KEY, resume=False)
    assert _lines(out) and not _lines(other)


def test_bf16_on_a_cpu_without_bfloat16_kernels_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ablate, "_device", lambda: torch.device("cpu"))
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    with pytest.raises(SystemExit) as exit_info:
        ablate.main(["--data", str(tmp_path), "--tokenizer", TOKENIZER, "--out", str(tmp_path / "out"),
                     "--precision", "bf16"])
    assert exit_info.value.code == 2
    assert "--precision bf16 needs a CPU with native bfloat16 matrix kernels" in capsys.readouterr().err

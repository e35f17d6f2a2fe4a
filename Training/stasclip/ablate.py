"""The ablation study of the seed paper's tables 1-4 on a dataset of ours, from one command:

  python -m stasclip.ablate --data DIR --tokenizer TOKENIZER_DIR --out OUT_DIR [--seeds 3] [--jobs 16]
      [--lr0 LR] [--position-init sincos] [--online-train N] [--stage0 aux] [--precision bf16] [--rows 1,2]
      [--resume]

Per seed, stage 0 trains one small plain CLIP from scratch (our stand-in for the pretrained CLIP); every
configuration below then runs stages 1 and 2 from it (train.finetune), so the rows of a seed differ only in
what the row names. Writes OUT_DIR/ablation.json (every run) and OUT_DIR/ablation.md (mean ± sample standard
deviation over seeds), and keeps the full model of every seed in OUT_DIR/full-seed{S}/ (exported as
train.export does). Each seed's base is kept as OUT_DIR/base-seed{S}.pt, so that `--resume` can add rows
(`--rows`) to a table later without training stage 0 again, and its own scores as base-seed{S}.json (the
table's first row).

Runs go to a pool of forked worker processes (the parent never touches CUDA, so each worker opens its own
context); the decoded videos are shared with the workers by the fork.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import time
from dataclasses import asdict, replace

import torch

from . import train as trainer

# (table, row name, Recipe overrides). "full" is the paper's model: TWS, end transformer, covariance aux head.
FULL = dict(temporal_modeling="tws", end_transformer=True, aux_head="covariance", aux_dim=32, loss_weight=0.5)
PLAIN = dict(end_transformer=False, aux_head="none")
ROWS = [
    ("1", "frame average (CLIP fine-tuned)", dict(PLAIN, communication_token=False, temporal_modeling="none")),
    ("1", "communication token, no temporal modelling", dict(PLAIN, temporal_modeling="none")),
    ("1", "TC", dict(PLAIN, temporal_modeling="tc")),
    ("1", "TS", dict(PLAIN, temporal_modeling="ts")),
    ("1", "Transformer", dict(PLAIN, temporal_modeling="transformer")),
    ("1", "TWS", dict(PLAIN, temporal_modeling="tws")),
    ("2", "TWS + end transformer", dict(FULL, aux_head="none")),
    ("3a", "+ aux head, first-order pooling", dict(FULL, aux_head="first_order")),
    ("3a,3b,3c,4", "full", dict(FULL)),
    ("3b", "full, D' = 16", dict(FULL, aux_dim=16)),
    ("3b", "full, D' = 64", dict(FULL, aux_dim=64)),
    ("3c", "full, 1 − w = 0.7", dict(FULL, loss_weight=0.3)),
    ("3c", "full, 1 − w = 0.6", dict(FULL, loss_weight=0.4)),
    ("3c", "full, 1 − w = 0.4", dict(FULL, loss_weight=0.6)),
    ("3c", "full, 1 − w = 0.3", dict(FULL, loss_weight=0.7)),
    ("4", "full, class names in templates only (no descriptions)", dict(FULL, texts="templates")),
]

BASE_ROW = "stage-0 base: plain CLIP from scratch, frames averaged"

DATA: trainer.Data | None = None
TEXTS: dict = {}


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _base_path(out: str, seed: int, suffix: str = ".pt") -> str:
    """A seed's base (.pt) or its own scores (.json) in `out`."""
    return os.path.join(out, f"base-seed{seed}{suffix}")


def _pretrain(job):
    """Stage 0 of one seed, or the base an earlier call left in `out` when it was trained the same way
    (`stage0` holds everything that decides it); a base trained otherwise is an error, never overwritten."""
    recipe, stage0, out = job
    torch.set_num_threads(1)
    path = _base_path(out, recipe.seed)
    if os.path.exists(path):
        saved = torch.load(path, weights_only=False)
        if saved.get("stage0") != stage0:
            raise ValueError(f"{path} was trained with {saved.get('stage0')}, not {stage0}: give another --out")
        print(f"seed {recipe.seed}: stage 0 from {path}", flush=True)
        model = None
    else:
        model = trainer.pretrain(DATA, recipe, _device(), lambda m: print(f"seed {recipe.seed}: {m}", flush=True))
        trainer.save_base(model, path, stage0=stage0)
    # The base's own scores: what the rows start from (plain CLIP, frames averaged, no stage 1 or 2).
    report = _base_path(out, recipe.seed, ".json")
    if not os.path.exists(report):
        if model is None:
            model = trainer.load_base(path)
        metrics = trainer.report(model.to(_device()), DATA, recipe, _device())
        metrics.update(table="0", name=BASE_ROW)
        with open(report, "w", encoding="utf-8") as f:
            json.dump(metrics, f)
        print(f"seed {recipe.seed} {BASE_ROW}: test {metrics['test']['top1']:.1f}%", flush=True)
    return path


def _finetune(job):
    table, name, recipe, texts_mode, base_path, out, tokenizer = job
    torch.set_num_threads(1)
    device = _device()
    base = trainer.load_base(base_path)
    data = replace(DATA, texts=TEXTS[texts_mode])
    started = time.time()
    model = trainer.finetune(base, data, recipe, device, lambda m: None)
    metrics = trainer.report(model, data, recipe, device)
    metrics.update(table=table, name=name, texts=texts_mode, seconds=time.time() - started)
    if name == "full":
        trainer.export(model, DATA, tokenizer, os.path.join(out, f"full-seed{recipe.seed}"), half=True)
    print(f"seed {recipe.seed} {name}: test {metrics['test']['top1']:.1f}%"
          + (f", zero-shot {metrics['zeroshot']['top1']:.1f}%" if "zeroshot" in metrics else "")
          + f" ({metrics['seconds']:.0f} s)", flush=True)
    return metrics


def _summary(values: list[float]) -> str:
    """mean ± sample standard deviation; a single run is shown alone."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f}"


def table(runs: list[dict], seeds: list[int], command: str, bases: list[dict] = ()) -> str:
    """The markdown table: the bases' row (where their reports exist), then one row per configuration, mean ±
    sample std over seeds."""
    lines = [f"Seeds {', '.join(map(str, seeds))}; command: `{command}`", "",
             "| table | configuration | seeds | video params | aux params | GFLOPs/clip | test top-1 (%) | zero-shot top-1 (%) | aux-head test top-1 (%) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for tab, name in [("0", BASE_ROW)] + [row[:2] for row in ROWS]:
        mine = [r for r in (bases if tab == "0" else runs) if r["name"] == name]
        if not mine:
            continue
        aux = [r["test"]["aux_top1"] for r in mine if "aux_top1" in r["test"]]
        zs = [r["zeroshot"]["top1"] for r in mine if "zeroshot" in r]
        lines.append(f"| {tab} | {name} | {len(mine)} | {mine[0]['video_params']:,} | {mine[0]['aux_params']:,} | "
                     f"{mine[0]['gflops']:.3f} | {_summary([r['test']['top1'] for r in mine])} | {_summary(zs)} | "
                     f"{_summary(aux)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see the module docstring."""
    global DATA
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="folder with train.txt, test.txt, zeroshot.txt, labelset.json")
    parser.add_argument("--tokenizer", help="folder with CLIP's vocab.json and merges.txt")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at once")
    parser.add_argument("--rows", help="comma-separated row numbers (1-based) to run; default all")
    parser.add_argument("--from-runs", help="only rebuild the tables from this runs.jsonl")
    for stage, default in (("epochs0", 20), ("epochs1", 10), ("epochs2", 15), ("warmup2", 3), ("batch_size", 32)):
        parser.add_argument(f"--{stage.replace('_', '-')}", type=int, default=default, dest=stage)
    parser.add_argument("--lr0", type=float, default=trainer.Recipe.lr0, help="stage 0 learning rate")
    # Not "sincos-st": stage 0 here is plain CLIP, which has no end transformer for a temporal start.
    parser.add_argument("--position-init", choices=("random", "sincos"), default="random",
                        help="how stage 0's vision position embedding starts (train.POSITION_INITS)")
    parser.add_argument("--stage0", choices=("plain", "aux"), default="plain",
                        help="stage 0 trains plain CLIP alone or with the covariance aux head, dropped after "
                             "(train.pretrain); 'full' is not offered: it would train the rows' modules")
    parser.add_argument("--precision", choices=trainer.PRECISIONS, default="fp32",
                        help="training arithmetic of every stage (train.py --precision)")
    parser.add_argument("--resume", action="store_true",
                        help="keep OUT/runs.jsonl's runs and OUT's bases (same schedule) and run only what is missing")
    trainer.add_online_train_arguments(parser)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    if args.from_runs:
        with open(args.from_runs, encoding="utf-8") as f:
            runs = [json.loads(line) for line in f if line.strip()]
        seeds = sorted({r["recipe"]["seed"] for r in runs})
        # Runs written before a schedule option existed do not record it; their command leaves it out.
        recipe = runs[0]["recipe"]
        write_tables(args.out, runs, seeds, {k: recipe[k] for k in SCHEDULE_KEYS if k in recipe}, args, started,
                     os.path.dirname(args.from_runs))
        return
    if not (args.data and args.tokenizer):
        parser.error("give --data and --tokenizer (or --from-runs)")
    if (reason := trainer.bf16_precision_error(args.precision, _device())) is not None:
        parser.error(reason)
    zeroshot = os.path.join(args.data, "zeroshot.txt")
    DATA = trainer.load_data(os.path.join(args.data, "labelset.json"),
                             None if args.online_train else os.path.join(args.data, "train.txt"),
                             os.path.join(args.data, "test.txt"), zeroshot if os.path.exists(zeroshot) else None,
                             args.tokenizer, trainer.SMALL_PREPROCESSOR)
    if args.online_train:
        try:
            DATA.train = trainer.online_train_set(DATA, args.online_train, args.online_seed, args.jobs)
        except ValueError as error:
            parser.error(str(error))
    TEXTS["all"] = DATA.texts
    TEXTS["templates"] = trainer.ClassTexts.from_labelset(DATA.labelset, args.tokenizer, descriptions=False)
    print(f"[{time.time() - started:.0f} s] decoded {len(DATA.train)} / {len(DATA.test)} / "
          f"{len(DATA.zeroshot or [])} videos", flush=True)
    seeds = list(range(args.seeds))
    schedule = dict(epochs0=args.epochs0, epochs1=args.epochs1, epochs2=args.epochs2, warmup2=args.warmup2,
                    batch_size=args.batch_size, lr0=args.lr0, position_init=args.position_init,
                    stage0=args.stage0, precision=args.precision)
    rows = ROWS if not args.rows else [ROWS[int(i) - 1] for i in args.rows.split(",")]
    data_key = dict(online_train=args.online_train, online_seed=args.online_seed if args.online_train else None,
                    train_clips=len(DATA.train))
    try:
        runs = run(args.out, seeds, schedule, rows, args.jobs, args.tokenizer, data_key, args.resume)
    except ValueError as error:
        parser.error(str(error))
    write_tables(args.out, runs, seeds, schedule, args, started, args.out)


def run(out: str, seeds: list[int], schedule: dict, rows: list, jobs: int, tokenizer: str, data_key: dict,
        resume: bool) -> list[dict]:
    """Every (seed, row) run on DATA and TEXTS, in a pool of `jobs` processes; returns them all.

    A seed's rows start as soon as its stage 0 ends, so the pool never waits for the slowest base. Each run is
    appended to out/runs.jsonl as it ends. With `resume`, the runs already in that file are kept and not run
    again, and out's bases are reused; both must come from this schedule (ValueError otherwise)."""
    log_path = os.path.join(out, "runs.jsonl")
    done = []
    if resume and os.path.exists(log_path):
        with open(log_path, encoding="utf-8") as f:
            done = [json.loads(line) for line in f if line.strip()]
        for r in done:
            if {k: r["recipe"].get(k) for k in schedule} != schedule:
                raise ValueError(f"{log_path} holds a run of another schedule ({r['name']}, seed "
                                 f"{r['recipe']['seed']}): give another --out")
    jobs_by_seed = {}
    for seed in seeds:
        for tab, name, overrides in rows:
            overrides = dict(overrides)
            texts = overrides.pop("texts", "all")
            recipe = trainer.Recipe(seed=seed, **schedule, **overrides)
            if any(r["name"] == name and r["recipe"] == json.loads(json.dumps(asdict(recipe))) for r in done):
                continue
            jobs_by_seed.setdefault(seed, []).append((tab, name, recipe, texts, None, out, tokenizer))
    # The full model first (it becomes the default model), then row by row.
    order = [r[1] for r in rows]
    for seed_jobs in jobs_by_seed.values():
        seed_jobs.sort(key=lambda job: (job[1] != "full", order.index(job[1])))
    runs = list(done)
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, maxtasksperchild=1) as pool, \
            open(log_path, "a" if resume else "w", encoding="utf-8") as log:
        stage0 = {seed: pool.apply_async(_pretrain, ((trainer.Recipe(seed=seed, **schedule),
                                                       dict(schedule, seed=seed, **data_key), out),))
                  for seed in jobs_by_seed}

        def finished(metrics: dict) -> None:  # in the pool's result thread, one run at a time
            runs.append(metrics)
            log.write(json.dumps(metrics) + "\n")
            log.flush()

        pending = []
        for seed, base in stage0.items():
            path = base.get()
            pending += [pool.apply_async(_finetune, ((*job[:4], path, *job[5:]),), callback=finished)
                        for job in jobs_by_seed[seed]]
        for result in pending:
            result.get()
    return runs


SCHEDULE_KEYS = ("epochs0", "epochs1", "epochs2", "warmup2", "batch_size", "lr0", "position_init", "stage0",
                 "precision")


def write_tables(out: str, runs: list[dict], seeds: list[int], schedule: dict, args, started: float,
                 base_dir: str) -> None:
    """ablation.json (every run, and the reports base_dir's bases left) and ablation.md (the table)."""
    bases = []
    for seed in seeds:
        path = _base_path(base_dir, seed, ".json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                bases.append(json.load(f))
    online = f"--online-train {args.online_train} --online-seed {args.online_seed} " if args.online_train else ""
    command = (f"python -m stasclip.ablate --data DATA --tokenizer ../Tests/Fixtures/clip-tokenizer --out OUT "
               f"--seeds {len(seeds)} {online}" + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in schedule.items()))
    with open(os.path.join(out, "ablation.json"), "w", encoding="utf-8") as f:
        json.dump({"seeds": seeds, "schedule": schedule, "bases": bases, "runs": runs,
                   "seconds": time.time() - started}, f, indent=1)
    markdown = table(runs, seeds, command, bases)
    with open(os.path.join(out, "ablation.md"), "w", encoding="utf-8") as f:
        f.write(markdown)
    print(markdown, flush=True)
    print(f"[{time.time() - started:.0f} s] done", flush=True)


if __name__ == "__main__":
    main()

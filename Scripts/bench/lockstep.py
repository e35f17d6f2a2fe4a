#!/usr/bin/env python3
"""Times two implementations of the same work turn by turn, so that a drift in a shared machine's
speed reaches both alike: each side is a process that loads its model, prints one line when ready,
then runs the work once per line it reads on stdin and prints the milliseconds it took.

  python3 Scripts/bench/lockstep.py --name NAME --reference CMD --ours CMD [--pairs 20]

Pairs run in ABBA order (reference first in even pairs, stclip first in odd ones), with a short rest
before each run so that neither side's idle thread pool still spins during the other's. With
--best-of K each side's turn is K runs back to back and counts its fastest: on a machine whose speed
dips for a second at a time (a busy host under a virtual machine), the fastest of a few runs is the
one the dip missed, and the per-pair ratios scatter far less. Prints one JSON line: the medians of
each side and of the per-pair ratios ours / reference, with the quartiles."""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time


def serve(run):
    """The side of the protocol a benchmark process speaks (for Python references): "ready", then per
    stdin line one call of `run` and its milliseconds, until stdin ends."""
    print("ready", flush=True)
    for _ in sys.stdin:
        begin = time.perf_counter()
        run()
        print((time.perf_counter() - begin) * 1000, flush=True)


def start(command):
    process = subprocess.Popen(shlex.split(command) if isinstance(command, str) else command, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, bufsize=1)
    ready = process.stdout.readline()
    if not ready:
        raise SystemExit(f"{command!r} ended before it was ready")
    return process


def once(process):
    process.stdin.write("run\n")
    process.stdin.flush()
    line = process.stdout.readline()
    if not line:
        raise SystemExit("a benchmark process ended early")
    return float(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True)
    parser.add_argument("--reference", required=True, help="command of the reference side (PyTorch)")
    parser.add_argument("--ours", required=True, help="command of stclip's side")
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--best-of", type=int, default=1, help="runs per turn, of which the fastest counts")
    parser.add_argument("--gap", type=float, default=0.3,
                        help="seconds of rest before each run, for the other side's BLAS/OpenMP threads to stop spinning")
    args = parser.parse_args()
    best_of = max(1, args.best_of)
    reference, ours = start(args.reference), start(args.ours)
    for p in (reference, ours):
        once(p)  # warm-up
    times = {"reference": [], "ours": []}
    for i in range(args.pairs):
        order = [("reference", reference), ("ours", ours)]
        for side, process in order if i % 2 == 0 else order[::-1]:
            time.sleep(args.gap)
            times[side].append(min(once(process) for _ in range(best_of)))
    for p in (reference, ours):
        p.stdin.close()
        p.wait()
    ratios = sorted(o / r for o, r in zip(times["ours"], times["reference"]))
    q = statistics.quantiles(ratios, n=4)
    print(json.dumps({"benchmark": args.name, "pairs": args.pairs, "best_of": best_of,
                      "reference_median_ms": statistics.median(times["reference"]),
                      "ours_median_ms": statistics.median(times["ours"]),
                      "ratio_median": statistics.median(ratios), "ratio_q1": q[0], "ratio_q3": q[2],
                      "reference_ms": [round(t, 1) for t in times["reference"]], "ours_ms": [round(t, 1) for t in times["ours"]]}))


if __name__ == "__main__":
    main()

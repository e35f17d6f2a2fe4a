#!/usr/bin/env python3
"""End-to-end check of the embedded default model (issue 8): held-out synthetic clips POSTed to a live
`stclip serve` (no model and no label set named: the defaults) must be classified correctly at least
--min-accuracy percent of the time, and `stclip classify CLIP` (also with no model or labels named) must give
the same top-1 label and, to 1e-4, the same scores for every clip. It also reports the closest call: the
smallest lead of the right label's score over the runner-up's among the clips served correctly, so a pass that
hangs on a near tie shows.

  default_model_check.py --list LIST --url URL --binary STCLIP --min-accuracy P [--key KEY] [--json OUT]

LIST has `path<TAB>label` lines (paths relative to its folder). Standard library only.
"""
import argparse
import json
import os
import subprocess
import sys
import urllib.request


def post(url: str, path: str, key: str | None) -> dict:
    with open(path, "rb") as f:
        body = f.read()
    request = urllib.request.Request(f"{url}/v1/classify?top_k=3", data=body, method="POST",
                                     headers={"Content-Type": "video/mp4"})
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def classify(binary: str, path: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "STCLIP_MODEL"}
    out = subprocess.run([binary, "classify", path, "--top-k", "3", "--threads", "1"], capture_output=True, text=True,
                         env=env, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"stclip classify {path}: exit {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--min-accuracy", type=float, required=True, help="percent")
    parser.add_argument("--key")
    parser.add_argument("--json")
    args = parser.parse_args()
    root = os.path.dirname(os.path.abspath(args.list))
    rows = [line.rstrip("\n").split("\t") for line in open(args.list, encoding="utf-8") if line.strip()]
    correct = agree = 0
    worst_score = 0.0
    closest = None  # (lead, clip): the smallest top-1 minus top-2 score among correct answers
    records = []
    for relative, label in rows:
        path = os.path.join(root, relative)
        served = post(args.url, path, args.key)
        cli = classify(args.binary, path)
        top_served = served["top_k"][0]["label"]
        top_cli = cli["top_k"][0]["label"]
        scores_served = {e["label"]: e["score"] for e in served["top_k"]}
        scores_cli = {e["label"]: e["score"] for e in cli["top_k"]}
        gap = max(abs(scores_served[k] - scores_cli.get(k, -1.0)) for k in scores_served)
        worst_score = max(worst_score, gap)
        correct += top_served == label
        if top_served == label and len(served["top_k"]) > 1:
            lead = served["top_k"][0]["score"] - served["top_k"][1]["score"]
            if closest is None or lead < closest[0]:
                closest = (lead, relative)
        same = top_served == top_cli and gap <= 1e-4
        agree += same
        records.append({"video": relative, "label": label, "served": top_served, "classify": top_cli, "score_gap": gap})
        if not same:
            print(f"DISAGREE {relative}: serve {top_served} vs classify {top_cli} (score gap {gap:.2g})", file=sys.stderr)
    accuracy = 100.0 * correct / len(rows)
    summary = {"clips": len(rows), "top1_percent": accuracy, "served_equals_classify": agree,
               "max_score_gap": worst_score,
               "closest_call": None if closest is None else {"lead": closest[0], "video": closest[1]},
               "min_accuracy": args.min_accuracy, "records": records}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    print(f"default model end to end: {correct}/{len(rows)} top-1 correct ({accuracy:.1f} %, floor {args.min_accuracy} %); "
          f"serve and classify agree on {agree}/{len(rows)} (max score gap {worst_score:.2g})")
    if closest is not None:
        print(f"closest call: {closest[1]} right by {closest[0]:.3g} over the runner-up's score")
    ok = accuracy >= args.min_accuracy and agree == len(rows)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Builds stclip's built-in label sets (Sources/STClipLabelSets/Data/*.json) from the sources here.

    names/<set>.txt             the official class names, one a line, after '#' lines saying where they came from
    descriptions/<set>-*.txt    the class descriptions, read in file-name order:

        # comment
        abseiling
        - Abseiling is a controlled descent down a rope ...
        - ...

        ApplyEyeMakeup = apply eye makeup      (official name = natural-language text, where they differ)
        - ...

Mini-Kinetics-200 is a subset of Kinetics-400 with the same class names, so its descriptions are
Kinetics-400's for those classes. Every check the Swift tests make on the data is made here too, so a
bad edit fails before it reaches the resource: the class list must equal the official one, each class
has 2-4 descriptions of one to three sentences, none empty, templated, repeated or too long for CLIP,
and no sentence is shared by two classes of a set (boilerplate would pull their embeddings together).

Standard library only:  python3 Scripts/labelsets/build.py
"""
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent.parent / "Sources" / "STClipLabelSets" / "Data"

QUESTION = "What are useful visual features for distinguishing {} in a video?"

PROVENANCE = (
    "Written by Claude (Anthropic), a large language model, standing in for the seed paper's "
    "text-davinci-002 (section 3.3): for every class it answered the paper's question, "
    "\"What are useful visual features for distinguishing {class} in a video?\", "
    "with 2-4 answers of one to three sentences on the visible body motion, objects and scene, "
    "written class by class with the set's similar classes in view (e.g. the Kinetics eating, "
    "massaging, swimming and playing-instrument families) rather than from a template. "
    "Reviewed by reading each batch against the class list, then revised: answers that named only a "
    "setting (\"Parks and neighborhoods are typical.\") or leaned on a bare pronoun were rewritten to name "
    "the action and its objects, since each description is embedded on its own. Checked mechanically by "
    "Scripts/labelsets/build.py and the LabelSetTests: every official class present, 2-4 non-empty "
    "descriptions each, no two equal, no sentence shared by two classes, no templated filler, one to "
    "three sentences, within CLIP's 77-token context."
)

SETS = {
    "kinetics400": {
        "title": "Kinetics-400",
        "descriptions_from": "kinetics400",
    },
    "minikinetics200": {
        "title": "Mini-Kinetics-200",
        "descriptions_from": "kinetics400",
    },
    "ucf101": {
        "title": "UCF101",
        "descriptions_from": "ucf101",
    },
    "hmdb51": {
        "title": "HMDB51",
        "descriptions_from": "hmdb51",
    },
}

# Phrases that mark a description as a template rather than an answer about what is visible.
FILLER = [
    re.compile(r"^(a|an|the)\s+(video|photo|clip|picture|footage)\s+of\b", re.I),
    re.compile(r"\bthis (video|clip) (shows|contains|is about)\b", re.I),
    re.compile(r"\b(lorem|ipsum|todo|tbd|xxx)\b", re.I),
]
# Each description is embedded on its own, so it must say what it is about rather than lean on a
# neighbour with a bare pronoun.
BARE_PRONOUN = re.compile(r"^(It|They|This|These|He|She)\b")
MAX_WORDS = 55  # a safe margin under CLIP's 77 tokens (75 after BOS/EOS) for plain English
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def read_names(name):
    lines = (HERE / "names" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    header = [l[1:].strip() for l in lines if l.startswith("#")]
    names = [l for l in lines if l and not l.startswith("#")]
    return " ".join(header), names


def read_descriptions(prefix):
    """{official name: (text, [descriptions])} from descriptions/<prefix>-*.txt, in file order."""
    entries, current, errors = {}, None, []
    files = sorted((HERE / "descriptions").glob(f"{prefix}-*.txt"))
    if not files:
        sys.exit(f"no descriptions/{prefix}-*.txt")
    for path in files:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.rstrip()
            where = f"{path.name}:{number}"
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("- "):
                if current is None:
                    errors.append(f"{where}: description before any class")
                else:
                    entries[current][1].append(line[2:].strip())
            elif line.startswith((" ", "\t", "-")):
                errors.append(f"{where}: a description line starts with '- '")
            else:
                name, _, text = line.partition(" = ")
                name, text = name.strip(), (text.strip() or name.strip())
                if name in entries:
                    errors.append(f"{where}: {name!r} described twice")
                entries[name] = (text, [])
                current = name
    return entries, errors


def check_class(name, text, descriptions, seen):
    errors = []
    if not 2 <= len(descriptions) <= 4:
        errors.append(f"{name}: {len(descriptions)} descriptions (want 2-4)")
    for d in descriptions:
        words = len(d.split())
        sentences = len(SENTENCE_END.findall(d))
        if not d:
            errors.append(f"{name}: empty description")
        elif BARE_PRONOUN.match(d):
            errors.append(f"{name}: starts with a bare pronoun: {d!r}")
        elif any(p.search(d) for p in FILLER):
            errors.append(f"{name}: templated filler: {d!r}")
        elif words > MAX_WORDS:
            errors.append(f"{name}: {words} words (at most {MAX_WORDS}): {d!r}")
        elif not 1 <= sentences <= 3 or not d.endswith((".", "!", "?")):
            errors.append(f"{name}: want one to three full sentences: {d!r}")
        elif d.lower() == text.lower() or d.lower() == name.lower():
            errors.append(f"{name}: description is just the class name")
        if d in seen:
            errors.append(f"{name}: description also used for {seen[d]!r}: {d!r}")
        seen[d] = name
    return errors


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    described = {}
    errors = []
    for prefix in sorted({s["descriptions_from"] for s in SETS.values()}):
        described[prefix], problems = read_descriptions(prefix)
        errors += problems
    for set_name, spec in SETS.items():
        source, names = read_names(set_name)
        pool = described[spec["descriptions_from"]]
        if len(set(names)) != len(names):
            errors.append(f"{set_name}: repeated class names in names/{set_name}.txt")
        missing = [n for n in names if n not in pool]
        if missing:
            errors.append(f"{set_name}: {len(missing)} classes without descriptions, e.g. {missing[:5]}")
        if spec["descriptions_from"] == set_name:
            extra = [n for n in pool if n not in names]
            if extra:
                errors.append(f"{set_name}: descriptions for classes not in the official list: {extra[:5]}")
        seen, sentences = {}, {}
        classes = []
        for n in names:
            if n not in pool:
                continue
            text, descriptions = pool[n]
            errors += check_class(n, text, descriptions, seen)
            for d in descriptions:
                for sentence in re.split(r"(?<=[.!?])\s+", d):
                    key = sentence.strip().lower()
                    if sentences.setdefault(key, n) != n:
                        errors.append(f"{set_name}: {n!r} repeats a sentence of {sentences[key]!r}: {sentence!r}")
            classes.append({"name": n, "text": text, "descriptions": descriptions})
        document = {
            "name": set_name,
            "title": spec["title"],
            "class_count": len(classes),
            "names_source": source,
            "descriptions_source": (
                PROVENANCE if spec["descriptions_from"] == set_name else
                f"The Kinetics-400 descriptions of these classes (same class names). {PROVENANCE}"),
            "question": QUESTION,
            "classes": classes,
        }
        if not errors:
            path = OUT / f"{set_name}.json"
            path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            count = sum(len(c["descriptions"]) for c in classes)
            print(f"{path.relative_to(HERE.parent.parent)}: {len(classes)} classes, {count} descriptions")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

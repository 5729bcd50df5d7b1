#!/usr/bin/env python3
"""README figures that cannot go stale: every number in a README followed by a marker

    **244.26**<!-- metrics: test_neg_elbo -->

comes from a run's metrics.json. This script rewrites each marked number from its metrics.json,
or with --check only reports the ones that disagree (tests/test_readme_figures.cpp runs that).

    python3 scripts/sync-readme-figures.py            rewrite every marked number in place
    python3 scripts/sync-readme-figures.py --check    exit 1 if any marked number is stale

The marker names a key of a metrics file:
    <!-- metrics: KEY -->             in chapters/NN_name/README.md: plots/NN_name/metrics.json
    <!-- metrics: NN_name:KEY -->     another chapter's (the only form in the top-level README.md)
    <!-- metrics: NN_name/variants/poe.json:KEY -->   another file under plots/
KEY is a path into the JSON: dots go into objects ("toy.minimax.modes_covered"; a key that
itself holds a dot is found too), [i] indexes a list ("history.test_neg_elbo[-1]").

The number is rounded to the digits shown: 244.26 → two decimals, 78.0 → one, 10,000 → a whole
number with thousands separators. A number followed by % is the value × 100 ("7.7%").
Bold (**…**) and a leading minus (− or -) are kept. A marker inside `inline code` is an
example, not a figure, and is left alone.
"""
import argparse
import json
import math
import pathlib
import re
import sys

# [**] number [%] [**] <!-- metrics: source:key -->
MARKER = re.compile(
    r"(?P<number>[−-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<percent>%?)(?P<bold>\*\*)?<!-- metrics: (?P<ref>[^\s>]+) -->")


def lookup(data, path):
    """The value at a dotted path with optional [i] indexes; KeyError naming the missing part."""
    value, rest = data, path
    while rest:
        if rest.startswith("["):
            end = rest.index("]")
            value = value[int(rest[1:end])]
            rest = rest[end + 1:].lstrip(".")
            continue
        if not isinstance(value, dict):
            raise KeyError(f"'{path}': '{rest}' goes into a {type(value).__name__}")
        # the longest key that the rest starts with, followed by nothing, '.' or '['
        match = max((k for k in value if rest == k or rest.startswith(k + ".") or rest.startswith(k + "[")),
                    key=len, default=None)
        if match is None:
            raise KeyError(f"'{path}': no key '{re.split(r'[.[]', rest)[0]}'")
        value, rest = value[match], rest[len(match):].lstrip(".")
    return value


def formatted(value, shown, percent):
    """`value` written the way `shown` is: its decimals, thousands separators and minus sign."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"the value {value!r} is not a number")
    if percent:
        value = value * 100
    if not math.isfinite(value):
        raise ValueError(f"the value {value} is not finite")
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    text = f"{value:{',' if ',' in shown else ''}.{decimals}f}"
    if text.startswith("-") and shown.startswith("−"):
        text = "−" + text[1:]
    if text in ("-0", "−0") or re.fullmatch(r"[−-]0\.0*", text):
        text = text[1:]
    return text


def metrics_file(root, readme, ref):
    """(path of the metrics file, key) for a marker's reference."""
    if ":" in ref:
        source, key = ref.split(":", 1)
        path = root / "plots" / source
        if path.suffix != ".json":
            path = path / "metrics.json"
        return path, key
    chapter = readme.parent
    if chapter.parent.name != "chapters":
        raise ValueError(f"'{ref}' names no chapter: outside a chapter's README write NN_name:{ref}")
    return root / "plots" / chapter.name / "metrics.json", ref


def readmes(root):
    return [root / "README.md"] + sorted((root / "chapters").glob("*/README.md"))


def process(root, check):
    """Returns (markers seen, problems); rewrites the files unless `check`."""
    cache, seen, problems = {}, 0, []
    for readme in readmes(root):
        if not readme.exists():
            continue
        text = readme.read_text(encoding="utf-8")
        count = 0

        code_spans = [(c.start(), c.end()) for c in re.finditer(r"`[^`\n]*`", text)]

        def replace(m):
            nonlocal count
            if any(a <= m.start() < b for a, b in code_spans):
                return m[0]  # an example in `code`, not a figure
            count += 1
            line = text.count("\n", 0, m.start()) + 1
            where = f"{readme.relative_to(root)}:{line}"
            try:
                path, key = metrics_file(root, readme, m["ref"])
                if path not in cache:
                    cache[path] = json.loads(path.read_text(encoding="utf-8"))
                value = lookup(cache[path], key)
                new = formatted(value, m["number"], bool(m["percent"]))
            except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
                problems.append(f"{where}: {m['ref']}: {e.args[0] if isinstance(e, KeyError) else e}")
                return m[0]
            if new != m["number"]:
                problems.append(f"{where}: shows {m['number']}{m['percent']}, "
                                f"{path.relative_to(root)} has {key} = {value!r} → {new}{m['percent']}")
            return new + m["percent"] + (m["bold"] or "") + "<!-- metrics: " + m["ref"] + " -->"

        updated = MARKER.sub(replace, text)
        seen += count
        if not check and updated != text:
            readme.write_text(updated, encoding="utf-8")
        if count == 0 and (root / "plots" / readme.parent.name / "metrics.json").exists():
            print(f"note: {readme.relative_to(root)} has a metrics.json but no marked figures")
    return seen, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale figures, change nothing; exit 1 if any")
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent,
                        help="the repository (default: this script's)")
    args = parser.parse_args()
    seen, problems = process(args.root, args.check)
    for p in problems:
        print(p)
    if args.check:
        print(f"sync-readme-figures: {seen} marked figures, {len(problems)} stale or unresolved")
        return 1 if problems or seen == 0 else 0
    unresolved = [p for p in problems if "→" not in p]
    print(f"sync-readme-figures: {seen} marked figures, {len(problems) - len(unresolved)} rewritten, "
          f"{len(unresolved)} unresolved")
    return 1 if unresolved else 0


if __name__ == "__main__":
    sys.exit(main())

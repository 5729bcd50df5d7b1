#!/usr/bin/env python3
"""The tables the benchmark scripts print: medians over interleaved rounds, with their min–max,
from Google Benchmark's JSON files (one benchmark run per file, wall clock).

    python3 scripts/bench_tables.py ratios   OUT ROUNDS STEP...   bench-ratios.sh:  step / its GEMM-only replay
    python3 scripts/bench_tables.py builds   OUT ROUNDS STEP...   bench-builds.sh:  build B / build A
    python3 scripts/bench_tables.py libtorch OUT ROUNDS STEP...   compare-libtorch.sh: mmgen / libtorch

A ratio is the median of the per-round ratios (each round's two figures come from the same few
seconds of a shared machine), with their range: the noise of the host cancels in each.
"""
import json
import statistics
import sys


def ms(path, gemm_only=None):
    """Wall-clock ms per iteration of the benchmark in a JSON file; with gemm_only True/False,
    of the one whose name does/does not end in GemmOnly."""
    for b in json.load(open(path))["benchmarks"]:
        if gemm_only is None or b["name"].split("/")[0].endswith("GemmOnly") == gemm_only:
            return b["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
    raise SystemExit(f"bench_tables: {path} has no {'GEMM-only ' if gemm_only else ''}benchmark")


def spread(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def ratio(xs, ys):
    """The median of the per-round ratios x / y, bold, and their range."""
    r = [x / y for x, y in zip(xs, ys)]
    return f"**{statistics.median(r):.2f}** ({min(r):.2f}–{max(r):.2f})"


def ratios_table(out, rounds, steps):
    print(f"\nmedians over {len(rounds)} interleaved rounds (min–max); ms per step, wall clock\n")
    print("| step | step (ms) | GEMM only (ms) | step / GEMM only |")
    print("|---|---:|---:|---:|")
    for s in steps:
        step = [ms(f"{out}/r{r}-{s}.json") for r in rounds]
        gemm = [ms(f"{out}/r{r}-{s}GemmOnly.json") for r in rounds]
        print(f"| `{s}` | {spread(step)} | {spread(gemm)} | {ratio(step, gemm)} |")


def builds_table(out, rounds, steps):
    print(f"\nmedians over {len(rounds)} interleaved rounds (min–max); ms per step, wall clock\n")
    print("| step | A (ms) | B (ms) | B / A |")
    print("|---|---:|---:|---:|")
    for s in steps:
        a = [ms(f"{out}/r{r}-A-{s}.json") for r in rounds]
        b = [ms(f"{out}/r{r}-B-{s}.json") for r in rounds]
        print(f"| `{s}` | {spread(a)} | {spread(b)} | {ratio(b, a)} |")


def libtorch_table(out, rounds, steps):
    print(f"\nmedians over {len(rounds)} interleaved rounds, (min–max); ms per step, wall clock; ratios to libtorch at "
          "its best thread count, the median of the per-round ratios (and their range)\n")
    print("| step | mmgen | mmgen's GEMMs alone | libtorch 1 thread | libtorch 2 threads | best | "
          "mmgen / libtorch | mmgen's GEMMs alone / libtorch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in steps:
        files = {v: [f"{out}/r{r}-{s}-{v}.json" for r in rounds] for v in ("mmgen", "torch1", "torch2")}
        t = {v: [ms(f, gemm_only=False if v == "mmgen" else None) for f in fs] for v, fs in files.items()}
        gemm = [ms(f, gemm_only=True) for f in files["mmgen"]]
        best = min(("torch1", "torch2"), key=lambda v: statistics.median(t[v]))
        print(f"| `{s}` | {spread(t['mmgen'])} | {spread(gemm)} | {spread(t['torch1'])} | {spread(t['torch2'])} | "
              f"{best[-1]} thread{'s' if best == 'torch2' else ''} | {ratio(t['mmgen'], t[best])} | "
              f"{ratio(gemm, t[best])} |")


if __name__ == "__main__":
    tables = {"ratios": ratios_table, "builds": builds_table, "libtorch": libtorch_table}
    if len(sys.argv) < 5 or sys.argv[1] not in tables:
        raise SystemExit("usage: bench_tables.py ratios|builds|libtorch OUT ROUNDS STEP...")
    kind, out, rounds, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    tables[kind](out, range(1, rounds + 1), steps)

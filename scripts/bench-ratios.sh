#!/usr/bin/env bash
# Each training step beside its GEMM-only replay, over interleaved rounds (bench/README.md).
#
#   scripts/bench-ratios.sh [ROUNDS]      (default 5; BUILD_DIR, default build)
#
# In each round, for every step: BM_XStep, then BM_XStepGemmOnly, one after the other, so the
# two see the same moment of a shared machine and their ratio cancels most of its noise. Prints
# one table: per step the median and min–max over the rounds of the step's time, of the
# GEMM-only time, and of the per-round ratio step / GEMM-only. Raw JSON in $BUILD_DIR/ratios/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
BUILD=${BUILD_DIR:-build}
STEPS=(BM_VaeStep BM_GanStep BM_MvaeStep BM_MvaeStepMoe BM_CnnStep BM_ConvVaeStep BM_DcganStep BM_CganStep)
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "bench-ratios: ROUNDS must be a positive number, got '$ROUNDS'" >&2; exit 2; }
BENCH="$BUILD/bin/mmgen_bench"
[[ -x "$BENCH" ]] || { echo "bench-ratios: $BENCH not found; build it: cmake --build $BUILD --target mmgen_bench" >&2; exit 1; }

OUT="$BUILD/ratios"
rm -rf "$OUT" && mkdir -p "$OUT"
echo "bench-ratios: ${#STEPS[@]} steps × $ROUNDS rounds; load before: $(uptime | sed 's/.*load/load/')"
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${STEPS[@]}"; do
    for v in "" GemmOnly; do
      "$BENCH" --benchmark_filter="^$s$v(/|\$)" --benchmark_out="$OUT/r$r-$s$v.json" \
               --benchmark_out_format=json >/dev/null 2>"$OUT/r$r-$s$v.log"
    done
  done
  echo "round $r of $ROUNDS done ($(uptime | sed 's/.*load/load/'))"
done

python3 - "$OUT" "$ROUNDS" "${STEPS[@]}" <<'PY'
import json, statistics, sys
out, rounds, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def ms(path):  # the one benchmark in a Google Benchmark JSON file, wall clock in ms
    b = json.load(open(path))["benchmarks"][0]
    return b["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]

def spread(xs, digits=2):
    return f"{statistics.median(xs):.{digits}f} ({min(xs):.{digits}f}–{max(xs):.{digits}f})"

print(f"\nmedians over {rounds} interleaved rounds (min–max); ms per step, wall clock\n")
print("| step | step (ms) | GEMM only (ms) | step / GEMM only |")
print("|---|---:|---:|---:|")
for s in steps:
    step = [ms(f"{out}/r{r}-{s}.json") for r in range(1, rounds + 1)]
    gemm = [ms(f"{out}/r{r}-{s}GemmOnly.json") for r in range(1, rounds + 1)]
    ratios = [a / b for a, b in zip(step, gemm)]
    print(f"| `{s}` | {spread(step)} | {spread(gemm)} | **{statistics.median(ratios):.2f}** "
          f"({min(ratios):.2f}–{max(ratios):.2f}) |")
PY

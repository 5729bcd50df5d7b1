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

python3 scripts/bench_tables.py ratios "$OUT" "$ROUNDS" "${STEPS[@]}"

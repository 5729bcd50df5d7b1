#!/usr/bin/env bash
# Two builds of mmgen_bench (say, before and after a change) on the same steps, interleaved.
#
#   scripts/bench-builds.sh BUILD_A BUILD_B [ROUNDS] [STEP ...]
#       ROUNDS default 5; STEPs default: the convolution steps (BM_CnnStep BM_ConvVaeStep
#       BM_DcganStep BM_CganStep). To get a build of an older commit:
#       git worktree add /some/dir COMMIT && cmake -S /some/dir -B /some/dir/build -DCMAKE_BUILD_TYPE=Release
#       && cmake --build /some/dir/build --target mmgen_bench
#
# In each round, for every step: A's run, then B's, so the two see the same moment of a shared
# machine. Prints per step the median and min–max of each build's time over the rounds and of
# the per-round ratio B / A: below 1, B is faster. Raw JSON in BUILD_B/builds-vs/.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: scripts/bench-builds.sh BUILD_A BUILD_B [ROUNDS] [STEP ...]" >&2; exit 2; }
A=$1 B=$2
shift 2
ROUNDS=${1:-5}
[[ $# -gt 0 ]] && shift
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "bench-builds: ROUNDS must be a positive number, got '$ROUNDS'" >&2; exit 2; }
STEPS=("$@")
[[ ${#STEPS[@]} -gt 0 ]] || STEPS=(BM_CnnStep BM_ConvVaeStep BM_DcganStep BM_CganStep)
for build in "$A" "$B"; do
  [[ -x "$build/bin/mmgen_bench" ]] || { echo "bench-builds: $build/bin/mmgen_bench not found; build it: cmake --build $build --target mmgen_bench" >&2; exit 1; }
done

OUT="$B/builds-vs"
rm -rf "$OUT" && mkdir -p "$OUT"
echo "bench-builds: ${#STEPS[@]} steps × $ROUNDS rounds, A = $A, B = $B; load before: $(uptime | sed 's/.*load/load/')"
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${STEPS[@]}"; do
    for side in A B; do
      build=$A; [[ $side == B ]] && build=$B
      "$build/bin/mmgen_bench" --benchmark_filter="^$s(/|\$)" --benchmark_out="$OUT/r$r-$side-$s.json" \
                               --benchmark_out_format=json >/dev/null 2>"$OUT/r$r-$side-$s.log"
    done
  done
  echo "round $r of $ROUNDS done ($(uptime | sed 's/.*load/load/'))"
done

python3 scripts/bench_tables.py builds "$OUT" "$ROUNDS" "${STEPS[@]}"

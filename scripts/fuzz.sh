#!/usr/bin/env bash
# Fuzzes the readers of untrusted files (IDX, safetensors) with libFuzzer + ASan + UBSan.
#
#   scripts/fuzz.sh [SECONDS]     run each target for SECONDS seconds (default 60)
#
# Builds fuzz/*.cpp with clang in build-fuzz/, seeds each target with tests/corpus/<target>/
# (which it never modifies), and keeps the inputs it discovers in build-fuzz/corpus/<target>/.
# A crash leaves its input in build-fuzz/artifacts/<target>/; replay it with
#   build-fuzz/bin/fuzz_<target> build-fuzz/artifacts/<target>/crash-…
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
jobs="${JOBS:-2}"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DMMGEN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMMGEN_BUILD_TESTS=OFF -DMMGEN_BUILD_BENCH=OFF -DMMGEN_BUILD_CHAPTERS=OFF >/dev/null
cmake --build "$build" --target fuzz_idx fuzz_checkpoint -j"$jobs"

status=0
for target in idx checkpoint; do
  found="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$found" "$artifacts"
  echo "== fuzz_$target for ${seconds}s (seeds: tests/corpus/$target)"
  if ! "$build/bin/fuzz_$target" "$found" "$root/tests/corpus/$target" \
      -dict="$root/fuzz/$target.dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 2>"$build/fuzz_$target.log"; then
    status=1
    echo "fuzz_$target FAILED; see $build/fuzz_$target.log and $artifacts/"
    grep -E "ERROR|SUMMARY|Test unit written" "$build/fuzz_$target.log" || true
  else
    grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)|^Done" "$build/fuzz_$target.log" || true
  fi
done
exit "$status"

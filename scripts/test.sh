#!/usr/bin/env bash
# The test command: dependencies → configure → build → ctest; then the whole suite again in a
# second build with AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

bash scripts/setup-deps.sh

echo "== pass 1: Release build and tests (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$JOBS"
(cd build && ctest --output-on-failure -j "$JOBS")

echo "== pass 2: AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMMGEN_SANITIZE=ON -DMMGEN_BUILD_BENCH=OFF
cmake --build build-asan -j "$JOBS"
# OpenBLAS's threads trip LeakSanitizer's thread bookkeeping at exit; leaks are still reported
# for the project's own allocations through detect_leaks=1.
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   ctest --output-on-failure -j "$JOBS")

echo "== all tests passed (Release and ASan+UBSan)"

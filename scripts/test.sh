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
# Pass 1 ran the tests in float and in double. Under the sanitizers, the tests are built in
# double only, which halves this pass: the double build is the one with the gradient checks
# (every backward runs under the sanitizers), and with one precision the chapter executables'
# quick runs ([executable]) run in it too. Float and double compile the same sources; the
# float-only code (the AVX-512/AVX2 clones) is off under ASan anyway.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMMGEN_SANITIZE=ON -DMMGEN_BUILD_BENCH=OFF \
      -DMMGEN_TEST_PRECISIONS=double
cmake --build build-asan -j "$JOBS"
# OpenBLAS's threads trip LeakSanitizer's thread bookkeeping at exit; leaks are still reported
# for the project's own allocations through detect_leaks=1.
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   ctest --output-on-failure -j "$JOBS")

echo "== all tests passed (Release and ASan+UBSan)"

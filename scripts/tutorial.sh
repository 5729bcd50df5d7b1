#!/usr/bin/env bash
# The tutorial command: dependencies → build → every chapter, in order, with default flags,
# writing plots/<chapter>/. Extra arguments go to every chapter (e.g. --quick for a
# seconds-long tour).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

bash scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$JOBS"

for dir in chapters/[0-9][0-9]_*/; do
  chapter=$(basename "$dir")                  # 01_tensors_autograd
  exe="build/bin/ch${chapter:0:2}_${chapter:3}"
  [[ -x "$exe" ]] || { echo "tutorial: $exe was not built" >&2; exit 1; }
  echo
  echo "================ chapter ${chapter} ================"
  "$exe" "$@"
done
echo
echo "tutorial: done; figures are in plots/"

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
  if [[ "$chapter" == 07_* ]]; then
    # data parallelism: 2 ranks of one thread each. --oversubscribe: even where MPI counts
    # fewer free slots; --bind-to none: no pinning, so the measurement's 2-thread process can
    # use both cores; single-copy "none": shared-memory messages go through Open MPI's own
    # buffers, not the kernel's cross-memory attach, which takes ~100× longer in some VMs
    # (chapter 07's README, "Measured here"); yield when idle: a rank waiting for its peer gives
    # its core away instead of spinning on it, which matters on a busy machine; Open MPI
    # refuses root unless told (CI runs as root).
    mpirun -np 2 --oversubscribe --bind-to none --mca btl_vader_single_copy_mechanism none --mca mpi_yield_when_idle 1 \
      $( [[ $(id -u) == 0 ]] && echo --allow-run-as-root ) "$exe" "$@"
  else
    "$exe" "$@"
  fi
done
echo
echo "tutorial: done; figures are in plots/"

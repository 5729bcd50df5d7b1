#!/usr/bin/env bash
# mmgen's training steps side by side with the same steps in libtorch (bench/libtorch/).
#
#   scripts/compare-libtorch.sh [ROUNDS]      (default 5; BUILD_DIR, default build-libtorch)
#
# 1. installs the project's packages (scripts/setup-deps.sh) and libtorch-dev, if missing;
# 2. configures its own build folder with -DMMGEN_WITH_LIBTORCH=ON and builds mmgen_bench and
#    mmgen_libtorch_bench;
# 3. runs ROUNDS rounds; in each, for every step both programs have, one after the other:
#    mmgen_bench's BM_XStep and BM_XStepGemmOnly (the step's GEMM calls alone), the libtorch
#    twin with 1 thread, the twin with 2 threads — so all four see the same moment of a shared
#    machine;
# 4. prints one table: per step the median and min–max over the rounds of mmgen's time and of
#    libtorch's at its best thread count (the lower median), mmgen / libtorch, and mmgen's GEMM
#    calls alone / libtorch — the least mmgen / libtorch could be with the same GEMMs.
#
# Each measurement is Google Benchmark's own (at least 2 s of iterations, wall clock); the raw
# JSON lands in $BUILD_DIR/compare/. libtorch-dev is large (≈ 1 GB installed with its
# dependencies) and is not part of setup-deps.sh or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
BUILD=${BUILD_DIR:-build-libtorch}
JOBS=${JOBS:-$(nproc)}
STEPS=(BM_VaeStep BM_GanStep BM_MvaeStep BM_MvaeStepMoe BM_CnnStep BM_DcganStep)
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "compare-libtorch: ROUNDS must be a positive number, got '$ROUNDS'" >&2; exit 2; }

# --- 1. packages ---------------------------------------------------------------------------------
bash scripts/setup-deps.sh
if ! dpkg-query -W -f='${Status}' libtorch-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "compare-libtorch: installing libtorch-dev"
  SUDO=""
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "compare-libtorch: need root or sudo to install libtorch-dev" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends libtorch-dev
fi

# --- 2. build ------------------------------------------------------------------------------------
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMMGEN_WITH_LIBTORCH=ON \
      -DMMGEN_BUILD_TESTS=OFF -DMMGEN_BUILD_CHAPTERS=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target mmgen_bench mmgen_libtorch_bench
MMGEN="$BUILD/bin/mmgen_bench"
TORCH="$BUILD/bin/mmgen_libtorch_bench"

# --- 3. interleaved rounds -----------------------------------------------------------------------
OUT="$BUILD/compare"
rm -rf "$OUT" && mkdir -p "$OUT"
has() { grep -qx "$2" <("$1" --benchmark_list_tests | sed 's|/.*||' | sort -u); }
steps=()
for s in "${STEPS[@]}"; do
  if has "$MMGEN" "$s" && has "$TORCH" "$s"; then steps+=("$s"); else echo "compare-libtorch: $s is not in both programs; skipped"; fi
done
echo "compare-libtorch: ${#steps[@]} steps × $ROUNDS rounds (mmgen, libtorch 1 thread, libtorch 2 threads); $(nproc) cores"
echo "load before: $(uptime)" | tee "$OUT/load.txt"
run() {  # program, filter, json file
  "$1" --benchmark_filter="$2" --benchmark_out="$3" --benchmark_out_format=json >/dev/null
}
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${steps[@]}"; do
    run "$MMGEN" "^$s(GemmOnly)?(/|\$)" "$OUT/r$r-$s-mmgen.json"   # the step, then its GEMM-only replay
    run "$TORCH" "^$s/threads:1(/|\$)" "$OUT/r$r-$s-torch1.json"
    run "$TORCH" "^$s/threads:2(/|\$)" "$OUT/r$r-$s-torch2.json"
  done
  echo "round $r of $ROUNDS done ($(uptime | sed 's/.*load/load/'))"
done
echo "load after: $(uptime)" | tee -a "$OUT/load.txt"

# --- 4. the table --------------------------------------------------------------------------------
python3 scripts/bench_tables.py libtorch "$OUT" "$ROUNDS" "${steps[@]}"

#!/usr/bin/env bash
# Installs every Debian package mmgen needs that is not installed yet. Idempotent: a second
# run installs nothing. Runs apt-get as root, or through sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config   # compiler and build
  libopenblas-dev liblapacke-dev     # GEMM (cblas_sgemm/dgemm); LAPACK's symmetric eigensolver
  libopenblas-openmp-dev             # OpenBLAS's OpenMP build: GEMM and our loops share one thread pool
  catch2                             # tests (v2.13)
  libbenchmark-dev                   # bench/
  libgnuplot-iostream-dev gnuplot-nox libboost-iostreams-dev libboost-filesystem-dev   # plots
  libstb-dev                         # PNG/JPG in and out
  zlib1g-dev                         # gzip'd IDX files
  libcli11-dev nlohmann-json3-dev    # command lines; metrics.json and checkpoint headers
  dataset-fashion-mnist              # the data: /usr/share/datasets/fashion-mnist/
  libopenmpi-dev openmpi-bin         # chapter 07: MPI (mpicxx headers/libraries; mpirun)
  graphviz                           # dot: chapter 01 renders autograd graphs to PNG
  python3-torch python3-numpy        # tests/reference/: parity of the chapters' models with PyTorch
)
# Optional: clang and its fuzzer runtime, for scripts/fuzz.sh
if [[ "${MMGEN_WITH_FUZZ:-0}" == 1 ]]; then PACKAGES+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup-deps: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "setup-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup-deps: done"

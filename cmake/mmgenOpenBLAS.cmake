# OpenBLAS's OpenMP build (Debian's libopenblas-openmp-dev) as the imported target
# PkgConfig::OPENBLAS_OPENMP, and OpenMP as OpenMP::OpenMP_CXX. Used by mmgen's own build and by
# mmgenConfig.cmake (an installed mmgen's consumers), so both find the same library.
#
# Why the OpenMP build: its GEMM threads and the library's loops between the GEMMs
# (parallel::for_range, OpenMP too) are then one pool of threads. With the default pthreads build
# each keeps its own threads, and OpenBLAS's, spinning after every GEMM, hold the cores our loops
# need (bench/README.md, "One pool of threads"). It is found through its own pkg-config file, so
# the result does not depend on which build the system's alternatives point to.
find_package(PkgConfig REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)  # GCC's libgomp
if(NOT CMAKE_LIBRARY_ARCHITECTURE)
  set(CMAKE_LIBRARY_ARCHITECTURE x86_64-linux-gnu)  # a consumer project may not have detected it
endif()
set(MMGEN_OPENBLAS_OPENMP_PC /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp/pkgconfig)
if(NOT EXISTS ${MMGEN_OPENBLAS_OPENMP_PC}/openblas.pc)
  message(FATAL_ERROR "OpenBLAS's OpenMP build is missing (${MMGEN_OPENBLAS_OPENMP_PC}/openblas.pc): "
                      "install libopenblas-openmp-dev (scripts/setup-deps.sh does)")
endif()
set(_mmgen_pkg_config_path "$ENV{PKG_CONFIG_PATH}")
set(ENV{PKG_CONFIG_PATH} "${MMGEN_OPENBLAS_OPENMP_PC}")  # only this build's openblas.pc
pkg_check_modules(OPENBLAS_OPENMP REQUIRED IMPORTED_TARGET openblas)
set(ENV{PKG_CONFIG_PATH} "${_mmgen_pkg_config_path}")

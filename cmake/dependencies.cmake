# Every third-party package hinge uses, found through Debian's packages.
find_package(fmt 9 CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)              # Spirit X3 is header-only
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)                    # cblas_sgemm / cblas_dgemm
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
find_package(Threads REQUIRED)

# Every third-party package hinge uses, found through Debian's packages. The engine
# needs fmt, BLAS and threads (its workers: engine/src/parallel.cpp); the language
# adds Boost (Spirit X3) and libedit.
find_package(fmt 9 CONFIG REQUIRED)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)                    # cblas_sgemm / cblas_dgemm
find_package(Threads REQUIRED)
if(HINGE_LANG)
  find_package(Boost 1.74 REQUIRED)            # Spirit X3 is header-only
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
endif()

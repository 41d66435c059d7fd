// OpenBLAS's GEMMs, loaded on first use (Note [Loading BLAS on first use]).
#pragma once
#include <cblas.h>

namespace hinge::detail {

struct Blas {
  decltype(&cblas_sgemm) sgemm;
  decltype(&cblas_dgemm) dgemm;
};

// OpenBLAS's entry points, loaded on first use (a library that cannot be loaded throws
// hinge::Error), or nullptr when its work buffers cannot be had
// (Note [BLAS under a memory limit] in blas.cpp): then the caller multiplies itself.
const Blas* usable_blas();

}  // namespace hinge::detail

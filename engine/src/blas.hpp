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
// `callers`, the products about to run at once, one per thread, is lowered to the
// count whose buffers exist.
const Blas* usable_blas(int& callers);

}  // namespace hinge::detail

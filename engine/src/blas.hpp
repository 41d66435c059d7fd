// OpenBLAS's GEMMs, loaded on first use (Note [Loading BLAS on first use]).
#pragma once
#include <cblas.h>

namespace hinge::detail {

struct Blas {
  decltype(&cblas_sgemm) sgemm;
  decltype(&cblas_dgemm) dgemm;
};

// OpenBLAS's entry points, loading the library on the first call; throws hinge::Error
// when it cannot be loaded.
const Blas& blas();

}  // namespace hinge::detail

// The BLAS behind matmul (OpenBLAS), loaded on the first matrix product that needs
// it (Note [Loading BLAS on first use] in engine/src/blas.cpp).
#pragma once

namespace hinge {

// The threads OpenBLAS may use: applied now if it is loaded, else when it is.
void set_blas_threads(int n);

}  // namespace hinge

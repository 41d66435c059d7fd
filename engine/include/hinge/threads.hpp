// The threads the engine may use for a large product and the loops over its output
// (Note [The engine splits its products] in engine/src/parallel.cpp).
#pragma once

namespace hinge {

// At most n threads from the next product on; 0 (or less) goes back to the default:
// OPENBLAS_NUM_THREADS when it is set, else one per core.
void set_threads(int n);

}  // namespace hinge

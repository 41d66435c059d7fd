// a @ b by the definition, for checking the engine's matmul in tests.
#pragma once
#include <vector>

#include "hinge/tensor.hpp"

namespace hinge::test {

// [batch?, m, k] x [batch?, k, n] views of a and b (see matmul.cpp); a rank-1
// side is a row (a) or a column (b), a rank-2 side is shared over the batch.
inline std::vector<double> matmul_reference(const Tensor& a, const Tensor& b) {
  const Shape &sa = a.shape(), &sb = b.shape();
  const int64_t k = sa[sa.rank - 1];
  const int64_t m = sa.rank >= 2 ? sa[sa.rank - 2] : 1;
  const int64_t n = sb.rank >= 2 ? sb[sb.rank - 1] : 1;
  const int64_t batch = sa.rank == 3 ? sa[0] : sb.rank == 3 ? sb[0] : 1;
  const int64_t as = sa.rank == 3 ? m * k : 0, bs = sb.rank == 3 ? k * n : 0;
  const auto av = a.values(), bv = b.values();
  std::vector<double> out(static_cast<std::size_t>(batch * m * n));
  for (int64_t t = 0; t < batch; ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) s += av[t * as + i * k + p] * bv[t * bs + p * n + j];
        out[(t * m + i) * n + j] = s;
      }
  return out;
}

}  // namespace hinge::test

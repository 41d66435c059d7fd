// Test data that is easy to read in a failure message: n evenly spaced numbers.
#pragma once
#include <cstdint>
#include <vector>

namespace hinge::test {

/// lo, lo + step, ..., lo + (n - 1) step.
inline std::vector<double> ramp(int64_t n, double lo, double step) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int64_t k = 0; k < n; ++k) v[static_cast<std::size_t>(k)] = lo + step * static_cast<double>(k);
  return v;
}

}  // namespace hinge::test

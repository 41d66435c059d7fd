// The benchmark's data and initial weights, from a counter-based generator that
// torch_bench.py reproduces bit for bit, so both sides train the same model.
#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace bench {

// splitmix64 of a counter: element i of stream s is a pure function of (s, i),
// which numpy computes vectorised (torch_bench.py, uniform()).
inline uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// n numbers uniform in [lo, hi) from stream `s` (computed in double; each side
// then rounds to float32 the same way).
inline std::vector<double> uniform(uint64_t s, int64_t n, double lo = 0.0, double hi = 1.0) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(splitmix64((s << 32) + static_cast<uint64_t>(i)) >> 11) * 0x1.0p-53;
    v[static_cast<std::size_t>(i)] = lo + (hi - lo) * u;
  }
  return v;
}

// Stream numbers, one per array (torch_bench.py uses the same table).
enum Stream : uint64_t {
  kMoonsNoise = 1,
  kScalarW = 2,  // + layer (0, 1, 2)
  kFitW1 = 10,
  kFitB1,
  kFitW2,
  kFitB2,
  kMlpX = 20,
  kMlpLabels,
  kMlpW = 30,  // kMlpW + 2 * layer (+1 for the bias)
  kChainX = 40,
};

// Two moons as sklearn's make_moons(100, noise=0.1) lays them out, labels -1 / +1
// (micrograd's demo): x is [n, 2] row-major.
struct Moons {
  std::vector<double> x, y;
};
inline Moons two_moons(int n = 100) {
  const int half = n / 2;
  Moons m;
  const auto noise = uniform(kMoonsNoise, 2 * n, -0.1, 0.1);
  for (int i = 0; i < n; ++i) {
    const bool outer = i < half;
    const int j = outer ? i : i - half;
    const double t = std::numbers::pi * j / (half - 1);
    const double x0 = outer ? std::cos(t) : 1.0 - std::cos(t);
    const double x1 = outer ? std::sin(t) : 0.5 - std::sin(t);
    m.x.push_back(x0 + noise[2 * i]);
    m.x.push_back(x1 + noise[2 * i + 1]);
    m.y.push_back(outer ? -1.0 : 1.0);
  }
  return m;
}

// fit_curve's inputs: 200 points of linspace(-3, 3) and sin of them.
inline std::vector<double> fit_xs(int n = 200) {
  std::vector<double> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) x[i] = -3.0 + 6.0 * i / (n - 1);
  return x;
}

}  // namespace bench

// Rng: hinge's one seeded random generator (xoshiro256** seeded by splitmix64,
// normals by Box-Muller), so a seed gives the same numbers on every machine.
//   Rng rng(42);
//   double u = rng.uniform();   // [0, 1)
//   double z = rng.normal();    // mean 0, std 1
#pragma once
#include <cstdint>

namespace hinge {

// Note [Reproducible randomness]
// The standard library's engines are portable but its distributions are not
// (std::normal_distribution's algorithm is implementation-defined), so hinge
// writes its own: the uniform stream is a pure function of the seed, bit for bit,
// everywhere. Normals go through std::log, std::sqrt, std::cos and std::sin;
// sqrt is exact by IEEE 754, and glibc's log/cos/sin give the same bits on every
// x86-64 and ARM64 machine running the same glibc. Every hinge source is compiled
// with -ffp-contract=off (cmake/warnings.cmake), so no a*b+c here becomes one FMA
// instruction (which -march=native would otherwise do on some CPUs and not others,
// changing the last bit).
class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { seed_with(seed); }

  // Restarts the stream as if freshly built with `seed`.
  void seed_with(uint64_t seed);

  // 64 random bits (xoshiro256**).
  uint64_t next_u64();
  // Uniform in [0, 1), a multiple of 2^-53.
  double uniform();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi);
  // Uniform integer in [0, n), unbiased; n must be > 0.
  uint64_t below(uint64_t n);
  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double normal();
  double normal(double mean, double std);

 private:
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace hinge

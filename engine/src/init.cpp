// Parameter initialisers: constant fills and random draws from Rng, and the
// fan-in/fan-out rule of Note [Fan in and fan out].
#include "hinge/init.hpp"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "hinge/errors.hpp"

namespace hinge::init {

namespace {

// A parameter of shape s whose k-th element (row-major) is draw().
template <class F>
Tensor make(Graph& g, const Shape& s, F draw) {
  return g.param(s, draws(s.numel(), draw));
}

}  // namespace

Fans fans(const Shape& s, const char* who) {
  if (s.rank < 2)
    throw DomainError(
        fmt::format("{} needs a weight matrix shape [in, out], not {}; "
                    "initialise biases with zeros or normal",
                    who, to_string(s)));
  return {s[s.rank - 2], s[s.rank - 1]};
}

Tensor zeros(Graph& g, const Shape& s) { return full(g, s, 0.0); }
Tensor ones(Graph& g, const Shape& s) { return full(g, s, 1.0); }
Tensor full(Graph& g, const Shape& s, double v) { return g.param(s, {&v, 1}); }

Tensor uniform(Graph& g, Rng& rng, const Shape& s, double lo, double hi) {
  if (!(lo <= hi)) throw DomainError(fmt::format("uniform: lo ({}) must not exceed hi ({})", lo, hi));
  return make(g, s, [&] { return rng.uniform(lo, hi); });
}

Tensor normal(Graph& g, Rng& rng, const Shape& s, double mean, double std) {
  if (!(std >= 0)) throw DomainError(fmt::format("normal: std must be >= 0, not {}", std));
  return make(g, s, [&] { return rng.normal(mean, std); });
}

double xavier_bound(const Shape& s, double gain) {
  const Fans f = fans(s, "xavier");
  if (f.in + f.out == 0) return 0;
  return gain * std::sqrt(6.0 / static_cast<double>(f.in + f.out));
}

Tensor xavier(Graph& g, Rng& rng, const Shape& s, double gain) {
  const double a = xavier_bound(s, gain);
  return make(g, s, [&] { return rng.uniform(-a, a); });
}

double kaiming_std(const Shape& s) {
  const Fans f = fans(s, "kaiming");
  if (f.in == 0) return 0;
  return std::sqrt(2.0 / static_cast<double>(f.in));
}

Tensor kaiming(Graph& g, Rng& rng, const Shape& s) {
  const double sd = kaiming_std(s);
  return make(g, s, [&] { return rng.normal(0.0, sd); });
}

}  // namespace hinge::init

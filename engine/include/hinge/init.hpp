// Parameter initialisers: each makes a new trainable leaf (Graph::param) of the
// graph's dtype, filled row-major from hinge's seeded Rng.
//   Rng rng(1);
//   auto w1 = init::kaiming(g, rng, {1, 32});
//   auto b1 = init::zeros(g, {32});
#pragma once
#include <cstdint>
#include <vector>

#include "hinge/interrupt.hpp"
#include "hinge/rng.hpp"
#include "hinge/tensor.hpp"

namespace hinge::init {

// n numbers from draw(), in order: the initialisers' values, and lang's random
// tensors, which draw the same numbers from an Rng in the same state. Reserved, not
// cleared, so the draws touch the pages first; the stop request is polled between
// them (2^28 numbers take seconds to draw, and clearing them first as long).
template <class Draw>
std::vector<double> draws(int64_t n, Draw draw) {
  std::vector<double> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    if (k % kInterruptPollElements == 0) throw_if_interrupted();
    v.push_back(draw());
  }
  return v;
}

// Note [Fan in and fan out]
// hinge multiplies inputs on the left, y = x @ W, so a weight matrix has shape
// [in, out]: fan_in = dim 0 and fan_out = dim 1. (PyTorch's nn.Linear stores the
// transpose, [out, in], and reads its fans the other way round; the numbers come
// out the same for the same layer.) For rank 3 and 4 the last two axes are the
// [in, out] matrix and the leading axes index independent matrices (a batch for
// matmul), so fan_in = dim -2 and fan_out = dim -1. Ranks 0 and 1 have no fans:
// xavier and kaiming refuse them (initialise biases with zeros or normal).
struct Fans {
  int64_t in = 0, out = 0;
};
// Throws DomainError naming `who` for rank < 2.
Fans fans(const Shape& s, const char* who = "fans");

Tensor zeros(Graph& g, const Shape& s);
Tensor ones(Graph& g, const Shape& s);
Tensor full(Graph& g, const Shape& s, double v);
// Uniform in [lo, hi); DomainError unless lo <= hi.
Tensor uniform(Graph& g, Rng& rng, const Shape& s, double lo = 0, double hi = 1);
// Normal with mean and std; DomainError unless std >= 0.
Tensor normal(Graph& g, Rng& rng, const Shape& s, double mean = 0, double std = 1);

// Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), so
// the variance gain^2 * 2 / (fan_in + fan_out) keeps signals steady both ways
// through tanh or sigmoid layers.
Tensor xavier(Graph& g, Rng& rng, const Shape& s, double gain = 1);
double xavier_bound(const Shape& s, double gain = 1);

// He/Kaiming normal for ReLU layers: N(0, std^2) with std = sqrt(2 / fan_in); the
// 2 makes up for ReLU zeroing half its inputs.
Tensor kaiming(Graph& g, Rng& rng, const Shape& s);
double kaiming_std(const Shape& s);

}  // namespace hinge::init

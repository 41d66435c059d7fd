// Helpers for the per-op gradient tests: random inputs, a scalar loss that mixes
// every output element with a different weight, and the finite-difference check.
#pragma once
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <functional>
#include <random>
#include <vector>

#include "hinge/engine.hpp"

namespace hinge::test {

// Values in [lo, hi], away from 0 by at least `gap` (kinks live at 0).
inline std::vector<double> random_values(int64_t n, std::mt19937& rng, double lo = -2, double hi = 2,
                                         double gap = 0.05) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& x : v) {
    do x = d(rng);
    while (std::abs(x) < gap);
  }
  return v;
}

// A variable leaf of shape s with random values.
inline Tensor random_variable(Graph& g, const Shape& s, std::mt19937& rng, double lo = -2, double hi = 2) {
  return g.variable(s, random_values(s.numel(), rng, lo, hi), DType::f64);
}

// sum(out * W) with fixed random weights W, so every element's gradient differs.
inline Tensor weighted_sum(Tensor out, std::mt19937& rng) {
  auto w = out.g->constant(out.shape(), random_values(out.numel(), rng, 0.5, 1.5), out.dtype());
  return sum(out * w);
}

// The graph-built gradient (create_graph, each op's vjp) equals the numeric one.
// check_second_derivative alone cannot see a wrong vjp that is self-consistent.
inline void check_vjp_matches_backward(Tensor y, const std::vector<Tensor>& inputs) {
  auto numeric = grad(y, inputs), built = grad(y, inputs, /*create_graph=*/true);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    for (int64_t k = 0; k < inputs[i].numel(); ++k)
      CHECK(built[i].at(k) == Approx(numeric[i].at(k)).epsilon(1e-12).margin(1e-14));
}

// Builds f(inputs) and checks d(weighted sum)/d(inputs) against finite
// differences, and the graph-built gradient against the numeric one.
inline void check_gradient(Graph& g, std::vector<Tensor> inputs,
                           const std::function<Tensor(std::vector<Tensor>&)>& f, std::mt19937& rng,
                           GradcheckOptions opt = {}) {
  Tensor y = weighted_sum(f(inputs), rng);
  auto r = gradcheck(y, inputs, opt);
  INFO(r.describe());
  CHECK(r.checked > 0);
  CHECK(r.ok);
  check_vjp_matches_backward(y, inputs);
}

// Checks the graph-built gradient (create_graph) against finite differences of
// the first derivative: that is, second derivatives. Each input is a variable.
inline void check_second_derivative(Graph& g, std::vector<Tensor> inputs,
                                    const std::function<Tensor(std::vector<Tensor>&)>& f, std::mt19937& rng,
                                    GradcheckOptions opt = {}) {
  Tensor y = weighted_sum(f(inputs), rng);
  auto first = grad(y, inputs, /*create_graph=*/true);
  // A scalar of the first derivatives, differentiated again by gradcheck.
  Tensor z = weighted_sum(first[0], rng);
  for (std::size_t i = 1; i < first.size(); ++i) z = z + weighted_sum(first[i], rng);
  if (!z.requires_grad()) {  // constant first derivative: second derivative is zero
    SUCCEED("first derivative is constant");
    return;
  }
  auto r = gradcheck(z, inputs, opt);
  INFO(r.describe());
  CHECK(r.checked > 0);
  CHECK(r.ok);
}

}  // namespace hinge::test

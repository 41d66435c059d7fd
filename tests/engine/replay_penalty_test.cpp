// Replay over a loss that holds backward nodes: a gradient penalty
// L + 0.1 * sum((dL/dw)^2) built with grad(create_graph). Training replays that
// graph step after step, so its forward must recompute the backward nodes from the
// new params and its backward must differentiate through them: each step's
// gradient is checked against central finite differences of the replayed loss,
// for every replay path (the scalar program, fused layers, plain kernels).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>

#include "hinge/engine.hpp"
#include "ramp.hpp"

using namespace hinge;
using hinge::test::ramp;

namespace {

// The penalized loss of `loss` over `params`.
Tensor penalized(Tensor loss, const std::vector<Tensor>& params) {
  Tensor p = loss;
  auto gs = grad(loss, std::span<const Tensor>(params), true);
  for (Tensor& d : gs) p = p + 0.1 * sum(d * d);
  return p;
}

// Three steps: move the params, replay forward and backward, compare every
// param's gradient with central differences of the replayed root.
void check_penalty(const ReplayOptions& options,
                   const std::function<Tensor(Graph&, std::vector<Tensor>&)>& build) {
  Graph g;
  std::vector<Tensor> params;
  Tensor loss = build(g, params);
  Tensor root = penalized(loss, params);
  Replay r(root, options);
  REQUIRE(r.params().size() == params.size());
  auto value_at = [&] {
    r.forward();
    return r.root().item();
  };
  for (int step = 0; step < 3; ++step) {
    for (Tensor& p : params) {  // a move like an optimizer step's
      std::vector<double> v = p.values();
      for (std::size_t k = 0; k < v.size(); ++k) v[k] += 0.07 * std::sin(3.0 * static_cast<double>(k + step));
      p.set_values(v);
    }
    r.forward();
    r.backward();
    std::vector<std::vector<double>> analytic;
    for (Tensor& p : params) analytic.push_back(p.grads());
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::vector<double> v = params[i].values();
      for (std::size_t k = 0; k < v.size(); ++k) {
        const double x = v[k], h = 1e-5 * std::max(1.0, std::abs(x));
        v[k] = x + h;
        params[i].set_values(v);
        const double up = value_at();
        v[k] = x - h;
        params[i].set_values(v);
        const double down = value_at();
        v[k] = x;
        params[i].set_values(v);
        const double numeric = (up - down) / (2 * h);
        INFO("step " << step << ", param " << i << ", element " << k);
        CHECK(analytic[i][k] == Approx(numeric).epsilon(1e-5).margin(1e-7));
      }
    }
  }
}

}  // namespace

TEST_CASE("replay differentiates a gradient penalty (backward nodes in the tape)", "[replay][penalty]") {
  SECTION("scalars: the compiled scalar program") {
    check_penalty({}, [](Graph& g, std::vector<Tensor>& ps) {
      Tensor w = g.param(0.8), b = g.param(-0.3);
      ps = {w, b};
      Tensor y = sin(w * 1.5 + b) * w + tanh(b * w);
      return (y - 0.2) * (y - 0.2);
    });
  }
  for (bool fast : {false, true}) {
    const ReplayOptions options{.fuse_layers = fast, .fold_constants = fast};
    SECTION(std::string("a tanh layer, mse") + (fast ? " (fused, folded)" : "")) {
      check_penalty(options, [](Graph& g, std::vector<Tensor>& ps) {
        Tensor X = g.constant({6, 1}, ramp(6, -1.0, 0.4));
        Tensor Y = sin(X);
        Tensor W = g.param({1, 5}, ramp(5, -0.6, 0.3)), b = g.param({5}, ramp(5, 0.2, -0.1));
        Tensor V = g.param({5, 1}, ramp(5, 0.3, -0.15));
        ps = {W, b, V};
        return mse(matmul(tanh(matmul(X, W) + b), V), Y);
      });
    }
    SECTION(std::string("a relu layer, the fit_curve model") + (fast ? " (fused, folded)" : "")) {
      check_penalty(options, [](Graph& g, std::vector<Tensor>& ps) {
        Tensor X = g.constant({7, 1}, ramp(7, -1.1, 0.37));
        Tensor Y = sin(X);
        Tensor W = g.param({1, 4}, ramp(4, -0.5, 0.4)), b = g.param({4}, ramp(4, 0.13, -0.11));
        Tensor V = g.param({4, 1}, ramp(4, 0.2, 0.3)), c = g.param({1}, ramp(1, 0.05, 0));
        ps = {W, b, V, c};
        return mse(matmul(relu(matmul(X, W) + b), V) + c, Y);
      });
    }
    SECTION(std::string("softmax cross-entropy") + (fast ? " (fused, folded)" : "")) {
      check_penalty(options, [](Graph& g, std::vector<Tensor>& ps) {
        Tensor X = g.constant({4, 2}, ramp(8, -0.9, 0.25));
        Tensor labels = g.constant({4}, std::vector<double>{0, 2, 1, 2});
        Tensor W = g.param({2, 3}, ramp(6, -0.4, 0.17));
        ps = {W};
        return cross_entropy(matmul(X, W), labels);
      });
    }
  }
}

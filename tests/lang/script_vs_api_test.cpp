// The language adds no numerics of its own: a 1->N->1 ReLU fit of sin written as a
// hinge script trains to the same loss as the same model built through the C++ API
// (same seed, same init order, float64), to 1e-9 relative.
#include <cmath>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "eval/interpreter.hpp"
#include "eval/session.hpp"
#include "hinge/backward.hpp"
#include "hinge/init.hpp"
#include "hinge/optim.hpp"
#include "hinge/rng.hpp"

using namespace hinge;

namespace {

constexpr int kHidden = 16;
constexpr int kSteps = 400;

// The script: data, init in the order w1, b1, w2, b2, Adam.
std::string script() {
  return fmt::format(
      "let xs = linspace(-pi, pi, 200)\n"
      "let X = col(xs)\n"
      "let Y = col(sin(xs))\n"
      "seed(7)\n"
      "param w1 = normal([1, {0}], std=1)\n"
      "param b1 = zeros([{0}])\n"
      "param w2 = normal([{0}, 1], std=0.25)\n"
      "param b2 = 0\n"
      "def f(x) = relu(x @ w1 + b1) @ w2 + b2\n"
      "let loss = mse(f(X), Y)\n"
      "train loss with adam(lr=0.01) for {1} steps quiet\n",
      kHidden, kSteps);
}

}  // namespace

TEST_CASE("a script trains to the same loss as the C++ API", "[script_vs_api]") {
  std::FILE* out = std::tmpfile();
  lang::SessionOptions opts;
  opts.out = out;
  opts.err = out;
  lang::Session session(opts);
  REQUIRE(session.run_script("fit.hinge", script()) == lang::Status::ok);
  lang::Interpreter& in = session.interpreter();
  // Bindings are refreshed when read (Note [Live bindings]); this reads the tensor itself.
  in.refresh(in.globals().at("loss").value);
  const double script_loss = in.globals().at("loss").value.tensor().item();
  // The data, taken from the session (the comparison is about the model and training).
  const auto xs = in.globals().at("X").value.tensor().values();
  const auto ys = in.globals().at("Y").value.tensor().values();
  std::fclose(out);

  // The same model through the engine's C++ API.
  Graph g;
  Rng rng(7);
  const auto n = static_cast<int64_t>(xs.size());
  Tensor X = g.constant({n, 1}, xs), Y = g.constant({n, 1}, ys);
  Tensor w1 = init::normal(g, rng, {1, kHidden}, 0, 1);
  Tensor b1 = init::zeros(g, {kHidden});
  Tensor w2 = init::normal(g, rng, {kHidden, 1}, 0, 0.25);
  Tensor b2 = g.param(0.0);
  Tensor loss = mse(matmul(relu(matmul(X, w1) + b1), w2) + b2, Y);
  Replay r(loss);
  Adam opt(r.params(), {.lr = 0.01});
  for (int t = 0; t < kSteps; ++t) {
    r.forward();
    r.backward();
    opt.step();
  }
  r.forward();
  const double api_loss = loss.item();

  INFO("script " << script_loss << " vs api " << api_loss);
  CHECK(std::isfinite(api_loss));
  CHECK(api_loss < 0.05);  // it did learn
  CHECK(std::fabs(script_loss - api_loss) <= 1e-9 * std::fabs(api_loss));
  // The parameters agree too.
  const auto sw = in.globals().at("w2").value.tensor().values();
  const auto aw = w2.values();
  REQUIRE(sw.size() == aw.size());
  for (std::size_t k = 0; k < sw.size(); ++k) CHECK(sw[k] == Approx(aw[k]).epsilon(1e-9));
}

// Replay's gradients equal backward()'s, whatever stale numbers the gradient
// buffers held before the step (Note [Assigning backward] in engine/src/backward.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "hinge/engine.hpp"
#include "ramp.hpp"

using namespace hinge;
using hinge::test::ramp;

namespace {

// Builds the model, takes backward()'s gradients of every node that requires
// grad (0 where backward() does not reach, e.g. through a comparison), then fills
// all those gradients with NaN and checks that one Replay step
// gives the same numbers (twice: the second step starts from the first's buffers).
void check_replay(DType t, const std::function<Tensor(Graph&)>& build) {
  Graph g(t);
  Tensor loss = build(g);
  std::vector<NodeId> ids;
  for (NodeId id : ancestors(g, loss.id, false))
    if (g[id].requires_grad()) ids.push_back(id);
  backward(loss);
  std::vector<std::vector<double>> want;
  for (NodeId id : ids) want.push_back(Tensor{&g, id}.grads());
  auto poison = [&] {
    for (NodeId id : ids) {
      g.ensure_grad(id);
      Node& n = g[id];
      dispatch(n.dtype, [&]<class T>() {
        for (int64_t k = 0; k < n.numel(); ++k) n.g<T>()[k] = std::numeric_limits<T>::quiet_NaN();
      });
    }
  };
  Replay r(loss);
  for (int step = 0; step < 2; ++step) {
    poison();
    r.forward();
    r.backward();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      INFO("node " << ids[i] << " (" << op_name(g[ids[i]].op) << "), step " << step);
      const std::vector<double> got = Tensor{&g, ids[i]}.grads();
      REQUIRE(got.size() == want[i].size());
      for (std::size_t k = 0; k < got.size(); ++k)
        CHECK(got[k] == Approx(want[i][k]).epsilon(1e-5).margin(1e-6));
    }
  }
}

}  // namespace

TEST_CASE("replay gradients overwrite stale buffers, for every kind of first writer", "[replay]") {
  for (DType t : {DType::f64, DType::f32}) {
    SECTION(std::string("x*x + x, the same node on both sides, ") + std::string(dtype_name(t))) {
      check_replay(t, [](Graph& g) {
        Tensor x = g.param({3, 4}, ramp(12, -1.0, 0.2));
        return sum(x * x + x);
      });
    }
    SECTION(std::string("relu(X @ W + b) @ V + c, mse (fit_curve) ") + std::string(dtype_name(t))) {
      check_replay(t, [](Graph& g) {
        Tensor X = g.constant({5, 1}, ramp(5, -1.0, 0.5));
        Tensor Y = g.constant({5, 1}, ramp(5, 0.3, -0.1));
        Tensor W = g.param({1, 4}, ramp(4, -0.5, 0.4)), b = g.param({4}, ramp(4, 0.1, -0.1));
        Tensor V = g.param({4, 1}, ramp(4, 0.2, 0.3)), c = g.param({1}, ramp(1, 0.05, 0));
        return mse(matmul(relu(matmul(X, W) + b), V) + c, Y);
      });
    }
    SECTION(std::string("a batched product with a shared left side ") + std::string(dtype_name(t))) {
      check_replay(t, [](Graph& g) {
        Tensor a = g.param({2, 3}, ramp(6, -0.4, 0.15));
        Tensor b = g.param({4, 3, 5}, ramp(60, -1.0, 0.03));
        Tensor a3 = g.param({4, 2, 3}, ramp(24, 0.5, -0.04));
        return sum(matmul(a, b)) + mean(matmul(a3, b) * 0.5);
      });
    }
    SECTION(std::string("scalars broadcast on either side, row operands first ") +
            std::string(dtype_name(t))) {
      check_replay(t, [](Graph& g) {
        Tensor s = g.param(Shape{}, ramp(1, 1.5, 0));
        Tensor x = g.param({3, 4}, ramp(12, -1.0, 0.2));
        Tensor row = g.param({4}, ramp(4, 0.3, 0.1));
        Tensor col = g.param({3, 1}, ramp(3, -0.2, 0.3));
        return sum(s * x) + sum(row - x) + sum(x / col) + sum(col * row) + sum(row / s);
      });
    }
    SECTION(std::string("ops that only add get zeroed buffers: where, max, transpose, concat, sum_to ") +
            std::string(dtype_name(t))) {
      check_replay(t, [](Graph& g) {
        Tensor x = g.param({3, 4}, ramp(12, -1.0, 0.2));
        Tensor y = g.param({3, 4}, ramp(12, 0.7, -0.1));
        Tensor w = where(gt(x, y), x, y * 2.0);
        const Tensor parts[2] = {transpose(w), transpose(x)};
        Tensor c = concat(parts, 0);
        return sum(max(c, {1})) + sum(sum_to(x * y, Shape{4})) +
               sum(expand(reshape(y, {3, 4, 1}), Shape{3, 4, 2}));
      });
    }
    SECTION(std::string("inputs that get nothing: step, pow 0, a path through a comparison ") +
            std::string(dtype_name(t))) {
      check_replay(t, [](Graph& g) {
        Tensor x = g.param({4}, ramp(4, -1.0, 0.6));
        Tensor w = g.param({4}, ramp(4, 0.5, -0.3));  // reached only through lt: gets 0
        Tensor v = g.param({4}, ramp(4, 0.2, 0.2));
        return sum(step(x) * v) + sum(pow(v, 0.0)) + sum(lt(w, g.scalar(0.0, w.dtype())) * v) +
               sum(exp(v) + tanh(x));
      });
    }
  }
}

TEST_CASE("folded constants are computed at the first forward only, inputs every step", "[replay]") {
  Graph g(DType::f64);
  Tensor xs = g.constant({4}, ramp(4, -1.0, 0.5));
  Tensor batch = g.constant({4}, ramp(4, 0.0, 1.0));  // a leaf the loop rewrites
  Tensor w = g.param({4}, ramp(4, 0.5, 0.1));
  Tensor prepared = sin(xs) * 2.0;  // depends on data only
  Tensor fed = exp(batch);          // depends on the rewritten leaf
  Tensor loss = sum(w * prepared) + sum(w * fed);
  Replay plain(loss);
  plain.forward();
  plain.backward();
  const std::vector<double> want = w.grads();
  Replay r(loss, {.fold_constants = true, .inputs = {batch}});
  r.forward();
  r.backward();
  CHECK(w.grads() == want);
  CHECK(loss.item() == Approx(plain.root().item()).epsilon(1e-15));

  // Rewrite both data leaves: only what depends on the declared input follows.
  for (int k = 0; k < 4; ++k) {
    xs.node().v<double>()[k] = 100.0;
    batch.node().v<double>()[k] = 0.0;
  }
  r.forward();
  CHECK(prepared.at(0) == Approx(2 * std::sin(-1.0)));  // folded: not recomputed
  CHECK(fed.at(0) == 1.0);                              // an input: recomputed
  r.backward();
  CHECK(w.grad_at(0) == Approx(2 * std::sin(-1.0) + 1.0));
}

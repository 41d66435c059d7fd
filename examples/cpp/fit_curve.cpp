// fit_curve: a 1 -> 32 -> 1 ReLU network learns sin(x) on [-3, 3], through the
// C++ API alone. Build the graph once, then replay it: each step re-runs forward
// and backward over the same nodes with the updated weights, allocating nothing.
#include <cmath>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "hinge/engine.hpp"

using namespace hinge;

int main() {
  // Data: 200 points of sin on [-3, 3], as [200, 1] columns.
  const int n = 200;
  std::vector<double> xs(n), ys(n);
  for (int i = 0; i < n; ++i) {
    xs[i] = -3.0 + 6.0 * i / (n - 1);
    ys[i] = std::sin(xs[i]);
  }
  Graph g;
  Tensor x = g.constant({n, 1}, xs);
  Tensor y = g.constant({n, 1}, ys);

  // Parameters. The hidden biases are spread over the interval, so each unit's
  // bend starts somewhere inside it (with zero biases all 32 would bend at x = 0).
  Rng rng(1);
  Tensor w1 = init::kaiming(g, rng, {1, 32});
  Tensor b1 = init::uniform(g, rng, {32}, -3, 3);
  Tensor w2 = init::xavier(g, rng, {32, 1});
  Tensor b2 = init::zeros(g, {1});

  // The model and its loss, built once.
  Tensor hidden = relu(matmul(x, w1) + b1);  // [200, 32]
  Tensor pred = matmul(hidden, w2) + b2;     // [200, 1]
  Tensor loss = mse(pred, y);

  // Training: replay forward and backward, let Adam update the parameters. The
  // loop reads only the loss, so the hidden layer may run as one fused kernel.
  Replay train(loss, {.fuse_layers = true});
  Adam opt(train.params(), {.lr = 0.01});
  const double first = loss.item();
  fmt::print("step     0  loss {:.6f}\n", first);
  const int steps = 3000;
  for (int step = 1; step <= steps; ++step) {
    train.forward();
    train.backward();
    opt.step();
    if (step % 500 == 0) fmt::print("step {:5}  loss {:.6f}\n", step, loss.item());
  }
  train.forward();  // the loss of the final weights
  const double last = loss.item();
  fmt::print("final loss {:.6f}\n", last);

  if (!(last < first / 10)) {
    fmt::print(stderr, "the loss did not fall below a tenth of its start ({} -> {})\n", first, last);
    return 1;
  }
  return 0;
}

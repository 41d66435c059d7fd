// Training replays a graph without touching the heap: after the first step, a
// forward + backward pass allocates nothing. Counted with a replaced operator new.
#include <catch2/catch.hpp>

#include "count_allocations.hpp"
#include "hinge/engine.hpp"
#include "hinge/optim.hpp"

using namespace hinge;

TEST_CASE("replaying forward and backward allocates nothing after the first step") {
  Graph g;
  std::vector<double> xs(200), w1(32), b1(32);
  for (int i = 0; i < 200; ++i) xs[i] = -3 + 6.0 * i / 199;
  for (int i = 0; i < 32; ++i) w1[i] = 0.1 * (i - 16), b1[i] = 0.05 * i;
  auto x = g.constant(Shape{200, 1}, xs);
  auto w = g.param(Shape{1, 32}, w1);
  auto b = g.param(Shape{32}, b1);
  auto h = relu(x * w + b);  // [200, 32]
  auto w2 = g.param(Shape{32, 4}, std::vector<double>(128, 0.1));
  std::vector<double> labels(200);
  for (int i = 0; i < 200; ++i) labels[i] = i % 4;
  auto logits = matmul(h, w2);  // [200, 4]
  const SliceSpec half[2] = {{0, 100, 1}, {}};
  auto parts = std::vector<Tensor>{slice(logits, half), slice(logits, half)};
  auto ce = cross_entropy(concat(parts), g.constant(Shape{200}, labels));
  auto loss = mean(h * h) + sum(w * w) + ce + sum(softmax(logits, 1) * logits) +
              mean(tanh(sigmoid(transpose(logits))));
  // And a scalar graph, micrograd-style.
  auto s = g.param(0.5);
  auto t = s;
  for (int i = 0; i < 100; ++i) t = relu(t * s + 0.25);
  // And a hidden layer the replay runs as one kernel (Note [Fused layers]).
  auto w3 = g.param(Shape{1, 32}, w1);
  auto b3 = g.param(Shape{32}, b1);
  auto v3 = g.param(Shape{32, 1}, std::vector<double>(32, 0.2));
  auto total = loss + t + mean(matmul(relu(matmul(x, w3) + b3), v3));

  Replay r(total, {.fuse_layers = true});
  REQUIRE(r.fused_layers() == 1);
  Adam adam(r.params());
  Sgd nesterov(r.params(), SgdOptions{.lr = 0.01, .momentum = 0.9, .nesterov = true});
  r.forward();
  r.backward();
  const long before = hinge::test::allocations();
  for (int step = 0; step < 10; ++step) {
    r.forward();
    r.backward();
    adam.step();
    nesterov.step();
  }
  CHECK(hinge::test::allocations() - before == 0);
}

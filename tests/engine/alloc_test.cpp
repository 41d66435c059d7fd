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

// A graph built anew each step (a script's loop, the bench's dynamic rows) reuses
// the tape's room after a rewind: building its products, reshapes and class-index
// losses again allocates nothing either (their shapes are arrays, not vectors).
TEST_CASE("rebuilding a graph after a rewind allocates nothing after the first build") {
  Graph g;
  auto x = g.constant(Shape{6, 3}, std::vector<double>(18, 0.5));
  auto w = g.param(Shape{3, 4}, std::vector<double>(12, 0.25));
  auto v = g.param(Shape{4}, std::vector<double>{1, 2, 3, 4});
  auto labels = g.constant(Shape{6}, std::vector<double>{0, 1, 2, 3, 0, 1});
  g.ensure_grad(w.id);
  g.ensure_grad(v.id);
  const Graph::Mark built = g.mark();
  double first = 0;
  auto build = [&] {
    g.rewind(built);
    Tensor logits = matmul(x, w);                  // [6, 3] x [3, 4]
    Tensor flat = reshape(logits, {-1});           // [24], a size inferred
    Tensor mv = matmul(reshape(flat, {6, 4}), v);  // a matrix times a vector
    Tensor loss = cross_entropy(logits, labels) + mean(mv);
    backward(loss);
    return loss.item();
  };
  first = build();
  const long before = hinge::test::allocations();
  for (int step = 0; step < 5; ++step) CHECK(build() == first);
  CHECK(hinge::test::allocations() - before == 0);
}

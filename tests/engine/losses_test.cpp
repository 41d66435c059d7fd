// The losses: values and gradients against hand-computed numbers, numerical
// stability, gradient checks and second derivatives, and target/shape errors.
#include <cmath>

#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

using V = std::vector<double>;

void check_values(const V& got, const V& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    INFO("element " << k);
    CHECK(got[k] == Approx(want[k]).epsilon(1e-12).margin(1e-15));
  }
}

// First and second derivatives of loss(pred, target) with respect to both.
void check_loss(const std::function<Tensor(Tensor, Tensor)>& loss, const Shape& s,
                const std::function<V(int64_t, std::mt19937&)>& target_values) {
  std::mt19937 rng(17);
  INFO("shape " << to_string(s));
  Graph g;
  auto f = [&](std::vector<Tensor>& in) { return loss(in[0], in[1]); };
  auto make = [&] {
    return std::vector<Tensor>{random_variable(g, s, rng),
                               g.variable(s, target_values(s.numel(), rng), DType::f64)};
  };
  check_gradient(g, make(), f, rng);
  check_second_derivative(g, make(), f, rng);
}

V uniform01(int64_t n, std::mt19937& rng) { return random_values(n, rng, 0.05, 0.95); }
V signs(int64_t n, std::mt19937& rng) {
  V v = random_values(n, rng);
  for (double& x : v) x = x < 0 ? -1 : 1;
  return v;
}

}  // namespace

TEST_CASE("mse") {
  Graph g;
  auto p = g.variable(Shape{3}, V{1, 2, 3}, DType::f64);
  auto t = g.constant(Shape{3}, V{1, 1, 1});
  auto l = mse(p, t);
  CHECK(l.item() == Approx(5.0 / 3));
  backward(l);
  check_values(p.grads(), {0, 2.0 / 3, 4.0 / 3});  // 2 (p - t) / N
  CHECK(mse(g.scalar(3.0), g.scalar(1.0)).item() == 4.0);

  for (const Shape& s : {Shape{}, Shape{4}, Shape{2, 3}, Shape{2, 1, 3}}) check_loss(mse, s, uniform01);

  auto col = g.constant(Shape{3, 1}, V{1, 2, 3});
  CHECK_THROWS_MATCHES(mse(col, t), ShapeError, Catch::Message("shape mismatch in 'mse': [3, 1] vs [3]"));
  CHECK_THROWS_MATCHES(mse(p, g.constant(Shape{3}, V{1, 2, 3}, DType::f32)), DomainError,
                       Catch::Message("dtype mismatch in 'mse': f64 vs f32 (use cast)"));
}

TEST_CASE("cross_entropy") {
  Graph g;
  auto logits = g.variable(Shape{2, 3}, V{1, 2, 3, 1, 1, 1}, DType::f64);
  auto labels = g.constant(Shape{2}, V{2, 0});
  auto l = cross_entropy(logits, labels);
  // (-log_softmax([1, 2, 3])[2] + log 3) / 2
  CHECK(l.item() == Approx((0.40760596444438034 + std::log(3.0)) / 2).epsilon(1e-14));
  backward(l);  // (softmax - one_hot) / N
  check_values(logits.grads(), {0.09003057317038046 / 2, 0.24472847105479764 / 2,
                                (0.6652409557748219 - 1) / 2, (1.0 / 3 - 1) / 2, 1.0 / 6, 1.0 / 6});

  // Probabilities: a one-hot target gives the same loss; a soft one mixes rows.
  auto onehot = g.constant(Shape{2, 3}, V{0, 0, 1, 1, 0, 0});
  CHECK(cross_entropy(logits, onehot).item() == Approx(l.item()).epsilon(1e-14));
  auto soft = g.constant(Shape{2, 3}, V{0.5, 0, 0.5, 0, 1, 0});
  CHECK(cross_entropy(logits, soft).item() ==
        Approx((0.5 * 2.4076059644443806 + 0.5 * 0.40760596444438034 + std::log(3.0)) / 2).epsilon(1e-14));

  // Large logits stay finite.
  auto big = g.constant(Shape{1, 2}, V{1000, 0});
  CHECK(cross_entropy(big, g.constant(Shape{1}, V{1})).item() == Approx(1000));
  CHECK(cross_entropy(big, g.constant(Shape{1}, V{0})).item() == Approx(0).margin(1e-300));

  // Gradients and second derivatives, for index targets (logits only) and
  // probability targets (both sides).
  std::mt19937 rng(19);
  for (const Shape& s : {Shape{1, 2}, Shape{4, 3}, Shape{5, 1}}) {
    INFO("logits " << to_string(s));
    Graph h;
    V ids(static_cast<std::size_t>(s[0]));
    for (auto& id : ids) id = static_cast<double>(rng() % s[1]);
    auto target = h.constant(Shape{s[0]}, ids);
    auto f = [&](std::vector<Tensor>& in) { return cross_entropy(in[0], target); };
    check_gradient(h, {random_variable(h, s, rng)}, f, rng);
    check_second_derivative(h, {random_variable(h, s, rng)}, f, rng);
    auto fp = [](std::vector<Tensor>& in) { return cross_entropy(in[0], softmax(in[1])); };
    check_gradient(h, {random_variable(h, s, rng), random_variable(h, s, rng)}, fp, rng);
    check_second_derivative(h, {random_variable(h, s, rng), random_variable(h, s, rng)}, fp, rng);
  }

  // The one-hot rows are computed from the labels, so a replay with new labels uses them.
  {
    Graph h;
    auto z = h.param(Shape{2, 3}, V{1, 2, 3, 1, 1, 1});
    auto y = h.constant(Shape{2}, V{2, 0});
    auto loss = cross_entropy(z, y);
    Replay r(loss);
    y.set_values(V{0, 0});
    r.forward();
    CHECK(loss.item() == Approx((2.4076059644443806 + std::log(3.0)) / 2).epsilon(1e-14));
  }

  CHECK_THROWS_MATCHES(cross_entropy(logits, g.constant(Shape{2}, V{0, 3})), DomainError,
                       Catch::Message("'cross_entropy': label 3 (row 1) is not a class index in 0..2"));
  CHECK_THROWS_MATCHES(cross_entropy(logits, g.constant(Shape{2}, V{-1, 0})), DomainError,
                       Catch::Message("'cross_entropy': label -1 (row 0) is not a class index in 0..2"));
  CHECK_THROWS_MATCHES(cross_entropy(logits, g.constant(Shape{2}, V{0, 1.5})), DomainError,
                       Catch::Message("'cross_entropy': label 1.5 (row 1) is not a class index in 0..2"));
  CHECK_THROWS_MATCHES(cross_entropy(logits, g.constant(Shape{3}, V{0, 1, 2})), ShapeError,
                       Catch::Message("shape mismatch in 'cross_entropy': [2, 3] vs [3]"));
  CHECK_THROWS_MATCHES(cross_entropy(logits, g.constant(Shape{3, 2}, V(6, 0.0))), ShapeError,
                       Catch::Message("shape mismatch in 'cross_entropy': [2, 3] vs [3, 2]"));
  CHECK_THROWS_MATCHES(cross_entropy(g.constant(Shape{2, 0}, V{}), g.constant(Shape{2}, V{0, 0})), ShapeError,
                       Catch::Message("'cross_entropy' needs at least one class: logits [2, 0] have none"));
  CHECK_THROWS_MATCHES(cross_entropy(g.constant(Shape{3}, V{1, 2, 3}), g.scalar(0.0)), ShapeError,
                       Catch::Message("'cross_entropy' needs logits of shape [N, C], not [3]"));
}

TEST_CASE("binary_cross_entropy") {
  Graph g;
  auto z = g.variable(Shape{2}, V{0, 2}, DType::f64);
  auto y = g.constant(Shape{2}, V{1, 0});
  auto l = binary_cross_entropy(z, y);
  CHECK(l.item() == Approx((std::log(2.0) + std::log1p(std::exp(2.0))) / 2).epsilon(1e-14));
  backward(l);  // (sigmoid(z) - y) / N
  check_values(z.grads(), {(0.5 - 1) / 2, 0.8807970779778823 / 2});

  // Confident and right costs nothing, with no overflow; confident and wrong costs |z|.
  auto zz = g.variable(Shape{4}, V{1000, -1000, 1000, -1000}, DType::f64);
  auto l2 = binary_cross_entropy(zz, g.constant(Shape{4}, V{1, 0, 0, 1}));
  CHECK(l2.item() == Approx(1000.0 / 2));
  backward(l2);
  check_values(zz.grads(), {0, 0, 0.25, -0.25});

  CHECK(binary_cross_entropy(g.scalar(0.0), g.scalar(0.5)).item() == Approx(std::log(2.0)));
  for (const Shape& s : {Shape{}, Shape{5}, Shape{2, 3}}) check_loss(binary_cross_entropy, s, uniform01);

  CHECK_THROWS_MATCHES(binary_cross_entropy(z, g.constant(Shape{2}, V{0, 1.5})), DomainError,
                       Catch::Message("'binary_cross_entropy': target 1.5 at position 1 is outside [0, 1]"));
  CHECK_THROWS_MATCHES(binary_cross_entropy(z, g.constant(Shape{2, 1}, V{0, 1})), ShapeError,
                       Catch::Message("shape mismatch in 'binary_cross_entropy': [2] vs [2, 1]"));
}

TEST_CASE("hinge_loss") {
  Graph g;
  auto s = g.variable(Shape{3}, V{2, 0.5, -1}, DType::f64);
  CHECK(hinge_loss(s, g.constant(Shape{3}, V{1, 1, 1})).item() == Approx(2.5 / 3));
  // Margins 3, 0.5 and exactly 0 (the kink: relu'(0) = 0, so no gradient there).
  auto l = hinge_loss(s, g.constant(Shape{3}, V{-1, 1, -1}));
  CHECK(l.item() == Approx(3.5 / 3));
  backward(l);
  check_values(s.grads(), {1.0 / 3, -1.0 / 3, 0});

  CHECK(hinge_loss(g.scalar(0.25), g.scalar(-1.0)).item() == 1.25);
  for (const Shape& sh : {Shape{}, Shape{6}, Shape{3, 2}}) check_loss(hinge_loss, sh, signs);

  CHECK_THROWS_MATCHES(hinge_loss(s, g.constant(Shape{3}, V{1, -1, 0})), DomainError,
                       Catch::Message("'hinge_loss': label 0 at position 2 is not -1 or +1"));
  CHECK_THROWS_MATCHES(hinge_loss(s, g.constant(Shape{3, 1}, V{1, 1, 1})), ShapeError,
                       Catch::Message("shape mismatch in 'hinge_loss': [3] vs [3, 1]"));
}

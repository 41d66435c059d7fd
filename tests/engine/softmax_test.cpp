// softmax and log_softmax: values, stability with large logits, every axis,
// rank 0, gradients and second derivatives, axis errors.
#include <cmath>

#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

struct AxisCase {
  Shape shape;
  int axis;
};
const std::vector<AxisCase> kAxisCases = {
    {Shape{}, -1},       {Shape{4}, 0},          {Shape{2, 3}, -1},       {Shape{2, 3}, 0},
    {Shape{2, 3, 4}, 1}, {Shape{2, 1, 3, 2}, 2}, {Shape{2, 1, 3, 2}, -1}, {Shape{3, 1}, 1},
};

void check_axes(const std::function<Tensor(Tensor, int)>& op) {
  std::mt19937 rng(13);
  for (const auto& [shape, axis] : kAxisCases) {
    INFO("shape " << to_string(shape) << " axis " << axis);
    Graph g;
    auto f = [&, axis = axis](std::vector<Tensor>& in) { return op(in[0], axis); };
    check_gradient(g, {random_variable(g, shape, rng)}, f, rng);
    check_second_derivative(g, {random_variable(g, shape, rng)}, f, rng);
  }
}

}  // namespace

TEST_CASE("softmax") {
  Graph g;
  auto x = g.constant(Shape{3}, std::vector<double>{1, 2, 3});
  auto s = softmax(x);
  CHECK(s.at(0) == Approx(0.09003057317038046).epsilon(1e-14));
  CHECK(s.at(1) == Approx(0.24472847105479764).epsilon(1e-14));
  CHECK(s.at(2) == Approx(0.6652409557748219).epsilon(1e-14));

  // Stable: logits of 1000 do not overflow; a shift changes nothing.
  auto big = softmax(g.constant(Shape{3}, std::vector<double>{1001, 1002, 1003}));
  for (int k = 0; k < 3; ++k) CHECK(big.at(k) == Approx(s.at(k)).epsilon(1e-12));
  auto f32 = softmax(g.constant(Shape{2}, std::vector<double>{100, 0}, DType::f32));
  CHECK(f32.at(0) == 1.0);
  CHECK(f32.at(1) >= 0.0);

  // Along axis 0 of a [2, 2]: each column sums to 1.
  auto m = softmax(g.constant(Shape{2, 2}, std::vector<double>{0, 1, std::log(3.0), 1}), 0);
  CHECK(m.at(0) == Approx(0.25));
  CHECK(m.at(2) == Approx(0.75));
  CHECK(m.at(1) == Approx(0.5));
  CHECK(m.at(3) == Approx(0.5));

  CHECK(softmax(g.scalar(7.0)).item() == 1.0);  // one element along the axis

  check_axes([](Tensor t, int axis) { return softmax(t, axis); });
  // Gradients of a softmax output sum to zero along the axis.
  {
    Graph h;
    auto v = h.variable(Shape{4}, std::vector<double>{0.3, -1, 2, 0.5}, DType::f64);
    backward(index(softmax(v), 2));
    double total = 0;
    for (double d : v.grads()) total += d;
    CHECK(total == Approx(0).margin(1e-15));
  }

  auto m2 = g.constant(Shape{2, 3}, std::vector<double>(6, 0.0));
  CHECK_THROWS_MATCHES(softmax(m2, 2), DomainError,
                       Catch::Message("axis 2 is out of range for 'softmax' on a rank-2 tensor"));
  CHECK_THROWS_AS(softmax(g.scalar(1.0), 1), DomainError);
}

TEST_CASE("log_softmax") {
  Graph g;
  auto x = g.constant(Shape{3}, std::vector<double>{1, 2, 3});
  auto l = log_softmax(x);
  CHECK(l.at(0) == Approx(-2.4076059644443806).epsilon(1e-14));
  CHECK(l.at(1) == Approx(-1.4076059644443806).epsilon(1e-14));
  CHECK(l.at(2) == Approx(-0.40760596444438034).epsilon(1e-14));

  // Where softmax underflows to 0, log_softmax stays finite.
  auto far = log_softmax(g.constant(Shape{2}, std::vector<double>{0, 1000}));
  CHECK(far.at(0) == Approx(-1000));
  CHECK(far.at(1) == Approx(0).margin(1e-300));
  auto f32 = log_softmax(g.constant(Shape{2}, std::vector<double>{0, 200}, DType::f32));
  CHECK(f32.at(0) == Approx(-200));

  CHECK(log_softmax(g.scalar(-3.0)).item() == 0.0);

  check_axes([](Tensor t, int axis) { return log_softmax(t, axis); });
  // exp(log_softmax) is softmax, gradients included.
  {
    std::mt19937 rng(2);
    Graph h;
    auto v = random_variable(h, Shape{2, 5}, rng);
    auto a = grad(sum(exp(log_softmax(v, 0)) * v), {v})[0].values();
    auto b = grad(sum(softmax(v, 0) * v), {v})[0].values();
    for (std::size_t k = 0; k < a.size(); ++k) CHECK(a[k] == Approx(b[k]).epsilon(1e-12));
  }

  CHECK_THROWS_MATCHES(log_softmax(x, -2), DomainError,
                       Catch::Message("axis -2 is out of range for 'log_softmax' on a rank-1 tensor"));
}

// Gradient checks of the elementwise unary ops and activations (first and second
// derivatives over rank 0 to 4), plus their kinks, saturation, where, cast and detach.
#include <cmath>

#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

const std::vector<Shape> kShapes = {Shape{}, Shape{3}, Shape{2, 3}, Shape{2, 2, 2, 2}};

// Where each op is checked: an interval and the points (kinks) to stay away from.
struct Domain {
  double lo = -2, hi = 2;
  std::vector<double> kinks = {0};
};

// A variable of shape s with values in [d.lo, d.hi], at least 0.05 from every kink.
Tensor variable_in(Graph& g, const Shape& s, std::mt19937& rng, const Domain& d) {
  std::uniform_real_distribution<double> u(d.lo, d.hi);
  std::vector<double> v(static_cast<std::size_t>(s.numel()));
  for (auto& x : v) {
    bool near;
    do {
      x = u(rng);
      near = false;
      for (double k : d.kinks) near |= std::abs(x - k) < 0.05;
    } while (near);
  }
  return g.variable(s, v, DType::f64);
}

void check_unary(const std::function<Tensor(Tensor)>& op, const Domain& d = {}, bool second = true) {
  std::mt19937 rng(11);
  for (const Shape& s : kShapes) {
    INFO("shape " << to_string(s));
    Graph g;
    auto f = [&](std::vector<Tensor>& in) { return op(in[0]); };
    check_gradient(g, {variable_in(g, s, rng, d)}, f, rng);
    if (second) check_second_derivative(g, {variable_in(g, s, rng, d)}, f, rng);
  }
}

const Domain kPositive{0.2, 3, {}};
const Domain kSmooth{-2, 2, {}};

// d/dx of op at each x, by reverse mode (numeric backward).
std::vector<double> derivative_at(const std::function<Tensor(Tensor)>& op, std::vector<double> xs) {
  Graph g;
  auto x = g.variable(Shape{static_cast<int64_t>(xs.size())}, xs, DType::f64);
  backward(sum(op(x)));
  return x.grads();
}

// The same through grad(create_graph), then d/dx again: op'' at each x.
std::vector<double> second_derivative_at(const std::function<Tensor(Tensor)>& op, std::vector<double> xs) {
  Graph g;
  auto x = g.variable(Shape{static_cast<int64_t>(xs.size())}, xs, DType::f64);
  auto d1 = grad(sum(op(x)), {x}, true)[0];
  return grad(sum(d1), {x})[0].values();
}

std::vector<double> linspace(double a, double b, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) v[k] = a + (b - a) * k / (n - 1);
  return v;
}

}  // namespace

TEST_CASE("neg") {
  check_unary([](Tensor a) { return -a; }, kSmooth);
}
TEST_CASE("abs") {
  check_unary([](Tensor a) { return abs(a); });
  CHECK(derivative_at([](Tensor a) { return abs(a); }, {-2, 0, 3}) == std::vector<double>{-1, 0, 1});
}
TEST_CASE("sign") {
  Graph g;
  auto x = g.variable(Shape{3}, std::vector<double>{-2, 0, 3}, DType::f64);
  auto s = sign(x);
  CHECK(s.values() == std::vector<double>{-1, 0, 1});
  CHECK_FALSE(s.requires_grad());
  CHECK(grad(sum(s * x), {x})[0].values() == std::vector<double>{-1, 0, 1});  // only the x factor
}
TEST_CASE("exp") {
  check_unary([](Tensor a) { return exp(a); }, kSmooth);
}
TEST_CASE("log") {
  check_unary([](Tensor a) { return log(a); }, kPositive);
}
TEST_CASE("sqrt") {
  check_unary([](Tensor a) { return sqrt(a); }, kPositive);
}
TEST_CASE("sin") {
  check_unary([](Tensor a) { return sin(a); }, kSmooth);
}
TEST_CASE("cos") {
  check_unary([](Tensor a) { return cos(a); }, kSmooth);
}
TEST_CASE("erf") {
  check_unary([](Tensor a) { return erf(a); }, kSmooth);
}

TEST_CASE("powc") {
  SECTION("integer exponents on both signs") {
    check_unary([](Tensor a) { return pow(a, 2.0); }, kSmooth);
    check_unary([](Tensor a) { return pow(a, 3.0); }, kSmooth);
    check_unary([](Tensor a) { return pow(a, 1.0); }, kSmooth);
    check_unary([](Tensor a) { return pow(a, 0.0); }, kSmooth);
  }
  SECTION("fractional and negative exponents on positive values") {
    check_unary([](Tensor a) { return pow(a, 0.5); }, kPositive);
    check_unary([](Tensor a) { return pow(a, 2.5); }, kPositive);
    check_unary([](Tensor a) { return pow(a, -1.5); }, kPositive);
  }
  SECTION("a^2 is exact at negative a, and so is its derivative") {
    Graph g;
    auto x = g.variable(Shape{3}, std::vector<double>{-3, -0.1, 0}, DType::f64);
    auto y = pow(x, 2.0);
    CHECK(y.values() == std::vector<double>{9, -0.1 * -0.1, 0});
    backward(sum(y));
    CHECK(x.grads() == std::vector<double>{-6, -0.2, 0});
    CHECK(second_derivative_at([](Tensor a) { return pow(a, 2.0); }, {-3, 0, 2}) ==
          std::vector<double>{2, 2, 2});
  }
  SECTION("x^0 has derivative 0 at 0, not NaN") {
    CHECK(derivative_at([](Tensor a) { return pow(a, 0.0); }, {0, 2}) == std::vector<double>{0, 0});
  }
}

TEST_CASE("clamp") {
  check_unary([](Tensor a) { return clamp(a, -1, 0.5); }, {-2, 2, {-1, 0.5}});
  Graph g;
  auto x = g.variable(Shape{5}, std::vector<double>{-3, -1, 0, 0.5, 2}, DType::f64);
  CHECK(clamp(x, -1, 0.5).values() == std::vector<double>{-1, -1, 0, 0.5, 0.5});
  // Bounds included: the gradient passes at lo and hi.
  CHECK(derivative_at([](Tensor a) { return clamp(a, -1, 0.5); }, {-3, -1, 0, 0.5, 2}) ==
        std::vector<double>{0, 1, 1, 1, 0});
  CHECK(second_derivative_at([](Tensor a) { return clamp(a, -1, 0.5) * a; }, {-3, -1, 0, 0.5, 2}) ==
        std::vector<double>{0, 2, 2, 2, 0});
  CHECK_THROWS_AS(clamp(x, 1, -1), DomainError);
}

TEST_CASE("relu") {
  check_unary([](Tensor a) { return relu(a); });
  SECTION("relu'(0) = 0 exactly") {
    CHECK(derivative_at([](Tensor a) { return relu(a); }, {-1, 0, 1}) == std::vector<double>{0, 0, 1});
  }
  SECTION("the graph-built second derivative of relu is exactly 0 everywhere") {
    CHECK(second_derivative_at([](Tensor a) { return relu(a); }, {-1, 0, 1}) == std::vector<double>{0, 0, 0});
    // (relu(x) x)'' = 2 relu'(x) + x relu''(x): only the first term may remain.
    CHECK(second_derivative_at([](Tensor a) { return relu(a) * a; }, {-1.5, 0, 0.7}) ==
          std::vector<double>{0, 0, 2});
  }
}

TEST_CASE("leaky_relu") {
  check_unary([](Tensor a) { return leaky_relu(a, 0.1); });
  CHECK(derivative_at([](Tensor a) { return leaky_relu(a, 0.1); }, {-1, 0, 1}) ==
        std::vector<double>{0.1, 0.1, 1});
  CHECK(derivative_at([](Tensor a) { return leaky_relu(a); }, {0})[0] == 0.01);  // the default alpha
}

TEST_CASE("elu") {
  check_unary([](Tensor a) { return elu(a); });
  check_unary([](Tensor a) { return elu(a, 0.5); });
  CHECK(derivative_at([](Tensor a) { return elu(a, 0.5); }, {0})[0] == 0.5);
  const auto d2 = second_derivative_at([](Tensor a) { return elu(a, 0.5); }, {-1, 2});
  CHECK(d2[0] == Approx(0.5 * std::exp(-1.0)));
  CHECK(d2[1] == 0);
}

TEST_CASE("gelu") {
  check_unary([](Tensor a) { return gelu(a); }, {-4, 4, {}});
  Graph g;
  auto x = g.constant(Shape{3}, std::vector<double>{-1, 0, 1});
  auto y = gelu(x).values();
  CHECK(y[0] == Approx(-0.15865525393145707));
  CHECK(y[1] == 0);
  CHECK(y[2] == Approx(0.8413447460685429));
}

TEST_CASE("softplus") {
  check_unary([](Tensor a) { return softplus(a); }, {-6, 6, {}});
  SECTION("finite and correct at +-800") {
    Graph g;
    auto x = g.variable(Shape{4}, std::vector<double>{-800, -30, 30, 800}, DType::f64);
    auto y = softplus(x);
    CHECK(y.at(0) == 0);
    CHECK(y.at(1) == Approx(std::exp(-30.0)));
    CHECK(y.at(2) == Approx(30.0));
    CHECK(y.at(3) == 800);
    backward(sum(y));
    CHECK(x.grad_at(0) == 0);
    CHECK(x.grad_at(3) == 1);
    for (double v : x.grads()) CHECK(std::isfinite(v));
  }
}

TEST_CASE("sigmoid") {
  check_unary([](Tensor a) { return sigmoid(a); }, {-6, 6, {}});
  SECTION("finite and correct at +-800") {
    Graph g;
    auto x = g.variable(Shape{3}, std::vector<double>{-800, 0, 800}, DType::f64);
    auto y = sigmoid(x);
    CHECK(y.values() == std::vector<double>{0, 0.5, 1});
    backward(sum(y));
    CHECK(x.grads() == std::vector<double>{0, 0.25, 0});
    Graph g32(DType::f32);
    auto s32 = sigmoid(g32.constant(Shape{2}, std::vector<double>{-800, 800}));
    CHECK(s32.values() == std::vector<double>{0, 1});
  }
}

TEST_CASE("tanh") {
  check_unary([](Tensor a) { return tanh(a); }, {-3, 3, {}});
}

TEST_CASE("maximum slopes: sigmoid' peaks at 0.25 and tanh' at 1, both at 0") {
  const auto xs = linspace(-5, 5, 1001);
  for (auto [op, peak] : {std::pair<Tensor (*)(Tensor), double>{sigmoid, 0.25}, {tanh, 1.0}}) {
    const auto d = derivative_at(op, xs);
    const auto it = std::max_element(d.begin(), d.end());
    CHECK(*it == peak);
    CHECK(xs[it - d.begin()] == 0);
  }
}

TEST_CASE("step") {
  Graph g;
  auto x = g.variable(Shape{5}, std::vector<double>{-2, -1e-300, 0, 1e-300, 3}, DType::f64);
  auto y = step(x);
  CHECK(y.values() == std::vector<double>{0, 0, 0, 1, 1});
  CHECK(y.requires_grad());  // on the gradient path, unlike sign
  CHECK(derivative_at([](Tensor a) { return step(a); }, {-2, 0, 3}) == std::vector<double>{0, 0, 0});
  // Even an infinite adjoint gives exactly 0, not inf * 0 = NaN.
  backward(sum(y * 1e300 * 1e300));
  CHECK(x.grads() == std::vector<double>{0, 0, 0, 0, 0});
  CHECK(grad(sum(y), {x}, true)[0].values() == std::vector<double>{0, 0, 0, 0, 0});
}

TEST_CASE("step: a perceptron's weights get exactly zero gradient on every input") {
  Graph g;
  auto w = g.param(Shape{2}, std::vector<double>{0.5, -0.3});
  auto b = g.param(0.1);
  for (auto [x0, x1, t] : {std::tuple{0.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {1.0, 0.0, 0.0}, {1.0, 1.0, 1.0}}) {
    auto x = g.constant(Shape{2}, std::vector<double>{x0, x1});
    auto out = step(sum(w * x) + b);
    auto loss = pow(out - t, 2.0);
    zero_grad(g);
    backward(loss);
    CHECK(w.node().has_grad());  // reached: the gradient exists and is 0, not missing
    CHECK(w.grads() == std::vector<double>{0, 0});
    CHECK(b.grad_item() == 0);
  }
}

TEST_CASE("where") {
  // (cond, a, b) shapes: equal, scalars, and all three broadcasting differently.
  const std::vector<std::array<Shape, 3>> shapes = {
      {Shape{}, Shape{}, Shape{}},
      {Shape{3}, Shape{3}, Shape{3}},
      {Shape{2, 3}, Shape{}, Shape{2, 3}},
      {Shape{3}, Shape{2, 1}, Shape{}},
      {Shape{2, 1, 3}, Shape{4, 1}, Shape{1, 3}},
      {Shape{2, 2, 2, 2}, Shape{2, 1}, Shape{2, 1, 1, 2}},
  };
  std::mt19937 rng(5);
  for (auto& [sc, sa, sb] : shapes) {
    INFO("shapes " << to_string(sc) << ", " << to_string(sa) << ", " << to_string(sb));
    Graph g;
    std::vector<double> bits(static_cast<std::size_t>(sc.numel()));
    for (std::size_t k = 0; k < bits.size(); ++k) bits[k] = k % 3 == 1 ? 0 : 1;
    auto cond = g.constant(sc, bits);
    auto f = [&](std::vector<Tensor>& in) { return where(cond, in[0] * in[0], sin(in[1])); };
    check_gradient(g, {random_variable(g, sa, rng), random_variable(g, sb, rng)}, f, rng);
    check_second_derivative(g, {random_variable(g, sa, rng), random_variable(g, sb, rng)}, f, rng);
  }
  SECTION("values, and the gradient goes to a where cond != 0, to b elsewhere") {
    Graph g;
    auto cond = g.variable(Shape{2, 1}, std::vector<double>{1, 0}, DType::f64);
    auto a = g.variable(Shape{3}, std::vector<double>{1, 2, 3}, DType::f64);
    auto b = g.variable(-1.0);
    auto y = where(cond, a, b);
    CHECK(y.shape() == Shape{2, 3});
    CHECK(y.values() == std::vector<double>{1, 2, 3, -1, -1, -1});
    backward(sum(y));
    CHECK(a.grads() == std::vector<double>{1, 1, 1});
    CHECK(b.grad_item() == 3);
    CHECK(cond.grads() == std::vector<double>{0, 0});
  }
  SECTION("cond alone does not put the result on the gradient path; cond may be f32") {
    Graph g;
    auto cond = g.variable(Shape{2}, std::vector<double>{1, 0}, DType::f32);
    auto y = where(cond, g.constant(Shape{2}, std::vector<double>{5, 6}), g.scalar(7.0));
    CHECK_FALSE(y.requires_grad());
    CHECK(y.values() == std::vector<double>{5, 7});
  }
  SECTION("shape errors name 'where' and the three shapes") {
    Graph g;
    auto c = g.constant(Shape{2}, std::vector<double>{1, 0});
    auto a = g.constant(Shape{3}, std::vector<double>{1, 2, 3});
    CHECK_THROWS_MATCHES(where(c, a, g.scalar(0.0)), ShapeError,
                         Catch::Message("shape mismatch in 'where': [2] vs [3] vs [] (cond, a, b)"));
    CHECK_THROWS_AS(where(g.scalar(1.0), a, g.constant(Shape{2}, std::vector<double>{1, 2})), ShapeError);
    CHECK_THROWS_AS(where(c, g.scalar(1.0, DType::f32), g.scalar(1.0)), DomainError);
  }
}

TEST_CASE("cast") {
  Graph g;
  auto x = g.variable(Shape{3}, std::vector<double>{1.5, -2, 0.25}, DType::f64);
  CHECK(cast(x, DType::f64).id == x.id);  // the same dtype: a itself
  SECTION("f64 -> f32 -> f64 round trip, gradients cast back") {
    auto x32 = cast(x, DType::f32);
    CHECK(x32.dtype() == DType::f32);
    CHECK(x32.requires_grad());
    auto y = cast(x32 * x32 * 3.0, DType::f64);
    CHECK(y.dtype() == DType::f64);
    CHECK(y.values() == std::vector<double>{6.75, 12, 0.1875});
    backward(sum(y));
    CHECK(x.grads() == std::vector<double>{9, -12, 1.5});
    CHECK(second_derivative_at([](Tensor a) { return cast(pow(cast(a, DType::f32), 2.0), DType::f64); },
                               {1.5, -2}) == std::vector<double>{2, 2});
  }
  SECTION("f32 -> f64 -> f32") {
    Graph g32(DType::f32);
    auto p = g32.param(Shape{2}, std::vector<double>{0.5, 4});
    auto y = cast(exp(cast(p, DType::f64)), DType::f32);
    backward(sum(y));
    CHECK(p.dtype() == DType::f32);
    CHECK(p.grad_at(0) == Approx(std::exp(0.5)).epsilon(1e-6));
    CHECK(p.grad_at(1) == Approx(std::exp(4.0)).epsilon(1e-6));
  }
}

TEST_CASE("detach") {
  Graph g;
  auto x = g.variable(Shape{2}, std::vector<double>{3, -2}, DType::f64);
  auto d = detach(x);
  CHECK_FALSE(d.requires_grad());
  CHECK(d.values() == x.values());
  backward(sum(x * d));  // d(x * const)/dx = const: x, not 2x
  CHECK(x.grads() == std::vector<double>{3, -2});
  CHECK(grad(sum(detach(x * x)), {x})[0].values() == std::vector<double>{0, 0});
}

TEST_CASE("f32 kernels agree with f64") {
  const std::vector<std::pair<const char*, std::function<Tensor(Tensor)>>> ops = {
      {"abs", [](Tensor a) { return abs(a); }},
      {"exp", [](Tensor a) { return exp(a); }},
      {"sqrt", [](Tensor a) { return sqrt(abs(a)); }},
      {"log", [](Tensor a) { return log(abs(a)); }},
      {"sin", [](Tensor a) { return sin(a); }},
      {"cos", [](Tensor a) { return cos(a); }},
      {"erf", [](Tensor a) { return erf(a); }},
      {"powc", [](Tensor a) { return pow(a, 3.0); }},
      {"clamp", [](Tensor a) { return clamp(a, -1, 1); }},
      {"relu", [](Tensor a) { return relu(a); }},
      {"leaky_relu", [](Tensor a) { return leaky_relu(a); }},
      {"elu", [](Tensor a) { return elu(a); }},
      {"gelu", [](Tensor a) { return gelu(a); }},
      {"softplus", [](Tensor a) { return softplus(a); }},
      {"sigmoid", [](Tensor a) { return sigmoid(a); }},
      {"tanh", [](Tensor a) { return tanh(a); }},
  };
  const std::vector<double> xs = {-1.75, -0.5, 0.25, 1.5};
  for (auto& [name, op] : ops) {
    INFO(name);
    Graph g64(DType::f64), g32(DType::f32);
    auto x64 = g64.variable(Shape{4}, xs, DType::f64);
    auto x32 = g32.variable(Shape{4}, xs, DType::f32);
    auto y64 = op(x64), y32 = op(x32);
    backward(sum(y64));
    backward(sum(y32));
    for (int k = 0; k < 4; ++k) {
      CHECK(y32.at(k) == Approx(y64.at(k)).epsilon(1e-5).margin(1e-6));
      CHECK(x32.grad_at(k) == Approx(x64.grad_at(k)).epsilon(1e-5).margin(1e-6));
    }
  }
}

// Gradient checks of the elementwise binary ops, over shapes with broadcasting and rank 0.
#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

// Shape pairs every binary op is checked on: equal, scalar on either side,
// broadcasting a row, a column, and across ranks.
const std::vector<std::pair<Shape, Shape>> kShapePairs = {
    {Shape{}, Shape{}},
    {Shape{3}, Shape{3}},
    {Shape{2, 3}, Shape{}},
    {Shape{}, Shape{2, 3}},
    {Shape{2, 3}, Shape{1, 3}},
    {Shape{4, 1}, Shape{1, 3}},
    {Shape{2, 1, 3}, Shape{4, 1}},
    {Shape{2, 2, 1, 2}, Shape{3, 1}},
    // a repeated row on either side (the bias-add fast path)
    {Shape{4, 3}, Shape{3}},
    {Shape{3}, Shape{4, 3}},
    {Shape{2, 4, 3}, Shape{1, 4, 3}},
};

void check_binary(const std::function<Tensor(Tensor, Tensor)>& op, double lo = -2, double hi = 2,
                  bool second = true) {
  std::mt19937 rng(7);
  for (auto& [sa, sb] : kShapePairs) {
    INFO("shapes " << to_string(sa) << " and " << to_string(sb));
    Graph g;
    auto f = [&](std::vector<Tensor>& in) { return op(in[0], in[1]); };
    check_gradient(g, {random_variable(g, sa, rng, lo, hi), random_variable(g, sb, rng, lo, hi)}, f, rng);
    if (second)
      check_second_derivative(g, {random_variable(g, sa, rng, lo, hi), random_variable(g, sb, rng, lo, hi)},
                              f, rng);
  }
}

}  // namespace

TEST_CASE("add") {
  check_binary([](Tensor a, Tensor b) { return a + b; });
}
TEST_CASE("sub") {
  check_binary([](Tensor a, Tensor b) { return a - b; });
}
TEST_CASE("mul") {
  check_binary([](Tensor a, Tensor b) { return a * b; });
}
TEST_CASE("div") {
  check_binary([](Tensor a, Tensor b) { return a / b; }, 0.5, 2);
}
TEST_CASE("pow") {
  check_binary([](Tensor a, Tensor b) { return pow(a, b); }, 0.5, 2);
}
TEST_CASE("minimum") {
  check_binary([](Tensor a, Tensor b) { return minimum(a, b); });
}
TEST_CASE("maximum") {
  check_binary([](Tensor a, Tensor b) { return maximum(a, b); });
}

TEST_CASE("comparisons give 0/1 and no gradient") {
  Graph g;
  auto a = g.variable(Shape{3}, std::vector<double>{1, 2, 3}, DType::f64);
  auto b = g.variable(2.0);
  CHECK(lt(a, b).values() == std::vector<double>{1, 0, 0});
  CHECK(le(a, b).values() == std::vector<double>{1, 1, 0});
  CHECK(gt(a, b).values() == std::vector<double>{0, 0, 1});
  CHECK(ge(a, b).values() == std::vector<double>{0, 1, 1});
  CHECK(eq(a, b).values() == std::vector<double>{0, 1, 0});
  CHECK(ne(a, b).values() == std::vector<double>{1, 0, 1});
  CHECK_FALSE(lt(a, b).requires_grad());
}

TEST_CASE("a shape mismatch names the op and both shapes") {
  Graph g;
  auto a = g.constant(Shape{3}, std::vector<double>{1, 2, 3});
  auto b = g.constant(Shape{4}, std::vector<double>{1, 2, 3, 4});
  CHECK_THROWS_MATCHES(a * b, ShapeError, Catch::Message("shape mismatch in 'mul': [3] vs [4]"));
  CHECK_THROWS_AS(a + b, ShapeError);
}

TEST_CASE("operand errors carry what they are about: op, rule, shapes, dtypes, operand") {
  Graph g;
  auto a = g.constant(Shape{3}, std::vector<double>{1, 2, 3});
  auto b = g.constant(Shape{2, 4}, std::vector<double>(8, 1.0));
  auto detail_of = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.detail();
    }
    FAIL("no error");
    return ErrorDetail{};
  };
  ErrorDetail d = detail_of([&] { return a * b; });
  CHECK(d.rule == ErrorRule::broadcast);
  CHECK(d.op == "mul");
  CHECK(d.shapes == std::vector<std::vector<int64_t>>{{3}, {2, 4}});
  CHECK(d.operand == -1);

  d = detail_of([&] { return matmul(b, b); });
  CHECK(d.rule == ErrorRule::matmul);
  CHECK(d.shapes == std::vector<std::vector<int64_t>>{{2, 4}, {2, 4}});
  CHECK(d.why == "the inner dimensions must agree: 4 vs 2 (the left's last, the right's first)");

  auto f = g.constant(Shape{3}, std::vector<double>{1, 2, 3}, DType::f32);
  d = detail_of([&] { return a + f; });
  CHECK(d.rule == ErrorRule::dtype);
  CHECK(d.dtypes == std::vector<std::string>{"f64", "f32"});
  CHECK(d.operand == 1);

  Graph other;
  auto c = other.constant(Shape{3}, std::vector<double>{1, 2, 3});
  d = detail_of([&] { return a - c; });
  CHECK(d.rule == ErrorRule::graph);
  CHECK(d.op == "sub");

  // Errors that are not about operands fitting together carry no detail.
  d = detail_of([&] { return reshape(a, {4}); });
  CHECK(d.rule == ErrorRule::none);
}

TEST_CASE("mixing dtypes is an error that names both") {
  Graph g;
  auto a = g.scalar(1.0, DType::f32);
  auto b = g.scalar(1.0, DType::f64);
  CHECK_THROWS_MATCHES(a + b, DomainError, Catch::Message("dtype mismatch in 'add': f32 vs f64 (use cast)"));
}

// A tie of maximum/minimum splits the gradient 0.5/0.5 (PyTorch's rule, and what
// max() does among equal elements), in backward(), in grad() with create_graph and
// in a Replay of one-number nodes (the compiled scalar program).
TEST_CASE("maximum and minimum split the gradient at a tie") {
  for (bool is_max : {true, false}) {
    INFO((is_max ? "maximum" : "minimum"));
    auto op = [&](Tensor a, Tensor b) { return is_max ? maximum(a, b) : minimum(a, b); };
    Graph g;
    auto a = g.param(Shape{3}, std::vector<double>{1, 2, 3});
    auto b = g.param(Shape{3}, std::vector<double>{2, 2, 2});
    auto y = sum(op(a, b));
    backward(y);
    const std::vector<double> ga = is_max ? std::vector<double>{0, 0.5, 1} : std::vector<double>{1, 0.5, 0};
    const std::vector<double> gb = is_max ? std::vector<double>{1, 0.5, 0} : std::vector<double>{0, 0.5, 1};
    CHECK(a.grads() == ga);
    CHECK(b.grads() == gb);
    auto built = grad(y, {a, b}, true);
    CHECK(built[0].values() == ga);
    CHECK(built[1].values() == gb);

    Graph s;
    auto x = s.param(2.0), z = s.param(2.0);
    Replay r(op(x, z) * 3.0);
    r.forward();
    r.backward();
    CHECK(x.grad_item() == 1.5);
    CHECK(z.grad_item() == 1.5);
  }
}

TEST_CASE("a repeated axis of a reduction is an error, as in numpy") {
  Graph g;
  auto a = g.constant(Shape{2, 3}, std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK_THROWS_MATCHES(max(a, {0, 0}), DomainError,
                       Catch::Message("axis 0 is repeated in the axes of 'max'"));
  CHECK_THROWS_AS(sum(a, {1, -1}), DomainError);
  CHECK(sum(a, {0, 1}).item() == 21);
}

// The shape ops (reshape, transpose, slice and its adjoint unslice, index, concat,
// stack): values, Python slicing semantics, gradients, second derivatives, errors.
#include <cstdint>
#include <numeric>

#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

constexpr int64_t kNone = INT64_MAX;    // "no bound" going up (start) ...
constexpr int64_t kBefore = INT64_MIN;  // ... and "past the front" going down (stop)

std::vector<double> iota(int64_t n, double from = 0) {
  std::vector<double> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), from);
  return v;
}

Tensor arange(Graph& g, const Shape& s) { return g.constant(s, iota(s.numel())); }

// First derivatives of f, and second derivatives of f applied to the inputs
// squared: a linear op's own second derivative is zero, so squaring first is
// what makes its graph-built adjoint (vjp) get checked.
void check_op(const Shape& s, const std::function<Tensor(Tensor)>& op) {
  std::mt19937 rng(11);
  INFO("shape " << to_string(s));
  Graph g;
  check_gradient(
      g, {random_variable(g, s, rng)}, [&](std::vector<Tensor>& in) { return op(in[0]); }, rng);
  check_second_derivative(
      g, {random_variable(g, s, rng)}, [&](std::vector<Tensor>& in) { return op(in[0] * in[0]); }, rng);
}

}  // namespace

TEST_CASE("reshape") {
  Graph g;
  auto a = arange(g, Shape{2, 3});
  CHECK(reshape(a, {3, -1}).shape() == Shape{3, 2});
  CHECK(reshape(a, {6}).values() == iota(6));
  check_op(Shape{2, 3}, [](Tensor t) { return reshape(t, {3, 2}); });
  check_op(Shape{}, [](Tensor t) { return reshape(t, {1, 1}); });
  CHECK_THROWS_MATCHES(
      reshape(a, {4, -1}), ShapeError,
      Catch::Message("shape mismatch in 'reshape': [2, 3] (6 elements) cannot become [4, -1]"));
  CHECK_THROWS_MATCHES(
      reshape(a, {4, 2}), ShapeError,
      Catch::Message("shape mismatch in 'reshape': [2, 3] (6 elements) cannot become [4, 2]"));
  CHECK_THROWS_MATCHES(
      reshape(a, {0, -1}), ShapeError,
      Catch::Message("shape mismatch in 'reshape': [2, 3] (6 elements) cannot become [0, -1]"));
}

TEST_CASE("transpose") {
  Graph g;
  auto a = arange(g, Shape{2, 3});
  auto t = transpose(a);
  CHECK(t.shape() == Shape{3, 2});
  CHECK(t.values() == std::vector<double>{0, 3, 1, 4, 2, 5});

  auto b = arange(g, Shape{2, 3, 4});
  const int p120[] = {1, 2, 0};
  auto u = transpose(b, p120);  // u[i, j, k] = b[k, i, j]
  REQUIRE(u.shape() == Shape{3, 4, 2});
  CHECK(u.at((1 * 4 + 2) * 2 + 1) == b.at((1 * 3 + 1) * 4 + 2));
  CHECK(transpose(b).shape() == Shape{4, 3, 2});  // empty perm reverses the axes
  const int neg[] = {-1, 0, 1};
  CHECK(transpose(b, neg).shape() == Shape{4, 2, 3});

  // Identity permutations make no node; rank 0 and 1 transpose to themselves.
  auto s = g.scalar(2.0);
  CHECK(transpose(s).id == s.id);
  const int id3[] = {0, 1, 2};
  CHECK(transpose(b, id3).id == b.id);

  check_op(Shape{2, 3}, [](Tensor x) { return transpose(x); });
  check_op(Shape{2, 3, 4}, [](Tensor x) {  // not its own inverse: checks the inverse permutation
    const int p[] = {1, 2, 0};
    return transpose(x, p);
  });
  check_op(Shape{2, 1, 3, 2}, [](Tensor x) {
    const int p[] = {3, 0, 2, 1};
    return transpose(x, p);
  });

  const int bad[] = {0, 0};
  CHECK_THROWS_MATCHES(transpose(a, bad), DomainError,
                       Catch::Message("'transpose': [0, 0] is not a permutation of the 2 axes of [2, 3]"));
  const int short_perm[] = {0};
  CHECK_THROWS_AS(transpose(a, short_perm), DomainError);
}

TEST_CASE("slice") {
  Graph g;
  auto a = arange(g, Shape{10});
  auto sl = [&](int64_t start, int64_t stop, int64_t step) {
    const SliceSpec s[1] = {{start, stop, step}};
    return slice(a, s).values();
  };
  using V = std::vector<double>;
  // Python: a[2:7], a[-3:], a[::-1], a[8:2:-2], a[::3], a[5:2], a[-100:3], a[3:-100:-1], a[-1:-4:-1]
  CHECK(sl(2, 7, 1) == V{2, 3, 4, 5, 6});
  CHECK(sl(-3, kNone, 1) == V{7, 8, 9});
  CHECK(sl(kNone, kBefore, -1) == V{9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  CHECK(sl(8, 2, -2) == V{8, 6, 4});
  CHECK(sl(0, kNone, 3) == V{0, 3, 6, 9});
  CHECK(sl(5, 2, 1).empty());
  CHECK(sl(-100, 3, 1) == V{0, 1, 2});
  CHECK(sl(3, -100, -1) == V{3, 2, 1, 0});
  CHECK(sl(-1, -4, -1) == V{9, 8, 7});
  CHECK(sl(0, kNone, -1).empty());  // Python a[0:big:-1]; a[0::-1] needs stop = kBefore
  CHECK(sl(0, kBefore, -1) == V{0});
  CHECK(sl(100, 200, 1).empty());

  // Two axes, a missing trailing spec means the whole axis.
  auto m = arange(g, Shape{3, 4});
  const SliceSpec rows[1] = {{1, 3, 1}};
  CHECK(slice(m, rows).values() == V{4, 5, 6, 7, 8, 9, 10, 11});
  const SliceSpec both[2] = {{kNone, kBefore, -2}, {1, kNone, 2}};
  auto mb = slice(m, both);
  CHECK(mb.shape() == Shape{2, 2});
  CHECK(mb.values() == V{9, 11, 1, 3});
  const SliceSpec whole[1] = {{}};
  CHECK(slice(m, whole).id == m.id);  // nothing removed: no node

  check_op(Shape{10}, [](Tensor x) {
    const SliceSpec s[1] = {{8, 1, -3}};
    return slice(x, s);
  });
  check_op(Shape{3, 4}, [](Tensor x) {
    const SliceSpec s[2] = {{kNone, kBefore, -2}, {1, kNone, 2}};
    return slice(x, s);
  });
  check_op(Shape{2, 3, 2, 3}, [](Tensor x) {
    const SliceSpec s[4] = {{1, 2, 1}, {-2, kNone, 1}, {}, {kNone, kBefore, -1}};
    return slice(x, s);
  });
  check_op(Shape{}, [](Tensor x) { return slice(x, {}); });
  // An empty slice has a zero gradient everywhere.
  {
    Graph h;
    auto x = h.variable(Shape{4}, iota(4), DType::f64);
    const SliceSpec s[1] = {{3, 1, 1}};
    auto y = sum(slice(x, s)) + sum(x);
    backward(y);
    CHECK(x.grads() == V{1, 1, 1, 1});
  }

  const SliceSpec zero[1] = {{0, 5, 0}};
  CHECK_THROWS_MATCHES(slice(a, zero), DomainError, Catch::Message("'slice': the step of axis 0 is zero"));
  const SliceSpec three[3] = {};
  CHECK_THROWS_MATCHES(slice(m, three), DomainError,
                       Catch::Message("'slice' of 3 axes on a rank-2 tensor [3, 4]"));
}

TEST_CASE("unslice") {
  // slice's adjoint scatters into zeros; its own adjoint is the slice again. The
  // second derivative of a slice goes through both.
  Graph g;
  auto x = g.variable(Shape{3, 4}, iota(12, 1), DType::f64);
  const SliceSpec s[2] = {{kNone, kBefore, -2}, {1, 3, 1}};
  auto sx = slice(x, s);
  auto y = sum(sx * sx);  // d/dx = 2x on the slice, 0 elsewhere
  auto dx = grad(y, {x}, true)[0];
  CHECK(dx.node().op == OpKind::unslice);
  CHECK(dx.values() == std::vector<double>{0, 4, 6, 0, 0, 0, 0, 0, 0, 20, 22, 0});
  backward(sum(dx * dx));  // sum over the slice of 4 x^2: 8 x there
  CHECK(x.grads() == std::vector<double>{0, 16, 24, 0, 0, 0, 0, 0, 0, 80, 88, 0});
  check_op(Shape{3, 4}, [](Tensor t) {
    const SliceSpec sp[2] = {{1, kNone, 1}, {kNone, kBefore, -3}};
    auto first = slice(t, sp);
    return grad(sum(first * first), {t}, true)[0];  // an unslice node, differentiated
  });
}

TEST_CASE("index") {
  Graph g;
  auto m = arange(g, Shape{3, 2});
  CHECK(index(m, 1).shape() == Shape{2});
  CHECK(index(m, 1).values() == std::vector<double>{2, 3});
  CHECK(index(m, -1).values() == std::vector<double>{4, 5});
  auto v = index(index(m, 2), 0);
  CHECK(v.rank() == 0);
  CHECK(v.item() == 4);
  check_op(Shape{3, 2}, [](Tensor t) { return index(t, -2); });
  check_op(Shape{4}, [](Tensor t) { return index(t, 3); });
  CHECK_THROWS_MATCHES(index(m, 5), DomainError,
                       Catch::Message("index 5 is out of range for axis 0 of size 3"));
  CHECK_THROWS_MATCHES(index(m, -4), DomainError,
                       Catch::Message("index -4 is out of range for axis 0 of size 3"));
  CHECK_THROWS_MATCHES(index(g.scalar(1.0), 0), DomainError,
                       Catch::Message("'index' of a rank-0 tensor (a scalar has no axis 0)"));
}

TEST_CASE("concat") {
  Graph g;
  auto a = arange(g, Shape{2, 2});
  auto b = g.constant(Shape{2, 1}, std::vector<double>{10, 11});
  const Tensor ab[] = {a, b};
  auto c = concat(ab, 1);
  CHECK(c.shape() == Shape{2, 3});
  CHECK(c.values() == std::vector<double>{0, 1, 10, 2, 3, 11});
  CHECK(concat(ab, -1).values() == c.values());
  const Tensor aa[] = {a, a};
  CHECK(concat(aa).values() == std::vector<double>{0, 1, 2, 3, 0, 1, 2, 3});
  const Tensor one[] = {a};
  CHECK(concat(one).id == a.id);

  // First and second derivatives, three inputs (inline) and five (in the arena).
  std::mt19937 rng(5);
  {
    Graph h;
    auto f = [](std::vector<Tensor>& in) { return concat(in, 1); };
    auto sq = [](std::vector<Tensor>& in) {
      std::vector<Tensor> s;
      for (auto& t : in) s.push_back(t * t);
      return concat(s, 1);
    };
    std::vector<Shape> shapes = {Shape{2, 1, 2}, Shape{2, 3, 2}, Shape{2, 2, 2}, Shape{2, 1, 2},
                                 Shape{2, 4, 2}};
    for (std::size_t n : {3u, 5u}) {
      std::vector<Tensor> in, in2;
      for (std::size_t k = 0; k < n; ++k) {
        in.push_back(random_variable(h, shapes[k], rng));
        in2.push_back(random_variable(h, shapes[k], rng));
      }
      check_gradient(h, in, f, rng);
      check_second_derivative(h, in2, sq, rng);
    }
  }
  // A part used twice and a constant part among variables.
  {
    Graph h;
    auto x = h.variable(Shape{2}, std::vector<double>{1, 2}, DType::f64);
    auto k = h.constant(Shape{1}, std::vector<double>{5});
    const Tensor parts[] = {x, k, x, x, k};
    auto y = concat(parts);
    CHECK(y.values() == std::vector<double>{1, 2, 5, 1, 2, 1, 2, 5});
    backward(sum(y * y));  // 2x from each of three copies
    CHECK(x.grads() == std::vector<double>{6, 12});
    CHECK_FALSE(k.node().has_grad());
  }
  // More parts than one node can record: nested concats.
  {
    Graph h;
    std::vector<Tensor> parts;
    for (int k = 0; k < 600; ++k)
      parts.push_back(h.variable(Shape{1}, std::vector<double>{double(k)}, DType::f64));
    auto y = concat(parts);
    CHECK(y.values() == iota(600));
    backward(sum(y * y));
    CHECK(parts[599].grad_item() == 2 * 599);
  }

  auto r3 = arange(g, Shape{2, 2, 1});
  const Tensor bad_rank[] = {a, r3};
  CHECK_THROWS_MATCHES(concat(bad_rank), ShapeError,
                       Catch::Message("shape mismatch in 'concat': [2, 2] vs [2, 2, 1]"));
  const Tensor bad_size[] = {a, b};
  CHECK_THROWS_MATCHES(concat(bad_size, 0), ShapeError,
                       Catch::Message("shape mismatch in 'concat': [2, 2] vs [2, 1]"));
  const Tensor scalars[] = {g.scalar(1.0), g.scalar(2.0)};
  CHECK_THROWS_MATCHES(concat(scalars), ShapeError, Catch::Message("'concat' of rank-0 tensors (use stack)"));
  CHECK_THROWS_MATCHES(concat(std::span<const Tensor>{}), DomainError,
                       Catch::Message("'concat' of no tensors"));
  const Tensor mixed[] = {a, g.constant(Shape{2, 2}, iota(4), DType::f32)};
  CHECK_THROWS_MATCHES(concat(mixed), DomainError,
                       Catch::Message("dtype mismatch in 'concat': f64 vs f32 (use cast)"));
  CHECK_THROWS_MATCHES(concat(ab, 2), DomainError,
                       Catch::Message("axis 2 is out of range for 'concat' on a rank-2 tensor"));
}

TEST_CASE("stack") {
  Graph g;
  auto a = g.constant(Shape{2}, std::vector<double>{1, 2});
  auto b = g.constant(Shape{2}, std::vector<double>{3, 4});
  const Tensor ab[] = {a, b};
  CHECK(stack(ab).shape() == Shape{2, 2});
  CHECK(stack(ab).values() == std::vector<double>{1, 2, 3, 4});
  CHECK(stack(ab, 1).values() == std::vector<double>{1, 3, 2, 4});
  CHECK(stack(ab, -1).values() == std::vector<double>{1, 3, 2, 4});
  const Tensor scalars[] = {g.scalar(1.0), g.scalar(2.0), g.scalar(3.0)};
  CHECK(stack(scalars).shape() == Shape{3});  // rank 0 stacks into a vector
  CHECK(stack(scalars).values() == std::vector<double>{1, 2, 3});

  std::mt19937 rng(9);
  for (int axis : {0, 1, 2, -1}) {
    INFO("axis " << axis);
    Graph h;
    auto f = [axis](std::vector<Tensor>& in) { return stack(in, axis); };
    auto sq = [axis](std::vector<Tensor>& in) {
      std::vector<Tensor> s;
      for (auto& t : in) s.push_back(t * t);
      return stack(s, axis);
    };
    std::vector<Tensor> in, in2;
    for (int k = 0; k < 4; ++k) {
      in.push_back(random_variable(h, Shape{2, 3}, rng));
      in2.push_back(random_variable(h, Shape{2, 3}, rng));
    }
    check_gradient(h, in, f, rng);
    check_second_derivative(h, in2, sq, rng);
  }

  const Tensor bad[] = {a, g.constant(Shape{3}, iota(3))};
  CHECK_THROWS_MATCHES(stack(bad), ShapeError, Catch::Message("shape mismatch in 'stack': [2] vs [3]"));
  CHECK_THROWS_MATCHES(stack(ab, 2), DomainError,
                       Catch::Message("axis 2 is out of range for 'stack' of rank-1 tensors"));
}

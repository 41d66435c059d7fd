// matmul: every shape case against a plain loop, gradients and second derivatives
// (on both sides of the small-product threshold), f32 against f64, a large
// product, the skipped side of the backward, and shape errors.
#include <cmath>

#include "matmul_reference.hpp"
#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

void check_close(const std::vector<double>& got, const std::vector<double>& want, double rel) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).epsilon(rel).margin(rel));
  }
}

struct Case {
  Shape a, b, out;
};

// Each case twice: tiny (plain loop) and large enough for BLAS.
const std::vector<Case> kCases = {
    {Shape{2, 3}, Shape{3, 4}, Shape{2, 4}},
    {Shape{6, 7}, Shape{7, 5}, Shape{6, 5}},
    {Shape{3}, Shape{3, 4}, Shape{4}},
    {Shape{12}, Shape{12, 13}, Shape{13}},
    {Shape{2, 3}, Shape{3}, Shape{2}},
    {Shape{13, 12}, Shape{12}, Shape{13}},
    {Shape{3}, Shape{3}, Shape{}},
    {Shape{200}, Shape{200}, Shape{}},
    {Shape{2, 2, 3}, Shape{2, 3, 2}, Shape{2, 2, 2}},
    {Shape{3, 5, 6}, Shape{3, 6, 7}, Shape{3, 5, 7}},
    {Shape{2, 2, 3}, Shape{3, 2}, Shape{2, 2, 2}},
    {Shape{3, 5, 6}, Shape{6, 7}, Shape{3, 5, 7}},
    {Shape{2, 3}, Shape{2, 3, 2}, Shape{2, 2, 2}},
    {Shape{5, 6}, Shape{3, 6, 7}, Shape{3, 5, 7}},
    {Shape{3}, Shape{2, 3, 2}, Shape{2, 2}},
    {Shape{2, 4, 3}, Shape{3}, Shape{2, 4}},
    {Shape{1, 5, 6}, Shape{1, 6, 7}, Shape{1, 5, 7}},
};

}  // namespace

TEST_CASE("matmul") {
  SECTION("values by hand") {
    Graph g;
    auto a = g.constant(Shape{2, 3}, std::vector<double>{1, 2, 3, 4, 5, 6});
    auto b = g.constant(Shape{3, 2}, std::vector<double>{7, 8, 9, 10, 11, 12});
    CHECK(matmul(a, b).values() == std::vector<double>{58, 64, 139, 154});
    auto v = g.constant(Shape{3}, std::vector<double>{1, 0, -1});
    CHECK(matmul(a, v).values() == std::vector<double>{-2, -2});
    CHECK(matmul(v, b).values() == std::vector<double>{-4, -4});
    CHECK(matmul(v, v).item() == 2);
  }

  SECTION("every shape case: values, gradients, second derivatives") {
    std::mt19937 rng(3);
    for (const Case& c : kCases) {
      INFO(to_string(c.a) << " @ " << to_string(c.b));
      Graph g;
      auto a = random_variable(g, c.a, rng), b = random_variable(g, c.b, rng);
      auto y = matmul(a, b);
      CHECK(y.shape() == c.out);
      check_close(y.values(), test::matmul_reference(a, b), 1e-12);
      auto f = [](std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
      check_gradient(g, {random_variable(g, c.a, rng), random_variable(g, c.b, rng)}, f, rng);
      // The product of two inputs: the mixed second derivatives are what the vjp must get right.
      check_second_derivative(g, {random_variable(g, c.a, rng), random_variable(g, c.b, rng)}, f, rng);
      // And once more through a nonlinearity, so each side's second derivative is nonzero.
      check_second_derivative(
          g, {random_variable(g, c.a, rng), random_variable(g, c.b, rng)},
          [](std::vector<Tensor>& in) { return matmul(in[0] * in[0], in[1] * in[1] * in[1]); }, rng);
    }
  }

  SECTION("the same tensor on both sides") {
    std::mt19937 rng(4);
    Graph g;
    auto f = [](std::vector<Tensor>& in) { return matmul(in[0], in[0]); };
    check_gradient(g, {random_variable(g, Shape{5, 5}, rng)}, f, rng);
    check_second_derivative(g, {random_variable(g, Shape{5, 5}, rng)}, f, rng);
  }

  SECTION("only the side that requires grad gets a gradient") {
    std::mt19937 rng(6);
    for (const Shape& sa : {Shape{2, 3}, Shape{10, 12}}) {
      Graph g;
      auto x = g.constant(sa, random_values(sa.numel(), rng));  // data
      auto w = random_variable(g, Shape{sa[1], 4}, rng);
      backward(sum(matmul(x, w)));
      CHECK_FALSE(x.node().has_grad());
      // d sum(x w) / d w[p, j] = sum_i x[i, p]
      auto xv = x.values();
      for (int64_t p = 0; p < sa[1]; ++p) {
        double s = 0;
        for (int64_t i = 0; i < sa[0]; ++i) s += xv[i * sa[1] + p];
        CHECK(w.grad_at(p * 4 + 3) == Approx(s).epsilon(1e-12));
      }
    }
  }

  SECTION("f32 agrees with f64") {
    std::mt19937 rng(8);
    for (const Case& c : kCases) {
      INFO(to_string(c.a) << " @ " << to_string(c.b));
      const auto av = random_values(c.a.numel(), rng), bv = random_values(c.b.numel(), rng);
      const auto wv = random_values(c.out.numel(), rng, 0.5, 1.5);
      std::vector<double> value[2], ga[2], gb[2];
      for (DType t : {DType::f32, DType::f64}) {
        const int i = t == DType::f32 ? 0 : 1;
        Graph g;
        auto a = g.variable(c.a, av, t), b = g.variable(c.b, bv, t);
        auto y = matmul(a, b);
        backward(sum(y * g.constant(c.out, wv, t)));
        value[i] = y.values(), ga[i] = a.grads(), gb[i] = b.grads();
      }
      // Relative to the scale of the terms summed (k of them, each up to 4 in size).
      const double scale = 4.0 * static_cast<double>(c.a[c.a.rank - 1]);
      for (std::size_t k = 0; k < value[0].size(); ++k)
        CHECK(std::abs(value[0][k] - value[1][k]) <= 1e-5 * scale);
      for (std::size_t k = 0; k < ga[0].size(); ++k)
        CHECK(std::abs(ga[0][k] - ga[1][k]) <= 1e-5 * scale * 1.5);
      for (std::size_t k = 0; k < gb[0].size(); ++k)
        CHECK(std::abs(gb[0][k] - gb[1][k]) <= 1e-5 * scale * 1.5);
    }
  }

  SECTION("a large product against a plain loop") {
    std::mt19937 rng(10);
    const Shape sa{256, 784}, sb{784, 128};
    const auto av = random_values(sa.numel(), rng, -1, 1), bv = random_values(sb.numel(), rng, -1, 1);
    for (DType t : {DType::f64, DType::f32}) {
      INFO(dtype_name(t));
      Graph g;
      auto a = g.variable(sa, av, t), b = g.variable(sb, bv, t);
      auto y = matmul(a, b);
      const auto want = test::matmul_reference(a, b);  // a and b hold the values rounded to t
      const auto got = y.values();
      // Sums of 784 terms of size <= 1: f32 keeps them to about 1e-4 absolute.
      const double tol = t == DType::f64 ? 1e-11 : 2e-4;
      double worst = 0;
      for (std::size_t k = 0; k < got.size(); ++k) worst = std::max(worst, std::abs(got[k] - want[k]));
      CHECK(worst <= tol);
      // dA = 1 @ B^T: row sums of b; dB = A^T @ 1: column sums of a.
      backward(sum(y));
      const auto ga = a.grads(), gb = b.grads();
      const auto bvt = b.values(), avt = a.values();
      for (int64_t p : {0, 391, 783}) {
        double rs = 0, cs = 0;
        for (int64_t j = 0; j < 128; ++j) rs += bvt[p * 128 + j];
        for (int64_t i = 0; i < 256; ++i) cs += avt[i * 784 + p];
        CHECK(ga[static_cast<std::size_t>(5 * 784 + p)] == Approx(rs).margin(tol));
        CHECK(gb[static_cast<std::size_t>(p * 128 + 77)] == Approx(cs).margin(tol * 4));
      }
    }
  }

  SECTION("empty dimensions") {
    Graph g;
    auto a = g.variable(Shape{2, 0}, std::vector<double>{}, DType::f64);
    auto b = g.variable(Shape{0, 3}, std::vector<double>{}, DType::f64);
    auto y = matmul(a, b);
    CHECK(y.shape() == Shape{2, 3});
    CHECK(y.values() == std::vector<double>(6, 0.0));
    backward(sum(y));
    CHECK(a.grads().empty());
  }

  SECTION("shape errors name both shapes") {
    Graph g;
    auto a = g.constant(Shape{2, 3}, std::vector<double>(6, 1.0));
    auto b = g.constant(Shape{4, 5}, std::vector<double>(20, 1.0));
    CHECK_THROWS_MATCHES(
        matmul(a, b), ShapeError,
        Catch::Message("shape mismatch in 'matmul': [2, 3] vs [4, 5]; the inner dimensions must "
                       "agree: 3 vs 4 (the left's last, the right's first)"));
    auto s = g.scalar(2.0);
    CHECK_THROWS_MATCHES(
        matmul(s, a), ShapeError,
        Catch::Message("shape mismatch in 'matmul': [] vs [2, 3]; both sides need rank 1, 2 or 3"));
    auto b1 = g.constant(Shape{2, 2, 3}, std::vector<double>(12, 1.0));
    auto b2 = g.constant(Shape{3, 3, 2}, std::vector<double>(18, 1.0));
    CHECK_THROWS_MATCHES(
        matmul(b1, b2), ShapeError,
        Catch::Message("shape mismatch in 'matmul': [2, 2, 3] vs [3, 3, 2]; the batch dimensions "
                       "must agree: 2 vs 3"));
    auto r4 = g.constant(Shape{1, 1, 2, 3}, std::vector<double>(6, 1.0));
    CHECK_THROWS_MATCHES(
        matmul(r4, transpose(a)), ShapeError,
        Catch::Message("shape mismatch in 'matmul': [1, 1, 2, 3] vs [3, 2]; both sides need rank 1, "
                       "2 or 3"));
    auto f = g.constant(Shape{3, 2}, std::vector<double>(6, 1.0), DType::f32);
    CHECK_THROWS_MATCHES(matmul(a, f), DomainError,
                         Catch::Message("dtype mismatch in 'matmul': f64 vs f32 (use cast)"));
  }
}

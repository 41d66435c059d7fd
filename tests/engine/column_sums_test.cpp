// Gradients that sum the rows of a matrix into one row (a bias's gradient over the
// batch, the thin products A^T g and a^T B) add each column in row order, to the
// bit, whatever the row's length (Note [Column sums in registers] in
// engine/src/kernels.hpp: blocks of columns kept in registers, a last block that
// overlaps the one before it, the plain loop for other rows). The values span
// twenty binary orders of magnitude, so any other order of the additions gives
// other bits.
#include <cmath>
#include <functional>

#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

// Row lengths on each side of where the kernel changes its way (blocks of one
// register for rows of 16 to 64 floats, the plain loop below and above). A row
// of one is a one-number operand, summed apart and then added (binary.cpp).
const int64_t kLengths[] = {2, 3, 4, 5, 15, 16, 17, 31, 63, 64, 65, 100, 130};
const int64_t kRows[] = {1, 7, 100};

// Floats of both signs from 2^-10 to 2^10.
std::vector<double> spread_values(int64_t n, std::mt19937& rng) {
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  std::uniform_int_distribution<int> exponent(-10, 10), sign(0, 1);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = static_cast<float>(std::ldexp(mantissa(rng), exponent(rng)) * (sign(rng) ? -1 : 1));
  return v;
}

// start[j] + term(0, j) + term(1, j) + ... in float, one addition after another.
std::vector<float> row_order_sums(const std::vector<float>& start, int64_t rows,
                                  const std::function<float(int64_t, int64_t)>& term) {
  std::vector<float> s = start;
  for (int64_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < s.size(); ++j) s[j] += term(r, static_cast<int64_t>(j));
  return s;
}

std::vector<float> as_floats(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// The gradient of `param` after backward(loss) from zero, after a second
// backward() that adds to it, and after a Replay's backward, which overwrites it;
// `term` is the summed element.
void check_row_order(Tensor loss, Tensor param, int64_t rows,
                     const std::function<float(int64_t, int64_t)>& term) {
  const std::vector<float> zero(static_cast<std::size_t>(param.numel()), 0.0f);
  const std::vector<float> once = row_order_sums(zero, rows, term);
  backward(loss);
  CHECK(as_floats(param.grads()) == once);
  backward(loss);
  CHECK(as_floats(param.grads()) == row_order_sums(once, rows, term));
  Replay replay(loss);
  replay.forward();
  replay.backward();
  CHECK(as_floats(param.grads()) == once);
}

}  // namespace

TEST_CASE("a bias's gradient adds each column in row order", "[column_sums]") {
  std::mt19937 rng(41);
  for (int64_t rows : kRows)
    for (int64_t len : kLengths) {
      const auto xv = spread_values(rows * len, rng), wv = spread_values(rows * len, rng);
      auto x = [&](int64_t r, int64_t j) { return static_cast<float>(xv[r * len + j]); };
      auto w = [&](int64_t r, int64_t j) { return static_cast<float>(wv[r * len + j]); };
      // The row operand on either side of +, the subtracted row, and a product's
      // row (whose terms are products rounded to float).
      const struct {
        const char* name;
        std::function<Tensor(Tensor, Tensor)> f;
        std::function<float(int64_t, int64_t)> term;
      } kCases[] = {
          {"x + b", [](Tensor x, Tensor b) { return x + b; }, w},
          {"b + x", [](Tensor x, Tensor b) { return b + x; }, w},
          {"x - b", [](Tensor x, Tensor b) { return x - b; }, [&](int64_t r, int64_t j) { return -w(r, j); }},
          {"x * b", [](Tensor x, Tensor b) { return x * b; },
           [&](int64_t r, int64_t j) { return w(r, j) * x(r, j); }},
      };
      for (const auto& c : kCases) {
        INFO(c.name << ", x [" << rows << ", " << len << "]");
        Graph g(DType::f32);
        Tensor xt = g.constant({rows, len}, xv, DType::f32), wt = g.constant({rows, len}, wv, DType::f32);
        Tensor b = g.param({len}, spread_values(len, rng), DType::f32);
        check_row_order(sum(c.f(xt, b) * wt), b, rows, c.term);
      }
    }
}

TEST_CASE("thin products' gradients add each column in row order", "[column_sums]") {
  std::mt19937 rng(43);
  for (int64_t rows : kRows)
    for (int64_t len : kLengths) {
      INFO("[" << rows << ", " << len << "]");
      const auto hv = spread_values(rows * len, rng), vv = spread_values(rows * len, rng);
      auto h = [&](int64_t r, int64_t j) { return static_cast<float>(hv[r * len + j]); };
      auto v = [&](int64_t r, int64_t j) { return static_cast<float>(vv[r * len + j]); };
      {  // w's gradient in h @ w, one output column: h^T g, g one number per row
        Graph g(DType::f32);
        Tensor ht = g.constant({rows, len}, hv, DType::f32);
        Tensor gt = g.constant({rows, 1}, std::vector<double>(vv.begin(), vv.begin() + rows), DType::f32);
        Tensor w = g.param({len, 1}, spread_values(len, rng), DType::f32);
        check_row_order(sum(matmul(ht, w) * gt), w, rows,
                        [&](int64_t r, int64_t j) { return h(r, j) * static_cast<float>(vv[r]); });
      }
      {  // B's gradient in a @ B, a one column: a^T G, with G of `len` columns
        Graph g(DType::f32);
        Tensor at = g.constant({rows, 1}, std::vector<double>(hv.begin(), hv.begin() + rows), DType::f32);
        Tensor gt = g.constant({rows, len}, vv, DType::f32);
        Tensor B = g.param({1, len}, spread_values(len, rng), DType::f32);
        check_row_order(sum(matmul(at, B) * gt), B, rows,
                        [&](int64_t r, int64_t j) { return static_cast<float>(hv[r]) * v(r, j); });
      }
    }
}

TEST_CASE("a one-row product adds each column in row order", "[column_sums]") {
  std::mt19937 rng(47);
  for (int64_t k : kRows)
    for (int64_t len : kLengths) {
      INFO("[1, " << k << "] @ [" << k << ", " << len << "]");
      const auto av = spread_values(k, rng), bv = spread_values(k * len, rng);
      Graph g(DType::f32);
      const auto got =
          matmul(g.constant({1, k}, av, DType::f32), g.constant({k, len}, bv, DType::f32)).values();
      const std::vector<float> zero(static_cast<std::size_t>(len), 0.0f);
      CHECK(as_floats(got) == row_order_sums(zero, k, [&](int64_t p, int64_t j) {
              return static_cast<float>(av[p]) * static_cast<float>(bv[p * len + j]);
            }));
    }
}

// Analysis builtins for the experiments: count_patterns (linear regions met by a
// set of points), eigvalsh, cond and solve on small matrices. None has a gradient.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "builtins/family.hpp"
#include "hinge/interrupt.hpp"
#include "hinge/tensor.hpp"

namespace hinge::lang::detail {

namespace {

// The dense algorithms below are O(n^3) per sweep; larger matrices are not what
// they are for (and would look like a hang).
constexpr int64_t kMaxSide = 512;

struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;  // row-major
  double& at(int64_t i, int64_t j) { return v[static_cast<std::size_t>(i * cols + j)]; }
  double at(int64_t i, int64_t j) const { return v[static_cast<std::size_t>(i * cols + j)]; }
};

std::string shape_text(const Tensor& t) { return to_string(t.shape()); }

// The argument as a matrix [m, n] of finite numbers, at most kMaxSide on each side.
Matrix matrix_arg(BuiltinContext& ctx, const Args& args, std::string_view name, bool square) {
  const Tensor t = args.tensor(name, ctx);
  const std::string fn(args.builtin().name);
  if (t.rank() != 2 || (square && t.shape().dims[0] != t.shape().dims[1]))
    args.fail(name, fmt::format("{}: '{}' must be a {}matrix, got a tensor {}", fn, name,
                                square ? "square " : "", shape_text(t)));
  Matrix m{t.shape().dims[0], t.shape().dims[1], t.values()};
  if (m.rows == 0 || m.cols == 0)
    args.fail(name, fmt::format("{}: '{}' is empty ({})", fn, name, shape_text(t)));
  if (m.rows > kMaxSide || m.cols > kMaxSide)
    args.fail(name, fmt::format("{}: '{}' is {}; this builtin takes at most {} rows and columns", fn, name,
                                shape_text(t), kMaxSide));
  for (double x : m.v)
    if (!std::isfinite(x)) args.fail(name, fmt::format("{}: '{}' holds {}", fn, name, x));
  return m;
}

// ---- count_patterns ----

// Note [Activation patterns]
// A ReLU layer's pattern at a point is which units are open (pre-activation > 0,
// the same rule as relu's derivative, which is 0 at exactly 0). Inside one pattern
// the network is one affine map, so the number of distinct patterns among many
// points is the number of linear regions those points meet: a lower bound on the
// regions of the box they cover.
Value count_patterns_fn(BuiltinContext& ctx, const Args& args) {
  const Tensor h = args.tensor("h", ctx);
  if (h.rank() > 2 || h.rank() == 0)
    args.fail("h", fmt::format("count_patterns: 'h' must be pre-activations [points, units], got a tensor {}",
                               shape_text(h)));
  const int64_t n = h.shape().dims[0], k = h.rank() == 2 ? h.shape().dims[1] : 1;
  const std::vector<double> v = h.values();
  std::set<std::vector<bool>> seen;
  std::vector<bool> pattern(static_cast<std::size_t>(k));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t u = 0; u < k; ++u)
      pattern[static_cast<std::size_t>(u)] = v[static_cast<std::size_t>(i * k + u)] > 0;
    seen.insert(pattern);
  }
  return Value(static_cast<double>(seen.size()));
}

// ---- eigvalsh ----

// Cyclic Jacobi rotations on a symmetric matrix until the off-diagonal part is
// negligible; the diagonal is then the spectrum (each eigenvalue to about
// eps * the largest one in magnitude).
std::vector<double> symmetric_eigenvalues(Matrix a) {
  const int64_t n = a.rows;
  auto off = [&] {
    double s = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        if (i != j) s += a.at(i, j) * a.at(i, j);
    return s;
  };
  double total = 0;
  for (double x : a.v) total += x * x;
  for (int sweep = 0; sweep < 100 && off() > 1e-30 * total; ++sweep) {
    for (int64_t p = 0; p < n; ++p) {
      throw_if_interrupted();  // a sweep of a 512 x 512 matrix is about a second
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = a.at(p, q);
        if (apq == 0) continue;
        const double theta = (a.at(q, q) - a.at(p, p)) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // columns p, q
          const double akp = a.at(k, p), akq = a.at(k, q);
          a.at(k, p) = c * akp - s * akq;
          a.at(k, q) = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {  // rows p, q
          const double apk = a.at(p, k), aqk = a.at(q, k);
          a.at(p, k) = c * apk - s * aqk;
          a.at(q, k) = s * apk + c * aqk;
        }
        a.at(p, q) = a.at(q, p) = 0;
      }
    }
  }
  std::vector<double> ev(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) ev[static_cast<std::size_t>(i)] = a.at(i, i);
  std::sort(ev.begin(), ev.end());
  return ev;
}

Value eigvalsh_fn(BuiltinContext& ctx, const Args& args) {
  Matrix a = matrix_arg(ctx, args, "a", true);
  double scale = 0;
  for (double x : a.v) scale = std::max(scale, std::abs(x));
  // A product like transpose(X) @ X may differ from its transpose in the last bits;
  // anything more is not a symmetric matrix.
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t j = i + 1; j < a.cols; ++j) {
      const double x = a.at(i, j), y = a.at(j, i);
      if (std::abs(x - y) > 1e-9 * scale)
        args.fail("a", fmt::format("eigvalsh: 'a' must be symmetric, but a[{}, {}] = {} and a[{}, {}] = {}",
                                   i, j, x, j, i, y));
      a.at(i, j) = a.at(j, i) = (x + y) / 2;
    }
  const std::vector<double> ev = symmetric_eigenvalues(std::move(a));
  return Value(make_constant(ctx, std::vector<int64_t>{static_cast<int64_t>(ev.size())}, ev));
}

// ---- cond ----

// Singular values by one-sided Jacobi (Hestenes): rotate pairs of columns until
// they are orthogonal; the column norms are then the singular values. Unlike the
// eigenvalues of transpose(A) @ A, the small ones keep their relative accuracy,
// so condition numbers far above 1e8 are still measured, not rounding noise.
std::vector<double> singular_values(const Matrix& in) {
  // Work on columns of the taller orientation (m >= n).
  const bool flip = in.rows < in.cols;
  const int64_t m = flip ? in.cols : in.rows, n = flip ? in.rows : in.cols;
  std::vector<std::vector<double>> col(static_cast<std::size_t>(n),
                                       std::vector<double>(static_cast<std::size_t>(m)));
  for (int64_t i = 0; i < in.rows; ++i)
    for (int64_t j = 0; j < in.cols; ++j)
      (flip ? col[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]
            : col[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)]) = in.at(i, j);
  auto dot = [](const std::vector<double>& x, const std::vector<double>& y) {
    double s = 0;
    for (std::size_t k = 0; k < x.size(); ++k) s += x[k] * y[k];
    return s;
  };
  const double eps = std::numeric_limits<double>::epsilon();
  for (int sweep = 0; sweep < 100; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p < n; ++p) {
      throw_if_interrupted();  // as in symmetric_eigenvalues
      for (int64_t q = p + 1; q < n; ++q) {
        auto& up = col[static_cast<std::size_t>(p)];
        auto& uq = col[static_cast<std::size_t>(q)];
        const double alpha = dot(up, up), beta = dot(uq, uq), gamma = dot(up, uq);
        if (gamma == 0 || std::abs(gamma) <= eps * std::sqrt(alpha * beta)) continue;
        rotated = true;
        const double zeta = (beta - alpha) / (2 * gamma);
        const double t = (zeta >= 0 ? 1.0 : -1.0) / (std::abs(zeta) + std::sqrt(1 + zeta * zeta));
        const double c = 1 / std::sqrt(1 + t * t), s = c * t;
        for (std::size_t k = 0; k < up.size(); ++k) {
          const double a = up[k], b = uq[k];
          up[k] = c * a - s * b;
          uq[k] = s * a + c * b;
        }
      }
    }
    if (!rotated) break;
  }
  std::vector<double> sv;
  for (const auto& c : col) sv.push_back(std::sqrt(dot(c, c)));
  std::sort(sv.begin(), sv.end());
  return sv;
}

Value cond_fn(BuiltinContext& ctx, const Args& args) {
  const Matrix a = matrix_arg(ctx, args, "a", false);
  const std::vector<double> sv = singular_values(a);
  if (sv.back() == 0) args.fail("a", "cond: 'a' is all zeros");
  if (sv.front() == 0) return Value(std::numeric_limits<double>::infinity());
  return Value(sv.back() / sv.front());
}

// ---- solve ----

// Gaussian elimination with partial pivoting. A pivot that is zero, or tiny next
// to the matrix, means no (trustworthy) unique solution: an error, not garbage.
Value solve_fn(BuiltinContext& ctx, const Args& args) {
  Matrix a = matrix_arg(ctx, args, "a", true);
  const Tensor bt = args.tensor("b", ctx);
  const int64_t n = a.rows;
  if (bt.rank() < 1 || bt.rank() > 2 || bt.shape().dims[0] != n)
    args.fail(
        "b", fmt::format("solve: 'b' must be a vector [{}] or a matrix [{}, k] (a row per row of 'a'), got a "
                         "tensor {}",
                         n, n, shape_text(bt)));
  const int64_t k = bt.rank() == 2 ? bt.shape().dims[1] : 1;
  Matrix b{n, k, bt.values()};
  for (double x : b.v)
    if (!std::isfinite(x)) args.fail("b", fmt::format("solve: 'b' holds {}", x));
  double scale = 0;
  for (double x : a.v) scale = std::max(scale, std::abs(x));
  const double tiny = static_cast<double>(n) * std::numeric_limits<double>::epsilon() * scale;
  for (int64_t c = 0; c < n; ++c) {
    int64_t best = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (std::abs(a.at(r, c)) > std::abs(a.at(best, c))) best = r;
    if (std::abs(a.at(best, c)) <= tiny)
      args.fail("a",
                fmt::format("solve: 'a' is singular (column {} has no usable pivot): no unique solution", c));
    if (best != c) {
      for (int64_t j = 0; j < n; ++j) std::swap(a.at(c, j), a.at(best, j));
      for (int64_t j = 0; j < k; ++j) std::swap(b.at(c, j), b.at(best, j));
    }
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = a.at(r, c) / a.at(c, c);
      if (f == 0) continue;
      for (int64_t j = c; j < n; ++j) a.at(r, j) -= f * a.at(c, j);
      for (int64_t j = 0; j < k; ++j) b.at(r, j) -= f * b.at(c, j);
    }
  }
  for (int64_t c = n - 1; c >= 0; --c)
    for (int64_t j = 0; j < k; ++j) {
      double s = b.at(c, j);
      for (int64_t i = c + 1; i < n; ++i) s -= a.at(c, i) * b.at(i, j);
      b.at(c, j) = s / a.at(c, c);
    }
  std::vector<int64_t> dims{n};
  if (bt.rank() == 2) dims.push_back(k);
  return Value(make_constant(ctx, dims, b.v));
}

// constinit: Note [Constant builtin tables] in builtins/table.cpp.
constinit const Builtin kModels[] = {
    {"cond", "a",
     "the condition number of a matrix: its largest singular value over its smallest (one-sided Jacobi; no "
     "gradient)",
     "cond([[1, 0], [0, 1e-3]])", cond_fn, "analysis"},
    {"count_patterns", "h",
     "the number of distinct on/off patterns (h > 0) among the rows of pre-activations h [points, units]: "
     "the "
     "linear regions those points meet",
     "count_patterns(reshape(linspace(-1, 1, 8), [4, 2]))", count_patterns_fn, "analysis"},
    {"eigvalsh", "a", "the eigenvalues of a symmetric matrix, ascending (Jacobi rotations; no gradient)",
     "eigvalsh([[2, 1], [1, 2]])", eigvalsh_fn, "analysis"},
    {"solve", "a, b", "x with a @ x = b for a square matrix a (Gaussian elimination; no gradient)",
     "solve([[2, 1], [1, 3]], [3, 5])", solve_fn, "analysis"},
};

}  // namespace

std::span<const Builtin> models_builtins() { return kModels; }

}  // namespace hinge::lang::detail

// `trace Y check`: central finite differences over two steps, extrapolated, for
// every parameter of the trace, taken as gradcheck takes them (numeric_slopes in
// hinge/gradcheck.hpp): one element moved at a time in a replay of the forward
// pass, then every value put back and replayed once more.
#include <algorithm>
#include <cmath>

#include "explain/explain.hpp"
#include "hinge/backward.hpp"
#include "hinge/gradcheck.hpp"

namespace hinge::lang {

namespace {
// Four forward passes per element: a budget keeps `check` on a big model bounded.
constexpr int64_t kMaxElements = 20000;
}  // namespace

void add_check(Explanation& ex) {
  ex.checked = true;
  const Tensor y = ex.root;
  if (y.numel() != 1) {
    ex.check_error = "the check needs a one-element value";
    return;
  }
  if (y.dtype() != DType::f64) ex.check_error = "float32 graph: finite differences are rough";
  int64_t total = 0;
  for (const Row& r : ex.rows)
    if (r.role == Role::param) total += static_cast<int64_t>(r.value.size());
  if (total > kMaxElements) {
    ex.check_error = "too many parameter elements to check (more than 20000)";
    return;
  }
  // The step: relative to the value, larger in float32 where rounding is coarser.
  const double h0 = y.dtype() == DType::f64 ? 1e-6 : 1e-2;
  Replay replay(y);
  for (Row& r : ex.rows) {
    if (r.role != Role::param) continue;
    r.fd = numeric_slopes(y, Tensor{y.g, r.id}, replay, h0).slope;
    r.fd_error = 0;
    for (std::size_t k = 0; k < r.fd.size(); ++k) {
      const double an = r.grad.empty() ? 0.0 : r.grad[k], num = r.fd[k];
      const double scale = std::max({std::abs(an), std::abs(num), 1e-8});
      const double err = an == num ? 0.0 : std::abs(an - num) / scale;
      r.fd_error = std::isnan(err) ? err : std::max(r.fd_error, err);
    }
  }
}

}  // namespace hinge::lang

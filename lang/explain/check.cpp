// `trace Y check`: central finite differences over two steps, extrapolated, for
// every parameter of the trace, by replaying the forward pass (hinge::Replay) with
// one element moved at a time,
// then every value put back and replayed once more.
#include <algorithm>
#include <cmath>

#include "explain/explain.hpp"
#include "hinge/backward.hpp"

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
    const Tensor p{y.g, r.id};
    std::vector<double> v = r.value;
    r.fd.assign(v.size(), 0.0);
    r.fd_error = 0;
    // y with element k at x, every other element as it is.
    auto at = [&](std::size_t k, double x) {
      v[k] = x;
      p.set_values(v);
      replay.forward();
      return y.item();
    };
    for (std::size_t k = 0; k < v.size(); ++k) {
      const double x0 = v[k], h = h0 * std::max(1.0, std::abs(x0));
      const double wide = (at(k, x0 + h) - at(k, x0 - h)) / (2 * h);
      const double narrow = (at(k, x0 + h / 2) - at(k, x0 - h / 2)) / h;
      v[k] = x0;
      // Extrapolated over the two steps, as gradcheck does (Note [Richardson
      // differences] in hinge/gradcheck.hpp).
      r.fd[k] = (4 * narrow - wide) / 3;
      const double an = r.grad.empty() ? 0.0 : r.grad[k], num = r.fd[k];
      const double scale = std::max({std::abs(an), std::abs(num), 1e-8});
      const double err = an == num ? 0.0 : std::abs(an - num) / scale;
      r.fd_error = std::isnan(err) ? err : std::max(r.fd_error, err);
    }
    p.set_values(v);  // exactly the old bits
  }
  replay.forward();  // every interior value as it was
}

}  // namespace hinge::lang

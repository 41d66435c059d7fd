// `trace Y check`: central differences over two steps, extrapolated, for every
// parameter of the trace, taken and compared as gradcheck takes and compares them
// (numeric_slopes and GradcheckResult::compare in hinge/gradcheck.hpp): one element
// moved at a time in a replay of the forward pass, then every value put back and
// replayed once more. And the words both say what they found in (check_verdict).
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "explain/explain.hpp"
#include "hinge/backward.hpp"
#include "hinge/format.hpp"

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
  ex.check.value = y.item();
  for (std::size_t i = 0; i < ex.rows.size(); ++i) {
    Row& r = ex.rows[i];
    if (r.role != Role::param) continue;
    const NumericSlopes numeric = numeric_slopes(y, Tensor{y.g, r.id}, replay, h0);
    const std::vector<double> analytic =
        r.grad.empty() ? std::vector<double>(numeric.slope.size(), 0.0) : r.grad;
    GradcheckResult own;  // this param's elements alone, for its row
    own.compare(0, analytic, numeric);
    r.fd = numeric.slope;
    r.fd_error = own.input < 0 ? kNaN : own.worst_error;
    r.fd_unresolved = own.blurred;
    ex.check.compare(static_cast<int>(i), analytic, numeric);
  }
}

std::string check_verdict(const GradcheckResult& r, const std::string& target,
                          const std::function<std::string(int, int64_t)>& at) {
  if (!std::isfinite(r.value))
    return fmt::format(
        "cannot check: {} is {} at the current values (finite differences need a finite value)", target,
        format_number(r.value));
  if (r.all_blurred())  // Note [Round-off in the differences] in gradcheck.cpp
    return fmt::format(
        "cannot check: {} is about {:.3g}, and its round-off blurs the differences by about +-{:.1e}, "
        "more than a tenth of each slope (check a smaller target, or one scaled down)",
        target, r.value, r.noise);
  if (r.input < 0) return "nothing to check";
  if (!r.ok)  // the step says how far the differences reached (Note [Richardson differences])
    return fmt::format("FAILED at {}: analytic {}, numeric {} (relative error {:.1e}, step {:.1e} and half)",
                       at(r.input, r.element), format_number(r.analytic), format_number(r.numeric),
                       r.worst_error, r.step);
  // Elements whose slope is below the round-off: neither passed nor failed, said so.
  const std::string blurred =
      r.blurred == 0
          ? ""
          : fmt::format(" ({} more too flat to resolve against the round-off of {}, about +-{:.1e})",
                        r.blurred, target, r.noise);
  return fmt::format("ok, {} elements{}, worst relative error {:.1e} at {}", r.checked - r.blurred, blurred,
                     r.worst_error, at(r.input, r.element));
}

std::string element_name(const std::string& name, const Shape& s, int64_t k) {
  if (s.rank == 0) return name;
  std::vector<int64_t> idx(static_cast<std::size_t>(s.rank));
  for (int a = s.rank - 1; a >= 0; --a) {
    idx[a] = k % s.dims[a];
    k /= s.dims[a];
  }
  return fmt::format("{}[{}]", name, fmt::join(idx, ", "));
}

}  // namespace hinge::lang

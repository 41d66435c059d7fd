// `trace Y check`: central differences over two steps, extrapolated, for every
// parameter of the trace, taken and compared as gradcheck takes and compares them
// (numeric_slopes and GradcheckResult::compare in hinge/gradcheck.hpp): one element
// moved at a time in a replay of the forward pass, then every value put back and
// replayed once more. Both say what they found in the same words
// (GradcheckResult::describe).
#include <fmt/format.h>
#include <fmt/ranges.h>

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

std::string index_text(const Shape& s, int64_t k) {
  std::vector<int64_t> at(static_cast<std::size_t>(s.rank));
  for (int i = s.rank - 1; i >= 0; --i) {
    at[static_cast<std::size_t>(i)] = s.dims[i] > 0 ? k % s.dims[i] : 0;
    k = s.dims[i] > 0 ? k / s.dims[i] : 0;
  }
  return fmt::format("[{}]", fmt::join(at, ", "));
}

std::string element_name(const std::string& name, const Shape& s, int64_t k) {
  return s.rank == 0 ? name : name + index_text(s, k);
}

}  // namespace hinge::lang

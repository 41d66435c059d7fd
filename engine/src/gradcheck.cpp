// gradcheck: central differences, extrapolated over two steps, against reverse mode,
// by replaying the forward pass.
#include "hinge/gradcheck.hpp"

#include <cmath>

#include <fmt/format.h>

#include "hinge/backward.hpp"
#include "hinge/errors.hpp"

namespace hinge {

std::string GradcheckResult::describe() const {
  if (!std::isfinite(value))
    return fmt::format("gradcheck: cannot check: the value is {} (finite differences need a finite one)",
                       std::isnan(value) ? "nan"
                       : value > 0       ? "inf"
                                         : "-inf");
  if (checked == 0) return "gradcheck: nothing to check";
  return fmt::format(
      "gradcheck {}: {} elements, worst relative error {:.3g} at input {} element {} "
      "(analytic {}, numeric {}, step {:.3g})",
      ok ? "passed" : "FAILED", checked, worst_error, input, element, analytic, numeric, step);
}

GradcheckResult gradcheck(Tensor y, std::span<const Tensor> wrt, const GradcheckOptions& opt) {
  for (const Tensor& x : wrt)
    if (!x.node().is_leaf()) throw DomainError("gradcheck: every input must be a leaf (a param or variable)");
  GradcheckResult r;
  y.g->refresh(y.id);  // the analytic gradient at the current values (Note [Live values])
  r.value = y.item();
  if (!std::isfinite(r.value)) {
    r.ok = false;
    return r;
  }
  const auto analytic = grad(y, wrt);
  Replay replay(y);
  const double floor = opt.atol / opt.rtol;
  bool worst_failed = false;
  for (std::size_t i = 0; i < wrt.size(); ++i) {
    std::vector<double> v = wrt[i].values();
    // y with element k of input i at x, every other element as it is.
    auto at = [&](int64_t k, double x) {
      v[k] = x;
      wrt[i].set_values(v);
      replay.forward();
      return y.item();
    };
    for (int64_t k = 0; k < wrt[i].numel(); ++k) {
      const double x0 = v[k], h = opt.h * std::max(1.0, std::abs(x0));
      const double wide = (at(k, x0 + h) - at(k, x0 - h)) / (2 * h);
      const double narrow = (at(k, x0 + h / 2) - at(k, x0 - h / 2)) / h;
      v[k] = x0;
      // Note [Richardson differences]
      const double num = (4 * narrow - wide) / 3, an = analytic[i].at(k);
      const double err = std::abs(an - num) / std::max(std::abs(num), floor);
      const bool pass =
          std::abs(an - num) <= opt.atol + opt.rtol * std::abs(num) || (std::isnan(an) && std::isnan(num));
      ++r.checked;
      if (!pass) r.ok = false;
      // The worst element: a failing one before any that passed.
      const bool worse = r.input < 0 || (!pass && !worst_failed) ||
                         (!pass == worst_failed && (err > r.worst_error || std::isnan(err)));
      if (worse) {
        worst_failed = !pass;
        r.worst_error = err;
        r.input = static_cast<int>(i);
        r.element = k;
        r.analytic = an;
        r.numeric = num;
        r.step = h;
      }
    }
    wrt[i].set_values(v);
  }
  replay.forward();  // leave every value as it was
  return r;
}

}  // namespace hinge

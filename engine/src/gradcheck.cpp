// gradcheck: central differences, extrapolated over two steps, against reverse mode,
// by replaying the forward pass.
#include "hinge/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "hinge/backward.hpp"
#include "hinge/errors.hpp"
#include "hinge/format.hpp"
#include "hinge/interrupt.hpp"

namespace hinge {

std::string GradcheckResult::describe(std::string_view target,
                                      const std::function<std::string(int, int64_t)>& at) const {
  auto where = [&](int i, int64_t k) { return at ? at(i, k) : fmt::format("input {} element {}", i, k); };
  if (!std::isfinite(value))
    return fmt::format(
        "cannot check: {} is {} at the current values (finite differences need a finite value)", target,
        format_number(value));
  if (all_blurred())  // Note [Round-off in the differences]
    return fmt::format(
        "cannot check: {} is about {:.3g}, and its round-off blurs the differences by about +-{:.1e}, "
        "more than a tenth of each slope (check a smaller target, or one scaled down)",
        target, value, noise);
  if (input < 0) return "nothing to check";
  if (!ok)  // the step says how far the differences reached (Note [Richardson differences])
    return fmt::format("FAILED at {}: analytic {}, numeric {} (relative error {:.1e}, step {:.1e} and half)",
                       where(input, element), format_number(analytic), format_number(numeric), worst_error,
                       step);
  // Elements whose slope is below the round-off: neither passed nor failed, said so.
  const std::string flat =
      blurred == 0 ? ""
                   : fmt::format(" ({} more too flat to resolve against the round-off of {}, about +-{:.1e})",
                                 blurred, target, noise);
  const int64_t resolved = checked - blurred;
  return fmt::format("ok, {} element{}{}, worst relative error {:.1e} at {}", resolved,
                     resolved == 1 ? "" : "s", flat, worst_error, where(input, element));
}

// Note [Round-off in the differences]
// Each value of y is rounded, by about eps |y| (more where y sums many terms), and
// the differences divide that by steps near 1e-6: the extrapolated slope carries
// about 3 eps |y| / h of noise (Richardson's weights 4/3 and 1/3 on differences
// over h and 2h). For a loss near 1 that is 1e-9, far below atol; for y near 10^7
// it is 1e-3, and gradcheck failed correct gradients (sum(w * w) + 1e7 at relative
// error 7e-4, a sum of 90,000 squares at 3.9e-5). So each element's tolerance adds
// kRoundoffUnits eps max|y| / h, from the four values it took (numeric_slopes gives
// it beside each slope). Where that noise is more than kBlurredShare of the slope,
// the differences cannot tell a right slope from a wrong one (a gradient off by half
// would pass): the element is counted as blurred, not passed, and a result whose
// every element is blurred is not ok.
constexpr double kRoundoffUnits = 4;
constexpr double kBlurredShare = 0.1;

NumericSlopes numeric_slopes(Tensor y, Tensor x, Replay& replay, double h0) {
  NumericSlopes out;
  std::vector<double> v = x.values();
  out.slope.resize(v.size());
  out.noise.resize(v.size());
  out.step.resize(v.size());
  // y with element k of x at value, every other element as it is.
  auto at = [&](std::size_t k, double value) {
    v[k] = value;
    x.set_values(v);
    replay.forward();
    return y.item();
  };
  for (std::size_t k = 0; k < v.size(); ++k) {
    // Four replays per element add up (a 300 x 300 param: about half a minute), so
    // a stop request is honoured here, with every value put back as it was.
    if (interrupt_pending()) {
      x.set_values(v);
      replay.forward();
      throw Interrupted();
    }
    const double x0 = v[k], h = h0 * std::max(1.0, std::abs(x0));
    const double f[4] = {at(k, x0 + h), at(k, x0 - h), at(k, x0 + h / 2), at(k, x0 - h / 2)};
    v[k] = x0;
    const double wide = (f[0] - f[1]) / (2 * h), narrow = (f[2] - f[3]) / h;
    out.slope[k] = (4 * narrow - wide) / 3;  // Note [Richardson differences]
    const double fmax = std::max({std::abs(f[0]), std::abs(f[1]), std::abs(f[2]), std::abs(f[3])});
    out.noise[k] = kRoundoffUnits * std::numeric_limits<double>::epsilon() * fmax / h;
    out.step[k] = h;
  }
  x.set_values(v);  // exactly the old bits
  replay.forward();
  return out;
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
  for (std::size_t i = 0; i < wrt.size(); ++i) {
    const NumericSlopes numeric = numeric_slopes(y, wrt[i], replay, opt.h);
    r.compare(static_cast<int>(i), analytic[i].values(), numeric, opt);
  }
  return r;
}

void GradcheckResult::compare(int which, std::span<const double> analytic, const NumericSlopes& numeric,
                              const GradcheckOptions& opt) {
  const double floor = opt.atol / opt.rtol;
  for (std::size_t e = 0; e < numeric.slope.size(); ++e) {
    const double num = numeric.slope[e], an = analytic[e], round_off = numeric.noise[e];
    const double err = std::abs(an - num) / std::max(std::abs(num), floor);
    ++checked;
    // Note [Round-off in the differences]
    if (round_off > opt.atol && round_off > kBlurredShare * std::max(std::abs(num), std::abs(an))) {
      ++blurred;  // this element's slope is below what the differences resolve
      noise = std::max(noise, round_off);
      continue;
    }
    const bool pass = std::abs(an - num) <= opt.atol + opt.rtol * std::abs(num) + round_off ||
                      (std::isnan(an) && std::isnan(num));
    // The worst element: a failing one before any that passed (once one failed,
    // the worst kept is a failing one).
    const bool worst_failed = failed > 0;
    if (!pass) ++failed;
    const bool worse = input < 0 || (!pass && !worst_failed) ||
                       (!pass == worst_failed && (err > worst_error || std::isnan(err)));
    if (worse) {
      worst_error = err;
      input = which;
      element = static_cast<int64_t>(e);
      this->analytic = an;
      this->numeric = num;
      step = numeric.step[e];
    }
  }
  ok = failed == 0 && !all_blurred();  // all blurred: nothing resolved, nothing shown right
}

}  // namespace hinge

// gradcheck: compares reverse-mode gradients with central finite differences.
//   auto r = gradcheck(loss, {w, b});
//   if (!r.ok) fmt::print("{}\n", r.describe());
#pragma once
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hinge/backward.hpp"
#include "hinge/tensor.hpp"

namespace hinge {

// Note [Richardson differences]
// One central difference D(h) = (f(x+h) - f(x-h)) / 2h is off by h^2 f'''(x) / 6,
// which is large where f bends fast: cos((w3 w2 w1 w0)^3) at 2.5, -2.3, 2.1, 1.9
// has a correct gradient of 4375.357 that D(1e-6 x) puts at 4374.400 (relative
// 2.2e-4), so a check at rtol 1e-5 cried wolf. gradcheck takes D(h) and D(h/2)
// and combines them as Richardson's extrapolation (4 D(h/2) - D(h)) / 3, which
// cancels the h^2 term and leaves an error of order h^4 (there, 1e-9 relative).
// The tolerances are PyTorch's atol (1e-5, for the round-off of f(x+-h), about
// 1e-16 |f| / h per difference) with a tighter rtol (1e-5 where PyTorch has 1e-3):
// the extrapolated value is good to far better than that on smooth functions,
// and a wrong gradient is wrong by much more.
struct GradcheckOptions {
  double h = 1e-6;     // the larger step, relative to max(1, |x|); the other is h / 2
  double rtol = 1e-5;  // an element passes when |analytic - numeric| <= atol + rtol |numeric|
  double atol = 1e-5;
};

// The extrapolated central differences of y (one element) with respect to each
// element of leaf x, by replaying `replay` (a Replay of y) with one element moved by
// h = h0 max(1, |x|) and by h / 2 at a time (Note [Richardson differences]), and
// beside each its round-off noise (Note [Round-off in the differences] in
// gradcheck.cpp) and its step h. Every value is put back exactly, the graph replayed
// once more; a stop request (hinge/interrupt.hpp) throws Interrupted between two
// elements, the values put back first. gradcheck and `trace ... check` both take
// their differences here.
struct NumericSlopes {
  std::vector<double> slope, noise, step;
};
NumericSlopes numeric_slopes(Tensor y, Tensor x, Replay& replay, double h0);

struct GradcheckResult {
  bool ok = true;          // false also when y is not finite, or every element is blurred
  double value = 0;        // y at the current values
  double worst_error = 0;  // max over elements of |analytic - numeric| / max(|numeric|, atol / rtol)
  int input = -1;          // which of `wrt` (compare's `which`) holds the worst element (-1:
                           // none compared); on failure, the worst of the elements that failed
  int64_t element = -1;    // its row-major index
  double analytic = 0, numeric = 0;  // the two values there (numeric: extrapolated)
  double step = 0;                   // the larger step h taken there (the other is h / 2)
  int64_t checked = 0;               // elements compared
  int64_t failed = 0;                // of those, elements whose two values disagree
  int64_t blurred = 0;  // of those, elements whose slope y's round-off hides (Note [Round-off in the
                        // differences] in gradcheck.cpp), neither passed nor failed; all of them: not ok
  double noise = 0;     // the largest round-off noise of the differences among them
  // True when elements were compared and every one was blurred: nothing was resolved.
  bool all_blurred() const { return checked > 0 && blurred == checked; }
  // The verdict in words, as `gradcheck` and `trace ... check` print it after their
  // headers: "ok, N elements (M more too flat to resolve ...), worst relative error
  // E at AT", "FAILED at AT: analytic A, numeric N (...)", or "cannot check: ..."
  // and why. `target` names the checked value in those words, at(input, element)
  // an element (by default "input I element K").
  std::string describe(std::string_view target = "the value",
                       const std::function<std::string(int, int64_t)>& at = nullptr) const;
  // Compares the elements of input number `which`, its reverse-mode gradient
  // `analytic` (one value per element) against `numeric`'s slopes, by opt's
  // tolerance with the round-off of the differences (Note [Round-off in the
  // differences] in gradcheck.cpp): counts them, keeps the worst, and sets ok.
  // gradcheck calls it for each of its inputs, `trace ... check` for each param.
  void compare(int which, std::span<const double> analytic, const NumericSlopes& numeric,
               const GradcheckOptions& opt = {});
};

// Perturbs each element of each leaf in `wrt` by +-h and +-h/2, replays the
// forward pass of y (so y is not rebuilt), extrapolates (Note [Richardson
// differences]) and compares with grad(y, wrt), taken after y is brought up to
// date with the current values. Values and gradients are left exactly as they
// were. Run it on a float64 graph. Where y is NaN or infinite, differences of it
// say nothing: the result is not ok, with `value` saying why and nothing checked.
// A stop request (hinge/interrupt.hpp) throws Interrupted between two elements,
// the values put back first.
GradcheckResult gradcheck(Tensor y, std::span<const Tensor> wrt, const GradcheckOptions& opt = {});

inline GradcheckResult gradcheck(Tensor y, std::initializer_list<Tensor> wrt,
                                 const GradcheckOptions& opt = {}) {
  return gradcheck(y, std::span<const Tensor>(wrt.begin(), wrt.size()), opt);
}

}  // namespace hinge

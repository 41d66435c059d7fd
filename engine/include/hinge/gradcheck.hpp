// gradcheck: compares reverse-mode gradients with central finite differences.
//   auto r = gradcheck(loss, {w, b});
//   if (!r.ok) fmt::print("{}\n", r.describe());
#pragma once
#include <span>
#include <string>

#include "hinge/tensor.hpp"

namespace hinge {

struct GradcheckOptions {
  double h = 1e-6;     // step of the central difference (relative to max(1, |x|))
  double rtol = 1e-5;  // an element passes when |analytic - numeric| <= atol + rtol |numeric|
  double atol = 1e-7;
};

struct GradcheckResult {
  bool ok = true;
  double worst_error = 0;  // max over elements of |analytic - numeric| / max(|numeric|, atol / rtol)
  int input = -1;          // which of `wrt` holds the worst element (-1: none checked)
  int64_t element = -1;    // its row-major index
  double analytic = 0, numeric = 0;  // the two values there
  int64_t checked = 0;               // elements compared
  std::string describe() const;
};

// Perturbs each element of each leaf in `wrt` by +-h, replays the forward pass
// of y (so y is not rebuilt) and compares with grad(y, wrt). Values and
// gradients are left exactly as they were. Run it on a float64 graph.
GradcheckResult gradcheck(Tensor y, std::span<const Tensor> wrt, const GradcheckOptions& opt = {});
inline GradcheckResult gradcheck(Tensor y, std::initializer_list<Tensor> wrt,
                                 const GradcheckOptions& opt = {}) {
  return gradcheck(y, std::span<const Tensor>(wrt.begin(), wrt.size()), opt);
}

}  // namespace hinge

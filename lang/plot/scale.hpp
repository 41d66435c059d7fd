// Axis scales for plots: "nice" tick values (1, 2 or 5 times a power of ten), log
// decades, tick labels, and the map from data values to positions on the page.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hinge::lang::report {

// A step of 1, 2 or 5 times a power of ten close to `range / target_count`.
// Example: nice_step(6.28, 6) == 1, nice_step(0.013, 5) == 0.002.
double nice_step(double range, int target_count);

// [lo, hi] widened outward to multiples of nice_step(hi - lo, target_count). A range
// of zero width (one distinct value) is first widened around that value.
std::pair<double, double> nice_range(double lo, double hi, int target_count = 6);

// The multiples of `step` inside [lo, hi], computed as k * step (no drift), with a
// value within rounding of zero printed as exactly 0.
std::vector<double> linear_ticks(double lo, double hi, double step);

// [lo, hi] (both > 0) widened outward to whole decades; one decade at least.
std::pair<double, double> log_range(double lo, double hi);

// How many decades apart the ticks of a log axis over [lo, hi] are, so that at most
// about eight remain (1 for a range under two decades).
int log_tick_every(double lo, double hi);

// Ticks for a log axis over [lo, hi]: the powers of ten that are multiples of
// `every` decades (0: log_tick_every); 1-2-5 ticks when the range spans under two
// decades.
std::vector<double> log_ticks(double lo, double hi, int every = 0);

// The label for tick `v` on an axis whose ticks are `step` apart: "0.25", "-3",
// "1e-06" for tiny steps or huge values. Never "-0".
std::string tick_label(double v, double step);

// The label for a tick on a log axis: with `plain`, "0.001" ... "1000" (for axes that
// stay within those); else a power of ten with Unicode superscripts, "10⁻¹²". Ticks
// between decades (2, 5, 20, ...) are always plain numbers.
std::string log_tick_label(double v, bool plain);

// `label` with each ASCII hyphen-minus replaced by U+2212 MINUS SIGN (for SVG text).
std::string typographic_minus(std::string_view label);

// Maps a data interval [lo, hi] (linear or log10) onto [pixel_lo, pixel_hi].
class Scale {
 public:
  Scale(double lo, double hi, double pixel_lo, double pixel_hi, bool log);

  // The position of `v`; a non-positive value on a log scale gives NaN.
  double operator()(double v) const;
  // The fraction of the way from lo to hi (0 at lo, 1 at hi); same NaN rule.
  double fraction(double v) const;
  double pixel(double fraction) const { return pixel_lo_ + fraction * (pixel_hi_ - pixel_lo_); }

  double lo() const { return lo_; }
  double hi() const { return hi_; }
  bool log() const { return log_; }

 private:
  double lo_, hi_;  // the data interval
  double pixel_lo_, pixel_hi_;
  bool log_;
  double t_lo_, t_hi_;  // lo and hi after the transform (log10 or identity)
};

}  // namespace hinge::lang::report

// Nice ticks and data-to-page scales shared by the SVG and terminal plots.
#include "plot/scale.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hinge::lang::report {

double nice_step(double range, int target_count) {
  if (!(range > 0) || !std::isfinite(range)) return 1.0;
  double raw = range / std::max(target_count, 1);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / magnitude;  // in [1, 10)
  double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  return nice * magnitude;
}

std::pair<double, double> nice_range(double lo, double hi, int target_count) {
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo <= std::abs(hi) * 1e-12 || hi == lo) {
    // One distinct value: show it in the middle of a unit-sized (or 10%) window.
    double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  double step = nice_step(hi - lo, target_count);
  // Small slack so that a value a rounding error past a tick does not add a step.
  double a = std::floor(lo / step + 1e-9) * step;
  double b = std::ceil(hi / step - 1e-9) * step;
  return {a, b};
}

std::vector<double> linear_ticks(double lo, double hi, double step) {
  std::vector<double> ticks;
  if (!(step > 0) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  double first = std::ceil(lo / step - 1e-9);
  double last = std::floor(hi / step + 1e-9);
  if (last - first > 1000) return ticks;  // a caller bug; never flood the page
  for (double k = first; k <= last; ++k) {
    double v = k * step;
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::pair<double, double> log_range(double lo, double hi) {
  double a = std::floor(std::log10(lo) + 1e-9);
  double b = std::ceil(std::log10(hi) - 1e-9);
  if (b <= a) b = a + 1;
  return {std::pow(10.0, a), std::pow(10.0, b)};
}

int log_tick_every(double lo, double hi) {
  if (!(lo > 0) || !(hi > lo)) return 1;
  double decades = std::log10(hi) - std::log10(lo);
  return decades < 2 ? 1 : static_cast<int>(std::ceil((std::round(decades) + 1) / 8.0));
}

std::vector<double> log_ticks(double lo, double hi, int every) {
  std::vector<double> ticks;
  if (!(lo > 0) || !(hi > lo)) return ticks;
  double a = std::ceil(std::log10(lo) - 1e-9);
  double b = std::floor(std::log10(hi) + 1e-9);
  if (b - a < 2) {
    // Under two decades: powers of ten alone would leave one or two ticks.
    for (double e = std::floor(std::log10(lo)); e <= std::ceil(std::log10(hi)); ++e) {
      for (double m : {1.0, 2.0, 5.0}) {
        double v = m * std::pow(10.0, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
      }
    }
    return ticks;
  }
  if (every <= 0) every = log_tick_every(lo, hi);
  // Multiples of `every`, so that 10^0 = 1 is a tick whenever it is in range.
  for (double e = std::ceil(a / every) * every; e <= b; e += every) ticks.push_back(std::pow(10.0, e));
  return ticks;
}

std::string tick_label(double v, double step) {
  double rounded = std::round(v / step) * step;
  if (std::abs(rounded) < step * 1e-9) return "0";
  int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  if (decimals > 4 || std::abs(rounded) >= 1e6) {
    return fmt::format("{:.6g}", rounded);
  }
  return fmt::format("{:.{}f}", rounded, decimals);
}

std::string log_tick_label(double v, bool plain) {
  double e = std::log10(v);
  double whole = std::round(e);
  if (std::abs(e - whole) > 1e-9) return fmt::format("{:.6g}", v);  // a 2 or 5 tick
  if (plain) return fmt::format("{:g}", std::pow(10.0, whole));
  static constexpr const char* superscript[] = {"\u2070", "\u00B9", "\u00B2", "\u00B3", "\u2074",
                                                "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
  std::string out = "10";
  if (whole < 0) out += "\u207B";  // superscript minus
  for (char d : fmt::format("{}", static_cast<long>(std::abs(whole)))) out += superscript[d - '0'];
  return out;
}

std::string typographic_minus(std::string_view label) {
  std::string out;
  for (char c : label) {
    if (c == '-')
      out += "\u2212";
    else
      out += c;
  }
  return out;
}

Scale::Scale(double lo, double hi, double pixel_lo, double pixel_hi, bool log)
    : lo_(lo), hi_(hi), pixel_lo_(pixel_lo), pixel_hi_(pixel_hi), log_(log) {
  t_lo_ = log_ ? std::log10(lo_) : lo_;
  t_hi_ = log_ ? std::log10(hi_) : hi_;
}

double Scale::fraction(double v) const {
  if (log_) {
    if (!(v > 0)) return std::nan("");
    v = std::log10(v);
  }
  // Halves first, so that a range as wide as the doubles (-1e308..1e308) stays finite.
  return (v * 0.5 - t_lo_ * 0.5) / (t_hi_ * 0.5 - t_lo_ * 0.5);
}

double Scale::operator()(double v) const { return pixel(fraction(v)); }

}  // namespace hinge::lang::report

// Palette tables and colour generation for the plots.
#include "plot/color.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace hinge::lang::report {

namespace {

// Okabe & Ito (2008), reordered: blue, vermillion, green, purple, orange, sky blue,
// black, yellow (yellow last: it is the hardest to see on white).
constexpr std::array<Rgb, 8> okabe_ito = {{
    {0x00, 0x72, 0xB2},
    {0xD5, 0x5E, 0x00},
    {0x00, 0x9E, 0x73},
    {0xCC, 0x79, 0xA7},
    {0xE6, 0x9F, 0x00},
    {0x56, 0xB4, 0xE9},
    {0x00, 0x00, 0x00},
    {0xC8, 0xB4, 0x00},
}};

Rgb from_hsl(double h, double s, double l) {
  // Standard HSL to RGB; h in [0, 1).
  auto channel = [&](double n) {
    double k = std::fmod(n + h * 12.0, 12.0);
    double a = s * std::min(l, 1 - l);
    double v = l - a * std::max(-1.0, std::min({k - 3, 9 - k, 1.0}));
    return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255));
  };
  return {channel(0), channel(8), channel(4)};
}

Rgb mix(Rgb a, Rgb b, double t) {
  auto m = [t](std::uint8_t x, std::uint8_t y) {
    return static_cast<std::uint8_t>(std::lround(x + (y - x) * t));
  };
  return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b)};
}

}  // namespace

std::string Rgb::hex() const { return fmt::format("#{:02x}{:02x}{:02x}", r, g, b); }

Rgb series_color(std::size_t i) { return okabe_ito[i % okabe_ito.size()]; }

std::string series_dash(std::size_t i) {
  static constexpr std::array<const char*, 4> dashes = {"", "8 4", "2 3", "8 3 2 3"};
  return dashes[(i / okabe_ito.size()) % dashes.size()];
}

Rgb region_color(std::size_t rank) {
  constexpr double golden = 0.6180339887498949;
  double h = std::fmod(0.58 + rank * golden, 1.0);
  // Three lightness/saturation levels so that even hues that come round again
  // (after dozens of regions) differ from their neighbours.
  static constexpr std::array<double, 3> lightness = {0.80, 0.70, 0.87};
  static constexpr std::array<double, 3> saturation = {0.55, 0.50, 0.65};
  std::size_t level = (rank / 5) % 3;
  return from_hsl(h, saturation[level], lightness[level]);
}

Rgb diverging_color(double t) {
  // ColorBrewer RdBu ends and a near-white middle.
  constexpr Rgb blue{0x21, 0x66, 0xAC}, white{0xF7, 0xF7, 0xF7}, red{0xB2, 0x18, 0x2B};
  if (std::isnan(t)) return {0x99, 0x99, 0x99};
  t = std::clamp(t, -1.0, 1.0);
  return t < 0 ? mix(white, blue, -t) : mix(white, red, t);
}

}  // namespace hinge::lang::report

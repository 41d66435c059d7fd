// Colours for plots: a colour-blind-friendly palette for series and classes,
// generated pastel colours for many regions, and a diverging map for real values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hinge::lang::report {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;

  std::string hex() const;  // "#0072b2"
  bool operator==(const Rgb&) const = default;
};

// The i-th series colour: the Okabe-Ito palette (distinguishable with the common
// colour-vision deficiencies), in an order that keeps the first few far apart;
// it repeats after eight, and series_dash() tells the repeats apart.
Rgb series_color(std::size_t i);

// The stroke-dasharray for series i: "" for the first eight, then dash patterns.
std::string series_dash(std::size_t i);

// The fill colour of the region with rank `rank` among the distinct region ids
// (sorted). Pastel, so lines and points drawn on top stay visible; hues step by the
// golden angle, so regions with neighbouring ranks get clearly different colours.
Rgb region_color(std::size_t rank);

// A blue-white-red diverging map: t = -1 deep blue, 0 white, +1 deep red; clamped.
Rgb diverging_color(double t);

}  // namespace hinge::lang::report

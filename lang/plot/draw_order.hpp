// The order in which a line plot draws its series, and which of them go on top
// dashed: a series that runs under later ones for most of its length would
// otherwise vanish (Note [Hidden series]).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace hinge::lang::report {

// Note [Hidden series]
// Curves that coincide hide each other: relu lies under leaky relu and gelu for
// x > 0, a target under a fit that matches it, the best line under the linear stack
// that equals it. Often the coincidence is the point of the picture, so hiding one
// curve hides the claim. A series counts as hidden when more than 30% of the pixels
// it would draw lie within a pixel of solid series drawn after it. Hidden series are
// taken out of the order (the most hidden first) and drawn last, on top, dashed: the
// curve beneath shows through the gaps, and the legend shows the dash. Series that
// overlap only here and there (crossings, a shared asymptote) keep their order.
struct Stacking {
  std::vector<std::size_t> order;  // series indexes, the first drawn first (bottom)
  std::vector<int> lifted;         // per series: -1 drawn in order, else its rank on top (0 topmost)
};

// `pixels[i]` holds series i as page points; a NaN coordinate breaks the line.
// Only what falls inside the plot area [left, right] x [top, bottom] counts.
Stacking stack_series(const std::vector<std::vector<std::pair<double, double>>>& pixels, double left,
                      double top, double right, double bottom);

// The dash of the series drawn on top with rank `rank` (0 topmost).
const char* lifted_dash(int rank);

}  // namespace hinge::lang::report

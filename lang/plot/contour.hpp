// The zero level set of a function sampled on a grid (marching squares), as
// polylines: the boundaries of a deeper ReLU unit, or a model's decision boundary.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace hinge::lang::report {

using Polyline = std::vector<std::pair<double, double>>;

// `v` holds nx * ny samples, v[j * nx + i] at (x0 + (i + 0.5) dx, y0 + (j + 0.5) dy)
// with dx = (x1 - x0) / nx, dy = (y1 - y0) / ny (the cell centres of a RegionMap).
// Returns where v crosses 0 (v > 0 on one side, v <= 0 on the other), found by linear
// interpolation along the grid's edges, joined into polylines, with points that lie on
// the straight line through their neighbours (within `tolerance` of the box's size)
// left out: a piecewise-linear unit gives a few long segments. NaN samples break it.
// Example: zero_contour(vals, 100, 100, -1, 1, -1, 1) for the circle x^2 + y^2 = 0.25
//          gives one closed polyline.
std::vector<Polyline> zero_contour(const std::vector<double>& v, std::size_t nx, std::size_t ny, double x0,
                                   double x1, double y0, double y1, double tolerance = 1e-3);

}  // namespace hinge::lang::report

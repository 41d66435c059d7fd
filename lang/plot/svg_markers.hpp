// Points by class, drawn as markers: one shape and colour per class, in the order of
// the class numbers. The scatter plot's points and the data over a region map.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plot/svg_frame.hpp"
#include "plot/svg_writer.hpp"

namespace hinge::lang::report {

/// Sorted class numbers -> the indices of their points.
using PointsByClass = std::map<int, std::vector<std::size_t>>;

/// The label of class `c`: its entry in `labels`, or "class N" where there is none.
std::string class_label(std::span<const std::string> labels, int c);

/// Appends one marker entry per class to `legend`.
void add_class_legend(std::vector<LegendEntry>& legend, const PointsByClass& by_class,
                      std::span<const std::string> labels);

/// Draws each class as one path of markers at (xs[k], ys[k]); points far outside the
/// plot area are left out. `style` holds the path's attributes after its fill colour
/// (stroke, opacity).
void draw_class_markers(SvgWriter& svg, const Frame& f, const PointsByClass& by_class,
                        std::span<const double> xs, std::span<const double> ys,
                        std::span<const std::string> labels, std::string_view style);

}  // namespace hinge::lang::report

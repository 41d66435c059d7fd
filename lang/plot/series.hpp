// The data of one labelled curve, shared by the SVG and the terminal plots.
#pragma once

#include <string>
#include <vector>

namespace hinge::lang::report {

// One labelled curve. NaN and infinite points (and non-positive ones on a log axis)
// break the line there. An empty label keeps the series out of the legend.
struct Series {
  std::string label;
  std::vector<double> x, y;
};

}  // namespace hinge::lang::report

// Class markers and their legend entries (svg_markers.hpp).
#include "plot/svg_markers.hpp"

#include <fmt/format.h>

#include "plot/color.hpp"

namespace hinge::lang::report {

std::string class_label(std::span<const std::string> labels, int c) {
  if (c >= 0 && static_cast<std::size_t>(c) < labels.size()) return labels[static_cast<std::size_t>(c)];
  return fmt::format("class {}", c);
}

void add_class_legend(std::vector<LegendEntry>& legend, const PointsByClass& by_class,
                      std::span<const std::string> labels) {
  std::size_t rank = 0;
  for (const auto& entry : by_class) {
    legend.push_back({LegendEntry::Kind::marker, class_label(labels, entry.first), series_color(rank).hex(),
                      "", static_cast<int>(rank)});
    ++rank;
  }
}

void draw_class_markers(SvgWriter& svg, const Frame& f, const PointsByClass& by_class,
                        std::span<const double> xs, std::span<const double> ys,
                        std::span<const std::string> labels, std::string_view style) {
  std::size_t rank = 0;
  for (const auto& [c, points] : by_class) {
    PathData d;
    for (std::size_t k : points) {
      double fx = f.sx.fraction(xs[k]), fy = f.sy.fraction(ys[k]);
      if (fx < -0.1 || fx > 1.1 || fy < -0.1 || fy > 1.1) continue;  // far outside the plot area
      d.marker(static_cast<int>(rank), f.sx.pixel(fx), f.sy.pixel(fy), 4);
    }
    svg.raw(fmt::format("<path class=\"series\" data-label=\"{}\" d=\"{}\" fill=\"{}\" {}/>\n",
                        xml_escape(class_label(labels, c)), d.str(), series_color(rank).hex(), style));
    ++rank;
  }
}

}  // namespace hinge::lang::report

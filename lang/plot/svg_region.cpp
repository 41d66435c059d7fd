// Region maps of 2-input models: a grid of cells coloured by region id or by value,
// the units' boundary lines clipped to the box, and the data points on top.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "plot/color.hpp"
#include "plot/svg.hpp"
#include "plot/svg_frame.hpp"
#include "plot/svg_markers.hpp"

namespace hinge::lang::report {

namespace {

constexpr double colorbar_room = 66;  // the colour bar and its labels, right of the map
constexpr int value_levels = 16;      // steps per side of 0: runs of equal colour merge

// The fill of each cell, as "#rrggbb", with the legend lines that explain it.
struct CellColors {
  std::vector<std::string> fill;
  std::size_t region_count = 0;
  double value_max = 0;  // values mode: the colour scale spans [-value_max, value_max]
};

CellColors region_fills(const RegionMap& map) {
  CellColors c;
  std::map<long long, std::string> color_of;  // sorted ids -> colour by rank
  for (long long id : map.regions) color_of.emplace(id, "");
  std::size_t rank = 0;
  for (auto& [id, color] : color_of) color = region_color(rank++).hex();
  c.region_count = color_of.size();
  c.fill.reserve(map.regions.size());
  for (long long id : map.regions) c.fill.push_back(color_of[id]);
  return c;
}

CellColors value_fills(const RegionMap& map) {
  CellColors c;
  for (double v : map.values) {
    if (std::isfinite(v)) c.value_max = std::max(c.value_max, std::abs(v));
  }
  double scale = c.value_max > 0 ? c.value_max : 1;
  c.fill.reserve(map.values.size());
  for (double v : map.values) {
    double t = std::isfinite(v) ? std::round(v / scale * value_levels) / value_levels : NAN;
    c.fill.push_back(diverging_color(t).hex());
  }
  return c;
}

// One path per colour; each horizontal run of equal cells in a row is one rectangle.
void draw_cells(SvgWriter& svg, const Frame& f, const RegionMap& map, const std::vector<std::string>& fill) {
  std::map<std::string, PathData> paths;
  double dx = (map.x1 - map.x0) / static_cast<double>(map.nx);
  double dy = (map.y1 - map.y0) / static_cast<double>(map.ny);
  for (std::size_t j = 0; j < map.ny; ++j) {
    double top = f.sy(map.y0 + (j + 1) * dy), bottom = f.sy(map.y0 + j * dy);
    for (std::size_t i = 0; i < map.nx;) {
      std::size_t end = i + 1;
      const std::string& color = fill[j * map.nx + i];
      while (end < map.nx && fill[j * map.nx + end] == color) ++end;
      double left = f.sx(map.x0 + i * dx), right = f.sx(map.x0 + end * dx);
      // 0.6 px of overlap with the neighbours hides the seams that anti-aliasing
      // (or pixel snapping) would leave between cells; the clip trims the outer edge.
      paths[color].rect(left, top, right - left + 0.6, bottom - top + 0.6);
      i = end;
    }
  }
  svg.raw("<g class=\"cells\" shape-rendering=\"crispEdges\">\n");
  for (const auto& [color, d] : paths) {
    svg.raw(fmt::format("<path class=\"region\" d=\"{}\" fill=\"{}\"/>\n", d.str(), color));
  }
  svg.raw("</g>\n");
}

void draw_colorbar(SvgWriter& svg, const Frame& f, double value_max) {
  double x = f.right + 16, top = f.top, bottom = f.bottom, w = 14;
  svg.raw("<defs><linearGradient id=\"diverging\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
  for (int k = -4; k <= 4; ++k) {
    svg.raw(fmt::format("<stop offset=\"{:.3f}\" stop-color=\"{}\"/>", (k + 4) / 8.0,
                        diverging_color(k / 4.0).hex()));
  }
  svg.raw("</linearGradient></defs>\n");
  svg.raw("<g class=\"colorbar\">\n");
  svg.rect(x, top, w, bottom - top, "fill=\"url(#diverging)\" stroke=\"#555555\" stroke-width=\"0.5\"");
  double m = value_max > 0 ? value_max : 1;
  double step = nice_step(2 * m, 4);
  for (double t : linear_ticks(-m, m, step)) {
    double y = bottom - (t + m) / (2 * m) * (bottom - top);
    svg.line(x + w, y, x + w + 4, y, "stroke=\"#555555\"");
    svg.text(x + w + 7, y, typographic_minus(tick_label(t, step)), "dy=\"0.35em\" fill=\"#333333\"");
  }
  svg.raw("</g>\n");
}

}  // namespace

std::optional<std::array<double, 4>> clip_line(const Line2& line, double x0, double x1, double y0,
                                               double y1) {
  const double a = line.a, b = line.b, c = line.c;
  if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) || (a == 0 && b == 0)) return std::nullopt;
  double ex = (x1 - x0) * 1e-12, ey = (y1 - y0) * 1e-12;  // tolerance for corner hits
  std::vector<std::pair<double, double>> hits;
  if (b != 0) {
    for (double x : {x0, x1}) {
      double y = -(a * x + c) / b;
      if (y >= y0 - ey && y <= y1 + ey) hits.emplace_back(x, std::clamp(y, y0, y1));
    }
  }
  if (a != 0) {
    for (double y : {y0, y1}) {
      double x = -(b * y + c) / a;
      if (x >= x0 - ex && x <= x1 + ex) hits.emplace_back(std::clamp(x, x0, x1), y);
    }
  }
  // The two hits farthest apart (a line through a corner hits two edges there).
  double best = 0;
  std::optional<std::array<double, 4>> segment;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    for (std::size_t k = i + 1; k < hits.size(); ++k) {
      double ddx = (hits[i].first - hits[k].first) / (x1 - x0),
             ddy = (hits[i].second - hits[k].second) / (y1 - y0);
      double d = ddx * ddx + ddy * ddy;
      if (d > best) {
        best = d;
        segment = std::array<double, 4>{hits[i].first, hits[i].second, hits[k].first, hits[k].second};
      }
    }
  }
  if (best < 1e-18) return std::nullopt;
  return segment;
}

Rendered render_region_svg(const RegionMap& map) {
  bool by_region = !map.regions.empty(), by_value = !map.values.empty();
  if (by_region == by_value) {
    throw DomainError("region map: give either region ids or values for the cells (exactly one of them)");
  }
  std::size_t cells = by_region ? map.regions.size() : map.values.size();
  if (map.nx == 0 || map.ny == 0 || cells != map.nx * map.ny) {
    throw DomainError(fmt::format("region map: {} cells given for a {}x{} grid (needs {})", cells, map.nx,
                                  map.ny, map.nx * map.ny));
  }
  if (!(map.x1 > map.x0) || !(map.y1 > map.y0) || !std::isfinite(map.x1 - map.x0) ||
      !std::isfinite(map.y1 - map.y0)) {
    throw DomainError(
        fmt::format("region map: empty box [{}, {}] x [{}, {}]", map.x0, map.x1, map.y0, map.y1));
  }
  if (map.xs.size() != map.ys.size() || (!map.classes.empty() && map.classes.size() != map.xs.size())) {
    throw DomainError(fmt::format("region map: {} x, {} y and {} classes for the points", map.xs.size(),
                                  map.ys.size(), map.classes.size()));
  }
  Rendered result;
  CellColors colors = by_region ? region_fills(map) : value_fills(map);

  PointsByClass by_class;
  std::size_t skipped = 0;
  for (std::size_t k = 0; k < map.xs.size(); ++k) {
    if (!std::isfinite(map.xs[k]) || !std::isfinite(map.ys[k])) {
      ++skipped;
      continue;
    }
    by_class[map.classes.empty() ? 0 : map.classes[k]].push_back(k);
  }
  if (skipped > 0)
    result.notes.push_back(
        fmt::format("{} point{} with NaN or infinity not drawn", skipped, skipped == 1 ? "" : "s"));

  std::vector<LegendEntry> legend;
  if (by_region) {
    legend.push_back({LegendEntry::Kind::text,
                      fmt::format("{} region{}", colors.region_count, colors.region_count == 1 ? "" : "s"),
                      "", "", 0});
  }
  if (!map.lines.empty()) {
    legend.push_back({LegendEntry::Kind::line, fmt::format("{} ({})", map.lines_label, map.lines.size()),
                      "#222222", "", 0});
  }
  add_class_legend(legend, by_class, map.class_labels);

  AxisLayout x = make_axis(map.x_title, map.x0, map.x1, false, false);
  AxisLayout y = make_axis(map.y_title, map.y0, map.y1, false, false);
  x.grid = y.grid = false;  // the cells cover the grid anyway
  double extra = by_value ? colorbar_room : 0;
  Frame f = layout_frame(map.size, map.title, x, y, legend, result.notes.size(), extra);
  fit_equal_aspect(f, x, y);

  SvgWriter svg(f.width, f.height);
  draw_background(svg, f, x, y);
  open_clip(svg, f);
  draw_cells(svg, f, map, colors.fill);
  PathData lines;
  for (const auto& line : map.lines) {
    if (auto s = clip_line(line, map.x0, map.x1, map.y0, map.y1)) {
      lines.move_to(f.sx((*s)[0]), f.sy((*s)[1]));
      lines.line_to(f.sx((*s)[2]), f.sy((*s)[3]));
    }
  }
  if (!lines.empty()) {
    svg.raw(
        fmt::format("<path class=\"boundary\" d=\"{}\" fill=\"none\" stroke=\"#222222\" stroke-width=\"1.5\" "
                    "stroke-opacity=\"0.8\"/>\n",
                    lines.str()));
  }
  draw_class_markers(svg, f, by_class, map.xs, map.ys, map.class_labels,
                     R"(stroke="#111111" stroke-width="0.8")");
  close_clip(svg);
  draw_axes(svg, f, map.title, x, y);
  if (by_value) draw_colorbar(svg, f, colors.value_max);
  draw_legend(svg, f, legend);
  draw_notes(svg, f, result.notes);
  result.svg = svg.finish();
  return result;
}

}  // namespace hinge::lang::report

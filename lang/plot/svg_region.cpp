// Region maps of 2-input models: a grid of cells coloured by region id or by value,
// the units' boundary lines clipped to the box, and the data points on top.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "plot/color.hpp"
#include "plot/contour.hpp"
#include "plot/png.hpp"
#include "plot/svg.hpp"
#include "plot/svg_frame.hpp"
#include "plot/svg_markers.hpp"

namespace hinge::lang::report {

namespace {

constexpr double colorbar_room = 86;  // the colour bar, its labels and its title, right of the map
constexpr std::size_t palette_size = 12;
// Lines: first-layer units, deeper units' bent boundaries, a value map's zero level.
constexpr const char* line_color = "#222222";
constexpr const char* bent_color = "#7b2d8e";
constexpr const char* zero_color = "#000000";
constexpr const char* unit_dash = "5 3";  // on a value map, the units step back behind its zero level  //
                                          // region colours to choose from (Note [Region colours])

// The fill of each cell, as "#rrggbb", with the legend lines that explain it.
struct CellColors {
  std::vector<std::string> fill;
  std::size_t region_count = 0;
  double value_max = 0;  // values mode: the colour scale spans [-value_max, value_max]
};

// Note [Region colours]
// Colouring each region id by its rank gave neighbours nearly the same colour
// whenever their ranks were far apart. Regions that share an edge of cells must
// differ, as on a political map: the regions are coloured one by one, largest first
// (each after those it touches that are larger), each with the palette colour that
// is farthest from the colours its coloured neighbours already have. Two regions
// that only meet at a corner may share a colour.
double distance(Rgb a, Rgb b) {
  const double dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
  return dr * dr * 0.3 + dg * dg * 0.59 + db * db * 0.11;  // weighted by the eye's sensitivity
}

CellColors region_fills(const RegionMap& map) {
  CellColors c;
  std::map<long long, std::size_t> index;  // sorted ids -> 0, 1, ...
  for (long long id : map.regions) index.emplace(id, 0);
  std::size_t n = 0;
  for (auto& [id, k] : index) k = n++;
  c.region_count = n;
  std::vector<std::size_t> of(map.regions.size()), size(n);
  for (std::size_t q = 0; q < map.regions.size(); ++q) ++size[of[q] = index[map.regions[q]]];
  std::vector<std::set<std::size_t>> touches(n);
  for (std::size_t j = 0; j < map.ny; ++j) {
    for (std::size_t i = 0; i < map.nx; ++i) {
      const std::size_t a = of[j * map.nx + i];
      if (i + 1 < map.nx && of[j * map.nx + i + 1] != a) {
        touches[a].insert(of[j * map.nx + i + 1]);
        touches[of[j * map.nx + i + 1]].insert(a);
      }
      if (j + 1 < map.ny && of[(j + 1) * map.nx + i] != a) {
        touches[a].insert(of[(j + 1) * map.nx + i]);
        touches[of[(j + 1) * map.nx + i]].insert(a);
      }
    }
  }
  std::vector<Rgb> palette;
  for (std::size_t k = 0; k < palette_size; ++k) palette.push_back(region_color(k));
  std::vector<std::size_t> by_size(n);
  for (std::size_t r = 0; r < n; ++r) by_size[r] = r;
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
  std::vector<int> color(n, -1);
  std::vector<std::size_t> uses(palette_size);
  for (std::size_t r : by_size) {
    int best = 0;
    double best_gap = -1;
    for (std::size_t k = 0; k < palette_size; ++k) {
      double gap = 1e18;
      for (std::size_t other : touches[r])
        if (color[other] >= 0)
          gap = std::min(gap, distance(palette[k], palette[static_cast<std::size_t>(color[other])]));
      // Equal gaps: the colour used least so far, so the map does not lean on a few colours.
      if (gap > best_gap || (gap == best_gap && uses[k] < uses[static_cast<std::size_t>(best)])) {
        best_gap = gap;
        best = static_cast<int>(k);
      }
    }
    color[r] = best;
    ++uses[static_cast<std::size_t>(best)];
  }
  c.fill.reserve(map.regions.size());
  for (std::size_t q = 0; q < map.regions.size(); ++q)
    c.fill.push_back(palette[static_cast<std::size_t>(color[of[q]])].hex());
  return c;
}

// The value map as one smooth raster (see png.hpp): row 0 of the image is the top.
std::string value_image(const RegionMap& map, double& value_max) {
  value_max = 0;
  for (double v : map.values) {
    if (std::isfinite(v)) value_max = std::max(value_max, std::abs(v));
  }
  const double scale = value_max > 0 ? value_max : 1;
  std::vector<Rgb> pixels;
  pixels.reserve(map.values.size());
  for (std::size_t j = map.ny; j-- > 0;) {
    for (std::size_t i = 0; i < map.nx; ++i) {
      const double v = map.values[j * map.nx + i];
      pixels.push_back(diverging_color(std::isfinite(v) ? v / scale : NAN));
    }
  }
  return png_data_uri(pixels, map.nx, map.ny);
}

// Polylines as one path, in page coordinates.
void add_polylines(PathData& d, const Frame& f, const std::vector<Polyline>& lines) {
  for (const auto& line : lines) {
    for (std::size_t k = 0; k < line.size(); ++k) {
      if (k == 0)
        d.move_to(f.sx(line[k].first), f.sy(line[k].second));
      else
        d.line_to(f.sx(line[k].first), f.sy(line[k].second));
    }
  }
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

void draw_colorbar(SvgWriter& svg, const Frame& f, double value_max, const std::string& title) {
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
  double widest = 0;
  for (double t : linear_ticks(-m, m, step)) {
    double y = bottom - (t + m) / (2 * m) * (bottom - top);
    svg.line(x + w, y, x + w + 4, y, "stroke=\"#555555\"");
    const std::string label = typographic_minus(tick_label(t, step));
    widest = std::max(widest, text_width(label, 12));
    svg.text(x + w + 7, y, label, "dy=\"0.35em\" fill=\"#333333\"");
  }
  // What the colour means, along the bar (as matplotlib's colorbar label).
  const double tx = x + w + 7 + widest + 14, ty = (top + bottom) / 2;
  svg.text(tx, ty, title,
           fmt::format("class=\"colorbar-title\" text-anchor=\"middle\" font-size=\"13\" "
                       "transform=\"rotate(-90 {} {})\"",
                       svg_num(tx), svg_num(ty)));
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
  for (const auto& field : map.bent) {
    if (field.size() != cells)
      throw DomainError(
          fmt::format("region map: a bent boundary has {} values for {} cells", field.size(), cells));
  }
  Rendered result;
  CellColors colors;
  std::string image;
  if (by_region)
    colors = region_fills(map);
  else
    image = value_image(map, colors.value_max);

  // A unit given twice (a relu's input that is also an output) is one line.
  std::vector<Line2> lines;
  for (const auto& line : map.lines) {
    const double norm = std::hypot(line.a, line.b);
    if (!(norm > 0) || !std::isfinite(norm) || !std::isfinite(line.c)) continue;
    const double sign = (line.a < 0 || (line.a == 0 && line.b < 0)) ? -1 : 1;
    const Line2 unit{sign * line.a / norm, sign * line.b / norm, sign * line.c / norm};
    const double scale =
        std::max({std::abs(map.x0), std::abs(map.x1), std::abs(map.y0), std::abs(map.y1), 1.0});
    const bool seen = std::any_of(lines.begin(), lines.end(), [&](const Line2& l) {
      return std::abs(l.a - unit.a) < 1e-9 && std::abs(l.b - unit.b) < 1e-9 &&
             std::abs(l.c - unit.c) < 1e-9 * scale;
    });
    if (!seen) lines.push_back(unit);
  }
  std::vector<Polyline> bent, zero;
  std::size_t bent_units = 0;
  for (const auto& field : map.bent) {
    auto part = zero_contour(field, map.nx, map.ny, map.x0, map.x1, map.y0, map.y1);
    bent_units += !part.empty();
    bent.insert(bent.end(), part.begin(), part.end());
  }
  if (by_value) zero = zero_contour(map.values, map.nx, map.ny, map.x0, map.x1, map.y0, map.y1);

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
  if (!zero.empty()) {
    legend.push_back({LegendEntry::Kind::line, fmt::format("{} = 0", map.value_title), zero_color, "", 0});
  }
  if (!lines.empty()) {
    legend.push_back({LegendEntry::Kind::line, fmt::format("{} ({})", map.lines_label, lines.size()),
                      line_color, by_value ? unit_dash : "", 0});
  }
  if (bent_units > 0) {
    legend.push_back(
        {LegendEntry::Kind::line, fmt::format("{} ({})", map.bent_label, bent_units), bent_color, "", 0});
  }
  add_class_legend(legend, by_class, map.class_labels);

  AxisLayout x = make_axis(map.x_title, map.x0, map.x1, false, false);
  AxisLayout y = make_axis(map.y_title, map.y0, map.y1, false, false);
  x.grid = y.grid = false;  // the cells cover the grid anyway
  double extra = by_value ? colorbar_room : 0;
  Frame f = layout_frame(map.size, map.title, x, y, legend, result.notes.size(), extra);
  fit_equal_aspect(f, x, y, map.title, legend.size());

  SvgWriter svg(f.width, f.height);
  draw_background(svg, f, x, y);
  open_clip(svg, f);
  if (by_region) {
    draw_cells(svg, f, map, colors.fill);
  } else {
    // One image pixel per cell; the viewer's smooth scaling blends neighbouring cells.
    svg.raw(fmt::format(
        "<image class=\"values\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "preserveAspectRatio=\"none\" href=\"{}\"/>\n",
        svg_num(f.left), svg_num(f.top), svg_num(f.right - f.left), svg_num(f.bottom - f.top), image));
  }
  PathData straight;
  for (const auto& line : lines) {
    if (auto s = clip_line(line, map.x0, map.x1, map.y0, map.y1)) {
      straight.move_to(f.sx((*s)[0]), f.sy((*s)[1]));
      straight.line_to(f.sx((*s)[2]), f.sy((*s)[3]));
    }
  }
  if (!straight.empty()) {
    svg.raw(
        fmt::format("<path class=\"boundary\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" "
                    "stroke-opacity=\"0.8\"{}/>\n",
                    straight.str(), line_color, by_value ? 1 : 1.5,
                    by_value ? fmt::format(" stroke-dasharray=\"{}\"", unit_dash) : ""));
  }
  if (!bent.empty()) {
    PathData d;
    add_polylines(d, f, bent);
    svg.raw(
        fmt::format("<path class=\"bent-boundary\" d=\"{}\" fill=\"none\" stroke=\"{}\" "
                    "stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n",
                    d.str(), bent_color));
  }
  if (!zero.empty()) {
    PathData d;
    add_polylines(d, f, zero);
    svg.raw(
        fmt::format("<path class=\"zero-level\" d=\"{}\" fill=\"none\" stroke=\"{}\" "
                    "stroke-width=\"2.5\" stroke-linejoin=\"round\"/>\n",
                    d.str(), zero_color));
  }
  draw_class_markers(svg, f, by_class, map.xs, map.ys, map.class_labels,
                     R"(stroke="#111111" stroke-width="0.8")");
  close_clip(svg);
  draw_axes(svg, f, map.title, x, y);
  if (by_value) draw_colorbar(svg, f, colors.value_max, map.value_title);
  draw_legend(svg, f, legend);
  draw_notes(svg, f, result.notes);
  result.svg = svg.finish();
  return result;
}

}  // namespace hinge::lang::report

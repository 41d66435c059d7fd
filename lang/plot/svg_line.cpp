// Line plots and scatter plots: series of (x, y) points on linear or log axes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "plot/color.hpp"
#include "plot/draw_order.hpp"
#include "plot/svg.hpp"
#include "plot/svg_frame.hpp"
#include "plot/svg_markers.hpp"

namespace hinge::lang::report {

namespace {

// The data range of the points that can be drawn, found in one pass.
struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

// Cuts the segment p-q (in plot fractions, 0..1 inside the area) to the square
// [-m, 1+m]^2 (Liang-Barsky). Returns false when nothing of it is inside.
bool clip_segment(double& x0, double& y0, double& x1, double& y1, bool& cut_start, bool& cut_end) {
  constexpr double m = 0.02;  // a little past the edge; the clip path trims the rest
  double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
  auto edge = [&](double p, double q) {
    if (p == 0) return q >= 0;
    double r = q / p;
    if (p < 0) {
      if (r > t1) return false;
      t0 = std::max(t0, r);
    } else {
      if (r < t0) return false;
      t1 = std::min(t1, r);
    }
    return true;
  };
  if (!edge(-dx, x0 + m) || !edge(dx, 1 + m - x0) || !edge(-dy, y0 + m) || !edge(dy, 1 + m - y0))
    return false;
  cut_start = t0 > 0;
  cut_end = t1 < 1;
  double nx0 = x0 + t0 * dx, ny0 = y0 + t0 * dy;
  x1 = x0 + t1 * dx;
  y1 = y0 + t1 * dy;
  x0 = nx0;
  y0 = ny0;
  return true;
}

// The path of one series: runs of drawable points, broken at NaN, infinities and
// (on log axes) non-positive values; segments clipped to the plot area.
// The ring a point with no neighbour in its series is drawn as (PathData::ring).
constexpr double kLonePointRadius = 3.5;

std::string series_path(const Frame& f, const Series& s, bool x_log, bool y_log) {
  PathData d;
  bool pen_down = false;  // the path's last point is the previous data point
  double px = 0, py = 0;  // previous data point, in fractions
  bool have_prev = false;
  std::size_t run = 0;  // points in the current run
  auto to_page = [&](double fx, double fy) { return std::pair{f.sx.pixel(fx), f.sy.pixel(fy)}; };
  auto end_run = [&] {
    if (run == 1 && px >= 0 && px <= 1 && py >= 0 && py <= 1) {
      auto [x, y] = to_page(px, py);
      d.ring(x, y, kLonePointRadius);
    }
    run = 0;
    have_prev = false;
    pen_down = false;
  };
  for (std::size_t k = 0; k < s.x.size(); ++k) {
    double fx = drawable(s.x[k], x_log) ? f.sx.fraction(s.x[k]) : NAN;
    double fy = drawable(s.y[k], y_log) ? f.sy.fraction(s.y[k]) : NAN;
    if (!std::isfinite(fx) || !std::isfinite(fy)) {
      end_run();
      continue;
    }
    ++run;
    if (have_prev) {
      double x0 = px, y0 = py, x1 = fx, y1 = fy;
      bool cut_start = false, cut_end = false;
      if (clip_segment(x0, y0, x1, y1, cut_start, cut_end)) {
        if (!pen_down || cut_start) {
          auto [x, y] = to_page(x0, y0);
          d.move_to(x, y);
        }
        auto [x, y] = to_page(x1, y1);
        d.line_to(x, y);
        pen_down = !cut_end;
      } else {
        pen_down = false;
      }
      run = 2;  // a drawn segment: no dot needed when the run ends
    }
    px = fx;
    py = fy;
    have_prev = true;
  }
  end_run();
  return d.str();
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

namespace {

// The plot area's left and right edges in the page. Panels share theirs, so that
// their x axes line up although their tick labels and legends differ in width.
struct AreaEdges {
  double left = 0, right = 0;
};

Rendered render_one_panel(const LinePlot& plot, const AreaEdges* shared = nullptr,
                          AreaEdges* laid_out = nullptr);

// Panels: each a whole plot of its own, nested in one page (Note [Line panels]).
Rendered render_panels(const LinePlot& plot) {
  std::size_t total = 0;
  for (std::size_t n : plot.panels) total += n;
  if (total != plot.series.size() || plot.panels.size() > 8 ||
      std::find(plot.panels.begin(), plot.panels.end(), std::size_t{0}) != plot.panels.end())
    throw DomainError(
        fmt::format("plot: the panels take {} series (none empty, at most 8 panels) but there are {}", total,
                    plot.series.size()));
  // Note [Line panels]
  // Each panel is rendered as a complete plot and placed as a nested <svg> at its
  // height in the page: the frame code lays out one plot, and nesting reuses it
  // whole. The panels' clip paths are renamed, so each id is unique in the page.
  const double panel_height = std::max(180.0, plot.size.height * 0.62);
  std::vector<LinePlot> panels;
  std::size_t first = 0;
  for (std::size_t p = 0; p < plot.panels.size(); ++p) {
    LinePlot& one = panels.emplace_back();
    one.title = p == 0 ? plot.title : "";
    one.x = plot.x;
    if (p + 1 < plot.panels.size()) one.x.title = "";  // the x title once, under the last panel
    one.y = plot.y;
    one.y.title = p < plot.panel_titles.size() ? plot.panel_titles[p] : plot.y.title;
    one.series.assign(plot.series.begin() + static_cast<std::ptrdiff_t>(first),
                      plot.series.begin() + static_cast<std::ptrdiff_t>(first + plot.panels[p]));
    one.size = {plot.size.width, static_cast<int>(panel_height)};
    first += plot.panels[p];
  }
  // Each panel laid out alone, then all drawn inside the narrowest plot area.
  AreaEdges shared{0, static_cast<double>(plot.size.width)};
  for (const LinePlot& one : panels) {
    AreaEdges edges;
    render_one_panel(one, nullptr, &edges);
    shared.left = std::max(shared.left, edges.left);
    shared.right = std::min(shared.right, edges.right);
  }
  Rendered out;
  std::string body;
  double y = 0;
  for (std::size_t p = 0; p < panels.size(); ++p) {
    Rendered r = render_one_panel(panels[p], &shared);
    std::string svg = r.svg.substr(r.svg.find("<svg"));
    const std::string id = fmt::format("plot-area-{}", p + 1);
    for (const std::string from : {"id=\"plot-area\"", "url(#plot-area)"}) {
      const std::string to = from[0] == 'i' ? fmt::format("id=\"{}\"", id) : fmt::format("url(#{})", id);
      for (std::size_t k = svg.find(from); k != std::string::npos; k = svg.find(from, k + to.size()))
        svg.replace(k, from.size(), to);
    }
    // The nested <svg> keeps its size; it is placed by x and y.
    svg.replace(0, 4, fmt::format("<svg class=\"panel\" x=\"0\" y=\"{}\"", svg_num(y)));
    body += svg;
    y += panel_height;
    out.notes.insert(out.notes.end(), r.notes.begin(), r.notes.end());
  }
  SvgWriter page(plot.size.width, y);
  page.raw(body);
  out.svg = page.finish();
  return out;
}

}  // namespace

Rendered render_line_svg(const LinePlot& plot) {
  if (plot.panels.size() > 1) return render_panels(plot);
  return render_one_panel(plot);
}

namespace {

Rendered render_one_panel(const LinePlot& plot, const AreaEdges* shared, AreaEdges* laid_out) {
  Extent ex, ey;
  std::size_t non_finite = 0, x_nonpositive = 0, y_nonpositive = 0;
  for (const auto& s : plot.series) {
    if (s.x.size() != s.y.size()) {
      throw DomainError(
          fmt::format("plot: series '{}' has {} x values but {} y values", s.label, s.x.size(), s.y.size()));
    }
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      double x = s.x[k], y = s.y[k];
      if (!std::isfinite(x) || !std::isfinite(y)) {
        ++non_finite;
        continue;
      }
      bool bad = false;
      if (plot.x.log && x <= 0) ++x_nonpositive, bad = true;
      if (plot.y.log && y <= 0) ++y_nonpositive, bad = true;
      if (bad) continue;
      ex.add(x);
      ey.add(y);
    }
  }
  Rendered result;
  if (non_finite > 0)
    result.notes.push_back(plural(non_finite, "point with NaN or infinity not drawn (the line breaks there)",
                                  "points with NaN or infinity not drawn (the line breaks there)"));
  if (x_nonpositive > 0)
    result.notes.push_back(plural(x_nonpositive, "non-positive x value skipped (log scale)",
                                  "non-positive x values skipped (log scale)"));
  if (y_nonpositive > 0)
    result.notes.push_back(plural(y_nonpositive, "non-positive y value skipped (log scale)",
                                  "non-positive y values skipped (log scale)"));
  if (ex.empty()) {
    result.notes.push_back("nothing to plot: no drawable points");
    ex.add(plot.x.log ? 1 : 0), ex.add(plot.x.log ? 10 : 1);
    ey.add(plot.y.log ? 1 : 0), ey.add(plot.y.log ? 10 : 1);
  }
  // x spans the data exactly (curves reach both edges). y gets 4% of room above and
  // below, so that no curve runs along the frame (as matplotlib does), except at an
  // edge of exactly 0 (losses, ReLU outputs); ticks are nice values inside. A log y
  // axis is widened to whole decades instead.
  AxisLayout x = make_axis(plot.x, ex.lo, ex.hi, plot.x.log);
  double pad = (ey.hi - ey.lo) * 0.04;
  AxisLayout y = plot.y.log
                     ? make_axis(plot.y, ey.lo, ey.hi, true)
                     : make_axis(plot.y, ey.lo == 0 ? 0 : ey.lo - pad, ey.hi == 0 ? 0 : ey.hi + pad, false);

  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    if (plot.series[i].label.empty()) continue;
    legend.push_back({LegendEntry::Kind::line, plot.series[i].label, series_color(i).hex(), series_dash(i)});
  }
  Frame f = layout_frame(plot.size, plot.title, x, y, legend, result.notes.size());
  if (laid_out) {  // only the layout is wanted
    *laid_out = {f.left, f.right};
    return result;
  }
  if (shared && shared->right - shared->left >= 40) {
    f.left = shared->left;
    f.right = shared->right;
    f.legend_x = f.right + 16;
    f.sx = Scale(x.lo, x.hi, f.left, f.right, x.log);
  }
  // Series hidden under later ones go on top, dashed (Note [Hidden series]).
  std::vector<std::vector<std::pair<double, double>>> pixels;
  for (const auto& s : plot.series) {
    auto& p = pixels.emplace_back();
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      const bool ok = drawable(s.x[k], x.log) && drawable(s.y[k], y.log);
      p.emplace_back(ok ? f.sx(s.x[k]) : NAN, ok ? f.sy(s.y[k]) : NAN);
    }
  }
  const Stacking stacking = stack_series(pixels, f.left, f.top, f.right, f.bottom);
  auto dash_of = [&](std::size_t i) -> std::string {
    return stacking.lifted[i] >= 0 ? lifted_dash(stacking.lifted[i]) : series_dash(i);
  };
  for (std::size_t i = 0, e = 0; i < plot.series.size(); ++i) {
    if (!plot.series[i].label.empty()) legend[e++].dash = dash_of(i);
  }
  SvgWriter svg(f.width, f.height);
  draw_background(svg, f, x, y);
  open_clip(svg, f);
  for (std::size_t i : stacking.order) {
    const auto& s = plot.series[i];
    std::string dash = dash_of(i);
    svg.raw(
        fmt::format("<path class=\"series\" data-label=\"{}\" d=\"{}\" fill=\"none\" stroke=\"{}\" "
                    "stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{}/>\n",
                    xml_escape(s.label), series_path(f, s, x.log, y.log), series_color(i).hex(),
                    dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", dash)));
  }
  close_clip(svg);
  draw_axes(svg, f, plot.title, x, y);
  draw_legend(svg, f, legend);
  draw_notes(svg, f, result.notes);
  result.svg = svg.finish();
  return result;
}

}  // namespace

Rendered render_scatter_svg(const ScatterPlot& plot) {
  if (plot.xs.size() != plot.ys.size()) {
    throw DomainError(fmt::format("scatter: {} x values but {} y values", plot.xs.size(), plot.ys.size()));
  }
  if (!plot.classes.empty() && plot.classes.size() != plot.xs.size()) {
    throw DomainError(fmt::format("scatter: {} points but {} classes", plot.xs.size(), plot.classes.size()));
  }
  Rendered result;
  Extent ex, ey;
  PointsByClass by_class;
  std::size_t skipped = 0;
  for (std::size_t k = 0; k < plot.xs.size(); ++k) {
    if (!drawable(plot.xs[k], plot.x.log) || !drawable(plot.ys[k], plot.y.log)) {
      ++skipped;
      continue;
    }
    ex.add(plot.xs[k]);
    ey.add(plot.ys[k]);
    by_class[plot.classes.empty() ? 0 : plot.classes[k]].push_back(k);
  }
  if (skipped > 0) {
    result.notes.push_back(
        plural(skipped,
               plot.x.log || plot.y.log ? "point not drawn (NaN, infinite, or non-positive on a log axis)"
                                        : "point with NaN or infinity not drawn",
               plot.x.log || plot.y.log ? "points not drawn (NaN, infinite, or non-positive on a log axis)"
                                        : "points with NaN or infinity not drawn"));
  }
  if (ex.empty()) {
    result.notes.push_back("nothing to plot: no drawable points");
    ex.add(1), ex.add(plot.x.log ? 10 : 0);
    ey.add(1), ey.add(plot.y.log ? 10 : 0);
  }
  // A little padding, so that markers on the extreme points are not cut in half.
  auto pad = [](Extent e, bool log) {
    if (log) return std::pair{e.lo / 1.2, e.hi * 1.2};
    double p = (e.hi - e.lo) * 0.04;
    return std::pair{e.lo - p, e.hi + p};
  };
  auto [xlo, xhi] = pad(ex, plot.x.log);
  auto [ylo, yhi] = pad(ey, plot.y.log);
  AxisLayout x = make_axis(plot.x, xlo, xhi, true);
  AxisLayout y = make_axis(plot.y, ylo, yhi, true);

  std::vector<LegendEntry> legend;
  add_class_legend(legend, by_class, plot.class_labels);
  Frame f = layout_frame(plot.size, plot.title, x, y, legend, result.notes.size());
  SvgWriter svg(f.width, f.height);
  draw_background(svg, f, x, y);
  open_clip(svg, f);
  draw_class_markers(svg, f, by_class, plot.xs, plot.ys, plot.class_labels,
                     R"(fill-opacity="0.85" stroke="#ffffff" stroke-width="0.8")");
  close_clip(svg);
  draw_axes(svg, f, plot.title, x, y);
  draw_legend(svg, f, legend);
  draw_notes(svg, f, result.notes);
  result.svg = svg.finish();
  return result;
}

}  // namespace hinge::lang::report

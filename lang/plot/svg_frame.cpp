// Layout and drawing of plot frames: margins, grid, axes, ticks, titles, legend.
#include "plot/svg_frame.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hinge::lang::report {

namespace {

constexpr double font = 12;  // tick labels, legend, axis titles
constexpr double title_font = 15;
constexpr double note_font = 11;
constexpr double tick_length = 5;
constexpr double legend_row = 18;
constexpr std::size_t max_label_chars = 40;

double max_label_width(const AxisLayout& axis) {
  double w = 0;
  for (const auto& label : axis.labels) w = std::max(w, text_width(label, font));
  return w;
}

double legend_width(const std::vector<LegendEntry>& legend) {
  if (legend.empty()) return 0;
  double w = 0;
  for (const auto& e : legend) {
    double swatch = e.kind == LegendEntry::Kind::text ? -34 : 0;
    w = std::max(w, swatch + text_width(truncate_label(e.label, max_label_chars), font));
  }
  return 34 + w;
}

}  // namespace

AxisLayout make_axis(std::string title, double lo, double hi, bool log, bool nice, int target_ticks) {
  AxisLayout axis;
  axis.title = std::move(title);
  axis.log = log;
  if (log) {
    if (hi <= lo) hi = lo * 10;
    int every = 0;
    if (nice) {
      // Whole decades, then out to a multiple of the tick spacing so that both
      // ends of the axis carry a label.
      std::tie(lo, hi) = log_range(lo, hi);
      every = log_tick_every(lo, hi);
      if (every > 1) {
        lo = std::pow(10.0, std::floor(std::round(std::log10(lo)) / every) * every);
        hi = std::pow(10.0, std::ceil(std::round(std::log10(hi)) / every) * every);
      }
    }
    axis.lo = lo;
    axis.hi = hi;
    axis.ticks = log_ticks(lo, hi, every);
    bool plain = lo >= 1e-3 * (1 - 1e-9) && hi <= 1e3 * (1 + 1e-9);
    for (double t : axis.ticks) axis.labels.push_back(log_tick_label(t, plain));
    return axis;
  }
  if (nice || hi <= lo) std::tie(lo, hi) = nice_range(lo, hi, target_ticks);
  axis.lo = lo;
  axis.hi = hi;
  double step = nice_step(hi - lo, target_ticks);
  axis.ticks = linear_ticks(lo, hi, step);
  for (double t : axis.ticks) axis.labels.push_back(typographic_minus(tick_label(t, step)));
  return axis;
}

AxisLayout make_axis(const Axis& axis, double data_lo, double data_hi, bool nice) {
  double lo = axis.min.value_or(data_lo), hi = axis.max.value_or(data_hi);
  bool fixed = axis.min && axis.max;
  if (axis.log && !(lo > 0)) lo = hi > 0 ? hi / 10 : 1;
  if (axis.log && !(hi > lo)) hi = lo * 10;
  return make_axis(axis.title, lo, hi, axis.log, nice && !fixed);
}

Frame layout_frame(const PageSize& size, const std::string& title, const AxisLayout& x, const AxisLayout& y,
                   const std::vector<LegendEntry>& legend, std::size_t note_count, double extra_right) {
  Frame f;
  f.width = std::max(size.width, 200);
  f.height = std::max(size.height, 150);
  double top = title.empty() ? 16 : 42;
  double left = 10 + (y.title.empty() ? 0 : 22) + max_label_width(y) + tick_length + 6;
  if (x.rotate_labels && !x.labels.empty()) {
    // A turned label reaches left of its tick by 0.71 of its length: keep the first one on the page.
    left = std::max(left, text_width(x.labels.front(), font) * 0.71 + 8);
  }
  double x_labels = x.rotate_labels ? max_label_width(x) * 0.71 + font + 6 : font + 8;
  double bottom = 8 + tick_length + x_labels + (x.title.empty() ? 0 : 22) + note_count * 15.0;
  // Room on the right for half of the last x label, or for the legend.
  double lw = legend_width(legend);
  double right = std::max(20.0, lw > 0 ? lw + 24 : 0.0) + extra_right;
  f.left = left;
  f.top = top;
  f.right = std::max(f.width - right, left + 40);
  f.bottom = std::max(f.height - bottom, top + 40);
  f.legend_x = f.right + 16 + extra_right;
  f.sx = Scale(x.lo, x.hi, f.left, f.right, x.log);
  f.sy = Scale(y.lo, y.hi, f.bottom, f.top, y.log);
  return f;
}

void fit_equal_aspect(Frame& f, const AxisLayout& x, const AxisLayout& y, const std::string& title,
                      std::size_t legend_rows) {
  double w = f.right - f.left, h = f.bottom - f.top;
  double dx = x.hi - x.lo, dy = y.hi - y.lo;
  if (!(dx > 0) || !(dy > 0)) return;
  double per_unit = std::min(w / dx, h / dy);
  // The page shrinks with the plot, as matplotlib's bbox_inches="tight" does: a wide
  // map leaves no empty band under it, a tall one none to its right. The legend
  // follows the plot; the page keeps room for the title and every legend row.
  double shift_x = w - dx * per_unit, shift_y = h - dy * per_unit;
  f.right = f.left + dx * per_unit;
  f.bottom = f.top + dy * per_unit;
  f.legend_x -= shift_x;
  f.width = std::max(f.width - shift_x, text_width(title, title_font) + 20);
  f.height = std::max(f.height - shift_y, f.top + 10 + static_cast<double>(legend_rows) * legend_row);
  f.sx = Scale(x.lo, x.hi, f.left, f.right, x.log);
  f.sy = Scale(y.lo, y.hi, f.bottom, f.top, y.log);
}

void draw_background(SvgWriter& svg, const Frame& f, const AxisLayout& x, const AxisLayout& y) {
  svg.rect(f.left, f.top, f.right - f.left, f.bottom - f.top, "fill=\"#fafafa\"");
  PathData grid;
  if (x.grid) {
    for (double t : x.ticks) {
      double px = f.sx(t);
      grid.move_to(px, f.top);
      grid.line_to(px, f.bottom);
    }
  }
  if (y.grid) {
    for (double t : y.ticks) {
      double py = f.sy(t);
      grid.move_to(f.left, py);
      grid.line_to(f.right, py);
    }
  }
  if (!grid.empty()) {
    svg.raw(fmt::format(
        "<path class=\"grid\" d=\"{}\" stroke=\"#e3e3e3\" stroke-width=\"1\" fill=\"none\"/>\n", grid.str()));
  }
}

void open_clip(SvgWriter& svg, const Frame& f) {
  svg.raw(fmt::format(
      "<clipPath id=\"plot-area\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\n"
      "<g clip-path=\"url(#plot-area)\">\n",
      svg_num(f.left), svg_num(f.top), svg_num(f.right - f.left), svg_num(f.bottom - f.top)));
}

void close_clip(SvgWriter& svg) { svg.raw("</g>\n"); }

void draw_axes(SvgWriter& svg, const Frame& f, const std::string& title, const AxisLayout& x,
               const AxisLayout& y) {
  svg.rect(f.left, f.top, f.right - f.left, f.bottom - f.top,
           "fill=\"none\" stroke=\"#555555\" stroke-width=\"1\"");
  PathData ticks;
  for (double t : x.ticks) {
    ticks.move_to(f.sx(t), f.bottom);
    ticks.line_to(f.sx(t), f.bottom + tick_length);
  }
  for (double t : y.ticks) {
    ticks.move_to(f.left - tick_length, f.sy(t));
    ticks.line_to(f.left, f.sy(t));
  }
  if (!ticks.empty()) {
    svg.raw(
        fmt::format("<path class=\"ticks\" d=\"{}\" stroke=\"#555555\" stroke-width=\"1\"/>\n", ticks.str()));
  }
  svg.raw("<g class=\"tick-labels\" fill=\"#333333\">\n");
  for (std::size_t i = 0; i < x.ticks.size(); ++i) {
    double px = f.sx(x.ticks[i]), py = f.bottom + tick_length + 3;
    if (x.rotate_labels) {
      svg.text(
          px, py + 6, x.labels[i],
          fmt::format("text-anchor=\"end\" transform=\"rotate(-45 {} {})\"", svg_num(px), svg_num(py + 6)));
    } else {
      svg.text(px, py + font * 0.8, x.labels[i], "text-anchor=\"middle\"");
    }
  }
  for (std::size_t i = 0; i < y.ticks.size(); ++i) {
    svg.text(f.left - tick_length - 3, f.sy(y.ticks[i]), y.labels[i], "text-anchor=\"end\" dy=\"0.35em\"");
  }
  svg.raw("</g>\n");
  double x_labels = x.rotate_labels ? max_label_width(x) * 0.71 + font + 6 : font + 8;
  if (!x.title.empty()) {
    svg.text((f.left + f.right) / 2, f.bottom + tick_length + x_labels + 14, x.title,
             "class=\"axis-title\" text-anchor=\"middle\" font-size=\"13\"");
  }
  if (!y.title.empty()) {
    double px = f.left - tick_length - 6 - max_label_width(y) - 8, py = (f.top + f.bottom) / 2;
    svg.text(
        px, py, y.title,
        fmt::format(
            "class=\"axis-title\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 {} {})\"",
            svg_num(px), svg_num(py)));
  }
  if (!title.empty()) {
    // Cut to the page's width, the ellipsis included: centred, a longer title ran
    // off both edges.
    const auto fits = static_cast<std::size_t>(std::max(10.0, (f.width - 20) / text_width("x", title_font)));
    svg.text(f.width / 2, 26, truncate_label(title, fits - 1),
             fmt::format("class=\"title\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\"",
                         title_font));
  }
}

void draw_legend(SvgWriter& svg, const Frame& f, const std::vector<LegendEntry>& legend) {
  if (legend.empty()) return;
  std::size_t fits = static_cast<std::size_t>(std::max(1.0, (f.height - f.top - 10) / legend_row));
  std::size_t shown = legend.size() <= fits ? legend.size() : fits - 1;
  svg.raw("<g class=\"legend\">\n");
  double x = f.legend_x, y = f.top + 8;
  for (std::size_t i = 0; i < shown; ++i, y += legend_row) {
    const auto& e = legend[i];
    switch (e.kind) {
      case LegendEntry::Kind::line:
        svg.line(x, y, x + 24, y,
                 fmt::format("stroke=\"{}\" stroke-width=\"2.5\"{}", e.color,
                             e.dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", e.dash)));
        break;
      case LegendEntry::Kind::marker: {
        PathData d;
        d.marker(e.shape, x + 12, y, 4.5);
        svg.raw(fmt::format("<path d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.8\"/>\n", d.str(),
                            e.color));
        break;
      }
      case LegendEntry::Kind::text:
        svg.text(x, y, truncate_label(e.label, max_label_chars), "dy=\"0.35em\" fill=\"#333333\"");
        continue;
      case LegendEntry::Kind::box: {
        const std::string opacity = e.opacity < 1 ? fmt::format(" fill-opacity=\"{}\"", e.opacity) : "";
        if (!e.under.empty()) svg.rect(x + 4, y - 6, 16, 12, fmt::format("fill=\"{}\"{}", e.under, opacity));
        svg.rect(x + 4, y - 6, 16, 12,
                 fmt::format("fill=\"{}\"{} stroke=\"#555555\" stroke-width=\"0.5\"", e.color, opacity));
        break;
      }
    }
    svg.text(x + 30, y, truncate_label(e.label, max_label_chars), "dy=\"0.35em\"");
  }
  if (shown < legend.size()) {
    svg.text(x + 30, y, fmt::format("\xE2\x80\xA6 {} more", legend.size() - shown),
             "dy=\"0.35em\" fill=\"#666666\"");
  }
  svg.raw("</g>\n");
}

void draw_notes(SvgWriter& svg, const Frame& f, const std::vector<std::string>& notes) {
  double y = f.height - 8 - (notes.size() - 1) * 15.0;
  for (const auto& note : notes) {
    svg.text(
        10, y, note,
        fmt::format("class=\"note\" font-size=\"{}\" font-style=\"italic\" fill=\"#666666\"", note_font));
    y += 15;
  }
}

}  // namespace hinge::lang::report

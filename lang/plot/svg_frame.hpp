// The frame around every SVG plot: margins sized to the labels, grid, axes with
// ticks and titles, the plot title, a legend to the right of the plot area, notes.
#pragma once

#include <string>
#include <vector>

#include "plot/scale.hpp"
#include "plot/svg.hpp"
#include "plot/svg_writer.hpp"

namespace hinge::lang::report {

// One axis as drawn: its range, ticks and their labels.
struct AxisLayout {
  std::string title;
  double lo = 0, hi = 1;
  bool log = false;
  std::vector<double> ticks;
  std::vector<std::string> labels;  // one per tick
  bool grid = true;                 // light grid lines at the ticks
  bool rotate_labels = false;       // x only: labels at -45 degrees (long category names)
};

// An axis over [lo, hi]: with `nice`, the range is widened to nice tick values first
// (to whole decades on a log axis); without, ticks fall inside the exact range.
AxisLayout make_axis(std::string title, double lo, double hi, bool log, bool nice, int target_ticks = 6);

// An axis over a data range that honours the user's fixed min/max, if any.
AxisLayout make_axis(const Axis& axis, double data_lo, double data_hi, bool nice);

struct LegendEntry {
  enum class Kind { line, marker, box, text };  // text: a label with no swatch
  Kind kind = Kind::line;
  std::string label;
  std::string color;  // "#rrggbb"
  std::string dash;   // stroke-dasharray for lines
  int shape = 0;      // marker shape (see PathData::marker)
  // box: the fill's opacity as the plot draws it, and a colour drawn beneath at that
  // opacity (the swatch of where two translucent sets overlap).
  double opacity = 1;
  std::string under;
};

// The page and the plot area inside it (pixels), with the scales onto that area.
struct Frame {
  double width = 0, height = 0;
  double left = 0, top = 0, right = 0, bottom = 0;  // the plot area's edges
  Scale sx{0, 1, 0, 1, false};
  Scale sy{0, 1, 1, 0, false};
  double legend_x = 0;  // left edge of the legend column
};

// Lays out the page: margins fit the tick labels, the title, the legend (to the right
// of the plot) and `note_count` lines of notes; `extra_right` reserves room for a
// colour bar.
Frame layout_frame(const PageSize& size, const std::string& title, const AxisLayout& x, const AxisLayout& y,
                   const std::vector<LegendEntry>& legend, std::size_t note_count, double extra_right = 0);

// Shrinks the plot area so that one data unit has the same length on both axes
// (region maps: angles between lines stay true), and the page with it, keeping room
// for the title and `legend_rows` rows of legend.
void fit_equal_aspect(Frame& frame, const AxisLayout& x, const AxisLayout& y, const std::string& title,
                      std::size_t legend_rows);

// Drawing, in this order: background and grid, then the data inside
// open_clip()/close_clip(), then the axes, legend and notes on top.
void draw_background(SvgWriter& svg, const Frame& frame, const AxisLayout& x, const AxisLayout& y);
void open_clip(SvgWriter& svg, const Frame& frame);
void close_clip(SvgWriter& svg);
void draw_axes(SvgWriter& svg, const Frame& frame, const std::string& title, const AxisLayout& x,
               const AxisLayout& y);
void draw_legend(SvgWriter& svg, const Frame& frame, const std::vector<LegendEntry>& legend);
void draw_notes(SvgWriter& svg, const Frame& frame, const std::vector<std::string>& notes);

}  // namespace hinge::lang::report

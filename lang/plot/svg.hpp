// SVG plots for the language's `plot` statements: line plots, scatter plots, region
// maps of 2-input models and histograms. Each render_* takes plain data and returns
// the document text plus notes for the user (points skipped and why).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "plot/series.hpp"

namespace hinge::lang::report {

// What a render_* call produced: a complete SVG document, and notes about data that
// could not be drawn ("3 non-positive y values skipped (log scale)"); the notes are
// also printed inside the plot, and the interpreter may show them as warnings.
struct Rendered {
  std::string svg;
  std::vector<std::string> notes;
};

// One axis: its title, log or linear, and an optional fixed range (else from data).
struct Axis {
  std::string title;
  bool log = false;
  std::optional<double> min, max;
};

// Page size shared by all plots (pixels).
struct PageSize {
  int width = 800;
  int height = 500;
};

// Example: render_line_svg({.title = "fit", .x = {.title = "x"}, .series = {{"sin", xs, ys}}})
// With `panels` (how many series each panel takes, in order), the series are drawn
// in panels stacked over one x axis, each with its own y axis titled by
// `panel_titles` (quantities of different kinds never share an axis).
struct LinePlot {
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  PageSize size;
  std::vector<std::size_t> panels;
  std::vector<std::string> panel_titles;
};

// Points coloured (and shaped) by an integer class per point.
struct ScatterPlot {
  std::string title;
  Axis x, y;
  std::vector<double> xs, ys;
  std::vector<int> classes;               // one per point; empty means all class 0
  std::vector<std::string> class_labels;  // by class number; missing ones read "class N"
  PageSize size;
};

// The line a*x + b*y + c = 0 (a ReLU unit's boundary).
struct Line2 {
  double a = 0, b = 0, c = 0;
};

// A map of a 2-input model over [x0, x1] x [y0, y1], divided into nx * ny equal
// cells. Cell (i, j) - column i counted from x0, row j counted from y0 - has index
// j * nx + i. Give exactly one of `regions` (an integer id per cell: regions that
// touch get different colours) or `values` (a real per cell: a blue-white-red map
// centred on 0, drawn smooth, with a titled colour bar and the line where it is 0).
struct RegionMap {
  std::string title;
  std::string x_title = "x1", y_title = "x2";
  double x0 = -1, x1 = 1, y0 = -1, y1 = 1;
  std::size_t nx = 0, ny = 0;
  std::vector<long long> regions;
  std::vector<double> values;
  std::vector<Line2> lines;  // drawn clipped to the box
  std::string lines_label = "unit boundaries";
  // Per deeper unit, its pre-activation at each cell: drawn where it is 0 (bent lines).
  std::vector<std::vector<double>> bent;
  std::string bent_label = "bent boundaries, deeper units";
  std::string value_title = "value";  // values: what the colour shows (the colour bar's title)
  std::vector<double> xs, ys;         // overlay points (e.g. the XOR or moons data)
  std::vector<int> classes;
  std::vector<std::string> class_labels;
  PageSize size;
};

// A histogram of `values`: `bins` equal bins over the data's range, or, with bins = 0,
// a bin width of 1, 2 or 5 times a power of ten (whole numbers for integer data).
// `more` data sets are drawn over the same bins, translucent, with a legend.
// Non-negative data with exact zeros among small positive values (a ReLU's zeros,
// units open on no input) get the zeros as a bar of their own, left of the others
// and labelled "exactly 0": they are a different kind from "nearly 0".
struct HistogramPlot {
  std::string title;
  std::string x_title, y_title = "count";
  std::vector<double> values;
  std::string label;                                              // values' name in the legend
  std::vector<std::pair<std::string, std::vector<double>>> more;  // label, values
  int bins = 0;
  PageSize size;
};

// A bar chart of given counts, one bar per label.
struct BarPlot {
  std::string title;
  std::string x_title, y_title;
  std::vector<double> counts;
  std::vector<std::string> labels;  // may be shorter than counts (bars unlabeled)
  PageSize size;
};

// The bins a histogram draws; `skipped` counts NaN and infinite values.
struct Bins {
  std::vector<double> edges;  // counts.size() + 1 edges, increasing
  std::vector<double> counts;
  std::size_t skipped = 0;
};

// The part of `line` inside [x0, x1] x [y0, y1] as {xa, ya, xb, yb}, or nothing when
// the line misses the box (or only touches a corner).
std::optional<std::array<double, 4>> clip_line(const Line2& line, double x0, double x1, double y0, double y1);

Bins make_bins(const std::vector<double>& values, int bins = 0);

// Throw hinge::DomainError on inconsistent input (x and y of different lengths, a
// grid that does not hold nx * ny cells, both or neither of regions and values).
Rendered render_line_svg(const LinePlot& plot);
Rendered render_scatter_svg(const ScatterPlot& plot);
Rendered render_region_svg(const RegionMap& map);
Rendered render_histogram_svg(const HistogramPlot& plot);
Rendered render_bar_svg(const BarPlot& plot);

}  // namespace hinge::lang::report

// Small plots for the terminal: line plots in Unicode braille (2x4 dots per
// character cell) or plain ASCII, scatter plots with one glyph per class, and
// region maps with one letter per region; the y and x ranges on the axes and a
// legend. Whether to colour and how wide to draw come in TerminalPlotOptions (the
// REPL and the command line ask the terminal; this file never does).
#pragma once

#include <string>
#include <vector>

#include "plot/series.hpp"

namespace hinge::lang::report {

struct TerminalPlotOptions {
  int width = 60;       // character cells of the plot area (at least 2)
  int height = 15;      // rows of the plot area (at least 2)
  bool unicode = true;  // braille and box-drawing characters; false: ASCII only
  bool color = false;   // ANSI colour per series (only for terminals that want it)
  std::string title;
};

struct RegionMap;

// The marker character of series i in legends and ASCII plots: * + o x # @ % &.
char terminal_marker(std::size_t i);

// The plot as lines of text, each ending in '\n'. Example for one series, 4 x 2 cells:
//
//   7 ┤  ⡠⠊
//   0 ┤⡠⠊
//     └────
//      0  7
//
// With several series, each gets its marker character placed every few cells along
// its curve (braille dots alone do not say which curve is which), and a legend line
// "* sin  + fit" follows. NaN and infinite points break the curve.
std::string render_terminal_plot(const std::vector<Series>& series, const TerminalPlotOptions& options = {});

// The glyph of class i in terminal scatter plots and region maps: o x + * # @ % &.
char terminal_class_marker(std::size_t i);

// Points as dots, never joined: with `classes` (one per point), each class gets its
// own glyph (and colour) and a legend "o class 0  x class 1"; without, braille dots
// (ASCII: '*'). `class_labels[c]` names class c when given.
std::string render_terminal_scatter(const std::vector<double>& xs, const std::vector<double>& ys,
                                    const std::vector<int>& classes,
                                    const std::vector<std::string>& class_labels,
                                    const TerminalPlotOptions& options = {});

// A region map in characters: one letter per region (a b c ..., coloured when asked),
// or for a map of values five shades from the lowest to the highest; the map's
// points drawn on top with their class glyphs; a legend line says what is what.
std::string render_terminal_regions(const RegionMap& map, const TerminalPlotOptions& options = {});

}  // namespace hinge::lang::report

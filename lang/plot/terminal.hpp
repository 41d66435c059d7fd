// Small line plots for the terminal: Unicode braille (2x4 dots per character cell)
// or plain ASCII, with the y and x ranges on the axes and a legend.
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

}  // namespace hinge::lang::report

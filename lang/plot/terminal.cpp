// Terminal line plots: curves rasterised onto a dot grid, then packed into braille
// characters (or drawn with one ASCII marker per cell).
#include "plot/terminal.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace hinge::lang::report {

namespace {

// Bit of the braille dot at (column 0-1, row 0-3) within a cell (Unicode order).
constexpr std::array<std::array<std::uint8_t, 4>, 2> braille_bit = {
    {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}};
constexpr std::array<const char*, 6> ansi_colors = {"\x1b[34m", "\x1b[31m", "\x1b[32m",
                                                    "\x1b[35m", "\x1b[33m", "\x1b[36m"};
constexpr const char* ansi_reset = "\x1b[0m";

// UTF-8 of U+2800 + bits.
std::string braille(std::uint8_t bits) {
  std::string s(3, '\0');
  s[0] = static_cast<char>(0xE2);
  s[1] = static_cast<char>(0xA0 | (bits >> 6));
  s[2] = static_cast<char>(0x80 | (bits & 0x3F));
  return s;
}

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The dots one series covers, on a grid of dots_x by dots_y (row 0 at the top).
class DotGrid {
 public:
  DotGrid(int dots_x, int dots_y)
      : w_(dots_x), h_(dots_y), on_(static_cast<std::size_t>(dots_x) * dots_y, false) {}
  void set(long c, long r) {
    if (c >= 0 && c < w_ && r >= 0 && r < h_) on_[static_cast<std::size_t>(r) * w_ + c] = true;
  }
  bool get(long c, long r) const { return on_[static_cast<std::size_t>(r) * w_ + c]; }
  // Every dot on the straight line between two dots (a DDA with rounding).
  void segment(long c0, long r0, long c1, long r1) {
    long n = std::max(std::labs(c1 - c0), std::labs(r1 - r0));
    for (long t = 0; t <= n; ++t) {
      double f = n == 0 ? 0 : static_cast<double>(t) / n;
      set(std::lround(c0 + (c1 - c0) * f), std::lround(r0 + (r1 - r0) * f));
    }
  }

 private:
  int w_, h_;
  std::vector<bool> on_;
};

struct Range {
  double lo = INFINITY, hi = -INFINITY;
};

// Widens a range of zero width so that a constant series sits in the middle.
Range widen(Range r) {
  if (r.lo > r.hi) return {0, 1};
  if (r.lo == r.hi) {
    double pad = r.lo == 0 ? 1 : std::abs(r.lo) * 0.1;
    return {r.lo - pad, r.hi + pad};
  }
  return r;
}

}  // namespace

char terminal_marker(std::size_t i) {
  static constexpr std::array<char, 8> markers = {'*', '+', 'o', 'x', '#', '@', '%', '&'};
  return markers[i % markers.size()];
}

std::string render_terminal_plot(const std::vector<Series>& series, const TerminalPlotOptions& options) {
  const int w = std::clamp(options.width, 2, 1000), h = std::clamp(options.height, 2, 500);
  const bool uni = options.unicode;
  const int per_x = uni ? 2 : 1, per_y = uni ? 4 : 1;  // dots per cell
  const int dots_x = w * per_x, dots_y = h * per_y;

  Range rx, ry;
  for (const auto& s : series) {
    std::size_t n = std::min(s.x.size(), s.y.size());
    for (std::size_t k = 0; k < n; ++k) {
      if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k])) continue;
      rx.lo = std::min(rx.lo, s.x[k]), rx.hi = std::max(rx.hi, s.x[k]);
      ry.lo = std::min(ry.lo, s.y[k]), ry.hi = std::max(ry.hi, s.y[k]);
    }
  }
  bool any = rx.lo <= rx.hi;
  rx = widen(rx);
  ry = widen(ry);

  // Rasterise each series onto its own dot grid.
  std::vector<DotGrid> grids;
  for (const auto& s : series) {
    DotGrid g(dots_x, dots_y);
    std::size_t n = std::min(s.x.size(), s.y.size());
    bool have_prev = false;
    long pc = 0, pr = 0;
    for (std::size_t k = 0; k < n; ++k) {
      // Halves first, so that even a range of -1e308..1e308 gives finite fractions.
      double fx = (s.x[k] * 0.5 - rx.lo * 0.5) / (rx.hi * 0.5 - rx.lo * 0.5);
      double fy = (ry.hi * 0.5 - s.y[k] * 0.5) / (ry.hi * 0.5 - ry.lo * 0.5);
      if (!std::isfinite(fx) || !std::isfinite(fy)) {
        have_prev = false;  // the curve breaks at NaN and infinities
        continue;
      }
      long c = std::lround(fx * (dots_x - 1)), r = std::lround(fy * (dots_y - 1));
      if (have_prev)
        g.segment(pc, pr, c, r);
      else
        g.set(c, r);
      pc = c, pr = r, have_prev = true;
    }
    grids.push_back(std::move(g));
  }

  // Compose the cells: the union of all series' dots (ASCII: the last series' marker),
  // coloured by the last series that touched the cell.
  std::vector<std::string> cells(static_cast<std::size_t>(w) * h, " ");
  std::vector<int> owner(cells.size(), -1);
  for (int row = 0; row < h; ++row) {
    for (int col = 0; col < w; ++col) {
      std::uint8_t bits = 0;
      for (std::size_t s = 0; s < grids.size(); ++s) {
        bool touched = false;
        for (int dc = 0; dc < per_x; ++dc) {
          for (int dr = 0; dr < per_y; ++dr) {
            if (grids[s].get(col * per_x + dc, row * per_y + dr)) {
              bits |= uni ? braille_bit[dc][dr] : 1;
              touched = true;
            }
          }
        }
        if (touched) owner[row * w + col] = static_cast<int>(s);
      }
      if (bits != 0) {
        cells[row * w + col] = uni ? braille(bits) : std::string(1, terminal_marker(owner[row * w + col]));
      }
    }
  }
  // With several series in braille, stamp each series' marker every `spacing` cells
  // along its curve (staggered per series) so that the curves can be told apart.
  if (uni && series.size() > 1) {
    int spacing = std::max(6, w / 5);
    for (std::size_t s = 0; s < grids.size(); ++s) {
      for (int col = static_cast<int>(2 + 3 * s) % spacing; col < w; col += spacing) {
        for (int row = 0; row < h; ++row) {
          bool hit = false;
          for (int dc = 0; dc < per_x && !hit; ++dc) {
            for (int dr = 0; dr < per_y && !hit; ++dr) hit = grids[s].get(col * per_x + dc, row * per_y + dr);
          }
          if (hit) {
            cells[row * w + col] = std::string(1, terminal_marker(s));
            owner[row * w + col] = static_cast<int>(s);
            break;
          }
        }
      }
    }
  }

  std::string out;
  std::string y_hi = fmt::format("{:.4g}", ry.hi), y_lo = fmt::format("{:.4g}", ry.lo);
  std::size_t label_w = std::max(y_hi.size(), y_lo.size());
  const char* tick = uni ? "\xE2\x94\xA4" : "+";    // ┤
  const char* bar = uni ? "\xE2\x94\x82" : "|";     // │
  const char* corner = uni ? "\xE2\x94\x94" : "+";  // └
  const char* rule = uni ? "\xE2\x94\x80" : "-";    // ─
  if (!options.title.empty()) {
    std::size_t total = label_w + 2 + w, tw = display_width(options.title);
    out += std::string(tw < total ? (total - tw) / 2 : 0, ' ') + options.title + "\n";
  }
  for (int row = 0; row < h; ++row) {
    const std::string& label = row == 0 ? y_hi : row == h - 1 ? y_lo : std::string();
    out += fmt::format("{:>{}} {}", label, label_w, label.empty() ? bar : tick);
    int current = -1;  // the colour in effect
    for (int col = 0; col < w; ++col) {
      int o = owner[row * w + col];
      if (options.color && o != current && o >= 0) {
        out += ansi_colors[o % ansi_colors.size()];
        current = o;
      }
      out += cells[row * w + col];
    }
    if (options.color && current >= 0) out += ansi_reset;
    out += '\n';
  }
  out += std::string(label_w + 1, ' ') + corner;
  for (int col = 0; col < w; ++col) out += rule;
  out += '\n';
  std::string x_lo = fmt::format("{:.4g}", rx.lo), x_hi = fmt::format("{:.4g}", rx.hi);
  std::size_t gap =
      x_lo.size() + x_hi.size() < static_cast<std::size_t>(w) ? w - x_lo.size() - x_hi.size() : 1;
  out += std::string(label_w + 2, ' ') + x_lo + std::string(gap, ' ') + x_hi + "\n";

  // Legend: markers when several series share the plot, labels alone otherwise.
  std::string legend;
  for (std::size_t s = 0; s < series.size(); ++s) {
    if (series[s].label.empty()) continue;
    if (!legend.empty()) legend += "  ";
    std::string item =
        series.size() > 1 ? fmt::format("{} {}", terminal_marker(s), series[s].label) : series[s].label;
    legend += options.color && series.size() > 1
                  ? fmt::format("{}{}{}", ansi_colors[s % ansi_colors.size()], item, ansi_reset)
                  : item;
  }
  if (!legend.empty()) out += std::string(label_w + 2, ' ') + legend + "\n";
  if (!any) out += std::string(label_w + 2, ' ') + "(no finite points to plot)\n";
  return out;
}

}  // namespace hinge::lang::report

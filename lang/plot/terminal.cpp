// Terminal line plots: curves rasterised onto a dot grid, then packed into braille
// characters (or drawn with one ASCII marker per cell).
#include "plot/terminal.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "plot/svg.hpp"

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

// The width of the y labels plus the axis: where the plot area and legends start.
std::size_t margin(Range ry) {
  return std::max(fmt::format("{:.4g}", ry.hi).size(), fmt::format("{:.4g}", ry.lo).size()) + 2;
}

// The plot area (`cells`, row-major, `owner` the colour index of each cell or -1)
// inside its axes: the title, the y range at the left, the x range below.
std::string frame(const std::vector<std::string>& cells, const std::vector<int>& owner, int w, int h,
                  Range rx, Range ry, const TerminalPlotOptions& options) {
  const bool uni = options.unicode;
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
      const int o = owner[row * w + col];
      if (options.color && o != current && o >= 0) {
        out += ansi_colors[o % ansi_colors.size()];
        current = o;
      } else if (options.color && o < 0 && current >= 0 && cells[row * w + col] != " ") {
        out += ansi_reset;  // a cell of no colour (a point on a region map)
        current = -1;
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

  return out;
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

  std::string out = frame(cells, owner, w, h, rx, ry, options);
  const std::size_t label_w = margin(ry) - 2;
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

char terminal_class_marker(std::size_t i) {
  static constexpr std::array<char, 8> markers = {'o', 'x', '+', '*', '#', '@', '%', '&'};
  return markers[i % markers.size()];
}

namespace {

// Cell of a point inside [lo, hi] ranges: false when it falls outside or is not finite.
bool cell_of(double x, double y, Range rx, Range ry, int w, int h, int& col, int& row) {
  const double fx = (x * 0.5 - rx.lo * 0.5) / (rx.hi * 0.5 - rx.lo * 0.5);
  const double fy = (ry.hi * 0.5 - y * 0.5) / (ry.hi * 0.5 - ry.lo * 0.5);
  if (!std::isfinite(fx) || !std::isfinite(fy) || fx < 0 || fx > 1 || fy < 0 || fy > 1) return false;
  col = std::clamp(static_cast<int>(fx * w), 0, w - 1);
  row = std::clamp(static_cast<int>(fy * h), 0, h - 1);
  return true;
}

// Classes in order of first appearance is not what a reader expects: sorted numbers.
std::vector<int> distinct_classes(const std::vector<int>& classes) {
  std::vector<int> cs(classes);
  std::sort(cs.begin(), cs.end());
  cs.erase(std::unique(cs.begin(), cs.end()), cs.end());
  return cs;
}

// "o class 0  x class 1", each item in its class colour when colour is on.
std::string class_legend(const std::vector<int>& present, const std::vector<std::string>& labels,
                         const TerminalPlotOptions& options) {
  std::string legend;
  for (std::size_t i = 0; i < present.size(); ++i) {
    const int c = present[i];
    const std::string name = c >= 0 && static_cast<std::size_t>(c) < labels.size() && !labels[c].empty()
                                 ? labels[c]
                                 : fmt::format("class {}", c);
    const std::string item = fmt::format("{} {}", terminal_class_marker(i), name);
    if (!legend.empty()) legend += "  ";
    legend +=
        options.color ? fmt::format("{}{}{}", ansi_colors[i % ansi_colors.size()], item, ansi_reset) : item;
  }
  return legend;
}

}  // namespace

std::string render_terminal_scatter(const std::vector<double>& xs, const std::vector<double>& ys,
                                    const std::vector<int>& classes,
                                    const std::vector<std::string>& class_labels,
                                    const TerminalPlotOptions& options) {
  if (classes.empty()) {  // one kind of point: braille dots, never joined
    const std::size_t n = std::min(xs.size(), ys.size());
    std::vector<Series> one;
    for (std::size_t k = 0; k < n; ++k) {
      if (one.empty()) one.push_back({"", {}, {}});
      // Each point its own piece: NaN between points breaks the curve.
      one[0].x.push_back(xs[k]);
      one[0].y.push_back(ys[k]);
      one[0].x.push_back(NAN);
      one[0].y.push_back(NAN);
    }
    return render_terminal_plot(one, options);
  }
  const int w = std::clamp(options.width, 2, 1000), h = std::clamp(options.height, 2, 500);
  Range rx, ry;
  const std::size_t n = std::min({xs.size(), ys.size(), classes.size()});
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isfinite(xs[k]) || !std::isfinite(ys[k])) continue;
    rx.lo = std::min(rx.lo, xs[k]), rx.hi = std::max(rx.hi, xs[k]);
    ry.lo = std::min(ry.lo, ys[k]), ry.hi = std::max(ry.hi, ys[k]);
  }
  const bool any = rx.lo <= rx.hi;
  rx = widen(rx);
  ry = widen(ry);
  const std::vector<int> present = distinct_classes(std::vector<int>(classes.begin(), classes.begin() + n));
  std::vector<std::string> cells(static_cast<std::size_t>(w) * h, " ");
  std::vector<int> owner(cells.size(), -1);
  for (std::size_t k = 0; k < n; ++k) {
    int col = 0, row = 0;
    if (!cell_of(xs[k], ys[k], rx, ry, w, h, col, row)) continue;
    const auto i = static_cast<std::size_t>(std::lower_bound(present.begin(), present.end(), classes[k]) -
                                            present.begin());
    cells[row * w + col] = std::string(1, terminal_class_marker(i));
    owner[row * w + col] = static_cast<int>(i);
  }
  std::string out = frame(cells, owner, w, h, rx, ry, options);
  out += std::string(margin(ry), ' ') + class_legend(present, class_labels, options) + "\n";
  if (!any) out += std::string(margin(ry), ' ') + "(no finite points to plot)\n";
  return out;
}

std::string render_terminal_regions(const RegionMap& map, const TerminalPlotOptions& options) {
  const int w = std::clamp(options.width, 2, 1000), h = std::clamp(options.height, 2, 500);
  const Range rx{map.x0, map.x1}, ry{map.y0, map.y1};
  std::vector<std::string> cells(static_cast<std::size_t>(w) * h, " ");
  std::vector<int> owner(cells.size(), -1);
  // The map cell under the centre of each character cell (row 0 is the top: y1).
  auto sample = [&](int col, int row) -> std::size_t {
    const auto i = std::min<std::size_t>(map.nx - 1, static_cast<std::size_t>((col + 0.5) / w * map.nx));
    const auto j = std::min<std::size_t>(map.ny - 1, static_cast<std::size_t>((h - row - 0.5) / h * map.ny));
    return j * map.nx + i;
  };
  std::string legend;
  if (map.nx > 0 && map.ny > 0 && map.regions.size() == map.nx * map.ny) {
    // Letters without o and x, which mark points.
    static constexpr std::string_view letters = "abcdefghijklmnpqrstuvwyzABCDEFGHIJKLMNPQRSTUVWYZ";
    std::vector<long long> ids(map.regions);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::size_t shown = 0;
    std::vector<bool> seen(ids.size(), false);
    for (int row = 0; row < h; ++row)
      for (int col = 0; col < w; ++col) {
        const long long id = map.regions[sample(col, row)];
        const auto i = static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
        cells[row * w + col] = std::string(1, letters[i % letters.size()]);
        owner[row * w + col] = static_cast<int>(i);
        if (!seen[i]) {
          seen[i] = true;
          ++shown;
        }
      }
    legend = fmt::format(
        "{} regions, one letter each{}", ids.size(),
        shown < ids.size() ? fmt::format(" ({} too small to show here)", ids.size() - shown) : std::string());
    if (ids.size() > letters.size()) legend += "; letters repeat";
  } else if (map.nx > 0 && map.ny > 0 && map.values.size() == map.nx * map.ny) {
    const std::vector<std::string> shades =
        options.unicode
            ? std::vector<std::string>{" ", "\xE2\x96\x91", "\xE2\x96\x92", "\xE2\x96\x93", "\xE2\x96\x88"}
            // ░ ▒ ▓ █
            : std::vector<std::string>{" ", ".", ":", "=", "%"};
    double lo = INFINITY, hi = -INFINITY;
    for (double v : map.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    for (int row = 0; row < h; ++row)
      for (int col = 0; col < w; ++col) {
        const double v = map.values[sample(col, row)];
        if (!std::isfinite(v) || !(hi > lo)) continue;
        const auto level = std::min<std::size_t>(
            shades.size() - 1, static_cast<std::size_t>((v - lo) / (hi - lo) * shades.size()));
        cells[row * w + col] = shades[level];
      }
    legend = lo <= hi ? fmt::format("values from {:.4g} ('{}') to {:.4g} ('{}')", lo, shades.front(), hi,
                                    shades.back())
                      : std::string("no finite values");
  }
  // The points on top, one glyph per class.
  const std::size_t n = std::min(map.xs.size(), map.ys.size());
  std::vector<int> classes(n, 0);
  for (std::size_t k = 0; k < n && k < map.classes.size(); ++k) classes[k] = map.classes[k];
  const std::vector<int> present = distinct_classes(classes);
  for (std::size_t k = 0; k < n; ++k) {
    int col = 0, row = 0;
    if (!cell_of(map.xs[k], map.ys[k], rx, ry, w, h, col, row)) continue;
    const auto i = static_cast<std::size_t>(std::lower_bound(present.begin(), present.end(), classes[k]) -
                                            present.begin());
    cells[row * w + col] = std::string(1, terminal_class_marker(i));
    owner[row * w + col] = -1;  // points stand out in the plain colour
  }
  if (!options.color) std::fill(owner.begin(), owner.end(), -1);
  std::string out = frame(cells, owner, w, h, rx, ry, options);
  if (!legend.empty()) out += std::string(margin(ry), ' ') + legend + "\n";
  if (n > 0) {
    TerminalPlotOptions plain = options;
    plain.color = false;
    out += std::string(margin(ry), ' ') + class_legend(present, map.class_labels, plain) + "\n";
  }
  return out;
}

}  // namespace hinge::lang::report

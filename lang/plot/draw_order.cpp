// Which line series are hidden under later ones, and the order that shows them all
// (Note [Hidden series]).
#include "plot/draw_order.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace hinge::lang::report {

namespace {

// A series is hidden when more than this share of its pixels lies under later ones
// (Note [Hidden series]). A half let the subject of bends_negative, which runs under
// its own parts from x = -3 to 0 (less than half its drawn length), vanish there.
constexpr double kHiddenShare = 0.3;

// The plot area as a grid of 1-pixel cells.
struct Cells {
  double left, top;
  std::size_t w, h;

  // The distinct cells a series passes through, sampled every half pixel.
  std::vector<std::uint32_t> of(const std::vector<std::pair<double, double>>& pts) const {
    std::vector<std::uint32_t> out;
    auto mark = [&](double x, double y) {
      const double cx = std::floor(x - left), cy = std::floor(y - top);
      if (cx >= 0 && cy >= 0 && cx < static_cast<double>(w) && cy < static_cast<double>(h))
        out.push_back(
            static_cast<std::uint32_t>(static_cast<std::size_t>(cy) * w + static_cast<std::size_t>(cx)));
    };
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const auto [x1, y1] = pts[k];
      if (!std::isfinite(x1) || !std::isfinite(y1)) continue;
      if (k == 0 || !std::isfinite(pts[k - 1].first) || !std::isfinite(pts[k - 1].second)) {
        mark(x1, y1);
        continue;
      }
      const auto [x0, y0] = pts[k - 1];
      // Segments far outside the area are not sampled (a log axis can send them far).
      const double len = std::hypot(x1 - x0, y1 - y0);
      const double steps = std::min(std::ceil(len * 2), 20000.0);
      for (double s = 1; s <= steps; ++s) mark(x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Marks `cells` and their eight neighbours: a line within a pixel covers a 2-pixel stroke.
  void cover(std::vector<std::uint8_t>& map, const std::vector<std::uint32_t>& cells) const {
    for (std::uint32_t c : cells) {
      const std::size_t cx = c % w, cy = c / w;
      for (std::size_t y = cy > 0 ? cy - 1 : 0; y <= std::min(cy + 1, h - 1); ++y)
        for (std::size_t x = cx > 0 ? cx - 1 : 0; x <= std::min(cx + 1, w - 1); ++x) map[y * w + x] = 1;
    }
  }
};

}  // namespace

Stacking stack_series(const std::vector<std::vector<std::pair<double, double>>>& pixels, double left,
                      double top, double right, double bottom) {
  const std::size_t n = pixels.size();
  Stacking st;
  st.lifted.assign(n, -1);
  std::vector<std::size_t> rest(n);
  for (std::size_t i = 0; i < n; ++i) rest[i] = i;
  const Cells grid{left, top, static_cast<std::size_t>(std::max(1.0, std::ceil(right - left))),
                   static_cast<std::size_t>(std::max(1.0, std::ceil(bottom - top)))};
  // Dozens of series are a crowd, not a picture with a hidden claim; keep their order.
  if (n >= 2 && n <= 16 && grid.w * grid.h <= 16'000'000) {
    std::vector<std::vector<std::uint32_t>> cells;
    for (const auto& p : pixels) cells.push_back(grid.of(p));
    std::vector<std::uint8_t> map(grid.w * grid.h);
    int rank = 0;
    for (;;) {
      // The most hidden series, under the solid ones drawn after it.
      double worst = kHiddenShare;
      std::size_t pick = rest.size();
      for (std::size_t r = 0; r < rest.size(); ++r) {
        const auto& mine = cells[rest[r]];
        if (mine.empty()) continue;
        std::fill(map.begin(), map.end(), 0);
        for (std::size_t later = r + 1; later < rest.size(); ++later) grid.cover(map, cells[rest[later]]);
        std::size_t hidden = 0;
        for (std::uint32_t c : mine) hidden += map[c];
        const double share = static_cast<double>(hidden) / static_cast<double>(mine.size());
        if (share > worst) worst = share, pick = r;
      }
      if (pick == rest.size()) break;
      st.lifted[rest[pick]] = rank++;
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(pick));
    }
  }
  st.order = rest;
  // The lifted ones last, the first lifted (the most hidden) topmost.
  std::vector<std::size_t> top_down;
  for (int r = 0;; ++r) {
    auto it = std::find(st.lifted.begin(), st.lifted.end(), r);
    if (it == st.lifted.end()) break;
    top_down.push_back(static_cast<std::size_t>(it - st.lifted.begin()));
  }
  st.order.insert(st.order.end(), top_down.rbegin(), top_down.rend());
  return st;
}

const char* lifted_dash(int rank) {
  static constexpr std::array<const char*, 3> dashes = {"7 5", "2 4", "10 4 2 4"};
  return dashes[static_cast<std::size_t>(rank) % dashes.size()];
}

}  // namespace hinge::lang::report

// Marching squares over cell centres, then the segments chained into polylines and
// straightened (see contour.hpp).
#include "plot/contour.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>

namespace hinge::lang::report {

namespace {

// A crossing lies on a grid edge between two samples; its id names the edge:
// 2 * (j * nx + i) for (i, j)-(i + 1, j), and that + 1 for (i, j)-(i, j + 1).
using EdgeId = std::uint64_t;

struct Segment {
  EdgeId a, b;
};

// Straightens a polyline: drops each point within `tol` of the line through the
// last kept point and the next one (in units scaled so the box is 1 x 1).
Polyline straighten(const Polyline& p, double sx, double sy, double tol) {
  if (p.size() < 3) return p;
  Polyline out{p.front()};
  std::size_t last = 0;  // index in p of out.back()
  for (std::size_t k = 1; k + 1 < p.size(); ++k) {
    const auto& a = p[last];
    const auto& c = p[k + 1];
    // Keep p[k] when it or any point since the last kept one strays from the chord a-c.
    const double ux = (c.first - a.first) * sx, uy = (c.second - a.second) * sy;
    const double len = std::hypot(ux, uy);
    bool straight = len > 0;
    for (std::size_t q = last + 1; straight && q <= k; ++q) {
      const double wx = (p[q].first - a.first) * sx, wy = (p[q].second - a.second) * sy;
      if (std::abs(ux * wy - uy * wx) / len > tol) straight = false;
    }
    if (!straight) {
      out.push_back(p[k]);
      last = k;
    }
  }
  out.push_back(p.back());
  return out;
}

}  // namespace

std::vector<Polyline> zero_contour(const std::vector<double>& v, std::size_t nx, std::size_t ny, double x0,
                                   double x1, double y0, double y1, double tolerance) {
  std::vector<Polyline> out;
  if (nx < 2 || ny < 2 || v.size() != nx * ny) return out;
  const double dx = (x1 - x0) / static_cast<double>(nx), dy = (y1 - y0) / static_cast<double>(ny);
  auto at = [&](std::size_t i, std::size_t j) { return v[j * nx + i]; };
  auto point = [&](EdgeId e) {
    const std::size_t c = e / 2, i = c % nx, j = c / nx;
    const std::size_t i2 = e % 2 ? i : i + 1, j2 = e % 2 ? j + 1 : j;
    const double va = at(i, j), vb = at(i2, j2), t = va / (va - vb);
    const double xa = x0 + (static_cast<double>(i) + 0.5) * dx, ya = y0 + (static_cast<double>(j) + 0.5) * dy;
    const double xb = x0 + (static_cast<double>(i2) + 0.5) * dx,
                 yb = y0 + (static_cast<double>(j2) + 0.5) * dy;
    return std::pair{xa + t * (xb - xa), ya + t * (yb - ya)};
  };
  std::vector<Segment> segs;
  for (std::size_t j = 0; j + 1 < ny; ++j) {
    for (std::size_t i = 0; i + 1 < nx; ++i) {
      const double c[4] = {at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)};
      if (!std::isfinite(c[0]) || !std::isfinite(c[1]) || !std::isfinite(c[2]) || !std::isfinite(c[3]))
        continue;
      const int mask = (c[0] > 0) | (c[1] > 0) << 1 | (c[2] > 0) << 2 | (c[3] > 0) << 3;
      if (mask == 0 || mask == 15) continue;
      // The square's edges, counter-clockwise from the bottom: bottom, right, top, left.
      const EdgeId base = 2 * (j * nx + i);
      const EdgeId bottom = base, left = base + 1, right = 2 * (j * nx + i + 1) + 1,
                   top = 2 * ((j + 1) * nx + i);
      const EdgeId edge[4] = {bottom, right, top, left};
      // Edge k runs from corner k to corner k + 1; it is crossed when their signs differ.
      std::vector<EdgeId> crossed;
      for (int k = 0; k < 4; ++k)
        if (((mask >> k) & 1) != ((mask >> ((k + 1) % 4)) & 1)) crossed.push_back(edge[k]);
      if (crossed.size() == 2) {
        segs.push_back({crossed[0], crossed[1]});
      } else if (crossed.size() == 4) {
        // A saddle: the centre's sign decides which corners connect.
        const bool centre = (c[0] + c[1] + c[2] + c[3]) > 0;
        if (centre == static_cast<bool>(mask & 1)) {
          segs.push_back({crossed[0], crossed[1]});
          segs.push_back({crossed[2], crossed[3]});
        } else {
          segs.push_back({crossed[3], crossed[0]});
          segs.push_back({crossed[1], crossed[2]});
        }
      }
    }
  }
  // Chain: every crossing belongs to at most two segments (one per square beside its edge).
  std::unordered_map<EdgeId, std::vector<std::size_t>> by_edge;
  for (std::size_t s = 0; s < segs.size(); ++s) {
    by_edge[segs[s].a].push_back(s);
    by_edge[segs[s].b].push_back(s);
  }
  std::vector<bool> used(segs.size());
  auto next_from = [&](EdgeId e, std::size_t from) -> std::size_t {
    for (std::size_t s : by_edge[e])
      if (s != from && !used[s]) return s;
    return segs.size();
  };
  // Open chains start at an end (an edge of one segment); closed loops anywhere.
  std::vector<std::size_t> starts;
  for (std::size_t s = 0; s < segs.size(); ++s)
    if (by_edge[segs[s].a].size() == 1 || by_edge[segs[s].b].size() == 1) starts.push_back(s);
  for (std::size_t s = 0; s < segs.size(); ++s) starts.push_back(s);
  const double sx = 1 / (x1 - x0), sy = 1 / (y1 - y0);
  for (std::size_t s0 : starts) {
    if (used[s0]) continue;
    std::vector<EdgeId> chain;
    EdgeId head = by_edge[segs[s0].a].size() == 1 ? segs[s0].a : segs[s0].b;
    if (by_edge[segs[s0].a].size() != 1 && by_edge[segs[s0].b].size() != 1) head = segs[s0].a;
    chain.push_back(head);
    for (std::size_t s = s0; s < segs.size();) {
      used[s] = true;
      const EdgeId tail = segs[s].a == chain.back() ? segs[s].b : segs[s].a;
      chain.push_back(tail);
      s = next_from(tail, s);
    }
    Polyline line;
    line.reserve(chain.size());
    for (EdgeId e : chain) line.push_back(point(e));
    out.push_back(straighten(line, sx, sy, tolerance));
  }
  return out;
}

}  // namespace hinge::lang::report

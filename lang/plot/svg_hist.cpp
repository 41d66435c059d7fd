// Histograms (bins computed from values) and bar charts (given counts and labels).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "plot/color.hpp"
#include "plot/svg.hpp"
#include "plot/svg_frame.hpp"
#include "plot/svg_writer.hpp"

namespace hinge::lang::report {

namespace {

constexpr int max_bins = 10000;  // explicit bin counts beyond this are capped

// Bars as one path, one rectangle per non-empty bin, from y = 0 up to the count.
std::string bars_path(const Frame& f, const std::vector<double>& lefts, const std::vector<double>& rights,
                      const std::vector<double>& counts) {
  PathData d;
  double base = f.sy(0);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (!(counts[i] > 0) || !std::isfinite(counts[i])) continue;
    double x0 = f.sx(lefts[i]), x1 = f.sx(rights[i]), top = f.sy(counts[i]);
    d.rect(x0, top, x1 - x0, base - top);
  }
  return d.str();
}

double max_count(const std::vector<double>& counts) {
  double m = 0;
  for (double c : counts) {
    if (std::isfinite(c)) m = std::max(m, c);
  }
  return m > 0 ? m * 1.03 : 1;  // room above the tallest bar
}

}  // namespace

Bins make_bins(const std::vector<double>& values, int bins) {
  Bins b;
  double lo = INFINITY, hi = -INFINITY;
  bool integers = true;
  std::size_t n = 0;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++b.skipped;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    integers = integers && v == std::round(v) && std::abs(v) < 1e15;  // exact as doubles
    ++n;
  }
  if (n == 0) {
    b.edges = {0, 1};
    b.counts = {0};
    return b;
  }
  // Exactly n equal bins over [lo, hi]; lo*(1-t) + hi*t stays finite for any range.
  auto equal_bins = [&](int n) {
    if (hi == lo) lo -= 0.5, hi += 0.5;  // one distinct value: a bin of width 1
    b.edges.clear();
    for (int k = 0; k <= n; ++k) {
      double t = static_cast<double>(k) / n;
      b.edges.push_back(k == n ? hi : lo * (1 - t) + hi * t);
    }
  };
  // About sqrt(n) bins (5 to 40) when the caller did not say.
  int target = std::clamp(static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n)))), 5, 40);
  if (bins > 0) {
    equal_bins(std::min(bins, max_bins));
  } else if (!std::isfinite(hi - lo)) {
    equal_bins(target);  // a range too wide for nice widths
  } else if (integers) {
    // Whole-number widths with edges halfway between integers: each bar covers
    // whole values (counts of active inputs, say).
    double width = std::max(1.0, nice_step(hi - lo + 1, target));
    double start = width == 1 ? lo - 0.5 : std::floor(lo / width) * width - 0.5;
    for (double k = 0;; ++k) {
      b.edges.push_back(start + k * width);
      if ((k >= 1 && b.edges.back() > hi) || k > max_bins) break;
    }
  } else {
    // A nice width (1, 2 or 5 times a power of ten), edges at its multiples.
    double width = hi > lo ? nice_step(hi - lo, target) : nice_step(lo == 0 ? 1 : std::abs(lo), 5);
    double first = std::floor(lo / width), last = std::max(std::ceil(hi / width), first + 1);
    if (last - first > max_bins) {
      equal_bins(target);
    } else {
      for (double k = first; k <= last; ++k) b.edges.push_back(k * width);
    }
  }
  std::size_t count = b.edges.size() - 1;
  b.counts.assign(count, 0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    // The bin whose [left, right) holds v; the maximum falls into the last bin.
    auto it = std::upper_bound(b.edges.begin(), b.edges.end(), v);
    std::size_t k = it == b.edges.begin() ? 0 : static_cast<std::size_t>(it - b.edges.begin()) - 1;
    b.counts[std::min(k, count - 1)] += 1;
  }
  return b;
}

Rendered render_histogram_svg(const HistogramPlot& plot) {
  Rendered result;
  // Every data set, the first one being `values`.
  std::vector<std::pair<std::string, const std::vector<double>*>> sets{{plot.label, &plot.values}};
  for (const auto& [label, values] : plot.more) sets.emplace_back(label, &values);
  std::vector<double> all;
  for (const auto& set : sets) all.insert(all.end(), set.second->begin(), set.second->end());
  Bins bins = make_bins(all, plot.bins);
  // Exact zeros apart, when the bin that holds 0 holds positive values too.
  bool zero_bar = false;
  {
    bool nonnegative = true, zero = false, shared = false;
    for (double v : all) {
      if (!std::isfinite(v)) continue;
      nonnegative = nonnegative && v >= 0;
      zero = zero || v == 0;
      shared = shared || (v > 0 && v < bins.edges[1]);
    }
    if (nonnegative && zero && shared) {
      std::vector<double> positive;
      for (double v : all)
        if (!(v == 0)) positive.push_back(v);
      bins = make_bins(positive, plot.bins);
      zero_bar = true;
    }
  }
  if (bins.skipped > 0) {
    result.notes.push_back(
        fmt::format("{} NaN or infinite value{} left out", bins.skipped, bins.skipped == 1 ? "" : "s"));
  }
  if (bins.skipped == all.size()) result.notes.push_back("nothing to plot: no finite values");
  // Each set's counts over the shared bins (and its zeros, with a zero bar).
  std::vector<std::vector<double>> counts;
  std::vector<double> zeros;
  double most = 0;
  for (const auto& set : sets) {
    auto& c = counts.emplace_back(bins.counts.size(), 0.0);
    double z = 0;
    for (double v : *set.second) {
      if (!std::isfinite(v)) continue;
      if (zero_bar && v == 0) {
        ++z;
        continue;
      }
      auto it = std::upper_bound(bins.edges.begin(), bins.edges.end(), v);
      std::size_t k = it == bins.edges.begin() ? 0 : static_cast<std::size_t>(it - bins.edges.begin()) - 1;
      c[std::min(k, c.size() - 1)] += 1;
    }
    zeros.push_back(z);
    most = std::max({most, z, max_count(c) / 1.03});
  }
  const double width = bins.edges[1] - bins.edges[0];
  const double zero_lo = bins.edges.front() - 1.3 * width, zero_hi = bins.edges.front() - 0.3 * width;
  AxisLayout x = make_axis(plot.x_title, zero_bar ? zero_lo - 0.2 * width : bins.edges.front(),
                           bins.edges.back(), false, false);
  x.grid = false;
  if (zero_bar) {
    // The zero bar is a category of its own: no number ticks under it, one label.
    std::vector<double> ticks{(zero_lo + zero_hi) / 2};
    std::vector<std::string> labels{"exactly 0"};
    for (std::size_t i = 0; i < x.ticks.size(); ++i) {
      if (x.ticks[i] < bins.edges.front()) continue;
      ticks.push_back(x.ticks[i]);
      labels.push_back(x.labels[i]);
    }
    x.ticks = std::move(ticks);
    x.labels = std::move(labels);
  }
  AxisLayout y = make_axis(plot.y_title, 0, most > 0 ? most * 1.03 : 1, false, true);
  // One set: solid bars. Several: translucent, so that each shows where they overlap,
  // and the legend's swatches as the bars look (two sets: their overlap too).
  const double opacity_value = sets.size() > 1 ? 0.55 : 1.0;
  std::vector<LegendEntry> legend;
  if (sets.size() > 1) {
    for (std::size_t i = 0; i < sets.size(); ++i)
      legend.push_back(
          {LegendEntry::Kind::box, sets[i].first, series_color(i).hex(), "", 0, opacity_value, ""});
  }
  if (sets.size() == 2)
    legend.push_back(
        {LegendEntry::Kind::box, "both", series_color(1).hex(), "", 0, opacity_value, series_color(0).hex()});
  Frame f = layout_frame(plot.size, plot.title, x, y, legend, result.notes.size());
  SvgWriter svg(f.width, f.height);
  draw_background(svg, f, x, y);
  open_clip(svg, f);
  std::vector<double> lefts(bins.edges.begin(), bins.edges.end() - 1),
      rights(bins.edges.begin() + 1, bins.edges.end());
  const std::string opacity = sets.size() > 1 ? fmt::format(" fill-opacity=\"{}\"", opacity_value) : "";
  for (std::size_t i = 0; i < sets.size(); ++i) {
    svg.raw(fmt::format(
        "<path class=\"series\" data-label=\"{}\" d=\"{}\" fill=\"{}\"{} stroke=\"#ffffff\" "
        "stroke-width=\"1\"/>\n",
        xml_escape(sets[i].first), bars_path(f, lefts, rights, counts[i]), series_color(i).hex(), opacity));
    if (zero_bar) {
      svg.raw(
          fmt::format("<path class=\"zero-bar\" data-label=\"{}\" d=\"{}\" fill=\"{}\"{} stroke=\"#333333\" "
                      "stroke-width=\"1\"/>\n",
                      xml_escape(sets[i].first), bars_path(f, {zero_lo}, {zero_hi}, {zeros[i]}),
                      series_color(i).hex(), opacity));
    }
  }
  close_clip(svg);
  draw_axes(svg, f, plot.title, x, y);
  draw_legend(svg, f, legend);
  draw_notes(svg, f, result.notes);
  result.svg = svg.finish();
  return result;
}

Rendered render_bar_svg(const BarPlot& plot) {
  Rendered result;
  std::size_t n = plot.counts.size();
  std::size_t bad = 0;
  for (double c : plot.counts) bad += !std::isfinite(c);
  if (bad > 0)
    result.notes.push_back(fmt::format("{} NaN or infinite count{} not drawn", bad, bad == 1 ? "" : "s"));
  double lo = 0, hi = 0;
  for (double c : plot.counts) {
    if (std::isfinite(c)) lo = std::min(lo, c), hi = std::max(hi, c);
  }
  lo *= 1.03;  // room beyond the longest bars
  hi *= 1.03;
  if (hi == lo) hi = lo + 1;

  // A categorical x axis: bar i centred on i; label every k-th bar when crowded,
  // and turn the labels when they are longer than a bar is wide.
  AxisLayout x;
  x.title = plot.x_title;
  x.lo = -0.5;
  x.hi = n == 0 ? 0.5 : static_cast<double>(n) - 0.5;
  x.grid = false;
  std::size_t every = std::max<std::size_t>(1, (n + 39) / 40);
  double longest = 0;
  for (std::size_t i = 0; i < n && i < plot.labels.size(); i += every) {
    x.ticks.push_back(static_cast<double>(i));
    x.labels.push_back(truncate_label(plot.labels[i], 24));
    longest = std::max(longest, text_width(x.labels.back(), 12));
  }
  double slot = (plot.size.width - 140.0) / std::max<std::size_t>(n, 1) * every;
  x.rotate_labels = longest > slot * 0.9;
  AxisLayout y = make_axis(plot.y_title, lo, hi, false, true);
  Frame f = layout_frame(plot.size, plot.title, x, y, {}, result.notes.size());
  SvgWriter svg(f.width, f.height);
  draw_background(svg, f, x, y);
  open_clip(svg, f);
  PathData d;
  double base = f.sy(0);
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(plot.counts[i])) continue;
    double x0 = f.sx(i - 0.4), x1 = f.sx(i + 0.4), top = f.sy(plot.counts[i]);
    d.rect(x0, std::min(top, base), x1 - x0, std::abs(base - top));
  }
  svg.raw(fmt::format("<path class=\"series\" d=\"{}\" fill=\"{}\"/>\n", d.str(), series_color(0).hex()));
  close_clip(svg);
  if (lo < 0) svg.line(f.left, base, f.right, base, "stroke=\"#555555\"");
  draw_axes(svg, f, plot.title, x, y);
  draw_notes(svg, f, result.notes);
  result.svg = svg.finish();
  return result;
}

}  // namespace hinge::lang::report

// The plot statement: turns values into plain vectors for the report layer's
// SVG writers (line, scatter, region map, histogram) or, without `to`, a plot in
// the terminal.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "explain/explain.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/backward.hpp"
#include "hinge/format.hpp"
#include "plot/svg.hpp"
#include "plot/svg_writer.hpp"
#include "plot/terminal.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

// The <svg> element alone, without the XML declaration in front: a notebook puts
// it inside an HTML page, where a declaration is out of place (nbconvert's HTML
// export refuses one).
std::string svg_element(const std::string& svg) {
  const std::size_t at = svg.find("<svg");
  return at == std::string::npos ? svg : svg.substr(at);
}

// Note [Unit lines in region maps]
// A ReLU unit of the first layer switches where its pre-activation a*x + b*y + c
// crosses 0: a straight line in the plane. Rather than guess which weights form
// the first layer, we look at what the model computed on the grid: every column
// of a relu's input (or of the model's own k > 1 outputs) that is an affine
// function of the grid point is a unit, and its zero set is the line we draw.
// Deeper units are not affine in the input and fail the test. Among the model's
// own outputs (each a unit whose sign defines the regions) they are passed on as
// bent boundaries: the plot draws where each is 0, which bends where the units
// before it switch. A relu's input deeper in the model is not: its bends would
// crowd the picture of a model whose regions it does not define.
void add_affine_lines(const std::vector<double>& vals, std::size_t cells, std::size_t k,
                      const std::vector<double>& grid, std::size_t nx, std::vector<report::Line2>& lines,
                      std::vector<std::vector<double>>* bent = nullptr) {
  if (cells < nx + 1 || nx < 2) return;
  for (std::size_t u = 0; u < k && lines.size() < 256; ++u) {
    throw_if_interrupted();  // each unit is a pass over every cell (10^6 at resolution 1000)
    auto at = [&](std::size_t c) { return vals[c * k + u]; };
    // The plane through cells (0,0), (1,0) and (0,1) of the grid.
    const double x0 = grid[0], y0 = grid[1], dx = grid[2] - grid[0], dy = grid[2 * nx + 1] - grid[1];
    const double a = (at(1) - at(0)) / dx, b = (at(nx) - at(0)) / dy, c = at(0) - a * x0 - b * y0;
    double scale = 1e-300, worst = 0;
    for (std::size_t q = 0; q < cells; ++q) {
      const double v = at(q), fit = a * grid[2 * q] + b * grid[2 * q + 1] + c;
      scale = std::max(scale, std::abs(v));
      worst = std::max(worst, std::abs(v - fit));
    }
    if (std::isfinite(worst) && worst <= 1e-9 * scale && (a != 0 || b != 0)) {
      lines.push_back({a, b, c});
    } else if (bent && bent->size() < 64) {
      auto& field = bent->emplace_back(cells);
      for (std::size_t q = 0; q < cells; ++q) field[q] = at(q);
    }
  }
}

// The most characters of a title, an axis title or a series label a plot shows: a
// script's string or source text is cut here, once, for every kind of plot and the
// attributes that repeat it (a 1 MB title was written whole, wider than any page).
constexpr std::size_t kShownPlotText = 80;

// The `with` options each plot kind understands.
struct PlotOptions {
  std::string title, xlabel, ylabel, clabel;
  std::vector<std::string> ylabels;  // ylabel=[...]: one title per panel
  std::vector<std::size_t> panels;   // panels=[2, 2]: series per panel
  bool logx = false, logy = false;
  int bins = 0;
  int resolution = 100;
  std::optional<double> x0, x1, y0, y1;
  int width = 0, height = 0;
};

const char* kOptionNames =
    "title, xlabel, ylabel, clabel, logx, logy, bins, resolution, x0, x1, y0, y1, width, height, panels";

}  // namespace

// Flattens a tensor or a list of numbers into doubles; `what` names it in errors.
static std::vector<double> numbers_of(Interpreter& in, const Value& v, Span span, const char* what) {
  if (v.is_tensor()) return v.tensor().values();
  if (v.is_number()) return {v.number()};
  if (v.is_list()) {
    std::vector<double> out;
    for (const Value& x : v.list()) {
      if (!x.is_number())
        throw Error(span, fmt::format("{} must be numbers, found {} in the list", what, a_kind(x)));
      out.push_back(x.number());
    }
    return out;
  }
  throw Error(span, fmt::format("{} must be a tensor or a list of numbers, got {}", what, a_kind(v)));
}

// The classes of `points` points (a scatter's, or the points over a region map):
// whole numbers, one per point. A fraction is an error, not rounded: predicted
// probabilities plotted as classes became a thresholded picture without a word.
static std::vector<int> classes_of(Interpreter& in, const Value& v, Span span, std::size_t points) {
  const std::vector<double> c = numbers_of(in, v, span, "the classes");
  if (c.size() != points) throw Error(span, fmt::format("{} classes for {} points", c.size(), points));
  std::vector<int> out;
  out.reserve(c.size());
  for (std::size_t k = 0; k < c.size(); ++k) {
    if (!(c[k] == std::floor(c[k]) && std::abs(c[k]) <= 1e6))
      throw Error(span, fmt::format("the classes must be whole numbers, but point {} has {}; to colour by a "
                                    "threshold, give a comparison (y > 0.5)",
                                    k + 1, format_number(c[k])));
    out.push_back(static_cast<int>(c[k]));
  }
  return out;
}

void Interpreter::exec_plot(const Plot& p, Ctx& ctx) {
  // The source text of an operand as a plot shows it.
  auto shown_text = [this](const Ctx& c, Span span) {
    return report::truncate_label(text_of(c, span), kShownPlotText);
  };
  // ---- options ----
  PlotOptions o;
  for (const KeywordArg& k : p.options) {
    Value v = eval(*k.value, ctx);
    const std::string& n = k.name.text;
    auto str = [&] {
      if (!v.is_string())
        throw Error(k.value->span, fmt::format("'{}' must be a string, got {}", n, a_kind(v)));
      return report::truncate_label(v.string(), kShownPlotText);
    };
    auto whole = [&](int lo, int hi) {
      int64_t x = to_integer(v, k.value->span, n.c_str());
      if (x < lo || x > hi) throw Error(k.value->span, fmt::format("'{}' must be from {} to {}", n, lo, hi));
      return static_cast<int>(x);
    };
    if (n == "title")
      o.title = str();
    else if (n == "xlabel")
      o.xlabel = str();
    else if (n == "ylabel" && v.is_list()) {
      for (const Value& t : v.list()) {
        if (!t.is_string())
          throw Error(k.value->span,
                      fmt::format("'ylabel' must be a string or a list of strings, found {}", a_kind(t)));
        o.ylabels.push_back(report::truncate_label(t.string(), kShownPlotText));
      }
    } else if (n == "ylabel")
      o.ylabel = str();
    else if (n == "panels") {
      if (!v.is_list() && !v.is_tensor())
        throw Error(k.value->span, "'panels' must be a list of series counts, one per panel: panels=[2, 2]");
      for (double c : numbers_of(*this, v, k.value->span, "'panels'")) {
        if (!(c >= 1 && c <= 1000 && c == std::floor(c)))
          throw Error(k.value->span, "'panels' must be whole numbers of series, each at least 1");
        o.panels.push_back(static_cast<std::size_t>(c));
      }
    } else if (n == "clabel")
      o.clabel = str();
    else if (n == "logx")
      o.logx = truthy(v, k.value->span, "'logx'");
    else if (n == "logy")
      o.logy = truthy(v, k.value->span, "'logy'");
    else if (n == "bins")
      o.bins = whole(1, 10000);
    else if (n == "resolution")
      o.resolution = whole(2, 1000);
    else if (n == "width")
      o.width = whole(100, 10000);
    else if (n == "height")
      o.height = whole(100, 10000);
    else if (n == "x0")
      o.x0 = to_number(v, k.value->span, "'x0'");
    else if (n == "x1")
      o.x1 = to_number(v, k.value->span, "'x1'");
    else if (n == "y0")
      o.y0 = to_number(v, k.value->span, "'y0'");
    else if (n == "y1")
      o.y1 = to_number(v, k.value->span, "'y1'");
    else
      throw Error(k.name.span, fmt::format("plot has no option '{}' (options: {})", n, kOptionNames));
  }
  std::string path;
  if (p.to) {
    path = to_path(*p.to, ctx, "plot");
    // plot writes SVG only: a .png or .pdf path would get SVG text under a name
    // that promises something else.
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    // The extension is echoed only when it is short and plain (it is user data).
    const bool plain = ext.size() <= 12 && std::all_of(ext.begin(), ext.end(), [](char ch) {
                         return ch == '.' || std::isalnum(static_cast<unsigned char>(ch));
                       });
    if (ext != ".svg")
      throw Error(p.to->span, fmt::format("plot writes SVG files only: give a path ending in .svg{}{}",
                                          plain && !ext.empty() ? ", not " + ext : std::string(),
                                          ext.empty() ? std::string()
                                                      : " (make a PNG from the SVG with `rsvg-convert -o "
                                                        "plot.png plot.svg`)"));
  }
  // The terminal's colour and width, as the command line found them.
  report::TerminalPlotOptions t;
  t.unicode = options_.terminal;
  t.color = options_.color;
  t.title = o.title;
  if (options_.columns > 0) t.width = std::clamp(options_.columns - 14, 20, 60);
  auto page = [&](report::PageSize& s) {
    if (o.width) s.width = o.width;
    if (o.height) s.height = o.height;
  };
  auto label_of = [&](const Series& s) -> std::string {
    if (!s.label) return shown_text(ctx, s.value.span);
    Value l = eval(*s.label, ctx);
    return report::truncate_label(l.is_string() ? l.string() : format_plain(l), kShownPlotText);
  };
  // With `to`, the SVG goes to the file; a host that shows pictures (the Jupyter
  // kernel) gets it too, with or without `to`.
  const bool as_svg = p.to || options_.display;
  auto write = [&](const report::Rendered& r) {
    if (p.to) {
      // Atomic: a reader never sees half a plot.
      const WriteReport w = at_span(p.to->span, [&] { return write_file_atomic(path, r.svg); });
      fmt::print(out(), "wrote {}\n", path);
      note_write(w, path);
    }
    for (const std::string& note : r.notes) fmt::print(out(), "  note: {}\n", note);
    if (options_.display)
      show({{{"text/plain", fmt::format("<plot of {}>", abbreviate(text_of(ctx, p.subject.span), 60))},
             {"image/svg+xml", svg_element(r.svg)}}});
  };

  switch (p.kind) {
    case PlotKind::line: {
      Value subject = eval(p.subject, ctx);
      std::vector<report::Series> series;
      std::vector<double> xs = numbers_of(*this, subject, p.subject.span, "the x values");
      if (p.series.empty()) {  // plot ys: values over their index
        report::Series s{shown_text(ctx, p.subject.span), {}, xs};
        for (std::size_t k = 0; k < xs.size(); ++k) s.x.push_back(static_cast<double>(k));
        series.push_back(std::move(s));
      }
      for (const Series& s : p.series) {
        Value v = eval(s.value, ctx);
        if (v.is_function() || v.is_builtin()) {  // plot xs: f   means f(xs)
          stamp(ctx, s.value.span);
          v = call(v, {{subject, p.subject.span}}, {}, s.value.span, ctx);
        }
        std::vector<double> ys = numbers_of(*this, v, s.value.span, "a plotted series");
        if (ys.size() != xs.size())
          throw Error(s.value.span, fmt::format("this series has {} values but there are {} x values",
                                                ys.size(), xs.size()));
        series.push_back({label_of(s), xs, std::move(ys)});
      }
      if (as_svg) {
        report::LinePlot lp;
        lp.title = o.title;
        lp.x = {o.xlabel.empty() ? shown_text(ctx, p.subject.span) : o.xlabel, o.logx, o.x0, o.x1};
        lp.y = {o.ylabel, o.logy, o.y0, o.y1};
        lp.panels = o.panels;
        lp.panel_titles = o.ylabels;
        lp.series = std::move(series);
        page(lp.size);
        write(at_span(p.subject.span, [&] { return report::render_line_svg(lp); }));
        return;
      }
      fmt::print(out(), "{}",
                 at_span(p.subject.span, [&] { return report::render_terminal_plot(series, t); }));
      return;
    }

    case PlotKind::scatter: {
      Value subject = eval(p.subject, ctx);
      report::ScatterPlot sp;
      sp.title = o.title;
      sp.x = {o.xlabel.empty() ? "x1" : o.xlabel, o.logx, o.x0, o.x1};
      sp.y = {o.ylabel.empty() ? "x2" : o.ylabel, o.logy, o.y0, o.y1};
      if (subject.is_tensor() && subject.tensor().rank() == 2 && subject.tensor().shape().dims[1] == 2) {
        auto v = subject.tensor().values();
        for (std::size_t k = 0; k + 1 < v.size(); k += 2) {
          sp.xs.push_back(v[k]);
          sp.ys.push_back(v[k + 1]);
        }
        if (p.series.size() > 1)
          throw Error(p.series[1].value.span, "a scatter of points [N, 2] takes one series: the classes");
        if (!p.series.empty())
          sp.classes = classes_of(*this, eval(p.series[0].value, ctx), p.series[0].value.span, sp.xs.size());
      } else {
        sp.xs = numbers_of(*this, subject, p.subject.span, "the x values");
        if (p.series.size() != 1)
          throw Error(p.subject.span,
                      "scatter takes points [N, 2] (plot scatter X: classes) or x values and one "
                      "series of y values (plot scatter xs: ys)");
        sp.ys = numbers_of(*this, eval(p.series[0].value, ctx), p.series[0].value.span, "the y values");
        if (sp.ys.size() != sp.xs.size())
          throw Error(p.series[0].value.span,
                      fmt::format("{} y values for {} x values", sp.ys.size(), sp.xs.size()));
        sp.x.title = o.xlabel.empty() ? shown_text(ctx, p.subject.span) : o.xlabel;
        sp.y.title = o.ylabel.empty() ? shown_text(ctx, p.series[0].value.span) : o.ylabel;
      }
      if (as_svg) {
        page(sp.size);
        write(at_span(p.subject.span, [&] { return report::render_scatter_svg(sp); }));
        return;
      }
      fmt::print(out(), "{}", report::render_terminal_scatter(sp.xs, sp.ys, sp.classes, sp.class_labels, t));
      return;
    }

    case PlotKind::regions: {
      Value f = eval(p.subject, ctx);
      if (!f.is_function() && !f.is_builtin())
        throw Error(p.subject.span,
                    fmt::format("plot regions needs a function of points [N, 2], got {}", a_kind(f)));
      report::RegionMap map;
      map.title = o.title;
      if (!o.xlabel.empty()) map.x_title = o.xlabel;
      if (!o.ylabel.empty()) map.y_title = o.ylabel;
      // Overlay points and classes: `plot regions f: X, y`.
      if (!p.series.empty()) {
        Value X = eval(p.series[0].value, ctx);
        if (!X.is_tensor() || X.tensor().rank() != 2 || X.tensor().shape().dims[1] != 2)
          throw Error(p.series[0].value.span,
                      fmt::format("the points must be a tensor [N, 2], got {}", a_kind(X)));
        auto v = X.tensor().values();
        for (std::size_t k = 0; k + 1 < v.size(); k += 2) {
          map.xs.push_back(v[k]);
          map.ys.push_back(v[k + 1]);
        }
        if (p.series.size() > 1)
          map.classes =
              classes_of(*this, eval(p.series[1].value, ctx), p.series[1].value.span, map.xs.size());
      }
      // The box: options, else the points' range with a margin, else [-1, 1]^2.
      double lo_x = -1, hi_x = 1, lo_y = -1, hi_y = 1;
      if (!map.xs.empty()) {
        lo_x = *std::min_element(map.xs.begin(), map.xs.end());
        hi_x = *std::max_element(map.xs.begin(), map.xs.end());
        lo_y = *std::min_element(map.ys.begin(), map.ys.end());
        hi_y = *std::max_element(map.ys.begin(), map.ys.end());
        const double mx = 0.1 * std::max(hi_x - lo_x, 1e-9), my = 0.1 * std::max(hi_y - lo_y, 1e-9);
        lo_x -= mx;
        hi_x += mx;
        lo_y -= my;
        hi_y += my;
      }
      map.x0 = o.x0.value_or(lo_x);
      map.x1 = o.x1.value_or(hi_x);
      map.y0 = o.y0.value_or(lo_y);
      map.y1 = o.y1.value_or(hi_y);
      map.nx = map.ny = static_cast<std::size_t>(o.resolution);
      std::vector<double> grid;
      grid.reserve(map.nx * map.ny * 2);
      // The loops below pass over every cell (10^6 at resolution 1000) with no tensor
      // op between them: each polls the stop request (exec() reports it).
      for (std::size_t j = 0; j < map.ny; ++j) {
        throw_if_interrupted();
        for (std::size_t i = 0; i < map.nx; ++i) {
          grid.push_back(map.x0 +
                         (map.x1 - map.x0) * (static_cast<double>(i) + 0.5) / static_cast<double>(map.nx));
          grid.push_back(map.y0 +
                         (map.y1 - map.y0) * (static_cast<double>(j) + 0.5) / static_cast<double>(map.ny));
        }
      }
      stamp(ctx, p.subject.span);
      Tensor g = at_span(p.subject.span, [&] {
        return graph_.constant(Shape{static_cast<int64_t>(map.nx * map.ny), 2}, grid);
      });
      Value outv = call(f, {{Value(g), p.subject.span}}, {}, p.subject.span, ctx);
      if (!outv.is_tensor() || outv.tensor().numel() % static_cast<int64_t>(map.nx * map.ny) != 0 ||
          outv.tensor().shape().dims[0] != static_cast<int64_t>(map.nx * map.ny))
        throw Error(p.subject.span, fmt::format("the function must give one row per point ([{}, k]), got {}",
                                                map.nx * map.ny, a_kind(outv)));
      const auto vals = outv.tensor().values();
      const std::size_t cells = map.nx * map.ny, k = vals.size() / cells;
      std::size_t distinct = 0;
      if (k == 1) {
        map.values = vals;
      } else {
        // Each distinct on/off pattern of the k outputs is a region (Note: ReLU units
        // are "on" where their pre-activation is positive).
        std::map<std::vector<bool>, long long> ids;
        std::vector<bool> pat(k);
        for (std::size_t c = 0; c < cells; ++c) {
          if (c % map.nx == 0) throw_if_interrupted();
          for (std::size_t u = 0; u < k; ++u) pat[u] = vals[c * k + u] > 0;
          auto it = ids.try_emplace(pat, static_cast<long long>(ids.size())).first;
          map.regions.push_back(it->second);
        }
        distinct = ids.size();
      }
      if (k > 1) add_affine_lines(vals, cells, k, grid, map.nx, map.lines, &map.bent);
      // The colour bar says what the colour is: the function's value.
      map.value_title = o.clabel.empty() ? abbreviate(text_of(ctx, p.subject.span), 60) : o.clabel;
      for (NodeId id : ancestors(graph_, outv.tensor().id)) {
        const Node& n = graph_[id];
        if (n.op != OpKind::relu && n.op != OpKind::leaky_relu && n.op != OpKind::step) continue;
        const Tensor in{&graph_, n.in[0]};
        if (in.rank() != 2 || in.shape().dims[0] != static_cast<int64_t>(cells)) continue;
        add_affine_lines(in.values(), cells, static_cast<std::size_t>(in.shape().dims[1]), grid, map.nx,
                         map.lines);
      }
      if (k > 1) fmt::print(out(), "{} regions on a {}x{} grid\n", distinct, map.nx, map.ny);
      if (!as_svg) {
        // A character map: cells are about twice as tall as wide, so half the rows.
        t.height = std::max(8, t.width * 2 / 5);
        fmt::print(out(), "{}", report::render_terminal_regions(map, t));
        fmt::print(out(), "(an SVG with the unit boundaries: add `to \"regions.svg\"`)\n");
        return;
      }
      throw_if_interrupted();  // before the file is written
      page(map.size);
      write(at_span(p.subject.span, [&] { return report::render_region_svg(map); }));
      return;
    }

    case PlotKind::hist: {
      // plot hist a: b as "later", c  draws b and c over a's bins (see HistogramPlot).
      report::HistogramPlot hp;
      hp.title = o.title;
      hp.x_title = o.xlabel.empty() ? shown_text(ctx, p.subject.span) : o.xlabel;
      if (!o.ylabel.empty()) hp.y_title = o.ylabel;
      hp.values = numbers_of(*this, eval(p.subject, ctx), p.subject.span, "the values");
      hp.label = abbreviate(text_of(ctx, p.subject.span), 60);
      for (const Series& s : p.series)
        hp.more.emplace_back(label_of(s), numbers_of(*this, eval(s.value, ctx), s.value.span, "the values"));
      hp.bins = o.bins;
      if (!as_svg && !p.series.empty())
        throw Error(p.series[0].value.span,
                    "several histograms in one plot need a file: add `to \"hist.svg\"` (in the terminal, "
                    "plot each on its own)");
      if (as_svg) {
        page(hp.size);
        write(at_span(p.subject.span, [&] { return report::render_histogram_svg(hp); }));
        return;
      }
      report::Bins b = report::make_bins(hp.values, hp.bins);
      double most = 1;
      for (double c : b.counts) most = std::max(most, c);
      for (std::size_t i = 0; i < b.counts.size(); ++i)
        fmt::print(out(), "[{:>10.4g}, {:>10.4g})  {:>6}  {}\n", b.edges[i], b.edges[i + 1], b.counts[i],
                   std::string(static_cast<std::size_t>(std::lround(40 * b.counts[i] / most)), '#'));
      if (b.skipped) fmt::print(out(), "  ({} non-finite values skipped)\n", b.skipped);
      return;
    }
  }
}

}  // namespace hinge::lang

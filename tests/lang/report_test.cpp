// Tests of the reporting layer: nice ticks, SVG plots (well-formed, right number of
// series, escaping, NaN handling), terminal plots and the training progress output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "eval/progress.hpp"
#include "hinge/errors.hpp"
#include "plot/scale.hpp"
#include "plot/svg.hpp"
#include "plot/svg_writer.hpp"
#include "plot/terminal.hpp"
#include "xml_check.hpp"

// GCC 12 warns about designated initializers that leave members at their defaults,
// which is exactly how these option structs are meant to be used.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace hinge::lang::report;
using hinge::test::parse_xml;
using hinge::test::XmlDoc;

namespace {

// Parses an SVG and checks what every plot must have: a well-formed document whose
// root is <svg> with width, height and viewBox, and no NaN or infinity anywhere.
XmlDoc parse_svg(const std::string& svg) {
  XmlDoc doc = parse_xml(svg);
  INFO(svg.substr(0, 2000));
  REQUIRE_FALSE(doc.error.has_value());
  REQUIRE(doc.elements.at(0).name == "svg");
  CHECK(doc.elements[0].attrs.count("width") == 1);
  CHECK(doc.elements[0].attrs.count("height") == 1);
  CHECK(doc.elements[0].attrs.count("viewBox") == 1);
  for (const auto& e : doc.elements) {
    for (const auto& [name, value] : e.attrs) {
      if (name == "data-label") continue;
      INFO(e.name << " " << name << "=" << value);
      CHECK(value.find("nan") == std::string::npos);
      CHECK(value.find("inf") == std::string::npos);
    }
  }
  return doc;
}

std::vector<double> range(int n, double lo, double hi) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(lo + (hi - lo) * i / (n - 1));
  return v;
}

std::size_t count_of(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t k = s.find(what); k != std::string::npos; k = s.find(what, k + 1)) ++n;
  return n;
}

// True when `step` is 1, 2 or 5 times a power of ten.
bool is_nice(double step) {
  double m = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}

}  // namespace

TEST_CASE("nice steps are 1, 2 or 5 times a power of ten", "[report][ticks]") {
  CHECK(nice_step(6.28, 6) == 1);
  CHECK(nice_step(1, 5) == Approx(0.2));
  CHECK(nice_step(0.013, 5) == Approx(0.002));
  CHECK(nice_step(2000, 20) == 100);
  for (double lo : {-3.14159, 0.0, 1e-7, 17.3, -1234.5}) {
    for (double span : {1e-6, 0.37, 1.0, 6.28, 99.0, 12345.0}) {
      double step = nice_step(span, 6);
      INFO("lo " << lo << " span " << span << " step " << step);
      CHECK(is_nice(step));
      auto ticks = linear_ticks(lo, lo + span, step);
      CHECK(ticks.size() >= 3);
      CHECK(ticks.size() <= 13);
      for (double t : ticks) {
        CHECK(t >= lo - step * 1e-9);
        CHECK(t <= lo + span + step * 1e-9);
        CHECK(std::abs(t / step - std::round(t / step)) < 1e-6);  // a multiple of the step
      }
    }
  }
}

TEST_CASE("nice ranges and tick labels", "[report][ticks]") {
  auto [lo, hi] = nice_range(0.013, 0.987);
  CHECK(lo == 0);
  CHECK(hi == Approx(1));
  auto [a, b] = nice_range(5, 5);  // one distinct value still gets a window
  CHECK(a < 5);
  CHECK(b > 5);
  CHECK(linear_ticks(-3.14159, 3.14159, 1) == std::vector<double>{-3, -2, -1, 0, 1, 2, 3});
  auto ticks = linear_ticks(-0.3, 0.3, 0.1);
  REQUIRE(ticks.size() == 7);
  CHECK(ticks[3] == 0.0);
  CHECK_FALSE(std::signbit(ticks[3]));
  CHECK(tick_label(0.30000000000000004, 0.1) == "0.3");
  CHECK(tick_label(-3, 1) == "-3");
  CHECK(tick_label(-1e-17, 0.1) == "0");
  CHECK(tick_label(2.5, 0.5) == "2.5");
  CHECK(tick_label(4e-5, 2e-5) == "4e-05");
  CHECK(tick_label(3e6, 1e6) == "3e+06");
  CHECK(typographic_minus("-0.5") == "\u22120.5");
}

TEST_CASE("log axes tick whole decades", "[report][ticks]") {
  auto [lo, hi] = log_range(3e-13, 2.0);
  CHECK(lo == Approx(1e-13));
  CHECK(hi == Approx(10));
  auto ticks = log_ticks(1e-12, 1);
  REQUIRE(ticks.size() == 7);  // every other decade: 1e-12, 1e-10, ..., 1
  CHECK(ticks.front() == Approx(1e-12));
  CHECK(ticks.back() == Approx(1));
  CHECK(log_ticks(1, 1000) == std::vector<double>{1, 10, 100, 1000});
  CHECK(log_ticks(1, 20).size() == 5);  // under two decades: 1 2 5 10 20
  CHECK(log_tick_label(1e-12, false) == "10\u207B\u00B9\u00B2");
  CHECK(log_tick_label(100, true) == "100");
  CHECK(log_tick_label(0.001, true) == "0.001");
}

TEST_CASE("the XML checker rejects what a browser would", "[report][svg]") {
  CHECK_FALSE(parse_xml("<a x=\"1\"><b/>t &amp; u</a>").error);
  CHECK(parse_xml("<a><b></a>").error);
  CHECK(parse_xml("<a x=1/>").error);
  CHECK(parse_xml("<a>&nbsp;</a>").error);
  CHECK(parse_xml("<a>x & y</a>").error);
  CHECK(parse_xml("<a x=\"1\" x=\"2\"/>").error);
  CHECK(parse_xml("<a/><b/>").error);
  CHECK(parse_xml("<a>\xFF</a>").error);
}

TEST_CASE("a line plot has one series path per series, a legend and ticks", "[report][svg]") {
  auto xs = range(200, -3.14159, 3.14159);
  LinePlot plot{.title = "sin & fits", .x = {.title = "x"}, .y = {.title = "y"}};
  for (int k = 0; k < 4; ++k) {
    std::vector<double> ys;
    for (double x : xs) ys.push_back(std::sin(x) + 0.1 * k);
    plot.series.push_back({k == 0 ? "sin(x)" : "fit N = " + std::to_string(k), xs, ys});
  }
  Rendered r = render_line_svg(plot);
  XmlDoc doc = parse_svg(r.svg);
  CHECK(doc.count("path", "series") == 4);
  CHECK(r.notes.empty());
  auto texts = doc.texts();
  CHECK(std::find(texts.begin(), texts.end(), "sin & fits") != texts.end());
  CHECK(std::find(texts.begin(), texts.end(), "fit N = 3") != texts.end());
  // The y axis runs over nice values, and its labels are those values.
  auto labels = doc.texts();
  CHECK(std::find(labels.begin(), labels.end(), "0.5") != labels.end());
  CHECK(std::find(labels.begin(), labels.end(), "\u22120.5") != labels.end());
}

namespace {

// The series paths of a rendered SVG in drawing order: label and dash ("" solid).
std::vector<std::pair<std::string, std::string>> drawn(const XmlDoc& doc) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : doc.elements) {
    if (e.name != "path" || !e.has_class("series")) continue;
    auto dash = e.attrs.find("stroke-dasharray");
    out.emplace_back(e.attrs.at("data-label"), dash == e.attrs.end() ? "" : dash->second);
  }
  return out;
}

}  // namespace

TEST_CASE("a series hidden under later ones is drawn on top, dashed", "[report][svg]") {
  auto xs = range(200, -3, 3);
  std::vector<double> target, close, far, crossing;
  for (double x : xs) {
    target.push_back(std::sin(x));
    close.push_back(std::sin(x) + 1e-4);  // a fit that matches the target
    far.push_back(std::sin(x) + 0.8);
    crossing.push_back(0.3 * x);
  }
  SECTION("a target under a fit that matches it") {
    LinePlot plot{.x = {.title = "x"}, .y = {.title = "y"}};
    plot.series = {{"target", xs, target}, {"far", xs, far}, {"fit", xs, close}};
    XmlDoc doc = parse_svg(render_line_svg(plot).svg);
    auto d = drawn(doc);
    REQUIRE(d.size() == 3);
    CHECK(d[0] == std::pair<std::string, std::string>{"far", ""});
    CHECK(d[1] == std::pair<std::string, std::string>{"fit", ""});
    CHECK(d[2].first == "target");
    CHECK(!d[2].second.empty());
    // The legend draws the target's swatch with the same dash.
    std::size_t dashed_swatches = 0;
    for (const auto& e : doc.elements)
      dashed_swatches += e.name == "line" && e.attrs.count("stroke-dasharray") &&
                         e.attrs.at("stroke-dasharray") == d[2].second;
    CHECK(dashed_swatches == 1);
  }
  SECTION("a sum hidden under its own parts for less than half its length (bends_negative)") {
    // g = relu(x+1) + relu(x) - 3 relu(x-1) runs along relu(x+1) on [-1, 0] and along
    // zero with the other two on [-3, -1]; it bends off them after 0.
    std::vector<double> g, a, b, c;
    auto relu = [](double v) { return std::max(v, 0.0); };
    for (double x : xs) {
      a.push_back(relu(x + 1));
      b.push_back(relu(x));
      c.push_back(-3 * relu(x - 1));
      g.push_back(a.back() + b.back() + c.back());
    }
    LinePlot plot{.x = {.title = "x"}, .y = {.title = "y"}};
    plot.series = {{"g", xs, g}, {"relu(x+1)", xs, a}, {"relu(x)", xs, b}, {"-3 relu(x-1)", xs, c}};
    auto d = drawn(parse_svg(render_line_svg(plot).svg));
    REQUIRE(d.size() == 4);
    CHECK(d.back().first == "g");
    CHECK(!d.back().second.empty());
  }
  SECTION("curves that only cross keep their order and stay solid") {
    LinePlot plot{.x = {.title = "x"}, .y = {.title = "y"}};
    plot.series = {{"sin", xs, target}, {"line", xs, crossing}, {"shifted", xs, far}};
    auto d = drawn(parse_svg(render_line_svg(plot).svg));
    REQUIRE(d.size() == 3);
    CHECK(d[0] == std::pair<std::string, std::string>{"sin", ""});
    CHECK(d[1] == std::pair<std::string, std::string>{"line", ""});
    CHECK(d[2] == std::pair<std::string, std::string>{"shifted", ""});
  }
  SECTION("two hidden curves: both on top, with different dashes, the most hidden topmost") {
    // One curve equal to a later one everywhere, one equal to a later one on 3/4 of x.
    const std::vector<double>& same = far;
    std::vector<double> mostly;
    for (std::size_t k = 0; k < xs.size(); ++k) mostly.push_back(k < 150 ? crossing[k] : -2.0);
    LinePlot plot{.x = {.title = "x"}, .y = {.title = "y"}};
    plot.series = {{"a", xs, same}, {"b", xs, mostly}, {"c", xs, crossing}, {"d", xs, far}};
    auto d = drawn(parse_svg(render_line_svg(plot).svg));
    REQUIRE(d.size() == 4);
    CHECK(d[0].first == "c");
    CHECK(d[1].first == "d");
    CHECK(d[2].first == "b");
    CHECK(d[3].first == "a");
    CHECK(!d[2].second.empty());
    CHECK(!d[3].second.empty());
    CHECK(d[2].second != d[3].second);
  }
}

TEST_CASE("a line plot in panels: one y axis per panel, titled, unique clip ids", "[report][svg]") {
  auto xs = range(20, 1, 20);
  std::vector<double> big, small;
  for (double x : xs) big.push_back(std::pow(10.0, x)), small.push_back(1 / x);
  LinePlot plot{.title = "two kinds", .x = {.title = "k"}, .y = {.log = true}};
  plot.series = {{"cond", xs, big}, {"|grad|", xs, small}};
  plot.panels = {1, 1};
  plot.panel_titles = {"condition number", "gradient norm"};
  const std::string svg = render_line_svg(plot).svg;
  XmlDoc doc = parse_svg(svg);
  CHECK(doc.count("svg", "panel") == 2);
  CHECK(doc.count("path", "series") == 2);
  auto texts = doc.texts("axis-title");
  CHECK(std::count(texts.begin(), texts.end(), "condition number") == 1);
  CHECK(std::count(texts.begin(), texts.end(), "gradient norm") == 1);
  CHECK(std::count(texts.begin(), texts.end(), "k") == 1);  // the x title once, at the bottom
  CHECK(count_of(svg, "id=\"plot-area-1\"") == 1);
  CHECK(count_of(svg, "id=\"plot-area-2\"") == 1);
  CHECK(count_of(svg, "id=\"plot-area\"") == 0);
  // The panels' tick labels (10^20 against 0.05) and legends differ in width, and
  // their plot areas still share both edges: the x axes line up.
  std::vector<std::pair<std::string, std::string>> areas;
  for (const auto& e : doc.elements)
    if (e.name == "rect" && e.attrs.count("fill") && e.attrs.at("fill") == "#fafafa")
      areas.emplace_back(e.attrs.at("x"), e.attrs.at("width"));
  REQUIRE(areas.size() == 2);
  CHECK(areas[0] == areas[1]);
  plot.series[1].label = "the gradient's norm at w = 0, every layer";
  XmlDoc wide = parse_svg(render_line_svg(plot).svg);
  areas.clear();
  for (const auto& e : wide.elements)
    if (e.name == "rect" && e.attrs.count("fill") && e.attrs.at("fill") == "#fafafa")
      areas.emplace_back(e.attrs.at("x"), e.attrs.at("width"));
  REQUIRE(areas.size() == 2);
  CHECK(areas[0] == areas[1]);
  plot.panels = {1, 2};
  CHECK_THROWS_AS(render_line_svg(plot), hinge::DomainError);
}

TEST_CASE("labels with markup characters are escaped", "[report][svg]") {
  std::string nasty = "<script>alert('x') & \"y\"</script>";
  LinePlot plot{.title = nasty, .x = {.title = nasty}, .y = {.title = "a < b"}};
  plot.series.push_back({nasty, {0, 1}, {0, 1}});
  XmlDoc doc = parse_svg(render_line_svg(plot).svg);
  CHECK(doc.count("script") == 0);
  auto texts = doc.texts("title");
  REQUIRE(texts.size() == 1);
  CHECK(texts[0] == nasty);
  bool found = false;
  for (const auto& e : doc.elements)
    found = found || (e.has_class("series") && e.attrs.at("data-label") == nasty);
  CHECK(found);
}

TEST_CASE("a title longer than the page is cut to it, not run off both edges", "[report][svg]") {
  const std::string title(200, 'T');
  LinePlot plot{.title = title};
  plot.series.push_back({"s", {0, 1}, {0, 1}});
  const Rendered r = render_line_svg(plot);
  XmlDoc doc = parse_svg(r.svg);
  auto texts = doc.texts("title");
  REQUIRE(texts.size() == 1);
  // 0.6 em per character at 15 px: what fits between 10 px margins of the page.
  const double width = std::stod(doc.elements.front().attrs.at("width"));
  const auto fits = static_cast<std::size_t>((width - 20) / 9);
  CHECK(texts[0].size() < title.size());
  CHECK(texts[0].rfind("\xE2\x80\xA6") == texts[0].size() - 3);  // ends in an ellipsis
  CHECK(texts[0].size() - 3 + 1 <= fits);                        // characters, the ellipsis one
  // A title that fits is whole.
  plot.title = "short";
  CHECK(parse_svg(render_line_svg(plot).svg).texts("title") == std::vector<std::string>{"short"});
}

TEST_CASE("NaN and infinity break a line instead of corrupting the file", "[report][svg]") {
  LinePlot plot;
  plot.series.push_back({"broken", {0, 1, 2, 3, 4, 5, 6}, {0, 1, NAN, 3, INFINITY, 5, 6}});
  plot.series.push_back({"all nan", {0, 1}, {NAN, NAN}});
  Rendered r = render_line_svg(plot);
  XmlDoc doc = parse_svg(r.svg);
  REQUIRE(doc.count("path", "series") == 2);
  std::string d;
  for (const auto& e : doc.elements) {
    if (e.has_class("series") && e.attrs.at("data-label") == "broken") d = e.attrs.at("d");
  }
  CHECK(count_of(d, "M") == 3);  // 0-1, 5-6, and the lone point 3 as a ring (M, two arcs)
  CHECK(count_of(d, "a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0") == 1);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].find("4 points") == 0);
  CHECK(doc.count("text", "note") == 1);
}

TEST_CASE("a log-scale plot skips non-positive values with a note", "[report][svg]") {
  std::vector<double> layer, norm;
  for (int l = 1; l <= 20; ++l) {
    layer.push_back(l);
    norm.push_back(l == 5 ? 0.0 : std::pow(0.25, 20 - l));
  }
  LinePlot plot{.title = "gradient norm per layer",
                .x = {.title = "layer"},
                .y = {.title = "norm", .log = true},
                .series = {{"sigmoid", layer, norm}}};
  Rendered r = render_line_svg(plot);
  XmlDoc doc = parse_svg(r.svg);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == "1 non-positive y value skipped (log scale)");
  auto labels = doc.texts();
  CHECK(std::find(labels.begin(), labels.end(), "10\u207B\u00B9\u00B2") != labels.end());
  CHECK(std::find(labels.begin(), labels.end(), "10\u2070") != labels.end());
}

TEST_CASE("mismatched x and y are an error", "[report][svg]") {
  LinePlot plot;
  plot.series.push_back({"s", {1, 2, 3}, {1, 2}});
  CHECK_THROWS_AS(render_line_svg(plot), hinge::DomainError);
}

TEST_CASE("a scatter plot has one series per class", "[report][svg]") {
  ScatterPlot plot{.title = "moons"};
  for (int i = 0; i < 100; ++i) {
    plot.xs.push_back(std::cos(i * 0.1));
    plot.ys.push_back(std::sin(i * 0.1));
    plot.classes.push_back(i % 3);
  }
  plot.xs[7] = NAN;
  plot.class_labels = {"zero", "one"};
  Rendered r = render_scatter_svg(plot);
  XmlDoc doc = parse_svg(r.svg);
  CHECK(doc.count("path", "series") == 3);
  auto texts = doc.texts();
  CHECK(std::find(texts.begin(), texts.end(), "zero") != texts.end());
  CHECK(std::find(texts.begin(), texts.end(), "class 2") != texts.end());
  CHECK(r.notes.size() == 1);
}

TEST_CASE("clip_line cuts a line to the box", "[report][svg]") {
  auto s = clip_line({1, 1, -1}, 0, 1, 0, 1);  // x + y = 1
  REQUIRE(s);
  std::vector<std::pair<double, double>> ends{{(*s)[0], (*s)[1]}, {(*s)[2], (*s)[3]}};
  std::sort(ends.begin(), ends.end());
  CHECK(ends[0].first == Approx(0));
  CHECK(ends[0].second == Approx(1));
  CHECK(ends[1].first == Approx(1));
  CHECK(ends[1].second == Approx(0));
  CHECK_FALSE(clip_line({1, 1, -5}, 0, 1, 0, 1));  // misses the box
  CHECK_FALSE(clip_line({0, 0, 1}, 0, 1, 0, 1));   // not a line
  auto v = clip_line({1, 0, -0.25}, 0, 1, 0, 1);   // x = 0.25
  REQUIRE(v);
  CHECK((*v)[0] == Approx(0.25));
  CHECK(std::abs((*v)[1] - (*v)[3]) == Approx(1));
}

TEST_CASE("a region map colours regions, merges runs and draws the lines", "[report][svg]") {
  RegionMap map{.title = "regions", .x0 = -1, .x1 = 1, .y0 = -1, .y1 = 1, .nx = 40, .ny = 30};
  map.lines = {{1, 0, 0}, {0, 1, 0.2}, {1, 1, -0.5}, {1, -1, 0.1}, {0.3, 1, 0}, {1, 0.2, 0.7}, {1, 0, -5}};
  for (std::size_t j = 0; j < map.ny; ++j) {
    for (std::size_t i = 0; i < map.nx; ++i) {
      double x = -1 + (i + 0.5) * 2 / 40.0, y = -1 + (j + 0.5) * 2 / 30.0;
      long long id = 0;
      for (std::size_t k = 0; k < map.lines.size(); ++k) {
        id |= static_cast<long long>(map.lines[k].a * x + map.lines[k].b * y + map.lines[k].c > 0) << k;
      }
      map.regions.push_back(id);
    }
  }
  map.xs = {0, 0, 1, 1};
  map.ys = {0, 1, 0, 1};
  map.classes = {0, 1, 1, 0};
  Rendered r = render_region_svg(map);
  XmlDoc doc = parse_svg(r.svg);
  std::set<long long> ids(map.regions.begin(), map.regions.end());
  CHECK(doc.count("path", "region") <= ids.size());  // one path per colour
  CHECK(doc.count("path", "region") >= 3);
  CHECK(doc.count("path", "series") == 2);  // the two point classes
  REQUIRE(doc.count("path", "boundary") == 1);
  std::string d;
  for (const auto& e : doc.elements) {
    if (e.has_class("boundary")) d = e.attrs.at("d");
  }
  CHECK(count_of(d, "M") == 6);  // the seventh line, x = 5, misses the box
  // Runs merge: far fewer rectangles than cells.
  std::size_t rects = 0;
  for (const auto& e : doc.elements) {
    if (e.has_class("region")) rects += count_of(e.attrs.at("d"), "Z");
  }
  CHECK(rects < map.nx * map.ny / 4);
}

namespace {

// The fill of the cell whose centre is at page point (px, py): the region path whose
// rectangles ("M x y h w v h h -w Z" or similar) contain it. Reads the rectangles
// back from each path's data, as numbers after M, h and v.
std::string fill_at(const XmlDoc& doc, double px, double py) {
  for (const auto& e : doc.elements) {
    if (!e.has_class("region")) continue;
    const std::string& d = e.attrs.at("d");
    std::size_t k = 0;
    while ((k = d.find('M', k)) != std::string::npos) {
      double x = 0, y = 0, w = 0, h = 0;
      if (std::sscanf(d.c_str() + k, "M%lf %lfh%lfv%lf", &x, &y, &w, &h) == 4 ||
          std::sscanf(d.c_str() + k, "M%lf,%lfh%lfv%lf", &x, &y, &w, &h) == 4) {
        if (px >= x && px < x + w && py >= y && py < y + h) return e.attrs.at("fill");
      }
      ++k;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("a region map gives regions that touch different colours", "[report][svg]") {
  // 30 vertical stripes, ids far apart in rank order next to each other: ranks 0, 15, 1, 16, ...
  RegionMap map{.x0 = 0, .x1 = 30, .y0 = 0, .y1 = 10, .nx = 30, .ny = 10};
  for (std::size_t j = 0; j < map.ny; ++j)
    for (std::size_t i = 0; i < map.nx; ++i)
      map.regions.push_back(static_cast<long long>(i % 2 ? 15 + i / 2 : i / 2));
  XmlDoc doc = parse_svg(render_region_svg(map).svg);
  std::string d0;
  for (const auto& e : doc.elements)
    if (e.has_class("region")) d0 = e.attrs.at("d");
  INFO(d0.substr(0, 200));
  // The cells' page positions, from the frame: the stripes share the plot area equally.
  double left = 0, top = 0, width = 0, height = 0;
  for (const auto& e : doc.elements) {
    if (e.name == "clipPath" || e.name != "rect" || !e.attrs.count("fill") || e.attrs.at("fill") != "#fafafa")
      continue;
    left = std::stod(e.attrs.at("x"));
    top = std::stod(e.attrs.at("y"));
    width = std::stod(e.attrs.at("width"));
    height = std::stod(e.attrs.at("height"));
  }
  REQUIRE(width > 0);
  std::vector<std::string> fills;
  for (int i = 0; i < 30; ++i) fills.push_back(fill_at(doc, left + (i + 0.5) * width / 30, top + height / 2));
  for (int i = 0; i + 1 < 30; ++i) {
    INFO("stripes " << i << " and " << i + 1);
    REQUIRE(!fills[i].empty());
    CHECK(fills[i] != fills[i + 1]);
  }
}

TEST_CASE("a region map draws deeper units' bent boundaries, each distinct unit line once", "[report][svg]") {
  RegionMap map{.x0 = -1, .x1 = 1, .y0 = -1, .y1 = 1, .nx = 50, .ny = 50};
  map.lines = {{1, 0, 0}, {2, 0, 0}, {0, 1, 0.5}};  // x = 0 twice, scaled: one line
  std::vector<double> bent;
  for (std::size_t j = 0; j < map.ny; ++j) {
    for (std::size_t i = 0; i < map.nx; ++i) {
      const double x = -1 + (i + 0.5) / 25.0, y = -1 + (j + 0.5) / 25.0;
      bent.push_back(std::abs(x) + y - 0.3);  // a V: bends where x = 0
      map.regions.push_back((x > 0) + 2 * (y + 0.5 > 0) + 4 * (bent.back() > 0));
    }
  }
  map.bent = {bent};
  Rendered r = render_region_svg(map);
  XmlDoc doc = parse_svg(r.svg);
  auto texts = doc.texts();
  CHECK(std::find(texts.begin(), texts.end(), "unit boundaries (2)") != texts.end());
  CHECK(std::find(texts.begin(), texts.end(), "bent boundaries, deeper units (1)") != texts.end());
  REQUIRE(doc.count("path", "bent-boundary") == 1);
  // The V is two straight pieces: a handful of points, not one per cell.
  for (const auto& e : doc.elements) {
    if (!e.has_class("bent-boundary")) continue;
    const std::string& d = e.attrs.at("d");
    CHECK(count_of(d, "M") == 1);
    CHECK(count_of(d, "L") + count_of(d, "l") <= 6);
  }
}

TEST_CASE("a wide region map gets a page of its shape, without an empty band", "[report][svg]") {
  RegionMap map{.x0 = 0, .x1 = 4, .y0 = 0, .y1 = 1, .nx = 8, .ny = 2};
  map.regions.assign(16, 0);
  XmlDoc doc = parse_svg(render_region_svg(map).svg);
  const double height = std::stod(doc.elements[0].attrs.at("height"));
  CHECK(height < 300);  // the plot is 4:1; the default page is 800 x 500
  CHECK(height > 100);
}

TEST_CASE("a value map is smooth, has a titled colour bar and draws where it is 0", "[report][svg]") {
  RegionMap map{.x0 = -1, .x1 = 1, .y0 = -1, .y1 = 1, .nx = 40, .ny = 40, .value_title = "score"};
  for (std::size_t j = 0; j < map.ny; ++j)
    for (std::size_t i = 0; i < map.nx; ++i)
      map.values.push_back((i + 0.5) / 20.0 - 1 + 0.5 * ((j + 0.5) / 20.0 - 1));
  Rendered r = render_region_svg(map);
  XmlDoc doc = parse_svg(r.svg);
  CHECK(doc.count("path", "region") == 0);
  REQUIRE(doc.count("image", "values") == 1);
  for (const auto& e : doc.elements) {
    if (e.name == "image") CHECK(e.attrs.at("href").rfind("data:image/png;base64,iVBORw0KGgo", 0) == 0);
  }
  CHECK(doc.texts("colorbar-title") == std::vector<std::string>{"score"});
  auto texts = doc.texts();
  CHECK(std::find(texts.begin(), texts.end(), "score = 0") != texts.end());
  REQUIRE(doc.count("path", "zero-level") == 1);
  for (const auto& e : doc.elements) {
    if (e.has_class("zero-level")) CHECK(count_of(e.attrs.at("d"), "M") == 1);  // one straight line
  }
}

TEST_CASE("a value map is well-formed and checks its input", "[report][svg]") {
  RegionMap map{.x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1, .nx = 10, .ny = 10};
  for (int k = 0; k < 100; ++k) map.values.push_back(k == 50 ? NAN : (k % 10) - 4.5);
  XmlDoc doc = parse_svg(render_region_svg(map).svg);
  CHECK(doc.count("g", "colorbar") == 1);
  map.values.pop_back();
  CHECK_THROWS_AS(render_region_svg(map), hinge::DomainError);
  map.values.push_back(1);
  map.regions.assign(100, 1);
  CHECK_THROWS_AS(render_region_svg(map), hinge::DomainError);  // both kinds given
}

TEST_CASE("histograms overlay data sets and give exact zeros a bar of their own", "[report][hist]") {
  HistogramPlot h{
      .title = "open counts", .x_title = "inputs", .values = {0, 0, 0, 1, 2, 15, 40, 80, 120, 199}};
  h.label = "at init";
  h.more = {{"trained", {0, 0, 3, 30, 60, 90, 150, 200}}};
  h.bins = 20;
  XmlDoc doc = parse_svg(render_histogram_svg(h).svg);
  CHECK(doc.count("path", "series") == 2);
  REQUIRE(doc.count("path", "zero-bar") == 2);
  auto texts = doc.texts();
  CHECK(std::find(texts.begin(), texts.end(), "at init") != texts.end());
  CHECK(std::find(texts.begin(), texts.end(), "trained") != texts.end());
  CHECK(std::find(texts.begin(), texts.end(), "exactly 0") != texts.end());
  // The legend's swatches are as translucent as the bars, and one more shows their
  // overlap: the second colour over the first.
  CHECK(std::find(texts.begin(), texts.end(), "both") != texts.end());
  std::vector<std::string> swatches;
  for (const auto& e : doc.elements)
    if (e.name == "rect" && e.attrs.count("fill-opacity")) swatches.push_back(e.attrs.at("fill"));
  CHECK(swatches.size() == 4);  // at init, trained, and both: the first colour under the second
  if (swatches.size() == 4) {
    CHECK(swatches[0] != swatches[1]);
    CHECK(swatches[2] == swatches[0]);
    CHECK(swatches[3] == swatches[1]);
  }
  // The zero bars stand left of every other bar; the first set's is 3 units tall,
  // the second's 2: its rectangle is 2/3 as high.
  double zero_right = 0, other_left = 1e9;
  std::vector<double> heights;
  for (const auto& e : doc.elements) {
    if (e.name != "path") continue;
    const std::string& d = e.attrs.count("d") ? e.attrs.at("d") : "";
    double x = 0, y = 0, w = 0, hh = 0;
    for (std::size_t k = d.find('M'); k != std::string::npos; k = d.find('M', k + 1)) {
      if (std::sscanf(d.c_str() + k, "M%lf %lfh%lfv%lf", &x, &y, &w, &hh) != 4) continue;
      if (e.has_class("zero-bar")) {
        zero_right = std::max(zero_right, x + w);
        heights.push_back(hh);
      } else if (e.has_class("series")) {
        other_left = std::min(other_left, x);
      }
    }
  }
  CHECK(zero_right < other_left);
  REQUIRE(heights.size() == 2);
  CHECK(heights[1] / heights[0] == Approx(2.0 / 3).epsilon(0.01));
  // Without exact zeros among small values there is no zero bar.
  HistogramPlot plain{.x_title = "x", .values = {1, 2, 3, 4, 5}};
  CHECK(parse_svg(render_histogram_svg(plain).svg).count("path", "zero-bar") == 0);
}

TEST_CASE("histogram bins", "[report][hist]") {
  Bins b = make_bins({0, 1, 1, 2, 2, 2, NAN}, 0);
  CHECK(b.skipped == 1);
  REQUIRE(b.edges == std::vector<double>{-0.5, 0.5, 1.5, 2.5});  // whole numbers get their own bars
  CHECK(b.counts == std::vector<double>{1, 2, 3});
  Bins c = make_bins({0.0, 0.25, 0.5, 1.0}, 4);
  CHECK(c.counts == std::vector<double>{1, 1, 1, 1});  // the maximum falls into the last bin
  std::vector<double> many;
  for (int i = 0; i < 1000; ++i) many.push_back(std::sin(i * 1.7) * 3.3);
  Bins d = make_bins(many);
  double total = 0;
  for (double n : d.counts) total += n;
  CHECK(total == 1000);
  CHECK(is_nice(d.edges[1] - d.edges[0]));
  Bins e = make_bins({}, 0);
  CHECK(e.counts.size() == 1);
}

TEST_CASE("histograms and bar charts render", "[report][hist]") {
  HistogramPlot h{.title = "activations", .x_title = "count", .values = {1, 2, 2, 3, 3, 3, NAN}};
  Rendered r = render_histogram_svg(h);
  XmlDoc doc = parse_svg(r.svg);
  CHECK(doc.count("path", "series") == 1);
  CHECK(r.notes.size() == 1);
  BarPlot bars{.title = "a & b", .counts = {3, 1, 4}, .labels = {"one", "<two>", "three"}};
  XmlDoc doc2 = parse_svg(render_bar_svg(bars).svg);
  CHECK(doc2.count("path", "series") == 1);
  auto texts = doc2.texts();
  CHECK(std::find(texts.begin(), texts.end(), "<two>") != texts.end());
}

TEST_CASE("a braille terminal plot of a diagonal", "[report][terminal]") {
  Series diag{"diag", {0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}};
  std::string expected =
      "7 ┤  ⡠⠊\n"
      "0 ┤⡠⠊  \n"
      "  └────\n"
      "   0  7\n"
      "   diag\n";
  CHECK(render_terminal_plot({diag}, {.width = 4, .height = 2}) == expected);
  std::string ascii =
      "7 +  **\n"
      "0 +**  \n"
      "  +----\n"
      "   0  7\n"
      "   diag\n";
  CHECK(render_terminal_plot({diag}, {.width = 4, .height = 2, .unicode = false}) == ascii);
}

TEST_CASE("terminal plots: legend markers, NaN gaps, size", "[report][terminal]") {
  auto xs = range(100, -3, 3);
  std::vector<double> a, b;
  for (double x : xs) a.push_back(std::sin(x)), b.push_back(std::cos(x));
  a[50] = NAN;
  std::string out = render_terminal_plot({{"sin", xs, a}, {"cos", xs, b}});
  CHECK(out.find("* sin  + cos") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 15 + 3);  // rows, axis, x labels, legend
  CHECK(out.find('*') < out.find("* sin"));                   // markers on the curves
  std::string plain = render_terminal_plot({{"sin", xs, a}}, {.unicode = false});
  for (char c : plain) CHECK(static_cast<unsigned char>(c) < 0x80);
  std::string empty = render_terminal_plot({{"nothing", {1, 2}, {NAN, NAN}}});
  CHECK(empty.find("no finite points") != std::string::npos);
}

TEST_CASE("terminal plots: colour per series only when asked", "[report][terminal]") {
  auto xs = range(40, 0, 1);
  std::vector<double> up(xs), down;
  for (double x : xs) down.push_back(1 - x);
  const std::string plain = render_terminal_plot({{"up", xs, up}, {"down", xs, down}});
  CHECK(plain.find('\x1b') == std::string::npos);
  const std::string colour = render_terminal_plot({{"up", xs, up}, {"down", xs, down}}, {.color = true});
  CHECK(colour.find("\x1b[34m") != std::string::npos);  // series 0: blue
  CHECK(colour.find("\x1b[31m") != std::string::npos);  // series 1: red
  CHECK(colour.find("\x1b[34m* up\x1b[0m") != std::string::npos);
  CHECK(colour.find("\x1b[31m+ down\x1b[0m") != std::string::npos);
}

TEST_CASE("terminal scatter: dots, one glyph per class, a legend, never joined", "[report][terminal]") {
  // Class 0 at (0, 0) and (10, 10), class 1 at (0, 10) and (10, 0).
  const std::vector<double> xs = {0, 10, 0, 10}, ys = {0, 10, 10, 0};
  const std::vector<int> classes = {0, 0, 1, 1};
  const std::string out =
      render_terminal_scatter(xs, ys, classes, {}, {.width = 11, .height = 5, .unicode = false});
  INFO(out);
  CHECK(std::count(out.begin(), out.end(), 'o') == 2 + 1);  // two class-0 points, the legend's glyph
  CHECK(std::count(out.begin(), out.end(), 'x') == 2 + 1);
  CHECK(out.find("o class 0  x class 1\n") != std::string::npos);
  // No line between (0, 0) and (10, 10): the rows between hold no marks.
  const std::vector<std::string> expected_rows = {"10 +x         o\n", "   |           \n",
                                                  "   |           \n", "   |           \n",
                                                  " 0 +o         x\n"};
  for (const std::string& row : expected_rows) CHECK(out.find(row) != std::string::npos);
  // Labels name the classes when given; colours follow the classes.
  const std::string named = render_terminal_scatter(xs, ys, classes, {"inner", "outer"}, {.color = true});
  CHECK(named.find("\x1b[34mo inner\x1b[0m  \x1b[31mx outer\x1b[0m") != std::string::npos);
  // Without classes: braille dots, each point alone.
  const std::string dots = render_terminal_scatter({0, 1, 2}, {0, 2, 1}, {}, {}, {.width = 3, .height = 1});
  CHECK(dots.find("\xE2\xA0") != std::string::npos);
}

TEST_CASE("terminal region map: a letter per region, points on top", "[report][terminal]") {
  RegionMap map;
  map.x0 = 0, map.x1 = 4, map.y0 = 0, map.y1 = 2;
  map.nx = 4, map.ny = 2;
  map.regions = {0, 0, 1, 1,   // bottom row (y from 0 to 1)
                 2, 2, 1, 1};  // top row
  map.xs = {0.5};
  map.ys = {1.5};
  map.classes = {1};
  const std::string out = render_terminal_regions(map, {.width = 4, .height = 2, .unicode = false});
  INFO(out);
  CHECK(out.find("2 +ocbb\n") != std::string::npos);  // the point in region "c" (id 2), top left
  CHECK(out.find("0 +aabb\n") != std::string::npos);
  CHECK(out.find("3 regions, one letter each\n") != std::string::npos);
  CHECK(out.find("o class 1\n") != std::string::npos);

  RegionMap values;
  values.x0 = 0, values.x1 = 1, values.y0 = 0, values.y1 = 1;
  values.nx = 5, values.ny = 1;
  values.values = {0, 1, 2, 3, 4};
  const std::string shades = render_terminal_regions(values, {.width = 5, .height = 2, .unicode = false});
  INFO(shades);
  CHECK(shades.find("+ .:=%\n") != std::string::npos);
  CHECK(shades.find("values from 0 (' ') to 4 ('%')") != std::string::npos);
}

namespace {

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  void advance(int ms) { now += std::chrono::milliseconds(ms); }
};

// Runs `body` with a Progress writing to a memory stream, and returns the output.
template <typename Body>
std::string capture(Body body) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  body(out);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

}  // namespace

TEST_CASE("progress: plain lines at the logging interval, then the report", "[report][progress]") {
  FakeClock clock;
  std::string out = capture([&](std::FILE* f) {
    Progress p(50, false, f, {.log_every = 10, .clock = [&] { return clock.now; }});
    for (int step = 1; step <= 50; ++step) {
      clock.advance(10);
      p.update(step, 1.0 / step);
    }
    p.finish(1.0 / 51);  // the loss of the params the last update left
    p.finish(0.0);       // only once
  });
  CHECK(out ==
        "step 10/50  loss 0.1\n"
        "step 20/50  loss 0.05\n"
        "step 30/50  loss 0.03333\n"
        "step 40/50  loss 0.025\n"
        "step 50/50  loss 0.02\n"
        "50 steps in 0.50 s (100 steps/s)\n"
        "loss  first 1  final 0.01961  best 0.01961 at the end\n");
}

TEST_CASE("progress: a final loss above a step's leaves that step the best", "[report][progress]") {
  FakeClock clock;
  std::string out = capture([&](std::FILE* f) {
    Progress p(3, false, f, {.log_every = 1, .clock = [&] { return clock.now; }});
    for (int step = 1; step <= 3; ++step) p.update(step, step == 2 ? 0.25 : 1.0);
    p.finish(2.0);
  });
  CHECK(out.find("loss  first 1  final 2  best 0.25 at step 2\n") != std::string::npos);
}

TEST_CASE("progress: interrupted, with the default interval", "[report][progress]") {
  FakeClock clock;
  std::string out = capture([&](std::FILE* f) {
    Progress p(2000, false, f, {.clock = [&] { return clock.now; }});
    for (int step = 1; step <= 1234; ++step) {
      clock.advance(1);
      p.update(step, step == 1000 ? 0.001 : 0.5);
    }
    p.interrupted();
  });
  CHECK(count_of(out, "/2000  loss") == 13);  // 100, 200, ..., 1200, and 1234 where it stopped
  CHECK(out.find("step 100/2000  loss 0.5\n") == 0);
  CHECK(out.find("step 1234/2000  loss 0.5\n"
                 "stopped after step 1234 of 2000 in 1.23 s (1,000 steps/s)\n"
                 "loss  first 0.5  last 0.5  best 0.001 at step 1000\n") != std::string::npos);
}

TEST_CASE("progress: the terminal bar redraws at most every 100 ms", "[report][progress]") {
  FakeClock clock;
  std::string out = capture([&](std::FILE* f) {
    Progress p(1000, true, f, {.clock = [&] { return clock.now; }});
    for (int step = 1; step <= 1000; ++step) {
      clock.advance(1);
      p.update(step, 1.0 / step);
    }
    p.finish(0.0009);
  });
  CHECK(count_of(out, "\r\x1b[2K") == 12);  // steps 1, 101, ..., 901, 1000, and the final one
  CHECK(out.find("\r\x1b[2K[##########..........] 501/1000  loss 0.001996  1,000 steps/s  0:00 left") !=
        std::string::npos);
  CHECK(out.find("[####################] 1000/1000  loss 0.001  1,000 steps/s\n"
                 "1000 steps in 1.00 s (1,000 steps/s)\n") != std::string::npos);
}

TEST_CASE("progress helpers", "[report][progress]") {
  CHECK(group_thousands(8312) == "8,312");
  CHECK(group_thousands(999) == "999");
  CHECK(group_thousands(1234567) == "1,234,567");
  CHECK(group_thousands(-1000) == "-1,000");
  CHECK(clock_duration(65.2) == "1:05");
  CHECK(clock_duration(3725) == "1:02:05");
}

// Golden tests of the experiments regions, xor, poly_vs_relu, perceptron and moons:
// each examples/NAME.hinge runs in a fresh temporary directory, the figures it
// prints are read back and its claims asserted (with tolerances), and every SVG
// it writes must be well-formed with the expected number of series. Also the
// analysis builtins those experiments use (count_patterns, eigvalsh, cond, solve).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "builtins/builtin.hpp"
#include "eval/format_value.hpp"
#include "experiment.hpp"
#include "hinge/graph.hpp"
#include "hinge/rng.hpp"

namespace fs = std::filesystem;
using namespace hinge;
using namespace hinge::lang;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

using namespace hinge::test;

// ---------------------------------------------------------------- the experiments

TEST_CASE("regions: patterns never exceed 1 + n + n(n-1)/2 for one layer; folding two layers beats it",
          "[experiments][regions]") {
  auto ex = run_experiment("regions");
  const std::string& out = ex->out;
  // The table: n, patterns, bound.
  const auto rows = all_numbers(out, R"(\n\s+(\d+)\s+(\d+)\s+(\d+)(?=\n))");
  REQUIRE(rows.size() == 8);
  for (const auto& r : rows) {
    const double n = r[0], count = r[1], bound = r[2];
    INFO("n = " << n);
    CHECK(bound == 1 + n + n * (n - 1) / 2);
    CHECK(count <= bound);
    CHECK(count >= std::min(n + 1, bound));  // random lines through the box: at least one cut per unit
  }
  // Every 8-unit, one-layer count (random and trained) is within the bound; the
  // hand-built two-layer net of 8 units is above it.
  const double trained = numbers(out, R"(trained 8-unit layer: (\d+) patterns)")[0];
  CHECK(trained <= 37);
  CHECK(trained >= 9);
  const auto folded = numbers(
      out, R"(folding 2 -> 4 -> 4: (\d+) patterns on \[0, 2\]\^2; one layer of 8 units: at most (\d+))");
  CHECK(folded[1] == 37);
  CHECK(folded[0] == 44);  // 11 regions of 4 lines, in each of the 4 folded copies of the square
  CHECK(folded[0] > folded[1]);
  // The plots count the same regions the script does.
  CHECK(numbers(out, R"((\d+) regions on a 400x400 grid)")[0] == folded[0]);
  CHECK(numbers(out, R"((\d+) regions on a 300x300 grid)")[0] == trained);
  // The trained net classifies the circles.
  CHECK(numbers(out, R"(accuracy (\d+)%)")[0] >= 95);
  // One point's pattern: 8 bits, and the open count agrees with them.
  const std::regex pat(R"(pattern hidden at \[0, 0\]: ([01]{8}) \((\d) of 8 units open\))");
  std::smatch m;
  REQUIRE(std::regex_search(out, m, pat));
  const std::string bits = m[1].str();
  CHECK(std::count(bits.begin(), bits.end(), '1') == std::stoi(m[2].str()));
  check_svg(*ex, "regions.svg", 2);       // the two classes of points over the regions
  check_svg(*ex, "regions_deep.svg", 0);  // regions only
  // The folding picture: the 4 first-layer lines (x = 0, 1 and y = 0, 1) once each, and
  // the second layer's 4 units where their pre-activation is 0, bent at the folds.
  const XmlDoc deep = svg_of(*ex, "regions_deep.svg");
  CHECK(has_text(deep, "unit boundaries (4)"));
  CHECK(has_text(deep, "bent boundaries, deeper units (4)"));
  CHECK(deep.count("path", "bent-boundary") == 1);
}

TEST_CASE("xor: no line beats 75%, a ReLU network gets 100%", "[experiments][xor]") {
  auto ex = run_experiment("xor");
  const std::string& out = ex->out;
  // Closed-form least squares: w = (0, 0), bias 1/2: 0.5 on every point.
  const auto w = numbers(
      out, R"(least squares weights \(x1, x2, bias\): \[)" + kNum + ", " + kNum + ", " + kNum + R"(\])");
  CHECK_THAT(w[0], WithinAbs(0, 1e-12));
  CHECK_THAT(w[1], WithinAbs(0, 1e-12));
  CHECK_THAT(w[2], WithinAbs(0.5, 1e-12));
  CHECK(numbers(out, R"(least squares accuracy \(threshold 0.5\): (\d+)%)")[0] <= 75);
  CHECK(numbers(out, R"(logistic accuracy: (\d+)%)")[0] <= 75);
  const auto lines = numbers(out, R"(best accuracy of (\d+) lines: (\d+)%)");
  CHECK(lines[0] == 360 * 161);
  CHECK(lines[1] == 75);
  CHECK(numbers(out, R"(right on (\d) of 4 points)")[0] == 3);
  // The line reads as an equation: each weight with its own sign, what the numbers are.
  const auto line =
      numbers(out, R"(class 1 where )" + kNum + R"( x1 ([+-][0-9.]+) x2 ([+-][0-9.]+) > 0 \(weights)");
  CHECK(std::abs(line[0] * line[0] + line[1] * line[1] - 1) < 0.01);  // a unit direction

  // The identity behind the bound holds for the trained line (to rounding) and
  // fails for the network.
  CHECK(std::abs(numbers(
            out, R"(for the trained line: s\(1,0\) \+ s\(0,1\) - s\(0,0\) - s\(1,1\) = )" + kNum)[0]) < 1e-9);
  CHECK(numbers(out, R"(network loss )" + kNum + R"(, accuracy: (\d+)%)")[1] == 100);
  CHECK(numbers(out, R"(its gap s\(1,0\) \+ s\(0,1\) - s\(0,0\) - s\(1,1\) = )" + kNum)[0] > 1);
  check_svg(*ex, "xor_linear.svg", 2);
  check_svg(*ex, "xor_relu.svg", 2);
  // Each map draws its decision boundary (where its value is 0) and says what the
  // colour is; the network's map is a smooth image, not a grid of cells.
  for (const char* name : {"xor_linear.svg", "xor_relu.svg"}) {
    INFO(name);
    const XmlDoc doc = svg_of(*ex, name);
    CHECK(doc.count("path", "zero-level") == 1);
    REQUIRE(doc.texts("colorbar-title").size() == 1);
    CHECK(!doc.texts("colorbar-title")[0].empty());
    CHECK(has_text(doc, doc.texts("colorbar-title")[0] + " = 0"));
    CHECK(doc.count("image", "values") == 1);
    CHECK(doc.count("path", "region") == 0);
  }
}

TEST_CASE("poly_vs_relu: the polynomial's gradient and conditioning grow with k, ReLU's stay tame",
          "[experiments][poly_vs_relu]") {
  auto ex = run_experiment("poly_vs_relu");
  const std::string& out = ex->out;
  // k, then |grad|, cond(F^T F), max lr for the powers, then the same for ReLU units.
  std::string row = R"(\n\s*(\d+))";
  for (int i = 0; i < 6; ++i) row += R"(\s+)" + kNum;
  const auto rows = all_numbers(out, row + "(?=\n)");
  REQUIRE(rows.size() == 8);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    INFO("k = " << rows[i][0]);
    CHECK(rows[i][1] >=
          rows[i - 1][1]);  // polynomial gradient norm grows (even powers of an odd target add 0)
    CHECK(rows[i][2] > rows[i - 1][2]);  // and its conditioning
    CHECK(rows[i][3] < rows[i - 1][3]);  // so the usable learning rate shrinks
  }
  const auto& p1 = rows.front();
  const auto& p12 = rows.back();
  CHECK(p12[0] == 12);
  CHECK(p12[1] > 100 * p1[1]);
  CHECK(p12[2] > 1e9);
  CHECK(p12[3] < 1e-5);
  for (const auto& r : rows) {  // ReLU: gradients of order 1, condition numbers far smaller
    INFO("k = " << r[0]);
    CHECK(r[4] < 2);
    CHECK(r[5] < 1e4);
    CHECK(r[6] > 0.5);
    if (r[0] >= 8) CHECK(r[5] * 100 < r[2]);
  }
  CHECK(p12[5] * 1e5 < p12[2]);
  const auto poly = numbers(out, R"(polynomial \(degree 8\): lr )" + kNum + ", loss " + kNum + " -> " + kNum);
  const auto relu = numbers(out, R"(ReLU \(8 units\):\s+lr )" + kNum + ", loss " + kNum + " -> " + kNum);
  CHECK(relu[0] > 100 * poly[0]);
  CHECK(relu[2] < 2e-2);
  CHECK(poly[2] > 5 * relu[2]);
  check_svg(*ex, "poly_vs_relu.svg", 3);
  check_svg(*ex, "poly_vs_relu_conditioning.svg", 4);
  // The condition number and |grad| are different quantities: two panels, each with
  // its own labelled y axis, the two cond series above and the two |grad| below.
  const XmlDoc cond = svg_of(*ex, "poly_vs_relu_conditioning.svg");
  CHECK(cond.count("svg", "panel") == 2);
  CHECK(has_text(cond, "cond(F^T F)"));
  CHECK(has_text(cond, "|grad| at w = 0"));
  std::vector<std::string> order;
  for (const auto& e : cond.elements)
    if (e.name == "svg" || (e.name == "path" && e.has_class("series")))
      order.push_back(e.name == "svg" ? "panel" : e.attrs.at("data-label").substr(0, 4));
  CHECK(order == std::vector<std::string>{"panel", "panel", "cond", "cond", "panel", "|gra", "|gra"});
}

TEST_CASE("perceptron: a step unit has zero gradient and a flat loss; sigmoid learns AND and OR",
          "[experiments][perceptron]") {
  auto ex = run_experiment("perceptron");
  const std::string& out = ex->out;
  const auto grads = all_numbers(
      out, R"(x = \[(\d), (\d)\]: dloss/dw = \[)" + kNum + ", " + kNum + R"(\], dloss/db = )" + kNum);
  REQUIRE(grads.size() == 4);
  for (const auto& g : grads) {
    CHECK(g[2] == 0);
    CHECK(g[3] == 0);
    CHECK(g[4] == 0);
  }
  CHECK(numbers(out, R"(dstep_loss/dw = [^\n]*\n[^\n]*\n\s+norm )" + kNum + R"(, zero 2 of 2)")[0] == 0);
  CHECK(numbers(out, R"(step unit: loss moved by )" + kNum)[0] == 0);
  // The loss table: step, step unit, sigmoid AND, sigmoid OR.
  const auto table =
      all_numbers(out, R"(\n\s+(\d+)\s+)" + kNum + R"(\s+)" + kNum + R"(\s+)" + kNum + R"((?=\n))");
  REQUIRE(table.size() >= 5);
  CHECK(table.front()[0] == 0);
  for (std::size_t i = 1; i < table.size(); ++i) {
    CHECK(table[i][1] == table[0][1]);     // flat
    CHECK(table[i][2] < table[i - 1][2]);  // falling
    CHECK(table[i][3] < table[i - 1][3]);
  }
  CHECK(table.back()[2] < table.front()[2] / 10);
  CHECK(table.back()[3] < table.front()[3] / 10);
  CHECK(numbers(out, R"(AND outputs [^\n]*accuracy (\d+)%)")[0] == 100);
  CHECK(numbers(out, R"(OR  outputs [^\n]*accuracy (\d+)%)")[0] == 100);
  check_svg(*ex, "perceptron.svg", 3);
}

TEST_CASE("moons: a 2-16-16-1 ReLU MLP with the max-margin loss fits the two moons", "[experiments][moons]") {
  auto ex = run_experiment("moons");
  const std::string& out = ex->out;
  const auto before = numbers(out, "before training: loss " + kNum + R"(, accuracy (\d+)%)");
  const auto after = numbers(out, "after training: loss " + kNum + R"( \(hinge data loss )" + kNum +
                                      R"( \+ L2 penalty )" + kNum + R"(\), accuracy (\d+)%)");
  CHECK(after[0] < before[0] / 10);
  CHECK(after[0] == Approx(after[1] + after[2]).margin(2e-4));  // the loss is the two parts (each rounded)
  CHECK(after[3] == 100);
  CHECK(numbers(out, R"(parameters: (\d+))")[0] == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1);
  check_svg(*ex, "moons.svg", 2);
  // The map is 4 x 2.2 data units: the page takes its shape (no empty band below).
  const XmlDoc doc = svg_of(*ex, "moons.svg");
  const double width = std::stod(doc.elements[0].attrs.at("width"));
  const double height = std::stod(doc.elements[0].attrs.at("height"));
  CHECK(height < 0.5 * width);
  CHECK(doc.count("path", "zero-level") == 1);
  CHECK(doc.texts("colorbar-title") == std::vector<std::string>{"score"});
}

// ---------------------------------------------------------------- the builtins

namespace {

struct Session {
  Graph g;
  Rng rng{7};
  BuiltinContext ctx{g, rng, ".", stdout};

  Value call(std::string_view name, std::vector<Value> pos) {
    const Builtin* b = find_builtin(name);
    REQUIRE(b != nullptr);
    std::vector<Arg> args;
    for (std::size_t i = 0; i < pos.size(); ++i)
      args.push_back(
          Arg{pos[i], Span{static_cast<uint32_t>(10 * i + 10), static_cast<uint32_t>(10 * i + 15)}});
    return b->fn(ctx, Args(*b, std::move(args), {}, Span{0, 100}));
  }
  Value mat(int64_t r, int64_t c, std::vector<double> v) { return Value(g.constant(Shape{r, c}, v)); }
  Value vec(std::vector<double> v) { return Value(g.constant(Shape{static_cast<int64_t>(v.size())}, v)); }

  // The message of the error a call raises, and which argument it points at.
  std::pair<std::string, uint32_t> error(std::string_view name, std::vector<Value> pos) {
    try {
      call(name, std::move(pos));
    } catch (const lang::Error& e) {
      return {e.diagnostic().message, e.diagnostic().span.begin};
    }
    FAIL("no error from " << name);
    return {};
  }
};

}  // namespace

TEST_CASE("count_patterns counts distinct on/off rows", "[experiments][builtins]") {
  Session s;
  // Rows: (+,-), (+,-) again, (-,-), (0,+): 0 counts as closed, like relu's derivative.
  Value h = s.mat(4, 2, {1, -1, 2, -3, -1, -1, 0, 5});
  CHECK(s.call("count_patterns", {h}).number() == 3);
  CHECK(s.call("count_patterns", {s.vec({-1, 2, 3, 0})}).number() == 2);  // one unit
  // Three lines through the origin cut the plane into 6 sectors; points on a circle meet all of them.
  std::vector<double> v;
  for (int k = 0; k < 360; ++k) {
    const double t = (k + 0.5) * 3.141592653589793 / 180;
    const double x = std::cos(t), y = std::sin(t);
    v.insert(v.end(), {x, y, x + y});
  }
  CHECK(s.call("count_patterns", {s.mat(360, 3, v)}).number() == 6);
  auto e = s.error("count_patterns", {Value(2.0)});
  CHECK(e.first == "count_patterns: 'h' must be pre-activations [points, units], got a tensor []");
  CHECK(e.second == 10);
}

TEST_CASE("eigvalsh gives a symmetric matrix's spectrum, ascending", "[experiments][builtins]") {
  Session s;
  auto ev = s.call("eigvalsh", {s.mat(2, 2, {2, 1, 1, 2})}).tensor().values();
  REQUIRE(ev.size() == 2);
  CHECK_THAT(ev[0], WithinAbs(1, 1e-14));
  CHECK_THAT(ev[1], WithinAbs(3, 1e-14));
  // A 4x4 with known eigenvalues: Q diag(d) Q^T for the orthogonal Householder Q = I - 2 u u^T / (u^T u).
  const double u[4] = {1, 2, -1, 3}, uu = 15, d[4] = {-2, 0.5, 4, 10};
  std::vector<double> a(16, 0.0);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 4; ++k) {
        const double qik = (i == k) - 2 * u[i] * u[k] / uu, qjk = (j == k) - 2 * u[j] * u[k] / uu;
        a[i * 4 + j] += qik * d[k] * qjk;
      }
  ev = s.call("eigvalsh", {s.mat(4, 4, a)}).tensor().values();
  REQUIRE(ev.size() == 4);
  for (int k = 0; k < 4; ++k) CHECK_THAT(ev[k], WithinAbs(d[k], 1e-12));
  auto e = s.error("eigvalsh", {s.mat(2, 2, {1, 2, 3, 4})});
  CHECK(e.first == "eigvalsh: 'a' must be symmetric, but a[0, 1] = 2 and a[1, 0] = 3");
  e = s.error("eigvalsh", {s.mat(2, 3, {1, 2, 3, 4, 5, 6})});
  CHECK(e.first == "eigvalsh: 'a' must be a square matrix, got a tensor [2, 3]");
  e = s.error("eigvalsh", {s.mat(1, 1, {NAN})});
  CHECK(e.first == "eigvalsh: 'a' holds nan");
}

TEST_CASE("cond is the ratio of extreme singular values, accurate far past 1e8", "[experiments][builtins]") {
  Session s;
  CHECK_THAT(s.call("cond", {s.mat(2, 2, {1, 0, 0, 1e-3})}).number(), WithinRel(1e3, 1e-14));
  CHECK_THAT(s.call("cond", {s.mat(2, 2, {3, 0, 0, -4})}).number(), WithinRel(4.0 / 3, 1e-14));
  // [[1, 1], [0, e]]: singular values (for small e) about sqrt(2) and e / sqrt(2): cond 2 / e.
  // Through transpose(A) @ A this would be lost in rounding at e = 1e-10.
  const double e = 1e-10;
  CHECK_THAT(s.call("cond", {s.mat(2, 2, {1, 1, 0, e})}).number(), WithinRel(2 / e, 1e-6));
  // A wide matrix is fine too (its transpose's singular values are the same).
  CHECK_THAT(s.call("cond", {s.mat(1, 3, {1, 2, 2})}).number(), WithinRel(1, 1e-14));
  // A singular matrix: the smallest singular value is 0, or rounding's 1e-16 of the largest.
  const double singular = s.call("cond", {s.mat(2, 2, {1, 2, 2, 4})}).number();
  CHECK((std::isinf(singular) || singular > 1e15));
  CHECK(s.error("cond", {s.mat(2, 2, {0, 0, 0, 0})}).first == "cond: 'a' is all zeros");
  CHECK(s.error("cond", {s.vec({1, 2})}).first == "cond: 'a' must be a matrix, got a tensor [2]");
}

TEST_CASE("solve solves square systems and refuses singular ones", "[experiments][builtins]") {
  Session s;
  auto x = s.call("solve", {s.mat(2, 2, {2, 1, 1, 3}), s.vec({3, 5})}).tensor();
  CHECK(to_string(x.shape()) == "[2]");
  CHECK_THAT(x.values()[0], WithinAbs(0.8, 1e-14));
  CHECK_THAT(x.values()[1], WithinAbs(1.4, 1e-14));
  // A zero in the first pivot position needs a row swap; two right-hand sides.
  x = s.call("solve", {s.mat(3, 3, {0, 1, 0, 1, 0, 0, 0, 0, 2}), s.mat(3, 2, {1, 2, 3, 4, 6, 8})}).tensor();
  CHECK(to_string(x.shape()) == "[3, 2]");
  const std::vector<double> want{3, 4, 1, 2, 3, 4};
  for (int i = 0; i < 6; ++i) CHECK_THAT(x.values()[i], WithinAbs(want[i], 1e-14));
  auto e = s.error("solve", {s.mat(2, 2, {1, 2, 2, 4}), s.vec({1, 1})});
  CHECK(e.first == "solve: 'a' is singular (column 1 has no usable pivot): no unique solution");
  CHECK(e.second == 10);
  e = s.error("solve", {s.mat(2, 2, {1, 0, 0, 1}), s.vec({1, 1, 1})});
  CHECK(e.first ==
        "solve: 'b' must be a vector [2] or a matrix [2, k] (a row per row of 'a'), got a tensor [3]");
  CHECK(e.second == 20);
}

// Regression: an item after a multi-line item of a list (a matrix) was indented by
// the length of everything printed before it, so `moons(100)` printed its labels
// one per line, 200 columns to the right.
TEST_CASE("a list prints items after a matrix at their own column", "[experiments][format]") {
  Graph g;
  std::vector<double> m(6), labels(40);
  for (int i = 0; i < 6; ++i) m[i] = i + 0.5;
  for (int i = 0; i < 40; ++i) labels[i] = i % 2;
  const Value list(std::make_shared<std::vector<Value>>(
      std::vector<Value>{Value(g.constant(Shape{3, 2}, m)), Value(g.constant(Shape{40}, labels))}));
  const std::string text = format_repr(list);
  INFO(text);
  std::size_t lines = 1, longest = 0, start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '\n') {
      longest = std::max(longest, i - start);
      start = i + 1;
      lines += i < text.size();
    }
  CHECK(longest <= 80);
  CHECK(lines == 4);  // 3 rows of the matrix; the 40 labels wrap once at 75 columns
  CHECK(text.find("[[[0.5, 1.5],\n  [2.5, 3.5],\n  [4.5, 5.5]], [0, 1, 0, 1,") == 0);
  // The labels' second line starts under their first element.
  CHECK(text.find("\n" + std::string(16, ' ') + "0, 1, 0, 1,") != std::string::npos);
}

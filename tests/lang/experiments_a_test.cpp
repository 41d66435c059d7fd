// Golden tests of the experiments bends, fit_curve, linear_collapse, vanishing,
// sparsity and activations: each examples/NAME.hinge runs in a fresh temporary
// directory, the figures it prints are read back and the claims of DESIGN.md
// ("The experiments") asserted, and every SVG it writes is checked.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "experiment.hpp"

namespace fs = std::filesystem;

using namespace hinge::test;

TEST_CASE("experiment bends: each shifted ReLU adds one bend and 1 to the slope", "[experiments][bends]") {
  const auto ex = run_experiment("bends");
  INFO(ex->out);
  // "  f_k:  s1  s2  s3  s4   bends": slopes on (-3,-1), (-1,0), (0,1), (1,3).
  const std::string row =
      R"(\s+)" + kNum + R"(\s+)" + kNum + R"(\s+)" + kNum + R"(\s+)" + kNum + R"(\s+(\d+))";
  const auto rows = all_matches(ex->out, R"(f_(\d):)" + row);
  REQUIRE(rows.size() == 3);
  for (const auto& r : rows) {
    const int k = static_cast<int>(num(r[0]));
    INFO("f_" << k);
    for (int j = 0; j < 4; ++j) CHECK(num(r[1 + j]) == std::min(j, k));  // exactly: dyadic grid
    CHECK(num(r[5]) == k);
  }
  // The negative weight: slopes 0, 1, 2, then 2 - 3 = -1; still one bend per unit.
  const auto g = one_match(ex->out, R"(\n  g:)" + row);
  CHECK(num(g[0]) == 0);
  CHECK(num(g[1]) == 1);
  CHECK(num(g[2]) == 2);
  CHECK(num(g[3]) == -1);
  CHECK(num(g[4]) == 3);
  check_svg(*ex, "bends.svg", 3);
  check_svg(*ex, "bends_negative.svg", 4);
}

TEST_CASE("experiment fit_curve: the error falls with N and the fit has at most N bends",
          "[experiments][fit_curve]") {
  const auto ex = run_experiment("fit_curve");
  INFO(ex->out);
  const auto rows = all_matches(ex->out, R"(\n\s*(\d+)\s+)" + kNum + R"(\s+(\d+) \(at most (\d+)\))");
  REQUIRE(rows.size() == 3);
  std::vector<double> ns, errors;
  for (const auto& r : rows) {
    const double n = num(r[0]), bends = num(r[2]);
    INFO("N = " << n);
    CHECK(num(r[3]) == n);
    CHECK(bends >= 1);
    CHECK(bends <= n);  // each unit bends the fit at most once
    ns.push_back(n);
    errors.push_back(num(r[1]));
  }
  CHECK(ns == std::vector<double>{3, 10, 100});
  CHECK(errors[0] > errors[1]);
  CHECK(errors[1] > errors[2]);
  CHECK(errors[2] < 2e-4);  // well under 1e-3
  CHECK(ex->out.find("the error falls as N grows") != std::string::npos);
  check_svg(*ex, "fit_curve.svg", 4);
  // The target sin(x) would hide under the N = 100 fit: it is drawn on top, dashed.
  const auto drawn = drawn_series(*ex, "fit_curve.svg");
  REQUIRE(drawn.size() == 4);
  CHECK(drawn.back().first == "sin(x)");
  CHECK(!drawn.back().second.empty());
  CHECK(drawn_at(drawn, "N = 100").second.empty());
  // The README shows the tracked examples/fit_curve.svg: it must be what the code
  // draws now, byte for byte (examples/run writes to .out/, never over it).
  const fs::path tracked = fs::path(HINGE_TEST_DIR) / ".." / "examples" / "fit_curve.svg";
  const bool same_picture = hinge::test::slurp(ex->dir.path / "fit_curve.svg") == hinge::test::slurp(tracked);
  INFO("examples/fit_curve.svg differs from what fit_curve.hinge draws: copy the new one over it");
  CHECK(same_picture);
}

TEST_CASE("experiment linear_collapse: a linear stack is one line; one ReLU layer is not",
          "[experiments][linear_collapse]") {
  const auto ex = run_experiment("linear_collapse");
  INFO(ex->out);
  const auto gaps = all_matches(ex->out, R"(max \|stack\(x\) - \(x W \+ b\)\|[^=]*= )" + kNum);
  REQUIRE(gaps.size() == 2);  // at init and after training
  for (const auto& g : gaps) CHECK(num(g[0]) <= 1e-12);

  // The best line, recomputed here in closed form, must be the one printed.
  double mx = 0, my = 0;
  std::vector<double> x(200), y(200);
  for (int i = 0; i < 200; ++i) {
    x[i] = -std::numbers::pi + 2 * std::numbers::pi * i / 199;
    y[i] = std::sin(x[i]);
    mx += x[i] / 200;
    my += y[i] / 200;
  }
  double sxy = 0, sxx = 0;
  for (int i = 0; i < 200; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  const double slope = sxy / sxx, intercept = my - slope * mx;
  double line_mse = 0;
  for (int i = 0; i < 200; ++i) line_mse += std::pow(slope * x[i] + intercept - y[i], 2) / 200;
  const double printed_line = num(one_match(ex->out, R"(its mse: )" + kNum)[0]);
  CHECK_THAT(printed_line, Catch::Matchers::WithinRel(line_mse, 1e-9));

  // The stack never beats the line (down to rounding) and reaches it.
  const auto fin = one_match(ex->out, R"(stack final mse )" + kNum + R"(, best line )" + kNum);
  const double stack = num(fin[0]);
  CHECK(num(fin[1]) == printed_line);
  CHECK(stack >= line_mse - 1e-12);
  CHECK(stack - line_mse < 1e-6);
  const auto rounds = all_matches(ex->out, R"(\n\s+(\d+)\s+)" + kNum + R"(\s+)" + kNum + R"((?=\n))");
  REQUIRE(rounds.size() >= 5);
  for (const auto& r : rounds) CHECK(num(r[2]) >= -1e-12);
  CHECK(num(one_match(ex->out, R"(lowest excess over the line in any round: )" + kNum)[0]) >= -1e-12);

  // One hidden ReLU layer goes far below the line.
  const double relu = num(one_match(ex->out, R"(16 units\), same steps: mse )" + kNum)[0]);
  CHECK(relu < line_mse / 50);
  check_svg(*ex, "linear_collapse.svg", 4);
  // The claim is that the stack lies on the best line: the line is drawn over it, dashed.
  const auto drawn = drawn_series(*ex, "linear_collapse.svg");
  const auto [line_at, line_dash] = drawn_at(drawn, "best line");
  CHECK(line_at > drawn_at(drawn, "5 linear layers (on the best line)").first);
  CHECK(!line_dash.empty());
  CHECK(drawn_at(drawn, "5 linear layers (on the best line)").second.empty());
}

TEST_CASE("experiment vanishing: sigmoid's first-layer gradient is orders of magnitude below relu's",
          "[experiments][vanishing]") {
  const auto ex = run_experiment("vanishing");
  INFO(ex->out);
  // "  layer  sigmoid-norm  relu-norm  sigmoid's largest local slope"
  const auto rows =
      all_matches(ex->out, R"(\n\s+(\d+)\s+)" + kNum + R"(\s+)" + kNum + R"(\s+)" + kNum + R"((?=\n))");
  REQUIRE(rows.size() == 20);
  std::vector<double> sig, relu;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(num(rows[i][0]) == static_cast<double>(i + 1));
    sig.push_back(num(rows[i][1]));
    relu.push_back(num(rows[i][2]));
    const double slope = num(rows[i][3]);
    CHECK(slope <= 0.25);  // sigmoid's local slope s(1 - s), by reverse mode
    CHECK(slope > 0.2);    // at init the pre-activations are near 0: close to the bound
  }
  const double largest =
      num(one_match(ex->out, R"(largest local slope of any sigmoid unit on any input: )" + kNum)[0]);
  CHECK(largest <= 0.25);
  CHECK(largest > 0.2499);
  // Sigmoid's gradient shrinks going back towards the input, by orders of magnitude.
  CHECK(sig[0] < sig[19] / 1e3);
  for (std::size_t i = 0; i + 1 < sig.size(); ++i) CHECK(sig[i] < sig[i + 1]);

  const auto init = one_match(
      ex->out, R"(first layer at init: sigmoid )" + kNum + ", relu " + kNum + ", ratio relu/sigmoid " + kNum);
  CHECK(num(init[0]) == Approx(sig[0]).epsilon(1e-2));
  CHECK(num(init[1]) == Approx(relu[0]).epsilon(1e-2));
  CHECK(num(init[2]) > 1e3);
  CHECK(num(init[2]) == Approx(num(init[1]) / num(init[0])).epsilon(1e-2));
  // Said as one ratio (first over last) next to the slopes' share of it.
  const auto shrink = one_match(ex->out, R"(sigmoid at init: the first layer's gradient is )" + kNum +
                                             R"( times the last layer's; .* 0.25 \^ 19 = )" + kNum);
  CHECK(num(shrink[0]) == Approx(sig[0] / sig[19]).epsilon(2e-2));
  CHECK(num(shrink[1]) == Approx(std::pow(0.25, 19)).epsilon(1e-2));
  const auto trained = one_match(ex->out, R"(first layer after training: sigmoid )" + kNum + ", relu " +
                                              kNum + ", ratio relu/sigmoid " + kNum);
  CHECK(num(trained[2]) > 1e3);

  // The explanatory trace's per-layer summary (in a file: it lists all 150 nodes):
  // the 20 sigmoid layers, each with a mean local slope (the last number on its
  // row) below 1/4.
  const std::string trace = hinge::test::slurp(ex->dir.path / "vanishing_trace.txt");
  CHECK(ex->out.find("to vanishing_trace.txt") != std::string::npos);
  const auto layers =
      all_matches(trace, R"(\n\s+\d+\s+%\d+\.\.%\d+\s+matmul add sigmoid[^\n]*\s)" + kNum + R"(\s*(?=\n))");
  CHECK(layers.size() == 20);
  for (const auto& l : layers) {
    CHECK(num(l[0]) > 0.1);
    CHECK(num(l[0]) <= 0.25);
  }
  const auto mse = one_match(ex->out, R"(after 300 Adam steps: mse sigmoid )" + kNum + ", relu " + kNum);
  CHECK(num(mse[1]) < num(mse[0]) / 10);  // relu learns, sigmoid barely moves
  const fs::path csv = ex->dir.path / "vanishing_grads.csv";
  REQUIRE(fs::exists(csv));
  CHECK(hinge::test::slurp(csv).rfind("step,", 0) == 0);
  check_svg(*ex, "vanishing.svg", 4);
  // The init curves are the norms at init, not the trained ones drawn twice.
  std::map<std::string, std::string> paths;
  for (const auto& e : svg_of(*ex, "vanishing.svg").elements)
    if (e.name == "path" && e.has_class("series")) paths[e.attrs.at("data-label")] = e.attrs.at("d");
  CHECK(paths.at("sigmoid (xavier), init") != paths.at("sigmoid, after 300 steps"));
  CHECK(paths.at("relu (kaiming), init") != paths.at("relu, after 300 steps"));
}

TEST_CASE("experiment sparsity: about half the activations are zero; dead units stay dead",
          "[experiments][sparsity]") {
  const auto ex = run_experiment("sparsity");
  INFO(ex->out);
  const auto rows = all_matches(ex->out, R"((at init|after training):\s+zero activations )" + kNum +
                                             R"(% of 200 x 100, dead units (\d+) of 100)");
  REQUIRE(rows.size() == 2);
  const double zero0 = num(rows[0][1]), dead0 = num(rows[0][2]);
  // The figures after training mean something only if it trained.
  CHECK(num(one_match(ex->out, R"(trained 2000 Adam steps: mse )" + kNum)[0]) < 1e-2);
  CHECK(zero0 > 40);
  CHECK(zero0 < 60);
  CHECK(num(rows[1][1]) > 20);
  CHECK(num(rows[1][1]) < 80);
  CHECK(dead0 >= 1);  // the seed gives some: the lesson needs one
  CHECK(num(rows[1][2]) >= dead0);
  const auto still = one_match(
      ex->out, R"(dead at init (\d+), still dead after training (\d+), died during training (\d+))");
  CHECK(num(still[0]) == dead0);
  CHECK(num(still[1]) == dead0);  // no gradient reaches a dead unit, so none revives
  CHECK(num(still[0]) + num(still[2]) == num(rows[1][2]));
  check_svg(*ex, "sparsity.svg", 2);
  // Init and trained in one figure, each in the legend; the dead units (open on no
  // input) are their own bar, one per data set, labelled, apart from the nearly dead.
  const XmlDoc doc = svg_of(*ex, "sparsity.svg");
  CHECK(has_text(doc, "at_init"));
  CHECK(has_text(doc, "after_training"));
  CHECK(has_text(doc, "exactly 0"));
  CHECK(doc.count("path", "zero-bar") == 2);
}

TEST_CASE("experiment activations: derivatives by reverse mode; sigmoid at most 1/4, tanh 1 at 0",
          "[experiments][activations]") {
  const auto ex = run_experiment("activations");
  INFO(ex->out);
  std::map<std::string, std::vector<double>> table;  // name -> slope at 0, max slope, check error
  for (const auto& r :
       all_matches(ex->out, R"(\n(\S+)\s+)" + kNum + R"(\s+)" + kNum + R"(\s+)" + kNum + R"((?=\n))"))
    table[r[0]] = {num(r[1]), num(r[2]), num(r[3])};
  REQUIRE(table.size() == 6);
  for (const auto& [name, v] : table) {
    INFO(name);
    CHECK(v[2] < 1e-6);  // reverse mode agrees with central differences away from 0
  }
  CHECK(table.at("sigmoid")[0] == 0.25);
  CHECK(table.at("sigmoid")[1] == 0.25);
  CHECK(table.at("tanh")[0] == 1);
  CHECK(table.at("tanh")[1] == 1);
  CHECK(table.at("step")[1] == 0);
  CHECK(table.at("relu")[0] == 0);
  CHECK(table.at("relu")[1] == 1);
  CHECK(table.at("gelu")[0] == Approx(0.5).margin(1e-12));
  CHECK(num(one_match(ex->out, R"(sigmoid: largest slope )" + kNum)[0]) == 0.25);
  CHECK(num(one_match(ex->out, R"(tanh:    slope )" + kNum + " at x = 0")[0]) == 1);
  check_svg(*ex, "activations.svg", 6);
  check_svg(*ex, "activations_derivatives.svg", 6);
  // relu, the subject, coincides with leaky relu and gelu for x > 0 (and its
  // derivative with theirs): it is drawn over them, dashed, so that it shows.
  for (const auto& [file, suffix] :
       {std::pair{"activations.svg", ""}, std::pair{"activations_derivatives.svg", "'"}}) {
    INFO(file);
    const auto drawn = drawn_series(*ex, file);
    const auto [relu_at, relu_dash] = drawn_at(drawn, std::string("relu") + suffix);
    CHECK(relu_at > drawn_at(drawn, std::string("gelu") + suffix).first);
    CHECK(relu_at > drawn_at(drawn, std::string("leaky relu") + suffix + " (0.1)").first);
    CHECK(!relu_dash.empty());
  }
}

// ---------------------------------------------------------------- the builtins

TEST_CASE("gradient(y, x): reverse mode's dy/dx as a tensor", "[experiments][builtins][analysis]") {
  const auto ex = run_script(
      "param p = [-2, -0.5, 0, 0.5, 2]\n"
      "print gradient(sum(relu(p)), p)\n"
      "print gradient(sum(p ^ 3), p)\n"   // 3 p^2
      "print gradient(mean(p * p), p)\n"  // 2 p / 5
      "let h = p * 2\n"
      "print gradient(sum(h ^ 2), h)\n"  // an interior node: 2 h
      "param q = 1\n"
      "print gradient(sum(p), q)\n"  // y does not depend on q
      "let g = gradient(sum(p ^ 2), p)\n"
      "print g + 0 * p\n");
  INFO(ex->out << ex->err);
  REQUIRE(ex->status == 0);
  CHECK(ex->out ==
        "[0, 0, 0, 1, 1]\n"
        "[12, 0.75, 0, 0.75, 12]\n"
        "[-0.8, -0.2, 0, 0.2, 0.8]\n"
        "[-8, -2, 0, 2, 8]\n"
        "0\n"
        "[-4, -1, 0, 1, 4]\n");
}

TEST_CASE("gradient: a constant x, a y of many elements and non-tensors are errors at the argument",
          "[experiments][builtins][analysis]") {
  struct Case {
    std::string script, message, caret;
  };
  const Case cases[] = {
      {"let xs = linspace(-1, 1, 3)\nprint gradient(sum(relu(xs)), xs)\n",
       "t.hinge:2:31: error: xs is a constant, so no gradient reaches it; make it a param", "^~"},
      {"param p = [1, 2]\nprint gradient(p * 2, p)\n",
       "t.hinge:2:16: error: gradient: 'y' must have one element, got a tensor [2] (use sum or mean)",
       "^~~~~"},
      {"param p = [1, 2]\nprint gradient(3, p)\n",
       "t.hinge:2:16: error: gradient: 'y' must be a tensor that depends on x, got the number 3", "^"},
      {"param p = [1, 2]\nprint gradient(sum(p), 2)\n",
       "t.hinge:2:24: error: gradient: 'x' must be a tensor (a param), got the number 2", "^"},
  };
  for (const Case& c : cases) {
    const auto ex = run_script(c.script);
    INFO(c.script << "\n" << ex->err);
    CHECK(ex->status == 70);
    CHECK(ex->err.rfind(c.message, 0) == 0);
    const std::string line =
        c.script.substr(c.script.find('\n') + 1, c.script.size() - c.script.find('\n') - 2);
    CHECK(ex->err.find("\n    " + line + "\n") != std::string::npos);  // the source line, then the caret
    const std::size_t col = std::stoul(c.message.substr(c.message.find(':', 8) + 1));
    CHECK(ex->err.find("\n    " + std::string(col - 1, ' ') + c.caret + "\n") != std::string::npos);
    CHECK(ex->out.empty());
  }
}

TEST_CASE("snapshot(x) keeps the values from before train; detach does not",
          "[experiments][builtins][analysis]") {
  const auto ex = run_script(
      "param w = [1, -1]\n"
      "let before = snapshot(w * 2)\n"
      "let refreshed = detach(w * 2)\n"
      "train sum((w - 3) ^ 2) with sgd(lr=0.5) for 1 steps quiet\n"
      "print w, before, refreshed\n"
      "print snapshot(2.5)\n"
      // a constant: no gradient through it, but a factor
      "print gradient(sum(before * w), w)\n");
  INFO(ex->out << ex->err);
  REQUIRE(ex->status == 0);
  CHECK(ex->out == "[3, 3] [2, -2] [6, 6]\n2.5\n[2, -2]\n");
}

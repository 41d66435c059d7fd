// `plot regions` draws each first-layer ReLU unit's line (Note [Unit lines in
// region maps]) — and only those: deeper units are not straight lines.
#include <catch2/catch.hpp>

#include <cstdio>
#include <regex>

#include "capture.hpp"
#include "eval/session.hpp"
#include "run_process.hpp"

using namespace hinge::lang;

namespace {

// The number in the legend's "unit boundaries (N)", or -1 when there is none.
int drawn_lines(const std::string& svg) {
  std::smatch m;
  if (!std::regex_search(svg, m, std::regex(R"(unit boundaries \((\d+)\))"))) return -1;
  return std::stoi(m[1]);
}

std::string plot(const std::string& script) {
  hinge::test::TempDir dir("hinge-regions");
  hinge::test::Capture out, err;
  SessionOptions opt;
  opt.out = out.f;
  opt.err = err.f;
  Session s(opt);
  const std::string path = (dir.path / "r.svg").string();
  const Status st = s.run_script(
      "r.hinge", script + "\nplot regions f to \"" + path + "\" with x0=-2, x1=2, y0=-2, y1=2\n");
  INFO(err.take());
  REQUIRE(st == Status::ok);
  return hinge::test::slurp(path);
}

}  // namespace

TEST_CASE("plot regions draws the line of every first-layer unit") {
  const std::string one_layer = R"(
param w = [[1, 0, 1], [0, 1, -1]]
param b = [0, 0.5, -0.25]
def f(x) = sum(relu(x @ w + b), axis=1, keepdims=true)
)";
  CHECK(drawn_lines(plot(one_layer)) == 3);
  const std::string two_layers = one_layer + R"(
param v = [[1, -1], [2, 1], [-1, 1]]
def f(x) = sum(relu(relu(x @ w + b) @ v), axis=1, keepdims=true)
)";
  CHECK(drawn_lines(plot(two_layers)) == 3);  // the second layer's units bend: not lines
}

TEST_CASE("plot regions draws a deeper unit's bent boundary where its pre-activation is 0") {
  // Two layers, both in the output: the first layer's two lines, and the second
  // layer's unit relu(x) + relu(y) - 1 = 0, a bent line (a diamond's corner).
  const std::string svg = plot(R"(
def f(p) {
  let h = p @ [[1, 0], [0, 1]]
  return concat(h, relu(h) @ [[1], [1]] - 1, axis=1)
}
)");
  CHECK(drawn_lines(svg) == 2);
  CHECK(svg.find("bent boundaries, deeper units (1)") != std::string::npos);
  CHECK(svg.find("class=\"bent-boundary\"") != std::string::npos);
}

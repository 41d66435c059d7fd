// A long REPL session stays bounded: nodes no binding reaches are reclaimed
// between entries, and what the bindings hold keeps its values and still trains.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "capture.hpp"
#include "eval/session.hpp"
#include "hinge/graph.hpp"

using namespace hinge::lang;
using hinge::test::Capture;

TEST_CASE("a thousand experiments in one session keep the graph bounded") {
  Capture out;
  SessionOptions opt;
  opt.out = out.f;
  opt.err = out.f;
  Session s(opt);
  REQUIRE(s.run_entry("param w = normal([1, 32])") == Status::ok);
  REQUIRE(s.run_entry("let xs = col(linspace(-3, 3, 200))") == Status::ok);
  REQUIRE(s.run_entry("let keep = [sum(w), relu(w) * 2]") == Status::ok);
  REQUIRE(s.run_entry("let before = snapshot([sum(w), sum(relu(w) * 2)])") == Status::ok);
  std::size_t peak = 0;
  for (int i = 0; i < 1000; ++i) {
    // Each entry builds a fresh graph and rebinds `loss`: the old one is garbage.
    REQUIRE(s.run_entry("let loss = mean(relu(xs @ w + " + std::to_string(i % 7) + ") ^ 2)") == Status::ok);
    peak = std::max<std::size_t>(peak, s.graph().size());
  }
  CHECK(peak < 20000);  // without reclaiming: about 1000 entries x 8 nodes and growing
  out.take();           // what the entries above echoed

  // The bindings survived the compactions with their values...
  REQUIRE(s.run_entry("print item(keep[0]) == item(before[0]), item(sum(keep[1])) == item(before[1])") ==
          Status::ok);
  CHECK(out.take() == "true true\n");
  REQUIRE(s.run_entry("print item(keep[0]) == item(sum(w))") == Status::ok);
  CHECK(out.take() == "true\n");

  // ...and the model still trains: the loss falls.
  REQUIRE(s.run_entry("print item(loss)") == Status::ok);
  const double loss_before = std::stod(out.take());
  REQUIRE(s.run_entry("train loss with adam(lr=0.01) for 50 steps quiet") == Status::ok);
  out.take();
  REQUIRE(s.run_entry("print item(loss)") == Status::ok);
  const double loss_after = std::stod(out.take());
  CHECK(loss_after < loss_before);
}

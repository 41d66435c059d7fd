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

TEST_CASE("large values no binding reaches are reclaimed between entries, statements and loop steps") {
  // Each step makes an 8 MB tensor and rebinds x to its sum: x keeps the tensor (its
  // ancestor), the one before becomes garbage. Few nodes, many bytes: compaction by
  // the nodes alone never came, and every step's tensor was kept.
  Capture out;
  SessionOptions opt;
  opt.out = out.f;
  opt.err = out.f;
  // Twice what lives (three tensors, 24 MB), the allowance (128 MiB) and a block
  // being filled (at most 256 MiB); without reclaiming, 100 steps hold over 800 MB.
  const std::size_t bound = std::size_t{450} << 20;
  auto check_bounded = [&](Session& s) {
    INFO("the arena holds " << (s.graph().arena().bytes_reserved() >> 20) << " MiB");
    CHECK(s.graph().arena().bytes_reserved() < bound);
    REQUIRE(s.run_entry("print x, sum(kept)") == Status::ok);
    CHECK(out.take() == "1000000 3\n");
  };
  SECTION("REPL entries") {
    Session s(opt);
    REQUIRE(s.run_entry("let kept = ones([3])") == Status::ok);
    for (int i = 0; i < 100; ++i) REQUIRE(s.run_entry("let x = sum(ones([1000000]))") == Status::ok);
    out.take();
    check_bounded(s);
  }
  SECTION("the statements of a script") {
    Session s(opt);
    std::string script = "let kept = ones([3])\n";
    for (int i = 0; i < 100; ++i) script += "let x = sum(ones([1000000]))\n";
    REQUIRE(s.run_script("gc.hinge", script) == Status::ok);
    check_bounded(s);
  }
  SECTION("the steps of a loop over a list of tensors, which stays whole") {
    Session s(opt);
    REQUIRE(s.run_script("gc.hinge",
                         "let kept = ones([3])\n"
                         "let x = 0\n"
                         "let total = 0\n"
                         "for t in [ones([2]), ones([3]) * 2] {\n"
                         "  for i in range(50) { x = sum(ones([1000000])) }\n"
                         "  total = total + sum(t)\n"
                         "}\n"
                         "print total\n") == Status::ok);
    CHECK(out.take() == "8\n");
    check_bounded(s);
  }
}

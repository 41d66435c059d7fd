// A long REPL session stays bounded: nodes no binding reaches are reclaimed
// between entries, and what the bindings hold keeps its values and still trains.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "eval/session.hpp"
#include "hinge/graph.hpp"

using namespace hinge::lang;

namespace {

// What `f` received since the last call (f is a temporary file the session prints to).
std::string new_output(std::FILE* f, long& read_to) {
  std::fflush(f);
  std::fseek(f, read_to, SEEK_SET);
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  read_to = std::ftell(f);
  return text;
}

}  // namespace

TEST_CASE("a thousand experiments in one session keep the graph bounded") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  long read_to = 0;
  SessionOptions opt;
  opt.out = out;
  opt.err = out;
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
  CHECK(peak < 20000);       // without reclaiming: about 1000 entries x 8 nodes and growing
  new_output(out, read_to);  // what the entries above echoed

  // The bindings survived the compactions with their values...
  REQUIRE(s.run_entry("print item(keep[0]) == item(before[0]), item(sum(keep[1])) == item(before[1])") ==
          Status::ok);
  CHECK(new_output(out, read_to) == "true true\n");
  REQUIRE(s.run_entry("print item(keep[0]) == item(sum(w))") == Status::ok);
  CHECK(new_output(out, read_to) == "true\n");

  // ...and the model still trains: the loss falls.
  REQUIRE(s.run_entry("print item(loss)") == Status::ok);
  const double loss_before = std::stod(new_output(out, read_to));
  REQUIRE(s.run_entry("train loss with adam(lr=0.01) for 50 steps quiet") == Status::ok);
  new_output(out, read_to);
  REQUIRE(s.run_entry("print item(loss)") == Status::ok);
  const double loss_after = std::stod(new_output(out, read_to));
  CHECK(loss_after < loss_before);
  std::fclose(out);
}

// The engine's stop request: a long forward kernel polls the flag the program
// installed and throws Interrupted; without a request it runs to the end.
#include <catch2/catch.hpp>

#include <csignal>

#include "hinge/engine.hpp"
#include "hinge/interrupt.hpp"

using namespace hinge;

TEST_CASE("a long transpose stops when the stop flag is set, and runs when it is not") {
  volatile std::sig_atomic_t flag = 0;
  set_interrupt_flag(&flag);
  Graph g;
  Tensor big = g.constant(Shape{2048, 4096}, std::vector<double>(2048 * 4096, 1.0));
  CHECK(transpose(big).shape() == Shape{4096, 2048});
  flag = 1;
  CHECK_THROWS_AS(transpose(big), Interrupted);
  CHECK_THROWS_AS(softmax(big, 1), Interrupted);
  // Small kernels finish before their first poll.
  CHECK(transpose(g.constant(Shape{2, 3}, std::vector<double>(6, 1.0))).shape() == Shape{3, 2});
  flag = 0;
  CHECK(softmax(big, 1).shape() == Shape{2048, 4096});
  set_interrupt_flag(nullptr);
}

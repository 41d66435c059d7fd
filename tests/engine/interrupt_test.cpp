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

TEST_CASE("a long product stops between its blocks of rows, and runs whole when not asked to") {
  // [1200, 256] x [256, 512]: 157 million multiply-adds, above twice the work
  // between polls (Note [Stopping a long product]), so two blocks of rows.
  volatile std::sig_atomic_t flag = 0;
  set_interrupt_flag(&flag);
  Graph g(DType::f32);
  std::vector<double> a(1200 * 256), b(256 * 512);
  for (std::size_t k = 0; k < a.size(); ++k) a[k] = static_cast<double>(k % 7) - 3;
  for (std::size_t k = 0; k < b.size(); ++k) b[k] = static_cast<double>(k % 5) - 2;
  const Tensor A = g.constant(Shape{1200, 256}, a), B = g.constant(Shape{256, 512}, b);
  flag = 1;
  CHECK_THROWS_AS(matmul(A, B), Interrupted);
  // Small integers: every sum is exact in float32, so each element must equal the
  // plain loop's, in the first block and the last.
  flag = 0;
  const auto c = matmul(A, B).values();
  for (int64_t i : {0, 11, 12, 599, 1187, 1199})
    for (int64_t j : {0, 1, 511}) {
      double want = 0;
      for (int64_t p = 0; p < 256; ++p) want += a[i * 256 + p] * b[p * 512 + j];
      CHECK(c[i * 512 + j] == want);
    }
  set_interrupt_flag(nullptr);
}

TEST_CASE("a random fill stops between its draws") {
  // 2^28 draws, and the zeros the vector was first filled with, took seconds.
  volatile std::sig_atomic_t flag = 1;
  set_interrupt_flag(&flag);
  Graph g;
  Rng rng(7);
  CHECK_THROWS_AS(init::normal(g, rng, Shape{4, 4}, 0.0, 1.0), Interrupted);
  CHECK(g.size() == 0);  // nothing was made
  flag = 0;
  CHECK(init::normal(g, rng, Shape{4, 4}, 0.0, 1.0).numel() == 16);
  set_interrupt_flag(nullptr);
}

TEST_CASE("a large value, gradient or copy to doubles is made in pieces that a stop falls between") {
  // 2^25 float32s, 128 MiB: above the size zeroed in pieces first (Note [Touching
  // a large buffer first]); relu's kernel itself polls nothing.
  volatile std::sig_atomic_t flag = 0;
  set_interrupt_flag(&flag);
  Graph g(DType::f32);
  const Shape large{int64_t{1} << 25};
  const Tensor big = g.full(large, -1.5, DType::f32);
  const Tensor p = g.param(Shape{4}, std::vector<double>{1, 2, 3, 4});
  flag = 1;
  const std::size_t before = g.size();
  CHECK_THROWS_AS(relu(big), Interrupted);
  CHECK_THROWS_AS(big.values(), Interrupted);
  CHECK_THROWS_AS(g.ensure_grad(big.id), Interrupted);
  CHECK(g[big.id].grad == nullptr);  // no half-zeroed buffer is the gradient
  // Small ones are one piece, never stopped.
  CHECK(relu(p).values() == std::vector<double>{1, 2, 3, 4});
  g.ensure_grad(p.id);
  CHECK(p.grads() == std::vector<double>(4, 0.0));
  flag = 0;
  const std::vector<double> v = relu(big).values();
  CHECK(v.size() == std::size_t{1} << 25);
  CHECK(v.front() == 0.0);
  CHECK(v.back() == 0.0);
  CHECK(big.values()[12345] == -1.5);
  g.ensure_grad(big.id);
  CHECK(big.grads()[(std::size_t{1} << 25) - 1] == 0.0);
  CHECK(g.size() > before);
  set_interrupt_flag(nullptr);
}

TEST_CASE("a trace of many nodes stops between its rows") {
  // A million-node graph took 16 s to write as JSON, deaf to Ctrl-C.
  volatile std::sig_atomic_t flag = 0;
  set_interrupt_flag(&flag);
  Graph g;
  Tensor x = g.param(0.5);
  for (int k = 0; k < 5000; ++k) x = x + 1.0;
  CHECK(trace_json(x).find("\"root\": 10000") !=
        std::string::npos);  // whole without a stop: 1 + 2 x 5000 nodes
  flag = 1;
  CHECK_THROWS_AS(trace_json(x), Interrupted);
  CHECK_THROWS_AS(trace_dot(x), Interrupted);
  CHECK_THROWS_AS(trace_text(x), Interrupted);
  // A small one is one piece, never stopped.
  CHECK_FALSE(trace_text(g.param(1.0) * 2.0).empty());
  set_interrupt_flag(nullptr);
}

// matmul's loops for thin products (one of m, n, k is 1, above the small-product
// threshold, so not the plain loop): values against the definition, gradients
// (every transpose the backward uses) and Replay's assigning backward.
#include <cmath>

#include "matmul_reference.hpp"
#include "op_check.hpp"

using namespace hinge;
using namespace hinge::test;

namespace {

struct ThinCase {
  Shape a, b;
};

const ThinCase kThin[] = {
    {Shape{40, 1}, Shape{1, 8}},         // k = 1 (an outer product); its dA has n = 1, dB m = 1
    {Shape{8, 40}, Shape{40, 1}},        // n = 1; dA is an outer product, dB has n = 1 transposed
    {Shape{8, 40}, Shape{40}},           // a vector b
    {Shape{1, 40}, Shape{40, 8}},        // m = 1; dA has m = 1 with b transposed
    {Shape{40}, Shape{40, 8}},           // a vector a
    {Shape{3, 20, 1}, Shape{1, 8}},      // batched a, shared b (folds into one k = 1 product)
    {Shape{3, 1, 40}, Shape{3, 40, 1}},  // batched, m = n = 1 (dot products)
    {Shape{2, 40}, Shape{3, 40, 1}},     // shared a over a batched b
    {Shape{200, 1}, Shape{1, 100}},      // fit_curve's shapes
    {Shape{200, 100}, Shape{100, 1}},
};

}  // namespace

TEST_CASE("matmul of thin products (one of m, n, k is 1)", "[matmul]") {
  std::mt19937 rng(11);
  for (const ThinCase& c : kThin) {
    INFO(to_string(c.a) << " @ " << to_string(c.b));
    Graph g;
    auto a = random_variable(g, c.a, rng), b = random_variable(g, c.b, rng);
    const auto want = test::matmul_reference(a, b);
    const auto got = matmul(a, b).values();
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      CHECK(got[i] == Approx(want[i]).epsilon(1e-12).margin(1e-12));
    auto f = [](std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
    check_gradient(g, {random_variable(g, c.a, rng), random_variable(g, c.b, rng)}, f, rng);

    // Replay overwrites the gradients (beta = 0) instead of adding: equal to backward().
    Graph h;
    auto p = random_variable(h, c.a, rng), q = random_variable(h, c.b, rng);
    Tensor loss = weighted_sum(matmul(p * 1.5, q * 0.5), rng);
    backward(loss);
    const auto gp = p.grads(), gq = q.grads();
    Replay r(loss);
    for (int step = 0; step < 2; ++step) {
      r.forward();
      r.backward();
      const auto rp = p.grads(), rq = q.grads();
      for (std::size_t i = 0; i < gp.size(); ++i) CHECK(rp[i] == Approx(gp[i]).epsilon(1e-12).margin(1e-12));
      for (std::size_t i = 0; i < gq.size(); ++i) CHECK(rq[i] == Approx(gq[i]).epsilon(1e-12).margin(1e-12));
    }
  }
}

// A product with one output column, f32, against dot()'s order of operations
// (engine/src/kernels.hpp): 16 lane sums over the whole groups of 16, added in
// lane order, then the last products one by one. The AVX-512 set computes 16 rows
// at once (Note [Sixteen dot products at once] in engine/src/matmul.cpp); every
// set must give these numbers to the bit, whatever K % 16 and M % 16.
TEST_CASE("a one-column f32 product sums each row in dot()'s order", "[matmul]") {
  std::mt19937 rng(23);
  for (int64_t M : {16, 37, 200})
    for (int64_t K : {8, 15, 16, 17, 31, 48, 100}) {
      INFO("M " << M << " K " << K);
      Graph g(DType::f32);
      const auto av = random_values(M * K, rng), bv = random_values(K, rng);
      Tensor a = g.constant({M, K}, av), b = g.constant({K, 1}, bv);
      const auto got = matmul(a, b).values();
      REQUIRE(static_cast<int64_t>(got.size()) == M);
      for (int64_t i = 0; i < M; ++i) {
        float lanes[16] = {};
        int64_t p = 0;
        for (; p + 16 <= K; p += 16)
          for (int l = 0; l < 16; ++l)
            lanes[l] += static_cast<float>(av[i * K + p + l]) * static_cast<float>(bv[p + l]);
        float s = 0;
        for (float lane : lanes) s += lane;
        for (; p < K; ++p) s += static_cast<float>(av[i * K + p]) * static_cast<float>(bv[p]);
        CHECK(static_cast<float>(got[i]) == s);
      }
    }
  // The path that adds to C (beta = 1): x's gradient in [37, 1] @ [1, 100] is such a
  // product (G times w's row); a second backward() adds the same numbers again.
  Graph g(DType::f32);
  Tensor x = g.variable({37, 1}, random_values(37, rng), DType::f32);
  Tensor w = g.constant({1, 100}, random_values(100, rng), DType::f32);
  Tensor y = sum(matmul(x, w) * g.constant({37, 100}, random_values(3700, rng), DType::f32));
  backward(y);
  const auto once = x.grads();
  backward(y);
  const auto twice = x.grads();
  for (std::size_t i = 0; i < once.size(); ++i) CHECK(twice[i] == once[i] + once[i]);
}

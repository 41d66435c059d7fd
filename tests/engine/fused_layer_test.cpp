// Fused layers (Note [Fused layers] in engine/src/fused_layer.hpp): a replay with
// fused layers gives the loss and the gradients the node-by-node replay gives,
// whatever the gradient buffers held before; its gradients match central
// differences; and what cannot be fused is left to the node-by-node kernels.
// backward() and grad() over a one-column layer give the node-by-node gradients
// bit for bit, the interior nodes' included.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "hinge/engine.hpp"
#include "op_check.hpp"

using namespace hinge;
using hinge::test::random_values;

namespace {

enum class Act { relu, leaky_relu, sigmoid, tanh, gelu };

Tensor activate(Act act, Tensor a) {
  switch (act) {
    case Act::relu: return relu(a);
    case Act::leaky_relu: return leaky_relu(a, 0.1);
    case Act::sigmoid: return sigmoid(a);
    case Act::tanh: return tanh(a);
    case Act::gelu: return gelu(a);
  }
  return a;
}

const char* act_name(Act act) {
  constexpr const char* names[] = {"relu", "leaky_relu", "sigmoid", "tanh", "gelu"};
  return names[static_cast<int>(act)];
}

// One hidden layer y = act(X @ W + b) @ V + c under an MSE loss, with every
// variation the matcher accepts.
struct Layer {
  Act act = Act::relu;
  int64_t M = 13, K = 1, N = 9;
  bool x_grad = false;      // X is a variable (its gradient is computed too)
  bool bias_2d = false;     // b is [1, N] instead of [N]
  bool v_1d = false;        // V is [N] instead of [N, 1]
  bool bias_first = false;  // b + X @ W instead of X @ W + b

  std::string describe() const {
    return fmt::format("{} M={} K={} N={}{}{}{}{}", act_name(act), M, K, N, x_grad ? " dX" : "",
                       bias_2d ? " b[1,N]" : "", v_1d ? " V[N]" : "", bias_first ? " b+XW" : "");
  }
};

// The model's loss; `leaves` gets every leaf that requires grad.
Tensor build(Graph& g, const Layer& s, std::mt19937& rng, std::vector<Tensor>& leaves) {
  const DType t = g.dtype();
  Tensor X = s.x_grad ? g.variable({s.M, s.K}, random_values(s.M * s.K, rng), t)
                      : g.constant({s.M, s.K}, random_values(s.M * s.K, rng), t);
  Tensor W = g.param({s.K, s.N}, random_values(s.K * s.N, rng, -1, 1), t);
  Tensor b = g.param(s.bias_2d ? Shape{1, s.N} : Shape{s.N}, random_values(s.N, rng, -1, 1), t);
  Tensor V = g.param(s.v_1d ? Shape{s.N} : Shape{s.N, 1}, random_values(s.N, rng, -0.5, 0.5), t);
  Tensor c = g.param({1}, std::vector<double>{0.1}, t);
  Tensor z = matmul(X, W);
  Tensor y = matmul(activate(s.act, s.bias_first ? b + z : z + b), V) + c;
  Tensor target = g.constant(y.shape(), random_values(s.M, rng), t);
  leaves = {W, b, V, c};
  if (s.x_grad) leaves.push_back(X);
  return mse(y, target);
}

void poison(Graph& g, Tensor loss) {
  for (NodeId id : ancestors(g, loss.id, true)) {
    g.ensure_grad(id);
    Node& n = g[id];
    dispatch(n.dtype, [&]<class T>() {
      for (int64_t k = 0; k < n.numel(); ++k) n.g<T>()[k] = std::numeric_limits<T>::quiet_NaN();
    });
  }
}

// The loss and the leaves' gradients after one replay step.
struct StepResult {
  double loss;
  std::vector<std::vector<double>> grads;
};

StepResult step(Replay& r, const std::vector<Tensor>& leaves) {
  r.forward();
  r.backward();
  StepResult out{r.root().item(), {}};
  for (const Tensor& x : leaves) out.grads.push_back(x.grads());
  return out;
}

void check_same(const StepResult& got, const StepResult& want, double tol) {
  CHECK(got.loss == Approx(want.loss).epsilon(tol));
  REQUIRE(got.grads.size() == want.grads.size());
  for (std::size_t i = 0; i < got.grads.size(); ++i)
    for (std::size_t k = 0; k < got.grads[i].size(); ++k) {
      INFO("leaf " << i << " element " << k);
      CHECK(got.grads[i][k] == Approx(want.grads[i][k]).epsilon(tol).margin(tol));
    }
}

// A fused replay of `loss` against the node-by-node one, two steps each, from
// gradient buffers full of NaN (every write must be an overwrite or land on a
// buffer that was cleared). Returns how many layers were fused.
std::size_t compare_with_plain(Graph& g, Tensor loss, const std::vector<Tensor>& leaves, double tol) {
  StepResult want;
  {
    Replay plain(loss);
    want = step(plain, leaves);
  }
  Replay fused(loss, {.fuse_layers = true});
  for (int s = 0; s < 2; ++s) {
    INFO("step " << s);
    poison(g, loss);
    check_same(step(fused, leaves), want, tol);
  }
  return fused.fused_layers();
}

}  // namespace

TEST_CASE("a fused layer computes what the node-by-node replay computes", "[fused]") {
  std::mt19937 rng(11);
  std::vector<Layer> layers;
  for (Act act : {Act::relu, Act::leaky_relu, Act::sigmoid, Act::tanh})
    for (int64_t K : {1, 2, 3, 4})
      for (int64_t N : {1, 9, 75, 200}) layers.push_back({.act = act, .K = K, .N = N});
  layers.push_back({.x_grad = true});
  layers.push_back({.K = 3, .x_grad = true});
  layers.push_back({.bias_2d = true});
  layers.push_back({.v_1d = true});
  layers.push_back({.bias_first = true});
  layers.push_back(
      {.M = 1, .K = 2, .N = 70, .x_grad = true, .bias_2d = true, .v_1d = true, .bias_first = true});
  for (DType t : {DType::f64, DType::f32})
    for (const Layer& s : layers) {
      INFO(s.describe() << " " << dtype_name(t));
      Graph g(t);
      std::vector<Tensor> leaves;
      Tensor loss = build(g, s, rng, leaves);
      CHECK(compare_with_plain(g, loss, leaves, t == DType::f64 ? 1e-12 : 2e-5) == 1);
    }
}

TEST_CASE("a fused layer's gradients match central differences", "[fused]") {
  std::mt19937 rng(5);
  for (Act act : {Act::relu, Act::leaky_relu, Act::sigmoid, Act::tanh}) {
    const Layer s{.act = act, .M = 7, .K = 2, .N = 73, .x_grad = true};
    INFO(s.describe());
    Graph g(DType::f64);
    std::vector<Tensor> leaves;
    Tensor loss = build(g, s, rng, leaves);
    Replay r(loss, {.fuse_layers = true});
    REQUIRE(r.fused_layers() == 1);
    const StepResult at = step(r, leaves);
    const double eps = 1e-6;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      Node& n = leaves[i].node();
      for (int64_t k = 0; k < n.numel(); ++k) {
        double& v = n.v<double>()[k];
        const double keep = v;
        v = keep + eps;
        r.forward();
        const double up = loss.item();
        v = keep - eps;
        r.forward();
        const double down = loss.item();
        v = keep;
        INFO("leaf " << i << " element " << k);
        CHECK(at.grads[i][k] == Approx((up - down) / (2 * eps)).epsilon(1e-6).margin(1e-8));
      }
    }
  }
}

TEST_CASE("layers that cannot run fused are replayed node by node", "[fused]") {
  std::mt19937 rng(3);
  Graph g(DType::f64);
  auto data = [&](Shape s) { return g.constant(s, random_values(s.numel(), rng)); };
  auto weights = [&](Shape s) { return g.param(s, random_values(s.numel(), rng, -1, 1)); };
  Tensor X = data({11, 1}), X5 = data({11, 5});
  Tensor W = weights({1, 6}), W5 = weights({5, 6}), b = weights({6}), V = weights({6, 1}),
         V2 = weights({6, 2});
  const std::vector<Tensor> leaves = {W, W5, b, V, V2};
  auto check = [&](Tensor loss, std::size_t fused) {
    CHECK(compare_with_plain(g, loss, leaves, 1e-12) == fused);
  };
  SECTION("the activation's output is also read elsewhere") {
    Tensor h = relu(matmul(X, W) + b);
    check(sum(matmul(h, V)) + mean(h * h), 0);
  }
  SECTION("X @ W is also read elsewhere") {
    Tensor z = matmul(X, W);
    check(sum(matmul(relu(z + b), V)) + sum(z), 0);
  }
  SECTION("more than four input columns") { check(sum(matmul(relu(matmul(X5, W5) + b), V)), 0); }
  SECTION("two output columns") { check(sum(matmul(relu(matmul(X, W) + b), V2)), 0); }
  SECTION("a bias of the whole [M, N] shape") {
    Tensor B = g.param({11, 6}, random_values(66, rng, -1, 1));
    check(sum(matmul(relu(matmul(X, W) + B), V)), 0);
  }
  SECTION("an activation whose slope is not a function of its output") {
    check(sum(matmul(gelu(matmul(X, W) + b), V)), 0);
  }
  SECTION("leaky relu with a negative slope") {
    check(sum(matmul(leaky_relu(matmul(X, W) + b, -0.5), V)), 0);
  }
  SECTION("the same weights in two layers, and V in a penalty: gradients add up") {
    Tensor y1 = matmul(relu(matmul(X, W) + b), V);
    Tensor y2 = matmul(tanh(matmul(y1, W) + b), V);  // stacked: 1 -> 6 -> 1 -> 6 -> 1
    check(sum(y2) + sum(V * V) * 0.01 + sum(y1) * 0.5, 2);
  }
}

TEST_CASE("a layer made only of constants is folded and still fused", "[fused]") {
  std::mt19937 rng(9);
  Graph g(DType::f64);
  auto data = [&](Shape s) { return g.constant(s, random_values(s.numel(), rng)); };
  Tensor X = data({6, 1}), W = data({1, 5}), b = data({5}), V = data({5, 1});
  Tensor w = g.param({6, 1}, random_values(6, rng));
  Tensor fixed = matmul(relu(matmul(X, W) + b), V);  // no param below it
  Tensor loss = sum(fixed * w);
  const double want = loss.item();
  Replay r(loss, {.fuse_layers = true, .fold_constants = true});
  CHECK(r.fused_layers() == 1);
  r.forward();
  r.backward();
  CHECK(loss.item() == Approx(want).epsilon(1e-14));
  for (int64_t k = 0; k < 6; ++k) CHECK(w.grad_at(k) == Approx(fixed.at(k)).epsilon(1e-14));
}

namespace {

// backward() over a one-column layer (Note [Fused layers in backward] in
// engine/src/fused_layer.hpp). The same model is built twice from the same
// numbers; in the second a node sits between X @ W and the bias add, so the walk
// differentiates it node by node.
struct Walked {
  Tensor loss;
  std::vector<Tensor> leaves, interior;  // interior: X @ W, + b, act, @ V
};

enum class Extra { none, reads_h, reads_z };

Walked build_walked(Graph& g, const Layer& s, Extra extra, uint32_t seed, bool spaced) {
  std::mt19937 rng(seed);
  const DType t = g.dtype();
  Tensor X = g.constant({s.M, 1}, random_values(s.M, rng), t);
  Tensor W = g.param({1, s.N}, random_values(s.N, rng, -1, 1), t);
  Tensor b = g.param(s.bias_2d ? Shape{1, s.N} : Shape{s.N}, random_values(s.N, rng, -1, 1), t);
  Tensor V = g.param(s.v_1d ? Shape{s.N} : Shape{s.N, 1}, random_values(s.N, rng, -0.5, 0.5), t);
  Tensor c = g.param({1}, std::vector<double>{0.1}, t);
  Tensor target = g.constant(s.v_1d ? Shape{s.M} : Shape{s.M, 1}, random_values(s.M, rng), t);
  Tensor z = matmul(X, W);
  if (spaced) (void)g.scalar(0.0, t);
  Tensor a = s.bias_first ? b + z : z + b;
  Tensor h = activate(s.act, a);
  Tensor y = matmul(h, V);
  Tensor loss = mse(y + c, target);
  if (extra == Extra::reads_h) loss = loss + mean(h * h);
  if (extra == Extra::reads_z) loss = loss + sum(z) * 0.5;
  return {loss, {W, b, V, c}, {z, a, h, y}};
}

// Every gradient backward() wrote, as bits (a sign of zero or a NaN differs too).
std::vector<uint64_t> gradient_bits(const Walked& w) {
  std::vector<uint64_t> out;
  for (const auto* list : {&w.leaves, &w.interior})
    for (const Tensor& x : *list)
      for (double v : x.grads()) out.push_back(std::bit_cast<uint64_t>(v));
  return out;
}

// Leaf gradients start from numbers (backward() adds to them); the interior ones
// from NaN on the second pass (each must be overwritten).
void fill_grads(const std::vector<Tensor>& ts, uint32_t seed, bool nan) {
  std::mt19937 rng(seed);
  for (const Tensor& x : ts) {
    x.g->ensure_grad(x.id);
    Node& n = x.node();
    const auto v = random_values(n.numel(), rng);
    dispatch(n.dtype, [&]<class T>() {
      for (int64_t k = 0; k < n.numel(); ++k)
        n.g<T>()[k] = nan ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(v[k]);
    });
  }
}

}  // namespace

TEST_CASE("backward() over a one-column layer writes the node-by-node gradients bit for bit", "[fused]") {
  std::vector<std::pair<Layer, Extra>> cases;
  for (Act act : {Act::relu, Act::leaky_relu, Act::sigmoid})
    for (auto [M, N] : {std::pair<int64_t, int64_t>{40, 9}, {13, 75}, {200, 100}, {3, 130}, {5, 9}})
      cases.push_back({{.act = act, .M = M, .N = N}, Extra::none});
  cases.push_back({{.M = 30, .N = 20, .bias_2d = true}, Extra::none});
  cases.push_back({{.M = 30, .N = 20, .v_1d = true}, Extra::none});
  cases.push_back({{.M = 30, .N = 20, .bias_first = true}, Extra::none});
  cases.push_back({{.M = 30, .N = 20}, Extra::reads_h});
  cases.push_back({{.M = 30, .N = 20}, Extra::reads_z});
  uint32_t seed = 1;
  for (DType t : {DType::f64, DType::f32})
    for (const auto& [s, extra] : cases) {
      INFO(s.describe() << " extra " << static_cast<int>(extra) << " " << dtype_name(t));
      ++seed;
      Graph g(t);
      const Walked fused = build_walked(g, s, extra, seed, false);
      const Walked plain = build_walked(g, s, extra, seed, true);
      CHECK(fused.loss.item() == plain.loss.item());
      for (const Walked* w : {&fused, &plain}) {
        fill_grads(w->leaves, seed, false);
        backward(w->loss);
      }
      CHECK(gradient_bits(fused) == gradient_bits(plain));
      for (const Walked* w : {&fused, &plain}) {
        fill_grads(w->interior, seed, true);
        backward(w->loss);
      }
      CHECK(gradient_bits(fused) == gradient_bits(plain));
      // grad() takes the same walk: by a leaf and by an interior node.
      const std::pair<Tensor, Tensor> by[] = {{fused.leaves[0], plain.leaves[0]},
                                              {fused.interior[2], plain.interior[2]}};
      for (const auto& [fx, px] : by) {
        const auto got = grad(fused.loss, {fx}).front().grads(),
                   want = grad(plain.loss, {px}).front().grads();
        REQUIRE(got.size() == want.size());
        for (std::size_t e = 0; e < got.size(); ++e)
          CHECK(std::bit_cast<uint64_t>(got[e]) == std::bit_cast<uint64_t>(want[e]));
      }
    }
}

// The scalar program (Note [Scalar programs]) must agree exactly with the
// node-by-node kernels, and leave every node as the kernels would.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "hinge/engine.hpp"
#include "hinge/optim.hpp"

using namespace hinge;

namespace {

// A scalar graph using every op the scalar program compiles, rooted at a loss.
struct Model {
  Graph g;
  std::vector<Tensor> params;
  Tensor x, loss;

  Model() {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> d(0.2, 1.5);
    for (int i = 0; i < 6; ++i) params.push_back(g.param(d(rng)));
    x = g.scalar(0.7);
    auto& p = params;
    std::vector<Tensor> t;
    t.push_back(p[0] * x + p[1]);
    t.push_back(p[2] - x / p[3]);
    t.push_back(pow(p[4], p[5]) + pow(p[0], 2.0) + pow(p[1], 0.5));
    t.push_back(minimum(p[0], p[1]) + maximum(p[2], p[3]) + neg(p[4]) + abs(p[5] - 1.0));
    t.push_back(exp(p[0]) + log(p[1]) + sqrt(p[2]) + sin(p[3]) + cos(p[4]) + erf(p[5]));
    t.push_back(relu(p[0] - 0.5) + leaky_relu(p[1] - 2.0, 0.1) + elu(p[2] - 2.0, 0.7) + gelu(p[3]));
    t.push_back(softplus(p[4]) + sigmoid(p[5]) + tanh(p[0]) + step(p[1]) * p[2] + sign(p[3]) * p[4]);
    t.push_back(sum(p[0]) + mean(p[1]) + max(p[2]) + reshape(p[3], {1}) + detach(p[4]) * p[5]);
    t.push_back(lt(p[0], p[1]) * p[2] + ge(p[3], p[4]) * p[5]);
    loss = t[0];
    for (std::size_t i = 1; i < t.size(); ++i) loss = loss * 0.5 + t[i] * t[i];
  }
};

}  // namespace

TEST_CASE("a scalar graph replays through the scalar program with the kernels' exact numbers") {
  Model m;
  // Reference: the node-by-node kernels (grad() does not use Replay).
  const double loss0 = m.loss.item();
  auto ref = grad(m.loss, m.params);
  {
    Replay r(m.loss);
    r.forward();
    r.backward();
    CHECK(m.loss.item() == loss0);
    for (std::size_t i = 0; i < m.params.size(); ++i) CHECK(m.params[i].grad_item() == ref[i].item());
    // New parameter values flow through the program's arrays.
    m.params[0].set_values(std::vector<double>{1.25});
    r.forward();
    r.backward();
  }
  // After the program is gone, nodes hold its last values and gradients...
  const double loss1 = m.loss.item();
  std::vector<double> got;
  for (auto& p : m.params) got.push_back(p.grad_item());
  // ...which equal what the kernels compute for the same parameters.
  Replay again(m.loss);  // rebuilt after the change: compare with grad() on kernels
  auto ref1 = grad(m.loss, m.params);
  CHECK(loss1 != loss0);
  for (std::size_t i = 0; i < m.params.size(); ++i) CHECK(got[i] == ref1[i].item());
}

TEST_CASE("training a scalar graph with an optimizer updates the parameters through the program") {
  Graph g;
  auto w = g.param(0.0), b = g.param(0.0);
  auto loss = pow(w * 2.0 + b - 1.0, 2.0);
  Replay r(loss);
  Sgd opt(r.params(), SgdOptions{.lr = 0.05});
  for (int i = 0; i < 500; ++i) {
    r.forward();
    r.backward();
    opt.step();
  }
  r.forward();
  CHECK(loss.item() < 1e-12);
  CHECK(w.item() * 2 + b.item() == Approx(1.0));
}

TEST_CASE("a graph holding any tensor node replays node by node, with the same numbers") {
  Graph g;
  auto w = g.param(Shape{2}, std::vector<double>{0.5, -1.5});
  auto s = g.param(2.0);
  auto loss = sum(relu(w * s + 1.0)) * s;
  auto ref = grad(loss, {w, s});
  Replay r(loss);
  r.forward();
  r.backward();
  CHECK(w.grads() == ref[0].values());
  CHECK(s.grad_item() == ref[1].item());
}

// Note [Sums of products in registers]: neurons built as micrograd builds them
// (act = act + w * x) compile into pairs whose sum travels in a register; the
// numbers must still be the kernels' to the bit, interior gradients included.
TEST_CASE("neurons replay through the scalar program with the kernels' exact numbers") {
  for (DType t : {DType::f32, DType::f64}) {
    Graph g(t);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> d(-1.0, 1.0);
    std::vector<Tensor> params, interior, mids;
    auto param = [&] { return params.emplace_back(g.param(d(rng))); };
    std::vector<Tensor> x = {g.scalar(0.3), g.scalar(-0.8), g.scalar(0.55)};  // data: no gradient
    for (int layer = 0; layer < 2; ++layer) {
      std::vector<Tensor> y;
      for (int j = 0; j < 4; ++j) {
        Tensor act = param();
        for (const Tensor& xi : x) {
          act = act + param() * xi;
          if (j == 1 && layer == 0) mids.push_back(act);  // a partial sum used again below
        }
        y.push_back(interior.emplace_back(relu(act)));
      }
      x = std::move(y);
    }
    // A sum that is also a factor of the product added to it, and a square.
    Tensor s = x[0] + param() * x[0];
    s = s + s * s;
    Tensor loss = interior.emplace_back(s) * 0.5;
    for (const Tensor& m : mids) loss = loss + m * 0.25;
    for (const Tensor& p : params) loss = loss + p * p;
    const double loss0 = loss.item();
    std::vector<Tensor> wrt = params;
    wrt.insert(wrt.end(), interior.begin(), interior.end());
    wrt.insert(wrt.end(), mids.begin(), mids.end());
    const auto ref = grad(loss, wrt);
    Replay r(loss);
    r.forward();
    r.backward();
    CHECK(loss.item() == loss0);
    for (std::size_t i = 0; i < wrt.size(); ++i) CHECK(wrt[i].grad_item() == ref[i].item());
  }
}

// Note [Branch-free relu]: the gate through a bit mask gives the kernels' numbers,
// +0 for a -0 input among them.
TEST_CASE("the scalar program's relu matches the kernels at -0, 0 and either side") {
  for (DType t : {DType::f32, DType::f64}) {
    Graph g(t);
    std::vector<Tensor> p = {g.param(-1.5), g.param(0.75), g.param(2.0)};
    std::vector<Tensor> gates = {relu(p[0] * 0.0), relu(p[1] * 0.0), relu(p[0]), relu(p[1])};
    Tensor loss = gates[0] * p[2];
    for (std::size_t i = 1; i < gates.size(); ++i) loss = loss + gates[i] * p[2];
    std::vector<double> ref_values;
    for (const Tensor& z : gates) ref_values.push_back(z.item());
    const auto ref = grad(loss, p);
    Replay r(loss);
    r.forward();
    r.backward();
    for (std::size_t i = 0; i < gates.size(); ++i) {
      CHECK(gates[i].item() == ref_values[i]);
      CHECK(std::signbit(gates[i].item()) == std::signbit(ref_values[i]));
    }
    CHECK_FALSE(std::signbit(gates[0].item()));  // relu(-0) = +0
    for (std::size_t i = 0; i < p.size(); ++i) CHECK(p[i].grad_item() == ref[i].item());
  }
}

// While a program holds its nodes' numbers in its own arrays, their inline slots
// keep the numbers of when it was made (Note [Inline scalars]): a node built from
// them, and backward's walk over it, must read the program's. Here w is 2 in its
// inline slot and 3 in the program, so a read of the slot gives other numbers.
TEST_CASE(
    "nodes built and differentiated while a scalar program holds their inputs read the program's numbers") {
  for (DType t : {DType::f32, DType::f64}) {
    CAPTURE(dtype_name(t));
    Graph g(t);
    Tensor w = g.param(2.0), b = g.param(1.0);
    Tensor loss = w * w + b;
    // Built while the programs live, from w = 3 and b = 1:
    // y = w b + relu(w - b) = 5, dy/dw = b + 1 = 2, dy/db = w - 1 = 2.
    auto check_built_now = [&] {
      Tensor y = w * b + relu(w - b);
      CHECK(y.item() == 5.0);
      backward(y);
      CHECK(w.grad_item() == 2.0);
      CHECK(b.grad_item() == 2.0);
      zero_grad(std::vector<Tensor>{w, b});
    };
    {
      Replay outer(loss);
      w.set_values(std::vector<double>{3.0});  // into the outer program's array
      outer.forward();
      CHECK(loss.item() == 10.0);
      check_built_now();
      {
        Replay inner(loss);  // programs nest (a gradcheck inside training)
        check_built_now();
      }
      // The inner program gave the nodes back to the outer one, not to their slots.
      check_built_now();
    }
    // Both gone: the slots hold w = 3 again, and the inline paths read them.
    Tensor z = w * w - b;
    CHECK(z.item() == 8.0);
    backward(z);
    CHECK(w.grad_item() == 6.0);
    CHECK(b.grad_item() == -1.0);
  }
}

// Optimizers and learning-rate schedules: the first three updates of each match
// PyTorch 1.13's torch.optim on a two-element parameter (numbers from PyTorch,
// hand-checked where noted), and the documented differences hold.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "hinge/engine.hpp"

using namespace hinge;

namespace {

// w = [1, -2]; loss "sq" = sum(w * w) (gradient 2w) or "lin" = sum([1, 2] * w)
// (gradient [1, 2] at every step). Runs three replayed steps and returns w after each.
enum class Loss { sq, lin };

template <class Opt, class Options>
std::vector<std::vector<double>> run3(Loss kind, const Options& o, DType t = DType::f64) {
  Graph g(t);
  auto w = g.param(Shape{2}, std::vector<double>{1, -2});
  auto c = g.constant(Shape{2}, std::vector<double>{1, 2});
  auto loss = kind == Loss::sq ? sum(w * w) : sum(c * w);
  Replay r(loss);
  Opt opt(r.params(), o);
  std::vector<std::vector<double>> out;
  for (int k = 0; k < 3; ++k) {
    r.forward();
    r.backward();
    opt.step();
    out.push_back(w.values());
  }
  return out;
}

void check_steps(const std::vector<std::vector<double>>& got, const std::vector<std::vector<double>>& want,
                 double eps = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (std::size_t s = 0; s < want.size(); ++s)
    for (std::size_t i = 0; i < 2; ++i) {
      INFO("step " << s + 1 << ", element " << i);
      CHECK(got[s][i] == Approx(want[s][i]).epsilon(eps).margin(eps));
    }
}

}  // namespace

TEST_CASE("sgd: w -= lr * grad") {
  // sum(w*w), lr 0.1: each step multiplies w by 1 - 0.2 = 0.8.
  check_steps(run3<Sgd>(Loss::sq, SgdOptions{.lr = 0.1}), {{0.8, -1.6}, {0.64, -1.28}, {0.512, -1.024}});
}

TEST_CASE("sgd with momentum: b = mu b + g, b = g on the first step") {
  // g = [1, 2]; b = g, 1.9 g, 2.71 g; w = w0 - 0.1 (1, 2.9, 5.61) g.
  check_steps(run3<Sgd>(Loss::lin, SgdOptions{.lr = 0.1, .momentum = 0.9}),
              {{0.9, -2.2}, {0.71, -2.58}, {0.439, -3.122}});
}

TEST_CASE("sgd with nesterov momentum steps by g + mu b, further than plain momentum") {
  // Same b as plain momentum, but the step is g + 0.9 b = 1.9 g, 2.71 g, 3.439 g.
  auto nesterov = run3<Sgd>(Loss::lin, SgdOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
  check_steps(nesterov, {{0.81, -2.38}, {0.539, -2.922}, {0.1951, -3.6098}});
  auto plain = run3<Sgd>(Loss::lin, SgdOptions{.lr = 0.1, .momentum = 0.9});
  // After three steps the Nesterov run has moved 0.8049 g, plain momentum 0.561 g.
  CHECK(1 - nesterov[2][0] == Approx(0.8049));
  CHECK(1 - plain[2][0] == Approx(0.561));
}

TEST_CASE("sgd dampening does not apply on the first step") {
  // b = g, then 0.9 g + 0.5 g = 1.4 g, then 0.9 * 1.4 g + 0.5 g = 1.76 g.
  check_steps(run3<Sgd>(Loss::lin, SgdOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.5}),
              {{0.9, -2.2}, {0.76, -2.48}, {0.584, -2.832}});
}

TEST_CASE("sgd weight decay adds wd * w to the gradient") {
  check_steps(run3<Sgd>(Loss::lin, SgdOptions{.lr = 0.1, .weight_decay = 0.1}),
              {{0.89, -2.18}, {0.7811, -2.3582}, {0.673289, -2.534618}});
}

TEST_CASE("adam: bias-corrected moments") {
  // Step 1: mhat = g, vhat = g^2, so w moves lr * g / (|g| + eps) = 0.1 * sign(g).
  check_steps(run3<Adam>(Loss::sq, AdamOptions{.lr = 0.1}), {{0.9000000005, -1.90000000025},
                                                             {0.8004122286917927, -1.800166486115701},
                                                             {0.7015862729460302, -1.700623392046465}});
}

TEST_CASE("adam weight decay is an L2 term in the gradient, adamw decays the weights") {
  // Adam: g = [1, 2] + 0.5 w = [1.5, 1] at step 1, so both move by lr = 0.1.
  auto adam = run3<Adam>(Loss::lin, AdamOptions{.lr = 0.1, .weight_decay = 0.5});
  check_steps(adam, {{0.9000000006666666, -2.099999999},
                     {0.8001027084220775, -2.199833512368124},
                     {0.7003815249719783, -2.2993766056565885}});
  // AdamW: w *= 1 - 0.1 * 0.5 first ([0.95, -1.9]), then the Adam step on the raw
  // gradient [1, 2] (0.1 each): [0.85, -2.0].
  auto adamw = run3<AdamW>(Loss::lin, AdamWOptions{.lr = 0.1, .weight_decay = 0.5});
  check_steps(adamw, {{0.850000001, -1.9999999995},
                      {0.7075000019500006, -1.9999999990249993},
                      {0.5721250028525007, -1.9999999985737493}});
}

TEST_CASE("adamw's default weight decay is 1e-2, as in PyTorch") {
  CHECK(AdamWOptions{}.weight_decay == 1e-2);
  CHECK(AdamOptions{}.weight_decay == 0);
  check_steps(run3<AdamW>(Loss::sq, AdamWOptions{.lr = 0.1}), {{0.8990000005, -1.89800000025},
                                                               {0.7985190271685215, -1.7962725886447977},
                                                               {0.6989111831582322, -1.6949445143849768}});
}

TEST_CASE("float32 parameters are updated in float32") {
  // PyTorch's float32 results; its algebra differs slightly (lr / bc1 and
  // sqrt(v) / sqrt(bc2)), so allow a few float ulps.
  auto f = run3<Adam>(Loss::sq, AdamOptions{.lr = 0.1}, DType::f32);
  check_steps(f,
              {{0.9000000357627869, -1.899999976158142},
               {0.8004122376441956, -1.8001664876937866},
               {0.7015863060951233, -1.7006233930587769}},
              4e-7);
  // The stored value is a float: the double we read back is exactly representable.
  CHECK(static_cast<double>(static_cast<float>(f[2][0])) == f[2][0]);
}

TEST_CASE("optimizer bookkeeping: zero_grad, lr, steps, skipped parameters") {
  Graph g;
  auto w = g.param(Shape{2}, std::vector<double>{1, -2});
  auto unused = g.param(3.0);  // never reached by backward: no gradient buffer, skipped
  auto loss = sum(w * w);
  Sgd opt({w, unused}, {.lr = 0.1});
  backward(loss);
  CHECK(w.grads() == std::vector<double>{2, -4});
  opt.step();
  CHECK(opt.steps() == 1);
  CHECK(unused.item() == 3.0);
  opt.zero_grad();
  CHECK(w.grads() == std::vector<double>{0, 0});
  opt.set_lr(0.5);
  CHECK(opt.lr() == 0.5);
  CHECK_THROWS_AS(opt.set_lr(-1), DomainError);
}

TEST_CASE("optimizers reject bad arguments with a clear message") {
  Graph g;
  auto w = g.param(1.0);
  auto c = g.scalar(2.0);
  CHECK_THROWS_MATCHES(Sgd({w}, {.lr = -0.1}), DomainError,
                       Catch::Message("sgd: invalid learning rate -0.1 (must be >= 0)"));
  CHECK_THROWS_MATCHES(Sgd({w}, {.nesterov = true}), DomainError,
                       Catch::Message("sgd: Nesterov momentum needs momentum > 0 and zero dampening"));
  CHECK_THROWS_MATCHES(Adam({w}, {.beta1 = 1.0}), DomainError,
                       Catch::Message("adam: invalid beta1 1 (must be in [0, 1))"));
  CHECK_THROWS_MATCHES(Adam({c}), DomainError, Catch::Message("adam: parameter 0 does not require grad"));
  CHECK_THROWS_MATCHES(AdamW({w, w}), DomainError,
                       Catch::Message("adamw: parameter 1 appears twice in the list"));
  CHECK_THROWS_MATCHES(
      Sgd({w * 2.0}), DomainError,
      Catch::Message("sgd: parameter 0 is a computed value ('mul'); only leaves can be updated"));
}

TEST_CASE("learning-rate schedules") {
  ConstantLr constant(0.1);
  CHECK(constant.lr(0) == 0.1);
  CHECK(constant.lr(12345) == 0.1);

  StepLr step(1.0, 10, 0.5);  // halves every 10 steps
  CHECK(step.lr(0) == 1.0);
  CHECK(step.lr(9) == 1.0);
  CHECK(step.lr(10) == 0.5);
  CHECK(step.lr(25) == 0.25);
  CHECK_THROWS_AS(StepLr(1.0, 0), DomainError);

  CosineLr cosine(1.0, 100, 0.1);
  CHECK(cosine.lr(0) == Approx(1.0));
  CHECK(cosine.lr(50) == Approx(0.55));  // halfway: the mean of base and min
  CHECK(cosine.lr(25) == Approx(0.1 + 0.9 * (1 + std::cos(std::numbers::pi / 4)) / 2));
  CHECK(cosine.lr(100) == Approx(0.1));
  CHECK(cosine.lr(1000) == Approx(0.1));  // stays at min afterwards

  // A schedule drives an optimizer through set_lr.
  Graph g;
  auto w = g.param(1.0);
  Sgd opt({w}, {.lr = step.lr(0)});
  opt.set_lr(step.lr(10));
  CHECK(opt.lr() == 0.5);
}

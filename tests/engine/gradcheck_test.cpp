// gradcheck: the extrapolated differences (Note [Richardson differences]) pass a
// correct gradient that one central difference failed, still fail a wrong one, and
// report the worst element with both values and the step.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "hinge/engine.hpp"
#include "hinge/interrupt.hpp"

using namespace hinge;

namespace {

// cos((w3 w2 w1 w0)^3): its third derivative is huge next to its first.
Tensor bends_fast(std::vector<Tensor>& w) { return cos(pow(w[3] * w[2] * w[1] * w[0], 3.0)); }

}  // namespace

TEST_CASE("gradcheck passes a correct gradient that one central difference failed") {
  Graph g;
  std::vector<Tensor> w = {g.param(2.5), g.param(-2.3), g.param(2.1), g.param(1.9)};
  Tensor y = bends_fast(w);
  const auto analytic = grad(y, w);
  // d/dw0 of cos(p^3) = -sin(p^3) 3 p^3 / w0, p = w3 w2 w1 w0.
  const double p = 2.5 * -2.3 * 2.1 * 1.9;
  CHECK(analytic[0].item() == Approx(-std::sin(p * p * p) * 3 * p * p * p / 2.5).epsilon(1e-9));

  // The old check: one central difference, h = 1e-6 max(1, |x|), rtol 1e-5, atol 1e-7.
  const double h = 1e-6 * 2.5;
  w[0].set_values(std::vector<double>{2.5 + h});
  const double up = bends_fast(w).item();
  w[0].set_values(std::vector<double>{2.5 - h});
  const double down = bends_fast(w).item();
  w[0].set_values(std::vector<double>{2.5});
  const double one_difference = (up - down) / (2 * h);
  INFO("analytic " << analytic[0].item() << ", one central difference " << one_difference);
  CHECK(std::abs(analytic[0].item() - one_difference) > 1e-7 + 1e-5 * std::abs(one_difference));

  const GradcheckResult r = gradcheck(y, w);
  INFO(r.describe());
  CHECK(r.ok);
  CHECK(r.checked == 4);
  CHECK(r.worst_error < 1e-7);
}

TEST_CASE("gradcheck fails a wrong gradient and names its worst element, both values and the step") {
  Graph g;
  // detach stops the gradient of the second factor: the analytic gradient is x,
  // the true one (the replay recomputes detach) is 2x.
  Tensor z = g.param(Shape{2}, std::vector<double>{0.3, -0.7});
  Tensor x = g.param(Shape{3}, std::vector<double>{0.5, 3, -1});
  Tensor y = sum(exp(z)) + sum(x * detach(x) * g.constant(Shape{3}, std::vector<double>{1, 2, 1}));
  const GradcheckResult r = gradcheck(y, {z, x});
  INFO(r.describe());
  CHECK_FALSE(r.ok);
  CHECK(r.checked == 5);
  CHECK(r.input == 1);  // a failing element of x, never z's that passed
  REQUIRE(r.element >= 0);
  const double x0 = x.at(r.element), weight = r.element == 1 ? 2 : 1;
  CHECK(r.analytic == Approx(weight * x0));
  CHECK(r.numeric == Approx(2 * weight * x0).epsilon(1e-8));
  CHECK(r.step == Approx(1e-6 * std::max(1.0, std::abs(x0))));
  CHECK(r.worst_error == Approx(0.5).epsilon(1e-6));
  const std::string d = r.describe();
  CHECK(d.rfind(fmt::format("FAILED at input 1 element {}: analytic ", r.element), 0) == 0);
  CHECK(d.find("step") != std::string::npos);
  // A caller names the element in its own words (lang: "x[2]").
  const std::string named = r.describe("y", [](int i, int64_t k) { return fmt::format("#{}.{}", i, k); });
  CHECK(named.rfind(fmt::format("FAILED at #1.{}: ", r.element), 0) == 0);
  // The values are left as they were.
  CHECK(x.values() == std::vector<double>{0.5, 3, -1});
  CHECK(z.values() == std::vector<double>{0.3, -0.7});
}

TEST_CASE("gradcheck takes the analytic gradient at the current values") {
  Graph g;
  Tensor w = g.param(1.0);
  Tensor y = pow(sin(w), 2.0);
  CHECK(y.item() == Approx(std::sin(1.0) * std::sin(1.0)));
  w.set_values(std::vector<double>{3.0});  // y is stale until something reads it
  const GradcheckResult r = gradcheck(y, {w});
  INFO(r.describe());
  CHECK(r.ok);
  CHECK(r.analytic == Approx(std::sin(6.0)).epsilon(1e-12));
  CHECK(y.item() == Approx(std::sin(3.0) * std::sin(3.0)));
}

TEST_CASE("gradcheck of a value that is not finite compares nothing and says why") {
  Graph g;
  Tensor p = g.param(Shape{3}, std::vector<double>{1.0, 2.0, 3.0});
  Tensor y = sum(log(p - 2.0));  // log(-1) is NaN: differences of y say nothing
  const GradcheckResult r = gradcheck(y, {p});
  CHECK_FALSE(r.ok);
  CHECK(std::isnan(r.value));
  CHECK(r.checked == 0);
  CHECK(r.describe() ==
        "cannot check: the value is nan at the current values (finite differences need a finite value)");
  CHECK(r.describe("y") ==
        "cannot check: y is nan at the current values (finite differences need a finite value)");
  p.set_values(std::vector<double>{3.0, 4.0, 5.0});  // finite again: checked as usual
  const GradcheckResult again = gradcheck(y, {p});
  INFO(again.describe());
  CHECK(again.ok);
  CHECK(again.checked == 3);
  CHECK(again.value == Approx(std::log(1.0) + std::log(2.0) + std::log(3.0)));
}

TEST_CASE("a stop request ends gradcheck between two elements with every value put back") {
  Graph g;
  Tensor w = g.param(Shape{300, 300}, std::vector<double>(300 * 300, 0.5));
  for (int64_t k = 0; k < w.numel(); k += 7)
    w.node().v<double>()[k] = 0.25 + 1e-3 * static_cast<double>(k % 101);
  Tensor y = sum(w * w);
  const std::vector<double> before = w.values();
  const double y_before = y.item();
  // Four replays of 90,000 elements for each of 90,000 elements: far longer than the
  // request takes to come, and than the test may run.
  volatile std::sig_atomic_t flag = 0;
  set_interrupt_flag(&flag);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    flag = 1;
  });
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(gradcheck(y, {w}), Interrupted);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stopper.join();
  set_interrupt_flag(nullptr);
  CHECK(waited < 10.0);
  CHECK(w.values() == before);  // exactly, the perturbed element included
  CHECK(y.item() == y_before);
}

TEST_CASE("gradcheck passes a correct gradient of a large value whose round-off outgrows atol") {
  // y near 10^7 carries a round-off near 1e-9 in each value, which the differences
  // divide by steps near 1e-6: about 1e-3 of noise, a hundred times atol, and a
  // correct gradient failed at relative error 7.3e-4 (Note [Round-off in the
  // differences]).
  Graph g;
  Tensor w = g.param(Shape{4}, std::vector<double>{0.3, -1.2, 2.0, 0.7});
  const GradcheckResult r = gradcheck(sum(w * w) + 1e7, {w});
  INFO(r.describe());
  CHECK(r.ok);
  CHECK(r.checked == 4);
  CHECK(r.blurred == 0);
  // A wrong gradient at the same value still fails: half of it hidden by detach.
  const GradcheckResult bad = gradcheck(sum(w * detach(w)) + 1e7, {w});
  INFO(bad.describe());
  CHECK_FALSE(bad.ok);
  CHECK(bad.failed == 4);
  CHECK(bad.worst_error == Approx(0.5).epsilon(1e-2));
  // Near 10^10 the noise (about 9) hides every slope: not ok, and never passed.
  for (Tensor y : {sum(w * w) + 1e10, sum(w * detach(w)) + 1e10}) {
    const GradcheckResult blurred = gradcheck(y, {w});
    INFO(blurred.describe());
    CHECK_FALSE(blurred.ok);
    CHECK(blurred.blurred == 4);
    CHECK(blurred.failed == 0);
    CHECK(blurred.describe().find("cannot check") != std::string::npos);
  }
}

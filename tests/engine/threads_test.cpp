// The engine's own threads (set_threads): a product cut by rows over several
// threads, and the optimizers' updates cut at the same places, give the numbers of
// one thread bit for bit; the workers start only when a product is large enough,
// two callers at once both get their results, and idle workers sleep.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "hinge/engine.hpp"
#include "matmul_reference.hpp"

using namespace hinge;

namespace {

// Sets the engine's thread count for one scope; the default again at its end.
struct Threads {
  explicit Threads(int n) { set_threads(n); }
  ~Threads() { set_threads(0); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;
};

int threads_of_this_process() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

double cpu_seconds_of_this_process() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](timeval t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// n numbers spread over [-scale, scale) with full mantissas (an LCG's), so that
// sums in another order round differently.
std::vector<double> ramp(int64_t n, double scale) {
  std::vector<double> v(static_cast<std::size_t>(n));
  uint64_t state = 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(n);
  for (double& x : v) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = scale * (static_cast<double>(state >> 11) * 0x1p-52 - 1);
  }
  return v;
}

// What a layer's product and its backward give: the value of a @ b and the
// gradients of a and b for the loss sum((a @ b) * c), with c fixed, so that every
// gradient is a product with a transposed operand (and b's accumulates over the
// batch when a is a batch).
struct ProductResult {
  std::vector<double> value, grad_a, grad_b;
};

ProductResult product(DType t, const Shape& sa, const Shape& sb) {
  Graph g(t);
  Tensor a = g.param(sa, ramp(sa.numel(), 0.01));
  Tensor b = g.param(sb, ramp(sb.numel(), 0.02));
  Tensor y = matmul(a, b);
  Tensor c = g.constant(y.shape(), ramp(y.numel(), 0.03));
  backward(sum(y * c));
  return {y.values(), a.grads(), b.grads()};
}

}  // namespace

TEST_CASE("a product cut over threads gives one thread's numbers bit for bit") {
  // Rows of the output: 300, and 197 (no even cut); a batch whose product is one
  // matrix of 3 x 70 rows; each large enough to be cut.
  const std::vector<std::pair<Shape, Shape>> shapes = {{Shape{300, 200}, Shape{200, 150}},
                                                       {Shape{197, 211}, Shape{211, 129}},
                                                       {Shape{3, 70, 160}, Shape{160, 90}},
                                                       {Shape{400, 400}, Shape{400, 400}}};
  for (DType t : {DType::f32, DType::f64})
    for (const auto& [sa, sb] : shapes) {
      INFO((t == DType::f32 ? "f32 " : "f64 ") << sa.numel() << " x " << sb.numel());
      ProductResult one, many;
      {
        Threads th(1);
        one = product(t, sa, sb);
      }
      for (int n : {2, 3, 4, 64}) {
        Threads th(n);
        many = product(t, sa, sb);
        INFO(n << " threads");
        CHECK(many.value == one.value);
        CHECK(many.grad_a == one.grad_a);
        CHECK(many.grad_b == one.grad_b);
      }
      // And both are the product.
      Graph g(t);
      const auto want =
          test::matmul_reference(g.param(sa, ramp(sa.numel(), 0.01)), g.param(sb, ramp(sb.numel(), 0.02)));
      REQUIRE(want.size() == one.value.size());
      const double tol = t == DType::f32 ? 1e-4 : 1e-12;
      for (std::size_t i = 0; i < want.size(); i += 97)
        CHECK(one.value[i] == Approx(want[i]).epsilon(tol).margin(tol));
    }
  // The products above were cut: the workers exist (at least the 3 of 4 threads).
  CHECK(threads_of_this_process() >= 4);
}

TEST_CASE("a first product on many more threads than cores runs in OpenBLAS, with one thread's numbers") {
  // ctest runs each case in a process of its own: this is the process's first
  // product. Before its work buffers were made with waiting parts that yield, 64
  // threads on a 2-core machine often missed their meeting, no buffer counted as
  // made, and the product ran in the engine's plain loop, with other last digits.
  const Shape sa{400, 400}, sb{400, 400};
  ProductResult many, one;
  {
    Threads th(64);
    many = product(DType::f64, sa, sb);
  }
  {
    Threads th(1);
    one = product(DType::f64, sa, sb);
  }
  CHECK(many.value == one.value);
  CHECK(many.grad_a == one.grad_a);
  CHECK(many.grad_b == one.grad_b);
}

TEST_CASE("workers started one at a time each take their first part") {
  // Each larger thread count starts one more worker and hands it a part at once: a
  // worker that read its post count only once running could miss that first part,
  // and the product would wait for it forever. The products run on a thread of
  // their own so that a hang fails the test instead of stopping it.
  auto grow = std::async(std::launch::async, [] {
    const ProductResult one = [] {
      Threads th(1);
      return product(DType::f32, Shape{480, 400}, Shape{400, 300});
    }();
    bool same = true;
    for (int n = 2; n <= 24; ++n) {
      Threads th(n);
      same = same && product(DType::f32, Shape{480, 400}, Shape{400, 300}).value == one.value;
    }
    return same;
  });
  if (grow.wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
    FAIL_CHECK("the products did not finish in 120 s: a worker missed its part");
    std::quick_exit(1);  // the waiting thread cannot be joined
  }
  CHECK(grow.get());
}

TEST_CASE("optimizer updates cut over threads give one thread's numbers bit for bit") {
  // 100,000 elements: the update is cut into parts (at least 16,384 each).
  auto train = [](int threads, auto make_opt) {
    Threads th(threads);
    Graph g(DType::f32);
    Tensor w = g.param(Shape{100000}, ramp(100000, 0.01));
    Tensor c = g.constant(Shape{100000}, ramp(100000, 0.03));
    Tensor loss = sum(w * w * c);
    Replay r(loss);
    auto opt = make_opt(r.params());
    for (int k = 0; k < 3; ++k) {
      r.forward();
      r.backward();
      opt.step();
    }
    return w.values();
  };
  auto sgd = [](std::vector<Tensor> p) {
    return Sgd(std::move(p), SgdOptions{.lr = 0.01, .momentum = 0.9, .weight_decay = 0.1});
  };
  auto plain_sgd = [](std::vector<Tensor> p) { return Sgd(std::move(p), SgdOptions{.lr = 0.01}); };
  auto adam = [](std::vector<Tensor> p) { return Adam(std::move(p), AdamOptions{.lr = 0.01}); };
  const std::vector<double> start = ramp(100000, 0.01);
  const auto sgd1 = train(1, sgd), plain1 = train(1, plain_sgd), adam1 = train(1, adam);
  CHECK(sgd1 != start);  // the steps moved w
  CHECK(adam1 != start);
  for (int n : {2, 3}) {
    INFO(n << " threads");
    CHECK(train(n, sgd) == sgd1);
    CHECK(train(n, plain_sgd) == plain1);
    CHECK(train(n, adam) == adam1);
  }
}

TEST_CASE("two threads multiplying at once both get their products") {
  Threads th(2);
  const Shape sa{256, 128}, sb{128, 192};
  ProductResult want;
  {
    Threads one(1);
    want = product(DType::f64, sa, sb);
  }
  set_threads(2);
  constexpr std::size_t kEach = 10;  // products per caller
  std::vector<ProductResult> got(2 * kEach);
  auto run = [&](std::size_t caller) {
    for (std::size_t k = 0; k < kEach; ++k) got[caller * kEach + k] = product(DType::f64, sa, sb);
  };
  std::thread other(run, std::size_t{1});
  run(0);
  other.join();
  for (const ProductResult& r : got) {
    CHECK(r.value == want.value);
    CHECK(r.grad_a == want.grad_a);
    CHECK(r.grad_b == want.grad_b);
  }
}

TEST_CASE("the engine's workers sleep when there is nothing to do") {
  // 2 threads: one worker, which spins after a part as long as it does not
  // outnumber the cores with the caller (ctest runs each case in a process of its
  // own, so this is the only worker).
  Threads th(2);
  product(DType::f32, Shape{300, 200}, Shape{200, 150});  // starts it
  REQUIRE(threads_of_this_process() >= 2);
  // A worker spins for 2 ms after its last part: wait that out, then measure.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const double before = cpu_seconds_of_this_process();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double used = cpu_seconds_of_this_process() - before;
  INFO("CPU seconds while idle: " << used);
  CHECK(used < 0.05);  // a spinning worker would take about 0.3
}

// roofline: this machine's limits, measured in the bench run beside the workloads
// (tests/bench/run; README.md, "Roofline"): the float32 FMA peak and the memory
// bandwidth, at 1 and 2 threads. Prints one JSON line.
//   roofline [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace {

// 16 floats: one AVX-512 register, two AVX2 ones (-march=native picks).
typedef float v16 __attribute__((vector_size(64)));

// Independent chains of fused multiply-adds, enough of them to cover the FMA
// latency on two pipes: returns the flops done.
double fma_loop(long iterations, float seed) {
  constexpr int kChains = 12;
  v16 acc[kChains];
  const v16 mul = v16{} + 0.999999f, add = v16{} + 1e-7f;
  for (int c = 0; c < kChains; ++c) acc[c] = v16{} + seed + static_cast<float>(c);
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * mul + add;
  }
  float sink = 0;
  for (int c = 0; c < kChains; ++c) sink += acc[c][0];
  if (sink == 42.0f) std::puts("");  // keeps the loop's results alive
  return 2.0 * 16 * kChains * static_cast<double>(iterations);
}

// Seconds the slowest of `threads` threads takes to run job(t).
double timed_parallel(int threads, const std::function<void(int)>& job) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(job, t);
  job(0);
  for (auto& th : pool) th.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best of `repeats` runs, in GFLOP/s.
double fma_peak(int threads, int repeats) {
  const long iterations = 20'000'000;
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    const double s = timed_parallel(threads, [&](int t) { fma_loop(iterations, static_cast<float>(t)); });
    best = std::max(best, threads * 2.0 * 16 * 12 * iterations / s * 1e-9);
  }
  return best;
}

// STREAM's triad a = b + s c over float arrays of `floats` elements each, split
// among the threads; best of `repeats` runs in GB/s (3 arrays' bytes per pass, as
// STREAM counts them). Large arrays measure memory; small ones a core's caches.
double triad(int threads, long floats, int passes, int repeats) {
  std::vector<float> a(floats, 0.0f), b(floats, 1.0f), c(floats, 2.0f);
  double best = 0;
  for (int r = 0; r < repeats + 1; ++r) {  // the first run pages the arrays in
    const double s = timed_parallel(threads, [&](int t) {
      const long lo = floats * t / threads, hi = floats * (t + 1) / threads;
      for (int p = 0; p < passes; ++p) {
        float* __restrict pa = a.data();
        const float* __restrict pb = b.data();
        const float* __restrict pc = c.data();
        for (long i = lo; i < hi; ++i) pa[i] = pb[i] + 0.5f * pc[i];
      }
    });
    if (r > 0) best = std::max(best, 3.0 * 4 * static_cast<double>(floats) * passes / s * 1e-9);
  }
  if (a[floats / 2] != 2.0f) std::puts("");  // keeps the stores
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string out = "{\"side\": \"roofline\"";
  for (int threads = 1; threads <= std::min(2, hw); ++threads) {
    // Memory: 3 arrays of 64 MB; cache: 3 arrays of 64 KB (192 KB: the L2 of any
    // core this runs on), many passes.
    out += fmt::format(R"(, "fma_gflops_{}t": {:.1f}, "mem_gbs_{}t": {:.1f}, "cache_gbs_{}t": {:.1f})",
                       threads, fma_peak(threads, repeats), threads, triad(threads, 16L << 20, 2, repeats),
                       threads, triad(threads, 16L << 10, 2000, repeats));
  }
  out += "}";
  std::puts(out.c_str());
  return 0;
}

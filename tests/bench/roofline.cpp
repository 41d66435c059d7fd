// roofline: this machine's limits, measured in the bench run beside the workloads
// (tests/bench/run; README.md, "Roofline"): the float32 FMA peak and the memory
// bandwidth, at 1 and 2 threads. Prints one JSON line.
//   roofline [repeats]
#include <immintrin.h>
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

// Note [The peak of the widest FMA]
// The bench's build is portable (baseline x86-64: SSE2, no FMA), while OpenBLAS
// and the engine's kernels pick AVX2 or AVX-512 at run time; and the project
// compiles with -ffp-contract=off, under which a * b + c stays a multiply and an
// add. A loop written in plain vector arithmetic therefore measured SSE2's
// multiply-add rate, a third of what the machine's GEMM reaches, and every
// roofline share was inflated (the MLP at 270% of "peak"). So the loop is written
// once over each set's vectors and explicit FMA instructions, compiled for each set
// whatever the build targets, and the widest set the CPU runs is the one timed.

constexpr int kChains = 12;  // independent chains: enough to cover the FMA latency on two pipes

void keep(float sink) {
  if (sink == 42.0f) std::puts("");  // keeps the loop's results alive
}

// The instruction sets' vectors: each names its register type and width, and
// sets a register to a number, multiplies and adds in place (fused where the set
// can), and reads the first lane, compiled for that set. Vectors are passed by
// reference: by value, a function built for baseline x86-64 (the loop before it
// is inlined) would pass them in another way than the set's functions.
struct Avx512 {
  using Vec = __m512;
  static constexpr int kLanes = 16;
  [[gnu::target("avx512f")]] static void splat(Vec& v, float x) { v = _mm512_set1_ps(x); }
  [[gnu::target("avx512f")]] static void fma(Vec& acc, const Vec& m, const Vec& a) {
    acc = _mm512_fmadd_ps(acc, m, a);
  }
  [[gnu::target("avx512f")]] static float first(const Vec& v) { return _mm512_cvtss_f32(v); }
};
struct Avx2 {
  using Vec = __m256;
  static constexpr int kLanes = 8;
  [[gnu::target("avx2,fma")]] static void splat(Vec& v, float x) { v = _mm256_set1_ps(x); }
  [[gnu::target("avx2,fma")]] static void fma(Vec& acc, const Vec& m, const Vec& a) {
    acc = _mm256_fmadd_ps(acc, m, a);
  }
  [[gnu::target("avx2,fma")]] static float first(const Vec& v) { return _mm256_cvtss_f32(v); }
};
// A CPU without FMA: SSE2's multiply and add, its peak of the same work.
struct Sse2 {
  using Vec = __m128;
  static constexpr int kLanes = 4;
  static void splat(Vec& v, float x) { v = _mm_set1_ps(x); }
  static void fma(Vec& acc, const Vec& m, const Vec& a) { acc = _mm_add_ps(_mm_mul_ps(acc, m), a); }
  static float first(const Vec& v) { return _mm_cvtss_f32(v); }
};

// kChains chains of the set's multiply-adds, one register each; returns the flops
// done. Inlined whole into each set's loop below, whose code it becomes.
template <class Set>
double fma_chains(long iterations, float seed) {
  typename Set::Vec acc[kChains], mul, add;
  Set::splat(mul, 0.999999f);
  Set::splat(add, 1e-7f);
  for (int c = 0; c < kChains; ++c) Set::splat(acc[c], seed + static_cast<float>(c));
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) Set::fma(acc[c], mul, add);
  }
  float sink = 0;
  for (int c = 0; c < kChains; ++c) sink += Set::first(acc[c]);
  keep(sink);
  return 2.0 * Set::kLanes * kChains * static_cast<double>(iterations);
}

// Each set's loop: compiled for the set, with fma_chains and the set's functions
// inlined into it (flatten), so that the chains stay in registers.
[[gnu::target("avx512f"), gnu::flatten]] double fma_loop_avx512(long iterations, float seed) {
  return fma_chains<Avx512>(iterations, seed);
}
[[gnu::target("avx2,fma"), gnu::flatten]] double fma_loop_avx2(long iterations, float seed) {
  return fma_chains<Avx2>(iterations, seed);
}
[[gnu::flatten]] double fma_loop_sse2(long iterations, float seed) {
  return fma_chains<Sse2>(iterations, seed);
}

struct FmaLoop {
  const char* set;
  double (*run)(long iterations, float seed);
};

constexpr FmaLoop kAvx512Loop{"avx512f", fma_loop_avx512}, kAvx2Loop{"avx2", fma_loop_avx2},
    kSse2Loop{"sse2", fma_loop_sse2};

bool runs_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
bool runs_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// The widest of the loops that this CPU runs (Note [The peak of the widest FMA]).
FmaLoop widest_fma_loop() {
  if (runs_avx512()) return kAvx512Loop;
  if (runs_avx2_fma()) return kAvx2Loop;
  return kSse2Loop;
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
double fma_peak(const FmaLoop& loop, int threads, int repeats) {
  const long iterations = 20'000'000;
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    double flops = 0;  // per thread, the same for each: the calling thread's (t = 0) is kept
    const double s = timed_parallel(threads, [&](int t) {
      const double done = loop.run(iterations, static_cast<float>(t));
      if (t == 0) flops = done;
    });
    best = std::max(best, threads * flops / s * 1e-9);
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
  const FmaLoop loop = widest_fma_loop();
  std::string out = fmt::format(R"({{"side": "roofline", "fma_set": "{}")", loop.set);
  // On an AVX-512 CPU the AVX2 peak too: the bench's OpenBLAS kernels are AVX2 ones
  // (OPENBLAS_CORETYPE=Haswell, both sides), so that is their ceiling.
  const bool avx2_too = loop.run == fma_loop_avx512 && runs_avx2_fma();
  for (int threads = 1; threads <= std::min(2, hw); ++threads) {
    // Memory: 3 arrays of 64 MB; cache: 3 arrays of 64 KB (192 KB: the L2 of any
    // core this runs on), many passes.
    out +=
        fmt::format(R"(, "fma_gflops_{}t": {:.1f}, "mem_gbs_{}t": {:.1f}, "cache_gbs_{}t": {:.1f})", threads,
                    fma_peak(loop, threads, repeats), threads, triad(threads, 16L << 20, 2, repeats), threads,
                    triad(threads, 16L << 10, 2000, repeats));
    if (avx2_too)
      out +=
          fmt::format(R"(, "fma_avx2_gflops_{}t": {:.1f})", threads, fma_peak(kAvx2Loop, threads, repeats));
  }
  out += "}";
  std::puts(out.c_str());
  return 0;
}

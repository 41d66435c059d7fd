// The kernel set chosen for this CPU (hinge/platform.hpp).
#include "hinge/platform.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "cpu_dispatch.hpp"

namespace hinge {

namespace {

// The set the compiler targets for all code (the only one without dispatch).
constexpr CpuKernels compiled_set() {
#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512BW__) && defined(__AVX512DQ__)
  return CpuKernels::avx512;
#elif defined(__AVX2__) && defined(__FMA__)
  return CpuKernels::avx2;
#else
  return CpuKernels::baseline;
#endif
}

bool cpu_has(CpuKernels k) {
#if HINGE_DISPATCH
  switch (k) {
    case CpuKernels::baseline: return true;
    case CpuKernels::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
             __builtin_cpu_supports("bmi2");
    case CpuKernels::avx512:
      return cpu_has(CpuKernels::avx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd");
  }
  return false;
#else
  return k == compiled_set();  // one set, the one the compiler targets
#endif
}

std::optional<CpuKernels> parse(std::string_view s) {
  for (CpuKernels k : {CpuKernels::baseline, CpuKernels::avx2, CpuKernels::avx512})
    if (s == cpu_kernels_name(k)) return k;
  return std::nullopt;
}

struct Choice {
  CpuKernels kernels = CpuKernels::baseline;
  std::optional<std::string> problem;
};

Choice choose() {
  Choice c;
  c.kernels = compiled_set();
  for (CpuKernels k : {CpuKernels::avx2, CpuKernels::avx512})
    if (cpu_has(k)) c.kernels = k;
  const char* env = std::getenv("HINGE_CPU");
  if (!env || !*env) return c;
  const std::string_view want(env);
  const auto k = parse(want);
  if (!k)
    c.problem = fmt::format("HINGE_CPU='{:.32}' is not a kernel set (baseline, avx2 or avx512)", want);
  else if (!cpu_has(*k))
    c.problem = fmt::format("HINGE_CPU={}: {} cannot run {} kernels", want,
                            HINGE_DISPATCH ? "this CPU" : "this build (HINGE_DISPATCH=OFF)", want);
  else
    c.kernels = *k;
  return c;
}

const Choice& choice() {
  static const Choice c = choose();
  return c;
}

}  // namespace

std::string_view cpu_kernels_name(CpuKernels k) {
  switch (k) {
    case CpuKernels::avx2: return "avx2";
    case CpuKernels::avx512: return "avx512";
    default: return "baseline";
  }
}

CpuKernels cpu_kernels() { return choice().kernels; }

std::optional<std::string> cpu_kernels_problem() { return choice().problem; }

}  // namespace hinge

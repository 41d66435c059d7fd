// Running a kernel with the instruction set chosen for this CPU (hinge/platform.hpp).
//
// Note [Kernel sets]: a portable build targets baseline x86-64. Each hot kernel is
// called through run_kernel(f), which calls f() from a wrapper compiled for AVX2+FMA
// or AVX-512 when the CPU has them. The wrappers are `flatten`: GCC inlines the whole
// kernel (templates, lambdas, loop helpers) into them, and the vectorizer then works
// with the wider registers. The code is the same in every set and the build compiles
// it with -ffp-contract=off, so no set fuses a multiply and an add, and none reorders
// a sum (without -ffast-math GCC keeps the source's order of additions): the numbers
// are the same bit for bit whichever set runs. A build with HINGE_DISPATCH=OFF (not
// GCC/Clang on x86-64, or HINGE_NATIVE) has one set, the compiler's.
//
// Note [One kernel per wrapper]
// `flatten` inlines everything the wrapper calls into ONE function body, and GCC's
// optimisation passes grow faster than linearly with the size of a function. A
// wrapper must therefore hold one kernel: one dtype, one activation, one input
// width. Choose those first, then call run_kernel; never wrap a switch over them.
// fused_layer.cpp wrapped its switch over 2 dtypes x 4 activations x 4 widths (32
// kernels) in each set's wrapper and took 143 CPU seconds to compile, 8 without
// the wrappers; with one kernel per wrapper it took about 3 x 8 (and fewer since:
// Note [Fewer fused kernels] there).
#pragma once

#include <cstdint>

#include "hinge/dtype.hpp"
#include "hinge/platform.hpp"

#ifndef HINGE_DISPATCH
#define HINGE_DISPATCH 0
#endif

namespace hinge::detail {

#if HINGE_DISPATCH
// The ISA features only, never arch=: GCC inlines a baseline function into one with
// more features, not into one of another arch.
#define HINGE_AVX2_FEATURES "avx2,fma,bmi,bmi2,f16c,lzcnt,movbe,popcnt,sse4.2"
#define HINGE_AVX512_FEATURES HINGE_AVX2_FEATURES ",avx512f,avx512cd,avx512vl,avx512bw,avx512dq"

template <class F>
[[gnu::target(HINGE_AVX2_FEATURES), gnu::flatten]] void run_avx2(F& f) {
  f();
}
template <class F>
[[gnu::target(HINGE_AVX512_FEATURES), gnu::flatten]] void run_avx512(F& f) {
  f();
}
#endif

// Note [The set, read once]
// run_kernel runs for every op of a replay, and a replayed op can be as short as 64
// elements (tests/bench's 1,000-op chain, a few nanoseconds each): a call to
// cpu_kernels(), with the guard of its function-local static, per op was a visible
// share of the portable build's gap to -march=native. The set is read once, before
// main, into kernel_set. A kernel run before that (from another file's static
// initialiser) finds baseline, which computes the same numbers (Note [Kernel sets]).
#if HINGE_DISPATCH
inline const CpuKernels kernel_set = cpu_kernels();
#endif

// f() with the kernel set of this CPU.
template <class F>
void run_kernel(F&& f) {
#if HINGE_DISPATCH
  switch (kernel_set) {
    case CpuKernels::avx512: return run_avx512(f);
    case CpuKernels::avx2: return run_avx2(f);
    case CpuKernels::baseline: break;
  }
#endif
  f();
}

// Width in bytes of the vector registers of the compiler's own set: what a kernel
// built without dispatch has.
#if defined(__AVX512F__)
inline constexpr int kCompiledVectorBytes = 64;
#elif defined(__AVX2__)
inline constexpr int kCompiledVectorBytes = 32;
#else
inline constexpr int kCompiledVectorBytes = 16;
#endif

// run_kernel for a kernel written with explicit vectors (Note [Sums in registers]
// in fused_layer.cpp): calls f.template operator()<Bytes>() with Bytes the width
// of the chosen set's vector registers, 64 (AVX-512), 32 (AVX2) or 16 (SSE2), so
// that each wrapper holds the one kernel sized for its registers.
template <class F>
void run_sized_kernel(F&& f) {
#if HINGE_DISPATCH
  switch (kernel_set) {
    case CpuKernels::avx512: {
      auto wide = [&] { f.template operator()<64>(); };
      return run_avx512(wide);
    }
    case CpuKernels::avx2: {
      auto wide = [&] { f.template operator()<32>(); };
      return run_avx2(wide);
    }
    case CpuKernels::baseline: break;
  }
#endif
  f.template operator()<kCompiledVectorBytes>();
}

// Runs f() in the AVX-512 set and returns true when that is this CPU's set; else
// returns false and leaves the work to the caller's portable loop. For a path
// written for 64-byte vectors that the narrower sets would run slower than their
// loop (Note [Sixteen dot products at once] in matmul.cpp). Called from any set's
// wrapper: the AVX-512 code lives in its own wrapper only.
template <class F>
bool run_if_avx512(F&& f) {
#if HINGE_DISPATCH
  if (kernel_set != CpuKernels::avx512) return false;
  run_avx512(f);
  return true;
#else
  if constexpr (kCompiledVectorBytes == 64) {
    f();
    return true;
  }
  return false;
#endif
}

// dispatch(t, f) (hinge/dtype.hpp) with the kernel set of this CPU. The dtype is
// chosen first, so each flattened wrapper holds one instantiation (Note [One
// kernel per wrapper]).
template <class F>
void dispatch_kernel(DType t, F&& f) {
  dispatch(t, [&]<class T>() { run_kernel([&] { f.template operator()<T>(); }); });
}

// Note [Small tensors run baseline]
// An elementwise kernel over a handful of elements is over before wider vectors
// pay for the call into a set's wrapper: on tests/bench's 1,000-op chain (16
// floats per op) the portable build ran 1.16x -march=native with its AVX-512
// wrappers and 1.08x with HINGE_CPU=baseline. Below kSmallKernel elements of
// output the baseline kernel runs inline, in every set; its numbers are the same
// (Note [Kernel sets]). Only for ops whose output has the most elements (the
// elementwise families), so the count is the work.
inline constexpr int64_t kSmallKernel = 32;

// dispatch_kernel(t, f) for an elementwise kernel with `numel` output elements.
template <class F>
void dispatch_elementwise(DType t, int64_t numel, F&& f) {
  if (numel < kSmallKernel) return dispatch(t, f);
  dispatch_kernel(t, f);
}

}  // namespace hinge::detail

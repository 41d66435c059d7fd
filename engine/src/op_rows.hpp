// The rows of the implementation table (op_table.hpp), written once: each macro
// instantiates an op's float32 and float64 kernels in every kernel set (Note
// [Kernel sets] in cpu_dispatch.hpp), or some for baseline alone (Note [Kernels
// compiled once]), and gives the row both the table of them (OpKernels) and
// entries that pick one per call.
// The family files (binary.cpp, unary.cpp, ...) list their rows with these.
#pragma once

#include <type_traits>

#include "cpu_dispatch.hpp"
#include "hinge/dtype.hpp"
#include "op_table.hpp"

namespace hinge::detail {

// Ops without a gradient (comparisons, sign, detach) use these for their backward.
inline void no_bwd(Graph&, Node&) {}
inline void no_vjp(Graph&, NodeId, Tensor, std::span<Tensor>) {}

// The kernel K (a function) compiled for each kernel set, by CpuKernels: its
// wrappers are `flatten`, so each holds the whole kernel (Note [One kernel per
// wrapper]).
template <auto K>
struct InEachSet;
template <class... A, void (*K)(A...)>
struct InEachSet<K> {
#if HINGE_DISPATCH
  [[gnu::target(HINGE_AVX2_FEATURES), gnu::flatten]] static void run_avx2(A... a) { K(a...); }
  [[gnu::target(HINGE_AVX512_FEATURES), gnu::flatten]] static void run_avx512(A... a) { K(a...); }
  static constexpr void (*sets[kKernelSets])(A...) = {K, run_avx2, run_avx512};
#else
  static constexpr void (*sets[kKernelSets])(A...) = {K, K, K};
#endif
};

// Note [Kernels compiled once]
// Each kernel set's wrapper is a whole compile of the kernel, so a row whose kernels
// no wider set speeds up compiles them for baseline x86-64 alone, and every set
// runs that (the same numbers: Note [Kernel sets]):
// - kernels that call the C math library for every element (pow, sin, erf, the
//   forwards of exp, tanh, sigmoid): without -ffast-math GCC has no vector form of
//   such a call, so each set's wrapper held the same scalar loop. Where only the
//   forward calls it (exp's backward multiplies by the output, tanh's and
//   sigmoid's are a product of it), the backward stays in each set
//   (RowSets::baseline_forward);
// - the comparisons (eq, lt, ...): they make masks for where() and for the
//   graph-building backward of minimum and maximum, never a training step's work,
//   and baseline's loop compares four floats at a time;
// - minimum and maximum: builtins a script calls on its data, which no workload of
//   tests/bench and no example runs in a training step. Baseline's loop takes two
//   doubles or four floats at a time, so a wider set would speed up only a large
//   one that fits in cache; they were a fifth of binary.cpp's compile (563,582 ->
//   450,098 bytes of code, 17.0 -> 13.7 CPU seconds, best of three alternating
//   compiles);
// - the max reduction: a script measures its data with it (the examples' largest
//   gaps and slopes, once per script), never a training step's work. reduce.cpp
//   7.0 -> 4.9 CPU seconds (two compiles each).
// binary.cpp: 689,480 -> 544,872 bytes of code (the comparisons' kernels 175 KB ->
// 68 KB, pow's 62 KB -> 24 KB). unary.cpp, ten rows: 187,696 -> 169,150 bytes of
// code, 7.2 -> 6.7 CPU seconds (best of three alternating compiles).
enum class RowSets {
  each,              // forward and backward in each set
  baseline,          // both for baseline alone
  baseline_forward,  // the forward for baseline alone, the backward in each set
};

// out[set] = K in each set (or K itself in all, RowSets::baseline), or nothing when
// K is nullptr (the row has no such kernel).
template <auto K, RowSets S, class Fn>
constexpr void fill_sets(Fn (&out)[kKernelSets]) {
  if constexpr (!std::is_null_pointer_v<decltype(K)>) {
    for (int s = 0; s < kKernelSets; ++s) {
      if constexpr (S == RowSets::each)
        out[s] = InEachSet<K>::sets[s];
      else
        out[s] = K;
    }
  }
}

// One op's kernels: forward F, and either a backward B or a backward that can
// assign A (nullptr for the one it lacks), for float32 and float64.
template <auto F32, auto F64, auto B32, auto B64, auto A32, auto A64, bool Elementwise, RowSets S>
constexpr OpKernels make_kernels() {
  OpKernels k{};
  constexpr RowSets forward = S == RowSets::each ? RowSets::each : RowSets::baseline;
  constexpr RowSets backward = S == RowSets::baseline ? RowSets::baseline : RowSets::each;
  fill_sets<F32, forward>(k.forward[0]);
  fill_sets<F64, forward>(k.forward[1]);
  fill_sets<B32, backward>(k.backward[0]);
  fill_sets<B64, backward>(k.backward[1]);
  fill_sets<A32, backward>(k.backward_assign[0]);
  fill_sets<A64, backward>(k.backward_assign[1]);
  k.elementwise = Elementwise;
  return k;
}
template <auto F32, auto F64, auto B32, auto B64, auto A32, auto A64, bool Elementwise,
          RowSets S = RowSets::each>
inline constexpr OpKernels kKernels = make_kernels<F32, F64, B32, B64, A32, A64, Elementwise, S>();

// The row's entries for callers that go node by node (building a graph, backward()):
// each picks node n's kernel at the call (pick_kernels, op_table.hpp).
template <const OpKernels* K>
void forward_entry(Graph& g, Node& n) {
  K->forward[dtype_index(n.dtype)][kernel_set_for(*K, n)](g, n);
}
template <const OpKernels* K>
void backward_entry(Graph& g, Node& n) {
  K->backward[dtype_index(n.dtype)][kernel_set_for(*K, n)](g, n);
}
template <const OpKernels* K>
void backward_assign_entry(Graph& g, Node& n, unsigned assign) {
  K->backward_assign[dtype_index(n.dtype)][kernel_set_for(*K, n)](g, n, assign);
}
// A backward that assigns nothing adds to every input's gradient.
template <const OpKernels* K>
void backward_adding_entry(Graph& g, Node& n) {
  backward_assign_entry<K>(g, n, 0);
}

// What an op's numeric backward does: nothing (no gradient), add into its
// inputs' gradients, or also overwrite them (OpImpl::backward_assign).
enum class RowBackward { none, adds, assigns };

// The row of op kernels K with graph-building backward `vjp`.
template <const OpKernels* K, RowBackward B>
constexpr OpImpl op_impl_of(void (*vjp)(Graph&, NodeId, Tensor, std::span<Tensor>)) {
  if constexpr (B == RowBackward::assigns)
    return {&forward_entry<K>, &backward_adding_entry<K>, vjp, &backward_assign_entry<K>, K};
  else if constexpr (B == RowBackward::adds)
    return {&forward_entry<K>, &backward_entry<K>, vjp, nullptr, K};
  else
    return {&forward_entry<K>, &no_bwd, vjp, nullptr, K};
}

}  // namespace hinge::detail

// An op whose kernels are op_fwd<T>(g, n), op_bwd<T>(g, n) and op_vjp: its numeric
// backward only adds.
#define HINGE_ROW(op) HINGE_ROW_OF(op, each)

// HINGE_ROW with the kernel sets named (RowSets, Note [Kernels compiled once]).

#define HINGE_ROW_OF(op, sets)                                                                   \
  OpImplRow {                                                                                    \
    OpKind::op, op_impl_of<&kKernels<&op##_fwd<float>, &op##_fwd<double>, &op##_bwd<float>,      \
                                     &op##_bwd<double>, nullptr, nullptr, false, RowSets::sets>, \
                           RowBackward::adds>(op##_vjp)                                          \
  }

// An op whose backward op_bwd<T>(g, n, assign) can also overwrite the gradients of the
// inputs named by the bits of `assign` (Note [Assigning backward] in backward.cpp).
#define HINGE_ASSIGN_ROW(op) HINGE_ASSIGN_ROW_OF(op, false, each)

// HINGE_ASSIGN_ROW for an elementwise op (its output has the most elements): a small
// one runs the baseline kernel (Note [Small tensors run baseline]).
#define HINGE_ELEMENTWISE_ROW(op) HINGE_ASSIGN_ROW_OF(op, true, each)

// HINGE_ELEMENTWISE_ROW for an op whose kernels call the C math library for every
// element: compiled for baseline alone (Note [Kernels compiled once]).
#define HINGE_LIBM_ROW(op) HINGE_ASSIGN_ROW_OF(op, true, baseline)

// HINGE_ELEMENTWISE_ROW for an op whose forward alone calls the C math library for
// every element: the forward compiled for baseline alone (Note [Kernels compiled once]).
#define HINGE_LIBM_FORWARD_ROW(op) HINGE_ASSIGN_ROW_OF(op, true, baseline_forward)

#define HINGE_ASSIGN_ROW_OF(op, elementwise, sets)                                                     \
  OpImplRow {                                                                                          \
    OpKind::op, op_impl_of<&kKernels<&op##_fwd<float>, &op##_fwd<double>, nullptr, nullptr,            \
                                     &op##_bwd<float>, &op##_bwd<double>, elementwise, RowSets::sets>, \
                           RowBackward::assigns>(op##_vjp)                                             \
  }

// An op with a forward kernel op_fwd<T>(g, n) only: no gradient.
#define HINGE_FORWARD_ROW(op)                                                                          \
  OpImplRow {                                                                                          \
    OpKind::op,                                                                                        \
        op_impl_of<                                                                                    \
            &kKernels<&op##_fwd<float>, &op##_fwd<double>, nullptr, nullptr, nullptr, nullptr, false>, \
            RowBackward::none>(no_vjp)                                                                 \
  }

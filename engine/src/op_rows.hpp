// The rows of the implementation table (op_table.hpp), written once: each macro
// instantiates an op's float32 and float64 kernels behind one function pointer each,
// run with the kernel set of this CPU (Note [Kernel sets] in cpu_dispatch.hpp).
// The family files (binary.cpp, unary.cpp, ...) list their rows with these.
#pragma once

#include "cpu_dispatch.hpp"
#include "hinge/dtype.hpp"
#include "op_table.hpp"

namespace hinge::detail {

// Ops without a gradient (comparisons, sign, detach) use these for their backward.
inline void no_bwd(Graph&, Node&) {}
inline void no_vjp(Graph&, NodeId, Tensor, std::span<Tensor>) {}

// How a row runs node n's kernel f: with the kernel set of this CPU, or, for an
// elementwise op, by its output's element count (Note [Small tensors run baseline]).
template <class F>
void dispatch_node(const Node& n, F&& f) {
  dispatch_kernel(n.dtype, f);
}
template <class F>
void dispatch_node_elementwise(const Node& n, F&& f) {
  dispatch_elementwise(n.dtype, n.numel, f);
}

}  // namespace hinge::detail

// An op whose kernels are op_fwd<T>(g, n), op_bwd<T>(g, n) and op_vjp: its numeric
// backward only adds.
#define HINGE_ROW(op)                                                                                 \
  OpImplRow {                                                                                         \
    OpKind::op, OpImpl {                                                                              \
      [](Graph& g, Node& n) { dispatch_kernel(n.dtype, [&]<class T>() { op##_fwd<T>(g, n); }); },     \
          [](Graph& g, Node& n) { dispatch_kernel(n.dtype, [&]<class T>() { op##_bwd<T>(g, n); }); }, \
          op##_vjp                                                                                    \
    }                                                                                                 \
  }

// An op whose backward op_bwd<T>(g, n, assign) can also overwrite the gradients of the
// inputs named by the bits of `assign` (Note [Assigning backward] in backward.cpp).
#define HINGE_ASSIGN_ROW(op) HINGE_ASSIGN_ROW_THROUGH(op, dispatch_node)

// HINGE_ASSIGN_ROW for an elementwise op (its output has the most elements): a small
// one runs the baseline kernel inline (Note [Small tensors run baseline]).
#define HINGE_ELEMENTWISE_ROW(op) HINGE_ASSIGN_ROW_THROUGH(op, dispatch_node_elementwise)

// The row of HINGE_ASSIGN_ROW, each kernel run through `through(n, f)`.
#define HINGE_ASSIGN_ROW_THROUGH(op, through)                                                           \
  OpImplRow {                                                                                           \
    OpKind::op, OpImpl {                                                                                \
      [](Graph& g, Node& n) { through(n, [&]<class T>() { op##_fwd<T>(g, n); }); },                     \
          [](Graph& g, Node& n) { through(n, [&]<class T>() { op##_bwd<T>(g, n, 0); }); }, op##_vjp,    \
          [](Graph& g, Node& n, unsigned as) { through(n, [&]<class T>() { op##_bwd<T>(g, n, as); }); } \
    }                                                                                                   \
  }

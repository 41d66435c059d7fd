// The implementation table: for each op its forward kernel, its numeric backward
// (vector-Jacobian product) and its graph-building backward (for grad of grad).
// Each op family (binary.cpp, unary.cpp, ...) provides the rows for its ops.
#pragma once
#include <span>

#include "cpu_dispatch.hpp"
#include "hinge/graph.hpp"
#include "hinge/tensor.hpp"

namespace hinge::detail {

// The kernel sets, indexed by CpuKernels (baseline, avx2, avx512).
inline constexpr int kKernelSets = 3;
constexpr int dtype_index(DType t) { return t == DType::f32 ? 0 : 1; }

// One op's kernels, compiled for each dtype (dtype_index) and each kernel set
// (op_rows.hpp); null where the op has no such kernel.
struct OpKernels {
  void (*forward[2][kKernelSets])(Graph& g, Node& n) = {};
  void (*backward[2][kKernelSets])(Graph& g, Node& n) = {};
  void (*backward_assign[2][kKernelSets])(Graph& g, Node& n, unsigned assign) = {};
  bool elementwise = false;  // its output has the most elements (Note [Small tensors run baseline])
};

// The kernel set node n's kernels run in: this CPU's, or baseline for a small
// elementwise op (Note [Small tensors run baseline]).
inline int kernel_set_for(const OpKernels& k, const Node& n) {
#if HINGE_DISPATCH
  if (k.elementwise && n.numel() < kSmallKernel) return 0;
  return static_cast<int>(kernel_set);
#else
  return 0;
#endif
}

struct OpImpl {
  // Computes n's value from its inputs' values (n's buffer is allocated).
  void (*forward)(Graph& g, Node& n) = nullptr;
  // Adds n.grad's contribution into the grad of each input that requires grad
  // (their buffers exist). Numbers only: builds no nodes.
  void (*backward)(Graph& g, Node& n) = nullptr;
  // The same vector-Jacobian product built from differentiable ops, so it can be
  // differentiated again. Sets contrib[k] to the adjoint for input k, or leaves it
  // invalid when input k gets nothing. `self` is the node, `adj` its adjoint.
  void (*vjp)(Graph& g, NodeId self, Tensor adj, std::span<Tensor> contrib) = nullptr;
  // Optional: backward, except that each input k with bit k of `assign` set gets
  // its gradient OVERWRITTEN (every element, zeros included) instead of added to:
  // its buffer holds stale numbers. See Note [Assigning backward] in backward.cpp.
  // Ops without it have those buffers zeroed before their backward runs.
  void (*backward_assign)(Graph& g, Node& n, unsigned assign) = nullptr;
  // The kernels the entries above pick from, per call, by the node's dtype and
  // size and this CPU's kernel set; null for an op whose entries are the kernels.
  const OpKernels* kernels = nullptr;
};

// Note [Kernels picked once]
// The entries of OpImpl pick a node's kernel at every call: its dtype, its size
// (Note [Small tensors run baseline]) and this CPU's kernel set, then a call into
// the kernel. A replay runs the same nodes every step, so Replay picks each
// node's kernels once, when it builds its plan, and each step calls them
// directly: on tests/bench's 1,000-op chain (16 floats per op) the picking was
// most of the portable build's gap to -march=native.
struct NodeKernels {
  void (*forward)(Graph& g, Node& n);
  void (*backward)(Graph& g, Node& n);
  void (*backward_assign)(Graph& g, Node& n, unsigned assign);  // null if the op has none
};
inline NodeKernels pick_kernels(const OpImpl& impl, const Node& n) {
  if (!impl.kernels) return {impl.forward, impl.backward, impl.backward_assign};
  const OpKernels& k = *impl.kernels;
  const int d = dtype_index(n.dtype), s = kernel_set_for(k, n);
  return {k.forward[d][s], k.backward[d][s] ? k.backward[d][s] : impl.backward, k.backward_assign[d][s]};
}

struct OpImplRow {
  OpKind op;
  OpImpl impl;
};

// The rows each family file defines (ORDER OPKIND inside each).
extern const std::span<const OpImplRow> kBinaryImpls;   // binary.cpp
extern const std::span<const OpImplRow> kUnaryImpls;    // unary.cpp
extern const std::span<const OpImplRow> kReduceImpls;   // reduce.cpp
extern const std::span<const OpImplRow> kShapeImpls;    // shape_ops.cpp
extern const std::span<const OpImplRow> kLinalgImpls;   // matmul.cpp
extern const std::span<const OpImplRow> kSoftmaxImpls;  // softmax.cpp

const OpImpl& op_impl(OpKind op);

// Makes sure an input node that requires grad has its gradient buffer before a
// numeric backward writes to it (backward() does this for the whole subgraph).
inline bool wants_grad(const Graph& g, NodeId id) { return g[id].requires_grad(); }

}  // namespace hinge::detail

// The implementation table: for each op its forward kernel, its numeric backward
// (vector-Jacobian product) and its graph-building backward (for grad of grad).
// Each op family (binary.cpp, unary.cpp, ...) provides the rows for its ops.
#pragma once
#include <span>

#include "hinge/graph.hpp"
#include "hinge/tensor.hpp"

namespace hinge::detail {

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
};

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

// Node: one record of the tape. Scalars keep their value and gradient inline
// (Note [Inline scalars]); larger tensors point into the graph's arena.
#pragma once
#include <cstdint>

#include "hinge/dtype.hpp"
#include "hinge/ops.hpp"
#include "hinge/shape.hpp"

namespace hinge {

using NodeId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;

// Note [Inline scalars]
// A micrograd-style scalar graph has thousands of one-number nodes. Giving each a
// heap buffer would cost an allocation and a cache miss per node, so a node whose
// tensor has one element stores it in `inline_val`/`inline_grad` and `val`/`grad`
// point there. Node addresses never move (Note [Node storage] in graph.cpp),
// so those pointers stay valid for the node's life.

// Op attributes; which fields mean what is written beside each op in ops.hpp.
// Axes are below kMaxRank, so they fit a byte each (Note [Node size]).
struct Attr {
  double f[2] = {0, 0};  // constants: alpha, clamp bounds, exponent
  // Larger attributes (slice bounds, extra inputs, kernel scratch) live in the
  // arena: Graph::add_node allocates aux_bytes for the node and copies *aux into
  // it when aux is set (so callers may pass a pointer to a local array).
  const void* aux = nullptr;
  uint32_t aux_bytes = 0;
  int8_t i[kMaxRank] = {};  // axes, permutation, concat axis
  uint8_t axes = 0;         // reduction axes as a bit mask
  bool keepdims = false;
};
static_assert(kMaxRank <= 8, "Attr::axes is a byte-wide mask");

enum NodeFlags : uint8_t {
  kRequiresGrad = 1,  // a gradient flows into this node
  kParam = 2,         // a trainable leaf: optimizers update it
  kNeeded = 4,        // scratch mark used while collecting a subgraph
};

// Note [Node size]
// A scalar graph is mostly node records: a loop that builds 100,000 ops writes
// that many nodes to fresh memory, and on a virtual machine the first touch of a
// fresh page is expensive. Every byte of Node is paid per op, so its fields are
// packed (the attribute's axes are bytes, not ints). sizeof(Node) is checked in
// graph.cpp so that a field added here is a choice, not an accident.

struct Node {
  OpKind op = OpKind::leaf;
  DType dtype = DType::f64;
  uint8_t flags = 0;    // NodeFlags
  uint8_t nin = 0;      // number of inputs (more than 3: see extra_inputs)
  uint32_t origin = 0;  // opaque tag from the builder (lang maps it to a source span)
  NodeId in[3] = {kNoNode, kNoNode, kNoNode};
  Shape shape;
  int64_t numel = 1;
  void* val = nullptr;   // numel elements of dtype
  void* grad = nullptr;  // numel elements of dtype, allocated on first backward
  Attr attr;
  alignas(8) unsigned char inline_val[8] = {};
  alignas(8) unsigned char inline_grad[8] = {};

  Node() = default;
  // A node of `op` with no inputs yet; the other fields keep their defaults. A
  // constructor, so that a new node's fields are each stored once (a cleared record
  // then overwritten cost a `rep stos` per node, Note [Node size]).
  Node(OpKind op, DType dtype, uint32_t origin, const Shape& shape, int64_t numel, const Attr& attr)
      : op(op), dtype(dtype), origin(origin), shape(shape), numel(numel), attr(attr) {}
  // A one-number node (rank 0) of `op` over a, or a and b (b == kNoNode: one
  // input), with no attribute and its value inline: each field stored once.
  Node(OpKind op, DType dtype, uint32_t origin, uint8_t flags, NodeId a, NodeId b)
      : op(op),
        dtype(dtype),
        flags(flags),
        nin(b == kNoNode ? 1 : 2),
        origin(origin),
        in{a, b, kNoNode},
        val(inline_val) {}

  bool requires_grad() const { return flags & kRequiresGrad; }
  bool is_param() const { return flags & kParam; }
  bool has_grad() const { return grad != nullptr; }
  bool is_leaf() const { return op == OpKind::leaf; }

  // With more than three inputs (concat), attr.aux holds the whole input list.
  NodeId input(int k) const { return k < 3 ? in[k] : static_cast<const NodeId*>(attr.aux)[k]; }

  template <class T>
  T* v() {
    return static_cast<T*>(val);
  }
  template <class T>
  const T* v() const {
    return static_cast<const T*>(val);
  }
  template <class T>
  T* g() {
    return static_cast<T*>(grad);
  }
  template <class T>
  const T* g() const {
    return static_cast<const T*>(grad);
  }
};

}  // namespace hinge

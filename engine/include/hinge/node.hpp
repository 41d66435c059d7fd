// Node: one record of the tape. Scalars keep their value and gradient inline
// (Note [Inline scalars]); larger tensors point into the graph's arena.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>

#include "hinge/dtype.hpp"
#include "hinge/ops.hpp"
#include "hinge/shape.hpp"

namespace hinge {

using NodeId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;
// Node::walk of a node that no backward walk has reached since the walks were
// last counted from the start (Note [Walk marks] in backward.cpp).
inline constexpr uint32_t kNotWalked = UINT32_MAX;

// Note [Inline scalars]
// A micrograd-style scalar graph has thousands of one-number nodes. Giving each a
// heap buffer would cost an allocation and a cache miss per node, so a node whose
// tensor has one element stores it in `inline_val`/`inline_grad` and `val`/`grad`
// point there. Node addresses never move (Note [Node storage] in graph.cpp),
// so those pointers stay valid for the node's life.
//
// The paths that build and walk one-number nodes read those slots directly, not
// through `val` and `grad`. The pointer was the longest wait on them: an op reads
// the value (and backward's walk the gradient) that the op just before stored,
// and through the pointer that is two stores to wait for, the pointer's and the
// number's, instead of one. A node's flags say where such a path may do so:
//   kInlineOf<T>      the node is one number of dtype T, of rank 0 without an
//                     attribute (no NodeDetails): its value is in inline_val;
//   kScalarStepOf<T>  the node is a one-number +, -, * or relu of dtype T: its
//                     gradient, once the walk has readied it, is in inline_grad.
// A compiled scalar program (Note [Scalar programs]) points `val` and `grad` of
// its nodes into arrays of its own while it lives; it clears both bits of those
// nodes meanwhile (kHeldElsewhere), so every path reads them through the pointers.
// Building tests both inputs' inline bits at once, which also stands for the
// tests of their details and dtypes it replaced. tests/bench's scalar MLP built
// anew, per step (the quiet half of alternating rounds, each process's best run):
// building alone 347-352 -> 326-338 us, the whole step 609-644 -> 551-590 us;
// callgrind: 144.9 -> 141.9 instructions per node (the walk 50.2 -> 48.1).

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

  // True when every field is as Attr{} has it, the constants bit for bit (a
  // constant of -0 is an attribute): a node of rank 0 with a default attribute
  // needs no NodeDetails (Note [Node size]).
  bool is_default() const {
    const Attr none{};
    for (int k = 0; k < kMaxRank; ++k)
      if (i[k] != none.i[k]) return false;
    return same_bits(f[0], none.f[0]) && same_bits(f[1], none.f[1]) && aux == none.aux &&
           aux_bytes == none.aux_bytes && axes == none.axes && keepdims == none.keepdims;
  }
};
static_assert(kMaxRank <= 8, "Attr::axes is a byte-wide mask");
// A field added to Attr changes its size: add it to is_default() too, or a rank-0
// node whose only attribute is that field loses it.
static_assert(sizeof(Attr) == 40, "Attr changed: update Attr::is_default()");

enum NodeFlags : uint8_t {
  kRequiresGrad = 1,    // a gradient flows into this node
  kParam = 2,           // a trainable leaf: optimizers update it
  kNeeded = 4,          // scratch mark used while collecting a subgraph (not by backward's walk)
  kScalarStepF32 = 8,   // a one-number +, -, * or relu (is_scalar_step_op) of f32: backward's
                        // walk computes its step itself (Note [Scalar steps in backward])
  kScalarStepF64 = 16,  // the same of f64
  kInlineF32 = 32,      // one f32 number of rank 0 without details, read in its inline slot
  kInlineF64 = 64,      // the same of f64 (Note [Inline scalars])
};
// The bits a compiled scalar program clears while it holds a node's value and
// gradient in arrays of its own (Note [Inline scalars]).
inline constexpr uint8_t kHeldElsewhere = kScalarStepF32 | kScalarStepF64 | kInlineF32 | kInlineF64;
// The scalar-step bit of dtype T: one test finds a node that the walk in T steps
// itself, without a second test of its dtype (2 of about 64 instructions per node
// of the walk on tests/bench's scalar MLP, callgrind).
template <class T>
inline constexpr uint8_t kScalarStepOf = sizeof(T) == 4 ? kScalarStepF32 : kScalarStepF64;
// The inline bit of dtype T (Note [Inline scalars]).
template <class T>
inline constexpr uint8_t kInlineOf = sizeof(T) == 4 ? kInlineF32 : kInlineF64;
constexpr uint8_t inline_bit(DType t) { return t == DType::f32 ? kInlineF32 : kInlineF64; }

// The ops whose one-number nodes Graph computes without their kernels, forward
// (Graph::scalar_forward) and backward (Note [Scalar steps in backward]).
constexpr bool is_scalar_step_op(OpKind op) {
  return op == OpKind::add || op == OpKind::sub || op == OpKind::mul || op == OpKind::relu;
}

// Note [Node size]
// A scalar graph is mostly node records: a loop that builds 100,000 ops writes
// that many nodes, and the backward pass reads them all again. A graph of that
// size is larger than the caches, so every byte of a record is paid per op, in
// memory traffic when it is built and again when it is walked. A node is
// therefore one cache line (64 bytes, aligned) holding what building and
// walking a one-number node use: its op, inputs, flags, the last walk's mark,
// value and gradient (inline, Note [Inline scalars]). Its shape, element count and attribute,
// which a one-number node of +, -, * or relu does not need, are a NodeDetails
// record in the arena that `details` points at; a node of rank 0 without an
// attribute has none (null), and shape(), numel() and attr() read as rank 0,
// one element and no attribute. sizeof(Node) is checked in graph.cpp so that a
// field added here is a choice, not an accident.

// The part of a node record that a one-number node without an attribute does
// not need (Note [Node size]), allocated in the graph's arena with the node.
struct NodeDetails {
  Shape shape;
  int64_t numel = 1;
  Attr attr;
};

struct alignas(64) Node {
  OpKind op = OpKind::leaf;
  DType dtype = DType::f64;
  uint8_t flags = 0;    // NodeFlags
  uint8_t nin = 0;      // number of inputs (more than 3: see extra_inputs)
  uint32_t origin = 0;  // opaque tag from the builder (lang maps it to a source span)
  NodeId in[3] = {kNoNode, kNoNode, kNoNode};
  uint32_t walk = kNotWalked;            // the last backward walk that reached it (Note [Walk marks])
  const NodeDetails* details = nullptr;  // null: rank 0, one element, no attribute
  void* val = nullptr;                   // numel() elements of dtype
  void* grad = nullptr;                  // numel() elements of dtype, allocated on first backward
  // Set by each constructor: the one-number one stores the value and leaves the
  // gradient's slot as it finds it (Note [Building scalar nodes] in graph.cpp).
  alignas(8) unsigned char inline_val[8];
  alignas(8) unsigned char inline_grad[8];

  Node() : inline_val{}, inline_grad{} {}
  // A node of `op` with no inputs yet, described by `details` (null: one number,
  // no attribute); the other fields keep their defaults. A constructor, so that a
  // new node's fields are each stored once (a cleared record then overwritten
  // cost a `rep stos` per node, Note [Node size]).
  Node(OpKind op, DType dtype, uint32_t origin, const NodeDetails* details)
      : op(op), dtype(dtype), origin(origin), details(details), inline_val{}, inline_grad{} {}
  // A one-number node (rank 0) of `op` over its nin inputs, a, or a and b (b is
  // kNoNode when nin is 1), described by `details` (null: no attribute), with its
  // value inline, `value` holding its bits (inline_bits): each field stored once.
  // inline_grad is not cleared: it has no meaning until `grad` points at it, and
  // whatever points it there writes it (Graph::ensure_grad, the backward walk).
  Node(OpKind op, DType dtype, uint32_t origin, uint8_t flags, uint8_t nin, NodeId a, NodeId b,
       const NodeDetails* details, uint64_t value)
      : op(op),
        dtype(dtype),
        flags(flags),
        nin(nin),
        origin(origin),
        in{a, b, kNoNode},
        details(details),
        val(inline_val) {
    std::memcpy(inline_val, &value, sizeof(inline_val));
  }

  // The bits of inline_val that hold one value of type T (a float in the low
  // four bytes, the rest zero).
  template <class T>
  static uint64_t inline_bits(T v) {
    if constexpr (sizeof(T) == 4)
      return std::bit_cast<uint32_t>(v);
    else
      return std::bit_cast<uint64_t>(v);
  }

  const Shape& shape() const { return details ? details->shape : kRankZero; }
  int64_t numel() const { return details ? details->numel : 1; }
  const Attr& attr() const { return details ? details->attr : kNoAttr; }

  bool requires_grad() const { return flags & kRequiresGrad; }
  bool is_param() const { return flags & kParam; }
  bool has_grad() const { return grad != nullptr; }
  bool is_leaf() const { return op == OpKind::leaf; }

  // With more than three inputs (concat), attr().aux holds the whole input list.
  NodeId input(int k) const { return k < 3 ? in[k] : static_cast<const NodeId*>(attr().aux)[k]; }

  static constexpr Shape kRankZero{};
  static constexpr Attr kNoAttr{};

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
  // The number in the inline slots, for a path that found the node's kInlineOf<T>
  // (the value) or kScalarStepOf<T> bit (the gradient): Note [Inline scalars].
  template <class T>
  T inline_value() const {
    return *static_cast<const T*>(static_cast<const void*>(inline_val));
  }
  template <class T>
  T* inline_gradient() {
    return static_cast<T*>(static_cast<void*>(inline_grad));
  }
  template <class T>
  const T* g() const {
    return static_cast<const T*>(grad);
  }
};

}  // namespace hinge

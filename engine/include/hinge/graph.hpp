// Graph: the tape. Nodes in creation order (so backward is a reverse loop,
// Note [Tape order]) plus the arena holding their tensor buffers.
#pragma once
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <vector>

#include "hinge/arena.hpp"
#include "hinge/node.hpp"
#include "hinge/reserved.hpp"

namespace hinge {

struct Tensor;

// Note [Tape order]
// A node is pushed when it is created and its inputs always exist before it, so
// creation order is a topological order. Backward from node r visits r, r-1, ...,
// 0 and never needs a DFS, a visited set or recursion: a chain of a million nodes
// is a plain loop. Replay (training) re-runs forward kernels in the same order.

// Note [Compaction]
// A REPL session that runs a thousand experiments builds a thousand graphs into
// one tape. Nodes that no binding can reach any more are garbage, but a tape in
// creation order cannot free from the middle. compact() copies the live nodes
// down in their old order (still a topological order) and their buffers into a
// fresh arena, then frees the old one: memory is bounded by what is reachable.

// Note [Live values]
// A node's value is computed when it is created, from its inputs' values then.
// Writing a leaf in place (set_values, an optimizer step, a checkpoint) leaves
// every node computed from it stale. touch() records such a write and refresh()
// brings what a reader needs up to date, recomputing only the nodes whose inputs
// changed. Two counters per node make that cheap:
//   stamp    the clock when the node's value last changed (its creation, a write
//            of a leaf, a recomputation); a node is recomputed when an input's
//            stamp is newer than its own;
//   checked  a reading at which the node was known current (the clock at its
//            last refresh; at its creation, the lowest of the clock and its
//            inputs' `checked`); it is current while no leaf was written since
//            (checked >= last_write_), so refreshing a current node is one
//            comparison, and the walk stops at current nodes.
// Leaves are always current. A node built from a stale input is not current
// either (its `checked` is that input's, below last_write_), and the refresh that
// recomputes that input gives it a newer stamp, so the node follows. Replay
// (training) writes values without stamping them: after an optimizer step the
// params are touched, and what depends on them is recomputed once when it is next
// refreshed.
//
// Both readings are 32 bits, a node's pair 8 bytes: every node built writes it,
// and a graph built anew each step is larger than the caches (16-byte pairs were
// a fifth of the bytes written per scalar node, Note [Node size]). The clock
// advances once per write and per refresh that finds stale nodes, never per node,
// so it reaches its last reading (kLastReading) only after some four billion of
// those (a long training of a scalar model that touches each param every step can
// get there). The tick that would pass it first renumbers every reading
// (renumber_readings): the stamps by their rank among the stamps, so their order
// is kept, and `checked` to the new clock or 0 as the node is current or not,
// which is all that `checked` is compared for. The clock then restarts just above
// the number of nodes. That pass sorts the stamps (n log n for n nodes), once in
// billions of writes. What must not repeat across it, the identity of the latest
// write that a reader keeps (writes()), is a separate 64-bit count. A test moves
// the clock to its end (skip_clock_to) to make the pass run.

class Graph {
 public:
  explicit Graph(DType dtype = DType::f64);
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  ~Graph();

  // Element type given to new leaves unless one is asked for.
  DType dtype() const { return dtype_; }
  void set_dtype(DType t) { dtype_ = t; }

  Node& operator[](NodeId id) { return nodes_[id]; }
  const Node& operator[](NodeId id) const { return nodes_[id]; }
  NodeId size() const { return size_; }

  // ---- leaves ----
  // A scalar constant (no gradient).
  Tensor scalar(double v);
  Tensor scalar(double v, DType t);
  // A constant tensor from row-major values (converted to `t`).
  Tensor constant(const Shape& s, std::span<const double> values, DType t);
  Tensor constant(const Shape& s, std::span<const double> values);
  // A filled constant.
  Tensor full(const Shape& s, double v, DType t);
  // A trainable leaf (requires grad; optimizers update it; checkpoints save it).
  Tensor param(const Shape& s, std::span<const double> values, DType t);
  Tensor param(const Shape& s, std::span<const double> values);
  Tensor param(double v);
  // A leaf that requires grad but is not a parameter (an input you differentiate by).
  Tensor variable(const Shape& s, std::span<const double> values, DType t);
  Tensor variable(double v);

  // ---- building (used by op implementations) ----
  // Appends a node computing `op` of `inputs`, allocates its value, marks it as
  // requiring grad when any input does (and grad mode is on), and runs its forward
  // kernel. Shapes must already be checked by the caller.
  NodeId add_node(OpKind op, std::span<const NodeId> inputs, const Shape& shape, DType t,
                  const Attr& attr = {});
  // add_node for a one-number result (rank 0, of A's dtype) without an attribute,
  // of one input (b == kNoNode, B null) or two of rank 0: the same node, built
  // without add_node's general cases (Note [Building scalar nodes] in graph.cpp).
  // A and B are the inputs' records, which the caller has read to check them.
  // Inline, so that the op which checked its operands builds the node itself.
  NodeId add_scalar_node(OpKind op, NodeId a, const Node& A, NodeId b, const Node* B) {
    if (!has_scalar_slot()) [[unlikely]]
      return add_scalar_node_rarely(op, a, A, b, B, nullptr);
    return build_scalar_node(op, a, A, b, B, nullptr);
  }
  // True when build_scalar_node may append a node now: the tape has a usable slot
  // and the element limit allows one number. One comparison.
  bool has_scalar_slot() const { return size_ < scalar_slots_; }
  // add_scalar_node's node, described by `details` (null: no attribute), for a
  // caller that found has_scalar_slot() true.
  NodeId build_scalar_node(OpKind op, NodeId a, const Node& A, NodeId b, const Node* B,
                           const NodeDetails* details) {
    // Not through dispatch(): its lambda is a call of its own here, not inlined.
    return A.dtype == DType::f32
               ? build_scalar_node_of<float, Operands::through_val>(op, a, A, b, B, details)
               : build_scalar_node_of<double, Operands::through_val>(op, a, A, b, B, details);
  }
  // True when build_inline_scalar_node may build `op` of A, or of A and B: each
  // carries one dtype's kInlineOf bit (Note [Inline scalars]), and the tape has a
  // slot. B is null for one input.
  bool builds_inline_scalar(const Node& A, const Node* B) const {
    return has_scalar_slot() && ((B ? A.flags & B->flags : A.flags) & (kInlineF32 | kInlineF64));
  }
  // build_scalar_node without an attribute, when builds_inline_scalar(A, B): the
  // inputs' values are read in their inline slots. With `op` a constant where it
  // is inlined, the path for +, -, * and relu calls nothing (Note [Building
  // scalar nodes]).
  [[gnu::always_inline]] NodeId build_inline_scalar_node(OpKind op, NodeId a, const Node& A, NodeId b,
                                                         const Node* B) {
    return ((B ? A.flags & B->flags : A.flags) & kInlineF32)
               ? build_scalar_node_of<float, Operands::inline_slots>(op, a, A, b, B, nullptr)
               : build_scalar_node_of<double, Operands::inline_slots>(op, a, A, b, B, nullptr);
  }
  // The same for a unary op with an attribute that needs no aux storage.
  NodeId add_scalar_node(OpKind op, NodeId a, const Node& A, const Attr& attr);
  // Raw storage from the arena (64-byte aligned).
  void* alloc(std::size_t bytes) { return arena_.alloc(bytes); }
  // Makes sure node `id` has a gradient buffer, zeroed when newly allocated.
  void ensure_grad(NodeId id) {
    Node& n = (*this)[id];
    if (n.grad) return;
    if (n.numel() == 1) {  // inline (Note [Inline scalars]): one store, not a call
      std::memset(n.inline_grad, 0, sizeof(n.inline_grad));
      n.grad = n.inline_grad;
      return;
    }
    attach_grad_buffer(n);
  }

  // ---- gradient mode (see NoGradScope) ----
  bool grad_enabled() const { return grad_flag_ != 0; }
  void set_grad_enabled(bool on) { grad_flag_ = on ? kRequiresGrad : 0; }

  // ---- origin tags: stamped on every new node (lang maps them to source spans) ----
  uint32_t origin() const { return origin_; }
  void set_origin(uint32_t tag) { origin_ = tag; }

  // ---- live values (Note [Live values]) ----
  // Records that leaf `id` holds new values: every node computed from it is stale.
  void touch(NodeId id);
  // True when node `id` holds its op's value over its inputs' current values.
  bool is_current(NodeId id) const { return versions_[id].checked >= last_write_; }
  // How many times touch() was called: while it reads the same, a node found
  // current stays so.
  uint64_t writes() const { return writes_; }
  // Brings `roots` and everything they depend on up to date: the stale nodes whose
  // inputs changed run their forward kernels again, in tape order. Nothing is done
  // (one comparison per root) when they are current.
  void refresh(std::span<const NodeId> roots);
  void refresh(NodeId root) { refresh(std::span<const NodeId>(&root, 1)); }
  // The clock's last reading: the tick that would pass it renumbers the readings.
  static constexpr uint32_t kLastReading = UINT32_MAX - 1;
  // Moves the clock forward to `reading` (at most kLastReading), as that many
  // refreshes would: for tests of the renumbering (Note [Live values]).
  void skip_clock_to(uint32_t reading);

  // ---- backward walks (Note [Walk marks] in backward.cpp) ----
  // The number of a new walk, which no node's `walk` holds yet.
  uint32_t begin_walk() {
    if (walks_ + 1 == kNotWalked) [[unlikely]]
      forget_walks();
    return ++walks_;
  }
  // Moves the walk count forward to `count` (below kNotWalked), as that many walks
  // would: for tests of forget_walks.
  void skip_walks_to(uint32_t count);

  // ---- limits ----
  // Largest tensor (elements) a node may hold; exceeding it throws LimitError.
  int64_t max_elements() const { return max_elements_; }
  void set_max_elements(int64_t n) {
    max_elements_ = n;
    count_scalar_slots();
  }

  // ---- lifetime ----
  struct Mark {
    NodeId nodes = 0;
    Arena::Mark arena;
  };
  Mark mark() const { return {size_, arena_.mark()}; }
  // Drops every node created after `m` and the buffers they used.
  void rewind(Mark m);
  void clear() { rewind({}); }
  const Arena& arena() const { return arena_; }

  // Keeps only the nodes that `roots` depend on (Note [Compaction]) and returns,
  // for every old id, its new id or kNoNode when it was dropped. Every Tensor
  // handle and Replay made before is invalid afterwards: remap what you keep.
  std::vector<NodeId> compact(std::span<const NodeId> roots);

 private:
  // Points n.grad at a zeroed arena buffer of n.numel() elements.
  void attach_grad_buffer(Node& n);
  // The details of a node of `shape` (numel elements) with `attr`, in the arena
  // with a copy of the attribute's aux storage, or null when the node needs none
  // (rank 0 and no attribute, Note [Node size]).
  const NodeDetails* make_details(const Shape& shape, int64_t numel, const Attr& attr);
  // Appends Node(op, t, origin(), details) to the tape.
  Node& push_node(OpKind op, DType t, const NodeDetails* details);
  // The id of the node about to be appended, its storage mapped; the caller
  // constructs the node in its slot and then counts it (++size_).
  NodeId next_slot() {
    const NodeId id = size_;
    if (id == capacity_) add_slots();
    return id;
  }
  // Makes slot capacity_ usable in both ranges, reserving them at the first node.
  void add_slots();
  // Sets scalar_slots_ from the capacity and the element limit (has_scalar_slot).
  void count_scalar_slots() { scalar_slots_ = max_elements_ < 1 ? 0 : capacity_; }
  // add_scalar_node when the tape needs room or the element limit forbids one
  // number (Note [Building scalar nodes]).
  NodeId add_scalar_node_rarely(OpKind op, NodeId a, const Node& A, NodeId b, const Node* B,
                                const Attr* attr);
  // Where build_scalar_node_of reads its inputs' values: in their inline slots,
  // when the caller found their kInlineOf bits, or through `val`.
  enum class Operands { inline_slots, through_val };
  // build_scalar_node for inputs of dtype T. A copy per dtype, so that the dtype
  // is a constant in each: one register fewer, with which the path for +, -, *
  // and relu needs none that a call must keep (Note [Building scalar nodes]).
  template <class T, Operands kFrom>
  NodeId build_scalar_node_of(OpKind op, NodeId a, const Node& A, NodeId b, const Node* B,
                              const NodeDetails* details) {
    const NodeId id = size_;
    const uint8_t rg = (A.flags | (B ? B->flags : 0)) & grad_flag_;
    const uint32_t checked = B ? std::min(versions_[a].checked, versions_[b].checked) : versions_[a].checked;
    const uint8_t flags = rg | (is_scalar_step_op(op) ? kScalarStepOf<T> : 0) | (details ? 0 : kInlineOf<T>);
    // Without branches: the lowest of the inputs' `checked` and the clock is at or
    // above last_write_ exactly when every input is current (a leaf's always is,
    // and the clock never reads below last_write_), so it is this node's `checked`
    // (Note [Live values]): no comparison with last_write_ to choose between the
    // clock and 0 (148.1 against 151.2 instructions per node and step of
    // tests/bench's scalar MLP built anew, callgrind).
    store_version(id, clock_, std::min(checked, clock_));
    size_ = id + 1;
    // The value, then the record: the record's bytes may alias anything, and the
    // compiler would read the inputs' values and the graph's fields again after them.
    const bool step = is_scalar_step_op(op);
    uint64_t value = 0;
    if (step) {
      auto read = [](const Node& N) {
        if constexpr (kFrom == Operands::inline_slots)
          return N.inline_value<T>();
        else
          return *N.v<T>();
      };
      value = scalar_forward<T>(op, read(A), B ? read(*B) : T(0));
    }
    Node& n = *new (&nodes_[id]) Node(op, sizeof(T) == 4 ? DType::f32 : DType::f64, origin_, flags, B ? 2 : 1,
                                      a, b, details, value);
    if (!step) forward_by_kernel(n);
    return id;
  }
  // The value of a one-number +, -, * or relu (is_scalar_step_op) of a, or of a
  // and b (relu ignores b), as its bits in a node's inline_val (Node::inline_bits),
  // computed here with the kernels' formulas (binary.cpp, unary.cpp) instead of
  // through the op table: the scalar graphs a loop builds are mostly these (Note
  // [Scalar steps in backward] has the other half).
  template <class T>
  static uint64_t scalar_forward(OpKind op, T a, T b) {
    switch (op) {
      case OpKind::add: return Node::inline_bits(a + b);
      case OpKind::sub: return Node::inline_bits(a - b);
      case OpKind::mul: return Node::inline_bits(a * b);
      default: return Node::inline_bits(a > T(0) ? a : T(0));  // relu
    }
  }
  // Runs the forward kernel of n, a node that scalar_forward does not compute.
  void forward_by_kernel(Node& n);
  // Clock readings of one node (Note [Live values]).
  struct Version {
    uint32_t stamp = 0;
    uint32_t checked = 0;
  };
  // versions_[id] = {stamp, checked} as one 64-bit store formed in a general
  // register: stored as two fields, GCC formed the pair in a vector register, with
  // more instructions and one more saved register in the path that builds a
  // one-number node (151.2 against 152.2 instructions per node and step of
  // tests/bench's scalar MLP built anew, callgrind).
  void store_version(NodeId id, uint32_t stamp, uint32_t checked) {
    static_assert(std::endian::native == std::endian::little && sizeof(Version) == 8 &&
                      offsetof(Version, stamp) == 0 && offsetof(Version, checked) == 4,
                  "store_version writes stamp in the low half, checked in the high one");
    const uint64_t pair = stamp | (uint64_t{checked} << 32);
    std::memcpy(static_cast<void*>(&versions_[id]), &pair, sizeof pair);
  }
  // `checked` of a leaf: it is always current.
  static constexpr uint32_t kAlwaysCurrent = UINT32_MAX;
  // The clock's next reading, after renumbering the readings when the clock is at
  // kLastReading (Note [Live values]).
  uint32_t tick() {
    if (clock_ == kLastReading) [[unlikely]]
      renumber_readings();
    return ++clock_;
  }
  void renumber_readings();
  // Every node's `walk` back to kNotWalked and the count to 0: once in some four
  // billion walks (Note [Walk marks]).
  void forget_walks();
  Tensor make_leaf(const Shape& s, std::span<const double> values, DType t, uint8_t flags);

  // The node records and their clock readings, each an array at a fixed address
  // (Note [Node storage] in graph.cpp). Slots [0, size_) are used, [0, capacity_) usable.
  Node* nodes_ = nullptr;
  Version* versions_ = nullptr;
  NodeId size_ = 0;
  NodeId capacity_ = 0;
  NodeId scalar_slots_ = 0;  // capacity_, or 0 while max_elements_ < 1 (has_scalar_slot)
  uint32_t clock_ = 1;       // advanced by every write and every refresh that recomputes
  uint32_t last_write_ = 1;  // the clock of the latest touch()
  uint64_t writes_ = 0;      // touch() calls (writes())
  uint32_t walks_ = 0;       // the last walk's number (begin_walk)
  Arena arena_;
  DType dtype_;
  uint8_t grad_flag_ = kRequiresGrad;  // kRequiresGrad while gradients are recorded, else 0
  uint32_t origin_ = 0;
  int64_t max_elements_ = int64_t{1} << 28;
  detail::ReservedRange node_range_;     // holds nodes_
  detail::ReservedRange version_range_;  // holds versions_
};

// Turns gradient recording off for its lifetime: nodes built inside do not require grad.
//   { NoGradScope ng(g); auto y = f(x); }  // y has no gradient path
class NoGradScope {
 public:
  explicit NoGradScope(Graph& g) : g_(g), prev_(g.grad_enabled()) { g.set_grad_enabled(false); }
  ~NoGradScope() { g_.set_grad_enabled(prev_); }
  NoGradScope(const NoGradScope&) = delete;
  NoGradScope& operator=(const NoGradScope&) = delete;

 private:
  Graph& g_;
  bool prev_;
};

}  // namespace hinge

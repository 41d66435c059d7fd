// Graph: node storage, leaves, node creation (which runs the forward kernel),
// gradient buffers and rewinding.
#include "hinge/graph.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"
#include "hinge/tensor.hpp"
#include "op_table.hpp"

namespace hinge {

Graph::Graph(DType dtype) : dtype_(dtype) {}
Graph::~Graph() = default;

// Note [Node storage]
// A node's record is found from its id on every read (building, backward, the
// trace), so the records are one array, at base + id * sizeof(Node): a lookup is
// a multiply and an add. They must also never move, as handles hold ids while
// kernels hold Node& and a one-number node points at its own inline slot (Note
// [Inline scalars]); so the array cannot be reallocated to grow. Instead each
// graph reserves, at its first node, addresses for the most nodes it may hold
// (kMaxNodes; fewer under `ulimit -v`, detail::ReservedRange) and makes them
// usable 2 MB at a time as the tape fills. The clock readings (Note [Live
// values]) are a second such array. Reserved addresses cost no memory.
//
// Why 2 MB at a time: a script's loop that builds a graph of 100,000 ops writes
// 6.4 MB of fresh node records and 0.8 MB of clock readings, and on the virtual
// machines hinge is measured on the first touch of a fresh 4 KB page is
// expensive (the host takes part in the fault): with records in small blocks and
// the readings in a growing std::vector, those faults were most of tests/bench's
// interpreter loop. So each step is marked for a transparent huge page and made
// present at once (MADV_POPULATE_WRITE), one fault and one clear of 2 MB instead
// of 512 faults, and nothing is ever copied to grow. Both advices are best
// effort: where the kernel refuses them, the pages fault as they are touched and
// nothing else changes. A node is constructed in its slot when it is pushed (a
// step is not initialised as a whole first).
static_assert(sizeof(Node) == 64, "Note [Node size]: every byte of a node is paid per op");

// The most nodes a graph holds (Note [Node storage]): 16 GiB of records, more
// than a machine that runs hinge has memory for.
constexpr NodeId kMaxNodes = NodeId{1} << 28;

void Graph::add_slots() {
  if (!node_range_.reserved()) {
    node_range_.reserve(std::size_t{kMaxNodes} * sizeof(Node));
    version_range_.reserve(node_range_.size() / sizeof(Node) * sizeof(Version));
    nodes_ = reinterpret_cast<Node*>(node_range_.data());
    versions_ = reinterpret_cast<Version*>(version_range_.data());
  }
  auto slots = [](const detail::ReservedRange& r, std::size_t size) {
    return static_cast<NodeId>(std::min<std::size_t>(r.usable() / size, kMaxNodes));
  };
  const NodeId want = capacity_ + 1;
  bool room = want <= kMaxNodes;
  while (room && slots(node_range_, sizeof(Node)) < want) room = node_range_.grow();
  while (room && slots(version_range_, sizeof(Version)) < want) room = version_range_.grow();
  if (!room) throw LimitError(fmt::format("the graph is full ({} nodes)", capacity_));
  capacity_ = std::min(slots(node_range_, sizeof(Node)), slots(version_range_, sizeof(Version)));
  count_scalar_slots();
}

const NodeDetails* Graph::make_details(const Shape& shape, int64_t numel, const Attr& attr) {
  if (shape.rank == 0 && attr.is_default()) return nullptr;  // Note [Node size]
  auto* d = new (arena_.alloc(sizeof(NodeDetails), alignof(NodeDetails))) NodeDetails{shape, numel, attr};
  if (attr.aux_bytes > 0) {
    void* p = alloc(attr.aux_bytes);
    if (attr.aux)
      std::memcpy(p, attr.aux, attr.aux_bytes);
    else
      std::memset(p, 0, attr.aux_bytes);
    d->attr.aux = p;
  }
  return d;
}

Node& Graph::push_node(OpKind op, DType t, const NodeDetails* details) {
  const NodeId id = next_slot();
  Node* n = new (&nodes_[id]) Node(op, t, origin_, details);
  // A new leaf is current; add_node lowers `checked` when an input is stale.
  versions_[id] = {clock_, kAlwaysCurrent};
  ++size_;
  return *n;
}

// Note [Touching a large buffer first]
// A kernel runs over its whole output without a poll, and an output of
// gigabytes in fresh memory is mostly page faults: relu over the [10^6, 256]
// hidden layer of `plot regions ... with resolution=1000` took 3 s, all of it
// deaf to Ctrl-C. So a value buffer of kTouchFirstBytes or more is zeroed first
// in pieces, polling between them (zero_with_polls), and the kernel then runs
// over memory already mapped: a few hundred milliseconds at most. The extra pass
// costs a write of the buffer at memory speed; smaller buffers skip it. A stop
// leaves the new node unfinished and unreturned, as a stopped product does (Note
// [Stopping a long product] in matmul.cpp). Gradient buffers, zeroed anyway, are
// zeroed the same way.
constexpr std::size_t kTouchFirstBytes = std::size_t{64} << 20;

// Points n.val at inline storage or a fresh arena buffer of n.numel() elements;
// a node without details (one number of rank 0) gets its dtype's inline bit
// (Note [Inline scalars]).
static void attach_value(Graph& g, Node& n) {
  const std::size_t bytes = static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype);
  n.val = bytes <= sizeof(n.inline_val) ? static_cast<void*>(n.inline_val) : g.alloc(bytes);
  if (bytes >= kTouchFirstBytes) zero_with_polls(n.val, bytes);
  if (!n.details) n.flags |= inline_bit(n.dtype);
}

NodeId Graph::add_node(OpKind op, std::span<const NodeId> inputs, const Shape& shape, DType t,
                       const Attr& attr) {
  const int64_t numel = shape.numel();
  if (numel > max_elements_)
    throw LimitError(fmt::format("'{}' would make a tensor of {} elements ({}), above the limit of {}",
                                 op_name(op), numel, to_string(shape), max_elements_));
  bool rg = false, current = true;
  for (NodeId i : inputs) {
    rg |= (*this)[i].requires_grad();
    current &= is_current(i);
  }
  Attr full = attr;
  if (inputs.size() > 3) {  // concat of many parts
    full.aux = inputs.data();
    full.aux_bytes = static_cast<uint32_t>(inputs.size() * sizeof(NodeId));
  }
  Node& n = push_node(op, t, make_details(shape, numel, full));
  const NodeId id = size_ - 1;
  versions_[id].checked = current ? clock_ : 0;  // Note [Live values]
  n.nin = static_cast<uint8_t>(std::min<std::size_t>(inputs.size(), 255));
  for (std::size_t k = 0; k < inputs.size() && k < 3; ++k) n.in[k] = inputs[k];
  if (rg) n.flags |= grad_flag_;
  attach_value(*this, n);
  // An elementwise op's one-number result has one-number inputs (broadcasting
  // never shrinks), whose values scalar_forward takes; any other op goes to its
  // kernel. The inputs are read through `val` (their inline bits are not asked).
  if (numel == 1 && is_scalar_step_op(op)) {
    const Node& A = (*this)[n.in[0]];
    const Node* B = n.nin > 1 ? &(*this)[n.in[1]] : nullptr;
    dispatch(t, [&]<class T>() {
      const uint64_t value = scalar_forward<T>(op, *A.v<T>(), B ? *B->v<T>() : T(0));
      std::memcpy(n.inline_val, &value, sizeof(n.inline_val));  // one number: n.val is inline_val
      n.flags |= kScalarStepOf<T>;
    });
    return id;
  }
  detail::op_impl(op).forward(*this, n);
  return id;
}

// Note [Building scalar nodes]
// A micrograd-style graph is tens of thousands of one-number nodes, and building
// one is the whole cost of an op: the node record, its clock reading and the
// value. add_node's general cases (the element count and its limit, an input list
// of any length, attribute storage, a value buffer in the arena) cost more than
// that work, so one-number results take a shorter path (Graph::build_scalar_node):
// the caller passes the input records it read to check the operands (each is
// found once), the inputs' clock readings are compared without a branch (a leaf's
// always passes, Note [Live values]), the value is computed first and the record
// then constructed in its slot with each field stored once (no shape or attribute
// copied in, no default overwritten, the gradient's slot left alone), the value
// lives inline, and +, -, * and relu are computed there (scalar_forward). It
// builds exactly the node add_node would.
//
// The path is inline: the op that checks its operands builds the node in the same
// function, with `op` a constant. For add, sub, mul and relu that function calls
// nothing on the common path, and every rare case (operands of two graphs or
// dtypes, an attribute, a tensor, the tape out of room, an element limit below
// one) is one test that leaves by a jump to an out-of-line function of the op's
// own signature (make_binary_rarely, make_unary_rarely), which does the checks
// and the general build. A path that can call out to the rare cases saved and
// restored six of the registers that a call must keep, on every node (14
// instructions of a multiply's path); one that only jumps out keeps fewer values
// in them. Three things keep that jump a jump. The two returns are written in
// the op itself (a Tensor returned from an inlined helper is taken apart and put
// together again, and the call is then no longer the last thing done); the
// out-of-line function is noipa (a copy specialised for its callers takes other
// arguments); and the node is built by a copy of the path per dtype
// (build_scalar_node_of), in which the dtype is a constant: one register fewer.
// `objdump -d` of binary.o shows mul: the check, a `jmp` to the rare path, and
// still three registers saved and restored (6 of the 78 instructions a multiply
// node costs, callgrind; four before the clock readings were one store,
// Graph::store_version): GCC wants more registers for the path than a call may
// change, and no order of the source tried gave it fewer. Nor did storing op,
// dtype, flags and nin as one 4-byte word (GCC then built the record's first 16
// bytes in a vector register, with a branch: 3 instructions more per node).
// The scalar MLP of tests/bench built anew, per node and step (callgrind): 197.8
// instructions before, 186.5 with the value first, 8-byte clock readings and one
// test for the rare cases (still a call), 176.4 with the jump, 171.5 with the
// copy per dtype, 170.5 with the operands' details tested at once
// (builds_scalar_binary). An earlier step made the path inline instead of a call
// with six arguments: 259 -> 226.
//
// Inline one step further, in the caller (add, sub, mul and relu defined in
// hinge/tensor.hpp, so that the bench's model loop built its nodes without a
// call), the path ran fewer instructions but took longer: 144.6 -> 133.5
// instructions per node and step, yet 6-10% more time per node in 40 alternating
// rounds against the out-of-line ops (AMD EPYC, 2 vCPUs). So a change to this
// path is judged by its time in alternating rounds as well as by callgrind.

// The node add_scalar_node would build, built by add_node instead, which explains
// the element limit that forbids it; out of line, so that the short path keeps no
// room for add_node's arguments.
[[gnu::noinline]] static NodeId add_through_add_node(Graph& g, OpKind op, NodeId a, NodeId b, DType t,
                                                     const Attr* attr) {
  const NodeId ins[2] = {a, b};
  return g.add_node(op, std::span<const NodeId>(ins, b == kNoNode ? 1 : 2), Shape{}, t,
                    attr ? *attr : Attr{});
}

// Out of line, so that add_scalar_node's path calls nothing for +, -, * and relu
// (Note [Building scalar nodes]).
[[gnu::noinline]] void Graph::forward_by_kernel(Node& n) { detail::op_impl(n.op).forward(*this, n); }

[[gnu::noinline]] NodeId Graph::add_scalar_node_rarely(OpKind op, NodeId a, const Node& A, NodeId b,
                                                       const Node* B, const Attr* attr) {
  if (max_elements_ < 1) return add_through_add_node(*this, op, a, b, A.dtype, attr);
  add_slots();
  return attr ? add_scalar_node(op, a, A, *attr) : add_scalar_node(op, a, A, b, B);
}

NodeId Graph::add_scalar_node(OpKind op, NodeId a, const Node& A, const Attr& attr) {
  if (!has_scalar_slot()) [[unlikely]]
    return add_scalar_node_rarely(op, a, A, kNoNode, nullptr, &attr);
  return build_scalar_node(op, a, A, kNoNode, nullptr, make_details(Shape{}, 1, attr));
}

Tensor Graph::make_leaf(const Shape& s, std::span<const double> values, DType t, uint8_t flags) {
  const int64_t numel = s.numel();
  if (numel > max_elements_)
    throw LimitError(fmt::format("a tensor of {} elements ({}) is above the limit of {}", numel, to_string(s),
                                 max_elements_));
  if (static_cast<int64_t>(values.size()) != numel && values.size() != 1)
    throw ShapeError(fmt::format("{} values given for a tensor of shape {}", values.size(), to_string(s)));
  Node& n = push_node(OpKind::leaf, t, make_details(s, numel, {}));
  n.flags = flags;
  attach_value(*this, n);
  dispatch(t, [&]<class T>() {
    T* v = n.v<T>();
    for (int64_t k = 0; k < numel; ++k) v[k] = static_cast<T>(values.size() == 1 ? values[0] : values[k]);
  });
  return {this, size_ - 1};
}

Tensor Graph::scalar(double v) { return scalar(v, dtype_); }
Tensor Graph::scalar(double v, DType t) { return make_leaf({}, {&v, 1}, t, 0); }
Tensor Graph::constant(const Shape& s, std::span<const double> v, DType t) { return make_leaf(s, v, t, 0); }
Tensor Graph::constant(const Shape& s, std::span<const double> v) { return make_leaf(s, v, dtype_, 0); }
Tensor Graph::full(const Shape& s, double v, DType t) { return make_leaf(s, {&v, 1}, t, 0); }
Tensor Graph::param(const Shape& s, std::span<const double> v, DType t) {
  return make_leaf(s, v, t, kParam | kRequiresGrad);
}
Tensor Graph::param(const Shape& s, std::span<const double> v) { return param(s, v, dtype_); }
Tensor Graph::param(double v) { return param({}, {&v, 1}, dtype_); }
Tensor Graph::variable(const Shape& s, std::span<const double> v, DType t) {
  return make_leaf(s, v, t, kRequiresGrad);
}
Tensor Graph::variable(double v) { return variable({}, {&v, 1}, dtype_); }

// Zeroed before n.grad points at it: a stop while zeroing (Note [Touching a large
// buffer first]) leaves the node without a gradient buffer, as it was.
void Graph::attach_grad_buffer(Node& n) {
  const std::size_t bytes = static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype);
  void* buffer = alloc(bytes);
  zero_with_polls(buffer, bytes);
  n.grad = buffer;
}

void Graph::rewind(Mark m) {
  size_ = std::min(size_, m.nodes);
  arena_.rewind(m.arena);
}

void Graph::forget_walks() {
  for (NodeId i = 0; i < size_; ++i) nodes_[i].walk = kNotWalked;
  walks_ = 0;
}

void Graph::skip_walks_to(uint32_t count) { walks_ = std::clamp(count, walks_, kNotWalked - 1); }

}  // namespace hinge

namespace hinge {

std::vector<NodeId> Graph::compact(std::span<const NodeId> roots) {
  std::vector<NodeId> remap(size_, kNoNode);
  NodeId top = 0;
  for (NodeId r : roots) {
    (*this)[r].flags |= kNeeded;
    top = std::max(top, r + 1);
  }
  for (NodeId i = top; i-- > 0;) {
    Node& n = (*this)[i];
    if (!(n.flags & kNeeded)) continue;
    for (int k = 0; k < n.nin; ++k) (*this)[n.input(k)].flags |= kNeeded;
  }
  // Every buffer's room in one block before any node moves: short of memory,
  // compact() throws with the graph as it was (Note [Compaction]).
  std::size_t room = 0;
  auto count = [&](std::size_t bytes) {
    room += (bytes + Arena::kAlign - 1) / Arena::kAlign * Arena::kAlign + Arena::kAlign;
  };
  for (NodeId i = 0; i < top; ++i) {
    const Node& n = (*this)[i];
    if (!(n.flags & kNeeded)) continue;
    const std::size_t bytes = static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype);
    if (n.val && n.val != n.inline_val) count(bytes);
    if (n.grad && n.grad != n.inline_grad) count(bytes);
    if (n.details) {
      count(sizeof(NodeDetails));
      if (n.details->attr.aux_bytes > 0) count(n.details->attr.aux_bytes);
    }
  }
  Arena fresh;
  try {
    fresh.reserve(room);
  } catch (...) {
    for (NodeId i = 0; i < top; ++i) (*this)[i].flags &= ~kNeeded;
    throw;
  }
  // Copies `bytes` at p into the fresh arena, or points at the node's own inline slot.
  auto move_buffer = [&](const void* p, const unsigned char* old_inline, unsigned char* new_inline,
                         std::size_t bytes) -> void* {
    if (p == nullptr) return nullptr;
    if (p == old_inline) return new_inline;
    void* q = fresh.alloc(bytes);
    std::memcpy(q, p, bytes);
    return q;
  };
  NodeId j = 0;
  for (NodeId i = 0; i < top; ++i) {
    Node& src = (*this)[i];
    if (!(src.flags & kNeeded)) continue;
    src.flags &= ~kNeeded;
    Node n = src;
    for (int k = 0; k < 3 && k < n.nin; ++k) n.in[k] = remap[n.in[k]];
    const std::size_t bytes = static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype);
    Node& dst = (*this)[j];
    n.val = move_buffer(src.val, src.inline_val, dst.inline_val, bytes);
    n.grad = move_buffer(src.grad, src.inline_grad, dst.inline_grad, bytes);
    if (src.details) {
      auto* d = new (fresh.alloc(sizeof(NodeDetails), alignof(NodeDetails))) NodeDetails(*src.details);
      if (d->attr.aux_bytes > 0) {
        void* a = fresh.alloc(d->attr.aux_bytes);
        std::memcpy(a, src.details->attr.aux, d->attr.aux_bytes);
        if (n.nin > 3)  // the input list of a long concat
          for (int k = 0; k < n.nin; ++k) static_cast<NodeId*>(a)[k] = remap[static_cast<NodeId*>(a)[k]];
        d->attr.aux = a;
      }
      n.details = d;
    }
    dst = n;
    versions_[j] = versions_[i];
    remap[i] = j++;
  }
  size_ = j;
  arena_ = std::move(fresh);
  return remap;
}

}  // namespace hinge

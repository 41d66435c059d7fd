// Reverse mode over the tape: backward(), grad() (numeric and graph-building),
// zero_grad() and Replay. See Note [Tape order] and Note [Gradient accumulation].
#include "hinge/backward.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "fused_layer.hpp"
#include "hinge/errors.hpp"
#include "op_table.hpp"
#include "scalar_program.hpp"

namespace hinge {

namespace {

void zero_buffer(Node& n) {
  if (n.grad) std::memset(n.grad, 0, static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype));
}

void seed_one(Node& n) {
  dispatch(n.dtype, [&]<class T>() { n.g<T>()[0] += T(1); });
}

void check_scalar_root(const Tensor& y, std::string_view what) {
  if (y.numel() != 1)
    throw DomainError(fmt::format("{} needs a one-element value, not shape {}", what, to_string(y.shape())));
}

// Note [Scalar steps in backward]
// A graph built anew every step (a `for` loop, a REPL line, micrograd's demo) is
// differentiated by backward(), not by a Replay with its compiled scalar program;
// in a scalar graph most of its nodes are +, -, * and relu of one-number inputs.
// For those the pass computes the adjoint right here, with the same formulas as
// the kernels (binary.cpp, unary.cpp: bit-identical results), instead of a table
// lookup, an indirect call and the kernel's shape cases per node. Anything else
// goes to the op's kernel. An elementwise op with a one-number result has
// one-number inputs (broadcasting never shrinks), so no input needs checking.
// Such a node carries its dtype's scalar-step bit (kScalarStepOf) from its
// creation (Graph sets it on each node that scalar_forward computed), so the walk
// tells it apart with one test of the flags, and an input carrying it is known to
// be an interior one-number node, whose gradient is readied without asking what
// it is (give in walk_backward). In backward(), whose `ready` is ready_grad, the
// walk readies every input of a step itself: each is one number, so ready_grad
// would call nothing, but a call it might make kept the step's shares on the
// stack. Without it, the walk on tests/bench's scalar MLP takes 58.0
// instructions per node instead of 60.4 (callgrind), and 54.7 with the inputs'
// values read only by the ops whose shares use them (50.2 since Note [Walk
// marks], 48.1 reading the inline slots, Note [Inline scalars]).

// The value of m, an input of a scalar step: in its inline slot unless a
// compiled scalar program holds it elsewhere, or m has details (Note [Inline
// scalars]). A branch, not a conditional move: a move would wait for the
// pointer's load as well.
template <class T>
T value_of(const Node& m) {
  if (m.flags & kInlineOf<T>) [[likely]]
    return m.inline_value<T>();
  return *m.v<T>();
}

// The step of one-number node n whose adjoint is `go`: each input that requires
// grad receives its share through `give(input, id, share)`, which readies the
// input's gradient the first time the pass reaches it. `nodes` is the tape's
// record array (Note [Node storage]: it never moves). Both shares are computed
// before either is given, so that no value needs saving across `give`, which
// may call out to allocate a gradient.
template <class T, class Give>
void scalar_step(Node* nodes, const Node& n, T go, Give give) {
  const NodeId ia = n.in[0];
  Node& A = nodes[ia];
  if (n.op == OpKind::relu) {
    if (A.requires_grad()) give(A, ia, go * (value_of<T>(A) > T(0) ? T(1) : T(0)));
    return;
  }
  const NodeId ib = n.in[1];
  Node& B = nodes[ib];
  // The inputs' values only where the shares need them: + and - read neither.
  T share_a = go, share_b = go;
  if (n.op == OpKind::mul) {
    share_a = go * value_of<T>(B);
    share_b = go * value_of<T>(A);
  } else if (n.op == OpKind::sub) {
    share_b = -go;
  }
  if (A.requires_grad()) give(A, ia, share_a);
  if (B.requires_grad()) give(B, ib, share_b);
}

// Readies node id's gradient for a pass: an interior node's is reset, a leaf's
// accumulates; a fresh buffer comes zeroed. A fresh one-number gradient is the
// inline slot, as Graph::ensure_grad gives it, set here without finding n again.
void prepare_grad(Graph& g, Node& n, NodeId id) {
  if (!n.grad && n.numel() == 1) {
    std::memset(n.inline_grad, 0, sizeof(n.inline_grad));
    n.grad = n.inline_grad;
  } else if (!n.grad) {
    g.ensure_grad(id);
  } else if (!n.is_leaf()) {
    zero_buffer(n);
  }
}

}  // namespace

std::vector<NodeId> ancestors(const Graph& cg, NodeId root, bool only_grad) {
  Graph& g = const_cast<Graph&>(cg);  // only the scratch kNeeded bit is touched
  std::vector<NodeId> out;
  g[root].flags |= kNeeded;
  for (NodeId i = root + 1; i-- > 0;) {
    Node& n = g[i];
    if (!(n.flags & kNeeded)) continue;
    n.flags &= ~kNeeded;
    out.push_back(i);
    for (int k = 0; k < n.nin; ++k) {
      Node& m = g[n.input(k)];
      if (!only_grad || m.requires_grad()) m.flags |= kNeeded;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Note [One walk backward]
// backward() differentiates a graph that was just built (a loop, a REPL line), so
// it walks the tape once, from the root down: a node's gradient is complete when
// the walk reaches it (every consumer comes later in tape order and was visited),
// so its step runs there and then. An input's gradient is readied (reset, or
// allocated zeroed; a leaf's accumulates) the first time a consumer marks it,
// which is before any consumer adds to it. There is no list of the nodes and no
// second walk: each node record is read once. grad() takes the same walk
// (numeric_grad), readying a leaf by saving its gradient and zeroing it.
//
// Note [Assigning backward] applies to this walk too: when the consumer that
// first reaches an interior node has a kernel that can overwrite its inputs'
// gradients (OpImpl::backward_assign), that gradient is neither zeroed nor, when
// new, cleared: the kernel writes every element. A graph built anew gets fresh
// gradient buffers every pass, so this saves a pass over each of them. A scalar
// step (Note [Scalar steps in backward]) always can: the first share it gives an
// interior node is stored, not added to a cleared slot.
namespace {

// Points n.grad at storage the next kernel overwrites, where Graph::ensure_grad
// would put it but uncleared.
void attach_grad_to_overwrite(Graph& g, Node& n) {
  if (n.numel() == 1) {  // inline (Note [Inline scalars]): one store, not a call
    n.grad = n.inline_grad;
    return;
  }
  n.grad = g.alloc(static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype));
}

// Readies node id's gradient for the walk as prepare_grad does, except that with
// `may_overwrite` an interior node's is left for its first consumer's kernel to
// overwrite: then true (Note [Assigning backward]). Small enough to be inlined
// into the walk, where most nodes of a scalar graph take its first branch.
bool ready_grad(Graph& g, Node& n, NodeId id, bool may_overwrite) {
  if (may_overwrite && !n.is_leaf()) {
    if (!n.grad) attach_grad_to_overwrite(g, n);
    return true;
  }
  prepare_grad(g, n, id);
  return false;
}

// The step of walk number `walk` at the output of a fused layer (Note [Fused
// layers in backward]): the interior nodes' gradients are readied for the kernel
// to overwrite (an interior gradient always is) but not marked, so the walk
// passes them by; the inputs are reached as any step's are.
template <class Ready>
void walked_layer_step(const detail::FusedLayer& f, Ready& ready, uint32_t walk) {
  const std::array<Node*, 3> interior{f.z, f.a, f.h};
  for (int k = 0; k < 3; ++k) ready(*interior[k], f.interior[k], true);
  const std::array<Node*, 4> inputs{f.X, f.W, f.b, f.V};
  unsigned assign = 0;
  for (int k = 0; k < 4; ++k) {
    Node& m = *inputs[k];
    if (!m.requires_grad() || m.walk == walk) continue;
    if (ready(m, f.inputs[k], true)) assign |= 1u << k;
    m.walk = walk;
  }
  detail::fused_layer_backward_through(f, assign);
}

// Note [Prefetching the walk]
// A graph built anew is mostly larger than the caches (the scalar MLP of
// tests/bench is 65,000 records, 4 MB, each step), and the walk reads each
// record once, from the root down in addresses, writing its flags and gradient.
// The step of a one-number node is a few dozen instructions, too short for the
// processor to have the next records on its own in time, so the walk asks for the
// record kPrefetchAhead places further down (2 KB ahead). The scalar MLP built
// anew: 12.25 -> 11.52 ns/node (best of 15 alternating runs; 16 places ahead
// gained about half as much). The address is computed as an integer, without
// asking whether a record is there: a prefetch never faults, so the last
// kPrefetchAhead steps may ask for addresses below the tape, and the walk pays
// one instruction per node for it instead of five for a test of the index and
// the address of a record (prefetch_ahead_of; 4 fewer per node and step of that
// MLP, callgrind).
constexpr NodeId kPrefetchAhead = 32;

// Asks for the record kPrefetchAhead places below n (Note [Prefetching the walk]).
inline void prefetch_ahead_of(const Node& n) {
  __builtin_prefetch(
      reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(&n) - kPrefetchAhead * sizeof(Node)), 1);
}

// Note [Walk marks]
// The walk marks each node it reaches, so that it steps only the root's
// ancestors and readies each gradient once. The mark is the walk's own number,
// stored in the node (Node::walk, in what was the record's padding), not a flag
// bit: a bit had to be cleared again at every node the walk stepped (a load, a
// mask and a store), and at every node below the root when a step threw, while a
// node holding an older walk's number is simply not marked for this one. The
// scalar MLP of tests/bench built anew: 148.1 -> 144.6 instructions per node and
// step (callgrind): the walk 54.7 -> 50.2, and building a + or * node one more,
// which stores the new node's mark and its third input as one 8-byte word.
// Graph::begin_walk numbers the walks; a new node holds kNotWalked, which no
// walk's number is (a slot reused after a rewind is constructed again). The
// count would reach kNotWalked after some four billion walks (a long training in
// a `for` loop takes one per step): then every node's mark is set back to
// kNotWalked and the count restarts (Graph::forget_walks), a pass over the tape
// once in billions of walks. A test moves the count to its end (skip_walks_to)
// to make it run.

// What walk_backward may assume of its `ready`, and so do itself.
enum class Readying {
  any,             // nothing: ready readies every gradient the pass reaches
  plain_interior,  // ready treats every interior node as ready_grad does
  plain,           // ready is ready_grad (backward())
};

// The walk from `root`, seeded with 1; ready(node, id, may_overwrite) readies
// each gradient the pass reaches, the root's first, and says whether it left the
// gradient for the consuming kernel to overwrite (only when may_overwrite). When
// ready treats interior nodes as ready_grad does, the walk readies an interior
// node marked as a scalar step itself; when ready is ready_grad, it readies every
// input of a scalar step itself (Note [Scalar steps in backward]). A node is
// marked reached with the walk's number (Note [Walk marks]).
template <Readying kReadying, class Ready>
void walk_backward(Graph& g, NodeId root_id, Ready&& ready) {
  constexpr bool kPlainInterior = kReadying != Readying::any;
  const uint32_t walk = g.begin_walk();
  Node& root = g[root_id];
  ready(root, root_id, false);
  seed_one(root);
  root.walk = walk;
  const DType t = root.dtype;
  // The record array, read once: the records never move (Note [Node storage]),
  // and through g[i] every store to a node's fields (which may alias anything)
  // would make the compiler load the array's address again.
  Node* const nodes = &g[0];
  dispatch(t, [&]<class T>() {
    // Adds v to input m's gradient (m is node j). The first to reach m readies
    // it, and an interior node's gradient then takes v instead of being
    // cleared and added to (Note [Assigning backward]); T(0) + v keeps the sum
    // bit for bit, a -0 share included.
    auto give = [&](Node& m, NodeId j, T v) {
      if (m.walk == walk) {
        *m.g<T>() += v;
        return;
      }
      // An interior one-number node: ready_grad(g, m, j, true), known to
      // overwrite, and its gradient is the inline slot (Note [Inline scalars]).
      if (kPlainInterior && (m.flags & kScalarStepOf<T>)) {
        m.grad = m.inline_grad;
        *m.inline_gradient<T>() = T(0) + v;
        m.walk = walk;
        return;
      }
      // Any other input of a step, with ready_grad: one number (Note [Scalar
      // steps in backward]), whose gradient is the inline slot when it has none
      // yet, so ready_grad would call nothing. Written out here, the step calls
      // nothing either, and keeps its shares in registers.
      if constexpr (kReadying == Readying::plain) {
        if (!m.grad) {
          std::memset(m.inline_grad, 0, sizeof(m.inline_grad));
          m.grad = m.inline_grad;
        }
        T* grad = m.g<T>();
        *grad = (m.is_leaf() ? *grad : T(0)) + v;  // a leaf accumulates, the rest is overwritten
        m.walk = walk;
        return;
      }
      if (ready(m, j, true))
        *m.g<T>() = T(0) + v;
      else
        *m.g<T>() += v;
      m.walk = walk;
    };
    // One induction variable, the record's address; the id is derived where a
    // rare step needs it. (With the id as a second one: 5 instructions more
    // per node and step of the scalar MLP built anew, callgrind.)
    for (Node* p = nodes + root_id + 1; p != nodes;) {
      Node& n = *--p;
      prefetch_ahead_of(n);
      if (n.walk != walk) continue;
      if (n.flags & kScalarStepOf<T>) {  // a step in this pass's dtype, its gradient inline
        scalar_step<T>(nodes, n, *n.inline_gradient<T>(), give);
        continue;
      }
      if (n.is_leaf()) continue;
      if (n.op == OpKind::matmul) {
        if (const auto layer = detail::match_walked_layer(g, static_cast<NodeId>(p - nodes), walk)) {
          walked_layer_step(*layer, ready, walk);
          continue;
        }
      }
      const detail::OpImpl& impl = detail::op_impl(n.op);
      const bool can_assign = impl.backward_assign && n.nin <= 32;
      unsigned assign = 0;  // inputs whose gradient the kernel overwrites
      for (int k = 0; k < n.nin; ++k) {
        const NodeId j = n.input(k);
        Node& m = g[j];
        if (!m.requires_grad() || m.walk == walk) continue;  // a repeated input: added to
        if (ready(m, j, can_assign)) assign |= 1u << k;
        m.walk = walk;
      }
      if (can_assign)
        impl.backward_assign(g, n, assign);
      else
        impl.backward(g, n);
    }
  });
}

}  // namespace

void backward(Tensor y) {
  check_scalar_root(y, "backward");
  if (!y.requires_grad())
    throw DomainError("backward: the value does not depend on any parameter or variable");
  Graph& g = *y.g;
  walk_backward<Readying::plain>(
      g, y.id, [&](Node& n, NodeId id, bool may_overwrite) { return ready_grad(g, n, id, may_overwrite); });
}

void zero_grad(Graph& g) {
  for (NodeId i = 0; i < g.size(); ++i) zero_buffer(g[i]);
}

void zero_grad(std::span<const Tensor> ts) {
  for (const Tensor& t : ts) zero_buffer(t.node());
}

namespace {

// grad() without create_graph: the walk of backward() (Note [One walk backward]),
// with each leaf's gradient saved and zeroed when the walk reaches it, so that it
// holds this pass alone; the results are copied out as constants and every leaf
// gradient is put back as it was.
std::vector<Tensor> numeric_grad(Tensor y, std::span<const Tensor> xs) {
  Graph& g = *y.g;
  struct Saved {
    NodeId id;
    std::vector<unsigned char> bytes;
  };
  std::vector<Saved> saved;
  // Which xs the pass reaches: looked for among the leaves it readies, and among
  // every node only when an x is not a leaf.
  std::vector<bool> reached(xs.size(), false);
  const bool interior_x =
      std::any_of(xs.begin(), xs.end(), [](const Tensor& x) { return !x.node().is_leaf(); });
  auto restore = [&] {
    for (const Saved& s : saved) std::memcpy(g[s.id].grad, s.bytes.data(), s.bytes.size());
  };
  try {
    auto ready = [&](Node& n, NodeId id, bool may_overwrite) {
      if (interior_x || n.is_leaf())
        for (std::size_t k = 0; k < xs.size(); ++k) reached[k] = reached[k] || xs[k].id == id;
      if (!n.is_leaf()) return ready_grad(g, n, id, may_overwrite);
      g.ensure_grad(id);
      const auto* p = static_cast<const unsigned char*>(n.grad);
      saved.push_back({id, {p, p + n.numel() * dtype_size(n.dtype)}});
      zero_buffer(n);
      return false;
    };
    // An interior x must see every interior node readied, to know whether it was reached.
    if (interior_x)
      walk_backward<Readying::any>(g, y.id, ready);
    else
      walk_backward<Readying::plain_interior>(g, y.id, ready);
  } catch (...) {
    restore();
    throw;
  }
  std::vector<Tensor> out;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const Tensor& x = xs[k];
    std::vector<double> v = reached[k] ? x.grads() : std::vector<double>(x.numel(), 0.0);
    out.push_back(g.constant(x.shape(), v, x.dtype()));
  }
  restore();
  return out;
}

// grad() with create_graph: adjoints are nodes, built by each op's vjp.
// `made` (optional) lists the nodes built, each with the forward node whose vjp
// built it; the adjoints are marked afterwards (BackwardNode).
std::vector<Tensor> graph_grad(Tensor y, std::span<const Tensor> xs, std::vector<BackwardNode>* made) {
  Graph& g = *y.g;
  auto list = ancestors(g, y.id, true);
  const NodeId lo = list.front();
  const NodeId first_new = g.size();
  std::vector<NodeId> adj(y.id + 1 - lo, kNoNode);
  adj[y.id - lo] = g.full(y.shape(), 1.0, y.dtype()).id;
  if (made) made->push_back({adj[y.id - lo], y.id, true});
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const NodeId id = *it;
    if (adj[id - lo] == kNoNode || g[id].is_leaf()) continue;
    const NodeId first = g.size();
    const Node& n = g[id];
    const int nin = n.nin;
    std::vector<Tensor> parts(static_cast<std::size_t>(nin));
    detail::op_impl(n.op).vjp(g, id, Tensor{&g, adj[id - lo]}, parts);
    for (int k = 0; k < nin; ++k) {
      const NodeId in = g[id].input(k);
      if (!parts[k].valid() || !g[in].requires_grad()) continue;
      NodeId& a = adj[in - lo];
      a = a == kNoNode ? parts[k].id : add(Tensor{&g, a}, parts[k]).id;
    }
    if (made)
      for (NodeId m = first; m < g.size(); ++m) made->push_back({m, id, false});
  }
  if (made) {
    // An adjoint node passed on unchanged (the adjoint of a + b is that of a and
    // of b) is named after the forward node nearest the root.
    std::vector<char> named(g.size() - first_new, 0);
    std::vector<NodeId> adjoint_of(g.size() - first_new, kNoNode);
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      const NodeId a = adj[*it - lo];
      if (a == kNoNode || a < first_new || named[a - first_new]) continue;
      named[a - first_new] = 1;
      adjoint_of[a - first_new] = *it;
    }
    for (BackwardNode& b : *made)
      if (adjoint_of[b.id - first_new] != kNoNode) b = {b.id, adjoint_of[b.id - first_new], true};
  }
  std::vector<Tensor> out;
  for (const Tensor& x : xs) {
    bool reached = x.id >= lo && x.id <= y.id && adj[x.id - lo] != kNoNode;
    out.push_back(reached ? Tensor{&g, adj[x.id - lo]} : g.full(x.shape(), 0.0, x.dtype()));
  }
  return out;
}

}  // namespace

std::vector<Tensor> grad(Tensor y, std::span<const Tensor> xs, bool create_graph,
                         std::vector<BackwardNode>* made) {
  check_scalar_root(y, "grad");
  for (const Tensor& x : xs)
    if (x.g != y.g) throw DomainError("grad: the tensors belong to different graphs");
  if (!y.requires_grad()) {
    std::vector<Tensor> out;
    for (const Tensor& x : xs) out.push_back(y.g->full(x.shape(), 0.0, x.dtype()));
    return out;
  }
  return create_graph ? graph_grad(y, xs, made) : numeric_grad(y, xs);
}

// Note [Assigning backward]
// A training step used to zero every gradient of the subgraph, then let each
// backward kernel add into its inputs' gradients: one extra pass over every
// gradient buffer (12-17% of a step on tests/bench's fit_curve and op chain).
// Replay knows the order of the reverse pass, so when it is built it marks, for
// each input edge, whether that consumer is the FIRST to write into the input's
// gradient. Kernels that support it (OpImpl::backward_assign) then overwrite that
// gradient (matmul with beta = 0, elementwise kernels with = instead of +=), so
// nothing needs zeroing: what PyTorch gets from fresh gradient buffers, without
// allocating. A kernel without it has those buffers zeroed just before it runs
// (while they are about to be in cache anyway), and the few gradients no kernel
// writes (an input reached only through a node without gradient) are zeroed at
// the start. The results are the same as zeroing first. backward() and grad()
// decide the first writer as their walk goes (Note [One walk backward]): the
// consumer that first reaches an interior node overwrites its gradient when its
// kernel can, and any other first reach zeroes it.

namespace detail {

// What Replay precomputes: each node's kernels (Note [Kernels picked once]) and,
// per backward step, which inputs it assigns and which it needs zeroed first. A
// fused layer (Note [Fused layers]) is one step at its output node's place; its
// interior nodes get no step.
struct ReplayPlan {
  struct Fwd {
    Node* node;
    void (*run)(Graph&, Node&);  // when `layer` is negative
    int32_t layer;               // index into `layers`, or -1
  };
  struct Bwd {
    Node* node;
    void (*run)(Graph&, Node&);  // when `run_assign` is null
    void (*run_assign)(Graph&, Node&, unsigned);
    unsigned assign;    // bits for run_assign or the fused layer
    uint32_t zero_end;  // zero_before[..zero_end) is zeroed before this step runs
    int32_t layer;      // index into `layers`, or -1
  };
  std::vector<FusedLayer> layers;
  std::vector<Fwd> fwd;              // tape order
  std::vector<Fwd> fwd_once;         // constant nodes (ReplayOptions::fold_constants), tape order
  bool folded = false;               // fwd_once has run
  std::vector<Bwd> bwd;              // reverse tape order
  std::vector<Node*> zero_before;    // first writes by kernels that only add
  std::vector<Node*> zero_always;    // gradients no kernel writes
  std::vector<NodeId> grad_buffers;  // the gradients this plan uses (not fused interiors)
  Node* root = nullptr;
  bool allocated = false;  // every gradient buffer exists
};

namespace {

constexpr int32_t kPlainNode = -1, kInsideLayer = -2;

// The fused layers of the subgraph `all` (tape order, root last). role[id - lo]
// becomes kInsideLayer for their interior nodes and the layer's index for their
// output nodes.
void find_layers(Graph& g, std::span<const NodeId> all, ReplayPlan& p, std::vector<int32_t>& role) {
  const NodeId lo = all.front();
  std::vector<int> uses(all.back() + 1 - lo, 0);
  for (NodeId id : all)
    for (int k = 0; k < g[id].nin; ++k) ++uses[g[id].input(k) - lo];
  for (NodeId id : all) {
    const auto f = match_fused_layer(g, id, uses, lo);
    if (!f) continue;
    bool free = true;  // no node in two layers
    for (NodeId n : f->interior) free &= role[n - lo] == kPlainNode;
    if (!free) continue;
    for (NodeId n : f->interior) role[n - lo] = kInsideLayer;
    role[id - lo] = static_cast<int32_t>(p.layers.size());
    p.layers.push_back(*f);
  }
}

// Indexed by NodeId - all.front(): 1 for a node of `all` (tape order) that depends
// on no param, no variable and none of `inputs` (a constant leaf, or an op over
// such nodes only).
std::vector<char> constant_nodes(const Graph& g, std::span<const NodeId> all,
                                 std::span<const Tensor> inputs) {
  const NodeId lo = all.front();
  std::vector<char> fixed(all.back() + 1 - lo, 1);
  for (const Tensor& t : inputs)
    if (t.id >= lo && t.id - lo < fixed.size()) fixed[t.id - lo] = 0;
  for (NodeId id : all) {
    const Node& n = g[id];
    char& c = fixed[id - lo];
    if (n.is_param() || n.requires_grad()) c = 0;  // a requires_grad op has such a leaf below
    for (int k = 0; k < n.nin; ++k) c &= fixed[n.input(k) - lo];
  }
  return fixed;
}

}  // namespace

}  // namespace detail

namespace {

void zero_grad_fast(Node& n) {
  // An inline gradient (Note [Inline scalars]) is zeroed with one store, not a call.
  if (n.grad == n.inline_grad)
    std::memset(n.inline_grad, 0, sizeof n.inline_grad);
  else
    zero_buffer(n);
}

}  // namespace

Replay::Replay(Tensor root, ReplayOptions options) : g_(root.g), root_(root.id) {
  check_scalar_root(root, "training");
  Graph& g = *g_;
  const std::vector<NodeId> all = ancestors(g, root_, false);
  for (NodeId id : all) {
    const Node& n = g[id];
    if (!n.is_leaf()) nodes_.push_back(id);
    if (n.requires_grad()) grad_nodes_.push_back(id);
    if (n.is_param()) params_.push_back({g_, id});
  }
  scalar_ = detail::ScalarProgram::compile(g, all);
  if (scalar_) return;
  plan_ = std::make_unique<detail::ReplayPlan>();
  detail::ReplayPlan& p = *plan_;
  const NodeId lo = all.front();
  std::vector<int32_t> role(root_ + 1 - lo, detail::kPlainNode);
  if (options.fuse_layers) detail::find_layers(g, all, p, role);
  const std::vector<char> fixed = options.fold_constants ? detail::constant_nodes(g, all, options.inputs)
                                                         : std::vector<char>(role.size(), 0);
  for (NodeId id : nodes_) {
    const int32_t r = role[id - lo];
    if (r == detail::kInsideLayer) continue;
    (fixed[id - lo] ? p.fwd_once : p.fwd)
        .push_back(
            {&g[id], r >= 0 ? nullptr : detail::pick_kernels(detail::op_impl(g[id].op), g[id]).forward, r});
  }
  p.root = &g[root_];
  if (grad_nodes_.empty() || grad_nodes_.back() != root_) return;
  for (NodeId id : grad_nodes_)
    if (role[id - lo] != detail::kInsideLayer) p.grad_buffers.push_back(id);
  // Mark first writers in reverse order (Note [Assigning backward]).
  std::vector<char> written(root_ + 1 - lo, 0);
  written[root_ - lo] = 1;  // seeded
  for (auto it = grad_nodes_.rbegin(); it != grad_nodes_.rend(); ++it) {
    Node& n = g[*it];
    if (n.is_leaf() || role[*it - lo] == detail::kInsideLayer) continue;
    auto mark = [&](NodeId in, int k, detail::ReplayPlan::Bwd& step) {
      if (!g[in].requires_grad() || written[in - lo]) return;
      written[in - lo] = 1;
      if (step.run_assign || step.layer >= 0)
        step.assign |= 1u << k;
      else
        p.zero_before.push_back(&g[in]);
    };
    detail::ReplayPlan::Bwd step{&n, nullptr, nullptr, 0, 0, -1};
    if (role[*it - lo] >= 0) {
      step.layer = role[*it - lo];
      const auto& inputs = p.layers[static_cast<std::size_t>(step.layer)].inputs;
      for (int k = 0; k < 4; ++k) mark(inputs[k], k, step);
    } else {
      const detail::NodeKernels k =
          detail::pick_kernels(detail::op_impl(n.op), n);  // Note [Kernels picked once]
      step.run = k.backward;
      step.run_assign = n.nin <= 32 ? k.backward_assign : nullptr;
      for (int k = 0; k < n.nin; ++k) mark(n.input(k), k, step);
    }
    step.zero_end = static_cast<uint32_t>(p.zero_before.size());
    p.bwd.push_back(step);
  }
  for (NodeId id : p.grad_buffers)
    if (!written[id - lo]) p.zero_always.push_back(&g[id]);
}

Replay::~Replay() = default;
Replay::Replay(Replay&&) noexcept = default;
Replay& Replay::operator=(Replay&&) noexcept = default;

std::size_t Replay::fused_layers() const { return plan_ ? plan_->layers.size() : 0; }

void Replay::forward() {
  if (scalar_) return scalar_->forward();
  Graph& g = *g_;
  detail::ReplayPlan& p = *plan_;
  auto run = [&](const detail::ReplayPlan::Fwd& s) {
    if (s.layer >= 0)
      detail::fused_layer_forward(p.layers[static_cast<std::size_t>(s.layer)]);
    else
      s.run(g, *s.node);
  };
  if (!p.folded) {
    for (const auto& s : p.fwd_once) run(s);
    p.folded = true;
  }
  for (const auto& s : p.fwd) run(s);
}

void Replay::backward() {
  Graph& g = *g_;
  if (grad_nodes_.empty() || grad_nodes_.back() != root_) return;  // nothing to train
  if (scalar_) return scalar_->backward();
  detail::ReplayPlan& p = *plan_;
  if (!p.allocated) {  // first pass: allocates the buffers (zeroed)
    for (NodeId id : p.grad_buffers) g.ensure_grad(id);
    p.allocated = true;
  }
  for (Node* n : p.zero_always) zero_grad_fast(*n);
  Node& root = *p.root;
  dispatch(root.dtype, [&]<class T>() { root.g<T>()[0] = T(1); });
  uint32_t z = 0;
  for (const auto& s : p.bwd) {
    for (; z < s.zero_end; ++z) zero_grad_fast(*p.zero_before[z]);
    if (s.layer >= 0)
      detail::fused_layer_backward(p.layers[static_cast<std::size_t>(s.layer)], s.assign);
    else if (s.run_assign)
      s.run_assign(g, *s.node, s.assign);
    else
      s.run(g, *s.node);
  }
}

}  // namespace hinge

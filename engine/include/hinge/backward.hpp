// Reverse mode: backward from a scalar, grad() without touching .grad,
// higher-order gradients, zero_grad, and Replay for training loops.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "hinge/tensor.hpp"

namespace hinge {

namespace detail {
class ScalarProgram;
struct ReplayPlan;
}  // namespace detail

// Note [Gradient accumulation]
// backward(y) seeds dy/dy = 1 and adds dy/dnode into every node y depends on.
// Leaves (parameters and variables) ACCUMULATE across calls, as in PyTorch: call
// zero_grad between steps. Interior nodes hold the adjoints of the latest call only
// (they are reset at its start), so a trace shows one pass. A node used several
// times receives the sum of its consumers' contributions.

// Backpropagates from a one-element tensor; throws DomainError for any other shape.
void backward(Tensor y);

// Zeroes the gradient of every node of the graph / of the given tensors.
void zero_grad(Graph& g);
void zero_grad(std::span<const Tensor> ts);

// A node a graph-building grad() made, and the forward node it belongs to: with
// `adjoint` it holds dy/d(forward) (the sum of what forward's consumers send back);
// otherwise it is a step inside forward's vector-Jacobian product. Tools that
// explain a graph (lang's trace) say so beside the node.
struct BackwardNode {
  NodeId id;
  NodeId forward;
  bool adjoint;
};

// dy/dx for each x, leaving every .grad untouched. With create_graph the results
// are nodes of the graph themselves (built from differentiable ops), so they can be
// differentiated again: grad of grad, Hessian-vector products; `made`, when given,
// receives every node the pass built (in creation order). Without create_graph the
// results are constant leaves holding the numbers. An x that y does not depend on
// gets zeros.
std::vector<Tensor> grad(Tensor y, std::span<const Tensor> xs, bool create_graph = false,
                         std::vector<BackwardNode>* made = nullptr);
inline std::vector<Tensor> grad(Tensor y, std::initializer_list<Tensor> xs, bool create_graph = false) {
  return grad(y, std::span<const Tensor>(xs.begin(), xs.size()), create_graph);
}

// The nodes `root` depends on, in tape order (Note [Tape order]); with
// only_grad, just those that require grad (what backward visits).
std::vector<NodeId> ancestors(const Graph& g, NodeId root, bool only_grad = false);

struct ReplayOptions {
  // Run each hidden layer y = act(X @ W + b) @ V with a narrow X and one output
  // column as one kernel (Note [Fused layers] in engine/src/fused_layer.hpp): 2-5x
  // faster on such models, but the layer's interior nodes (X @ W, + b, act) then
  // keep stale values and gradients. For loops that read only the root and the
  // parameters: training.
  bool fuse_layers = false;
  // Compute the nodes that depend on no param and no variable (data prepared by
  // ops: col(xs), sin(xs), ...) at the first forward() only, as their inputs do
  // not change from step to step. A loop that does change data leaves (a batch
  // drawn each step) lists them in `inputs`: what depends on them is recomputed.
  bool fold_constants = false;
  std::vector<Tensor> inputs;
};

// Replay: re-runs forward and backward over the graph a model built, with new
// values in its leaves, without rebuilding it and without allocating (after the
// first backward). This is what a training loop runs each step.
//   Replay r(loss, {.fuse_layers = true});
//   for (...) { r.forward(); r.backward(); opt.step(); }
// A graph made only of one-number nodes replays through a compiled scalar
// program (Note [Scalar programs] in engine/src/scalar_program.hpp): the nodes'
// values live in the Replay's arrays while it exists. Replays over shared nodes
// must be destroyed in reverse order of creation, and a graph must not be
// compacted or rewound while a Replay over it is alive.
class Replay {
 public:
  explicit Replay(Tensor root, ReplayOptions options = {});
  ~Replay();
  Replay(Replay&&) noexcept;
  Replay& operator=(Replay&&) noexcept;
  // Recomputes every non-leaf node from the current leaf values (but the interior
  // of fused layers).
  void forward();
  // Zeroes the parameters' gradients, then backpropagates from the root
  // (one step's gradient, not an accumulation).
  void backward();
  Tensor root() const { return {g_, root_}; }
  // The trainable leaves the root depends on, in tape order.
  const std::vector<Tensor>& params() const { return params_; }
  std::span<const NodeId> nodes() const { return nodes_; }
  // How many layers run fused (0 unless ReplayOptions::fuse_layers).
  std::size_t fused_layers() const;

 private:
  Graph* g_;
  NodeId root_;
  std::vector<NodeId> nodes_;       // non-leaf ancestors, tape order
  std::vector<NodeId> grad_nodes_;  // ancestors that require grad, tape order
  std::vector<Tensor> params_;
  std::unique_ptr<detail::ScalarProgram> scalar_;  // set when every node is a scalar
  std::unique_ptr<detail::ReplayPlan> plan_;       // kernels and gradient writes, precomputed
};

}  // namespace hinge

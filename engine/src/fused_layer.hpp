// Fused layers: one kernel, forward and backward, for y = act(X @ W + b) @ V with
// a narrow input (few columns in X) and one output column, the shape of the
// 1 -> N -> 1 and 2 -> N -> 1 networks people explore with. Replay runs them when
// asked to (ReplayOptions::fuse_layers).
#pragma once
#include <array>
#include <optional>
#include <vector>

#include "hinge/graph.hpp"

namespace hinge::detail {

// Note [Fused layers]
// Node by node, a hidden layer of N units over M points makes three [M, N] arrays
// (X @ W, + b, act) and its backward three more (the adjoint of each), each written
// once and read once or twice. With one input column every pass is a handful of
// flops per element, so the step is memory-bound: on tests/bench's fit_curve
// N = 1000 the node-by-node replay streamed about fifteen passes over 800 KB
// arrays. A fused layer writes act's output H once and reads it back, in the
// forward for the output column (while each row is still in L1), in the backward
// once, column block by column block, keeping dV, db and dW in registers: the
// adjoint of H is never stored, since dH[i, j] = dy[i] V[j]. It needs the slope of
// act from act's OUTPUT (relu, leaky relu with alpha > 0, sigmoid, tanh).
//
// What the fusion gives up: the three interior nodes (X @ W, + b, act) are not
// written by a fused replay, neither their values nor their gradients, so they
// keep stale numbers. Replay only fuses when its owner says it reads nothing but
// the root and the leaves (a training loop), and only where nothing else in the
// replayed subgraph reads the interior nodes. Arithmetic is the same except for
// rounding (sums in another order, a multiply-add contracted).

inline constexpr int kFusedMaxInputs = 4;  // columns of X a fused layer takes

struct FusedLayer {
  Node *X, *W, *z;  // z = X @ W: X [M, K], W [K, N]
  Node *b, *a;      // a = z + b: b [N] or [1, N]
  Node* h;          // h = act(a)
  Node *V, *y;      // y = h @ V: V [N, 1] or [N]
  int K;
  // The inputs whose gradients the fused backward writes, in the order of its
  // `assign` bits (Note [Assigning backward]): X, W, b, V.
  std::array<NodeId, 4> inputs;
  std::array<NodeId, 3> interior;  // z, a, h
};

// The fused layer whose output is node y, when its interior nodes have no other
// consumer than the next one (`uses` counts consumers inside the replayed
// subgraph, indexed by NodeId - lo) and the shapes fit.
std::optional<FusedLayer> match_fused_layer(Graph& g, NodeId y, const std::vector<int>& uses, NodeId lo);

// Computes h and y (not z and a) from the current values of X, W, b and V.
void fused_layer_forward(const FusedLayer& f);

// From y's gradient, writes the gradients of X, W, b and V (those that require
// grad): bit k of `assign` set means overwrite input k's gradient, else add to it.
void fused_layer_backward(const FusedLayer& f, unsigned assign);

}  // namespace hinge::detail

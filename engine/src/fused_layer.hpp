// Fused layers: one kernel, forward and backward, for y = act(X @ W + b) @ V with
// a narrow input (few columns in X) and one output column, the shape of the
// 1 -> N -> 1 and 2 -> N -> 1 networks people explore with. Replay runs them when
// asked to (ReplayOptions::fuse_layers); backward() and grad() run the backward of
// a one-column layer over a graph built anew (Note [Fused layers in backward]).
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

// Note [Fused layers in backward]
// backward() and grad() walk a graph built anew (a `for` loop, a REPL line, a C++
// training loop that rebuilds its model: Note [One walk backward]), whose nodes
// all hold their values, so only the backward pass can be fused. Node by node, the
// backward of a 1 -> N -> 1 layer over M points writes the adjoints of act, of
// + b and of X @ W ([M, N] each) and reads [M, N] arrays five times (matmul's dH,
// relu's mask and dH, add's copy and row sums, X^T dZ, H^T dy): on tests/bench's
// fit_curve N = 100 rebuilt each step, those passes were most of the step. When
// the walk reaches such a layer's output it runs one kernel instead, which reads
// H once and writes the three interior adjoints once, since backward() keeps
// every node's gradient (Note [Gradient accumulation]): nothing a user reads
// goes stale. It computes each number as the node-by-node kernels do, with the
// same products and each sum in the same order (matmul's thin loops, relu's
// mask, add's row sums), so the results are the same bit for bit. That holds
// only where those kernels are what node by node would run, so the walk fuses
// just that case: one input column (no GEMM call for X^T dZ), X without a
// gradient, relu or leaky relu (a slope of 1 or alpha, not a formula to
// match), M N at least matmul's small-product split, and the four nodes built
// one after another with no consumer of the interior yet reached by the walk:
// nothing else can read them, and the contributions to W, b and V land where
// node by node they would, between the same two steps of the walk.

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

// The fused layer whose output is node y, for backward()'s walk number `walk`
// (Note [Fused layers in backward]): y, h, a and z are the four nodes before y's
// and the walk has reached none of the interior ones yet.
std::optional<FusedLayer> match_walked_layer(Graph& g, NodeId y, uint32_t walk);

// Computes h and y (not z and a) from the current values of X, W, b and V.
void fused_layer_forward(const FusedLayer& f);

// From y's gradient, writes the gradients of X, W, b and V (those that require
// grad): bit k of `assign` set means overwrite input k's gradient, else add to it.
void fused_layer_backward(const FusedLayer& f, unsigned assign);

// For a layer of match_walked_layer: the same gradients as fused_layer_backward
// (X gets none), bit for bit those of the node-by-node kernels, and the adjoints
// of h, a and z written too (overwritten: the walk leaves an interior gradient to
// its first consumer).
void fused_layer_backward_through(const FusedLayer& f, unsigned assign);

}  // namespace hinge::detail

// Reading gradients without changing them: every node's adjoint, and one op's
// local vector-Jacobian product in isolation. What explanatory traces are built on.
//   auto ids = ancestors(g, y.id);
//   auto adj = adjoints(y, ids);                  // adj[k] = dy/d(ids[k]), or empty
//   auto loc = local_vjp(h, std::vector{1.0});    // loc[k] = dh/d(input k) for scalars
#pragma once
#include <span>
#include <vector>

#include "hinge/tensor.hpp"

namespace hinge {

// Note [Reading gradients without changing them]
// A trace must not disturb the session it explains: backward() accumulates into
// leaves and grad() resets interior adjoints and adds result nodes. Both functions
// below run the same numeric kernels as backward() (so their numbers are hinge's
// numbers, digit for digit) and then put back every gradient buffer, every flag
// and the "has no gradient yet" state of each node they touched. They add no nodes.
// (Buffers they had to allocate stay in the arena until the next compaction.)

// dy/dnode for each of `nodes`, computed by one backward pass from y (a
// one-element tensor; DomainError otherwise). An entry is empty when that node
// receives no gradient (it does not require grad, or y does not depend on it);
// otherwise it holds numel values, row-major.
std::vector<std::vector<double>> adjoints(Tensor y, std::span<const NodeId> nodes);

// What the backward step of `node` alone adds to each input's gradient when the
// node's adjoint is `adj` (numel values): one vector per input slot, in the input's
// shape. Inputs that do not require grad are included (the derivative exists even
// when nothing flows there). With adj = {1} on a one-element node whose inputs have
// one element each, these are the local partial derivatives d node / d input.
// Leaves have no inputs (empty result); ops without a gradient (comparisons, sign,
// detach) give zeros. An input used in two slots (x * x) gets the sum of both
// slots in each of them.
std::vector<std::vector<double>> local_vjp(Tensor node, std::span<const double> adj);

}  // namespace hinge

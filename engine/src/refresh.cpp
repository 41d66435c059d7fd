// Live values: touch() records a write into a leaf, refresh() recomputes what a
// reader needs (Note [Live values] in graph.hpp).
#include <algorithm>
#include <vector>

#include "hinge/graph.hpp"
#include "op_table.hpp"

namespace hinge {

void Graph::touch(NodeId id) {
  ++clock_;
  last_write_ = clock_;
  versions_[id].stamp = clock_;
}

void Graph::refresh(std::span<const NodeId> roots) {
  Graph& g = *this;
  // The stale nodes under the roots: a walk with an explicit stack (a chain of a
  // million nodes is no recursion) that stops at current nodes.
  std::vector<NodeId> stack, stale;
  auto visit = [&](NodeId id) {
    if (is_current(id) || (g[id].flags & kNeeded)) return;
    g[id].flags |= kNeeded;
    stack.push_back(id);
  };
  for (NodeId r : roots) visit(r);
  if (stack.empty()) return;
  while (!stack.empty()) {
    const NodeId id = stack.back();
    stack.pop_back();
    stale.push_back(id);
    const Node& n = g[id];
    for (int k = 0; k < n.nin; ++k) visit(n.input(k));
  }
  std::sort(stale.begin(), stale.end());  // tape order: inputs before their consumers
  for (NodeId id : stale) g[id].flags &= ~kNeeded;
  // Recomputed values get a stamp newer than any node built so far, so every
  // consumer of theirs (stale or built from them while stale) follows.
  const uint64_t now = ++clock_;
  for (NodeId id : stale) {
    Node& n = g[id];
    Version& v = versions_[id];
    bool changed = false;
    for (int k = 0; k < n.nin; ++k) changed |= versions_[n.input(k)].stamp > v.stamp;
    if (changed) {
      detail::op_impl(n.op).forward(g, n);
      v.stamp = now;
    }
    v.checked = now;
  }
}

}  // namespace hinge

// Live values: touch() records a write into a leaf, refresh() recomputes what a
// reader needs (Note [Live values] in graph.hpp).
#include <algorithm>
#include <vector>

#include "hinge/graph.hpp"
#include "op_table.hpp"

namespace hinge {

void Graph::touch(NodeId id) {
  last_write_ = tick();
  versions_[id].stamp = last_write_;
  ++writes_;
}

void Graph::skip_clock_to(uint32_t reading) { clock_ = std::clamp(reading, clock_, kLastReading); }

// Note [Live values] says why and when. The order of the stamps, the order of
// each stamp against the clock (none is newer) and whether each node is current
// are all that the readings are compared for, and all three are kept.
void Graph::renumber_readings() {
  std::vector<uint32_t> stamps(size_);
  for (NodeId i = 0; i < size_; ++i) stamps[i] = versions_[i].stamp;
  std::sort(stamps.begin(), stamps.end());
  stamps.erase(std::unique(stamps.begin(), stamps.end()), stamps.end());
  // Ranks from 1; the clock is the next number, and a current node is checked at it.
  const auto now = static_cast<uint32_t>(stamps.size() + 1);
  for (NodeId i = 0; i < size_; ++i) {
    Version& v = versions_[i];
    v.stamp =
        static_cast<uint32_t>(std::lower_bound(stamps.begin(), stamps.end(), v.stamp) - stamps.begin() + 1);
    if (v.checked != kAlwaysCurrent) v.checked = v.checked >= last_write_ ? now : 0;
  }
  clock_ = now;
  last_write_ = now;
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
  const uint32_t now = tick();
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

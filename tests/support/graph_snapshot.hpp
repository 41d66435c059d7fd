// Everything a read-only look at a graph must leave as it was: every node's value
// and gradient, its flags and whether it has a gradient. Tests of inspection and of
// `trace` take one before and one after and compare them.
#pragma once
#include <cstdint>
#include <vector>

#include "hinge/graph.hpp"
#include "hinge/tensor.hpp"

namespace hinge::test {

struct GraphSnapshot {
  NodeId size = 0;
  std::vector<std::vector<double>> values, grads;
  std::vector<uint8_t> flags;
  std::vector<bool> has_grad;
  bool operator==(const GraphSnapshot&) const = default;
};

inline GraphSnapshot snapshot(Graph& g) {
  GraphSnapshot s;
  s.size = g.size();
  for (NodeId i = 0; i < g.size(); ++i) {
    Tensor t{&g, i};
    s.values.push_back(t.values());
    s.grads.push_back(g[i].has_grad() ? t.grads() : std::vector<double>{});
    s.flags.push_back(g[i].flags);
    s.has_grad.push_back(g[i].has_grad());
  }
  return s;
}

}  // namespace hinge::test

// adjoints() and local_vjp(): the backward kernels run on saved state and every
// gradient buffer put back afterwards (Note [Reading gradients without changing them]).
#include "hinge/inspect.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "hinge/backward.hpp"
#include "hinge/errors.hpp"
#include "op_table.hpp"

namespace hinge {

namespace {

// A node's gradient state as it was before we touched it.
struct SavedGrad {
  NodeId id;
  void* grad;                        // the buffer pointer (nullptr: "no gradient yet")
  std::vector<unsigned char> bytes;  // its contents
  uint8_t flags;
};

std::size_t grad_bytes(const Node& n) { return static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype); }

SavedGrad save_grad(Graph& g, NodeId id) {
  const Node& n = g[id];
  SavedGrad s{id, n.grad, {}, n.flags};
  if (n.grad) {
    const auto* p = static_cast<const unsigned char*>(n.grad);
    s.bytes.assign(p, p + grad_bytes(n));
  }
  return s;
}

// Restores in reverse order of saving, so a node saved twice ends as first saved.
void restore_grads(Graph& g, const std::vector<SavedGrad>& saved) {
  for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
    Node& n = g[it->id];
    if (it->grad) std::memcpy(it->grad, it->bytes.data(), it->bytes.size());
    n.grad = it->grad;
    n.flags = it->flags;
  }
}

// A zeroed gradient buffer for the pass (allocated when the node had none).
void fresh_grad(Graph& g, NodeId id) {
  g.ensure_grad(id);
  std::memset(g[id].grad, 0, grad_bytes(g[id]));
}

std::vector<double> read_grad(const Node& n) {
  std::vector<double> out(static_cast<std::size_t>(n.numel()));
  dispatch(n.dtype, [&]<class T>() {
    for (int64_t k = 0, count = n.numel(); k < count; ++k) out[k] = static_cast<double>(n.g<T>()[k]);
  });
  return out;
}

// Runs the node's numeric backward kernel, if the op has one.
void run_kernel(Graph& g, Node& n) {
  if (const auto bwd = detail::op_impl(n.op).backward) bwd(g, n);
}

}  // namespace

std::vector<std::vector<double>> adjoints(Tensor y, std::span<const NodeId> nodes) {
  if (y.numel() != 1)
    throw DomainError(fmt::format("adjoints need a one-element value, not shape {}", to_string(y.shape())));
  std::vector<std::vector<double>> out(nodes.size());
  if (!y.requires_grad()) return out;
  Graph& g = *y.g;
  const std::vector<NodeId> list = ancestors(g, y.id, true);
  std::vector<SavedGrad> saved;
  saved.reserve(list.size());
  for (NodeId id : list) {
    saved.push_back(save_grad(g, id));
    fresh_grad(g, id);
  }
  dispatch(g[y.id].dtype, [&]<class T>() { g[y.id].g<T>()[0] = T(1); });
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    Node& n = g[*it];
    if (!n.is_leaf()) run_kernel(g, n);
  }
  for (std::size_t k = 0; k < nodes.size(); ++k)
    if (std::binary_search(list.begin(), list.end(), nodes[k])) out[k] = read_grad(g[nodes[k]]);
  restore_grads(g, saved);
  return out;
}

std::vector<std::vector<double>> local_vjp(Tensor node, std::span<const double> adj) {
  Graph& g = *node.g;
  Node& n = node.node();
  if (n.is_leaf()) return {};
  if (static_cast<int64_t>(adj.size()) != n.numel())
    throw DomainError(
        fmt::format("local_vjp: {} adjoint values for a node of {} elements", adj.size(), n.numel()));
  std::vector<SavedGrad> saved;
  saved.push_back(save_grad(g, node.id));
  fresh_grad(g, node.id);
  dispatch(n.dtype, [&]<class T>() {
    for (int64_t k = 0, count = n.numel(); k < count; ++k) n.g<T>()[k] = static_cast<T>(adj[k]);
  });
  for (int k = 0; k < n.nin; ++k) {
    const NodeId in = n.input(k);
    saved.push_back(save_grad(g, in));
    g[in].flags |= kRequiresGrad;  // so the kernel computes this input's part too
    fresh_grad(g, in);             // zeroing twice for x * x is harmless
  }
  run_kernel(g, n);
  std::vector<std::vector<double>> out;
  for (int k = 0; k < n.nin; ++k) out.push_back(read_grad(g[n.input(k)]));
  restore_grads(g, saved);
  return out;
}

}  // namespace hinge

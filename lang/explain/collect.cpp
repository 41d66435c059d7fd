// Collecting an explained trace: the rows of the subgraph behind Y, their adjoints,
// local partials, elementwise slopes and per-consumer contributions, all read with
// hinge/inspect.hpp so nothing in the session changes (Note [Explained traces]).
#include <algorithm>
#include <cmath>

#include "explain/explain.hpp"
#include "hinge/backward.hpp"
#include "hinge/inspect.hpp"

namespace hinge::lang {

namespace {

// Elementwise activations: their local slope is a per-element number worth
// averaging (the per-layer summary) and testing (saturation, closed units).
bool is_activation(OpKind op) {
  switch (op) {
    case OpKind::relu:
    case OpKind::leaky_relu:
    case OpKind::elu:
    case OpKind::gelu:
    case OpKind::softplus:
    case OpKind::sigmoid:
    case OpKind::tanh:
    case OpKind::step: return true;
    default: return false;
  }
}

Role role_of(const Node& n) {
  if (!n.is_leaf()) return Role::op;
  return n.is_param() ? Role::param : Role::data;
}

std::string op_text(const Node& n) {
  if (!n.is_leaf()) return std::string(op_name(n.op));
  return n.is_param() ? "param" : n.requires_grad() ? "var" : "const";
}

}  // namespace

Stats stats_of(const std::vector<double>& v) {
  Stats s;
  s.count = static_cast<int64_t>(v.size());
  double lo = INFINITY, hi = -INFINITY, total = 0, sq = 0;
  int64_t finite = 0;
  for (double x : v) {
    if (std::isnan(x)) {
      ++s.nans;
      continue;
    }
    if (std::isinf(x)) {
      ++s.infs;
      continue;
    }
    ++finite;
    s.zeros += x == 0;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    total += x;
    sq += x * x;
  }
  if (finite) {
    s.min = lo;
    s.max = hi;
    s.mean = total / static_cast<double>(finite);
  }
  s.norm = std::sqrt(sq);
  return s;
}

const char* to_string(NoteKind k) {
  switch (k) {  // ORDER NOTEKIND
    case NoteKind::blocked: return "blocked";
    case NoteKind::convention: return "convention";
    case NoteKind::saturated: return "saturated";
    case NoteKind::closed: return "closed";
    case NoteKind::vanishing: return "vanishing";
    case NoteKind::exploding: return "exploding";
    case NoteKind::nonfinite: return "nonfinite";
    case NoteKind::no_grad: return "no_grad";
    case NoteKind::cancelled: return "cancelled";
  }
  return "";
}

Explanation explain(Tensor y, const ExplainOptions& opt) {
  Graph& g = *y.g;
  Explanation ex;
  ex.root = y;
  const std::vector<NodeId> ids = ancestors(g, y.id, false);
  auto row_of = [&](NodeId id) {
    return static_cast<int>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };

  ex.rows.resize(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const Node& n = g[ids[i]];
    Row& r = ex.rows[i];
    r.id = ids[i];
    r.role = ids[i] == y.id ? Role::root : role_of(n);
    r.op = op_text(n);
    r.shape = n.shape();
    r.dtype = n.dtype;
    r.value = Tensor{&g, ids[i]}.values();
    if (opt.source) r.source = opt.source(ids[i]);
    for (int k = 0; k < n.nin; ++k) {
      const int in = row_of(n.input(k));
      r.inputs.push_back(in);
      auto& cons = ex.rows[in].consumers;
      if (cons.empty() || cons.back() != static_cast<int>(i)) cons.push_back(static_cast<int>(i));
    }
  }
  // Fewest edges to the root: the root is last, inputs come before consumers.
  for (Row& r : ex.rows) r.depth = INT32_MAX;
  ex.rows.back().depth = 0;
  for (std::size_t i = ids.size(); i-- > 0;)
    for (int in : ex.rows[i].inputs)
      if (ex.rows[i].depth != INT32_MAX)
        ex.rows[in].depth = std::min(ex.rows[in].depth, ex.rows[i].depth + 1);

  // Adjoints: only a one-element root has a gradient.
  if (y.numel() == 1) {
    auto adj = adjoints(y, ids);
    for (std::size_t i = 0; i < ids.size(); ++i) ex.rows[i].grad = std::move(adj[i]);
  }

  const std::vector<double> one{1.0};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Row& r = ex.rows[i];
    const Tensor t{&g, ids[i]};
    if (t.node().is_leaf()) continue;
    r.partials.assign(r.inputs.size(), kNaN);
    if (t.numel() == 1) {
      const auto loc = local_vjp(t, one);
      for (std::size_t k = 0; k < r.inputs.size(); ++k)
        if (loc[k].size() == 1) r.partials[k] = loc[k][0];
    }
    if (is_activation(t.node().op)) r.slope = local_vjp(t, std::vector<double>(t.numel(), 1.0))[0];
    if (r.grad.empty()) continue;
    // What this node sends to each input: the op's vector-Jacobian product alone.
    const auto vjp = local_vjp(t, r.grad);
    for (std::size_t k = 0; k < r.inputs.size(); ++k) {
      Row& in = ex.rows[r.inputs[k]];
      if (in.grad.empty()) continue;  // a constant: nothing flows there
      if (!in.contributions.empty() && in.contributions.back().consumer == static_cast<int>(i))
        continue;  // x * x
      Contribution c;
      c.consumer = static_cast<int>(i);
      c.scalar_edge = r.value.size() == 1 && in.value.size() == 1;
      c.local = r.partials[k];
      c.consumer_grad = r.grad.size() == 1 ? r.grad[0] : kNaN;
      c.value = vjp[k];
      in.contributions.push_back(std::move(c));
    }
  }

  for (const auto& [name, p] : opt.session_params)
    if (p.g == y.g && !std::binary_search(ids.begin(), ids.end(), p.id)) ex.unused_params.push_back(name);

  add_notes(ex, opt);
  add_layers(ex, opt.saturation, opt.vanishing);
  if (opt.check) add_check(ex);
  return ex;
}

}  // namespace hinge::lang

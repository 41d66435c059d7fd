// The trace statement: the graph behind a value, one row per node (op, shape,
// value, gradient, where in the source it came from), or DOT / JSON to a file.
// Interim version: the explanatory trace (notes on blocked gradients) replaces it.
#include <cmath>

#include <fmt/format.h>

#include "format_value.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/backward.hpp"
#include "interpreter.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

// A short summary of a node's values: the number itself, or mean/min/max.
std::string summary(const std::vector<double>& v) {
  if (v.size() == 1) return format_number(v[0]);
  if (v.empty()) return "empty";
  double lo = v[0], hi = v[0], s = 0;
  for (double x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    s += x;
  }
  return fmt::format("mean {:.4g} min {:.4g} max {:.4g}", s / static_cast<double>(v.size()), lo, hi);
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out;
}

}  // namespace

void Interpreter::exec_trace(const Trace& t, Ctx& ctx) {
  Value v = eval(t.target, ctx);
  if (!v.is_tensor()) throw Error(t.target.span, fmt::format("trace shows the graph of a tensor, got {}", a_kind(v)));
  const Tensor y = v.tensor();
  std::vector<NodeId> nodes = ancestors(graph_, y.id);
  // Gradients of the target with respect to every node that carries one.
  std::vector<Tensor> wrt;
  for (NodeId id : nodes)
    if (graph_[id].requires_grad()) wrt.push_back({&graph_, id});
  std::vector<Tensor> grads;
  if (y.numel() == 1 && y.requires_grad() && !wrt.empty())
    grads = at_span(t.target.span, [&] { return grad(y, wrt, false); });

  struct Row {
    NodeId id;
    std::string op, shape, value, grad, origin;
    std::vector<NodeId> inputs;
  };
  std::vector<Row> rows;
  std::size_t gk = 0;
  for (NodeId id : nodes) {
    const Node& n = graph_[id];
    Row r{id, std::string(op_name(n.op)), to_string(n.shape), summary(Tensor{&graph_, id}.values()), "", "", {}};
    if (n.is_leaf()) r.op = n.is_param() ? "param" : (n.requires_grad() ? "variable" : "constant");
    if (n.requires_grad() && gk < grads.size()) r.grad = summary(grads[gk++].values());
    r.origin = origins_.describe(n.origin);
    for (int k = 0; k < n.nin; ++k) r.inputs.push_back(n.input(k));
    rows.push_back(std::move(r));
  }

  if (!t.to) {
    fmt::print(out(), "trace {}: {} nodes\n", text_of(ctx, t.target.span), rows.size());
    for (const Row& r : rows) {
      fmt::print(out(), "  #{:<4} {:<11} {:<9} value {}", r.id, r.op, r.shape, r.value);
      if (!r.grad.empty()) fmt::print(out(), "  grad {}", r.grad);
      if (!r.origin.empty()) fmt::print(out(), "  at {}", r.origin);
      fmt::print(out(), "\n");
    }
    return;
  }
  const std::string path = to_path(*t.to, ctx, "trace");
  std::string text;
  if (path.size() >= 4 && path.substr(path.size() - 4) == ".dot") {
    text = "digraph trace {\n  rankdir=LR;\n  node [shape=record];\n";
    for (const Row& r : rows) {
      text += fmt::format("  n{} [label=\"{{{} {}|value {}|grad {}}}\"];\n", r.id, r.op, r.shape, r.value,
                          r.grad.empty() ? "-" : r.grad);
      for (NodeId in : r.inputs) text += fmt::format("  n{} -> n{};\n", in, r.id);
    }
    text += "}\n";
  } else if (path.size() >= 5 && path.substr(path.size() - 5) == ".json") {
    text = "{\"nodes\": [\n";
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const Row& r = rows[k];
      text += fmt::format("  {{\"id\": {}, \"op\": \"{}\", \"shape\": \"{}\", \"value\": \"{}\", \"grad\": \"{}\", "
                          "\"origin\": \"{}\", \"inputs\": [{}]}}{}\n",
                          r.id, r.op, r.shape, json_escape(r.value), json_escape(r.grad), json_escape(r.origin),
                          fmt::join(r.inputs, ", "), k + 1 < rows.size() ? "," : "");
    }
    text += "]}\n";
  } else {
    for (const Row& r : rows)
      text += fmt::format("#{} {} {} value {} grad {} at {}\n", r.id, r.op, r.shape, r.value, r.grad, r.origin);
  }
  at_span(t.to->span, [&] { write_file_atomic(path, text); });
  fmt::print(out(), "wrote the trace of {} ({} nodes) to {}\n", text_of(ctx, t.target.span), rows.size(), path);
}

}  // namespace hinge::lang

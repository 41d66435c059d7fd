// Trace export: the subgraph that produced a root, as a text listing, Graphviz DOT
// or JSON, with ids renumbered %0, %1, ... in tape order so traces diff cleanly.
//   backward(loss);
//   fmt::print("{}", trace_text(loss));
//   write_file_atomic("loss.dot", trace_dot(loss));
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "hinge/escape.hpp"  // json_quote, for json_extra
#include "hinge/tensor.hpp"

namespace hinge {

struct TraceOptions {
  // Extra text for a node (a variable name, the source that built it); the
  // language fills it from Node::origin. Empty result = nothing shown.
  std::function<std::string(NodeId)> label;
  // The gradient to show instead of the node's .grad buffer, for a caller that
  // computed adjoints without touching .grad (hinge/inspect.hpp): numel values,
  // or empty for "no gradient". Unset: the .grad buffer as it is.
  std::function<std::vector<double>(NodeId)> grad;
  // DOT: attributes for the node's statement (`style=filled, fillcolor="red"`);
  // a non-empty result replaces the default colouring.
  std::function<std::string(NodeId)> dot_style;
  // JSON: extra members appended to the node's object, already formatted
  // (`"notes": ["relu closed"]`; quote strings with json_quote).
  std::function<std::string(NodeId)> json_extra;
};

// Note [Trace rows]
// One row per node `root` depends on, in tape order (Note [Tape order]), numbered
// from 0 over that subgraph only. A one-element value or gradient prints in full
// with fmt "{}" (the shortest text that reads back as the same float or double);
// anything larger prints a summary {min, max, mean} with 6 significant digits
// (and a NaN count when there are NaNs). Leaves show their kind as the op:
// "param" (trainable), "var" (an input that requires grad) or "const".
// A node without a gradient buffer (constants, or before any backward) has no grad.
//
// Text, one line per node, fields separated by two spaces:
//   %0 = param  [] f64  value=0.5  grad=3  # w
//   %2 = mul(%0, %1)  [] f64  value=1.5  grad=1
//   %7 = sum(%6; axes=[0, 1])  [] f64  value=4.25  grad=1
//   %5 = relu(%4)  [200, 32] f64  value={min=0, max=2.5, mean=0.61}  grad={min=-0.1, max=0.2, mean=0.01}
std::string trace_text(Tensor root, const TraceOptions& opt = {});

// Graphviz: one record "{ %id op shape | value | grad }" per node (micrograd's
// picture), left to right, edges from inputs; parameters light blue, the root orange.
std::string trace_dot(Tensor root, const TraceOptions& opt = {});

// JSON: {"root": id, "nodes": [{"id", "op", "kind", "inputs", "attrs", "shape",
// "dtype", "requires_grad", "origin", "value", "grad", "label"}, ...]}, one node
// per line. "op" is the op name ("leaf" for leaves, whose "kind" is param, var or
// const); "value"/"grad" are a number, a {"min", "max", "mean", "nan"} object,
// or null for no gradient; non-finite numbers are the strings "nan", "inf", "-inf".
// "label" appears when the callback gives text.
std::string trace_json(Tensor root, const TraceOptions& opt = {});

}  // namespace hinge

// Trace export (text, DOT, JSON) of the subgraph behind a root. The three formats
// share one row builder so their ids, ops and summaries always agree.
// See Note [Trace rows].
#include "hinge/trace_export.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "hinge/backward.hpp"
#include "hinge/interrupt.hpp"

namespace hinge {

namespace {

// A value or gradient buffer: one element in full, else min/max/mean.
struct Summary {
  bool present = false;
  bool one = false;  // a single element: `text` holds it
  std::string text;  // shortest round-trip text of the element
  double x = 0;      // the element, for finiteness checks
  double min = 0, max = 0, mean = 0;
  int64_t count = 0, nans = 0;
};

// Fills min/max/mean over the s.count elements at(0..count-1), NaNs counted apart.
template <class At>
void add_stats(Summary& s, At at) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, total = 0;
  for (int64_t k = 0; k < s.count; ++k) {
    const double x = at(k);
    if (std::isnan(x)) {
      ++s.nans;
      continue;
    }
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    total += x;
  }
  const int64_t finite = s.count - s.nans;
  s.min = finite ? lo : std::nan("");
  s.max = finite ? hi : std::nan("");
  s.mean = finite ? total / static_cast<double>(finite) : std::nan("");
}

Summary summarize(const Node& n, const void* buf) {
  Summary s;
  if (!buf) return s;
  s.present = true;
  s.count = n.numel();
  dispatch(n.dtype, [&]<class T>() {
    const T* p = static_cast<const T*>(buf);
    if (n.numel() == 1) {
      s.one = true;
      s.x = static_cast<double>(p[0]);
      s.text = fmt::format("{}", p[0]);  // float prints as float: 0.1f is "0.1"
      return;
    }
    add_stats(s, [&](int64_t k) { return static_cast<double>(p[k]); });
  });
  return s;
}

// The same summary of values given as doubles (a gradient from TraceOptions::grad).
Summary summarize(const std::vector<double>& v) {
  Summary s;
  s.present = true;
  s.count = static_cast<int64_t>(v.size());
  if (v.size() == 1) {
    s.one = true;
    s.x = v[0];
    s.text = fmt::format("{}", v[0]);
    return s;
  }
  add_stats(s, [&](int64_t k) { return v[static_cast<std::size_t>(k)]; });
  return s;
}

std::string summary_text(const Summary& s) {
  if (s.one) return s.text;
  if (s.count == 0) return "{empty}";
  std::string out = fmt::format("{{min={:.6g}, max={:.6g}, mean={:.6g}", s.min, s.max, s.mean);
  if (s.nans) out += fmt::format(", nan={}", s.nans);
  return out + "}";
}

// The op's attributes worth showing, as "name=value" text; only the ops listed
// carry attributes that change what they compute (reductions: see reduce_attrs).
std::string attr_text(const Graph& g, const Node& n) {
  const Attr& a = n.attr();
  switch (n.op) {
    case OpKind::powc: return fmt::format("c={}", a.f[0]);
    case OpKind::clamp: return fmt::format("lo={}, hi={}", a.f[0], a.f[1]);
    case OpKind::leaky_relu:
    case OpKind::elu: return fmt::format("alpha={}", a.f[0]);
    case OpKind::sum:
    case OpKind::mean:
    case OpKind::max: {
      // The mask indexes the input's axes.
      std::string s;
      for (int i = 0; i < g[n.input(0)].shape().rank; ++i)
        if (a.axes & (1u << i)) s += fmt::format("{}{}", s.empty() ? "" : ", ", i);
      return "axes=[" + s + "]" + (a.keepdims ? ", keepdims" : "");
    }
    case OpKind::transpose: {
      std::string s;
      for (int i = 0; i < n.shape().rank; ++i) s += fmt::format("{}{}", i ? ", " : "", a.i[i]);
      return "perm=[" + s + "]";
    }
    case OpKind::concat:
    case OpKind::softmax:
    case OpKind::log_softmax: return fmt::format("axis={}", a.i[0]);
    default: return "";
  }
}

struct Row {
  NodeId id;                // id in the graph
  std::string op;           // op name, or the leaf kind
  std::string kind;         // "param" / "var" / "const" for leaves, "" otherwise
  std::vector<int> inputs;  // renumbered
  std::string attrs;
  std::string label;
  std::string dot_style;   // from TraceOptions::dot_style
  std::string json_extra;  // from TraceOptions::json_extra
  Summary value, grad;
};

// A poll every 1024 rows: a trace of a million nodes takes seconds to build and to
// write (a loop's graph written to a 700 MB JSON file took 16 s, deaf to Ctrl-C).
void poll_rows(std::size_t row) {
  if (row % 1024 == 1023) throw_if_interrupted();
}

std::vector<Row> build_rows(Tensor root, const TraceOptions& opt, int& root_index) {
  const Graph& g = *root.g;
  const std::vector<NodeId> ids = ancestors(g, root.id, false);
  std::vector<Row> rows;
  rows.reserve(ids.size());
  auto index_of = [&](NodeId id) {
    return static_cast<int>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };
  for (NodeId id : ids) {
    poll_rows(rows.size());
    const Node& n = g[id];
    Row r;
    r.id = id;
    if (n.is_leaf()) {
      r.kind = n.is_param() ? "param" : n.requires_grad() ? "var" : "const";
      r.op = r.kind;
    } else {
      r.op = std::string(op_name(n.op));
    }
    for (int k = 0; k < n.nin; ++k) r.inputs.push_back(index_of(n.input(k)));
    r.attrs = attr_text(g, n);
    if (opt.label) r.label = opt.label(id);
    if (opt.dot_style) r.dot_style = opt.dot_style(id);
    if (opt.json_extra) r.json_extra = opt.json_extra(id);
    r.value = summarize(n, n.val);
    if (opt.grad) {
      const std::vector<double> gv = opt.grad(id);
      if (!gv.empty()) r.grad = summarize(gv);
    } else {
      r.grad = summarize(n, n.grad);
    }
    rows.push_back(std::move(r));
  }
  root_index = static_cast<int>(rows.size()) - 1;
  return rows;
}

// "mul(%0, %1; attrs)" or "param".
std::string call_text(const Row& r) {
  if (!r.kind.empty()) return r.op;
  std::string s = r.op + "(";
  for (std::size_t k = 0; k < r.inputs.size(); ++k) s += fmt::format("{}%{}", k ? ", " : "", r.inputs[k]);
  if (!r.attrs.empty()) s += (r.inputs.empty() ? "" : "; ") + r.attrs;
  return s + ")";
}

// ---- DOT ----

// Escapes text for a record label: braces, bars, angle brackets, quotes, backslashes.
std::string dot_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (std::string_view("{}|<>\"\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// ---- JSON ----

std::string json_number(double v, std::string_view text) {
  if (std::isnan(v)) return "\"nan\"";
  if (std::isinf(v)) return v > 0 ? "\"inf\"" : "\"-inf\"";
  return std::string(text);
}

std::string json_summary(const Summary& s) {
  if (!s.present) return "null";
  if (s.one) return json_number(s.x, s.text);
  if (s.count == 0) return R"({"min": null, "max": null, "mean": null, "nan": 0})";
  auto num = [](double v) { return json_number(v, fmt::format("{:.17g}", v)); };
  return fmt::format(R"({{"min": {}, "max": {}, "mean": {}, "nan": {}}})", num(s.min), num(s.max),
                     num(s.mean), s.nans);
}

}  // namespace

std::string trace_text(Tensor root, const TraceOptions& opt) {
  int root_index = 0;
  const auto rows = build_rows(root, opt, root_index);
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    poll_rows(i);
    const Row& r = rows[i];
    const Node& n = (*root.g)[r.id];
    out += fmt::format("%{} = {}  {} {}  value={}", i, call_text(r), to_string(n.shape()),
                       dtype_name(n.dtype), summary_text(r.value));
    if (r.grad.present) out += "  grad=" + summary_text(r.grad);
    if (!r.label.empty()) out += "  # " + r.label;
    out += '\n';
  }
  return out;
}

std::string trace_dot(Tensor root, const TraceOptions& opt) {
  int root_index = 0;
  const auto rows = build_rows(root, opt, root_index);
  std::string out =
      "digraph trace {\n"
      "  rankdir=LR;\n"
      "  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    poll_rows(i);
    const Row& r = rows[i];
    const Node& n = (*root.g)[r.id];
    std::string head = fmt::format("%{} {}", i, r.op);
    if (!r.attrs.empty()) head += fmt::format(" ({})", r.attrs);
    if (!n.shape().is_scalar()) head += fmt::format(" {}", to_string(n.shape()));
    if (!r.label.empty()) head += fmt::format("\n{}", r.label);
    const std::string grad = r.grad.present ? "grad " + summary_text(r.grad) : "no grad";
    out += fmt::format("  n{} [label=\"{{ {} | value {} | {} }}\"", i, dot_escape(head),
                       dot_escape(summary_text(r.value)), dot_escape(grad));
    if (!r.dot_style.empty())
      out += ", " + r.dot_style;
    else if (static_cast<int>(i) == root_index)
      out += ", style=filled, fillcolor=\"#ffc89a\"";
    else if (r.kind == "param")
      out += ", style=filled, fillcolor=\"#cfe6ff\"";
    out += "];\n";
  }
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (int in : rows[i].inputs) out += fmt::format("  n{} -> n{};\n", in, i);
  return out + "}\n";
}

std::string trace_json(Tensor root, const TraceOptions& opt) {
  int root_index = 0;
  const auto rows = build_rows(root, opt, root_index);
  std::string out = fmt::format("{{\n  \"root\": {},\n  \"nodes\": [\n", root_index);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    poll_rows(i);
    const Row& r = rows[i];
    const Node& n = (*root.g)[r.id];
    std::string inputs, shape;
    for (std::size_t k = 0; k < r.inputs.size(); ++k)
      inputs += fmt::format("{}{}", k ? ", " : "", r.inputs[k]);
    for (int k = 0; k < n.shape().rank; ++k) shape += fmt::format("{}{}", k ? ", " : "", n.shape()[k]);
    out += fmt::format(
        "    {{\"id\": {}, \"op\": {}, \"kind\": {}, \"inputs\": [{}], \"attrs\": {}, \"shape\": [{}], "
        "\"dtype\": \"{}\", \"requires_grad\": {}, \"origin\": {}, \"value\": {}, \"grad\": {}",
        i, json_quote(n.is_leaf() ? "leaf" : r.op), r.kind.empty() ? "null" : json_quote(r.kind), inputs,
        json_quote(r.attrs), shape, dtype_name(n.dtype), n.requires_grad() ? "true" : "false", n.origin,
        json_summary(r.value), json_summary(r.grad));
    if (!r.label.empty()) out += ", \"label\": " + json_quote(r.label);
    if (!r.json_extra.empty()) out += ", " + r.json_extra;
    out += i + 1 < rows.size() ? "},\n" : "}\n";
  }
  return out + "  ]\n}\n";
}

}  // namespace hinge

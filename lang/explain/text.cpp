// The text form of an explained trace: one row per node in tape order with its
// source, value, local partials and gradient, notes and per-consumer sums under
// it, repeated layers folded, a depth limit, the layer table and a footer.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "explain/explain.hpp"
#include "hinge/escape.hpp"
#include "hinge/format.hpp"
#include "hinge/graph.hpp"

namespace hinge::lang {

std::string short_number(double x) { return format_number(x); }

std::string user_op_name(OpKind op) {
  switch (op) {
    case OpKind::add: return "+";
    case OpKind::sub: return "-";
    case OpKind::mul: return "*";
    case OpKind::div: return "/";
    case OpKind::pow:
    case OpKind::powc: return "^";
    case OpKind::matmul: return "@";
    case OpKind::neg: return "unary -";
    default: return std::string(op_name(op));
  }
}

std::string abbreviate(const std::string& text, std::size_t width) {
  std::string s = terminal_line(text);
  if (s.size() <= width || width < 4) return s;
  std::size_t cut = width - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut;  // not inside a UTF-8 character
  return s.substr(0, cut) + "...";
}

std::string stats_text(const Stats& s, bool with_norm) {
  if (s.count == 0) return "{empty}";
  std::string out = "{";
  if (with_norm) out += fmt::format("norm={:.4g}, ", s.norm);
  out += fmt::format("min={:.4g}, max={:.4g}, mean={:.4g}, zeros={:.0f}%", s.min, s.max, s.mean,
                     100.0 * static_cast<double>(s.zeros) / static_cast<double>(s.count));
  if (s.nans)
    out += fmt::format(", nan={:.0f}%", 100.0 * static_cast<double>(s.nans) / static_cast<double>(s.count));
  if (s.infs) out += fmt::format(", inf={}", s.infs);
  return out + "}";
}

std::string partial_name(const Explanation& ex, int input_row) {
  const std::string& name = ex.rows[input_row].source.name;
  return name.empty() ? fmt::format("d%{}", input_row) : "d" + name;
}

namespace {

// One number of a row: float32 values print as floats ("0.1", not 0.100000001...).
std::string number(double x, DType t) {
  return t == DType::f32 ? fmt::format("{}", static_cast<float>(x)) : short_number(x);
}

// A value: the number, or shape, dtype (when f32) and statistics. A gradient has
// the value's shape, so it shows only its statistics (with its norm).
std::string values_text(const std::vector<double>& v, const Row& r, bool grad) {
  if (v.size() == 1) return number(v[0], r.dtype);
  if (grad) return stats_text(stats_of(v), true);
  std::string s = fmt::format("{} ", to_string(r.shape));
  if (r.dtype == DType::f32) s += "f32 ";
  return s + stats_text(stats_of(v), false);
}

// The tensor whole, numpy-style, laid out by the language's printer (through a
// scratch graph: the session's graph gets no new node).
std::string whole(const std::vector<double>& v, const Row& r, std::size_t indent) {
  Graph scratch(r.dtype);
  return format_tensor(scratch.constant(r.shape, v, r.dtype), indent);
}

// "mul(%0, %1)" or "param".
std::string call_text(const Row& r) {
  if (r.role == Role::param || r.role == Role::data || (r.role == Role::root && r.inputs.empty()))
    return r.op;
  std::string s = r.op + "(";
  for (std::size_t k = 0; k < r.inputs.size(); ++k) s += fmt::format("{}%{}", k ? ", " : "", r.inputs[k]);
  return s + ")";
}

std::string partials_text(const Explanation& ex, const Row& r) {
  std::string s;
  for (std::size_t k = 0; k < r.partials.size(); ++k) {
    if (r.value.size() != 1 || ex.rows[r.inputs[k]].value.size() != 1) continue;  // not a scalar edge
    if (std::find(r.inputs.begin(), r.inputs.begin() + static_cast<long>(k), r.inputs[k]) !=
        r.inputs.begin() + static_cast<long>(k))
      continue;  // x * x: the slot shows the sum already
    s += fmt::format("{}{}={}", s.empty() ? "" : " ", partial_name(ex, r.inputs[k]),
                     number(r.partials[k], r.dtype));
  }
  return s;
}

// "<- 2*1.5 from %4, 0.5*1 from %6 = 3.5": each consumer's share of the adjoint.
std::string contributions_text(const Row& r) {
  std::string s = "<- ";
  for (std::size_t k = 0; k < r.contributions.size(); ++k) {
    const Contribution& c = r.contributions[k];
    if (k) s += ", ";
    if (c.scalar_edge)
      s += fmt::format("{}*{}", number(c.local, r.dtype), number(c.consumer_grad, r.dtype));
    else if (c.value.size() == 1)
      s += number(c.value[0], r.dtype);
    else
      s += fmt::format("|{:.4g}|", stats_of(c.value).norm);
    s += fmt::format(" from %{}", c.consumer);
  }
  if (r.grad.size() == 1)
    s += " = " + number(r.grad[0], r.dtype);
  else
    s += fmt::format(" = |{:.4g}|", stats_of(r.grad).norm);
  return s;
}

std::string check_text(const Row& r) {
  if (r.fd.empty()) return "";
  // Elements too flat for the differences (Note [Round-off in the differences]).
  const std::string flat = r.fd_unresolved ? fmt::format(" unresolved={}", r.fd_unresolved) : "";
  if (r.fd.size() == 1)
    return fmt::format("fd={} err={:.2g}{}", number(r.fd[0], DType::f64), r.fd_error, flat);
  return fmt::format("fd={{norm={:.4g}}} max err={:.2g}{}", stats_of(r.fd).norm, r.fd_error, flat);
}

// Which rows are shown. Repeated layers fold (the first and last of a run stay);
// op rows outside any layer further than the depth limit from the root are
// omitted; a leaf shows when one of its consumers shows. hidden[i] = 0 shown,
// otherwise the group it is folded into (one marker line per contiguous block).
struct Visibility {
  std::vector<int> hidden;
  std::map<int, std::string> layers_text;  // fold group -> "layers 2..19 like %41..%43"
  int depth_group = -1;
};

Visibility visibility(const Explanation& ex, const TextOptions& opt) {
  Visibility v;
  const auto& rows = ex.rows;
  v.hidden.assign(rows.size(), 0);
  if (opt.full) return v;
  int group = 0;
  for (std::size_t a = 0; a < ex.layers.size();) {
    std::size_t b = a + 1;
    while (b < ex.layers.size() && ex.layers[b].signature == ex.layers[a].signature) ++b;
    if (b - a >= static_cast<std::size_t>(opt.fold_min)) {
      ++group;
      for (std::size_t l = a + 1; l + 1 < b; ++l)
        for (int ri : ex.layers[l].rows) v.hidden[ri] = group;
      const Layer& like = ex.layers[a];
      v.layers_text[group] =
          fmt::format("layers {}..{} like %{}..%{}", a + 2, b - 1, like.rows.front(), like.rows.back());
    }
    a = b;
  }
  v.depth_group = ++group;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!v.hidden[i] && rows[i].role != Role::param && rows[i].role != Role::data && rows[i].layer < 0 &&
        rows[i].depth > opt.max_depth)
      v.hidden[i] = v.depth_group;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.role != Role::param && r.role != Role::data) continue;
    int g = 0;
    bool shown = r.consumers.empty();
    for (int c : r.consumers) {
      if (!v.hidden[c])
        shown = true;
      else if (!g)
        g = v.hidden[c];
    }
    if (!shown) v.hidden[i] = g;
  }
  return v;
}

// The line standing for a block of hidden rows [from, to).
std::string marker(const Explanation& ex, const Visibility& vis, std::size_t from, std::size_t to,
                   const TextOptions& opt) {
  std::size_t notes = 0, ops = 0;
  for (std::size_t j = from; j < to; ++j) {
    notes += ex.rows[j].notes.size();
    ops += ex.rows[j].role == Role::op || ex.rows[j].role == Role::root;
  }
  const int g = vis.hidden[from];
  const std::string how = opt.title.empty() ? "`full`" : fmt::format("`trace {} full`", opt.title);
  std::string s;
  if (g == vis.depth_group)
    s = fmt::format("... {} rows more than {} steps from the root ({} shows them) ...", to - from,
                    opt.max_depth, how);
  else if (ops == 0)
    s = fmt::format("... {} leaves of {} ...", to - from, vis.layers_text.at(g));
  else
    s = fmt::format("... {} rows: {} ({} shows them) ...", to - from, vis.layers_text.at(g), how);
  if (notes) s += fmt::format(" ({} notes)", notes);
  return s;
}

// Columns a line takes on a terminal (code points; the trace is ASCII but for names).
std::size_t columns_of(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// `s` cut to `width` columns, ending in "..." when cut (at a code point boundary).
std::string cut_to(const std::string& s, std::size_t width) {
  if (width == 0 || columns_of(s) <= width) return s;
  std::size_t cols = 0, i = 0;
  while (i < s.size() && cols + 3 < width) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++cols;
  }
  return s.substr(0, i) + "...";
}

// Note [Traces fit the terminal]
// A trace row holds the node, where it was built, its value, then the partials, the
// gradient and the check; on one line that reaches 200 columns and more. Like `ls`
// and `git log`, the text fits the terminal when it knows the width: the fields after
// the value move to lines of their own (indented) when they would pass the edge, and
// a line still too long is cut with "...". `trace Y full` shows everything, unfolded.
// Output to a file or a pipe has no width and is never cut.
void emit_folded(std::string& out, const std::string& base, const std::vector<std::string>& extras,
                 std::size_t width) {
  const std::string indent(6, ' ');
  auto trimmed = [](std::string l) {
    while (!l.empty() && l.back() == ' ') l.pop_back();
    return l;
  };
  std::string line = base;  // padded: the extras of all rows start in one column
  for (const std::string& e : extras) {
    if (e.empty()) continue;
    if (width == 0 || columns_of(line) + 2 + columns_of(e) <= width) {
      line += "  " + e;
    } else {
      out += cut_to(trimmed(line), width) + "\n";
      line = indent + e;
    }
  }
  out += cut_to(trimmed(line), width) + "\n";
}

// Prose (notes) wrapped at word boundaries to `width`, continuation lines indented.
std::string wrapped(const std::string& first_prefix, const std::string& text, std::size_t width) {
  if (width == 0 || columns_of(first_prefix) + columns_of(text) <= width) return first_prefix + text + "\n";
  const std::string hang(columns_of(first_prefix), ' ');
  std::string out, line = first_prefix;
  std::size_t i = 0;
  bool line_empty = true;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    const std::string word = text.substr(i, j - i);
    if (!line_empty && columns_of(line) + 1 + columns_of(word) > width) {
      out += line + "\n";
      line = hang;
      line_empty = true;
    }
    line += (line_empty ? "" : " ") + word;
    line_empty = false;
    i = j + 1;
  }
  return out + cut_to(line, width) + "\n";
}

}  // namespace

std::string render_text(const Explanation& ex, const TextOptions& opt) {
  const std::size_t width = opt.full ? 0 : opt.width;
  const auto& rows = ex.rows;
  const std::string title = opt.title.empty() ? "the value" : opt.title;
  std::string out;
  const bool grads = ex.root.numel() == 1;
  out += fmt::format("trace {}: {} nodes{}\n", title, rows.size(),
                     grads ? fmt::format(", grad = d({})/d(node)", title)
                           : fmt::format(" (no gradients: the value has shape {}, not one element)",
                                         to_string(ex.root.shape())));

  const Visibility vis = visibility(ex, opt);
  // Column widths over the shown rows, capped so one long row does not push all.
  std::vector<std::string> heads(rows.size()), wheres(rows.size()), values(rows.size());
  std::size_t head_w = 0, where_w = 0, value_w = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    heads[i] = fmt::format("%{} {}= {}", i, r.source.name.empty() ? "" : r.source.name + " ", call_text(r));
    if (!r.source.where.empty())
      wheres[i] = r.source.where + " " + abbreviate(r.source.text, opt.full ? 1000 : opt.text_width);
    values[i] = values_text(r.value, r, false);
    if (vis.hidden[i]) continue;
    if (values[i].size() <= 22) value_w = std::max(value_w, values[i].size());
    head_w = std::max(head_w, std::min<std::size_t>(heads[i].size(), 30));
    where_w = std::max(where_w, std::min<std::size_t>(wheres[i].size(), 40));
  }

  const std::string indent(4, ' ');
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (vis.hidden[i]) {
      if (i == 0 || vis.hidden[i - 1] != vis.hidden[i]) {
        std::size_t j = i;
        while (j < rows.size() && vis.hidden[j] == vis.hidden[i]) ++j;
        out += indent + marker(ex, vis, i, j, opt) + "\n";
      }
      continue;
    }
    const std::string base =
        fmt::format("{:<{}}  {:<{}}  value={:<{}}", heads[i], head_w, wheres[i], where_w, values[i], value_w);
    emit_folded(out, base,
                {partials_text(ex, r),
                 r.grad.empty() ? std::string() : "grad=" + values_text(r.grad, r, true), check_text(r)},
                width);
    if (opt.full && r.value.size() > 1)
      out += indent + "value = " + whole(r.value, r, indent.size() + 8) + "\n";
    if (opt.full && r.grad.size() > 1)
      out += indent + "grad  = " + whole(r.grad, r, indent.size() + 8) + "\n";
    if (r.contributions.size() > 1) out += cut_to(indent + contributions_text(r), width) + "\n";
    for (const Note& n : r.notes) out += wrapped(indent + "note: ", n.text, width);
  }

  if (!ex.unused_params.empty())
    out += fmt::format("params {} does not depend on (no gradient reaches them): {}\n", title,
                       fmt::join(ex.unused_params, ", "));
  if (ex.checked) {
    int params = 0;
    for (const Row& r : rows) params += !r.fd.empty();
    if (!ex.check_error.empty()) out += fmt::format("check: {}\n", ex.check_error);
    // An element as %row, or %row[i, j] in a tensor.
    auto at = [&](int row, int64_t k) {
      const Row& r = rows[static_cast<std::size_t>(row)];
      return element_name(fmt::format("%{}", row), r.shape, k);
    };
    // The verdict can be long: wrapped at spaces to the width, as notes are.
    auto summary = [&](const std::string& found) {
      out += wrapped(
          "check: ",
          fmt::format("central differences for {} params ({} elements): {}", params, ex.check.checked, found),
          width);
    };
    if (!params) {
      if (ex.check_error.empty()) out += "check: no params to check\n";
    } else if (ex.root.dtype() == DType::f64) {
      summary(ex.check.describe(title, at));
    } else if (ex.check.input >= 0) {  // float32: no verdict (check_error says why)
      summary(fmt::format("worst relative error {:.2g} at {}", ex.check.worst_error,
                          at(ex.check.input, ex.check.element)));
    } else {
      summary("every element too flat to resolve");
    }
  }
  out += render_layers(ex);
  return out;
}

}  // namespace hinge::lang

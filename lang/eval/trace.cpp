// The trace statement: `trace Y [check] [full] [to PATH]` explains the graph behind
// Y (explain.hpp) as text, or writes it as Graphviz DOT / JSON / text to a file.
// The explaining itself lives in explain*.cpp.
#include <fmt/format.h>

#include "eval/interpreter.hpp"
#include "explain/explain.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/escape.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

}  // namespace

ExplainOptions Interpreter::explain_options(const Ctx& ctx) {
  ExplainOptions opt;
  // Positions print as line:col, with the file name only when it is not the
  // file (or REPL) the trace statement is in.
  opt.source = [this, source = ctx.source](NodeId id) {
    SourceInfo s;
    const Origin* o = origins_.find(graph_[id].origin);
    if (!o) return s;
    const Location loc = o->source->location(o->span.begin);
    const bool same_file = source && o->source->name == source->name;
    s.where =
        fmt::format("{}{}:{}", same_file ? "" : terminal_line(o->source->name) + ":", loc.line, loc.column);
    const std::string& text = o->source->text;
    if (o->span.begin < text.size())
      s.text = abbreviate(
          text.substr(o->span.begin, std::min<std::size_t>(o->span.size(), text.size() - o->span.begin)),
          std::string::npos);
    // A node a gradient() made: whose adjoint it is says more than the call's text.
    if (!o->backward_of.empty()) s.text = o->backward_of;
    s.name = o->binding;
    return s;
  };
  for (const auto& [name, b] : globals_)
    if (b.is_param && b.value.is_tensor()) opt.session_params.emplace_back(name, b.value.tensor());
  return opt;
}

void Interpreter::exec_trace(const Trace& t, Ctx& ctx) {
  Value v = eval(t.target, ctx);
  if (!v.is_tensor())
    throw Error(t.target.span, fmt::format("trace shows the graph behind a tensor, got {}", a_kind(v)));
  const Tensor y = v.tensor();
  if (t.check && y.numel() != 1)
    throw Error(t.target.span, fmt::format("trace ... check needs a value with one element, got a tensor {} "
                                           "(use sum or mean)",
                                           to_string(y.shape())));

  ExplainOptions opt = explain_options(ctx);
  opt.check = t.check;

  const Explanation ex = at_span(t.target.span, [&] { return explain(y, opt); });
  TextOptions text_opt;
  text_opt.full = t.full;
  text_opt.width = options_.columns > 0 ? static_cast<std::size_t>(options_.columns) : 0;
  text_opt.title = abbreviate(text_of(ctx, t.target.span), 40);

  if (!t.to) {
    if (options_.display) {
      Display d{{{"text/plain", render_text(ex, text_opt)}, {"text/html", render_html(ex, text_opt)}}};
      // The graph too, as DOT for the host to draw (the kernel runs Graphviz), while
      // it is small enough to read as a picture; `trace y to "y.dot"` writes any size.
      if (ex.rows.size() <= kMaxDrawnNodes) d.data.emplace_back(kDotMime, render_dot(ex));
      show(d);
      return;
    }
    fmt::print(out(), "{}", render_text(ex, text_opt));
    return;
  }
  const std::string path = to_path(*t.to, ctx, "trace");
  std::string doc;
  if (ends_with(path, ".dot") || ends_with(path, ".gv"))
    doc = render_dot(ex);
  else if (ends_with(path, ".json"))
    doc = render_json(ex, t.full);
  else
    doc = render_text(ex, text_opt);
  note_write(at_span(t.to->span, [&] { return write_file_atomic(path, doc); }), path);
  fmt::print(out(), "wrote the trace of {} ({} nodes) to {}\n", text_opt.title, ex.rows.size(), path);
}

}  // namespace hinge::lang

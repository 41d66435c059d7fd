// The save and load statements: named tensors to and from checkpoint files
// (engine checkpoint.hpp: versioned, checksummed, written atomically).
#include <fmt/format.h>

#include "eval/interpreter.hpp"
#include "hinge/checkpoint.hpp"

namespace hinge::lang {

using namespace syntax;

// save a, b, ... to PATH
void Interpreter::exec_save(const Save& s, Ctx& ctx) {
  std::vector<NamedTensor> named;
  std::vector<std::string> shown;
  for (const Expr& e : s.values) {
    const Name* n = e.get_if<Name>();
    if (!n) throw Error(e.span, "save takes names (bind the value with `let` first)");
    for (const NamedTensor& prev : named)
      if (prev.first == n->text) throw Error(e.span, fmt::format("'{}' is saved twice", n->text));
    Value v = eval(e, ctx);
    Tensor t;
    if (v.is_number())
      t = graph_.scalar(v.number());
    else if (v.is_tensor())
      t = v.tensor();
    else
      throw Error(e.span, fmt::format("save writes tensors and numbers; '{}' is {}", n->text, a_kind(v)));
    named.push_back({n->text, t});
    shown.push_back(n->text);
  }
  const std::string path = to_path(s.path, ctx, "save");
  const WriteReport r = at_span(s.path.span, [&] { return save_checkpoint(path, named); });
  fmt::print(out(), "saved {} to {}\n", fmt::join(shown, ", "), path);
  note_write(r, path);
}

// load PATH: every saved tensor becomes (or refills) a param of its name.
void Interpreter::exec_load(const Load& l, Ctx& ctx) {
  const std::string path = to_path(l.path, ctx, "load");
  // load_checkpoint validates the whole file before we change anything.
  std::vector<CheckpointEntry> entries = at_span(l.path.span, [&] { return load_checkpoint(path); });
  std::vector<std::pair<std::string, Binding>> fresh;
  std::vector<std::pair<Tensor, std::vector<double>>> refills;
  std::vector<std::string> shown;
  for (const CheckpointEntry& e : entries) {
    Binding* b = lookup(e.name, ctx);
    std::vector<double> vals = e.values();
    if (b && b->is_param && b->value.is_tensor() && b->value.tensor().shape() == e.shape) {
      refills.push_back({b->value.tensor(), std::move(vals)});
    } else {
      graph_.set_origin(origins_.with_binding(origins_.tag(ctx.source, l.path.span), e.name));
      Tensor leaf = at_span(l.path.span, [&] { return graph_.param(e.shape, vals, e.dtype); });
      fresh.push_back({e.name, Binding{Value(leaf), true, nullptr, ctx.source}});
    }
    shown.push_back(fmt::format("{} {}", e.name, to_string(e.shape)));
  }
  for (auto& [t, vals] : refills) t.set_values(vals);
  for (auto& [name, b] : fresh) bind(name, std::move(b), ctx);
  fmt::print(out(), "loaded {} from {}\n", fmt::join(shown, ", "), path);
}

}  // namespace hinge::lang

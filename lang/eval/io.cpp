// The save and load statements: named tensors to and from checkpoint files
// (engine checkpoint.hpp: versioned, checksummed, written atomically).
#include <fmt/format.h>

#include "eval/interpreter.hpp"
#include "hinge/checkpoint.hpp"
#include "syntax/keywords.hpp"

namespace hinge::lang {

using namespace syntax;

// save a, b, ... to PATH
void Interpreter::exec_save(const Save& s, Ctx& ctx) {
  std::vector<NamedTensor> named;
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
  }
  const std::string path = to_path(s.path, ctx, "save");
  at_span(s.path.span, [&] { save_tensors(named, path); });
}

void Interpreter::save_tensors(const std::vector<NamedTensor>& named, const std::string& path) {
  const WriteReport r = save_checkpoint(path, named);
  std::vector<std::string> shown;
  for (const NamedTensor& n : named) shown.push_back(n.first);
  fmt::print(out(), "saved {} to {}\n", fmt::join(shown, ", "), path);
  note_write(r, path);
}

namespace {

// Note [Checkpoint names]
// A checkpoint is data, yet `load` makes each of its names a binding. So a name must
// be one a script could bind with `param`: letters, digits and _, not starting with a
// digit, not a reserved word, builtin or constant (a contextual word such as `steps`
// is an ordinary name, as in a script). Anything else would bind what no script can
// reach, shadow `relu` or `pi`, or carry terminal escapes into every later message.

// Why `name` cannot be bound from a checkpoint, or "" when it can.
std::string unbindable(const std::string& name) {
  if (name.empty()) return "an empty name";
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name[0])) return "not a name (a name starts with a letter or _)";
  for (char c : name)
    if (!letter(c) && !(c >= '0' && c <= '9')) return "not a name (letters, digits and _ only)";
  if (syntax::is_reserved(name)) return "a reserved word";
  if (find_builtin(name)) return "the name of a builtin";
  for (const auto& [constant, value] : constants())
    if (constant == name) return "the name of a constant";
  return "";
}

}  // namespace

// load PATH: every saved tensor becomes (or refills) a param of its name.
void Interpreter::exec_load(const Load& l, Ctx& ctx) {
  const std::string path = to_path(l.path, ctx, "load");
  // load_checkpoint validates the whole file before we change anything.
  std::vector<CheckpointEntry> entries = at_span(l.path.span, [&] { return load_checkpoint(path); });
  // Every name is checked before any is bound (Note [Checkpoint names]).
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (const std::string why = unbindable(entries[i].name); !why.empty())
      throw Error(
          l.path.span,
          fmt::format("{}: tensor {} of the checkpoint is named '{}': {}; nothing was loaded",
                      escape_for_message(path, 200), i + 1, escape_for_message(entries[i].name), why));
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

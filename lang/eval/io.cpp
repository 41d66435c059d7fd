// The save and load statements: named tensors to and from checkpoint files
// (engine checkpoint.hpp: versioned, checksummed, written atomically).
#include <set>

#include <fmt/format.h>

#include "eval/interpreter.hpp"
#include "hinge/checkpoint.hpp"
#include "syntax/diagnostics.hpp"
#include "syntax/keywords.hpp"
#include "syntax/prepass.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

// How much of a path or a name the save and load lines echo (escape_for_message).
constexpr std::size_t kShownPath = 200;
constexpr std::size_t kShownName = 80;

// What a binding that is not a param holds, for messages: "a computed binding".
std::string not_a_param(const Binding& b) {
  if (b.value.is_tensor()) return b.defining ? "a computed binding" : "a tensor binding";
  return a_kind(b.value);
}

}  // namespace

// save a, b, ... to PATH: params only. `load` makes every saved name a param, so a
// saved `let` would come back as a param that `train` moves by itself; every name
// is checked before anything is written.
void Interpreter::exec_save(const Save& s, Ctx& ctx) {
  std::vector<NamedTensor> named;
  for (const Expr& e : s.values) {
    const Name* n = e.get_if<Name>();
    if (!n) throw Error(e.span, "save writes params: name them (`save w, b to \"model.ckpt\"`)");
    for (const NamedTensor& prev : named)
      if (prev.first == n->text) throw Error(e.span, fmt::format("'{}' is saved twice", n->text));
    const Binding* b = lookup(n->text, ctx);
    if (!b) unknown_name(n->text, e.span, ctx);
    if (!b->is_param || !b->value.is_tensor())
      throw Error(e.span, fmt::format("'{}' is {}, not a param: save writes params only; nothing was written",
                                      n->text, not_a_param(*b)));
    named.push_back({n->text, b->value.tensor()});
  }
  const std::string path = to_path(s.path, ctx, "save");
  at_span(s.path.span, [&] { save_tensors(named, path); });
}

void Interpreter::save_tensors(const std::vector<NamedTensor>& named, const std::string& path) {
  const WriteReport r = save_checkpoint(path, named);
  // The names may come from a loaded checkpoint and the path from data: both are
  // echoed escaped (a path may hold ESC or a newline).
  std::vector<std::string> shown;
  for (const NamedTensor& n : named) shown.push_back(escape_for_message(n.first, kShownName));
  fmt::print(out(), "saved {} to {}\n", fmt::join(shown, ", "), escape_for_message(path, kShownPath));
  note_write(r, path);
}

namespace {

// Note [Checkpoint names]
// A checkpoint is data, yet `load` makes each of its names a binding. So a name must
// be one a script could bind with `param`: letters, digits and _, not starting with a
// digit, at most max_name_length of them, not a reserved word, builtin or constant (a contextual word such as
// `steps` is an ordinary name, as in a script), nor `none`, `_` or a REPL command word. Anything else would
// bind what no script can reach, shadow `relu`, `pi` or `none`, or carry terminal escapes into every later
// message.

// Why `name` cannot be bound from a checkpoint, or "" when it can.
std::string unbindable(const std::string& name) {
  if (name.empty()) return "an empty name";
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name[0])) return "not a name (a name starts with a letter or _)";
  if (name.size() > max_name_length)
    return fmt::format("not a name (longer than {} characters)", max_name_length);
  for (char c : name)
    if (!letter(c) && !(c >= '0' && c <= '9')) return "not a name (letters, digits and _ only)";
  if (syntax::is_reserved(name)) return "a reserved word";
  if (find_builtin(name)) return "the name of a builtin";
  for (const auto& [constant, value] : constants())
    if (constant == name) return "the name of a constant";
  // Names a session gives a meaning of its own: a checkpoint that bound them would
  // change what later lines mean (`none` read as 1; `help` no longer the REPL's).
  if (name == "none") return "the name of a constant";
  if (name == "_") return "the REPL's last value";
  if (name == "help" || name == "quit" || name == "exit") return "a REPL command";
  return "";
}

}  // namespace

// Note [Load is strict]
// `load` restores the params of the model that saved the checkpoint, as PyTorch's
// load_state_dict(strict=True) does: every name in the file must be a param here
// of the same shape, and every param here must be in the file. A checkpoint of
// another model is an error that names the first difference (in the file's order,
// then the params the file lacks) and changes nothing: every entry is checked
// before any value is written. Only a session with no params at all (a fresh REPL,
// a script that starts from a checkpoint) gets a new param for each saved name.
// A dtype may differ: the values are converted, as PyTorch's copy_ does.

// load PATH: restores the session's params, or binds them in a session without any.
void Interpreter::exec_load(const Load& l, Ctx& ctx) {
  load_params(to_path(l.path, ctx, "load"), l.path.span, ctx);
}

void Interpreter::load_params(const std::string& path, Span at, Ctx& ctx) {
  // load_checkpoint validates the whole file before we change anything.
  std::vector<CheckpointEntry> entries = at_span(at, [&] { return load_checkpoint(path); });
  const std::string shown_path = escape_for_message(path, kShownPath);
  // Every name is checked before any is bound (Note [Checkpoint names]).
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (const std::string why = unbindable(entries[i].name); !why.empty())
      throw Error(at, fmt::format("{}: tensor {} of the checkpoint is named '{}': {}; nothing was loaded",
                                  shown_path, i + 1, escape_for_message(entries[i].name), why));
  // The params this statement sees (a function's locals shadow globals).
  std::set<std::string> params;
  auto gather = [&](const Scope& scope) {
    for (const auto& [name, b] : scope)
      if (const Binding* seen = lookup(name, ctx); seen && seen->is_param) params.insert(name);
  };
  gather(globals_);
  if (ctx.locals) gather(*ctx.locals);
  auto refuse = [&](const std::string& why) { throw Error(at, why + "; nothing was loaded"); };
  // Check every entry (Note [Load is strict]).
  std::vector<Binding*> targets;
  for (const CheckpointEntry& e : entries) {
    Binding* b = lookup(e.name, ctx);
    if (b && !(b->is_param && b->value.is_tensor()))
      refuse(fmt::format("{} holds '{}', which is {} here, not a param", shown_path,
                         escape_for_message(e.name), not_a_param(*b)));
    if (!b && !params.empty())
      refuse(fmt::format("{} holds '{}', but there is no param '{}' here", shown_path,
                         escape_for_message(e.name), escape_for_message(e.name)));
    if (b && !(b->value.tensor().shape() == e.shape))
      refuse(fmt::format("'{}' has shape {} in {} but {} here", escape_for_message(e.name),
                         to_string(e.shape), shown_path, to_string(b->value.tensor().shape())));
    targets.push_back(b);
  }
  std::set<std::string> held;
  for (const CheckpointEntry& e : entries) held.insert(e.name);
  for (const std::string& name : params) {
    if (held.count(name)) continue;
    std::vector<std::string> in_file;
    for (const CheckpointEntry& e : entries) in_file.push_back(e.name);
    refuse(fmt::format("param '{}' is not in {} (it holds {})", escape_for_message(name), shown_path,
                       in_file.empty()
                           ? std::string("no tensors")
                           : escape_for_message(fmt::format("{}", fmt::join(in_file, ", ")), 120)));
  }
  // Every check passed: write the values, then bind the new params. The report
  // names the first kShownEntries (a file may hold 200,000: a line of megabytes).
  constexpr std::size_t kShownEntries = 8;
  std::vector<std::string> shown;
  std::vector<std::pair<std::string, Binding>> fresh;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const CheckpointEntry& e = entries[i];
    if (shown.size() < kShownEntries)
      shown.push_back(fmt::format("{} {}", escape_for_message(e.name, kShownName), to_string(e.shape)));
    if (targets[i]) continue;
    graph_.set_origin(origins_.with_binding(origins_.tag(ctx.source, at), e.name));
    const std::vector<double> vals = e.values();
    Tensor leaf = at_span(at, [&] { return graph_.param(e.shape, vals, e.dtype); });
    fresh.push_back({e.name, Binding{Value(leaf), true, nullptr, ctx.source}});
  }
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (targets[i]) targets[i]->value.tensor().set_values(entries[i].values());
  for (auto& [name, b] : fresh) bind(name, std::move(b), ctx);
  if (shown.empty())
    fmt::print(out(), "loaded nothing from {} (it holds no tensors)\n", shown_path);
  else
    fmt::print(
        out(), "loaded {}{} from {}\n", fmt::join(shown, ", "),
        entries.size() > shown.size() ? fmt::format(" and {} more", entries.size() - shown.size()) : "",
        shown_path);
}

}  // namespace hinge::lang

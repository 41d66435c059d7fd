// The core statements (let, param, assignment, def, return, if, for, print, bare
// expressions) and the helpers every statement uses: scopes, names with a
// did-you-mean, conversions with clear errors, the iteration budget.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "hinge/escape.hpp"
#include "syntax/keywords.hpp"
#include "syntax/spelling.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

// `range(...)` in a for loop iterates without building a list (range(10^8) is fine).
struct RangeSpec {
  int64_t start = 0, stop = 0, step = 1;
};

}  // namespace

// ---------------------------------------------------------------- running statements

bool Interpreter::exec_block(const std::vector<Stmt>& stmts, Ctx& ctx, Value* ret) {
  for (const Stmt& s : stmts)
    if (exec(s, ctx, ret)) return true;
  return false;
}

bool Interpreter::exec(const Stmt& s, Ctx& ctx, Value* ret) {
  // Ctrl-C during a long statement (a big matmul, say) stops before the next one.
  if (interrupt_requested()) throw Interrupted{ctx.source, s.span};
  collect_garbage_if_grown(ctx);  // Note [Compaction at entry boundaries]
  // Every error leaves here knowing its Source (Note [Origin tags] needs the same).
  try {
    return exec_stmt(s, ctx, ret);
  } catch (const SourcedError&) {
    throw;
  } catch (const Error& e) {
    throw SourcedError(ctx.source, e.diagnostic());
  } catch (const hinge::Interrupted&) {  // a long kernel saw Ctrl-C
    throw Interrupted{ctx.source, s.span};
  } catch (const hinge::Error& e) {
    throw SourcedError(ctx.source, {s.span, e.what()});
  } catch (const std::bad_alloc&) {
    throw SourcedError(ctx.source, {s.span, "out of memory"});
  } catch (const fmt::format_error& e) {
    throw SourcedError(ctx.source, {s.span, fmt::format("formatting failed: {}", e.what())});
  } catch (const std::filesystem::filesystem_error& e) {
    throw SourcedError(ctx.source, {s.span, e.code().message()});
  } catch (const std::length_error&) {
    throw SourcedError(ctx.source, {s.span, "out of memory (a size is too large)"});
  } catch (const std::exception& e) {
    // A bug in hinge, not in the script: still say where, never abort.
    throw SourcedError(ctx.source,
                       {s.span, fmt::format("internal error while running this statement ({})", e.what())});
  }
}

// let A, B = value: as Python unpacks `A, B = value`. A list gives its items, a
// tensor its slices along the first axis (as iterating a PyTorch tensor does); the
// count must match. Every name is bound only once all of them have a value.
void Interpreter::exec_let_unpack(const Let& l, Ctx& ctx, NodeId first_new) {
  std::vector<const Identifier*> names{&l.name};
  for (const Identifier& m : l.more) {
    for (const Identifier* n : names)
      if (n->text == m.text)
        throw Error(m.span, fmt::format("'{}' appears twice on the left of '='", m.text));
    names.push_back(&m);
  }
  const Value v = eval(l.value, ctx);
  std::vector<Value> items;
  if (v.is_list()) {
    items = v.list();
    if (items.size() != names.size())
      throw Error(l.value.span, fmt::format("{} names on the left of '=' but the list has {} items",
                                            names.size(), items.size()));
  } else if (v.is_tensor() && v.tensor().rank() >= 1) {
    const int64_t n = v.tensor().shape().dims[0];
    if (n != static_cast<int64_t>(names.size()))
      throw Error(l.value.span,
                  fmt::format("{} names on the left of '=' but the tensor {} unpacks into {} values",
                              names.size(), to_string(v.tensor().shape()), n));
    for (int64_t k = 0; k < n; ++k)
      items.push_back(Value(at_span(l.value.span, [&] { return index(v.tensor(), k); })));
  } else {
    throw Error(l.value.span, fmt::format("cannot unpack {} into {} names (a list or a tensor unpacks)",
                                          a_kind(v), names.size()));
  }
  for (std::size_t k = 0; k < names.size(); ++k) {
    const Identifier& n = *names[k];
    if (items[k].is_tensor()) name_node(items[k].tensor(), n.text, first_new);
    if (ctx.echo) fmt::print(out(), "{} = {}\n", n.text, format_repr(items[k], n.text.size() + 3));
  }
  // No `defining` expression: it gives the whole value, not this name's part (train
  // rebuilds a loss from its defining expression).
  for (std::size_t k = 0; k < names.size(); ++k)
    bind(names[k]->text, Binding{std::move(items[k]), false, nullptr, ctx.source}, ctx);
}

bool Interpreter::exec_stmt(const Stmt& s, Ctx& ctx, Value* ret) {
  const NodeId first_new = graph_.size();
  switch (s.kind()) {
    case StmtKind::let: {
      const Let& l = s.as<Let>();
      if (!l.more.empty()) {
        exec_let_unpack(l, ctx, first_new);
        return false;
      }
      Value v = eval(l.value, ctx);
      if (v.is_tensor()) name_node(v.tensor(), l.name.text, first_new);
      if (ctx.echo) fmt::print(out(), "{} = {}\n", l.name.text, format_repr(v, l.name.text.size() + 3));
      bind(l.name.text, Binding{std::move(v), false, &l.value, ctx.source}, ctx);
      return false;
    }

    case StmtKind::param: {
      const Param& p = s.as<Param>();
      Value v = eval(p.value, ctx);
      Tensor leaf;
      graph_.set_origin(origins_.with_binding(origins_.tag(ctx.source, s.span), p.name.text));
      if (v.is_number()) {
        const double x = v.number();
        leaf = at_span(p.value.span, [&] { return graph_.param(Shape{}, {&x, 1}); });
      } else if (v.is_tensor()) {
        const Tensor& t = v.tensor();
        leaf = at_span(p.value.span, [&] { return graph_.param(t.shape(), t.values(), t.dtype()); });
      } else {
        throw Error(p.value.span, fmt::format("a param is a number or a tensor, got {}", a_kind(v)));
      }
      if (ctx.echo)
        fmt::print(out(), "{} = {} (param)\n", p.name.text, format_repr(Value(leaf), p.name.text.size() + 3));
      bind(p.name.text, Binding{Value(leaf), true, &p.value, ctx.source}, ctx);
      return false;
    }

    case StmtKind::assign: {
      const Assign& a = s.as<Assign>();
      Binding* b = lookup(a.name.text, ctx);
      if (!b) unknown_name(a.name.text, a.name.span, ctx, "use `let` to define a new name");
      Value v = eval(a.value, ctx);
      if (b->is_param) {
        // A param keeps its identity (optimizers and graphs hold it): set its values.
        const Tensor& w = b->value.tensor();
        if (!(v.is_number() || v.is_tensor()))
          throw Error(a.value.span, fmt::format("'{}' is a param; assign a number or a tensor, got {}",
                                                a.name.text, a_kind(v)));
        std::vector<double> vals = v.is_number() ? std::vector<double>{v.number()} : v.tensor().values();
        if (v.is_tensor() && !(v.tensor().shape() == w.shape()))
          throw Error(
              a.value.span,
              fmt::format("'{}' is a param of shape {}; cannot assign a value of shape {} "
                          "(use `param {} = ...` to make a new one)",
                          a.name.text, to_string(w.shape()), to_string(v.tensor().shape()), a.name.text));
        if (v.is_number() && w.numel() != 1)
          for (int64_t k = 1; k < w.numel(); ++k) vals.push_back(vals[0]);
        w.set_values(vals);
        if (ctx.echo)
          fmt::print(out(), "{} = {} (param)\n", a.name.text, format_repr(b->value, a.name.text.size() + 3));
        return false;
      }
      if (v.is_tensor()) name_node(v.tensor(), a.name.text, first_new);
      if (ctx.echo) fmt::print(out(), "{} = {}\n", a.name.text, format_repr(v, a.name.text.size() + 3));
      b->value = std::move(v);
      b->defining = &a.value;
      if (b->source != ctx.source) b->source = ctx.source;
      return false;
    }

    case StmtKind::def: {
      const Def& d = s.as<Def>();
      auto f = std::make_shared<Function>();
      f->name = d.name.text;
      for (const Identifier& p : d.params) {
        if (std::find(f->params.begin(), f->params.end(), p.text) != f->params.end())
          throw Error(p.span, fmt::format("parameter '{}' appears twice", p.text));
        f->params.push_back(p.text);
      }
      f->body = d.body;
      f->source = ctx.source;
      bind(d.name.text,
           Binding{Value(std::shared_ptr<const Function>(std::move(f))), false, nullptr, ctx.source}, ctx);
      return false;
    }

    case StmtKind::return_: {
      if (!ctx.locals || !ret) throw Error(s.span, "'return' outside a function");
      *ret = eval(s.as<Return>().value, ctx);
      return true;
    }

    case StmtKind::if_: {
      const If& i = s.as<If>();
      Ctx inner = ctx;
      inner.echo = false;
      if (truthy(eval(i.condition, ctx), i.condition.span, "an if condition"))
        return exec_block(i.then_block.stmts, inner, ret);
      if (i.else_block) return exec_block(i.else_block->stmts, inner, ret);
      return false;
    }

    case StmtKind::for_: return exec_for(s.as<For>(), ctx, ret);

    case StmtKind::print: {
      std::string line;
      for (const Expr& e : s.as<Print>().values) {
        if (!line.empty()) line += ' ';
        // A tensor's continuation lines indent to its column on the current line,
        // not to the length of everything printed before it.
        const std::size_t nl = line.rfind('\n');
        line += format_plain(eval(e, ctx), nl == std::string::npos ? line.size() : line.size() - nl - 1);
      }
      fmt::print(out(), "{}\n", line);
      return false;
    }

    case StmtKind::expr: {
      Value v = eval(s.as<ExprStmt>().value, ctx);
      if (ctx.echo && !v.is_none()) {
        if (options_.display) {
          // A host that shows rich output gets the value itself (Jupyter's execute_result).
          Display d{{{"text/plain", format_repr(v)}}, true};
          if (std::string html = format_html(v); !html.empty())
            d.data.emplace_back("text/html", std::move(html));
          show(d);
        } else {
          fmt::print(out(), "{}\n", format_repr(v));
        }
        // `_` is the last value the REPL printed, as in Python (a param named `_`
        // is left alone).
        auto it = globals_.find("_");
        if (it == globals_.end() || !it->second.is_param)
          globals_["_"] = Binding{std::move(v), false, nullptr, ctx.source};
      }
      return false;
    }

    case StmtKind::train: exec_train(s.as<Train>(), s, ctx); return false;
    case StmtKind::grad: exec_grad(s.as<Grad>(), ctx); return false;
    case StmtKind::trace: exec_trace(s.as<Trace>(), ctx); return false;
    case StmtKind::gradcheck: exec_gradcheck(s.as<GradCheck>(), ctx); return false;
    case StmtKind::plot: exec_plot(s.as<Plot>(), ctx); return false;
    case StmtKind::pattern: exec_pattern(s.as<Pattern>(), s, ctx); return false;
    case StmtKind::save: exec_save(s.as<Save>(), ctx); return false;
    case StmtKind::load: exec_load(s.as<Load>(), ctx); return false;
    case StmtKind::import: {
      const Import& im = s.as<Import>();
      if (ctx.locals) throw Error(s.span, "'import' runs a file at top level, not inside a function");
      import_file(to_path(im.path, ctx, "import", PathBase::script_dir), im.path.span, ctx);
      return false;
    }
  }
  return false;
}

// for VAR in ITERABLE { BODY }: a list's items, a tensor's rows (numbers for 1-D),
// or range(...) counted without building a list.
bool Interpreter::exec_for(const For& f, Ctx& ctx, Value* ret) {
  Ctx inner = ctx;
  inner.echo = false;
  // The loop variable's binding, made or found once: it stays where it is (Note
  // [Recent globals]), and each item is bound as bind() would bind it.
  Binding* var = nullptr;
  auto run = [&](Value item) {
    tick(f.var.span, ctx);
    if (!var) var = &(ctx.locals ? *ctx.locals : globals_)[f.var.text];
    var->value = std::move(item);
    var->is_param = false;
    var->defining = nullptr;
    if (var->source != ctx.source) var->source = ctx.source;
    return exec_block(f.body.stmts, inner, ret);
  };

  const Call* c = f.iterable.get_if<Call>();
  const Name* callee = c ? c->callee->get_if<Name>() : nullptr;
  // Whole-number bounds only; anything else goes to the range builtin (doubles, keywords).
  std::vector<Value> bounds;
  if (callee && callee->text == "range" && !lookup("range", ctx) && c->kwargs.empty() && !c->args.empty() &&
      c->args.size() <= 3) {
    for (const Expr& e : c->args) bounds.push_back(eval(e, ctx));
  }
  const bool whole_bounds = !bounds.empty() && std::all_of(bounds.begin(), bounds.end(), [](const Value& v) {
    // Up to 2^62, so k + step never leaves int64; the iteration budget ends a long loop.
    return v.is_number() && v.number() == std::trunc(v.number()) && std::fabs(v.number()) <= 0x1p62;
  });
  if (whole_bounds) {
    std::vector<int64_t> a;
    for (const Value& v : bounds) a.push_back(static_cast<int64_t>(v.number()));
    RangeSpec r;
    if (a.size() == 1)
      r.stop = a[0];
    else {
      r.start = a[0];
      r.stop = a[1];
    }
    if (a.size() == 3) r.step = a[2];
    if (r.step == 0) throw Error(c->args[2].span, "the range step is zero");
    for (int64_t k = r.start; r.step > 0 ? k < r.stop : k > r.stop; k += r.step)
      if (run(Value(static_cast<double>(k)))) return true;
    return false;
  }

  Value it;
  if (!bounds.empty()) {  // range(...) with other bounds: evaluated once above, call the builtin
    std::vector<Arg> pos;
    for (std::size_t k = 0; k < bounds.size(); ++k) pos.push_back({bounds[k], c->args[k].span});
    stamp(ctx, f.iterable.span);
    it = call(lookup_value("range", f.iterable.span, ctx), std::move(pos), {}, f.iterable.span, ctx);
  } else {
    it = eval(f.iterable, ctx);
  }
  // The body may rebind the name that held it, and compaction between the body's
  // statements (at the top level) may renumber it.
  const Pin pin(*this, it);
  if (it.is_list()) {
    const ListPtr hold = std::get<ListPtr>(it.v);
    const std::size_t n = hold->size();
    for (std::size_t k = 0; k < n; ++k)
      if (run((*hold)[k])) return true;
    return false;
  }
  if (it.is_tensor()) {
    if (it.tensor().rank() == 0)
      throw Error(f.iterable.span, "cannot iterate over a scalar (a tensor of rank 0)");
    const int64_t n = it.tensor().shape().dims[0];
    for (int64_t k = 0; k < n; ++k) {
      const Tensor t = it.tensor();  // read again each time: renumbered by compaction
      Value item;
      if (t.rank() == 1) {
        item = Value(t.at(k));
      } else {
        stamp(ctx, f.iterable.span);
        item = at_span(f.iterable.span, [&] { return Value(hinge::index(t, k)); });
      }
      if (run(std::move(item))) return true;
    }
    return false;
  }
  throw Error(f.iterable.span,
              fmt::format("cannot iterate over {}; use a list, a tensor or range(n)", a_kind(it)));
}

// ---------------------------------------------------------------- names

// Note [Recent globals]
// A loop reads and assigns the same global names at every iteration, and each
// search of the scope's map compares strings. A scope never loses a binding (a
// rebinding replaces its value in place; :reset makes a new session), so a binding
// once found stays where it is: the latest finds are kept by the address of the
// name's text in the program, which is compared again before it is trusted (an
// address may come back holding another name).
Binding* Interpreter::lookup_searched(const std::string& name, Ctx& ctx) {
  if (ctx.locals) {
    auto it = ctx.locals->find(name);
    if (it != ctx.locals->end()) return &it->second;
  }
  RecentGlobal& r = recent_globals_[recent_global_slot(name)];
  if (r.name == &name && r.it->first == name) return &r.it->second;
  auto it = globals_.find(name);
  if (it == globals_.end()) return nullptr;
  r = {&name, it};
  return &it->second;
}

Value Interpreter::lookup_value(const std::string& name, Span span, Ctx& ctx) {
  if (Binding* b = lookup(name, ctx)) {
    at_span(span, [&] { refresh(b->value); });  // Note [Live bindings]
    return b->value;
  }
  if (const Builtin* b = find_builtin(name)) return Value(b);
  for (const auto& [cname, value] : constants())
    if (cname == name) return Value(value);
  // `none`: "not given" for an optional argument (`transpose(x, perm=none)`, as the
  // signatures write it), Python's None.
  if (name == "none") return Value();
  unknown_name(name, span, ctx);
}

void Interpreter::bind(const std::string& name, Binding b, Ctx& ctx) {
  Scope& scope = ctx.locals ? *ctx.locals : globals_;
  scope[name] = std::move(b);
}

void Interpreter::unknown_name(const std::string& name, Span span, Ctx& ctx, const char* hint) {
  std::string best;
  if (name.size() > 64) throw Error(span, fmt::format("unknown name '{}'", name));
  // One- and two-letter names would "match" every short name: no suggestion.
  std::size_t best_d = name.size() <= 2 ? 1 : std::max<std::size_t>(1, name.size() / 3) + 1;
  auto consider = [&](std::string_view cand) {
    std::size_t d = edit_distance(name, cand);
    if (d < best_d) {
      best_d = d;
      best = cand;
    }
  };
  if (ctx.locals)
    for (const auto& [n, b] : *ctx.locals) consider(n);
  for (const auto& [n, b] : globals_) consider(n);
  for (const Builtin& b : builtins()) consider(b.name);
  for (const auto& [n, v] : constants()) consider(n);
  consider("none");
  // A name that differs only in case is what was meant (`Relu` is `relu`, not `elu`;
  // Python's `True` is `true`), whatever the edit distance says.
  auto folded = [](std::string_view w) {
    std::string r(w);
    for (char& ch : r) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return r;
  };
  const std::string want = folded(name);
  std::string same_but_case;
  auto consider_case = [&](std::string_view cand) {
    if (same_but_case.empty() && cand != name && folded(cand) == want) same_but_case = cand;
  };
  if (ctx.locals)
    for (const auto& [n, b] : *ctx.locals) consider_case(n);
  for (const auto& [n, b] : globals_) consider_case(n);
  for (const Builtin& b : builtins()) consider_case(b.name);
  for (const auto& [n, v] : constants()) consider_case(n);
  consider_case("none");
  for (const syntax::Keyword& k : syntax::kKeywords)
    if (k.operand) consider_case(k.word);  // true, false
  if (!same_but_case.empty()) best = same_but_case;
  std::string msg = fmt::format("unknown name '{}'", name);
  if (!best.empty())
    msg += fmt::format("; did you mean '{}'?", best);
  else if (hint)
    msg += fmt::format(" ({})", hint);
  throw Error(span, msg);
}

void Interpreter::name_node(const Tensor& t, const std::string& name, NodeId first_new) {
  if (t.g != &graph_ || t.id < first_new) return;  // not built by this statement
  Node& n = graph_[t.id];
  n.origin = origins_.with_binding(n.origin, name);
}

// ---------------------------------------------------------------- conversions

Tensor Interpreter::to_tensor(const Value& v, Span span, const char* what) {
  if (v.is_tensor()) return v.tensor();
  if (v.is_number()) return at_span(span, [&] { return graph_.scalar(v.number()); });
  throw Error(span, fmt::format("{} must be a tensor or a number, got {}", what, a_kind(v)));
}

double Interpreter::to_number(const Value& v, Span span, const char* what) {
  if (v.is_number()) return v.number();
  if (v.is_tensor() && v.tensor().numel() == 1) return v.tensor().item();
  throw Error(span, fmt::format("{} must be a number, got {}", what, a_kind(v)));
}

int64_t Interpreter::to_integer(const Value& v, Span span, const char* what) {
  if (!(v.is_number() || (v.is_tensor() && v.tensor().numel() == 1)))
    throw Error(span, fmt::format("{} must be a whole number, got {}", what, a_kind(v)));
  const double x = to_number(v, span, what);
  if (!std::isfinite(x) || x != std::trunc(x) || std::fabs(x) > 9.0e15)
    throw Error(span, fmt::format("{} must be a whole number, got {}", what, format_number(x)));
  return static_cast<int64_t>(x);
}

bool Interpreter::truthy(const Value& v, Span span, const char* what) {
  if (v.is_bool()) return std::get<bool>(v.v);
  if (v.is_tensor() && v.tensor().numel() == 1) return v.tensor().item() != 0;
  throw Error(span, fmt::format("{} needs a bool, got {}", what, a_kind(v)));
}

// Note [Paths]: what a program writes, and the checkpoints it loads, are relative to
// the working directory; the code it runs (import) is relative to the file that names
// it (csv, in builtins/data.cpp, likewise), so a script finds the files shipped beside it.
std::string Interpreter::to_path(const Expr& e, Ctx& ctx, const char* what, PathBase base) {
  Value v = eval(e, ctx);
  if (!v.is_string())
    throw Error(e.span, fmt::format("{} needs a file path (a string), got {}", what, a_kind(v)));
  if (v.string().empty()) throw Error(e.span, "the file path is empty");
  std::filesystem::path p(v.string());
  if (base == PathBase::working_dir || p.is_absolute() || ctx.base_dir.empty() || ctx.base_dir == ".")
    return p.string();
  return (std::filesystem::path(ctx.base_dir) / p).string();
}

std::string Interpreter::text_of(const Ctx& ctx, Span span) const {
  const std::string& t = ctx.source->text;
  if (span.begin >= t.size()) return "";
  return terminal_line(
      std::string_view(t).substr(span.begin, std::min<std::size_t>(span.size(), t.size() - span.begin)));
}

void Interpreter::tick(Span span, Ctx& ctx) {
  if (++iterations_ > options_.limits.max_iterations)
    throw Error(span, fmt::format("iteration budget exhausted: more than {} loop iterations and calls "
                                  "(raise it with --max-iterations)",
                                  options_.limits.max_iterations));
  if (interrupt_requested()) throw Interrupted{ctx.source, span};
}

}  // namespace hinge::lang

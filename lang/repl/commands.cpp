// The `:commands` of the REPL and the Jupyter kernel: parsing the command line, running each command against
// the current session, and reporting a mistyped one with a did-you-mean.
#include "repl/commands.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "builtins/family.hpp"
#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "hinge/checkpoint.hpp"
#include "repl/complete.hpp"
#include "syntax/diagnostics.hpp"
#include "syntax/spelling.hpp"

namespace hinge::lang {

namespace {

// The command line split into the command word and the rest, with the span of
// each (for carets).
struct CommandLine {
  std::string text;  // the whole line, as the Source errors point into
  std::string name;
  Span name_span;
  std::string arg;  // trimmed
  Span arg_span;
};

CommandLine split(const std::string& line) {
  CommandLine c{line, {}, {}, {}, {}};
  std::size_t i = line.find(':');
  const std::size_t name_begin = i + 1;
  std::size_t j = name_begin;
  while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
  c.name = line.substr(name_begin, j - name_begin);
  c.name_span = {static_cast<uint32_t>(i), static_cast<uint32_t>(j)};
  std::size_t a = line.find_first_not_of(" \t", j);
  std::size_t b = line.find_last_not_of(" \t\r\n");
  if (a != std::string::npos && b != std::string::npos && b >= a) {
    c.arg = line.substr(a, b - a + 1);
    c.arg_span = {static_cast<uint32_t>(a), static_cast<uint32_t>(b + 1)};
  } else {
    c.arg_span = {static_cast<uint32_t>(line.size()), static_cast<uint32_t>(line.size())};
  }
  return c;
}

Status fail(ReplState& st, const CommandLine& c, Span span, const std::string& message) {
  std::FILE* out = st.current().options().out;
  std::fflush(out);
  const Source src = make_source("<repl>", c.text, st.line_no);
  fmt::print(st.current().options().err, "{}", render(src, {span, message}));
  return Status::runtime_error;
}

// A path written with or without quotes: the text between the quotes, as it is.
std::string unquote(std::string s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

// ---------------------------------------------------------------- :vars

VarRow describe_binding(const std::string& name, const Binding& b) {
  VarRow r{name, {}, {}, {}};
  const Value& v = b.value;
  if (v.is_tensor()) {
    const Tensor& t = v.tensor();
    r.kind = b.is_param ? "param" : "tensor";
    r.shape = fmt::format("{} {}", to_string(t.shape()), dtype_name(t.dtype()));
    if (t.numel() == 1) {
      r.value = format_number(t.values().front());
    } else if (t.numel() > 1) {
      const auto vals = t.values();
      const auto [lo, hi] = std::minmax_element(vals.begin(), vals.end());
      // A summary: six digits are enough to recognise a value (printing it gives all).
      r.value = fmt::format("min {:.6g}, max {:.6g}", *lo, *hi);
    }
  } else if (v.is_function()) {
    const auto& f = *std::get<std::shared_ptr<const Function>>(v.v);
    r.kind = "function";
    r.value = fmt::format("{}({})", f.name, fmt::join(f.params, ", "));
  } else if (v.is_builtin()) {
    const Builtin* bi = std::get<const Builtin*>(v.v);
    r.kind = "builtin";
    r.value = fmt::format("{}({})", bi->name, bi->params);
  } else if (v.is_list()) {
    r.kind = "list";
    r.shape = fmt::format("{} items", v.list().size());
  } else {
    r.kind = v.is_optimizer() ? "optimizer" : kind_name(v);
    r.value = format_repr(v);
    if (r.value.find('\n') != std::string::npos) r.value = r.value.substr(0, r.value.find('\n')) + " ...";
  }
  if (r.value.size() > 48) r.value = r.value.substr(0, 45) + "...";
  return r;
}

namespace {

Status cmd_vars(ReplState& st) {
  std::FILE* out = st.current().options().out;
  std::vector<VarRow> rows;
  for (const auto& [name, b] : st.current().interpreter().globals()) {
    if (name == "args" && b.value.is_list() && b.value.list().empty())
      continue;                                   // the REPL has no script arguments
    st.current().interpreter().refresh(b.value);  // current values (Note [Live bindings])
    rows.push_back(describe_binding(name, b));
  }
  if (rows.empty()) {
    fmt::print(out, "no names bound yet\n");
    return Status::ok;
  }
  std::size_t wn = 4, wk = 4, ws = 5;
  for (const VarRow& r : rows) {
    wn = std::max(wn, r.name.size());
    wk = std::max(wk, r.kind.size());
    ws = std::max(ws, r.shape.size());
  }
  fmt::print(out, "{:<{}}  {:<{}}  {:<{}}  {}\n", "name", wn, "kind", wk, "shape", ws, "value");
  for (const VarRow& r : rows) {
    const std::string line =
        fmt::format("{:<{}}  {:<{}}  {:<{}}  {}", r.name, wn, r.kind, wk, r.shape, ws, r.value);
    fmt::print(out, "{}\n", line.substr(0, line.find_last_not_of(' ') + 1));
  }
  return Status::ok;
}

// ---------------------------------------------------------------- :grad

// `:grad X` runs as the statement `grad X`, written so that X stands where it was
// typed: an error's column and caret then match the line the person sees above
// (with the statement flush left, `:grad nope` was blamed at column 6, not 7).
Status run_as_statement(ReplState& st, const CommandLine& c, const std::string& keyword) {
  const std::size_t lead = c.arg_span.begin > keyword.size() + 1 ? c.arg_span.begin - keyword.size() - 1 : 0;
  return st.current().run_entry(std::string(lead, ' ') + keyword + " " + c.arg, "<repl>", st.line_no);
}

Status cmd_grad(ReplState& st, const CommandLine& c) {
  if (c.arg.empty())
    return fail(st, c, c.arg_span, "':grad' needs a target: ':grad loss' or ':grad loss wrt w'");
  return run_as_statement(st, c, "grad");  // without wrt: every param it depends on
}

// ---------------------------------------------------------------- :load, :save

// A checkpoint given to :load: the session's load itself, the path taken literally.
Status load_checkpoint_here(ReplState& st, const CommandLine& c, const std::string& path) {
  Ctx ctx;
  ctx.source = std::make_shared<const Source>(make_source("<repl>", c.text, st.line_no));
  try {
    st.current().interpreter().load_params(path, c.arg_span, ctx);
  } catch (const Error& e) {
    return fail(st, c, e.diagnostic().span, e.diagnostic().message);
  } catch (const hinge::Interrupted&) {  // Ctrl-C while a FIFO kept the read waiting
    fail(st, c, c.arg_span, "interrupted (Ctrl-C)");
    return Status::interrupted;
  } catch (const hinge::Error& e) {
    return fail(st, c, c.arg_span, e.what());
  } catch (const std::bad_alloc&) {
    return fail(st, c, c.arg_span, "out of memory");
  }
  return Status::ok;
}

Status cmd_load(ReplState& st, const CommandLine& c) {
  if (c.arg.empty()) return fail(st, c, c.arg_span, "':load' needs a file: ':load fit.hinge'");
  const std::string path = unquote(c.arg);
  // The file's first bytes decide: a checkpoint's header loads it as `load` does,
  // anything else runs as a script (a checkpoint run as a script would show its
  // binary as a syntax error). Except a file named as a checkpoint: one who loads
  // model.ckpt expects data, and it never runs as code.
  // A missing file is this command's error, shown under the line typed.
  if (std::error_code ec; !std::filesystem::exists(path, ec))
    return fail(st, c, c.arg_span,
                fmt::format("cannot read {}: {}", escape_for_message(path, 200),
                            ec ? ec.message() : std::string("No such file or directory")));
  if (hinge::is_checkpoint_file(path)) return load_checkpoint_here(st, c, path);
  std::string extension = std::filesystem::path(path).extension().string();  // .ckpt, .CKPT, .Ckpt: one name
  for (char& ch : extension) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (extension == ".ckpt")
    return fail(
        st, c, c.arg_span,
        fmt::format("{} is named as a checkpoint but is not one (its first bytes are not a hinge "
                    "checkpoint's); a .ckpt file (in any case) is never run as a script, so nothing was run",
                    escape_for_message(path, 200)));
  Session& s = st.current();
  std::map<std::string, const void*> before;
  for (const auto& [name, b] : s.interpreter().globals()) before[name] = &b;
  const Status status = s.run_file(path);
  std::vector<std::string> bound;  // names and path echoed escaped: both are data here
  for (const auto& [name, b] : s.interpreter().globals())
    if (!before.count(name)) bound.push_back(escape_for_message(name, 80));
  if (status == Status::ok || !bound.empty())
    fmt::print(
        s.options().out, "{} {}: {}\n", status == Status::ok ? "loaded" : "partly loaded",
        escape_for_message(path, 200),
        bound.empty() ? std::string("no new names") : fmt::format("new names {}", fmt::join(bound, ", ")));
  return status;
}

Status cmd_save(ReplState& st, const CommandLine& c) {
  if (c.arg.empty()) return fail(st, c, c.arg_span, "':save' needs a file: ':save model.ckpt'");
  // The session's save itself, the path taken literally: no source text is built
  // from the param names (a loaded checkpoint chose them) or the path.
  Interpreter& in = st.current().interpreter();
  std::vector<NamedTensor> params;
  for (const auto& [name, b] : in.globals()) {
    if (!b.is_param) continue;
    if (b.value.is_tensor())
      params.push_back({name, b.value.tensor()});
    else if (b.value.is_number())
      params.push_back({name, in.graph().scalar(b.value.number())});
  }
  if (params.empty()) return fail(st, c, c.name_span, "there are no params to save (make one with `param`)");
  try {
    in.save_tensors(params, unquote(c.arg));
  } catch (const hinge::Error& e) {
    return fail(st, c, c.arg_span, e.what());
  } catch (const std::bad_alloc&) {
    return fail(st, c, c.arg_span, "out of memory");
  }
  return Status::ok;
}

// ---------------------------------------------------------------- the rest

Status cmd_help(ReplState& st, const CommandLine& c) {
  std::FILE* out = st.current().options().out;
  if (c.arg.empty()) {
    print_help_overview(out);
    return Status::ok;
  }
  if (print_help_topic(out, c.arg, st.current().options())) return Status::ok;
  const std::vector<std::string> topics = help_topics();
  const std::string guess = closest_name(c.arg, topics);
  return fail(st, c, c.arg_span,
              fmt::format("no help for '{}'{}", escape_for_message(c.arg),
                          guess.empty() ? "" : fmt::format("; did you mean '{}'?", guess)));
}

Status cmd_time(ReplState& st, const CommandLine& c) {
  if (c.arg == "on" || c.arg == "off")
    st.timing = c.arg == "on";
  else if (c.arg.empty())
    st.timing = !st.timing;
  else
    return fail(st, c, c.arg_span, fmt::format("':time' takes 'on' or 'off', not '{}'", c.arg));
  fmt::print(st.current().options().out, "timing {}\n", st.timing ? "on" : "off");
  return Status::ok;
}

Status cmd_reset(ReplState& st) {
  auto fresh = std::make_unique<Session>(st.current().options());
  st.session = fresh.get();
  st.owned = std::move(fresh);  // the previous session (if made by :reset) goes now
  const SessionOptions& o = st.current().options();
  fmt::print(o.out, "a fresh session (seed {}, {}): every name is gone\n", o.seed, dtype_name(o.dtype));
  return Status::ok;
}

}  // namespace

Status run_command(ReplState& st, const std::string& line) {
  const CommandLine c = split(line);
  const std::string& n = c.name;
  auto no_argument = [&]() -> bool { return c.arg.empty(); };
  if (n == "help" || n == "h" || n == "?") return cmd_help(st, c);
  if (n == "vars" && no_argument()) return cmd_vars(st);
  if (n == "grad") return cmd_grad(st, c);
  if (n == "trace") {
    if (c.arg.empty()) return fail(st, c, c.arg_span, "':trace' needs a target: ':trace loss'");
    return run_as_statement(st, c, "trace");
  }
  if (n == "time") return cmd_time(st, c);
  if (n == "load") return cmd_load(st, c);
  if (n == "save") return cmd_save(st, c);
  if (n == "reset" && no_argument()) return cmd_reset(st);
  if ((n == "quit" || n == "q" || n == "exit") && no_argument()) {
    st.quit = true;
    return Status::ok;
  }
  for (const ReplCommand& rc : repl_commands())
    if (rc.name == n) return fail(st, c, c.arg_span, fmt::format("':{}' takes no argument", n));
  if (n.empty()) return fail(st, c, c.name_span, "expected a command after ':' (try ':help')");
  std::vector<std::string> names;
  for (const ReplCommand& rc : repl_commands()) names.emplace_back(rc.name);
  const std::string guess = closest_name(n, names);
  return fail(st, c, c.name_span,
              fmt::format("unknown command ':{}'; {}", escape_for_message(n),
                          guess.empty() ? std::string("':help' lists the commands")
                                        : fmt::format("did you mean ':{}'?", guess)));
}

}  // namespace hinge::lang

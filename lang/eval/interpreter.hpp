// Interpreter: the state behind a Session (graph, RNG, bindings, origin table) and
// the tree walker over syntax/tree.hpp. Expressions live in expressions.cpp,
// statements in statements.cpp and one file per statement (grad.cpp, io.cpp,
// pattern.cpp, plot.cpp, trace.cpp, train.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "builtins/builtin.hpp"
#include "eval/session.hpp"
#include "eval/value.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/checkpoint.hpp"
#include "hinge/errors.hpp"
#include "hinge/graph.hpp"
#include "hinge/interrupt.hpp"
#include "hinge/rng.hpp"
#include "syntax/diagnostics.hpp"
#include "syntax/parse.hpp"
#include "syntax/tree.hpp"

namespace hinge::lang {

struct ExplainOptions;  // explain/explain.hpp

// One name in a scope. `defining` is the expression a `let` bound it from (train
// re-evaluates it for mini-batches); `source` keeps that expression's text alive.
struct Binding {
  Value value;
  bool is_param = false;
  const syntax::Expr* defining = nullptr;
  std::shared_ptr<const Source> source;
};

using Scope = std::map<std::string, Binding>;

// A lang::Error that knows which Source its span points into, so an error inside
// a function defined in another file (or an earlier REPL entry) renders against
// the right text. `syntax` marks parse failures (exit status 65).
class SourcedError : public Error {
 public:
  SourcedError(std::shared_ptr<const Source> source, Diagnostic d, bool syntax = false)
      : Error(std::move(d)), source_(std::move(source)), syntax_(syntax) {}
  const std::shared_ptr<const Source>& source() const { return source_; }
  bool is_syntax() const { return syntax_; }

 private:
  std::shared_ptr<const Source> source_;
  bool syntax_;
};

// Thrown when SIGINT arrives during a loop (train handles it itself).
struct Interrupted {
  std::shared_ptr<const Source> source;
  Span span;
  bool reported = false;  // train already said where it stopped
};

// Note [Origin tags]
// Every graph node carries an opaque uint32 origin (Graph::set_origin). Tag 0 means
// "unknown"; every other tag is a row here: the source and span of the expression
// that built the node, and the binding name when a `let` or `param` bound it. The
// interpreter sets the origin just before it calls into the engine for an
// expression, so a trace or a NaN report can say "relu at fit.hinge:4:9 (h)".
struct Origin {
  std::shared_ptr<const Source> source;
  Span span;
  std::string binding;  // "" unless a let/param bound exactly this node
  // For a node a graph-building gradient made: "adjoint of sin at f.hinge:2:9 (y)"
  // or "backward of ..." (Note [gradient is a node] in builtins/analysis.cpp).
  std::string backward_of;
};

class OriginTable {
 public:
  OriginTable() { rows_.push_back({}); }
  // The tag of (source, span), made on first use. Inline, with the search out of
  // line: a loop's operators find their tags among the recent ones, and a call
  // that can search saves and restores six registers (Note [Recent origin tags]).
  uint32_t tag(const std::shared_ptr<const Source>& source, Span span) {
    const RecentSpan& r = recent_spans_[recent_span_slot(span)];
    if (r.source == source.get() && r.source && r.begin == span.begin && r.end == span.end) return r.tag;
    return tag_searched(source, span);
  }
  // The tag like `base` but naming the binding, made on first use: a loop that
  // rebinds `y` a million times adds one row, not a million. Inline as tag() is.
  uint32_t with_binding(uint32_t base, const std::string& name) {
    const RecentBinding& r = recent_bindings_[base % kRecent];
    if (r.tag != 0 && r.base == base && r.name == name) return r.tag;
    return with_binding_searched(base, name);
  }
  // A tag like `base` that says which forward node a backward node belongs to
  // (Origin::backward_of), made once per (base, text).
  uint32_t with_backward(uint32_t base, const std::string& text);
  // The row of a tag, or nullptr for 0 / unknown tags.
  const Origin* find(uint32_t tag) const;
  // "fit.hinge:4:9" (and " (h)" when bound), or "" when unknown.
  std::string describe(uint32_t tag) const;

 private:
  // Note [Recent origin tags]
  // A loop asks for the same few tags at every iteration: the tag of each operator
  // it runs, and the tag naming each binding it assigns. Searching the maps below
  // for them was a tenth of the interpreter's time per op, so the latest answers
  // are kept in small arrays indexed by a hash of the question (a collision only
  // means a search). Tags are never removed, so a kept answer stays right.
  // The recent answers are read inline and the searches are out of line (tag(),
  // with_binding(), and Interpreter::lookup the same way): a function that could
  // search saved and restored six registers on every call. With that, the leaves
  // evaluated before eval's depth guard, a tensor assigned over a tensor without
  // the variant's visit, a current binding's refresh inline (refresh()), and the
  // recent operand constants (Interpreter::operand_constant), tests/bench/loop.hinge
  // runs 671 instructions per op instead of 807 (callgrind, the whole process).
  struct RecentSpan {
    const Source* source = nullptr;
    uint32_t begin = 0, end = 0, tag = 0;
  };
  struct RecentBinding {
    uint32_t base = 0, tag = 0;  // tag 0: empty
    std::string name;
  };
  static constexpr std::size_t kRecent = 64;
  static std::size_t recent_span_slot(Span span) { return (span.begin * 31 + span.end) % kRecent; }
  // tag() and with_binding() when the answer is not a recent one: the maps'
  // search, which keeps its answer among the recent ones.
  uint32_t tag_searched(const std::shared_ptr<const Source>& source, Span span);
  uint32_t with_binding_searched(uint32_t base, const std::string& name);
  std::array<RecentSpan, kRecent> recent_spans_{};
  std::array<RecentBinding, kRecent> recent_bindings_{};

  std::vector<Origin> rows_;
  std::map<std::tuple<const Source*, uint32_t, uint32_t>, uint32_t> index_;
  std::map<std::pair<uint32_t, std::string>, uint32_t> backward_index_;
  std::map<std::pair<uint32_t, std::string>, uint32_t, std::less<>> bound_;  // (base, name) -> tag
};

// Where an expression is being evaluated: its source, the local scope of the
// function being run (nullptr at top level), and the script's directory.
struct Ctx {
  std::shared_ptr<const Source> source;
  Scope* locals = nullptr;
  std::string base_dir = ".";
  bool echo = false;  // REPL top level: show values and bindings
};

class Interpreter {
 public:
  explicit Interpreter(SessionOptions options);

  // ---- running (interpreter.cpp) ----
  // Runs on a large stack of its own (Note [A stack of its own]).
  // `first_line` numbers the text's first line (a piped REPL entry continues the
  // numbering of the whole input).
  Status run_script(const std::string& name, std::string text, bool echo, const std::string& base_dir,
                    uint32_t first_line = 1);
  Status run_script_here(const std::string& name, std::string text, bool echo, const std::string& base_dir,
                         uint32_t first_line = 1);
  Status run_file(const std::string& path);
  bool is_incomplete(const std::string& text) const;
  // Parses and runs a file inside the running program (import); errors propagate.
  void import_file(const std::string& path, Span at, const Ctx& ctx);

  // ---- the walker ----
  Value eval(const syntax::Expr& e, Ctx& ctx);  // expressions.cpp
  Value eval_node(const syntax::Expr& e, Ctx& ctx);
  Value eval_binary(syntax::BinaryOp op, const Value& l, const Value& r, const syntax::Expr& e, Ctx& ctx);
  [[noreturn]] void throw_type_error(syntax::BinaryOp op, const syntax::Binary& b, const Value& l,
                                     const Value& r, Ctx& ctx);
  Value eval_index(const syntax::Index& ix, const syntax::Expr& e, Ctx& ctx);
  // Runs statements; returns true when a `return` ran (its value in *ret).
  bool exec_block(const std::vector<syntax::Stmt>& stmts, Ctx& ctx, Value* ret);  // statements.cpp
  bool exec(const syntax::Stmt& s, Ctx& ctx, Value* ret);
  bool exec_stmt(const syntax::Stmt& s, Ctx& ctx, Value* ret);
  void exec_let_unpack(const syntax::Let& l, Ctx& ctx, NodeId first_new);  // let A, B = value
  bool exec_for(const syntax::For& f, Ctx& ctx, Value* ret);

  // Statement handlers beyond the core ones (stmt_*.cpp, train.cpp).
  void exec_train(const syntax::Train& t, const syntax::Stmt& s, Ctx& ctx);
  void params_of(const Tensor& y, std::vector<Tensor>& xs, std::vector<std::string>& names);
  void exec_grad(const syntax::Grad& g, Ctx& ctx);
  // Why no gradient reaches t, written at `span` (Note [No gradient reaches it]).
  std::string no_gradient_reason(const Tensor& t, Span span, const Ctx& ctx) const;
  void exec_gradcheck(const syntax::GradCheck& g, Ctx& ctx);
  void exec_trace(const syntax::Trace& t, Ctx& ctx);
  // What trace and grad give the explainer: each node's source position and text
  // (positions name the file only when it is not ctx's), and the session's params.
  ExplainOptions explain_options(const Ctx& ctx);
  void exec_plot(const syntax::Plot& p, Ctx& ctx);
  void exec_pattern(const syntax::Pattern& p, const syntax::Stmt& s, Ctx& ctx);
  void exec_save(const syntax::Save& s, Ctx& ctx);
  void exec_load(const syntax::Load& l, Ctx& ctx);
  // Writes `named` to the checkpoint `path`, taken as it is (no interpolation, no base
  // directory), and says what was saved; engine errors propagate. The `save` statement
  // and the REPL's `:save` both come here: no command builds source text to save.
  void save_tensors(const std::vector<NamedTensor>& named, const std::string& path);
  // Loads the checkpoint `path`, taken as it is, into the params (Note [Load is
  // strict] in io.cpp); errors are placed at `at`. The `load` statement and the
  // REPL's `:load` of a checkpoint both come here.
  void load_params(const std::string& path, Span at, Ctx& ctx);

  // ---- values and names ----
  // The binding of `name` in ctx's scope, or null. Inline for a global found among
  // the recent ones (Note [Recent globals] in statements.cpp), with every search out
  // of line: a call that can search saves and restores registers on every read.
  Binding* lookup(const std::string& name, Ctx& ctx) {
    if (!ctx.locals) {
      const RecentGlobal& r = recent_globals_[recent_global_slot(name)];
      if (r.name == &name && r.it->first == name) return &r.it->second;
    }
    return lookup_searched(name, ctx);
  }
  Binding* lookup_searched(const std::string& name, Ctx& ctx);
  Value lookup_value(const std::string& name, Span span, Ctx& ctx);
  void bind(const std::string& name, Binding b, Ctx& ctx);
  // "unknown name 'x'" plus a did-you-mean over bindings, builtins and constants.
  [[noreturn]] void unknown_name(const std::string& name, Span span, Ctx& ctx, const char* hint = nullptr);
  // A number that meets a tensor in an operator, as a scalar constant of dtype `dt`:
  // the one `operand` made before while it still holds that number (Note [One
  // constant per operand] in expressions.cpp).
  Tensor operand_constant(double x, DType dt, const syntax::Expr& operand);
  // Evaluates to a tensor (numbers become scalar constants); `what` names the use.
  Tensor to_tensor(const Value& v, Span span, const char* what);
  double to_number(const Value& v, Span span, const char* what);
  int64_t to_integer(const Value& v, Span span, const char* what);
  bool truthy(const Value& v, Span span, const char* what);
  // A path a statement names, resolved as Note [Paths] (statements.cpp) says.
  enum class PathBase { working_dir, script_dir };
  std::string to_path(const syntax::Expr& e, Ctx& ctx, const char* what,
                      PathBase base = PathBase::working_dir);
  // Says what a write cleaned up (temporaries that killed saves of the file left).
  void note_write(const WriteReport& r, const std::string& path);
  // The source text of a span as it is shown: on one line, escaped (terminal_line).
  std::string text_of(const Ctx& ctx, Span span) const;

  // Counts one loop iteration or call against the budget and polls SIGINT.
  void tick(Span span, Ctx& ctx);

  // Call a function value (builtin or user) with evaluated arguments.
  Value call(const Value& callee, std::vector<Arg> pos, std::vector<std::pair<std::string, Arg>> kw,
             Span call_span, Ctx& ctx);

  Graph& graph() { return graph_; }
  Rng& rng() { return rng_; }
  OriginTable& origins() { return origins_; }
  const SessionOptions& options() const { return options_; }
  std::FILE* out() const { return options_.out; }
  Scope& globals() { return globals_; }

  // Hands a picture, table or value to the host (SessionOptions::display), after
  // what was printed so far, so text and pictures keep their order.
  void show(const Display& d) {
    std::fflush(options_.out);
    options_.display(d);
  }

  // Before each tensor op the interpreter builds: sets the graph's origin to the tag
  // of this span (Note [Origin tags]), and stops on a Ctrl-C that arrived during the
  // ops before it. One expression over large tensors can run for seconds with no
  // statement boundary (exec() turns the engine's Interrupted into the statement's).
  void stamp(const Ctx& ctx, Span span) {
    throw_if_interrupted();
    graph_.set_origin(origins_.tag(ctx.source, span));
  }
  // Gives node t (built by the current statement) a tag that names its binding.
  void name_node(const Tensor& t, const std::string& name, NodeId first_new);

  // Tags the nodes a graph-building gradient made with the forward node each
  // belongs to (Origin::backward_of).
  void label_backward(const std::vector<BackwardNode>& made);
  // Brings the tensors a value holds (directly or in lists) up to date with the
  // current params (Note [Live bindings]). Inline for a tensor that is current (or
  // of another graph): every read of a binding asks, and mostly gets that answer.
  void refresh(const Value& v) {
    if (const Tensor* t = std::get_if<Tensor>(&v.v); t && (t->g != &graph_ || graph_.is_current(t->id)))
      return;
    refresh_stale(v);
  }
  // refresh() of anything but a current tensor.
  void refresh_stale(const Value& v);
  // Drops graph nodes no binding reaches (session_memory.cpp, Note [Compaction at
  // entry boundaries]): between REPL entries, or between statements at the top level.
  void collect_garbage(bool between_entries);
  bool at_top_level(const Ctx& ctx) const { return !ctx.locals && call_depth_ == 0; }
  // Before a statement at the top level: collect_garbage(false) once the arena has
  // grown enough for it to start (two comparisons per statement).
  void collect_garbage_if_grown(const Ctx& ctx) {
    if (graph_.arena().bytes_reserved() >= collect_at_bytes_ && at_top_level(ctx)) collect_garbage(false);
  }
  // Keeps a value a running top-level statement holds (the list or tensor a `for`
  // walks) alive and renumbered through compaction, while the Pin lives.
  class Pin {
   public:
    Pin(Interpreter& in, Value& v) : in_(in) { in_.pinned_.push_back(&v); }
    ~Pin() { in_.pinned_.pop_back(); }
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;

   private:
    Interpreter& in_;
  };

 private:
  Value call_user(const Function& f, std::vector<Arg> pos, std::vector<std::pair<std::string, Arg>> kw,
                  Span call_span, Ctx& ctx);
  void run_program(const std::shared_ptr<const Source>& src,
                   const std::shared_ptr<const syntax::Program>& prog, Ctx& ctx);
  void report(const SourcedError& e);
  std::shared_ptr<const syntax::Program> parse_or_throw(const std::shared_ptr<const Source>& src);

  SessionOptions options_;
  Graph graph_;
  Rng rng_;
  Scope globals_;
  OriginTable origins_;
  // Every Source and Program run so far: functions and `let` expressions point into them.
  std::vector<std::shared_ptr<const Source>> sources_;
  std::vector<std::shared_ptr<const syntax::Program>> programs_;
  std::vector<std::string> import_stack_;  // canonical paths of the files being run
  int64_t iterations_ = 0;
  NodeId live_nodes_ = 0;  // graph size after the last collect_garbage()
  // Compaction waits for the arena to grow by kGarbageBytes beyond twice what
  // survived the last one: to collect_at_bytes_.
  static constexpr std::size_t kGarbageBytes = std::size_t{128} << 20;
  std::size_t collect_at_bytes_ = kGarbageBytes;
  std::vector<Value*> pinned_;  // Pin
  std::vector<NodeId> remap_;   // its old-id -> new-id table (kept to reuse the memory)
  // Lists found current while the graph's writes() reads `current_lists_write_` (Note
  // [Live bindings]); a weak pointer, so an address reused by a new list is never taken for it.
  std::unordered_map<const std::vector<Value>*, std::weak_ptr<std::vector<Value>>> current_lists_;
  std::deque<const std::vector<Value>*> current_lists_order_;  // oldest first, for eviction
  uint64_t current_lists_write_ = 0;
  // The global bindings found last, by the address of the name as the program
  // spells it (Note [Recent globals] in statements.cpp).
  struct RecentGlobal {
    const std::string* name = nullptr;
    Scope::iterator it;
  };
  std::array<RecentGlobal, 64> recent_globals_{};
  std::size_t recent_global_slot(const std::string& name) const {
    return (reinterpret_cast<std::uintptr_t>(&name) >> 3) % recent_globals_.size();
  }
  // The constant node each operand expression made last (Note [One constant per operand]).
  std::unordered_map<const syntax::Expr*, NodeId> operand_constants_;
  // The latest answers of that map, by the operand's address (operand_constant).
  struct RecentConstant {
    const syntax::Expr* operand = nullptr;
    NodeId id = kNoNode;
  };
  static constexpr std::size_t kRecentConstants = 64;
  std::array<RecentConstant, kRecentConstants> recent_constants_{};
  int call_depth_ = 0;
  int eval_depth_ = 0;
  // The text and parse of the last entry is_incomplete() found complete: running that
  // entry takes this parse (Note [One parse per entry]).
  mutable std::optional<std::pair<std::string, ParseResult>> checked_entry_;
  // The size of the entry is_incomplete() last parsed whole and found open
  // (Note [A long entry grows]).
  mutable std::size_t open_entry_parsed_ = 0;
};

// Converts engine and allocation failures raised while running `fn` into
// lang::Error at `span` (the engine's message, "out of memory").
template <class F>
decltype(auto) at_span(Span span, F&& fn) {
  try {
    return fn();
  } catch (const Error&) {
    throw;
  } catch (const hinge::Interrupted&) {
    throw;  // exec() gives it the statement's place
  } catch (const hinge::Error& e) {
    throw Error(span, e.what());
  } catch (const std::bad_alloc&) {
    throw Error(span, "out of memory");
  }
}

}  // namespace hinge::lang

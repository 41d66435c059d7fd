// Running programs: Session's entry points, parsing and reporting, import, the
// origin table, the SIGINT flag, and refreshing bindings after training.
#include "eval/interpreter.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <functional>
#include <unordered_set>

#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/sanitizers.hpp"
#include "explain/explain.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/backward.hpp"
#include "hinge/errors.hpp"
#include "hinge/escape.hpp"
#include "syntax/diagnostics.hpp"
#include "syntax/parse.hpp"
#include "syntax/prepass.hpp"

namespace hinge::lang {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- interrupts

namespace {
volatile std::sig_atomic_t g_interrupt = 0;
// The engine's long kernels poll the same flag (hinge/interrupt.hpp).
const bool g_engine_sees_flag = (hinge::set_interrupt_flag(&g_interrupt), true);

// A second Ctrl-C before the first was handled means "now": nothing is half
// written (every file hinge writes goes through a temporary and a rename, and the
// temporary of a write in progress is removed here).
extern "C" void on_sigint(int) {
  if (g_interrupt) {
    abandon_atomic_write();
    _exit(130);
  }
  g_interrupt = 1;
}

// SIGTERM asks the process to end, not to stop a step: it ends at once, as the
// default action would, but first removes the temporary of a write in progress
// (the file being replaced stays as it was). 143 = 128 + SIGTERM, as the shell says.
extern "C" void on_sigterm(int) {
  abandon_atomic_write();
  _exit(143);
}
}  // namespace

void install_interrupt_handler() {
  (void)g_engine_sees_flag;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read in the REPL returns
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = on_sigterm;
  sigaction(SIGTERM, &sa, nullptr);
}

void Interpreter::note_write(const WriteReport& r, const std::string& path) {
  if (r.stale_temps_removed == 0) return;
  fmt::print(options_.err, "note: removed {} temporary file{} ({} bytes) that killed saves of {} left\n",
             r.stale_temps_removed, r.stale_temps_removed == 1 ? "" : "s", r.stale_bytes_removed,
             escape_for_message(path, 200));
}
bool interrupt_requested() { return g_interrupt != 0; }
void clear_interrupt() { g_interrupt = 0; }
void request_interrupt() { g_interrupt = 1; }

// ---------------------------------------------------------------- origins

uint32_t OriginTable::tag_searched(const std::shared_ptr<const Source>& source, Span span) {
  auto key = std::make_tuple(source.get(), span.begin, span.end);
  auto it = index_.find(key);
  uint32_t t = 0;
  if (it != index_.end()) {
    t = it->second;
  } else {
    t = static_cast<uint32_t>(rows_.size());
    rows_.push_back({source, span, {}});
    index_.emplace(key, t);
  }
  // Note [Recent origin tags]
  recent_spans_[recent_span_slot(span)] = {source.get(), span.begin, span.end, t};
  return t;
}

uint32_t OriginTable::with_binding_searched(uint32_t base, const std::string& name) {
  auto [it, fresh] = bound_.try_emplace({base, name}, 0);
  if (fresh) {
    Origin o = base < rows_.size() ? rows_[base] : Origin{};
    o.binding = name;
    rows_.push_back(std::move(o));
    it->second = static_cast<uint32_t>(rows_.size() - 1);
  }
  // Note [Recent origin tags]
  RecentBinding& r = recent_bindings_[base % kRecent];
  r.base = base;
  r.tag = it->second;
  r.name = name;
  return it->second;
}

uint32_t OriginTable::with_backward(uint32_t base, const std::string& text) {
  auto key = std::make_pair(base, text);
  auto it = backward_index_.find(key);
  if (it != backward_index_.end()) return it->second;
  Origin o = base < rows_.size() ? rows_[base] : Origin{};
  o.backward_of = text;
  rows_.push_back(std::move(o));
  const auto t = static_cast<uint32_t>(rows_.size() - 1);
  backward_index_.emplace(std::move(key), t);
  return t;
}

const Origin* OriginTable::find(uint32_t tag) const {
  if (tag == 0 || tag >= rows_.size() || !rows_[tag].source) return nullptr;
  return &rows_[tag];
}

std::string OriginTable::describe(uint32_t tag) const {
  const Origin* o = find(tag);
  if (!o) return "";
  Location loc = o->source->location(o->span.begin);
  std::string s = fmt::format("{}:{}:{}", o->source->name, loc.line, loc.column);
  if (!o->binding.empty()) s += fmt::format(" ({})", o->binding);
  return s;
}

// ---------------------------------------------------------------- interpreter

Interpreter::Interpreter(SessionOptions options)
    : options_(std::move(options)), graph_(options_.dtype), rng_(options_.seed) {
  graph_.set_max_elements(options_.limits.max_elements);
  auto args = std::make_shared<std::vector<Value>>();
  for (const std::string& a : options_.args) args->push_back(Value(a));
  globals_["args"] = Binding{Value(args), false, nullptr, nullptr};
}

void Interpreter::report(const SourcedError& e) {
  std::fflush(options_.out);
  if (e.source()) {
    fmt::print(options_.err, "{}", render(*e.source(), e.diagnostic()));
  } else {
    fmt::print(options_.err, "error: {}\n{}", terminal_escape(e.diagnostic().message), e.diagnostic().note);
  }
  std::fflush(options_.err);
}

// Note [One parse per entry]
// The REPL asks is_incomplete() about each entry before it runs it. A complete entry
// (a program or a syntax error) is then run as it was parsed there: its tree, or its
// error with the position the first parse found, is kept with its text and taken by
// the run of that same text. An entry is parsed once, whether it fails or not.

// Parses `src` (or takes the kept parse of the same text); a syntax error becomes a
// SourcedError marked as such.
std::shared_ptr<const syntax::Program> Interpreter::parse_or_throw(const std::shared_ptr<const Source>& src) {
  ParseResult r;
  if (checked_entry_ && checked_entry_->first == src->text) {
    r = std::move(checked_entry_->second);
  } else {
    r = parse_program(*src);
  }
  checked_entry_.reset();
  if (!r.ok()) throw SourcedError(src, *r.error, true);
  return std::make_shared<const syntax::Program>(std::move(r.program));
}

void Interpreter::run_program(const std::shared_ptr<const Source>& src,
                              const std::shared_ptr<const syntax::Program>& prog, Ctx& ctx) {
  sources_.push_back(src);
  programs_.push_back(prog);
  exec_block(prog->stmts, ctx, nullptr);
}

// Note [A stack of its own]
// The evaluator recurses: nested calls times nested expressions (bounded by
// max_call_depth and kMaxEvalDepth) can need several megabytes of stack, more
// than the 8 MiB main thread has under AddressSanitizer. Each run therefore
// happens on a stack of 256 MiB (address space, committed only as used, with a
// guard page below it), on the calling thread: swapcontext switches to it and
// back, and the caller's code resumes when the run returns. A thread with that
// stack did the same for about 0.5 ms more CPU per run, a tenth of `hinge -e '1'`
// on the machines the bench runs on (clone3, a malloc arena and a TLS block for
// each new thread, the futex of its join, the scheduler's wake-ups). Under a
// sanitizer (kUnderSanitizer) the run keeps a thread of its own: AddressSanitizer
// follows threads, not switched stacks. If neither can be made, the run happens on
// the caller's stack.
namespace {

constexpr std::size_t kRunStackBytes = std::size_t{256} << 20;

// Under a limit on the address space (ulimit -v) the stack takes an eighth of it, at
// least 64 MiB: 256 MiB of a 600 MB limit left too little for OpenBLAS's buffers
// (Note [BLAS under a memory limit] in engine/src/blas.cpp).
std::size_t run_stack_bytes() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return kRunStackBytes;
  return std::clamp<std::size_t>(lim.rlim_cur / 8, std::size_t{64} << 20, kRunStackBytes);
}

struct StackJob {
  std::function<Status()> fn;
  Status result = Status::ok;
  std::exception_ptr error;
  ucontext_t caller{};
};

void run_job(StackJob& job) {
  try {
    job.result = job.fn();
  } catch (...) {
    job.error = std::current_exception();
  }
}

// Under a sanitizer (Note [A stack of its own]).
extern "C" void* run_thread_job(void* p) {
  run_job(*static_cast<StackJob*>(p));
  return nullptr;
}

bool run_on_thread(StackJob& job) {
  pthread_attr_t attr;
  pthread_t thread;
  if (pthread_attr_init(&attr) != 0) return false;
  bool started = pthread_attr_setstacksize(&attr, run_stack_bytes()) == 0 &&
                 pthread_create(&thread, &attr, run_thread_job, &job) == 0;
  pthread_attr_destroy(&attr);
  if (started) pthread_join(thread, nullptr);
  return started;
}

// makecontext passes int arguments: the job's address in two halves.
extern "C" void run_switched_job(unsigned hi, unsigned lo) {
  auto* job = reinterpret_cast<StackJob*>((std::uintptr_t{hi} << 32) | lo);
  run_job(*job);
}  // returns to job->caller (uc_link)

bool run_on_switched_stack(StackJob& job) {
  const std::size_t guard = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t bytes = run_stack_bytes() + guard;
  void* base = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) return false;
  ucontext_t run{};
  bool ok = ::mprotect(base, guard, PROT_NONE) == 0 && ::getcontext(&run) == 0;
  if (ok) {
    run.uc_stack.ss_sp = static_cast<char*>(base) + guard;
    run.uc_stack.ss_size = bytes - guard;
    run.uc_link = &job.caller;
    const auto addr = reinterpret_cast<std::uintptr_t>(&job);
    makecontext(&run, reinterpret_cast<void (*)()>(run_switched_job), 2, static_cast<unsigned>(addr >> 32),
                static_cast<unsigned>(addr & 0xffffffffu));
    ok = ::swapcontext(&job.caller, &run) == 0;
  }
  ::munmap(base, bytes);
  return ok;
}

Status on_big_stack(std::function<Status()> fn) {
  StackJob job{std::move(fn)};
  const bool ran = kUnderSanitizer ? run_on_thread(job) : run_on_switched_stack(job);
  if (!ran) return job.fn();
  if (job.error) std::rethrow_exception(job.error);
  return job.result;
}

}  // namespace

Status Interpreter::run_script(const std::string& name, std::string text, bool echo,
                               const std::string& base_dir, uint32_t first_line) {
  return on_big_stack([&] { return run_script_here(name, std::move(text), echo, base_dir, first_line); });
}

Status Interpreter::run_script_here(const std::string& name, std::string text, bool echo,
                                    const std::string& base_dir, uint32_t first_line) {
  auto src = std::make_shared<const Source>(make_source(name, std::move(text), first_line));
  iterations_ = 0;
  call_depth_ = 0;
  eval_depth_ = 0;
  try {
    auto prog = parse_or_throw(src);
    Ctx ctx{src, nullptr, base_dir, echo};
    run_program(src, prog, ctx);
    std::fflush(options_.out);
    if (interrupt_requested()) {  // arrived during the last statement
      clear_interrupt();
      fmt::print(options_.err, "{}: interrupted\n", name);
      return Status::interrupted;
    }
    return Status::ok;
  } catch (const SourcedError& e) {
    report(e);
    return e.is_syntax() ? Status::syntax_error : Status::runtime_error;
  } catch (const Interrupted& i) {
    std::fflush(options_.out);
    if (i.reported) {
      // train printed where it stopped
    } else if (i.source) {
      // Where it stopped, shown like every other error. On a terminal the ^C the
      // terminal echoed is still on the current line: start a fresh one.
      if (options_.terminal) fmt::print(options_.err, "\n");
      fmt::print(options_.err, "{}", render(*i.source, {i.span, "interrupted (Ctrl-C)"}));
    } else {
      fmt::print(options_.err, "interrupted\n");
    }
    clear_interrupt();
    return Status::interrupted;
  } catch (const Error& e) {  // raised outside any statement (should not happen)
    report(SourcedError(src, e.diagnostic()));
    return Status::runtime_error;
  } catch (const std::bad_alloc&) {
    fmt::print(options_.err, "{}: error: out of memory\n", escape_for_message(name, 200));
    return Status::runtime_error;
  } catch (const std::exception& e) {
    fmt::print(options_.err, "{}: error: internal error: {}\n", escape_for_message(name, 200),
               terminal_escape(e.what()));
    return Status::runtime_error;
  }
}

Status Interpreter::run_file(const std::string& path) {
  std::string text;
  try {
    text = read_file(path, std::size_t{64} << 20);
  } catch (const hinge::Interrupted&) {  // Ctrl-C while a FIFO or a terminal kept it waiting
    clear_interrupt();
    fmt::print(options_.err, "{}{}: interrupted\n", options_.terminal ? "\n" : "",
               escape_for_message(path, 200));
    return Status::interrupted;
  } catch (const hinge::Error& e) {
    fmt::print(options_.err, "error: cannot read {}\n", terminal_escape(e.what()));
    return Status::cannot_read;
  }
  std::string base = fs::path(path).parent_path().string();
  import_stack_.clear();
  std::error_code ec;
  import_stack_.push_back(fs::weakly_canonical(path, ec).string());
  Status st = run_script(path, std::move(text), false, base.empty() ? "." : base);
  import_stack_.clear();
  return st;
}

// Note [A long entry grows]
// The REPL asks after every line whether the entry so far is complete. While a
// bracket or brace is open, parse_program runs the grammar over the whole entry
// to find an error before the end, so an entry of n lines cost n parses of up to
// n lines: an 8,000-line block took 58 s to paste. Above 4 KiB, an entry the
// pre-pass finds still open is parsed whole only once it has grown by a quarter
// since the last whole parse; in between it is open without one. The parses then
// add up to a few times the entry's size. An error in an open block of such an
// entry is reported a few lines later, or when the block closes.
bool Interpreter::is_incomplete(const std::string& text) const {
  constexpr std::size_t kParsedEveryLine = std::size_t{4} << 10;
  if (text.size() > kParsedEveryLine && text.size() < open_entry_parsed_ + open_entry_parsed_ / 4) {
    const Prepared prep = prepare(text);
    if (prep.unclosed && !prep.error && !prep.unterminated_string) return true;
  }
  Source src = make_source("<repl>", text);
  ParseResult r = parse_program(src);
  checked_entry_.reset();
  open_entry_parsed_ = !r.ok() && r.incomplete ? text.size() : 0;
  if (!r.ok() && r.incomplete) return true;
  checked_entry_.emplace(text, std::move(r));  // Note [One parse per entry]
  return false;
}

void Interpreter::import_file(const std::string& path, Span at, const Ctx& ctx) {
  std::error_code ec;
  const std::string canon = fs::weakly_canonical(path, ec).string();
  for (const std::string& p : import_stack_)
    if (p == canon) {
      std::string chain;
      for (const std::string& q : import_stack_) chain += fs::path(q).filename().string() + " -> ";
      throw Error(at, fmt::format("import cycle: {}{}", chain, fs::path(canon).filename().string()));
    }
  if (import_stack_.size() >= 64) throw Error(at, "imports nested more than 64 deep");
  std::string text;
  try {
    text = read_file(path, std::size_t{64} << 20);
  } catch (const hinge::Interrupted&) {
    throw;  // exec() gives it the statement's place
  } catch (const hinge::Error& e) {
    throw Error(at, fmt::format("cannot import {}", e.what()));
  }
  auto src = std::make_shared<const Source>(make_source(path, std::move(text)));
  auto prog = parse_or_throw(src);
  std::string base = fs::path(path).parent_path().string();
  Ctx ictx{src, nullptr, base.empty() ? "." : base, false};
  import_stack_.push_back(canon);
  struct Pop {
    std::vector<std::string>& s;
    ~Pop() { s.pop_back(); }
  } pop{import_stack_};
  run_program(src, prog, ictx);
}

void Interpreter::label_backward(const std::vector<BackwardNode>& made) {
  for (const BackwardNode& b : made) {
    // The forward node by its binding, else the source text that built it, else its op.
    const Node& f = graph_[b.forward];
    std::string what = f.is_leaf() ? (f.is_param() ? "a param" : "a leaf") : std::string(op_name(f.op));
    if (const Origin* o = origins_.find(f.origin)) {
      if (!o->binding.empty())
        what = o->binding;
      else if (o->span.begin < o->source->text.size())
        what = abbreviate(o->source->text.substr(o->span.begin, o->span.size()), 24);
    }
    const std::string text = fmt::format("{} {}", b.adjoint ? "adjoint of" : "backward of", what);
    Node& n = graph_[b.id];
    n.origin = origins_.with_backward(n.origin, text);
  }
}

// Note [Live bindings]
// A `let` binding names a node of the graph, and what it shows is always that
// node's value for the current params and data. Whatever writes a param (an
// assignment, load, an optimizer step in train, the restore after a failed step)
// goes through the engine, which marks what depends on it stale (Note [Live
// values] in hinge/graph.hpp). Every read of a binding goes through lookup_value,
// which refreshes the tensors the value holds first: only the stale nodes whose
// inputs changed are recomputed, and a current value costs one comparison. So
// print, interpolation, grad, gradient(), gradcheck, trace, pattern, plot, save
// and the REPL all see current values; snapshot() is the one way to keep old ones.
// A list nested a million deep is read once per statement by a loop that wraps it
// (`a = [a, "y"]`), so a read walks only the lists not found current since the last
// write of a param: the lists it refreshed are remembered until the next write.
void Interpreter::refresh_stale(const Value& v) {
  if (const Tensor* t = std::get_if<Tensor>(&v.v)) {
    if (t->g == &graph_ && !graph_.is_current(t->id)) graph_.refresh(t->id);  // current: one comparison
    return;
  }
  const auto* root = std::get_if<ListPtr>(&v.v);
  if (!root || !*root) return;
  // Bounded memory: past kMaxRemembered lists the oldest half is forgotten, never
  // the newest, so a loop that nests each list in the next (`a = [a, "y"]`) finds
  // the previous one known and stays linear.
  constexpr std::size_t kMaxRemembered = 4096;
  if (current_lists_write_ != graph_.writes()) {
    current_lists_.clear();
    current_lists_order_.clear();
    current_lists_write_ = graph_.writes();
  } else if (current_lists_order_.size() >= kMaxRemembered) {
    for (std::size_t k = 0; k < kMaxRemembered / 2; ++k) {
      current_lists_.erase(current_lists_order_.front());
      current_lists_order_.pop_front();
    }
  }
  auto known = [&](const ListPtr& l) {
    auto it = current_lists_.find(l.get());
    return it != current_lists_.end() && !it->second.expired();
  };
  if (known(*root)) return;
  // Lists nest without bound: an explicit stack, each list once.
  std::vector<NodeId> roots;
  std::vector<const std::vector<Value>*> stack{root->get()};
  std::unordered_set<const std::vector<Value>*> seen{root->get()};
  while (!stack.empty()) {
    const std::vector<Value>* l = stack.back();
    stack.pop_back();
    for (const Value& x : *l) {
      if (const Tensor* t = std::get_if<Tensor>(&x.v)) {
        if (t->g == &graph_) roots.push_back(t->id);
      } else if (const auto* sub = std::get_if<ListPtr>(&x.v);
                 sub && *sub && !known(*sub) && seen.insert(sub->get()).second) {
        stack.push_back(sub->get());
      }
    }
  }
  graph_.refresh(roots);
  if (current_lists_.insert_or_assign(root->get(), *root).second) current_lists_order_.push_back(root->get());
}

// ---------------------------------------------------------------- session

Session::Session(SessionOptions options) : impl_(std::make_unique<Interpreter>(std::move(options))) {}
Session::~Session() = default;

Status Session::run_file(const std::string& path) { return impl_->run_file(path); }
Status Session::run_script(const std::string& name, std::string text) {
  std::string base = fs::path(name).parent_path().string();
  return impl_->run_script(name, std::move(text), false, base.empty() ? "." : base);
}
Status Session::run_entry(std::string text, const std::string& name, uint32_t first_line) {
  Status st = impl_->run_script(name, std::move(text), true, ".", first_line);
  impl_->collect_garbage(true);  // Note [Compaction at entry boundaries]
  return st;
}
bool Session::is_incomplete(const std::string& text) const { return impl_->is_incomplete(text); }

std::vector<std::string> Session::names() const {
  std::vector<std::string> out;
  for (const auto& [name, b] : impl_->globals()) out.push_back(name);
  return out;
}
Graph& Session::graph() { return impl_->graph(); }
const SessionOptions& Session::options() const { return impl_->options(); }

}  // namespace hinge::lang

// The `hinge` command line: parses options, sets up the session (seed, dtype,
// threads, limits), runs a script, one -e line or the REPL, and maps the result
// to an exit status.
#include "app/cli.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "app/kernelspec.hpp"
#include "eval/session.hpp"
#include "hinge/platform.hpp"
#include "hinge/threads.hpp"
#include "repl/repl.hpp"
#include "syntax/diagnostics.hpp"

namespace hinge::lang {

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kHelp = R"(usage: hinge [options] [FILE [ARGS...]]
       hinge [options] -e 'EXPR'

Runs a hinge script, evaluates one line, or (with no FILE) starts the REPL.

options:
  -e EXPR              evaluate EXPR (statements separated by ';') and print its value
  --seed N             seed of the random generator (default 0)
  --dtype f32|f64      element type of new tensors (default f64)
  --threads N          threads for large matrix products and the optimizers' updates
                       (default: one per core)
  --max-elements N     largest tensor allowed, in elements (default 268435456)
  --max-iterations N   budget of loop iterations and calls per run (default 100000000)
  --install-kernel [--user | --prefix DIR]
                       register the Jupyter kernel (hinge-kernel) and exit
  --version            print the version and the kernel set in use, and exit
  --help               print this help and exit

environment: HINGE_CPU=baseline|avx2|avx512 forces a kernel set (default: the
             best this CPU runs); OPENBLAS_NUM_THREADS as --threads

exit status: 0 ok, 64 usage error, 65 syntax error, 66 cannot read the script,
             70 error while running, 130 interrupted (Ctrl-C)
)";

int status_code(Status s) {
  switch (s) {
    case Status::ok: return kExitOk;
    case Status::syntax_error: return kExitBadProgram;
    case Status::runtime_error: return kExitFailure;
    case Status::interrupted: return kExitInterrupted;
    case Status::cannot_read: return kExitNoInput;
  }
  return kExitFailure;
}

int usage(const std::string& msg) {
  fmt::print(stderr, "hinge: {}\n(try 'hinge --help')\n", msg);
  return kExitUsage;
}

bool parse_int(const std::string& s, int64_t lo, int64_t hi, int64_t& out) {
  const char* b = s.data();
  const char* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e && out >= lo && out <= hi;
}

}  // namespace

int cli_main(int argc, char** argv) {
  // A kernel set forced with HINGE_CPU that cannot run here is a usage error, not a
  // silent fallback: whoever compares sets must know which one ran.
  if (auto problem = cpu_kernels_problem()) return usage(*problem);
  SessionOptions options;
  std::string expr, script;
  bool have_expr = false;
  int64_t threads = 0;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--install-kernel")
    return install_kernel(std::vector<std::string>(args.begin() + 1, args.end()));
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.empty() || a[0] != '-' || a == "-") break;  // the script: the rest are its arguments
    if (a == "--") {
      ++i;
      break;
    }
    std::string value;
    bool inline_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      inline_value = true;
    }
    auto take = [&](const char* what) -> bool {
      if (inline_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      (void)what;
      return true;
    };
    if (a == "--help" || a == "-h") {
      fmt::print("{}", kHelp);
      return kExitOk;
    }
    if (a == "--version") {
      fmt::print("hinge {}\nkernels: {}\n", kVersion, cpu_kernels_name(cpu_kernels()));
      return kExitOk;
    }
    if (a == "-e") {
      if (!take("-e")) return usage("-e needs an expression");
      expr = value;
      have_expr = true;
      continue;
    }
    int64_t n = 0;
    if (a == "--seed") {
      if (!take("--seed") || !parse_int(value, 0, INT64_MAX, n))
        return usage("--seed needs a whole number >= 0");
      options.seed = static_cast<uint64_t>(n);
    } else if (a == "--dtype") {
      if (!take("--dtype")) return usage("--dtype needs f32 or f64");
      if (value == "f32" || value == "float32")
        options.dtype = DType::f32;
      else if (value == "f64" || value == "float64")
        options.dtype = DType::f64;
      else
        return usage(fmt::format("unknown dtype '{}' (use f32 or f64)", escape_for_message(value, 40)));
    } else if (a == "--threads") {
      if (!take("--threads") || !parse_int(value, 1, 1024, threads))
        return usage("--threads needs a number from 1 to 1024");
    } else if (a == "--max-elements") {
      if (!take("--max-elements") || !parse_int(value, 1, INT64_MAX, n))
        return usage("--max-elements needs a whole number >= 1");
      options.limits.max_elements = n;
    } else if (a == "--max-iterations") {
      if (!take("--max-iterations") || !parse_int(value, 1, INT64_MAX, n))
        return usage("--max-iterations needs a whole number >= 1");
      options.limits.max_iterations = n;
    } else {
      return usage(fmt::format("unknown option '{}'", escape_for_message(a, 40)));
    }
  }
  if (i < args.size()) {
    if (have_expr) return usage("give either -e EXPR or a script, not both");
    script = args[i++];
    // An empty path would otherwise mean "no script" and start the REPL silently.
    if (script.empty()) return usage("the script path is empty");
    options.args.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  }
  if (threads > 0) set_threads(static_cast<int>(threads));
  options.terminal = isatty(fileno(stdout)) != 0;
  if (options.terminal) {
    // Colour as https://no-color.org asks: any non-empty NO_COLOR turns it off, and
    // a dumb terminal has none.
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    options.color = !(no_color && *no_color) && !(term && std::strcmp(term, "dumb") == 0);
    winsize ws{};
    if (ioctl(fileno(stdout), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) options.columns = ws.ws_col;
    // As `ls` does: COLUMNS when the terminal does not say. Output to a file or a
    // pipe has no width: nothing is cut there.
    int64_t n = 0;
    if (const char* columns = std::getenv("COLUMNS");
        options.columns == 0 && columns && parse_int(columns, 20, 10000, n))
      options.columns = static_cast<int>(n);
  }
  // Golden tests: a clock that advances 1 ms per reading, so reports are repeatable.
  if (const char* fake = std::getenv("HINGE_FAKE_CLOCK"); fake && *fake) {
    auto ticks = std::make_shared<int64_t>(0);
    options.clock = [ticks] {
      return std::chrono::steady_clock::time_point(std::chrono::milliseconds(++*ticks));
    };
  }

  install_interrupt_handler();
  Session session(std::move(options));
  if (have_expr) return status_code(session.run_entry(expr, "-e"));
  if (!script.empty()) return status_code(session.run_file(script));
  return run_repl(session);
}

}  // namespace hinge::lang

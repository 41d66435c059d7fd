// The parser's time grows about linearly with the input: for families of inputs
// (long chains, many statements, wide lists, deep nesting, errors after a long valid
// prefix) parsing 8 times the input must take under 32 times as long (a quadratic
// parser would take 64 times).
#include <time.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "syntax/parse.hpp"

using namespace hinge::lang;

namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Family {
  const char* name;
  int small;  // size parameter of the small input; the large one is 8 times this
  std::function<std::string(int)> make;
};

// This thread's CPU time in seconds: unlike wall time, it does not grow when the
// machine is busy with other work (ctest -j, a parallel build).
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Best of a few runs, in CPU seconds.
double time_parse(const std::string& text) {
  Source src = make_source("scaling.hinge", text);
  double best = 1e30;
  for (int run = 0; run < 5; ++run) {
    const double t0 = cpu_seconds();
    ParseResult r = parse_program(src);
    best = std::min(best, cpu_seconds() - t0);
    (void)r;
  }
  return best;
}

}  // namespace

int main() {
  const std::vector<Family> families = {
      {"a long sum", 2000, [](int n) { return "let x = " + repeat("1 + ", n) + "1\n"; }},
      {"many statements", 500, [](int n) { return repeat("let a = relu(w * x + b) @ v ^ 2\n", n); }},
      {"a wide list", 2000, [](int n) { return "let l = [" + repeat("1.5, ", n) + "2]\n"; }},
      {"many nested lines", 50,
       [](int n) { return repeat("print " + repeat("(", 100) + "1" + repeat(")", 100) + "\n", n); }},
      {"an error after a long prefix", 1000, [](int n) { return repeat("let a = 1\n", n) + "let = 2\n"; }},
      {"an unclosed bracket", 2000, [](int n) { return "let l = [" + repeat("1, ", n); }},
      {"a long interpolated string", 1000, [](int n) { return "print \"" + repeat("{x:.3f} ", n) + "\"\n"; }},
      {"long comments", 1000, [](int n) { return repeat("# a comment line with words\n", n); }},
      {"deep parentheses", 20,
       [](int n) { return "let x = " + repeat("(", n) + "1" + repeat(")", n) + "\n"; }},
      {"deep calls", 20, [](int n) { return "let x = " + repeat("f(", n) + "1" + repeat(")", n) + "\n"; }},
      {"deep lists", 20, [](int n) { return "let x = " + repeat("[", n) + "1" + repeat("]", n) + "\n"; }},
      {"deep blocks", 20, [](int n) { return repeat("if true {\n", n) + "print 1\n" + repeat("}\n", n); }},
      {"deep unclosed", 20, [](int n) { return "let x = " + repeat("(1 + [", n); }},
      {"deep prefix minus", 20, [](int n) { return "let x = " + repeat("-", n) + "1\n"; }},
      {"deep powers", 20, [](int n) { return "let x = " + repeat("2 ^ ", n) + "2\n"; }},
  };
  int failures = 0;
  for (const auto& f : families) {
    double small = time_parse(f.make(f.small));
    double large = time_parse(f.make(8 * f.small));
    // Below a few microseconds the clock's resolution dominates the ratio.
    double ratio = large / std::max(small, 2e-6);
    bool ok = ratio < 32;  // linear: about 8; quadratic: 64
    fmt::print("{:<30} {:>9.1f} us -> {:>10.1f} us  x{:.1f}{}\n", f.name, small * 1e6, large * 1e6, ratio,
               ok ? "" : "  SUPERLINEAR");
    if (!ok) ++failures;
  }
  if (failures) fmt::print("{} input families parse in superlinear time\n", failures);
  return failures ? 1 : 0;
}

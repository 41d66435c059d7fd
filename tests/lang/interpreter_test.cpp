// Interpreter tests through Session with captured output: evaluation rules,
// printing, REPL behaviour on errors, functions, loops, limits, training (NaN stop,
// refresh of bindings, mini-batches, Ctrl-C), checkpoints and imports.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "capture.hpp"
#include "eval/interpreter.hpp"
#include "eval/session.hpp"
#include "hinge/graph.hpp"
#include "temp_dir.hpp"

using namespace hinge;
using namespace hinge::lang;
namespace fs = std::filesystem;
using hinge::test::Capture;
using hinge::test::slurp;
using hinge::test::TempDir;

namespace {

// A session whose stdout and stderr go to temporary files.
struct Harness {
  Capture out, err;
  Session session;

  explicit Harness(SessionOptions o = {}) : session(with_streams(std::move(o), out.f, err.f)) {}
  static SessionOptions with_streams(SessionOptions o, std::FILE* out, std::FILE* err) {
    o.out = out;
    o.err = err;
    return o;
  }
  // Runs a REPL entry and returns what it printed on stdout.
  std::string entry(const std::string& text, Status expect = Status::ok) {
    Status st = session.run_entry(text);
    std::string e = err.take();
    INFO("entry: " << text << "\nstderr: " << e);
    CHECK(st == expect);
    last_err = e;
    return out.take();
  }
  std::string script(const std::string& text, Status expect = Status::ok) {
    Status st = session.run_script("test.hinge", text);
    std::string e = err.take();
    INFO("script: " << text << "\nstderr: " << e);
    CHECK(st == expect);
    last_err = e;
    return out.take();
  }
  double number(const std::string& expr) {
    std::string s = entry("print item(" + expr + ")");
    return std::stod(s);
  }
  std::string last_err;
};

}  // namespace

TEST_CASE("numbers stay numbers and build no graph nodes", "[interp]") {
  Harness h;
  const auto before = h.session.graph().size();
  CHECK(h.entry("let n = 2 * 3 + 1") == "n = 7\n");
  CHECK(h.entry("n ^ 2 / 7") == "7\n");
  CHECK(h.entry("for i in range(100) { n = n + i }") == "");
  CHECK(h.entry("n") == "4957\n");
  CHECK(h.session.graph().size() == before);
}

TEST_CASE("a loop's numbers meet its tensors as one constant per operand", "[interp]") {
  // Note [One constant per operand]: `* 1.5` and `+ 0.25` add one node each, once.
  Harness h;
  h.entry("param w = 0.5");
  h.entry("let y = w");
  const auto before = h.session.graph().size();
  CHECK(h.entry("for i in range(10) { y = y * 1.5 + 0.25 }") == "");
  CHECK(h.session.graph().size() == before + 2 * 10 + 2);
  CHECK(h.entry("grad y wrt w").rfind("dy/dw = 57.6650390625\n", 0) == 0);  // 1.5^10
  // A number that changes each iteration is a new constant each time.
  const auto mid = h.session.graph().size();
  CHECK(h.entry("for i in range(1, 4) { y = y * i }") == "");
  CHECK(h.session.graph().size() == mid + 2 * 3);
  // A function's operand keeps its constant across calls, and across garbage
  // collection, which renumbers the nodes: what it takes then is checked again.
  h.entry("def f(x) = x * 3");
  CHECK(h.number("f(w)") == 1.5);
  h.entry("let y = 0");
  CHECK(h.number("f(w) + f(w)") == 3);
  h.entry("w = 2");
  CHECK(h.number("f(w)") == 6);
  CHECK(h.entry("print f(cast(w, \"f32\"))") == "6 (f32)\n");
  // -0 equals 0 but is another constant: its sign must reach the graph.
  CHECK(h.entry("for z in [0.0, -0.0, 0.0] { print 1 / (w * z) }") == "inf\n-inf\ninf\n");
}

TEST_CASE("more operands than recent slots still take one constant each", "[interp]") {
  // operand_constant keeps 64 recent answers in front of its map: with 100
  // operands in one loop, some share a slot and are found through the map.
  Harness h;
  h.entry("param w = 0.5");
  h.entry("let y = w");
  std::string body = "y = y";
  for (int k = 1; k <= 100; ++k) body += " + " + std::to_string(k);
  const auto before = h.session.graph().size();
  CHECK(h.entry("for i in range(3) { " + body + " }") == "");
  CHECK(h.session.graph().size() == before + 100 * 3 + 100);
  CHECK(h.number("y") == 0.5 + 3 * 5050);
}

TEST_CASE("loop variables bind in the loop's scope, whatever the body rebinds", "[interp]") {
  // Note [Recent globals]: the loop's binding is found once, names read in the
  // body are found again from what was kept.
  Harness h;
  CHECK(h.script("let i = 100\n"
                 "def f(n) {\n"
                 "  let s = 0\n"
                 "  for i in range(n) { s = s + i }\n"
                 "  return s\n"
                 "}\n"
                 "let t = 0\n"
                 "for k in [1, 2, 3] {\n"
                 "  let k = k * 10\n"
                 "  t = t + k\n"
                 "}\n"
                 "print f(4), f(5), i, t, k\n") == "6 10 100 60 30\n");
  h.entry("param w = 2");
  CHECK(h.entry("for w in range(3) { }") == "");
  CHECK(h.entry("w = 5") == "w = 5\n");  // a number now: a param says "(param)"
}

TEST_CASE("values print in the shortest exact form, tensors numpy-style", "[interp][print]") {
  Harness h;
  CHECK(h.entry("0.1 + 0.2") == "0.30000000000000004\n");
  CHECK(h.entry("1e20") == "1e+20\n");
  CHECK(h.entry("[[1, 2.5], [3, 4]]") == "[[1, 2.5],\n [3,   4]]\n");
  CHECK(h.entry("print [1, 2], \"and\", 3") == "[1, 2] and 3\n");
  CHECK(h.entry("\"text\"") == "\"text\"\n");
  CHECK(h.entry("[\"a\", 1]") == "[\"a\", 1]\n");
  CHECK(h.entry("true and not false") == "true\n");
  // Long axes abbreviate with "..." once the tensor is large.
  std::string big = h.entry("linspace(0, 199, 200)");
  CHECK(big == "[0, 1, 2, ..., 197, 198, 199]\n");
  std::string mat = h.entry("reshape(linspace(0, 399, 400), [20, 20])");
  CHECK(mat.find("...") != std::string::npos);
  CHECK(std::count(mat.begin(), mat.end(), '\n') == 7);  // 3 rows, "...", 3 rows
  // A NaN prints as nan wherever it is, whatever its sign bit (log(-1) sets it).
  CHECK(h.entry("print log([-1, 1]), log(-1), log(zeros([1]) - 1)[0]") == "[nan, 0] nan nan\n");
  // Numbers computed from float32 values show a float32's digits: grad's norm too.
  Harness f32(SessionOptions{.dtype = DType::f32});
  CHECK(f32.entry("param w = [0.1, 0.3, 0.2]; grad sum(w * w) wrt w") ==
        "w = [0.1, 0.3, 0.2] (f32) (param)\nd(sum(w * w))/dw = [0.2, 0.6, 0.4] (f32)\n"
        "  norm 0.7483315, zero 0 of 3 (0%)\n");
}

TEST_CASE("let and param show what they bound", "[interp][repl]") {
  Harness h;
  CHECK(h.entry("param w = 0.5") == "w = 0.5 (param)\n");
  CHECK(h.entry("let v = [1, 2]") == "v = [1, 2]\n");
  CHECK(h.entry("w * 2") == "1\n");
  CHECK(h.entry("w = 0.25") == "w = 0.25 (param)\n");
  CHECK(h.entry("w") == "0.25\n");
}

TEST_CASE("a failed REPL entry keeps every earlier binding", "[interp][repl]") {
  Harness h;
  h.entry("let a = 1");
  h.entry("let a = 2; let b = nope", Status::runtime_error);
  CHECK(h.last_err.find("unknown name 'nope'") != std::string::npos);
  CHECK(h.entry("a") == "2\n");  // the statement before the error ran
  h.entry("let b = [1, 2] + [1, 2, 3]", Status::runtime_error);
  CHECK(h.last_err.find("[2] vs [3]") != std::string::npos);
  h.entry("b", Status::runtime_error);
  CHECK(h.entry("a + 1") == "3\n");
  h.entry("let c = (", Status::syntax_error);
  CHECK(h.entry("a") == "2\n");
}

TEST_CASE("errors name the place with a caret", "[interp][errors]") {
  Harness h;
  h.entry("let x = [1, 2, 3]");
  h.entry("relu(x) * [1, 2]", Status::runtime_error);
  CHECK(h.last_err ==
        "<repl>:1:1: error: shape mismatch in '*': [3] vs [2]\n"
        "    relu(x) * [1, 2]\n"
        "    ^~~~~~~~~~~~~~~~\n");
  h.entry("reul(x)", Status::runtime_error);
  CHECK(h.last_err.find("unknown name 'reul'; did you mean 'relu'?") != std::string::npos);
}

TEST_CASE("user functions: scopes, recursion, arity, depth limit", "[interp][def]") {
  Harness h;
  h.entry("param w = 2");
  h.entry("def f(x) = w * x + 1");
  CHECK(h.entry("f(3)") == "7\n");
  h.entry("def fact(n) { if n <= 1 { return 1 }; return n * fact(n - 1) }");
  CHECK(h.entry("fact(10)") == "3628800\n");
  CHECK(h.entry("f(x=1)") == "3\n");
  h.entry("f(1, 2)", Status::runtime_error);
  CHECK(h.last_err.find("f(x) takes 1 argument, got 2") != std::string::npos);
  h.entry("f()", Status::runtime_error);
  CHECK(h.last_err.find("missing argument 'x'") != std::string::npos);
  h.entry("f(y=1)", Status::runtime_error);
  CHECK(h.last_err.find("has no parameter 'y'") != std::string::npos);
  h.entry("def loop(n) = loop(n + 1)");
  h.entry("loop(0)", Status::runtime_error);
  CHECK(h.last_err.find("too many nested calls") != std::string::npos);
  h.entry("return 3", Status::runtime_error);
  CHECK(h.last_err.find("'return' outside a function") != std::string::npos);
  // Locals do not leak into globals.
  h.entry("def g(a) { let t = a * 2; return t }");
  CHECK(h.entry("g(4)") == "8\n");
  h.entry("t", Status::runtime_error);
}

TEST_CASE("loops over lists, tensors and ranges; the iteration budget", "[interp][for]") {
  SessionOptions o;
  o.limits.max_iterations = 1000;
  Harness h(o);
  CHECK(h.entry("for x in [1, \"a\"] { print x }") == "1\na\n");
  CHECK(h.entry("for r in [[1, 2], [3, 4]] { print r }") == "[1, 2]\n[3, 4]\n");
  CHECK(h.entry("for v in linspace(0, 1, 3) { print v }") == "0\n0.5\n1\n");
  CHECK(h.entry("for i in range(2, 8, 3) { print i }") == "2\n5\n");
  h.entry("for i in range(100000) { }", Status::runtime_error);
  CHECK(h.last_err.find("iteration budget exhausted") != std::string::npos);
}

TEST_CASE("indexing and slicing tensors and lists", "[interp][index]") {
  Harness h;
  h.entry("let m = [[1, 2, 3], [4, 5, 6]]");
  CHECK(h.entry("m[1]") == "[4, 5, 6]\n");
  CHECK(h.entry("m[:, 0]") == "[1, 4]\n");
  CHECK(h.entry("m[-1, ::-1]") == "[6, 5, 4]\n");
  CHECK(h.entry("m[0, 1:]") == "[2, 3]\n");
  CHECK(h.entry("m[1, 2]") == "6\n");
  CHECK(h.entry("[10, \"b\", 30][-2]") == "\"b\"\n");
  CHECK(h.entry("[1, \"b\", 3, 4][1:3]") == "[\"b\", 3]\n");
  h.entry("m[2]", Status::runtime_error);
  CHECK(h.last_err.find("index 2 is out of range for axis 0 of size 2") != std::string::npos);
  h.entry("m[0, 0, 0]", Status::runtime_error);
  CHECK(h.last_err.find("too many indices") != std::string::npos);
  // Gradients flow through indexing.
  h.entry("param p = [1, 2, 3]");
  CHECK(h.entry("grad sum(p[1:] * 3) wrt p").find("[0, 3, 3]") != std::string::npos);
}

TEST_CASE("string interpolation with format specs", "[interp][print]") {
  Harness h;
  h.entry("let loss = sum([0.123456, 0])");
  CHECK(h.entry("print \"loss {loss:.3f} n={2:d} {loss}\"") == "loss 0.123 n=2 0.123456\n");
  CHECK(h.entry("print \"{[1, 2]:.1f}\"") == "[1.0, 2.0]\n");
  h.entry("print \"{loss:.3q}\"", Status::runtime_error);
  CHECK(h.last_err.find("bad format spec ':.3q'") != std::string::npos);
  // A brace inside a spec: said in the language's terms, not fmt's.
  h.entry("print \"{1:{2}}\"", Status::runtime_error);
  CHECK(h.last_err.find("bad format spec ':{2}': a spec holds no braces") != std::string::npos);
  CHECK(h.last_err.find("argument indexing") == std::string::npos);
}

TEST_CASE("list literals: numbers make constants, tensors stack with gradients", "[interp]") {
  Harness h;
  h.entry("param a = 1; param b = 2");
  h.entry("let v = [a, b, 3]");
  CHECK(h.entry("v") == "[1, 2, 3]\n");
  CHECK(h.entry("grad sum(v * v) wrt a, b").find("da/") == std::string::npos);
  CHECK(h.entry("[\"x\", [1]]") == "[\"x\", [1]]\n");
}

TEST_CASE("origin tags name the binding and the source position", "[interp][origin]") {
  Harness h;
  h.entry("param w = [1, -1]");
  h.entry("let h = relu(w * 2)");
  Interpreter& in = h.session.interpreter();
  const Binding& b = in.globals().at("h");
  const std::string where = in.origins().describe(b.value.tensor().node().origin);
  CHECK(where == "<repl>:1:9 (h)");
  const std::string wtag = in.origins().describe(in.globals().at("w").value.tensor().node().origin);
  CHECK(wtag == "<repl>:1:1 (w)");
}

TEST_CASE("train replays the graph and refreshes every binding", "[interp][train]") {
  Harness h;
  h.script(
      "param w = 0\n"
      "let xs = linspace(-1, 1, 5)\n"
      "let pred = w * xs\n"
      "let loss = mean((pred - 3 * xs)^2)\n");
  const auto nodes = h.session.graph().size();
  std::string out = h.script("train loss with sgd(lr=0.5) for 200 steps quiet\n");
  CHECK(out == "");
  CHECK(h.session.graph().size() == nodes);  // training built no nodes
  CHECK(std::fabs(h.number("w") - 3) < 1e-9);
  CHECK(h.number("loss") < 1e-18);
  CHECK(std::fabs(h.number("pred[4]") - 3) < 1e-9);  // bindings show the trained values
}

TEST_CASE("train's report: a step's loss is taken before its update, final after the last",
          "[interp][train]") {
  Harness h;
  // l = 2w + |v|^2 with sgd(lr=0.1): w falls by 0.2 and v shrinks by 0.8 each step.
  // Steps 1-3 see l = 7, 4.8, 3.248; the params the third update leaves give
  // 0.8^6 * 5 + 2 * 0.4 = 2.110720 (what `print l` shows), which no step saw.
  h.script("param w = 1\nparam v = [1, 2]\nlet l = w * 2 + sum(v ^ 2)\n");
  const std::string out = h.script("train l with sgd(lr=0.1) for 3 steps log every 1\nprint l\n");
  CHECK(out.find("step 3/3  loss 3.248\n") != std::string::npos);
  CHECK(out.find("loss  first 7  final 2.111  best 2.111 at the end\n") != std::string::npos);
  CHECK(out.find("\n2.11072\n") != std::string::npos);
  // Params that a step's update made worse: the best is that step's loss.
  h.script("param u = 1\nlet k = u ^ 2\n");
  const std::string worse = h.script("train k with sgd(lr=1.5) for 2 steps log every 1\n");
  CHECK(worse.find("loss  first 1  final 16  best 1 at step 1\n") != std::string::npos);
}

TEST_CASE("train's report with mini-batches: the steps' losses are a batch's, final is all the data's",
          "[interp][train][batch]") {
  Harness h;
  // A step's loss is that of its batch of 2 rows (at w = 0, the mean of x^2 over
  // them, which differs by batch); final is mean(((w - 1) x)^2) over all four
  // rows, which `print l` shows.
  h.script("param w = 0\nlet X = col([1, 2, 3, 4])\nlet Y = X\nlet l = mse(X * w, Y)\n");
  const std::string out = h.script("train l with sgd(lr=0.01) for 5 steps batch 2 from X, Y\nprint l\n");
  INFO(out);
  CHECK(out.find("\nbatch loss  first ") != std::string::npos);
  const std::size_t at = out.find("loss on all the data  final ");
  REQUIRE(at != std::string::npos);
  const double final_loss = std::stod(out.substr(at + 28));
  const double printed = std::stod(out.substr(out.rfind('\n', out.size() - 2) + 1));
  CHECK(final_loss == Approx(printed).epsilon(1e-3));  // the report rounds to 4 digits
  CHECK(out.find("best") < at);                        // a batch's best, on the batch line
}

TEST_CASE("train stops at a non-finite loss and restores the parameters", "[interp][train][nan]") {
  Harness h;
  // w <- w - lr * 2w = -1e100 w: the loss is 1, then 1e200, then inf.
  h.script("param w = 1\nlet loss = w^2\n");
  h.script("train loss with sgd(lr=5e99) for 10 steps quiet\n", Status::runtime_error);
  CHECK(h.last_err.find("training stopped at step 3: the loss is inf") != std::string::npos);
  CHECK(h.last_err.find("(step 2)") != std::string::npos);
  // Step 2's loss (1e200) came from w = 1 - 5e99 * 2 = -1e100.
  CHECK(h.number("w") == Approx(-1e100));
}

TEST_CASE("train names the op that first made a NaN", "[interp][train][nan]") {
  Harness h;
  h.script("param w = 1\nlet loss = sqrt(w - 2) + w\n");
  h.script("train loss with sgd(lr=0.1) for 10 steps quiet\n", Status::runtime_error);
  CHECK(h.last_err.find("'sqrt' here produced the first non-finite value") != std::string::npos);
  CHECK(h.last_err.find("test.hinge:2:12:") == 0);
  CHECK(h.number("w") == 1);
}

TEST_CASE("mini-batches re-evaluate the loss over batch leaves", "[interp][train][batch]") {
  Harness h;
  h.script(
      "param w = 0\n"
      "let X = col(linspace(-1, 1, 40))\n"
      "let Y = 2 * X\n"
      "def f(x) = x * w\n"
      "let loss = mse(f(X), Y)\n"
      "train loss with sgd(lr=0.5) for 100 steps batch 8 from X, Y quiet\n");
  CHECK(std::fabs(h.number("w") - 2) < 1e-6);
  CHECK(h.number("loss") < 1e-10);  // the full-data loss is refreshed
  // A loss that reaches X through another binding cannot be batched.
  h.script("let P = f(X)\nlet loss2 = mse(P, Y)\n");
  h.script("train loss2 with sgd(lr=0.1) for 1 steps batch 4 from X, Y quiet\n", Status::runtime_error);
  CHECK(h.last_err.find("write the model as a function") != std::string::npos);
}

TEST_CASE("record grads writes a CSV of gradient norms", "[interp][train]") {
  Harness h;
  TempDir dir("hinge-interp");
  const fs::path p = dir.path / "grads.csv";
  h.script("param a = 1; param b = [1, 1]\nlet loss = a^2 + sum(b^2)\n");
  h.script("train loss with sgd(lr=0.25) for 2 steps record grads to \"" + p.string() + "\" quiet\n");
  const std::string all = slurp(p);
  // d/da = 2a, |d/db| = |2b|: step 1 a=1 -> 2, b=[1,1] -> 2*sqrt(2); then halved.
  CHECK(all == "step,a,b\n1,2,2.8284271247461903\n2,1,1.4142135623730951\n");
}

TEST_CASE("Ctrl-C during train stops at a step boundary and keeps the parameters",
          "[interp][train][signal]") {
  // The progress bar reads the clock every step; this clock presses Ctrl-C on its
  // 20th reading, in the middle of training.
  SessionOptions o;
  o.terminal = true;
  auto readings = std::make_shared<int>(0);
  o.clock = [readings] {
    if (++*readings == 20) request_interrupt();
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(*readings));
  };
  Harness h(o);
  h.script("param w = 5\nlet loss = w^2\n");
  std::string out =
      h.script("train loss with sgd(lr=0.1) for 1000 steps\nprint \"after\"\n", Status::interrupted);
  const auto at = out.find("training interrupted after step ");
  REQUIRE(at != std::string::npos);
  const int done = std::stoi(out.substr(at + 32));
  CHECK(done > 0);
  CHECK(done < 1000);
  CHECK(out.find("stopped after step") != std::string::npos);
  CHECK(out.find("after\n") == std::string::npos);
  CHECK(!interrupt_requested());
  // Each completed SGD step multiplies w by 1 - 0.1 * 2 = 0.8.
  CHECK(h.number("w") == Approx(5 * std::pow(0.8, done)).epsilon(1e-12));
  // A Ctrl-C that arrives between statements stops before the next one.
  request_interrupt();
  CHECK(h.script("print \"never\"\n", Status::interrupted) == "");
}

TEST_CASE("save and load round-trip; a corrupt file changes nothing", "[interp][io]") {
  Harness h;
  TempDir dir("hinge-interp");
  const fs::path p = dir.path / "model.ckpt";
  h.script("param w = [1, 2]\nparam b = 3\n");
  h.script("save w, b to \"" + p.string() + "\"\n");
  h.script("w = [7, 7]\nb = 0\n");
  std::string out = h.script("load \"" + p.string() + "\"\n");
  CHECK(out.find("loaded w [2], b [] from") == 0);
  CHECK(h.entry("w") == "[1, 2]\n");
  // Corrupt one byte: load fails and w keeps its value.
  {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  h.script("w = [9, 9]\n");
  h.script("load \"" + p.string() + "\"\n", Status::runtime_error);
  CHECK(h.entry("w") == "[9, 9]\n");
}

TEST_CASE("import runs a file in the session; cycles are errors", "[interp][import]") {
  TempDir tmp("hinge-interp");
  const fs::path dir = tmp.path;
  { std::ofstream(dir / "lib.hinge") << "def sq(x) = x * x\nlet k = 4\n"; }
  { std::ofstream(dir / "a.hinge") << "import \"b.hinge\"\n"; }
  { std::ofstream(dir / "b.hinge") << "import \"a.hinge\"\n"; }
  { std::ofstream(dir / "main.hinge") << "import \"lib.hinge\"\nprint sq(k)\n"; }
  Harness h;
  CHECK(h.session.run_file((dir / "main.hinge").string()) == Status::ok);
  CHECK(h.out.take() == "16\n");
  CHECK(h.session.run_file((dir / "a.hinge").string()) == Status::runtime_error);
  CHECK(h.err.take().find("import cycle: a.hinge -> b.hinge -> a.hinge") != std::string::npos);
}

TEST_CASE("the tensor size cap gives a clear error", "[interp][limits]") {
  SessionOptions o;
  o.limits.max_elements = 100;
  Harness h(o);
  h.entry("zeros([20, 20])", Status::runtime_error);
  CHECK(h.last_err.find("too large (limit 100 elements, --max-elements)") != std::string::npos);
  CHECK(h.entry("1 + 1") == "2\n");
}

TEST_CASE("grad prints gradients with a summary; gradcheck agrees", "[interp][grad]") {
  Harness h;
  h.entry("param w = [1, -2]");
  std::string g = h.entry("grad sum(relu(w) * 3) wrt w");
  CHECK(g == "d(sum(relu(w) * 3))/dw = [3, 0]\n  norm 3, zero 1 of 2 (50%)\n");
  std::string c = h.entry("gradcheck sum(w * w * w)");
  CHECK(c.find("gradcheck sum(w * w * w) wrt w: ok, 2 elements") == 0);
}

TEST_CASE("min is the smallest element, its gradient on the chosen one, shared at a tie", "[interp][grad]") {
  Harness h;
  h.entry("param v = [[3, 0.5, 2], [-1, 4, 7]]");
  CHECK(h.entry("print min(v), min(v, axis=1)") == "-1 [0.5, -1]\n");
  CHECK(h.entry("gradcheck sum(min(v, axis=0) * [1, 2, 3])").find("ok, 6 elements") != std::string::npos);
  h.entry("param t = [2, 1, 1]");
  CHECK(h.entry("grad min(t) wrt t").starts_with("d(min(t))/dt = [0, 0.5, 0.5]\n"));
}

TEST_CASE("gradcheck passes a gradient that bends fast and fails a wrong one, with the step",
          "[interp][grad]") {
  Harness h;
  // One central difference put this correct gradient (4375.357) at 4374.400 and
  // failed it at relative error 2.2e-4 (Note [Richardson differences]).
  h.entry("param w0 = 2.5\nparam w1 = -2.3\nparam w2 = 2.1\nparam w3 = 1.9");
  std::string ok = h.entry("gradcheck cos((w3 * w2 * w1 * w0) ^ 3)");
  CHECK(ok.find("gradcheck cos((w3 * w2 * w1 * w0) ^ 3) wrt w0, w1, w2, w3: ok, 4 elements") == 0);
  // detach hides half of the gradient: analytic x, numeric 2x at every element
  // (relative error 0.5 at x[0], 0.2 at x[1]).
  h.entry("param x = [0.5, 0.1]");
  std::string bad = h.entry("gradcheck sum(x * detach(x) * [1, 2]) + sum(exp(w0))");
  INFO(bad);
  CHECK(bad.find("wrt w0, x: FAILED at x[0]: analytic 0.5, numeric 1.0000000") != std::string::npos);
  CHECK(bad.find("(relative error 5.0e-01, step 1.0e-06 and half)") != std::string::npos);
}

TEST_CASE("gradcheck of a target that is NaN here says it cannot check, not that it failed",
          "[interp][grad]") {
  Harness h;
  h.entry("param p = [1, 2, 3]");
  CHECK(h.entry("gradcheck sum(log(p - 2))") ==
        "gradcheck sum(log(p - 2)) wrt p: cannot check: (sum(log(p - 2))) is nan at the current values "
        "(finite differences need a finite value)\n");
  h.entry("p = [3, 4, 5]");
  CHECK(h.entry("gradcheck sum(log(p - 2))").find("gradcheck sum(log(p - 2)) wrt p: ok, 3 elements") == 0);
}

TEST_CASE("gradcheck says which slopes the round-off of a large target hides", "[interp][grad]") {
  Harness h;
  h.entry("param w = [0.3, -1.2, 2.0, 0.7]");
  std::string some = h.entry("gradcheck sum(w * w) + 1e8");
  INFO(some);
  CHECK(some.find("gradcheck sum(w * w) + 1e8 wrt w: ok, 3 elements (1 more too flat to resolve against the "
                  "round-off of (sum(w * w) + 1e8), about +-8.9e-02), worst relative error") == 0);
  std::string all = h.entry("gradcheck sum(w * w) + 1e10");
  INFO(all);
  CHECK(
      all.find("gradcheck sum(w * w) + 1e10 wrt w: cannot check: (sum(w * w) + 1e10) is about 1e+10, and its "
               "round-off blurs the differences by about +-8.9e+00") == 0);
}

TEST_CASE("Ctrl-C stops plot regions at its finest grid before it writes the file",
          "[interp][plot][signal]") {
  // 10^6 cells through a layer of 16 units: seconds of ops on large tensors and
  // passes over every cell, with no statement boundary in between. Ctrl-C comes
  // 100 ms in, long before the end.
  TempDir dir("hinge-interp");
  Harness h;
  h.script(
      "param W1 = normal([2, 16])\nparam b1 = normal([16])\nparam W2 = normal([16, 8])\n"
      "def f(x) = relu(x @ W1 + b1) @ W2\n");
  const fs::path svg = dir.path / "regions.svg";
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    request_interrupt();
  });
  const std::string out =
      h.script("plot regions f to \"" + svg.string() + "\" with resolution=1000\n", Status::interrupted);
  ctrl_c.join();
  CHECK(out.find("regions on a") == std::string::npos);
  CHECK(!fs::exists(svg));
  CHECK(h.last_err.find("interrupted") != std::string::npos);
  CHECK(!interrupt_requested());
}

TEST_CASE("a scatter's classes are whole numbers: a fraction is an error, not rounded", "[interp][plot]") {
  Harness h;
  h.entry("let X = [[1, 2], [3, 4], [2, 2]]");
  h.entry("plot scatter X: [0.4, 1, 0.6]", Status::runtime_error);
  CHECK(h.last_err.find("error: the classes must be whole numbers, but point 1 has 0.4; to colour by a "
                        "threshold, give a comparison (y > 0.5)") != std::string::npos);
  CHECK(h.entry("plot scatter X: [0, 1, 1]").find("o class 0  x class 1") != std::string::npos);
  CHECK(h.entry("plot scatter X: X[:, 0] > 1.5").find("o class 0  x class 1") != std::string::npos);
  // The points over a region map take the same classes.
  h.entry("plot regions relu: X, [1, 0.5, 0]", Status::runtime_error);
  CHECK(h.last_err.find("point 2 has 0.5") != std::string::npos);
}

TEST_CASE("strings count characters, and {n:c} writes the character n as UTF-8", "[interp][strings]") {
  Harness h;
  CHECK(h.entry("print len(\"h\u00e9llo\"), len(\"\u65e5\u672c\"), len(\"\")") == "5 2 0\n");
  CHECK(h.entry("print \"[{65:c}][{233:c}][{26085:>3c}][{128512:c}]\"") ==
        "[A][\u00e9][ \u65e5][\U0001F600]\n");
  for (const char* bad : {"{-1:c}", "{1114112:c}", "{55296:c}", "{1.5:c}"}) {
    h.entry(std::string("print \"") + bad + "\"", Status::runtime_error);
    CHECK(h.last_err.find("needs a code point") != std::string::npos);
  }
}

TEST_CASE("an error inside functions notes the calls that ran it, the innermost three", "[interp][errors]") {
  Harness h;
  h.script("def a(x) = x @ [1, 2, 3]\ndef b(x) = a(x)\ndef c(x) = b(x)\ndef d(x) = c(x)\nprint d([1, 2])\n",
           Status::runtime_error);
  const std::string& e = h.last_err;
  INFO(e);
  CHECK(e.find("test.hinge:1:12: error: shape mismatch in '@'") == 0);
  CHECK(e.find("test.hinge:2:12: note: in this call of a\n") != std::string::npos);
  CHECK(e.find("test.hinge:3:12: note: in this call of b\n") != std::string::npos);
  CHECK(e.find("test.hinge:4:12: note: in this call of c\n") != std::string::npos);
  CHECK(e.find("in this call of d") == std::string::npos);  // a fourth is left out
}

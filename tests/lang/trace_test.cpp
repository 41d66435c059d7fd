// Explained traces (`trace`, `pattern`): golden outputs checked by hand
// (tests/golden/trace/NAME.hinge -> NAME.out through the hinge binary), tracing
// changes no value or gradient, every printed gradient is hinge::grad's, the
// check column, folding and the per-layer summary of a deep sigmoid stack, and
// DOT / JSON files their tools accept.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "capture.hpp"
#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"
#include "eval/session.hpp"
#include "explain/explain.hpp"
#include "graph_snapshot.hpp"
#include "hinge/backward.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using namespace hinge;
using namespace hinge::lang;
namespace fs = std::filesystem;
using hinge::test::Capture;
using hinge::test::run_process;
using hinge::test::RunResult;
using hinge::test::slurp;
using hinge::test::snapshot;
using hinge::test::TempDir;

namespace {

// A session writing to a temporary file; out() returns what it printed so far.
struct Harness {
  Capture out, err;
  Session session{SessionOptions{.out = out.f, .err = err.f}};
  std::string run(const std::string& text) {
    const Status st = session.run_script("t.hinge", text);
    const std::string errors = err.take();
    INFO(errors);
    REQUIRE(st == Status::ok);
    return out.take();
  }
  Tensor tensor(const std::string& name) {
    auto& g = session.interpreter().globals();
    REQUIRE(g.count(name));
    REQUIRE(g.at(name).value.is_tensor());
    return g.at(name).value.tensor();
  }
};

// Values compared bit for bit, NaN equal to NaN.
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k])))) return false;
  return true;
}

const char* kNeuron = R"(
param w = 0.5
param b = -1
param c = 3
let x = 4
let h = w*x + b
let y = relu(h) + h * w + sigmoid(c * h)
)";

}  // namespace

TEST_CASE("trace goldens: every value, partial, gradient and note as checked by hand") {
  const fs::path dir = fs::path(HINGE_TEST_DIR) / "golden" / "trace";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".hinge") continue;
    const std::string name = entry.path().stem().string();
    DYNAMIC_SECTION(name) {
      TempDir tmp;
      fs::copy_file(entry.path(), tmp.path / entry.path().filename());
      const RunResult r = run_process({HINGE_EXE, entry.path().filename().string()}, tmp.path);
      INFO(r.err);
      CHECK(r.status == 0);
      CHECK(r.out == slurp(dir / (name + ".out")));
    }
    ++count;
  }
  CHECK(count >= 10);
}

TEST_CASE("tracing changes no value and no gradient, and adds no node") {
  Harness h;
  h.run(std::string(kNeuron) + "let loss = y * y\n");
  Graph& g = h.session.graph();
  // Leaves holding accumulated gradients from an earlier backward must keep them.
  backward(h.tensor("loss"));
  const auto before = snapshot(g);
  TempDir tmp;
  const std::string dot = (tmp.path / "t.dot").string(), json = (tmp.path / "t.json").string();
  const std::string out = h.run(
      fmt::format("trace loss check\ntrace y full\ntrace loss to \"{}\"\ntrace loss to \"{}\"\n", dot, json));
  CHECK(out.find("check: central differences for 3 params") != std::string::npos);
  CHECK(snapshot(g) == before);
  // Twice the same text: nothing the first trace did shows in the second.
  CHECK(h.run("trace loss check\n") == h.run("trace loss check\n"));
}

TEST_CASE("every gradient a trace holds and prints is hinge::grad's number") {
  Harness h;
  h.run(kNeuron);
  Graph& g = h.session.graph();
  const Tensor y = h.tensor("y");
  const Explanation ex = explain(y, {});
  std::vector<Tensor> wrt;
  for (const Row& r : ex.rows)
    if (g[r.id].requires_grad()) wrt.push_back({&g, r.id});
  const auto expect = grad(y, wrt);
  std::size_t k = 0;
  for (const Row& r : ex.rows) {
    if (!g[r.id].requires_grad()) {
      CHECK(r.grad.empty());
      continue;
    }
    CHECK(same(r.grad, expect[k++].values()));
    // The per-consumer contributions add up to the adjoint.
    if (r.contributions.size() > 1) {
      double sum = 0;
      for (const Contribution& c : r.contributions) sum += c.value[0];
      CHECK(sum == Approx(r.grad[0]).epsilon(1e-14));
    }
  }
  // The printed text carries exactly those numbers: "grad=N" on each row.
  const std::string text = render_text(ex, {});
  std::regex grad_re(R"(^%(\d+) .*  grad=(\S+))");
  int seen = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, grad_re)) continue;
    const Row& r = ex.rows[std::stoul(m[1])];
    CHECK(m[2].str() == format_number(grad(y, {Tensor{&g, r.id}})[0].item()));
    ++seen;
  }
  CHECK(seen == static_cast<int>(wrt.size()));
}

TEST_CASE("local partials are the op's derivative at the current values") {
  Harness h;
  h.run(kNeuron);
  const Explanation ex = explain(h.tensor("y"), {});
  // h = w*x + b = 1: the mul row has dw = x = 4 and dx = w = 0.5.
  const auto mul = std::find_if(ex.rows.begin(), ex.rows.end(), [](const Row& r) { return r.op == "mul"; });
  REQUIRE(mul != ex.rows.end());
  CHECK(mul->partials == std::vector<double>{4.0, 0.5});
  // sigmoid(3 * 1): s(1 - s) at 3.
  const auto sig =
      std::find_if(ex.rows.begin(), ex.rows.end(), [](const Row& r) { return r.op == "sigmoid"; });
  const double s = 1 / (1 + std::exp(-3.0));
  CHECK(sig->partials[0] == Approx(s * (1 - s)).epsilon(1e-15));
}

TEST_CASE("trace check: finite differences agree with the gradients") {
  Harness h;
  h.run(kNeuron);
  ExplainOptions opt;
  opt.check = true;
  const Explanation ex = explain(h.tensor("y"), opt);
  int params = 0;
  for (const Row& r : ex.rows) {
    if (r.role != Role::param) continue;
    ++params;
    REQUIRE(r.fd.size() == 1);
    CHECK(r.fd[0] == Approx(r.grad[0]).epsilon(1e-7));
    CHECK(r.fd_error < 1e-7);
  }
  CHECK(params == 3);
  CHECK(ex.check_error.empty());
}

// `trace ... check` judges each element as gradcheck does, round-off included, and
// says what it found in gradcheck's words: a large target's correct gradient
// passes with its flat elements counted apart, a wrong one (half of it hidden by
// detach) fails at the element gradcheck names, and a target whose round-off hides
// every slope cannot be checked.
TEST_CASE("trace check and gradcheck give the same verdict in the same words") {
  Harness h;
  h.run(
      "param w = [1.5, -2.0, 0.5]\nparam b = 0.25\n"
      "let big = sum(relu(w * 3 + b) * w) + 1e7\n"
      "let wrong = sum(w * detach(w))\n"
      "let huge = sum(w * w) + 1e10\n");
  // The verdict after each header: the trace's summary line, gradcheck's line.
  auto verdicts = [&](const std::string& target) {
    std::string trace = h.run(fmt::format("trace {} check\n", target));
    trace = trace.substr(trace.find("check: central differences"));
    trace = trace.substr(0, trace.find('\n'));
    std::string check = h.run(fmt::format("gradcheck {}\n", target));
    check = check.substr(0, check.find('\n'));
    return std::pair{trace.substr(trace.find("): ") + 3), check.substr(check.find(": ") + 2)};
  };
  {
    const auto [trace, check] = verdicts("big");
    CHECK(
        trace.starts_with("ok, 3 elements (1 more too flat to resolve against the round-off of big, about"));
    CHECK(trace.ends_with("at %0[2]"));
    CHECK(check.ends_with("at w[2]"));
    CHECK(trace.substr(0, trace.find(" at ")) == check.substr(0, check.find(" at ")));
    // w's row says one of its elements is too flat; b's row says none.
    const std::string rows = h.run("trace big check\n");
    CHECK(rows.find("max err=") != std::string::npos);
    CHECK(rows.find("unresolved=1") != std::string::npos);
    CHECK(rows.find("unresolved=2") == std::string::npos);
    // The JSON export carries the count beside the differences.
    TempDir tmp;
    const std::string json = (tmp.path / "t.json").string();
    h.run(fmt::format("trace big check to \"{}\"\n", json));
    std::ifstream in(json);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    CHECK(text.find(R"("fd_unresolved": 1)") != std::string::npos);
    CHECK(text.find(R"("fd_unresolved": 0)") != std::string::npos);
  }
  {
    const auto [trace, check] = verdicts("wrong");
    CHECK(trace.starts_with("FAILED at %0[0]: analytic 1.5, numeric 3.0"));
    CHECK(check.starts_with("FAILED at w[0]: analytic 1.5, numeric 3.0"));
    CHECK(trace.substr(trace.find(": ")) == check.substr(check.find(": ")));
  }
  {
    const auto [trace, check] = verdicts("huge");
    CHECK(trace.starts_with("cannot check: huge is about 1e+10"));
    CHECK(trace == check);
  }
  // On a terminal 72 columns wide the verdict wraps at spaces, within the width.
  ExplainOptions opt;
  opt.check = true;
  const std::string text =
      render_text(explain(h.tensor("big"), opt), TextOptions{.width = 72, .title = "big"});
  const std::string summary = text.substr(text.find("check: central differences"));
  CHECK(summary.find("(1\n       more too flat to resolve") != std::string::npos);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 72);
}

// In float32 the trace gives the worst error without a verdict, and says so when
// no element could be compared at all (it named an element -1 and crashed, once).
TEST_CASE("trace check in float32 gives the worst error or says that nothing was resolved") {
  Capture out, err;
  Session session{SessionOptions{.dtype = DType::f32, .out = out.f, .err = err.f}};
  REQUIRE(session.run_script("t.hinge",
                             "param w = [1.5, -2.0]\n"
                             "trace sum(w * w) check\n"
                             "trace sum(w * w) * 0.000001 + 1e12 check\n") == Status::ok);
  const std::string text = out.take();
  CHECK(text.find("check: float32 graph: finite differences are rough") != std::string::npos);
  CHECK(text.find("(2 elements): worst relative error") != std::string::npos);
  CHECK(text.find("(2 elements): every element too flat to resolve") != std::string::npos);
  CHECK(text.find("ok,") == std::string::npos);
}

TEST_CASE("a 20-layer sigmoid stack folds and its layer summary shows the vanishing gradient") {
  std::string script = "seed(1)\nlet X = normal([32, 16])\n";
  for (int i = 1; i <= 20; ++i)
    script += fmt::format("param W{0} = xavier([16, 16])\nparam b{0} = zeros([16])\n", i);
  script += "let h = X\n";
  for (int i = 1; i <= 20; ++i) script += fmt::format("h = sigmoid(h @ W{0} + b{0})\n", i);
  script += "let loss = mean(h)\n";
  Harness h;
  h.run(script);
  const Explanation ex = explain(h.tensor("loss"), {});
  REQUIRE(ex.layers.size() == 20);
  for (const Layer& l : ex.layers) {
    CHECK(l.activation == "sigmoid");
    CHECK(l.mean_slope <= 0.25);  // sigmoid's slope never exceeds 1/4
    CHECK(l.params.size() == 2);
  }
  CHECK(ex.layers.front().param_grad_norm < 1e-6 * ex.layers.back().param_grad_norm);
  TextOptions opt;
  opt.title = "loss";
  const std::string text = render_text(ex, opt);
  INFO(text);
  CHECK(text.find("... 54 rows: layers 2..19 like %41..%43 (`trace loss full` shows them) ...") !=
        std::string::npos);
  CHECK(text.find("... 36 leaves of layers 2..19 like %41..%43 ...") != std::string::npos);
  CHECK(text.find("(vanishing)") != std::string::npos);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  CHECK(lines < 50);  // one screen
  opt.full = true;
  const std::string full = render_text(ex, opt);
  CHECK(full.find("folded") == std::string::npos);
  CHECK(full.find("%71 = matmul(%70, %21)") != std::string::npos);
}

TEST_CASE("a long scalar chain is cut at the depth limit") {
  Harness h;
  h.run("param w = 0.9\nlet y = w\nfor i in range(100) { y = y * w }\n");
  const Explanation ex = explain(h.tensor("y"), {});
  TextOptions opt;
  opt.title = "y";
  opt.max_depth = 10;
  const std::string text = render_text(ex, opt);
  CHECK(text.find("rows more than 10 steps from the root (`trace y full` shows them)") != std::string::npos);
  CHECK(text.find("%0 = param") != std::string::npos);  // the leaf stays: its consumer near the root shows
}

TEST_CASE("trace to .dot writes Graphviz that dot accepts, coloured by role and note") {
  Harness h;
  TempDir tmp;
  const std::string dot = (tmp.path / "y.dot").string();
  const std::string out = h.run(std::string(kNeuron) + "let z = relu(-1 * c) + sigmoid(w * 40)\n" +
                                fmt::format("trace z to \"{}\"\n", dot));
  CHECK(out.find("wrote the trace of z") != std::string::npos);
  const std::string text = slurp(dot);
  CHECK(text.rfind("digraph trace {", 0) == 0);
  CHECK(text.find("fillcolor=\"#ff9a9a\"") != std::string::npos);            // the closed relu: red
  CHECK(text.find("fillcolor=\"#ffc266\"") != std::string::npos);            // the saturated sigmoid: orange
  CHECK(text.find("fillcolor=\"#cfe6ff\"") != std::string::npos);            // a param: blue
  CHECK(text.find("note: relu closed: input -3 < 0") != std::string::npos);  // the note, in the tooltip
  // graphviz and python3 are installed by tests/run: these checks always run.
  const RunResult r = run_process({"dot", "-Tsvg", dot, "-o", (tmp.path / "y.svg").string()}, tmp.path);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(slurp(tmp.path / "y.svg").find("<svg") != std::string::npos);
}

// The labels of a DOT file, each as its lines.
static std::vector<std::vector<std::string>> dot_labels(const std::string& dot) {
  std::vector<std::vector<std::string>> out;
  for (std::size_t k = dot.find("label=\""); k != std::string::npos; k = dot.find("label=\"", k + 1)) {
    const std::size_t line_start = dot.rfind('\n', k) + 1;
    if (dot.compare(line_start, 3, "  n") != 0) continue;  // the nodes' labels, not the legend's
    std::vector<std::string> lines{""};
    for (std::size_t i = k + 7; i < dot.size() && dot[i] != '"'; ++i) {
      if (dot[i] == '\\' && i + 1 < dot.size()) {
        if (dot[i + 1] == 'n')
          lines.emplace_back();
        else
          lines.back() += dot[i + 1];
        ++i;
      } else {
        lines.back() += dot[i];
      }
    }
    out.push_back(lines);
  }
  return out;
}

TEST_CASE(
    "trace to .dot of an MLP: short labels (name, op, shape, value), statistics in the tooltip, "
    "top to bottom") {
  Harness h;
  TempDir tmp;
  const std::string dot = (tmp.path / "mlp.dot").string();
  h.run(fmt::format(R"(
seed(1)
let X = normal([32, 2])
let Y = normal([32, 1])
param W1 = normal([2, 16])
param b1 = zeros([16])
param W2 = normal([16, 1])
param b2 = 0
let loss = mse(relu(X @ W1 + b1) @ W2 + b2, Y)
trace loss to "{}"
)",
                    dot));
  const std::string text = slurp(dot);
  CHECK(text.find("rankdir=TB") != std::string::npos);
  const auto labels = dot_labels(text);
  REQUIRE(labels.size() >= 12);
  for (const auto& lines : labels) {
    INFO(fmt::format("{}", fmt::join(lines, " / ")));
    CHECK(lines.size() <= 4);
    for (const auto& l : lines) {
      CHECK(l.size() <= 30);
      CHECK(l.find("min=") == std::string::npos);
    }
  }
  CHECK(text.find("W1 (param)\\n[2, 16]\\n|value| ") != std::string::npos);
  CHECK(text.find("tooltip=\"") != std::string::npos);
  CHECK(text.find("value: {norm=") != std::string::npos);  // the statistics, in the tooltip
  // Graphviz draws it taller than wide, at a size a screen holds.
  const fs::path svg = tmp.path / "mlp.svg";
  const RunResult r = run_process({"dot", "-Tsvg", dot, "-o", svg.string()}, tmp.path);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string pic = slurp(svg);
  std::smatch m;
  REQUIRE(std::regex_search(pic, m, std::regex(R"(<svg width="(\d+)pt" height="(\d+)pt")")));
  CHECK(std::stoi(m[1]) < 1500);
  CHECK(std::stoi(m[2]) > std::stoi(m[1]));
}

TEST_CASE(
    "trace follows per-layer weights that are slices of one param, and colours where the gradient "
    "vanishes") {
  Harness h;
  TempDir tmp;
  const std::string dot = (tmp.path / "stack.dot").string();
  const std::string out = h.run(fmt::format(R"(
seed(2)
let X = normal([16, 8])
let Y = normal([16, 1])
param Ws = xavier([10, 8, 8])
param bs = zeros([10, 8])
param V = xavier([8, 1])
def net(x) {{
  let h = x
  for i in range(10) {{ h = sigmoid(h @ Ws[i] + bs[i]) }}
  return h @ V
}}
let loss = mse(net(X), Y)
trace loss
trace loss to "{}"
)",
                                            dot));
  // Every layer of the stack has its |grad params| (Ws[i] with bs[i]), and the verdict.
  const auto rows = std::regex(R"(\n  (\d+)\s+%\d+\.\.%\d+\s+matmul add sigmoid\s+(\S+))");
  int layers = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), rows); it != std::sregex_iterator(); ++it) {
    INFO((*it)[0].str());
    CHECK((*it)[2].str() != "-");
    ++layers;
  }
  CHECK(layers == 10);
  CHECK(out.find("first/last layer |grad params| = ") != std::string::npos);
  CHECK(out.find("(vanishing)") != std::string::npos);
  CHECK(out.find("gradient vanishing in layer 1: |grad params|") != std::string::npos);
  // The legend promises orange for vanishing: the first layers are orange.
  const std::string text = slurp(dot);
  CHECK(text.find("saturated / vanishing: orange") != std::string::npos);
  CHECK(text.find("fillcolor=\"#ffc266\"") != std::string::npos);
}

TEST_CASE("trace to .json: the same ids, every field, strings escaped") {
  Harness h;
  TempDir tmp;
  const std::string json = (tmp.path / "y.json").string();
  h.run(std::string(kNeuron) + fmt::format("trace y to \"{}\"\n", json));
  const std::string text = slurp(json);
  for (const char* field : {"\"root\"", "\"nodes\"", "\"partials\"", "\"contributions\"", "\"notes\"",
                            "\"where\"", "\"text\"", "\"name\": \"h\"", "\"layers\"", "\"unused_params\""})
    CHECK(text.find(field) != std::string::npos);
  // Parse it and check the ids and a gradient against the text trace's (the path
  // is an argument of the program, not part of it).
  const RunResult r = run_process(
      {"python3", "-c",
       "import json,sys; d=json.load(open(sys.argv[1])); n=d[\"nodes\"]; "
       "assert [x[\"id\"] for x in n] == list(range(len(n))); "
       "h=[x for x in n if x.get(\"name\")==\"h\"][0]; print(h[\"grad\"], len(h[\"contributions\"]))",
       json},
      tmp.path);
  INFO(r.err);
  CHECK(r.status == 0);
  // h feeds relu, h * w (twice: as h) and c * h: three consumers.
  CHECK(r.out.find(" 3") != std::string::npos);
}

TEST_CASE("trace errors are diagnostics at the target") {
  Harness h;
  CHECK(h.session.run_script("t.hinge", "let s = \"text\"\ntrace s\n") == Status::runtime_error);
  CHECK(h.err.take().find("t.hinge:2:7: error: trace shows the graph behind a tensor, got a string") !=
        std::string::npos);
  CHECK(h.session.run_script("t.hinge", "param v = [1, 2]\ntrace v * 2 check\n") == Status::runtime_error);
  CHECK(h.err.take().find("check needs a value with one element") != std::string::npos);
}

TEST_CASE("a gradient that arrives and cancels is said to cancel, not to vanish or not to reach") {
  Harness h;
  // Trained to its minimum, w's two uses send back about -0.5 and 0.5: a sum near
  // 1e-15 that was called "gradient vanishing".
  const std::string out = h.run(
      "param w = 0\nlet l = (w - 3) ^ 2 + w * 0.5\ntrain l with sgd(lr=0.1) for 300 steps quiet\ntrace l\n");
  CHECK(out.find("note: the gradients of its 2 uses cancel: parts of |grad| 1 in all sum to") !=
        std::string::npos);
  CHECK(out.find("vanishing") == std::string::npos);
  // Exactly 0 at a param used twice: it was "no gradient reaches it".
  const std::string zero = h.run("param v = 0.1\nlet z = v * 3 - v * 3\ntrace z\n");
  CHECK(zero.find("note: the gradients of its 2 uses cancel") != std::string::npos);
  CHECK(zero.find("no gradient reaches it") == std::string::npos);
}

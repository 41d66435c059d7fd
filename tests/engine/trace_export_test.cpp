// Trace export: the exact text of a small traced graph, ids renumbered over the
// subgraph, tensor summaries, and DOT and JSON that their own tools accept.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "hinge/engine.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using namespace hinge;
namespace fs = std::filesystem;
using hinge::test::run_process;
using hinge::test::RunResult;
using hinge::test::TempDir;

namespace {

// Outside strings, braces and brackets balance; every string closes.
bool json_balanced(const std::string& s) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      else if (static_cast<unsigned char>(c) < 0x20)
        return false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth < 0) return false;
    }
  }
  return depth == 0 && !in_string;
}

// relu(w*x + b) with w = 0.5, x = 3, b = -1, after backward; some unrelated nodes
// first, so graph ids and trace ids differ.
struct Neuron {
  Graph g;
  Tensor w, x, b, y;
  std::map<NodeId, std::string> names;
  Neuron() {
    auto other = g.param(42.0);
    (void)(other * other);
    w = g.param(0.5);
    x = g.scalar(3.0);
    b = g.param(-1.0);
    y = relu(w * x + b);
    backward(y);
    names = {{w.id, "w"}, {x.id, "x"}, {b.id, "b"}, {y.id, "y"}};
  }
  TraceOptions labels() const {
    return {[this](NodeId id) {
      auto it = names.find(id);
      return it == names.end() ? std::string() : it->second;
    }};
  }
};

}  // namespace

TEST_CASE("trace text of relu(w*x + b) after backward") {
  Neuron n;
  CHECK(trace_text(n.y) ==
        "%0 = param  [] f64  value=0.5  grad=3\n"
        "%1 = const  [] f64  value=3\n"
        "%2 = param  [] f64  value=-1  grad=1\n"
        "%3 = mul(%0, %1)  [] f64  value=1.5  grad=1\n"
        "%4 = add(%3, %2)  [] f64  value=0.5  grad=1\n"
        "%5 = relu(%4)  [] f64  value=0.5  grad=1\n");
  CHECK(trace_text(n.y, n.labels()) ==
        "%0 = param  [] f64  value=0.5  grad=3  # w\n"
        "%1 = const  [] f64  value=3  # x\n"
        "%2 = param  [] f64  value=-1  grad=1  # b\n"
        "%3 = mul(%0, %1)  [] f64  value=1.5  grad=1\n"
        "%4 = add(%3, %2)  [] f64  value=0.5  grad=1\n"
        "%5 = relu(%4)  [] f64  value=0.5  grad=1  # y\n");
}

TEST_CASE("trace: scalars print shortest round-trip, tensors a summary, attributes shown") {
  Graph g(DType::f32);
  auto v = g.variable(Shape{2, 2}, std::vector<double>{1, -2, 0.5, 4}, DType::f32);
  auto a = leaky_relu(v, 0.1);
  auto s = sum(a * g.scalar(0.1), {0, 1});
  CHECK(trace_text(s) ==
        "%0 = var  [2, 2] f32  value={min=-2, max=4, mean=0.875}\n"
        "%1 = leaky_relu(%0; alpha=0.1)  [2, 2] f32  value={min=-0.2, max=4, mean=1.325}\n"
        "%2 = const  [] f32  value=0.1\n"
        "%3 = mul(%1, %2)  [2, 2] f32  value={min=-0.02, max=0.4, mean=0.1325}\n"
        "%4 = sum(%3; axes=[0, 1])  [] f32  value=0.53\n");
  backward(s);
  const std::string after = trace_text(s);
  CHECK_THAT(after, Catch::Contains("%0 = var  [2, 2] f32  value={min=-2, max=4, mean=0.875}  "
                                    "grad={min=0.01, max=0.1, mean=0.0775}"));
}

TEST_CASE("trace dot: micrograd records, params and root coloured, accepted by graphviz") {
  Neuron n;
  const std::string dot = trace_dot(n.y, n.labels());
  CHECK_THAT(dot, Catch::StartsWith("digraph trace {"));
  CHECK_THAT(dot, Catch::Contains("n0 [label=\"{ %0 param\\nw | value 0.5 | grad 3 }\", style=filled"));
  CHECK_THAT(dot, Catch::Contains("n1 [label=\"{ %1 const\\nx | value 3 | no grad }\"];"));
  CHECK_THAT(dot, Catch::Contains("n5 [label=\"{ %5 relu\\ny | value 0.5 | grad 1 }\", style=filled, "
                                  "fillcolor=\"#ffc89a\"];"));
  CHECK_THAT(dot, Catch::Contains("n3 -> n4;"));
  CHECK_THAT(dot, Catch::Contains("n2 -> n4;"));

  // Labels with record metacharacters are escaped.
  TraceOptions odd{[](NodeId) { return std::string("a{b}|<c> \"d\" \\e"); }};
  const std::string odd_dot = trace_dot(n.y, odd);
  CHECK_THAT(odd_dot, Catch::Contains(R"(a\{b\}\|\<c\> \"d\" \\e)"));

  // graphviz is installed by tests/run: dot must accept both files.
  TempDir tmp("hinge-trace-export");
  for (const std::string& text : {dot, odd_dot}) {
    const std::string in = tmp.file("g.dot"), out = tmp.file("g.svg");
    tmp.write("g.dot", text);
    const RunResult r = run_process({"dot", "-Tsvg", in, "-o", out}, tmp.path);
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(fs::exists(out));
    CHECK(fs::file_size(out) > 100);
  }
}

TEST_CASE("trace json: every field, the same ids, escaped strings, valid JSON") {
  Neuron n;
  std::string json = trace_json(n.y, n.labels());
  CHECK_THAT(json, Catch::StartsWith("{\n  \"root\": 5,\n  \"nodes\": [\n"));
  CHECK_THAT(json, Catch::Contains(R"({"id": 0, "op": "leaf", "kind": "param", "inputs": [], "attrs": "", )"
                                   R"("shape": [], "dtype": "f64", "requires_grad": true, "origin": 0, )"
                                   R"("value": 0.5, "grad": 3, "label": "w"})"));
  CHECK_THAT(json, Catch::Contains(R"({"id": 1, "op": "leaf", "kind": "const", "inputs": [], "attrs": "", )"
                                   R"("shape": [], "dtype": "f64", "requires_grad": false, "origin": 0, )"
                                   R"("value": 3, "grad": null, "label": "x"})"));
  CHECK_THAT(json, Catch::Contains(R"({"id": 3, "op": "mul", "kind": null, "inputs": [0, 1], )"));
  CHECK(json_balanced(json));

  // Awkward labels, tensors, NaN and infinity.
  Graph g;
  auto t = g.variable(Shape{3}, std::vector<double>{1, std::nan(""), 3}, DType::f64);
  auto inf = g.scalar(std::numeric_limits<double>::infinity());
  auto r = sum(t * inf);
  TraceOptions odd{
      [](NodeId id) { return id == 0 ? std::string("quote \" slash \\ nl \n tab \t bell \a") : ""; }};
  const std::string json2 = trace_json(r, odd);
  CHECK_THAT(json2, Catch::Contains(R"("label": "quote \" slash \\ nl \n tab \t bell \u0007")"));
  CHECK_THAT(json2, Catch::Contains(R"("value": {"min": 1, "max": 3, "mean": 2, "nan": 1})"));
  CHECK_THAT(json2, Catch::Contains(R"("value": "inf")"));
  CHECK(json_balanced(json2));

  // python3 is installed by tests/run: its json module must parse both.
  TempDir tmp("hinge-trace-export");
  for (const std::string& text : {json, json2}) {
    const std::string in = tmp.file("t.json");
    tmp.write("t.json", text);
    const RunResult r = run_process({"python3", "-m", "json.tool", in}, tmp.path);
    INFO(r.err);
    CHECK(r.status == 0);
  }
}

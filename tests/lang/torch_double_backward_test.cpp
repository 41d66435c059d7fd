// Second derivatives and Hessian-vector products against PyTorch's double
// backward (torch.autograd.grad(..., create_graph=True)), in float64. Each case
// is one program run twice: by hinge (gradient() is a node of the graph, Note
// [gradient is a node] in lang/builtins/analysis.cpp) and by Debian's
// python3-torch, from the same text for the values and the expression (hinge's
// `^` reads `**` in Python; a prelude gives torch's functions hinge's names).
// Both compute the gradient g = dy/dx, the Hessian-vector product H v and the
// second derivative H 1 = d(sum(g))/dx, which must agree to 1e-9.
//
// python3-torch missing is a failure, not a skip: tests/run installs it.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "eval/interpreter.hpp"
#include "eval/session.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

namespace {

using hinge::lang::Session;
using hinge::lang::SessionOptions;
using hinge::lang::Status;

struct Case {
  const char* name;
  const char* x;     // the param differentiated by (a literal both languages read)
  const char* c;     // a constant
  const char* k;     // another constant ("" for none)
  const char* expr;  // y, one element
};

// Values keep away from the kinks (relu, elu at 0).
const Case kCases[] = {
    {"mul", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(x * x * x * c)"},
    {"div", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(c / x + x / (x * x + 3))"},
    {"pow", "[0.4, 0.9, 1.6, 2.3]", "[0.5, 1.5, 2.0, 3.0]", "", "sum(x ^ 2.5 + x ^ x + c ^ x)"},
    {"exp", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(exp(x * c))"},
    {"log", "[0.4, 0.9, 1.6, 2.3]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(log(x) * c + log(x * x + 1))"},
    {"sqrt", "[0.4, 0.9, 1.6, 2.3]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(sqrt(x) * c)"},
    {"sin", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(sin(x * c) * x)"},
    {"cos", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(cos(x) * x * c)"},
    {"tanh", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(tanh(x) * c)"},
    {"sigmoid", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(sigmoid(x) * c)"},
    {"softplus", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(softplus(x) * c)"},
    {"gelu", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(gelu(x) * c)"},
    {"elu", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(elu(x) * c)"},
    {"softmax", "[[0.3, -1.2, 0.8], [1.1, 0.2, -0.5]]", "[[0.5, -1.0, 2.0], [0.25, 1.5, -0.75]]", "",
     "sum(softmax(x) * c)"},
    {"log_softmax", "[[0.3, -1.2, 0.8], [1.1, 0.2, -0.5]]", "[[0.5, -1.0, 2.0], [0.25, 1.5, -0.75]]", "",
     "sum(log_softmax(x) * c)"},
    {"matmul", "[[0.3, -1.2], [1.1, 0.2]]", "[[0.5, -1.0], [2.0, 0.25]]", "", "sum(x @ x @ x * c)"},
    {"mse", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "mse(x, c) + mse(x * x, c)"},
    {"cross_entropy (class indices)", "[[0.3, -1.2, 0.8], [1.1, 0.2, -0.5], [0.4, 0.9, -0.1]]",
     "[[0.5, -1.0, 2.0], [0.25, 1.5, -0.75]]", "[0.0, 2.0]", "cross_entropy(c @ x, k)"},
    {"cross_entropy (probabilities)", "[[0.3, -1.2, 0.8], [1.1, 0.2, -0.5]]",
     "[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]", "", "cross_entropy(x * x, c)"},
    // relu'' = 0: the gradient c relu'(x) has no slope in x.
    {"relu", "[-1.3, -0.4, 0.6, 1.7]", "[0.5, -1.0, 2.0, 0.25]", "", "sum(relu(x) * c)"},
};

// Gives torch's functions hinge's names, and prints, per case, g, H v and H 1.
const char* kPrelude = R"PY(
import sys
try:
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print("NO_TORCH", e)
    sys.exit(3)
torch.set_default_dtype(torch.float64)
def P(v): return torch.tensor(v, dtype=torch.float64, requires_grad=True)
def C(v): return torch.tensor(v, dtype=torch.float64)
sum = torch.sum
exp, log, sqrt, sin, cos = torch.exp, torch.log, torch.sqrt, torch.sin, torch.cos
tanh, sigmoid, relu = torch.tanh, torch.sigmoid, torch.relu
softplus, gelu, elu, mse = F.softplus, F.gelu, F.elu, F.mse_loss
def softmax(a, axis=-1): return torch.softmax(a, axis)
def log_softmax(a, axis=-1): return torch.log_softmax(a, axis)
def cross_entropy(a, t): return F.cross_entropy(a, t.long() if t.dim() == 1 else t)
def d(y, x):
    if not y.requires_grad: return torch.zeros_like(x)
    (g,) = torch.autograd.grad(y, x, create_graph=True, allow_unused=True)
    return torch.zeros_like(x) if g is None else g
def show(n, x, y):
    v = torch.cos(x.detach() * 1.7 + 0.3)
    g = d(y, x)
    hv = d(torch.sum(g * v), x)
    h1 = d(torch.sum(g), x)
    print(n, *[repr(float(t)) for t in torch.cat([g.flatten(), hv.flatten(), h1.flatten()])])
)PY";

std::string python_expr(std::string e) {
  for (std::size_t p = 0; (p = e.find('^', p)) != std::string::npos; p += 2) e.replace(p, 1, "**");
  return e;
}

// g, H v and H 1 of one case, by hinge.
std::vector<double> run_hinge(const Case& c) {
  std::FILE* sink = std::tmpfile();
  REQUIRE(sink != nullptr);
  SessionOptions opt;
  opt.out = sink;
  opt.err = sink;
  Session s(opt);
  std::string program = std::string("param x = ") + c.x + "\nlet c = " + c.c + "\n";
  if (*c.k) program += std::string("let k = ") + c.k + "\n";
  program += std::string("let y = ") + c.expr +
             "\nlet v = snapshot(cos(x * 1.7 + 0.3))\n"
             "let g = gradient(y, x)\nlet hv = hvp(y, x, v)\nlet h1 = gradient(sum(g), x)\n";
  const Status st = s.run_script("case.hinge", program);
  std::rewind(sink);
  std::string log;
  for (int ch; (ch = std::fgetc(sink)) != EOF;) log += static_cast<char>(ch);
  std::fclose(sink);
  INFO(program << log);
  REQUIRE(st == Status::ok);
  std::vector<double> out;
  for (const char* name : {"g", "hv", "h1"}) {
    const auto& b = s.interpreter().globals().at(name);
    REQUIRE(b.value.is_tensor());
    for (double v : b.value.tensor().values()) out.push_back(v);
  }
  return out;
}

}  // namespace

TEST_CASE("second derivatives and Hessian-vector products agree with PyTorch's double backward",
          "[torch][gradient]") {
  hinge::test::TempDir dir("hinge-torch");
  std::string script = kPrelude;
  for (const Case& c : kCases) {
    script += std::string("x = P(") + c.x + ")\nc = C(" + c.c + ")\n";
    if (*c.k) script += std::string("k = C(") + c.k + ")\n";
    script += std::string("show(") + std::to_string(&c - kCases) + ", x, " + python_expr(c.expr) + ")\n";
  }
  {
    std::ofstream f(dir.path / "double_backward.py");
    f << script;
  }
  const auto r = hinge::test::run_process({"/usr/bin/python3", "double_backward.py"}, dir.path);
  if (r.status == 3 || r.status == 127)
    FAIL(
        "python3-torch is missing (/usr/bin/python3 cannot import torch): tests/run installs it, or run "
        "apt-get install python3-torch\n"
        << r.out << r.err);
  INFO(r.err);
  REQUIRE(r.status == 0);

  std::map<int, std::vector<double>> torch_values;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    int k = -1;
    in >> k;
    std::vector<double>& v = torch_values[k];
    for (double x; in >> x;) v.push_back(x);
  }
  for (const Case& c : kCases) {
    const int k = static_cast<int>(&c - kCases);
    INFO("case " << c.name << ": " << c.expr << " at x = " << c.x);
    REQUIRE(torch_values.count(k) == 1);
    const std::vector<double>& want = torch_values[k];
    const std::vector<double> got = run_hinge(c);
    REQUIRE(got.size() == want.size());
    const std::size_t n = got.size() / 3;
    for (std::size_t i = 0; i < got.size(); ++i) {
      INFO((i < n ? "dy/dx" : i < 2 * n ? "H v" : "H 1") << " element " << i % n);
      CHECK(got[i] == Approx(want[i]).epsilon(1e-9).margin(1e-12));
    }
  }
}

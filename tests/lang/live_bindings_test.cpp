// Live bindings (lang/README.md): after any change of the params, everything a
// script reads shows what a script that declared the params at those values from
// the start would show. A property test over random scripts, and unit tests of
// the engine's touch/refresh underneath.
//
// On the code before this rule the property failed at once, e.g. with
//     param w = 1; let y = sin(w) ^ 2; w = 3; grad y wrt w
// which printed 2 sin(1) cos(3) = -1.66609992213361 (the old sin(1) beside the
// new w) where the script that starts at w = 3 prints sin(6) = -0.2794155.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "capture.hpp"
#include "eval/interpreter.hpp"
#include "hinge/checkpoint.hpp"
#include "hinge/engine.hpp"
#include "repl/commands.hpp"
#include "run_process.hpp"

using namespace hinge;
using hinge::test::Capture;

namespace {

struct ParamSpec {
  std::string name;
  int size;  // 0: a number (rank 0), else a vector of `size`
};

std::string literal(const std::vector<double>& v, int size) {
  if (size == 0) return fmt::format("{:.17g}", v[0]);
  std::vector<std::string> parts;
  for (double x : v) parts.push_back(fmt::format("{:.17g}", x));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

// A random model: params, lets built from them and from earlier lets, a scalar
// loss L over all of them, a function that reads a binding (for pattern and plot).
struct Model {
  std::vector<ParamSpec> params;
  std::vector<std::string> lets;  // "let a1 = ..." lines

  std::string text(const std::vector<std::vector<double>>& values) const {
    std::string s;
    for (std::size_t k = 0; k < params.size(); ++k)
      s += fmt::format("param {} = {}\n", params[k].name, literal(values[k], params[k].size));
    for (const std::string& l : lets) s += l + "\n";
    return s;
  }
};

Model random_model(std::mt19937_64& rng) {
  Model m;
  std::uniform_int_distribution<int> np(1, 3), size(0, 1), nl(2, 4), pick(0, 1 << 20);
  const int n = np(rng);
  for (int k = 0; k < n; ++k) m.params.push_back({fmt::format("p{}", k), size(rng) ? 3 : 0});
  std::vector<std::string> atoms;
  for (const ParamSpec& p : m.params) atoms.push_back(p.name);
  const char* unary[] = {"sin", "cos", "tanh", "sigmoid"};
  const char* binary[] = {"+", "-", "*"};
  auto atom = [&] { return atoms[static_cast<std::size_t>(pick(rng)) % atoms.size()]; };
  const int lets = nl(rng);
  for (int k = 0; k < lets; ++k) {
    std::string e = atom();
    const int depth = 1 + pick(rng) % 3;
    for (int d = 0; d < depth; ++d) {
      switch (pick(rng) % 4) {
        case 0: e = fmt::format("{}({})", unary[pick(rng) % 4], e); break;
        case 1: e = fmt::format("({}) ^ 2", e); break;
        case 2: e = fmt::format("exp(sin({}))", e); break;
        default: e = fmt::format("({} {} {})", e, binary[pick(rng) % 3], atom()); break;
      }
    }
    const std::string name = fmt::format("a{}", k);
    m.lets.push_back(fmt::format("let {} = {}", name, e));
    atoms.push_back(name);
  }
  // The loss depends on every param and every let.
  std::string loss;
  for (const std::string& a : atoms) loss += fmt::format("{}sum({} * {})", loss.empty() ? "" : " + ", a, a);
  m.lets.push_back(fmt::format("let L = 0.1 * ({})", loss));
  m.lets.push_back("let V = [L, sum(a0), sum(sin(a0))]");  // a binding that stacks others
  m.lets.push_back("def f(q) = q * sum(a0) - L");          // a function that reads bindings
  return m;
}

std::vector<double> random_values(std::mt19937_64& rng, int size) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> v(static_cast<std::size_t>(std::max(size, 1)));
  for (double& x : v) x = u(rng);
  return v;
}

// Every statement that reads bindings, as REPL entries.
std::vector<std::string> reading_entries(const Model& m) {
  std::vector<std::string> r;
  for (std::size_t k = 0; k + 3 < m.lets.size(); ++k) r.push_back(fmt::format("print a{}", k));
  r.push_back("print L, V");
  r.push_back("print \"L = {L:.17g}, a0 = {a0}\"");
  r.push_back("L");  // the REPL's echo
  r.push_back("grad L");
  for (const ParamSpec& p : m.params) r.push_back(fmt::format("print gradient(L, {})", p.name));
  r.push_back("gradcheck L");
  r.push_back("trace L");
  r.push_back("pattern f at [0.5, -0.25]");
  r.push_back("plot [0, 1, 2]: f");
  return r;
}

// Numbers compare to 1e-12 (relative, or absolute near 0); other text exactly.
// Trace rows compare by their value=/grad= fields (their node numbers and source
// positions are the two scripts' own); gradcheck's error size is not compared.
std::string normalize(const std::string& out, std::vector<double>& numbers) {
  static const std::regex num(R"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)");
  static const std::regex field(R"((value|grad|d\w+)=(\S+))");
  static const std::regex worst(R"(worst relative error \S+)");
  std::istringstream in(out);
  std::string line, text;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '%') {
      std::string kept;
      for (auto it = std::sregex_iterator(line.begin(), line.end(), field); it != std::sregex_iterator();
           ++it)
        kept += it->str() + " ";
      line = kept;
    }
    line = std::regex_replace(line, worst, "worst relative error E");
    std::string rest;
    std::size_t last = 0;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), num); it != std::sregex_iterator(); ++it) {
      rest += line.substr(last, static_cast<std::size_t>(it->position()) - last) + "#";
      numbers.push_back(std::stod(it->str()));
      last = static_cast<std::size_t>(it->position() + it->length());
    }
    text += rest + line.substr(last) + "\n";
  }
  return text;
}

void same_output(const std::string& a, const std::string& b, const std::string& context) {
  std::vector<double> na, nb;
  const std::string ta = normalize(a, na), tb = normalize(b, nb);
  INFO(context << "\n--- after the changes ---\n" << a << "--- declared at those values ---\n" << b);
  REQUIRE(ta == tb);
  REQUIRE(na.size() == nb.size());
  for (std::size_t k = 0; k < na.size(); ++k) {
    INFO("number " << k << ": " << na[k] << " vs " << nb[k]);
    REQUIRE(std::fabs(na[k] - nb[k]) <= 1e-12 * std::max(1.0, std::fabs(nb[k])));
  }
}

}  // namespace

TEST_CASE("live bindings: random param changes read like params declared at their final values", "[live]") {
  test::TempDir dir("hinge-live");
  std::mt19937_64 rng(12);
  for (int round = 0; round < 30; ++round) {
    const Model m = random_model(rng);
    std::vector<std::vector<double>> values;
    for (const ParamSpec& p : m.params) values.push_back(random_values(rng, p.size));
    const std::vector<std::string> reads = reading_entries(m);

    Capture ca;
    lang::SessionOptions oa;
    oa.out = oa.err = ca.f;
    lang::Session a(oa);
    lang::ReplState repl(a);
    REQUIRE(a.run_entry(m.text(values)) == lang::Status::ok);
    ca.take();
    std::string script = m.text(values);
    std::uniform_int_distribution<int> kind(0, 2), steps(3, 6);
    const int changes = steps(rng);
    for (int c = 0; c < changes; ++c) {
      std::uniform_int_distribution<std::size_t> which(0, m.params.size() - 1);
      const std::size_t k = which(rng);
      std::string change;
      switch (kind(rng)) {
        case 0:  // assignment
          change = fmt::format("{} = {}", m.params[k].name,
                               literal(random_values(rng, m.params[k].size), m.params[k].size));
          break;
        case 1: {  // load: a checkpoint of this model (load is strict), param k changed
          Graph g;
          std::vector<NamedTensor> saved;
          for (std::size_t p = 0; p < m.params.size(); ++p) {
            const auto v = p == k ? random_values(rng, m.params[p].size) : values[p];
            saved.emplace_back(m.params[p].name,
                               m.params[p].size ? g.constant(Shape{m.params[p].size}, v) : g.scalar(v[0]));
          }
          const std::string path = (dir.path / fmt::format("r{}c{}.ckpt", round, c)).string();
          save_checkpoint(path, saved);
          change = fmt::format("load \"{}\"", path);
          break;
        }
        default: change = "train L with sgd(lr=0.01) for 3 steps quiet"; break;
      }
      script += change + "\n";
      const lang::Status changed = a.run_entry(change);
      INFO(script << ca.take());
      REQUIRE(changed == lang::Status::ok);
      // The values the params hold now (leaves are always current).
      for (std::size_t p = 0; p < m.params.size(); ++p)
        values[p] = a.interpreter().globals().at(m.params[p].name).value.tensor().values();
      std::string got;
      for (const std::string& r : reads) {
        const lang::Status st = a.run_entry(r);
        got += ca.take();
        INFO(script << "> " << r << "\n" << got);
        REQUIRE(st == lang::Status::ok);
      }
      REQUIRE(lang::run_command(repl, ":vars") == lang::Status::ok);
      got += ca.take();

      Capture cb;
      lang::SessionOptions ob;
      ob.out = ob.err = cb.f;
      lang::Session b(ob);
      lang::ReplState repl_b(b);
      REQUIRE(b.run_entry(m.text(values)) == lang::Status::ok);
      cb.take();
      std::string want;
      for (const std::string& r : reads) {
        REQUIRE(b.run_entry(r) == lang::Status::ok);
        want += cb.take();
      }
      REQUIRE(lang::run_command(repl_b, ":vars") == lang::Status::ok);
      want += cb.take();
      same_output(got, want, "script:\n" + script);
    }
  }
}

TEST_CASE("live values: refresh recomputes what depends on a written leaf, and only that", "[live]") {
  Graph g;
  Tensor a = g.param(1.0), b = g.param(2.0);
  Tensor ya = sin(a) * 3.0, yb = b * b;
  CHECK(g.is_current(ya.id));
  a.set_values(std::vector<double>{0.5});
  CHECK_FALSE(g.is_current(ya.id));
  CHECK(ya.item() == 3 * std::sin(1.0));  // stale until refreshed
  // yb does not depend on a: refreshing it recomputes nothing (a planted value stays).
  yb.node().v<double>()[0] = 99;
  g.refresh(yb.id);
  CHECK(yb.item() == 99);
  CHECK(ya.item() == 3 * std::sin(1.0));  // refreshing yb leaves ya alone
  yb.node().v<double>()[0] = 4;
  g.refresh(ya.id);
  CHECK(ya.item() == 3 * std::sin(0.5));
  CHECK(g.is_current(ya.id));
  // A node built on a stale one follows when refreshed.
  a.set_values(std::vector<double>{2.0});
  Tensor z = ya + 1.0;  // built from the stale ya (3 sin(0.5))
  CHECK_FALSE(g.is_current(z.id));
  g.refresh(z.id);
  CHECK(z.item() == 3 * std::sin(2.0) + 1);
  // Versions survive compaction.
  b.set_values(std::vector<double>{4.0});
  const NodeId roots[] = {a.id, b.id, ya.id, yb.id, z.id};
  const auto remap = g.compact(roots);
  Tensor yb2{&g, remap[yb.id]};
  CHECK_FALSE(g.is_current(yb2.id));
  g.refresh(yb2.id);
  CHECK(yb2.item() == 16);
}

TEST_CASE("live values: an optimizer step and a checkpoint restore make dependents stale", "[live]") {
  Graph g;
  Tensor w = g.param(3.0);
  Tensor loss = (w - 1.0) * (w - 1.0);
  backward(loss);
  Sgd opt({w}, {.lr = 0.25});
  opt.step();  // w = 3 - 0.25 * 4 = 2
  CHECK_FALSE(g.is_current(loss.id));
  g.refresh(loss.id);
  CHECK(loss.item() == 1);
  test::TempDir dir("hinge-live");
  const std::string path = (dir.path / "w.ckpt").string();
  Graph g2;
  save_checkpoint(path, {{"w", g2.scalar(5.0)}});
  restore_checkpoint(path, {{"w", w}});
  CHECK_FALSE(g.is_current(loss.id));
  g.refresh(loss.id);
  CHECK(loss.item() == 16);
}

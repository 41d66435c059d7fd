// Builtins through the C++ API (no interpreter): each builtin against hand-computed
// values, the binder's exact messages and spans, csv files good and bad, the seeded
// toy data sets, the examples parsing, and BUILTINS.md matching the table.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <set>

#include <unistd.h>

#include <fmt/format.h>

#include "builtins/builtin.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/backward.hpp"
#include "hinge/errors.hpp"
#include "hinge/init.hpp"
#include "hinge/rng.hpp"
#include "syntax/parse.hpp"
#include "temp_dir.hpp"

using namespace hinge;
using namespace hinge::lang;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using hinge::test::TempDir;

namespace {

// A keyword argument for call().
struct Kw {
  std::string name;
  Value value;
};

// Positional argument i is "written" at [100 + 10 i, 105 + 10 i), keyword j at
// [200 + 10 j, 205 + 10 j), and the call spans [0, 300): errors can be located.
Span pos_span(std::size_t i) {
  return {static_cast<uint32_t>(100 + 10 * i), static_cast<uint32_t>(105 + 10 * i)};
}
Span kw_span(std::size_t j) {
  return {static_cast<uint32_t>(200 + 10 * j), static_cast<uint32_t>(205 + 10 * j)};
}
constexpr Span kCall{0, 300};

struct Session {
  Graph g;
  Rng rng{7};
  BuiltinContext ctx{g, rng, ".", stdout};

  Value call(std::string_view name, std::vector<Value> pos = {}, std::vector<Kw> kws = {}) {
    const Builtin* b = find_builtin(name);
    REQUIRE(b != nullptr);
    std::vector<Arg> args;
    for (std::size_t i = 0; i < pos.size(); ++i) args.push_back(Arg{pos[i], pos_span(i)});
    std::vector<std::pair<std::string, Arg>> keywords;
    for (std::size_t j = 0; j < kws.size(); ++j)
      keywords.push_back({kws[j].name, Arg{kws[j].value, kw_span(j)}});
    return b->fn(ctx, Args(*b, std::move(args), std::move(keywords), kCall));
  }

  Value vec(std::vector<double> v) {
    const int64_t n = static_cast<int64_t>(v.size());
    return Value(g.constant(Shape{n}, v));
  }
  Value mat(int64_t r, int64_t c, std::vector<double> v) { return Value(g.constant(Shape{r, c}, v)); }
};

Value str(const char* s) { return Value(std::string(s)); }
Value list(std::vector<Value> items) { return Value(std::make_shared<std::vector<Value>>(std::move(items))); }

double num(const Value& v) {
  REQUIRE(v.is_number());
  return v.number();
}

std::vector<double> vals(const Value& v) {
  REQUIRE(v.is_tensor());
  return v.tensor().values();
}

std::string shape_of(const Value& v) {
  REQUIRE(v.is_tensor());
  return to_string(v.tensor().shape());
}

void check_values(const Value& v, const std::vector<double>& want, double tol = 1e-12) {
  const auto got = vals(v);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK_THAT(got[i], WithinAbs(want[i], tol));
  }
}

// The diagnostic a call raises (message and span); fails the test when none.
Diagnostic error_of(Session& s, std::string_view name, std::vector<Value> pos, std::vector<Kw> kws = {}) {
  try {
    s.call(name, std::move(pos), std::move(kws));
  } catch (const lang::Error& e) {
    return e.diagnostic();
  }
  FAIL("no error from " << name);
  return {};
}

}  // namespace

// ---------------------------------------------------------------- the table

TEST_CASE("builtins: the table is sorted, documented and categorised", "[builtins]") {
  const auto all = builtins();
  REQUIRE(all.size() >= 60);
  std::set<std::string_view> cats(builtin_categories().begin(), builtin_categories().end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Builtin& b = all[i];
    INFO(b.name);
    if (i > 0) CHECK(all[i - 1].name < b.name);
    CHECK(find_builtin(b.name) == &b);
    CHECK(!b.doc.empty());
    CHECK(!b.example.empty());
    CHECK(b.example.find(b.name) != std::string_view::npos);
    CHECK(cats.count(b.category) == 1);
    CHECK(b.fn != nullptr);
  }
  CHECK(find_builtin("nope") == nullptr);
  CHECK(find_builtin("") == nullptr);
}

TEST_CASE("builtins: every parameter string parses", "[builtins]") {
  // Binding with no arguments either succeeds (all defaults) or reports the first
  // missing argument; a malformed signature would throw std::logic_error instead.
  for (const Builtin& b : builtins()) {
    INFO(b.name << "(" << b.params << ")");
    try {
      Args a(b, {}, {}, kCall);
      SUCCEED();
    } catch (const lang::Error& e) {
      CHECK(e.diagnostic().message.starts_with("missing argument '"));
    }
  }
}

TEST_CASE("builtins: constants", "[builtins]") {
  std::map<std::string_view, double> c(constants().begin(), constants().end());
  CHECK(c.size() == 2);
  CHECK(c.at("pi") == std::numbers::pi);
  CHECK(c.at("e") == std::numbers::e);
  CHECK(c.count("inf") == 0);
}

TEST_CASE("builtins: every example parses", "[builtins]") {
  for (const Builtin& b : builtins()) {
    INFO(b.name << ": " << b.example);
    const Source src = make_source("example", std::string(b.example) + "\n");
    const ParseResult r = parse_program(src);
    CHECK((r.ok() ? std::string() : render(src, *r.error)) == "");
  }
}

// ---------------------------------------------------------------- the binder

TEST_CASE("binder: positional, keyword and default arguments", "[builtins][binder]") {
  const Builtin& b = *find_builtin("leaky_relu");
  Args a(b, {Arg{Value(2.0), pos_span(0)}}, {}, kCall);
  CHECK(a.has("x"));
  CHECK_FALSE(a.has("alpha"));
  CHECK(a.number("alpha") == 0.01);  // the default, read from "alpha=0.01"
  CHECK(a.span("alpha") == kCall);   // defaulted: the call
  CHECK(a.span("x") == pos_span(0));

  Args k(b, {}, {{"alpha", Arg{Value(0.5), kw_span(0)}}, {"x", Arg{Value(1.0), kw_span(1)}}}, kCall);
  CHECK(k.number("x") == 1.0);
  CHECK(k.number("alpha") == 0.5);
  CHECK(k.span("alpha") == kw_span(0));
}

TEST_CASE("binder: defaults of every literal kind", "[builtins][binder]") {
  Args a(*find_builtin("sgd"), {Arg{Value(0.1), pos_span(0)}}, {}, kCall);
  CHECK(a.value("step_size").is_none());
  CHECK(a.boolean("nesterov") == false);
  CHECK(a.string("schedule") == "constant");
  CHECK(a.number("gamma") == 0.1);
  Args e(*find_builtin("adam"), {}, {}, kCall);
  CHECK(e.number("eps") == 1e-8);
  Args s(*find_builtin("softmax"), {Arg{Value(1.0), pos_span(0)}}, {}, kCall);
  CHECK(s.integer("axis") == -1);
}

TEST_CASE("binder: *parts collects the remaining positional arguments", "[builtins][binder]") {
  Session s;
  Args a(*find_builtin("concat"),
         {Arg{Value(1.0), pos_span(0)}, Arg{Value(2.0), pos_span(1)}, Arg{Value(3.0), pos_span(2)}},
         {{"axis", Arg{Value(0.0), kw_span(0)}}}, kCall);
  REQUIRE(a.value("parts").is_list());
  CHECK(a.value("parts").list().size() == 3);
  CHECK(a.span("parts") == Span{pos_span(0).begin, pos_span(2).end});
  Args none(*find_builtin("concat"), {}, {}, kCall);
  CHECK(none.value("parts").list().empty());
}

TEST_CASE("binder: error messages and where they point", "[builtins][binder]") {
  Session s;
  SECTION("too many arguments, at the first extra one") {
    auto d = error_of(s, "relu", {Value(1.0), Value(2.0)});
    CHECK(d.message == "relu() takes 1 argument (x), got 2");
    CHECK(d.span == pos_span(1));
    d = error_of(s, "clamp", {Value(1.0), Value(2.0), Value(3.0), Value(4.0), Value(5.0)});
    CHECK(d.message == "clamp() takes 3 arguments (x, lo, hi), got 5");
    CHECK(d.span == pos_span(3));
    d = error_of(s, "leaky_relu", {Value(1.0), Value(2.0), Value(3.0)});
    CHECK(d.message == "leaky_relu() takes at most 2 arguments (x, alpha=0.01), got 3");
    CHECK(d.span == pos_span(2));
  }
  SECTION("unknown keyword, at the keyword, with a suggestion when one is close") {
    auto d = error_of(s, "adam", {}, {{"lrr", Value(0.1)}});
    CHECK(d.message ==
          "unknown keyword 'lrr' for adam() (its keywords: lr, beta1, beta2, eps, weight_decay, schedule, "
          "step_size, gamma, min_lr); did you mean 'lr'?");
    CHECK(d.span == kw_span(0));
    d = error_of(s, "sum", {Value(1.0)}, {{"keepdim", Value(true)}});
    CHECK(d.message ==
          "unknown keyword 'keepdim' for sum() (its keywords: x, axis, keepdims); did you mean 'keepdims'?");
    d = error_of(s, "relu", {Value(1.0)}, {{"banana", Value(1.0)}});
    CHECK(d.message == "unknown keyword 'banana' for relu() (its keywords: x)");
    // *parts is positional only
    d = error_of(s, "concat", {Value(1.0)}, {{"parts", Value(1.0)}});
    CHECK(d.message == "unknown keyword 'parts' for concat() (its keywords: axis)");
  }
  SECTION("missing argument, at the call") {
    auto d = error_of(s, "linspace", {Value(0.0), Value(1.0)});
    CHECK(d.message == "missing argument 'n' for linspace(start, stop, n)");
    CHECK(d.span == kCall);
    d = error_of(s, "sgd", {}, {{"momentum", Value(0.9)}});
    CHECK(d.message ==
          "missing argument 'lr' for sgd(lr, momentum=0, nesterov=false, weight_decay=0, "
          "schedule=\"constant\", "
          "step_size=none, gamma=0.1, min_lr=0)");
  }
  SECTION("given twice, at the second") {
    auto d = error_of(s, "sum", {s.vec({1, 2}), Value(0.0)}, {{"axis", Value(0.0)}});
    CHECK(d.message == "'axis' given twice");
    CHECK(d.span == kw_span(0));
    d = error_of(s, "adam", {}, {{"lr", Value(0.1)}, {"lr", Value(0.2)}});
    CHECK(d.message == "'lr' given twice");
    CHECK(d.span == kw_span(1));
  }
  SECTION("type errors, at the argument") {
    auto d = error_of(s, "relu", {str("a")});
    CHECK(d.message == "relu: 'x' must be a tensor or a number, got a string");
    CHECK(d.span == pos_span(0));
    d = error_of(s, "linspace", {Value(0.0), Value(1.0), Value(2.5)});
    CHECK(d.message == "linspace: 'n' must be a whole number, got 2.5");
    CHECK(d.span == pos_span(2));
    d = error_of(s, "sum", {s.vec({1, 2})}, {{"keepdims", Value(1.0)}});
    CHECK(d.message == "sum: 'keepdims' must be true or false, got the number 1");
    CHECK(d.span == kw_span(0));
    d = error_of(s, "cast", {Value(1.0), Value(32.0)});
    CHECK(d.message == "cast: 'dtype' must be a string, got the number 32");
    d = error_of(s, "zeros", {str("big")});
    CHECK(d.message == "zeros: 'shape' must be a shape like [2, 3], got a string");
    d = error_of(s, "zeros", {list({Value(2.0), Value(-1.0)})});
    CHECK(d.message == "zeros: sizes in 'shape' must be whole numbers >= 0, got -1");
    d = error_of(s, "zeros", {list({Value(1.0), Value(1.0), Value(1.0), Value(1.0), Value(1.0)})});
    CHECK(d.message == "zeros: 'shape' has 5 dimensions; tensors have at most 4");
    d = error_of(s, "linspace", {s.vec({1, 2}), Value(1.0), Value(3.0)});
    CHECK(d.message == "linspace: 'start' must be a number, got a tensor [2]");
    d = error_of(s, "sum", {s.vec({1, 2})}, {{"axis", str("rows")}});
    CHECK(d.message == "sum: 'axis' must be an axis or a list of axes, got a string");
  }
}

// ---------------------------------------------------------------- math and activations

TEST_CASE("math builtins on numbers give numbers", "[builtins][math]") {
  Session s;
  CHECK(num(s.call("abs", {Value(-2.5)})) == 2.5);
  CHECK(num(s.call("exp", {Value(1.0)})) == std::exp(1.0));
  CHECK(num(s.call("log", {Value(std::numbers::e)})) == std::log(std::numbers::e));
  CHECK(num(s.call("sqrt", {Value(16.0)})) == 4.0);
  CHECK_THAT(num(s.call("sin", {Value(std::numbers::pi / 2)})), WithinAbs(1.0, 1e-15));
  CHECK(num(s.call("cos", {Value(0.0)})) == 1.0);
  CHECK(num(s.call("erf", {Value(0.0)})) == 0.0);
  CHECK(num(s.call("sign", {Value(-3.0)})) == -1.0);
  CHECK(num(s.call("sign", {Value(0.0)})) == 0.0);
  CHECK(num(s.call("relu", {Value(-2.0)})) == 0.0);
  CHECK(num(s.call("relu", {Value(3.0)})) == 3.0);
  CHECK(num(s.call("leaky_relu", {Value(-2.0)}, {{"alpha", Value(0.1)}})) == -0.2);
  CHECK(num(s.call("leaky_relu", {Value(-2.0)})) == -0.02);
  CHECK_THAT(num(s.call("elu", {Value(-1.0)})), WithinAbs(std::exp(-1.0) - 1, 1e-15));
  CHECK(num(s.call("elu", {Value(2.0)})) == 2.0);
  CHECK_THAT(num(s.call("gelu", {Value(1.0)})), WithinAbs(0.5 * (1 + std::erf(1 / std::sqrt(2.0))), 1e-15));
  CHECK_THAT(num(s.call("softplus", {Value(0.0)})), WithinAbs(std::log(2.0), 1e-15));
  CHECK(num(s.call("sigmoid", {Value(0.0)})) == 0.5);
  CHECK(num(s.call("tanh", {Value(0.0)})) == 0.0);
  CHECK_THAT(num(s.call("tanh", {Value(1.0)})), WithinAbs(std::tanh(1.0), 1e-15));
  CHECK(num(s.call("step", {Value(0.0)})) == 0.0);
  CHECK(num(s.call("step", {Value(0.5)})) == 1.0);
  CHECK(num(s.call("clamp", {Value(5.0), Value(-1.0), Value(1.0)})) == 1.0);
  CHECK(num(s.call("clamp", {Value(-5.0), Value(-1.0), Value(1.0)})) == -1.0);
  CHECK(num(s.call("minimum", {Value(2.0), Value(3.0)})) == 2.0);
  CHECK(num(s.call("maximum", {Value(2.0), Value(3.0)})) == 3.0);
  CHECK(num(s.call("pow", {Value(2.0), Value(10.0)})) == 1024.0);
  CHECK(num(s.call("where", {Value(true), Value(1.0), Value(2.0)})) == 1.0);
  CHECK(num(s.call("where", {Value(0.0), Value(1.0), Value(2.0)})) == 2.0);
  // numbers leave no nodes behind (Note [Numbers stay numbers])
  const NodeId before = s.g.size();
  s.call("relu", {Value(1.0)});
  CHECK(s.g.size() == before);
}

TEST_CASE("math builtins on tensors give tensors with gradients", "[builtins][math]") {
  Session s;
  const Value x = s.vec({-2, -1, 0, 1, 2});
  check_values(s.call("abs", {x}), {2, 1, 0, 1, 2});
  check_values(s.call("relu", {x}), {0, 0, 0, 1, 2});
  check_values(s.call("step", {x}), {0, 0, 0, 1, 1});
  check_values(s.call("sign", {x}), {-1, -1, 0, 1, 1});
  check_values(s.call("leaky_relu", {x, Value(0.5)}), {-1, -0.5, 0, 1, 2});
  check_values(s.call("clamp", {x, Value(-1.0), Value(1.0)}), {-1, -1, 0, 1, 1});
  check_values(s.call("maximum", {x, Value(0.0)}), {0, 0, 0, 1, 2});
  check_values(s.call("minimum", {x, Value(0.0)}), {-2, -1, 0, 0, 0});
  check_values(s.call("pow", {x, Value(2.0)}), {4, 1, 0, 1, 4});
  check_values(s.call("pow", {Value(2.0), x}), {0.25, 0.5, 1, 2, 4});
  check_values(s.call("sigmoid", {x}),
               {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(1.0)), 0.5, 1 / (1 + std::exp(-1.0)),
                1 / (1 + std::exp(-2.0))},
               1e-15);
  const Value c = s.vec({1, 0, 1, 0, 1});
  check_values(s.call("where", {c, x, Value(9.0)}), {-2, 9, 0, 9, 2});

  // The result is an engine node: relu's gradient flows where x > 0.
  const Tensor w = s.g.param(Shape{3}, std::vector<double>{-1, 2, 3});
  const Value y = s.call("relu", {Value(w)});
  backward(sum(y.tensor()));
  CHECK(w.grads() == std::vector<double>{0, 1, 1});
}

TEST_CASE("math builtins: numbers and one-element tensors agree exactly", "[builtins][math]") {
  Session s;
  for (const char* name :
       {"exp", "log", "sqrt", "sin", "cos", "erf", "gelu", "softplus", "sigmoid", "tanh"}) {
    INFO(name);
    const double n = num(s.call(name, {Value(0.7)}));
    const double t = s.call(name, {Value(s.g.scalar(0.7))}).tensor().item();
    CHECK(n == t);
  }
}

TEST_CASE("math builtins: errors at the argument", "[builtins][math]") {
  Session s;
  auto d = error_of(s, "clamp", {Value(0.0), Value(2.0), Value(1.0)});
  CHECK(d.message == "clamp: 'lo' (2) must not exceed 'hi' (1)");
  CHECK(d.span == pos_span(1));
}

// ---------------------------------------------------------------- tensors

TEST_CASE("constructors", "[builtins][tensor]") {
  Session s;
  const Value z = s.call("zeros", {list({Value(2.0), Value(3.0)})});
  CHECK(shape_of(z) == "[2, 3]");
  check_values(z, std::vector<double>(6, 0.0));
  CHECK_FALSE(z.tensor().requires_grad());
  check_values(s.call("ones", {Value(3.0)}), {1, 1, 1});
  check_values(s.call("full", {list({Value(2.0)}), Value(0.5)}), {0.5, 0.5});
  const Value i = s.call("eye", {Value(3.0)});
  CHECK(shape_of(i) == "[3, 3]");
  check_values(i, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  check_values(s.call("linspace", {Value(-1.0), Value(1.0), Value(5.0)}), {-1, -0.5, 0, 0.5, 1});
  check_values(s.call("linspace", {Value(2.0), Value(3.0), Value(1.0)}), {2});
  const auto l = vals(s.call("linspace", {Value(0.0), Value(0.3), Value(7.0)}));
  CHECK(l.back() == 0.3);  // the end point exactly, as numpy
  check_values(s.call("arange", {Value(0.0), Value(1.0), Value(0.25)}), {0, 0.25, 0.5, 0.75});
  check_values(s.call("arange", {Value(3.0)}), {0, 1, 2});
  check_values(s.call("arange", {Value(5.0), Value(1.0), Value(-2.0)}), {5, 3});
  CHECK(shape_of(s.call("arange", {Value(2.0), Value(1.0)})) == "[0]");

  const Value r = s.call("range", {Value(3.0)});
  REQUIRE(r.is_list());
  REQUIRE(r.list().size() == 3);
  CHECK(r.list()[2].number() == 2.0);
  CHECK(s.call("range", {Value(1.0), Value(7.0), Value(3.0)}).list().size() == 2);

  auto d = error_of(s, "linspace", {Value(0.0), Value(1.0), Value(0.0)});
  CHECK(d.message == "linspace: 'n' must be at least 1, got 0");
  d = error_of(s, "arange", {Value(0.0), Value(1.0), Value(0.0)});
  CHECK(d.message == "arange: 'step' must not be 0");
  CHECK(d.span == pos_span(2));
  d = error_of(s, "zeros", {list({Value(100000.0), Value(100000.0)})});
  CHECK(d.message ==
        "zeros: a tensor of 10000000000 elements is too large (limit 2^28 elements, --max-elements)");
  d = error_of(s, "range", {Value(1e12)});
  CHECK(d.message ==
        "range: 1000000000000 numbers is above the list limit of 10000000; `for i in range(n)` "
        "with whole numbers counts without a list, arange(n) makes a tensor");
}

TEST_CASE("random tensors are seeded, constant, and match hinge::init", "[builtins][random]") {
  Session s;
  s.call("seed", {Value(42.0)});
  const auto a = vals(s.call("normal", {list({Value(3.0), Value(4.0)})}, {{"std", Value(0.5)}}));
  s.call("seed", {Value(42.0)});
  const Value bv = s.call("normal", {list({Value(3.0), Value(4.0)})}, {{"std", Value(0.5)}});
  CHECK(vals(bv) == a);
  CHECK_FALSE(bv.tensor().requires_grad());

  // The same numbers as the C++ API's initialisers on a generator in the same state.
  Graph g2;
  Rng r2(42);
  CHECK(init::normal(g2, r2, Shape{3, 4}, 0, 0.5).values() == a);
  s.call("seed", {Value(5.0)});
  r2.seed_with(5);
  CHECK(vals(s.call("kaiming", {list({Value(2.0), Value(16.0)})})) ==
        init::kaiming(g2, r2, Shape{2, 16}).values());
  CHECK(vals(s.call("xavier", {list({Value(2.0), Value(16.0)})})) ==
        init::xavier(g2, r2, Shape{2, 16}).values());
  CHECK(vals(s.call("uniform", {Value(5.0)}, {{"lo", Value(0.0)}, {"hi", Value(2.0)}})) ==
        init::uniform(g2, r2, Shape{5}, 0, 2).values());

  // Statistics: mean and spread of many draws; xavier inside its bound.
  const auto big = vals(s.call("normal", {Value(20000.0)}, {{"mean", Value(3.0)}, {"std", Value(2.0)}}));
  double m = 0, v = 0;
  for (double x : big) m += x;
  m /= static_cast<double>(big.size());
  for (double x : big) v += (x - m) * (x - m);
  v /= static_cast<double>(big.size());
  CHECK_THAT(m, WithinAbs(3.0, 0.05));
  CHECK_THAT(std::sqrt(v), WithinAbs(2.0, 0.05));
  const double bound = std::sqrt(6.0 / (4 + 8));
  for (double x : vals(s.call("xavier", {list({Value(4.0), Value(8.0)})}))) CHECK(std::abs(x) <= bound);
  for (double x : vals(s.call("uniform", {Value(100.0)}))) CHECK((x >= -1 && x < 1));

  auto d = error_of(s, "xavier", {Value(3.0)});
  CHECK(d.message ==
        "xavier needs a weight matrix shape [in, out], not [3]; initialise biases with zeros or normal");
  CHECK(d.span == pos_span(0));
  d = error_of(s, "normal", {Value(3.0)}, {{"std", Value(-1.0)}});
  CHECK(d.message == "normal: 'std' must be at least 0, got -1");
  CHECK(d.span == kw_span(0));
  d = error_of(s, "uniform", {Value(3.0), Value(2.0), Value(1.0)});
  CHECK(d.message == "uniform: 'lo' (2) must not exceed 'hi' (1)");
  d = error_of(s, "seed", {Value(-1.0)});
  CHECK(d.message == "seed: 'n' must be at least 0, got -1");
  CHECK(s.call("seed", {Value(1.0)}).is_none());
}

TEST_CASE("shape builtins", "[builtins][shape]") {
  Session s;
  const Value x = s.vec({1, 2, 3});
  CHECK(shape_of(s.call("col", {x})) == "[3, 1]");
  CHECK(shape_of(s.call("row", {x})) == "[1, 3]");
  CHECK(shape_of(s.call("col", {Value(2.0)})) == "[1, 1]");
  const Value c = s.call("col", {x});
  CHECK(s.call("col", {c}).tensor().id == c.tensor().id);  // already a column
  auto d = error_of(s, "col", {s.mat(2, 2, {1, 2, 3, 4})});
  CHECK(d.message == "col: 'x' must be 1-D, got a tensor [2, 2]");

  const Value six = s.call("linspace", {Value(1.0), Value(6.0), Value(6.0)});
  const Value m = s.call("reshape", {six, list({Value(2.0), Value(-1.0)})});
  CHECK(shape_of(m) == "[2, 3]");
  const Value t = s.call("transpose", {m});
  CHECK(shape_of(t) == "[3, 2]");
  check_values(t, {1, 4, 2, 5, 3, 6});
  d = error_of(s, "reshape", {six, list({Value(4.0), Value(2.0)})});
  CHECK(d.span == pos_span(1));
  d = error_of(s, "reshape", {six, list({Value(-1.0), Value(-1.0)})});
  CHECK(d.message == "reshape: at most one size can be -1");
  d = error_of(s, "reshape", {six, list({Value(1e11), Value(0.0)})});  // whole, but no dimension is that long
  CHECK(d.message == "reshape: size 100000000000 in 'shape' is above the largest dimension, 2147483647");
  d = error_of(s, "reshape", {six, list({Value(2.5), Value(0.0)})});
  CHECK(d.message.starts_with("reshape: sizes in 'shape' must be whole numbers >= 0 (or one -1)"));

  const Value cat = s.call("concat", {s.vec({1, 2}), s.vec({3})});
  check_values(cat, {1, 2, 3});
  const Value st = s.call("stack", {s.vec({1, 2}), s.vec({3, 4})}, {{"axis", Value(1.0)}});
  CHECK(shape_of(st) == "[2, 2]");
  check_values(st, {1, 3, 2, 4});
  check_values(s.call("concat", {list({s.vec({5}), s.vec({6})})}), {5, 6});  // one list of parts
  d = error_of(s, "concat", {});
  CHECK(d.message == "concat: needs at least one tensor");
  d = error_of(s, "stack", {s.vec({1}), str("x")});
  CHECK(d.message == "stack: part 2 must be a tensor, got a string");
  CHECK(d.span == Span{pos_span(0).begin, pos_span(1).end});

  const Value sh = s.call("shape", {m});
  REQUIRE(sh.is_list());
  CHECK(sh.list().size() == 2);
  CHECK(sh.list()[0].number() == 2.0);
  CHECK(sh.list()[1].number() == 3.0);
  CHECK(s.call("shape", {Value(1.0)}).list().empty());
  CHECK(num(s.call("numel", {m})) == 6);
  CHECK(num(s.call("len", {m})) == 2);
  CHECK(num(s.call("len", {list({Value(1.0), str("a"), Value(true)})})) == 3);
  CHECK(num(s.call("len", {str("abcd")})) == 4);
  d = error_of(s, "len", {Value(3.0)});
  CHECK(d.message == "len: 'x' must be a list, a string or a tensor of rank 1 or more, got the number 3");
  CHECK(num(s.call("item", {Value(s.g.scalar(2.5))})) == 2.5);
  d = error_of(s, "item", {x});
  CHECK(d.message == "item: 'x' must have exactly one element, got a tensor [3]");

  const Value f = s.call("cast", {x, str("f32")});
  CHECK(f.tensor().dtype() == DType::f32);
  check_values(f, {1, 2, 3});
  d = error_of(s, "cast", {x, str("f16")});
  CHECK(d.message == "cast: 'dtype' must be \"f32\" or \"f64\", got \"f16\"");
  CHECK(d.span == pos_span(1));

  const Tensor w = s.g.param(Shape{2}, std::vector<double>{1, 2});
  const Value dw = s.call("detach", {Value(w)});
  CHECK_FALSE(dw.tensor().requires_grad());
  check_values(dw, {1, 2});
}

TEST_CASE("reductions, matmul and softmax", "[builtins][reduction]") {
  Session s;
  const Value m = s.mat(2, 3, {1, 2, 3, 4, 5, 6});
  CHECK(s.call("sum", {m}).tensor().item() == 21);
  check_values(s.call("sum", {m}, {{"axis", Value(1.0)}}), {6, 15});
  CHECK(shape_of(s.call("sum", {m}, {{"axis", Value(0.0)}, {"keepdims", Value(true)}})) == "[1, 3]");
  check_values(s.call("sum", {m, list({Value(0.0), Value(1.0)})}), {21});
  check_values(s.call("mean", {m}, {{"axis", Value(0.0)}}), {2.5, 3.5, 4.5});
  check_values(s.call("max", {m}, {{"axis", Value(-1.0)}}), {3, 6});
  check_values(s.call("min", {m}, {{"axis", Value(-1.0)}}), {1, 4});
  CHECK(s.call("min", {m}).tensor().item() == 1);
  CHECK(num(s.call("min", {Value(4.0)})) == 4.0);
  CHECK(num(s.call("sum", {Value(4.0)})) == 4.0);
  // An axis of one number is an error: max(-3, 0) read as an axis gave -3.
  CHECK(error_of(s, "max", {Value(-3.0), Value(0.0)}).message ==
        "max: one number has no axis 0; the larger of two values is maximum(a, b)");
  CHECK(error_of(s, "min", {s.call("sum", {m}), Value(0.0)}).message ==
        "min: one number has no axis 0; the smaller of two values is minimum(a, b)");
  CHECK(error_of(s, "sum", {Value(5.0), Value(1.0)}).message == "sum: one number has no axis 1");
  CHECK(s.call("norm", {s.vec({3, 4})}).tensor().item() == 5.0);
  CHECK(num(s.call("norm", {Value(-2.0)})) == 2.0);

  CHECK(num(s.call("argmax", {s.vec({1, 7, 3, 7})})) == 1);  // the first of ties
  const Value am = s.call("argmax", {s.mat(2, 3, {1, 9, 3, 8, 5, 6})}, {{"axis", Value(1.0)}});
  check_values(am, {1, 0});
  check_values(s.call("argmax", {s.mat(2, 3, {1, 9, 3, 8, 5, 6}), Value(0.0)}), {1, 0, 1});
  auto d = error_of(s, "argmax", {m, Value(2.0)});
  CHECK(d.message == "argmax: axis 2 is out of range for a tensor [2, 3]");

  const Value p = s.call("matmul", {s.mat(2, 2, {1, 2, 3, 4}), s.mat(2, 1, {5, 6})});
  CHECK(shape_of(p) == "[2, 1]");
  check_values(p, {17, 39});
  CHECK_THROWS_AS(s.call("matmul", {s.mat(2, 2, {1, 2, 3, 4}), s.vec({1, 2, 3})}), hinge::ShapeError);

  const double z = 1 + std::exp(1.0) + std::exp(2.0);
  check_values(s.call("softmax", {s.vec({0, 1, 2})}), {1 / z, std::exp(1.0) / z, std::exp(2.0) / z}, 1e-15);
  check_values(s.call("log_softmax", {s.vec({0, 1, 2})}), {-std::log(z), 1 - std::log(z), 2 - std::log(z)},
               1e-14);
  check_values(
      s.call("softmax", {s.mat(2, 2, {0, 0, 5, 5})}, {{"axis", Value(0.0)}}),
      {1 / (1 + std::exp(5.0)), 1 / (1 + std::exp(5.0)), 1 / (1 + std::exp(-5.0)), 1 / (1 + std::exp(-5.0))},
      1e-15);
}

// ---------------------------------------------------------------- losses and optimizers

TEST_CASE("losses", "[builtins][loss]") {
  Session s;
  CHECK(s.call("mse", {s.vec({1, 2}), s.vec({0, 0})}).tensor().item() == 2.5);
  CHECK_THAT(s.call("cross_entropy", {s.mat(2, 3, {0, 0, 0, 0, 0, 0}), s.vec({0, 2})}).tensor().item(),
             WithinAbs(std::log(3.0), 1e-15));
  CHECK_THAT(s.call("binary_cross_entropy", {s.vec({0, 0}), s.vec({1, 0})}).tensor().item(),
             WithinAbs(std::log(2.0), 1e-15));
  CHECK(s.call("hinge_loss", {s.vec({0.5, 2}), s.vec({1, 1})}).tensor().item() == 0.25);
}

TEST_CASE("optimizer descriptions", "[builtins][optimizer]") {
  Session s;
  auto spec = [](const Value& v) {
    REQUIRE(v.is_optimizer());
    return *std::get<std::shared_ptr<const OptimizerSpec>>(v.v);
  };
  const auto a = spec(s.call("adam"));
  CHECK(a.kind == "adam");
  CHECK(a.options.at("lr") == 0.001);
  CHECK(a.options.at("beta1") == 0.9);
  CHECK(a.options.at("beta2") == 0.999);
  CHECK(a.options.at("eps") == 1e-8);
  CHECK(a.options.at("weight_decay") == 0);
  CHECK(a.schedule == "constant");
  CHECK(spec(s.call("adamw")).options.at("weight_decay") == 0.01);
  CHECK(spec(s.call("adamw")).kind == "adamw");

  const auto g = spec(s.call("sgd", {Value(0.1)}, {{"momentum", Value(0.9)}, {"nesterov", Value(true)}}));
  CHECK(g.kind == "sgd");
  CHECK(g.options.at("lr") == 0.1);
  CHECK(g.options.at("momentum") == 0.9);
  CHECK(g.options.at("nesterov") == 1);
  const auto mo = spec(s.call("momentum", {Value(0.05)}, {{"beta", Value(0.8)}}));
  CHECK(mo.kind == "momentum");
  CHECK(mo.options.at("momentum") == 0.8);

  const auto st = spec(s.call("sgd", {Value(0.1)}, {{"schedule", str("step")}, {"step_size", Value(100.0)}}));
  CHECK(st.schedule == "step");
  CHECK(st.schedule_options.at("step_size") == 100);
  CHECK(st.schedule_options.at("gamma") == 0.1);
  const auto co = spec(s.call("adam", {}, {{"schedule", str("cosine")}, {"min_lr", Value(1e-5)}}));
  CHECK(co.schedule == "cosine");
  CHECK(co.schedule_options.at("min_lr") == 1e-5);
}

TEST_CASE("optimizer options are validated at the argument", "[builtins][optimizer]") {
  Session s;
  auto d = error_of(s, "sgd", {Value(-1.0)});
  CHECK(d.message == "sgd: 'lr' must be greater than 0, got -1");
  CHECK(d.span == pos_span(0));
  d = error_of(s, "adam", {}, {{"lr", Value(0.0)}});
  CHECK(d.message == "adam: 'lr' must be greater than 0, got 0");
  CHECK(d.span == kw_span(0));
  d = error_of(s, "adam", {}, {{"beta1", Value(1.0)}});
  CHECK(d.message == "adam: 'beta1' must be in [0, 1), got 1");
  d = error_of(s, "adam", {}, {{"eps", Value(0.0)}});
  CHECK(d.message == "adam: 'eps' must be greater than 0, got 0");
  d = error_of(s, "adamw", {}, {{"weight_decay", Value(-0.1)}});
  CHECK(d.message == "adamw: 'weight_decay' must be at least 0, got -0.1");
  d = error_of(s, "sgd", {Value(0.1)}, {{"nesterov", Value(true)}});
  CHECK(d.message == "sgd: nesterov=true needs momentum > 0");
  d = error_of(s, "momentum", {Value(0.1)}, {{"beta", Value(1.5)}});
  CHECK(d.message == "momentum: 'beta' must be in [0, 1), got 1.5");
  d = error_of(s, "adam", {}, {{"schedule", str("linear")}});
  CHECK(d.message == "adam: 'schedule' must be \"constant\", \"step\" or \"cosine\", got \"linear\"");
  d = error_of(s, "adam", {}, {{"schedule", str("step")}});
  CHECK(d.message == "adam: schedule=\"step\" needs step_size=N (decay every N steps)");
  CHECK(d.span == kw_span(0));
  d = error_of(s, "adam", {}, {{"step_size", Value(10.0)}});
  CHECK(d.message == "adam: 'step_size' is only used with schedule=\"step\"");
  d = error_of(s, "sgd", {Value(0.1)}, {{"schedule", str("step")}, {"step_size", Value(0.0)}});
  CHECK(d.message == "sgd: 'step_size' must be at least 1, got 0");
  CHECK(d.span == kw_span(1));
  d = error_of(s, "adam", {}, {{"min_lr", Value(0.1)}});
  CHECK(d.message == "adam: 'min_lr' is only used with schedule=\"cosine\"");
  d = error_of(s, "adam", {}, {{"schedule", str("cosine")}, {"min_lr", Value(0.1)}});
  CHECK(d.message == "adam: 'min_lr' (0.1) must not exceed 'lr' (0.001)");
}

// ---------------------------------------------------------------- csv

TEST_CASE("csv: a good table, a column, blank lines, CRLF, quoted names", "[builtins][data]") {
  TempDir dir("hinge-builtins-csv_good");
  dir.write("good.csv", "\"x\", y ,z\r\n1, 2, 3\r\n\r\n-4.5,+5,6e1\r\n\n");
  Session s;
  s.ctx.base_dir = dir.path.string();
  const Value t = s.call("csv", {str("good.csv")});
  CHECK(shape_of(t) == "[2, 3]");
  check_values(t, {1, 2, 3, -4.5, 5, 60});
  const Value y = s.call("csv", {str("good.csv")}, {{"column", str("y")}});
  CHECK(shape_of(y) == "[2]");
  check_values(y, {2, 5});
  check_values(s.call("csv", {str("good.csv"), str("x")}), {1, -4.5});
  // an absolute path ignores base_dir
  check_values(s.call("csv", {Value((dir.path / "good.csv").string()), str("z")}), {3, 60});

  auto d = error_of(s, "csv", {str("good.csv")}, {{"column", str("yy")}});
  CHECK(d.message == "csv: no column 'yy' in good.csv (columns: x, y, z); did you mean 'y'?");
  CHECK(d.span == kw_span(0));
}

TEST_CASE("csv: each kind of bad file names the file, line and cell", "[builtins][data]") {
  TempDir dir("hinge-builtins-csv_bad");
  Session s;
  s.ctx.base_dir = dir.path.string();
  auto err = [&](const std::string& file, const std::string& text) {
    dir.write(file, text);
    const Diagnostic d = error_of(s, "csv", {Value(file)});
    CHECK(d.span == pos_span(0));
    return d.message;
  };
  CHECK(err("cell.csv", "a,b,c\n1,2,3\n4,5,abc\n") == "cell.csv:3: cell 3 ('abc') is not a number");
  CHECK(err("later.csv", "a,b\n1,2\n\n\n\n\n3,x7\n") == "later.csv:7: cell 2 ('x7') is not a number");
  CHECK(err("nan.csv", "a\nnan\n") == "nan.csv:2: cell 1 ('nan') is not a number");
  CHECK(err("empty_cell.csv", "a,b\n1,\n") == "empty_cell.csv:2: cell 2 is empty");
  CHECK(err("ragged.csv", "a,b,c\n1,2,3\n4,5\n") == "ragged.csv:3: 2 cells, but the header has 3 columns");
  CHECK(err("long.csv", "a,b\n1,2,3\n") == "long.csv:2: 3 cells, but the header has 2 columns");
  CHECK(err("one.csv", "a,b\n1\n") == "one.csv:2: 1 cell, but the header has 2 columns");
  CHECK(err("one_column.csv", "a\n1,2\n") == "one_column.csv:2: 2 cells, but the header has 1 column");
  CHECK(err("empty.csv", "") == "empty.csv: the file is empty; expected a header row and rows of numbers");
  CHECK(err("blank.csv", "\n  \n") ==
        "blank.csv: the file is empty; expected a header row and rows of numbers");
  CHECK(err("header_only.csv", "a,b\n") == "header_only.csv: no rows of numbers after the header");
  CHECK(err("no_header.csv", "1,2\n3,4\n") ==
        "no_header.csv:1: expected a header row of column names, got only numbers");
  CHECK(err("twice.csv", "x,y,\"x\"\n1,2,3\n") ==
        "twice.csv:1: the header names column 'x' twice (columns 1 and 3)");

  // Each error's note shows the file's line with a caret under the cell, at the
  // line and column of the file (leading blanks and CRLF endings as written).
  auto note = [&](const std::string& file, const std::string& text) {
    dir.write(file, text);
    return error_of(s, "csv", {Value(file)}).note;
  };
  CHECK(note("cell.csv", "a,b,c\n1,2,3\n4,5,abc\n") ==
        "cell.csv:3:5: note: cell 3\n    4,5,abc\n        ^~~\n");
  CHECK(note("crlf.csv", "a,b\r\n\r\n  1, x7 \r\n") ==
        "crlf.csv:3:6: note: cell 2\n      1, x7 \n         ^~\n");
  CHECK(note("empty_cell.csv", "a,b\n1,\n") == "empty_cell.csv:2:3: note: cell 2\n    1,\n      ^\n");
  CHECK(note("ragged.csv", "a,b,c\n 4,5\n") == "ragged.csv:2:2: note: 2 cells\n     4,5\n     ^~~\n");
  CHECK(note("twice.csv", "x,y,\"x\"\n1,2,3\n") ==
        "twice.csv:1:5: note: column 3\n    x,y,\"x\"\n        ^~~\n");
  CHECK(note("no_header.csv", "1,2\n") == "no_header.csv:1:1: note: the first row\n    1,2\n    ^~~\n");
  CHECK(note("escape.csv", "a\n\x1b[2J\n") == "escape.csv:2:1: note: cell 1\n    \\x1b[2J\n    ^~~~~~~\n");
  CHECK(note("empty.csv", "").empty());  // no line to show

  const Diagnostic missing = error_of(s, "csv", {str("missing.csv")});
  CHECK(missing.message == "cannot read 'missing.csv': No such file or directory");
  CHECK(missing.span == pos_span(0));
  const Diagnostic dirname = error_of(s, "csv", {str(".")});
  CHECK(dirname.message.starts_with("cannot read '.': "));
}

// ---------------------------------------------------------------- toy data

namespace {

struct DataSet {
  std::vector<double> x, y;
  std::string x_shape, y_shape;
};

DataSet data(const Value& v) {
  REQUIRE(v.is_list());
  REQUIRE(v.list().size() == 2);
  return {vals(v.list()[0]), vals(v.list()[1]), shape_of(v.list()[0]), shape_of(v.list()[1])};
}

}  // namespace

TEST_CASE("xor_data(4) is exactly the four corners", "[builtins][data]") {
  Session s;
  const DataSet d = data(s.call("xor_data"));
  CHECK(d.x_shape == "[4, 2]");
  CHECK(d.y_shape == "[4]");
  CHECK(d.x == std::vector<double>{0, 0, 0, 1, 1, 0, 1, 1});
  CHECK(d.y == std::vector<double>{0, 1, 1, 0});
  const DataSet e = data(s.call("xor_data", {Value(8.0)}, {{"noise", Value(0.1)}}));
  CHECK(e.x_shape == "[8, 2]");
  CHECK(e.y == std::vector<double>{0, 1, 1, 0, 0, 1, 1, 0});
  for (std::size_t i = 0; i < 8; ++i) {
    const double cx = i % 4 >= 2 ? 1.0 : 0.0, cy = i % 2 == 1 ? 1.0 : 0.0;
    CHECK(std::abs(e.x[2 * i] - cx) < 0.6);
    CHECK(std::abs(e.x[2 * i + 1] - cy) < 0.6);
  }
}

TEST_CASE("toy data sets: shapes, labels, geometry and seeds", "[builtins][data]") {
  Session s;
  SECTION("moons") {
    const DataSet d = data(s.call("moons", {Value(101.0)}, {{"noise", Value(0.0)}}));
    CHECK(d.x_shape == "[101, 2]");
    CHECK(std::count(d.y.begin(), d.y.end(), 0.0) == 50);
    CHECK(std::count(d.y.begin(), d.y.end(), 1.0) == 51);
    for (std::size_t i = 0; i < 101; ++i) {
      // upper moon: the unit circle around (0, 0); lower: around (1, 0.5)
      const double cx = d.y[i] == 0 ? 0 : 1, cy = d.y[i] == 0 ? 0 : 0.5;
      CHECK_THAT(std::hypot(d.x[2 * i] - cx, d.x[2 * i + 1] - cy), WithinAbs(1.0, 1e-12));
    }
    CHECK(d.x[0] == 1.0);  // (cos 0, sin 0)
  }
  SECTION("circles") {
    const DataSet d = data(s.call("circles", {Value(40.0)}, {{"noise", Value(0.0)}, {"factor", Value(0.3)}}));
    CHECK(d.x_shape == "[40, 2]");
    for (std::size_t i = 0; i < 40; ++i)
      CHECK_THAT(std::hypot(d.x[2 * i], d.x[2 * i + 1]), WithinAbs(d.y[i] == 0 ? 1.0 : 0.3, 1e-12));
    CHECK(std::count(d.y.begin(), d.y.end(), 1.0) == 20);
    auto e = error_of(s, "circles", {Value(10.0)}, {{"factor", Value(1.0)}});
    CHECK(e.message == "circles: 'factor' must be between 0 and 1, got 1");
  }
  SECTION("spiral") {
    const DataSet d =
        data(s.call("spiral", {Value(100.0)}, {{"classes", Value(3.0)}, {"noise", Value(0.0)}}));
    CHECK(d.x_shape == "[100, 2]");
    CHECK(std::count(d.y.begin(), d.y.end(), 0.0) == 34);
    CHECK(std::count(d.y.begin(), d.y.end(), 1.0) == 33);
    CHECK(std::count(d.y.begin(), d.y.end(), 2.0) == 33);
    // the last point of each arm is at radius 1
    CHECK_THAT(std::hypot(d.x[2 * 33], d.x[2 * 33 + 1]), WithinAbs(1.0, 1e-12));
    auto e = error_of(s, "spiral", {Value(2.0)}, {{"classes", Value(3.0)}});
    CHECK(e.message == "spiral: 'n' must be at least 3, got 2");
  }
  SECTION("the same seed gives the same data; noise moves points") {
    for (const char* name : {"moons", "circles", "spiral", "xor_data"}) {
      INFO(name);
      s.call("seed", {Value(3.0)});
      const DataSet a = data(s.call(name, {Value(20.0)}, {{"noise", Value(0.2)}}));
      s.call("seed", {Value(3.0)});
      const DataSet b = data(s.call(name, {Value(20.0)}, {{"noise", Value(0.2)}}));
      CHECK(a.x == b.x);
      CHECK(a.y == b.y);
      const DataSet c = data(s.call(name, {Value(20.0)}, {{"noise", Value(0.0)}}));
      CHECK(c.x != a.x);
      CHECK(c.y == a.y);
    }
    auto e = error_of(s, "moons", {Value(10.0)}, {{"noise", Value(-1.0)}});
    CHECK(e.message == "moons: 'noise' must be at least 0, got -1");
    CHECK(e.span == kw_span(0));
  }
}

TEST_CASE("sample: f on a grid, with builtins or (through ctx.call) functions", "[builtins][data]") {
  Session s;
  const Value sin_fn(find_builtin("sin"));
  const DataSet d = data(s.call("sample", {sin_fn, Value(0.0), Value(std::numbers::pi), Value(5.0)}));
  CHECK(d.x_shape == "[5]");
  CHECK(d.y_shape == "[5]");
  CHECK(d.x.back() == std::numbers::pi);
  for (std::size_t i = 0; i < 5; ++i) CHECK(d.y[i] == std::sin(d.x[i]));

  s.call("seed", {Value(9.0)});
  const DataSet n1 =
      data(s.call("sample", {sin_fn, Value(0.0), Value(1.0), Value(50.0)}, {{"noise", Value(0.1)}}));
  s.call("seed", {Value(9.0)});
  const DataSet n2 =
      data(s.call("sample", {sin_fn, Value(0.0), Value(1.0), Value(50.0)}, {{"noise", Value(0.1)}}));
  CHECK(n1.y == n2.y);
  double dev = 0;
  for (std::size_t i = 0; i < 50; ++i) dev = std::max(dev, std::abs(n1.y[i] - std::sin(n1.x[i])));
  CHECK(dev > 0);
  CHECK(dev < 0.6);

  // A user function needs the interpreter's callback.
  auto fn = std::make_shared<const Function>(Function{"f", {"x"}, nullptr, nullptr});
  auto e = error_of(s, "sample", {Value(fn), Value(0.0), Value(1.0), Value(3.0)});
  CHECK(e.message == "sample: 'f' must be a builtin function here (user functions need the interpreter)");
  CHECK(e.span == pos_span(0));
  s.ctx.call = [&](const Value& f, std::vector<Value> args) {
    CHECK(f.is_function());
    REQUIRE(args.size() == 1);
    return Value(args[0].tensor() * 2.0);  // f(x) = 2x
  };
  const DataSet u = data(s.call("sample", {Value(fn), Value(0.0), Value(1.0), Value(3.0)}));
  CHECK(u.y == std::vector<double>{0, 1, 2});

  e = error_of(s, "sample", {Value(1.0), Value(0.0), Value(1.0), Value(3.0)});
  CHECK(e.message == "sample: 'f' must be a function, got the number 1");
  e = error_of(s, "sample", {Value(find_builtin("shape")), Value(0.0), Value(1.0), Value(3.0)});
  CHECK(e.message == "sample: f(x) for x = linspace(lo, hi, 3) must give 3 values, got a list");
}

// ---------------------------------------------------------------- BUILTINS.md

namespace {

// The reference section, generated from the table: one heading per category, then
// a line per builtin with its signature, doc and example.
std::string render_builtins_markdown() {
  std::string out =
      "# Builtins\n\n"
      "<!-- Generated from the builtin table (lang/builtins/*.cpp) by tests/lang/builtins_test.cpp;\n"
      "     regenerate with HINGE_UPDATE_DOCS=1 ./.build/tests/lang_tests '[docs]'. -->\n\n"
      "Every builtin with its parameters (defaults after `=`; `*parts` takes any number of\n"
      "positional arguments), what it computes, and an example that runs. Applied to plain\n"
      "numbers, math and activation builtins return plain numbers. Constants: ";
  bool first = true;
  for (const auto& [name, value] : constants()) {
    out += fmt::format("{}`{}` = {}", first ? "" : ", ", name, value);
    first = false;
  }
  out += ".\n";
  const std::map<std::string_view, std::string_view> titles = {{"math", "Math"},
                                                               {"activation", "Activations"},
                                                               {"tensor", "Making tensors"},
                                                               {"shape", "Shapes and conversions"},
                                                               {"reduction", "Reductions"},
                                                               {"random", "Random tensors"},
                                                               {"loss", "Losses"},
                                                               {"optimizer", "Optimizers"},
                                                               {"data", "Data"},
                                                               {"analysis", "Analysis"}};
  for (std::string_view cat : builtin_categories()) {
    out += fmt::format("\n## {}\n\n", titles.at(cat));
    for (const Builtin& b : builtins())
      if (b.category == cat)
        out += fmt::format("- `{}({})` — {}.  \n  `{}`\n", b.name, b.params, b.doc, b.example);
  }
  return out;
}

}  // namespace

TEST_CASE("BUILTINS.md lists every builtin as the table says", "[builtins][docs]") {
  const std::string path = std::string(HINGE_TEST_DIR) + "/../lang/BUILTINS.md";
  const std::string want = render_builtins_markdown();
  // Update mode writes the file and still checks it, then fails: never left on.
  const bool update = std::getenv("HINGE_UPDATE_DOCS") != nullptr;
  if (update) hinge::write_file_atomic(path, want);
  std::string have;
  try {
    have = hinge::read_file(path);
  } catch (const hinge::IoError& e) {
    FAIL(e.what());
  }
  for (const Builtin& b : builtins()) {
    INFO(b.name);
    CHECK(have.find(fmt::format("- `{}(", b.name)) != std::string::npos);
  }
  CHECK(have == want);
  if (update) FAIL("HINGE_UPDATE_DOCS is set: lang/BUILTINS.md was rewritten; review it and unset it");
}

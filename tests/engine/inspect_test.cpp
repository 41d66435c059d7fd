// adjoints() and local_vjp(): the same numbers as grad(), local partials of single
// ops (including inputs that need no gradient), and no trace left in the graph.
#include <catch2/catch.hpp>

#include <cstring>

#include "graph_snapshot.hpp"
#include "hinge/engine.hpp"
#include "hinge/inspect.hpp"

using namespace hinge;
using hinge::test::snapshot;

TEST_CASE("adjoints equal grad() for every node and change nothing") {
  Graph g;
  auto w = g.param(0.5), b = g.param(-1.0), x = g.scalar(3.0);
  auto h = w * x + b;
  auto y = relu(h) + h * w;  // h feeds two consumers, w two as well
  backward(y);               // leaves hold gradients the inspection must keep
  const auto before = snapshot(g);
  const auto ids = ancestors(g, y.id);
  const auto adj = adjoints(y, ids);
  CHECK(snapshot(g) == before);
  std::vector<Tensor> wrt;
  for (NodeId id : ids)
    if (g[id].requires_grad()) wrt.push_back({&g, id});
  const auto expect = grad(y, wrt);
  std::size_t k = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!g[ids[i]].requires_grad()) {
      CHECK(adj[i].empty());  // the constant x receives nothing
      continue;
    }
    REQUIRE(adj[i].size() == 1);
    CHECK(adj[i][0] == expect[k++].item());
  }
  // By hand: h = 0.5, y = h + h w; dy/dh = 1 + w = 1.5, dy/dw = h + x dy/dh = 5.
  CHECK(adj[std::find(ids.begin(), ids.end(), h.id) - ids.begin()][0] == 1.5);
  CHECK(adj[std::find(ids.begin(), ids.end(), w.id) - ids.begin()][0] == 5.0);
}

TEST_CASE("local_vjp gives local partials, also for inputs without gradient") {
  Graph g;
  auto w = g.param(0.5), x = g.scalar(3.0);
  auto m = w * x;
  const auto before = snapshot(g);
  const std::vector<double> one{1.0};
  auto loc = local_vjp(m, one);
  CHECK(snapshot(g) == before);
  REQUIRE(loc.size() == 2);
  CHECK(loc[0] == std::vector<double>{3.0});  // dm/dw = x
  CHECK(loc[1] == std::vector<double>{0.5});  // dm/dx = w, though x is a constant

  auto sq = w * w;  // one input in both slots: each slot shows the sum 2w
  loc = local_vjp(sq, one);
  CHECK(loc[0] == std::vector<double>{1.0});
  CHECK(loc[1] == std::vector<double>{1.0});

  auto r = relu(g.scalar(-2.0) * w);
  CHECK(local_vjp(r, one)[0] == std::vector<double>{0.0});
  auto s = step(w);
  CHECK(local_vjp(s, one)[0] == std::vector<double>{0.0});
  CHECK(local_vjp(w, one).empty());
  CHECK_THROWS_AS(local_vjp(m, std::vector<double>{1.0, 2.0}), DomainError);
}

TEST_CASE("local_vjp of a tensor op is its vector-Jacobian product") {
  Graph g;
  const std::vector<double> xv{-1.0, 0.0, 2.0};
  auto x = g.param(Shape{3}, xv);
  auto r = relu(x);
  const auto loc = local_vjp(r, std::vector<double>{1.0, 1.0, 1.0});
  CHECK(loc[0] == std::vector<double>{0.0, 0.0, 1.0});  // relu'(0) = 0
  auto s = sum(x * g.scalar(2.0));
  CHECK(local_vjp(s, std::vector<double>{1.5}).at(0) == std::vector<double>{1.5, 1.5, 1.5});
}

TEST_CASE("trace export shows gradients, styles and JSON members given by the caller") {
  Graph g;
  auto w = g.param(0.5), x = g.scalar(3.0);
  auto y = w * x;
  const auto ids = ancestors(g, y.id);
  const auto adj = adjoints(y, ids);
  TraceOptions opt;
  opt.grad = [&](NodeId id) { return adj[std::find(ids.begin(), ids.end(), id) - ids.begin()]; };
  opt.dot_style = [&](NodeId id) { return id == w.id ? std::string("color=red") : std::string(); };
  opt.json_extra = [&](NodeId id) { return "\"note\": " + json_quote(id == y.id ? "a \"root\"\n" : ""); };
  const std::string text = trace_text(y, opt);
  CHECK(text.find("%0 = param  [] f64  value=0.5  grad=3\n") != std::string::npos);  // no backward ran
  CHECK(text.find("%1 = const  [] f64  value=3\n") != std::string::npos);            // no gradient shown
  CHECK(!w.node().has_grad());
  CHECK(trace_dot(y, opt).find("n0 [label=\"{ %0 param | value 0.5 | grad 3 }\", color=red];") !=
        std::string::npos);
  CHECK(trace_json(y, opt).find("\"note\": \"a \\\"root\\\"\\n\"}") != std::string::npos);
}

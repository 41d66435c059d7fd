// The reverse-mode machinery: accumulation, deep chains, grad(), higher order,
// no-grad scopes, inline scalars, marks, and replay.
#include <catch2/catch.hpp>

#include <cmath>

#include "hinge/engine.hpp"

using namespace hinge;

TEST_CASE("a node used several times gets the sum of its gradients") {
  Graph g;
  auto a = g.variable(3.0);
  auto b = a + a;  // db/da = 2
  auto c = b * b;  // dc/db = 2b = 12
  backward(c);
  CHECK(c.item() == 36.0);
  CHECK(a.grad_item() == 24.0);
  CHECK(b.grad_item() == 12.0);
}

TEST_CASE("micrograd's README expression gives micrograd's gradients") {
  // micrograd README: a = -4, b = 2, ..., g = f / 2 + 10 / f; g = 24.7041, dg/da = 138.8338, dg/db = 645.5773
  Graph gr;
  auto a = gr.variable(-4.0), b = gr.variable(2.0);
  auto c = a + b;
  auto d = a * b + pow(b, 3.0);
  c = c + c + 1.0;
  c = c + 1.0 + c + (-a);
  d = d + d * 2.0 + relu(b + a);
  d = d + 3.0 * d + relu(b - a);
  auto e = c - d;
  auto f = pow(e, 2.0);
  auto g = f / 2.0;
  g = g + 10.0 / f;
  backward(g);
  CHECK(g.item() == Approx(24.70408163265306).epsilon(1e-12));
  CHECK(a.grad_item() == Approx(138.83381924198252).epsilon(1e-12));
  CHECK(b.grad_item() == Approx(645.5772594752186).epsilon(1e-12));
}

TEST_CASE("backward over a chain of a million nodes needs no recursion") {
  Graph g;
  auto x = g.variable(1.0);
  auto y = x;
  for (int i = 0; i < 1'000'000; ++i) y = y * 1.0000001;
  backward(y);
  CHECK(x.grad_item() == Approx(std::pow(1.0000001, 1e6)).epsilon(1e-9));
}

TEST_CASE("backward's own scalar steps: other dtypes than the root's, and one-element tensors") {
  Graph g;
  auto x = g.variable(1.5);
  SECTION("f32 nodes under an f64 root go to their kernels") {
    auto x32 = cast(x, DType::f32);
    auto y = cast(x32 * x32 + x32 - relu(x32), DType::f64) * 2.0;  // 2 x^2
    backward(y);
    CHECK(y.item() == 4.5);
    CHECK(x.grad_item() == 6.0);
  }
  SECTION("a [1] operand makes a [1] node, stepped like a rank-0 one") {
    auto v = g.variable(Shape{1}, std::vector<double>{-2}, DType::f64);
    auto y = sum(relu(v * x + x) * (x - v));  // relu(-1.5) = 0 on the way through v * x + x
    auto z = sum((v * x - v) * x);            // (x - 1) v x: dz/dx = v (2x - 1) = -4, dz/dv = 0.75
    backward(y + z);
    CHECK(x.grad_item() == -4.0);
    CHECK(v.grad_at(0) == 0.75);
  }
}

TEST_CASE("a scalar step readies its inputs as any step does: interior gradients anew and leaves adding up") {
  // backward() readies the inputs of +, -, * and relu itself (Note [Scalar steps
  // in backward]); exp(w) is an interior input that is no such step.
  for (const DType t : {DType::f64, DType::f32}) {
    Graph g(t);
    auto w = g.param(0.5);
    auto e = exp(w);
    auto y = e * 3.0 + w;  // dy/de = 3, dy/dw = 3 e^w + 1
    const double dw = 3.0 * e.item() + 1.0;
    backward(y);
    CHECK(e.grad_item() == 3.0);
    CHECK(w.grad_item() == Approx(dw).epsilon(1e-6));
    backward(y);
    CHECK(e.grad_item() == 3.0);  // the latest pass only
    CHECK(w.grad_item() == Approx(2 * dw).epsilon(1e-6));
  }
}

TEST_CASE("backward twice accumulates into leaves; zero_grad resets") {
  Graph g;
  auto w = g.param(2.0);
  auto y = w * w;  // dy/dw = 4
  backward(y);
  CHECK(w.grad_item() == 4.0);
  backward(y);
  CHECK(w.grad_item() == 8.0);
  CHECK(y.grad_item() == 1.0);  // interior adjoints hold the latest pass only
  zero_grad(g);
  CHECK(w.grad_item() == 0.0);
  backward(y);
  CHECK(w.grad_item() == 4.0);
}

// Note [Walk marks]: each walk marks what it reaches with its own number, and at
// the end of the count every mark is set back and the count restarts. y1's nodes
// keep walk 1's mark while y2 is walked at the last number; the walk after that
// is number 1 again, and must not take y1's nodes as reached already (their
// gradients would be added to, not written anew: 16 for h1, not 8).
TEST_CASE("backward stays right when the walks are counted from the start again") {
  for (DType t : {DType::f64, DType::f32}) {
    INFO("dtype " << dtype_name(t));
    Graph g(t);
    Tensor w = g.param(1.5);
    Tensor h1 = relu(w * 2.0 + 1.0);  // 4
    Tensor y1 = h1 * h1 + w;          // dy1/dw = 2 h1 * 2 + 1 = 17
    Tensor y2 = sin(w) * 3.0;         // dy2/dw = 3 cos(w)
    const double dy2 = t == DType::f64 ? 3 * std::cos(1.5) : double(3.0f * std::cos(1.5f));
    const std::vector<Tensor> params{w};
    auto grad_by_w = [&](Tensor y) {
      zero_grad(params);  // the interior gradients stay as the last walk left them
      backward(y);
      return w.grad_item();
    };
    CHECK(grad_by_w(y1) == 17);  // walk 1
    CHECK(h1.grad_item() == 8);
    g.skip_walks_to(kNotWalked - 2);
    CHECK(grad_by_w(y2) == Approx(dy2).epsilon(1e-6));  // the last number
    CHECK(grad_by_w(y1) == 17);                         // number 1 again
    CHECK(h1.grad_item() == 8);
    CHECK(grad_by_w(y2) == Approx(dy2).epsilon(1e-6));
    CHECK(grad_by_w(y1) == 17);
    // grad() takes the same walk.
    CHECK(grad(y1, {w})[0].item() == 17);
    CHECK(w.grad_item() == 17);  // grad() leaves .grad as it was
  }
}

TEST_CASE("backward needs a one-element value that depends on something") {
  Graph g;
  auto v = g.variable(Shape{2}, std::vector<double>{1, 2}, DType::f64);
  CHECK_THROWS_MATCHES(backward(v * 2.0), DomainError,
                       Catch::Message("backward needs a one-element value, not shape [2]"));
  CHECK_THROWS_AS(backward(g.scalar(1.0) * 2.0), DomainError);
}

TEST_CASE("grad() returns gradients without touching .grad") {
  Graph g;
  auto x = g.variable(3.0), y = g.variable(-2.0);
  auto z = x * y + x;
  backward(z);  // x.grad = y + 1 = -1, y.grad = x = 3
  auto d = grad(z, {x, y});
  CHECK(d[0].item() == -1.0);
  CHECK(d[1].item() == 3.0);
  CHECK(x.grad_item() == -1.0);  // unchanged by grad()
  CHECK(y.grad_item() == 3.0);
  auto unrelated = g.variable(5.0);
  CHECK(grad(z, {unrelated})[0].item() == 0.0);
}

TEST_CASE("grad() by interior nodes, by the root, and by a node off the path") {
  Graph g;
  auto x = g.variable(3.0), y = g.variable(-2.0);
  auto h = x * y;
  auto z = h + x;
  auto q = x + 1.0;   // not on the way from z to x
  backward(q * 5.0);  // leaves q.grad = 5, which z's gradient must not show
  auto d = grad(z, {h, z, q, x});
  CHECK(d[0].item() == 1.0);
  CHECK(d[1].item() == 1.0);
  CHECK(d[2].item() == 0.0);
  CHECK(d[3].item() == -1.0);
  CHECK(x.grad_item() == 5.0);  // what backward(q * 5) left, put back
  backward(z);                  // the walk left no marks behind: x.grad = 5 + (y + 1)
  CHECK(x.grad_item() == 4.0);
}

TEST_CASE("grad of grad: second and third derivatives") {
  Graph g;
  auto x = g.variable(2.0);
  auto y = x * x * x;  // y' = 3x^2 = 12, y'' = 6x = 12, y''' = 6
  auto d1 = grad(y, {x}, true)[0];
  CHECK(d1.item() == 12.0);
  auto d2 = grad(d1, {x}, true)[0];
  CHECK(d2.item() == 12.0);
  auto d3 = grad(d2, {x}, true)[0];
  CHECK(d3.item() == 6.0);
}

TEST_CASE("Hessian-vector product through grad of grad") {
  // f(x) = sum(x^2 * x_other) style: f = x0^2 x1 + x1^3; H = [[2x1, 2x0], [2x0, 6x1]]
  Graph g;
  auto x = g.variable(Shape{2}, std::vector<double>{1.5, -0.5}, DType::f64);
  auto x0 = sum(x * g.constant(Shape{2}, std::vector<double>{1, 0}));
  auto x1 = sum(x * g.constant(Shape{2}, std::vector<double>{0, 1}));
  auto f = x0 * x0 * x1 + x1 * x1 * x1;
  auto gx = grad(f, {x}, true)[0];
  auto v = g.constant(Shape{2}, std::vector<double>{1.0, 2.0});
  auto hv = grad(sum(gx * v), {x})[0];  // H v
  const double h00 = 2 * -0.5, h01 = 2 * 1.5, h11 = 6 * -0.5;
  CHECK(hv.at(0) == Approx(h00 * 1 + h01 * 2));
  CHECK(hv.at(1) == Approx(h01 * 1 + h11 * 2));
}

TEST_CASE("no-grad scope builds nodes without a gradient path") {
  Graph g;
  auto w = g.param(2.0);
  Tensor y;
  {
    NoGradScope ng(g);
    y = w * 3.0;
  }
  CHECK_FALSE(y.requires_grad());
  CHECK(y.item() == 6.0);
  CHECK((w * 3.0).requires_grad());
}

TEST_CASE("scalar nodes keep their values inline, not in the arena") {
  Graph g;
  auto before = g.arena().bytes_used();
  auto x = g.variable(1.5);
  auto y = x;
  for (int i = 0; i < 1000; ++i) y = y * x + 1.0;
  backward(y);
  CHECK(g.arena().bytes_used() == before);
}

TEST_CASE("a one-number node keeps any attribute that is not the default bit for bit") {
  // Note [Node size]: a rank-0 node with the default attribute has no details,
  // so which attributes count as default decides what a node keeps.
  CHECK(Attr{}.is_default());
  auto changed = [](auto edit) {
    Attr a;
    edit(a);
    return !a.is_default();
  };
  CHECK(changed([](Attr& a) { a.f[0] = -0.0; }));  // -0 == 0, but it is another constant
  CHECK(changed([](Attr& a) { a.f[1] = std::nan(""); }));
  CHECK(changed([](Attr& a) { a.aux_bytes = 8; }));
  CHECK(changed([](Attr& a) { a.i[kMaxRank - 1] = 1; }));
  CHECK(changed([](Attr& a) { a.axes = 1; }));
  CHECK(changed([](Attr& a) { a.keepdims = true; }));

  Graph g;
  auto x = g.variable(-2.0);
  auto y = leaky_relu(x, -0.0);
  CHECK(std::signbit(g[y.id].attr().f[0]));
  auto z = pow(x, 0.0);  // exponent 0 is the default's bits: no details, and still x^0
  CHECK(z.item() == 1.0);
  CHECK(g[z.id].attr().is_default());
}

TEST_CASE("same_bits tells -0 from 0 and finds a NaN equal to itself") {
  CHECK(same_bits(1.5, 1.5));
  CHECK_FALSE(same_bits(0.0, -0.0));
  CHECK_FALSE(same_bits(0.0f, -0.0f));
  CHECK(same_bits(std::nanf(""), std::nanf("")));
  CHECK_FALSE(same_bits(std::nan("1"), std::nan("2")));
}

TEST_CASE("node records keep their addresses while the tape grows past many 2 MB steps") {
  Graph g;
  auto x = g.variable(2.0);
  const Node* first = &g[x.id];
  const void* first_value = first->val;
  auto y = x;
  for (int i = 0; i < 100'000; ++i) y = y + 1.0;  // 200,000 nodes: about 23 MB of records
  CHECK(&g[x.id] == first);
  CHECK(g[x.id].val == first_value);
  CHECK(&g[y.id] == first + y.id);  // one array: a record is at base + id
  CHECK(y.item() == 100'002.0);
  backward(y);
  CHECK(x.grad_item() == 1.0);
}

TEST_CASE("a reserved range grows in 2 MB steps up to its reservation and no further") {
  detail::ReservedRange r;
  r.reserve(2 * detail::ReservedRange::kStep + 1);  // rounded up to three steps
  REQUIRE(r.reserved());
  CHECK(r.size() == 3 * detail::ReservedRange::kStep);
  CHECK(r.usable() == 0);
  std::byte* base = r.data();
  for (int k = 0; k < 3; ++k) {
    REQUIRE(r.grow());
    r.data()[r.usable() - 1] = std::byte{7};  // the new step is writable
  }
  CHECK_FALSE(r.grow());
  CHECK(r.usable() == r.size());
  CHECK(r.data() == base);
  CHECK(base[r.usable() - 1] == std::byte{7});
}

TEST_CASE("rewind drops the nodes created after a mark") {
  Graph g;
  auto x = g.variable(1.0);
  auto m = g.mark();
  for (int i = 0; i < 10; ++i) x * 2.0;
  CHECK(g.size() > m.nodes);
  g.rewind(m);
  CHECK(g.size() == m.nodes);
  CHECK(x.item() == 1.0);
}

TEST_CASE("replay recomputes forward and backward with new leaf values") {
  Graph g;
  auto w = g.param(2.0);
  auto x = g.scalar(3.0);
  auto loss = (w * x - 1.0) * (w * x - 1.0);  // d/dw = 2 (wx - 1) x
  Replay r(loss);
  r.forward();
  r.backward();
  CHECK(loss.item() == 25.0);
  CHECK(w.grad_item() == 30.0);
  w.set_values(std::vector<double>{1.0});
  r.forward();
  r.backward();  // a fresh step's gradient, not an accumulation
  CHECK(loss.item() == 4.0);
  CHECK(w.grad_item() == 12.0);
  REQUIRE(r.params().size() == 1);
  CHECK(r.params()[0].id == w.id);
}

TEST_CASE("compact keeps what the roots need, with values and gradients") {
  Graph g;
  auto w = g.param(Shape{3}, std::vector<double>{1, 2, 3});
  for (int i = 0; i < 100; ++i) (void)(w * 5.0);  // garbage nobody keeps
  auto big = g.constant(Shape{1000}, std::vector<double>(1000, 1.0));
  (void)big;
  auto y = sum(relu(w - 1.5) * w);
  auto s = g.param(0.25);
  auto z = s * s + 1.0;
  // Ops whose attributes live beside the node: slice bounds, max's scratch, a long concat.
  std::vector<Tensor> parts(5, w);
  const SliceSpec every_other[1] = {{0, INT64_MAX, 2}};
  auto extra = max(slice(concat(parts), every_other));
  z = z + extra;
  backward(y);
  const auto used_before = g.arena().bytes_used();
  auto remap = g.compact(std::vector<NodeId>{y.id, z.id});
  Tensor w2{&g, remap[w.id]}, y2{&g, remap[y.id]}, z2{&g, remap[z.id]}, s2{&g, remap[s.id]};
  CHECK(remap[big.id] == kNoNode);
  CHECK(g.size() < 15);
  CHECK(g.arena().bytes_used() < used_before);
  CHECK(y2.item() == 0.0 * 1 + 0.5 * 2 + 1.5 * 3);
  CHECK(w2.grads() == std::vector<double>{0, 2 * 2 - 1.5, 2 * 3 - 1.5});
  CHECK(z2.item() == 1.0625 + 3);
  // The compacted graph still trains: replay and differentiate it.
  w2.set_values(std::vector<double>{2, 2, 2});
  Replay r(y2);
  r.forward();
  r.backward();
  CHECK(y2.item() == 3 * 0.5 * 2);
  CHECK(w2.grads() == std::vector<double>{2.5, 2.5, 2.5});
  backward(z2);
  CHECK(s2.grad_item() == 0.5);
}

// Note [Live values]: the clock's readings are 32 bits, renumbered when the clock
// reaches its end. The same writes and reads, with the clock started at each of
// the last few readings so that the renumbering falls between different steps,
// must find stale what a write made stale, recompute only what depends on it, and
// read the values a graph built at the new values holds.
TEST_CASE("live values stay right when the clock's readings are renumbered at its end") {
  for (uint32_t before_end = 0; before_end < 8; ++before_end) {
    INFO("clock started " << before_end << " readings before its end");
    Graph g;
    Tensor a = g.param(1.0), b = g.param(2.0);
    Tensor ya = sin(a) * 3.0, yb = b * b;
    Tensor c = ya + yb;
    g.skip_clock_to(Graph::kLastReading - before_end);
    const uint64_t writes = g.writes();
    a.set_values(std::vector<double>{0.5});
    CHECK(g.writes() == writes + 1);
    CHECK_FALSE(g.is_current(ya.id));
    b.set_values(std::vector<double>{3.0});
    CHECK_FALSE(g.is_current(yb.id));
    g.refresh(yb.id);
    CHECK(yb.item() == 9);
    CHECK(g.is_current(yb.id));
    CHECK_FALSE(g.is_current(ya.id));  // refreshing yb leaves ya stale
    CHECK_FALSE(g.is_current(c.id));
    CHECK(ya.item() == 3 * std::sin(1.0));
    // A node built now, on a stale input and on a current one.
    Tensor d = ya * yb;
    CHECK_FALSE(g.is_current(d.id));
    Tensor e = yb + 1.0;
    CHECK(g.is_current(e.id));
    g.refresh(c.id);  // recomputes ya, then c (yb is current)
    CHECK(c.item() == 3 * std::sin(0.5) + 9);
    CHECK_FALSE(g.is_current(d.id));  // d follows when it is refreshed
    g.refresh(d.id);
    CHECK(d.item() == 3 * std::sin(0.5) * 9);
    // More writes and reads, each a tick, past any renumbering left.
    for (int k = 0; k < 10; ++k) {
      a.set_values(std::vector<double>{0.1 * k});
      CHECK_FALSE(g.is_current(c.id));
      // e does not depend on a: refreshing it recomputes nothing, as the stamps
      // say (a planted value in yb stays).
      yb.node().v<double>()[0] = 99;
      g.refresh(e.id);
      CHECK(yb.item() == 99);
      CHECK(e.item() == 10);
      yb.node().v<double>()[0] = 9;
      g.refresh(c.id);
      CHECK(c.item() == 3 * std::sin(0.1 * k) + 9);
      CHECK(g.is_current(c.id));
      CHECK_FALSE(g.is_current(d.id));
    }
    g.refresh(d.id);
    CHECK(d.item() == 3 * std::sin(0.9) * 9);
    CHECK(g.writes() == writes + 12);
  }
}

// The pattern statement: which units of a layer are open (positive pre-activation)
// at one input point, the bit pattern that names the point's linear region.
#include <fmt/format.h>

#include "format_value.hpp"
#include "interpreter.hpp"

namespace hinge::lang {

using namespace syntax;

// pattern F at POINT: F is a function of points [N, d] giving pre-activations
// [N, k] (as for `plot regions`); POINT is d numbers.
void Interpreter::exec_pattern(const Pattern& p, const Stmt& s, Ctx& ctx) {
  Value f = eval(p.model, ctx);
  if (!f.is_function() && !f.is_builtin())
    throw Error(p.model.span, fmt::format("pattern needs a function of points [N, d] (the layer's "
                                          "pre-activations), got {}",
                                          a_kind(f)));
  Value pt = eval(p.point, ctx);
  std::vector<double> coords;
  if (pt.is_number()) {
    coords.push_back(pt.number());
  } else if (pt.is_tensor() && pt.tensor().rank() <= 1) {
    coords = pt.tensor().values();
  } else if (pt.is_tensor() && pt.tensor().rank() == 2 && pt.tensor().shape().dims[0] == 1) {
    coords = pt.tensor().values();
  } else {
    throw Error(p.point.span, fmt::format("the point must be a number or a vector of numbers, got {}", a_kind(pt)));
  }
  stamp(ctx, p.point.span);
  Tensor row = at_span(p.point.span, [&] {
    return graph_.constant(Shape{1, static_cast<int64_t>(coords.size())}, coords);
  });
  Value outv = call(f, {{Value(row), p.point.span}}, {}, p.model.span, ctx);
  if (!outv.is_tensor() && !outv.is_number())
    throw Error(p.model.span, fmt::format("the function gave {}, not pre-activations", a_kind(outv)));
  const std::vector<double> pre = outv.is_number() ? std::vector<double>{outv.number()} : outv.tensor().values();
  if (outv.is_tensor() && outv.tensor().rank() == 2 && outv.tensor().shape().dims[0] != 1)
    throw Error(p.model.span, fmt::format("the function gave {} rows for one point", outv.tensor().shape().dims[0]));
  std::string bits;
  int64_t open = 0;
  for (double v : pre) {
    bits += v > 0 ? '1' : '0';
    open += v > 0;
  }
  fmt::print(out(), "pattern {} at {}: {} ({} of {} units open)\n", text_of(ctx, p.model.span),
             text_of(ctx, p.point.span), bits, open, pre.size());
  if (pre.size() <= 16)
    for (std::size_t k = 0; k < pre.size(); ++k)
      fmt::print(out(), "  unit {:<3} {:>12}  {}\n", k + 1, format_number(pre[k]), pre[k] > 0 ? "open" : "closed");
  (void)s;
}

}  // namespace hinge::lang

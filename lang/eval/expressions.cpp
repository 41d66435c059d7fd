// Evaluation of expressions: literals, names, list literals, operators (numbers stay
// doubles, tensors go through engine ops), string interpolation, calls and indexing.
#include <cmath>

#include <fmt/format.h>

#include "eval/format_value.hpp"
#include "eval/interpreter.hpp"

namespace hinge::lang {

using namespace syntax;

namespace {

// The engine's error about the operands of `op`, worded with the operator the user
// wrote ('*' where the engine says 'mul') from the error's detail (Note [Structured
// errors] in hinge/errors.hpp); an error without one keeps the engine's message.
std::string operand_error_message(BinaryOp op, const hinge::Error& err) {
  const hinge::ErrorDetail& d = err.detail();
  auto shape = [&](std::size_t k) { return hinge::to_string(Shape::of(d.shapes.at(k))); };
  switch (d.rule) {
    case hinge::ErrorRule::broadcast:
    case hinge::ErrorRule::matmul:
      return fmt::format("shape mismatch in '{}': {} vs {}{}", to_string(op), shape(0), shape(1),
                         d.why.empty() ? "" : "; " + d.why);
    case hinge::ErrorRule::dtype:
      return fmt::format("dtype mismatch in '{}': {} vs {} (use cast)", to_string(op), d.dtypes.at(0),
                         d.dtypes.at(1));
    case hinge::ErrorRule::graph: return fmt::format("'{}' of tensors from different graphs", to_string(op));
    case hinge::ErrorRule::none: break;
  }
  return err.what();
}

// Where the caret goes: under the operand that broke the rule, or under the whole
// expression when the operands broke it together (or the error has no detail).
Span operand_error_span(const hinge::Error& err, const Expr& e) {
  const Binary& b = e.as<Binary>();
  if (err.detail().rule == hinge::ErrorRule::none) return e.span;
  if (err.detail().operand == 0) return b.lhs->span;
  if (err.detail().operand == 1) return b.rhs->span;
  return e.span;
}

std::string type_error(BinaryOp op, const Value& a, const Value& b) {
  const std::string x = a_kind(a), y = a_kind(b);
  switch (op) {
    case BinaryOp::add: return fmt::format("cannot add {} and {}", x, y);
    case BinaryOp::sub: return fmt::format("cannot subtract {} from {}", y, x);
    case BinaryOp::mul: return fmt::format("cannot multiply {} by {}", x, y);
    case BinaryOp::div: return fmt::format("cannot divide {} by {}", x, y);
    case BinaryOp::pow: return fmt::format("cannot raise {} to the power {}", x, y);
    case BinaryOp::matmul: return fmt::format("'@' multiplies two tensors, got {} and {}", x, y);
    default: return fmt::format("cannot compare {} with {}", x, y);
  }
}

bool is_arith(BinaryOp op) {
  return op == BinaryOp::add || op == BinaryOp::sub || op == BinaryOp::mul || op == BinaryOp::div ||
         op == BinaryOp::pow || op == BinaryOp::matmul;
}

// a OP b for a comparison operator, over numbers or strings.
template <class T>
bool compare_ordered(BinaryOp op, const T& a, const T& b) {
  switch (op) {
    case BinaryOp::eq: return a == b;
    case BinaryOp::ne: return a != b;
    case BinaryOp::lt: return a < b;
    case BinaryOp::le: return a <= b;
    case BinaryOp::gt: return a > b;
    default: return a >= b;
  }
}

Tensor tensor_op(BinaryOp op, Tensor a, Tensor b) {
  switch (op) {
    case BinaryOp::add: return add(a, b);
    case BinaryOp::sub: return sub(a, b);
    case BinaryOp::mul: return mul(a, b);
    case BinaryOp::div: return div(a, b);
    case BinaryOp::pow: return pow(a, b);
    case BinaryOp::matmul: return matmul(a, b);
    case BinaryOp::eq: return eq(a, b);
    case BinaryOp::ne: return ne(a, b);
    case BinaryOp::lt: return lt(a, b);
    case BinaryOp::le: return le(a, b);
    case BinaryOp::gt: return gt(a, b);
    default: return ge(a, b);
  }
}

// Strings and lists built by + stay below these: no unbounded growth.
constexpr std::size_t kMaxStringBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxListItems = std::size_t{1} << 24;

// Python's slice bounds for an omitted start/stop, in the engine's SliceSpec terms.
int64_t default_start(int64_t step) { return step > 0 ? 0 : INT64_MAX; }
int64_t default_stop(int64_t step, int64_t n) { return step > 0 ? INT64_MAX : -n - 1; }

}  // namespace

// Nested calls times nested expressions could exhaust the C++ stack long before
// either limit alone: this bounds the evaluator's own recursion.
constexpr int kMaxEvalDepth = 2500;

Value Interpreter::eval(const Expr& e, Ctx& ctx) {
  // A number and a name evaluate without evaluating anything else, so they need no
  // depth to guard; here, they skip eval_node's frame, which a loop's operands
  // would otherwise pay on every iteration.
  if (e.kind() == ExprKind::number) return Value(e.as<Number>().value);
  if (e.kind() == ExprKind::name) return lookup_value(e.as<Name>().text, e.span, ctx);
  if (eval_depth_ >= kMaxEvalDepth) throw Error(e.span, "expressions nested too deeply (through calls)");
  ++eval_depth_;
  struct Leave {
    int& d;
    ~Leave() { --d; }
  } leave{eval_depth_};
  return eval_node(e, ctx);
}

Value Interpreter::eval_node(const Expr& e, Ctx& ctx) {
  switch (e.kind()) {
    case ExprKind::number: return Value(e.as<Number>().value);
    case ExprKind::boolean: return Value(e.as<Bool>().value);
    case ExprKind::name: return lookup_value(e.as<Name>().text, e.span, ctx);

    case ExprKind::string: {
      std::string out;
      for (const StringPart& part : e.as<String>().parts) {
        if (part.is_literal()) {
          out += part.text;
          continue;
        }
        if (out.size() > kMaxStringBytes)
          throw Error(e.span, fmt::format("string too long (more than {} bytes)", kMaxStringBytes));
        Value v = eval(*part.expr, ctx);
        if (part.spec.empty()) {
          out += format_plain(v);
          continue;
        }
        // fmt reads a brace in a spec as a nested argument, which we never pass: its
        // message then spoke of argument indexing, which no script has.
        if (part.spec.find_first_of("{}") != std::string::npos)
          throw Error(part.span, fmt::format("bad format spec ':{}': a spec holds no braces (write a number: "
                                             "{{x:.3f}}, {{x:>8}})",
                                             escape_for_message(part.spec)));
        try {
          out += format_with_spec(v, part.spec, kMaxStringBytes - std::min(out.size(), kMaxStringBytes));
        } catch (const fmt::format_error& err) {
          throw Error(part.span, fmt::format("bad format spec ':{}' for {}: {}",
                                             escape_for_message(part.spec), a_kind(v), err.what()));
        }
      }
      if (out.size() > kMaxStringBytes)
        throw Error(e.span, fmt::format("string too long (more than {} bytes)", kMaxStringBytes));
      return Value(std::move(out));
    }

    case ExprKind::list: {
      const auto& items = e.as<List>().items;
      auto list = std::make_shared<std::vector<Value>>();
      list->reserve(items.size());
      for (const Expr& item : items) list->push_back(eval(item, ctx));
      if (list->empty()) return Value(list);
      // Note [Numbers and tensors]: numbers -> a constant; tensors of one shape -> stack.
      bool all_numbers = true, all_tensors = true, all_constants = true;
      const Tensor* first = nullptr;
      bool same_shape = true;
      for (const Value& v : *list) {
        all_numbers &= v.is_number();
        if (v.is_tensor()) {
          const Tensor& t = v.tensor();
          all_constants &= t.node().is_leaf() && !t.requires_grad();
          if (!first)
            first = &t;
          else
            same_shape &= t.shape() == first->shape() && t.dtype() == first->dtype();
        } else {
          all_tensors = false;
          all_constants = false;
        }
      }
      stamp(ctx, e.span);
      if (all_numbers) {
        std::vector<double> vals;
        for (const Value& v : *list) vals.push_back(v.number());
        return at_span(
            e.span, [&] { return Value(graph_.constant(Shape{static_cast<int64_t>(vals.size())}, vals)); });
      }
      // Scalars (rank 0) mix with numbers: [w, 1] stacks into a [2] tensor.
      const bool scalars_and_numbers = [&] {
        for (const Value& v : *list)
          if (!(v.is_number() || (v.is_tensor() && v.tensor().rank() == 0))) return false;
        return first != nullptr;
      }();
      if ((all_tensors && same_shape) || scalars_and_numbers) {
        return at_span(e.span, [&] {
          const Shape inner = first->shape();
          if (all_constants) {  // [[1, 2], [3, 4]]: one constant, not a stack of rows
            std::vector<double> vals;
            for (const Value& v : *list) {
              auto part = v.tensor().values();
              vals.insert(vals.end(), part.begin(), part.end());
            }
            std::vector<int64_t> dims{static_cast<int64_t>(list->size())};
            for (int k = 0; k < inner.rank; ++k) dims.push_back(inner.dims[k]);
            return Value(graph_.constant(Shape::of(dims), vals, first->dtype()));
          }
          std::vector<Tensor> parts;
          for (const Value& v : *list)
            parts.push_back(v.is_number() ? graph_.scalar(v.number(), first->dtype()) : v.tensor());
          return Value(stack(parts, 0));
        });
      }
      return Value(list);
    }

    case ExprKind::unary: {
      const Unary& u = e.as<Unary>();
      Value v = eval(*u.operand, ctx);
      if (u.op == UnaryOp::not_) return Value(!truthy(v, u.operand->span, "'not'"));
      if (v.is_number()) return Value(-v.number());
      if (v.is_tensor()) {
        stamp(ctx, e.span);
        return at_span(e.span, [&] { return Value(neg(v.tensor())); });
      }
      throw Error(e.span, fmt::format("cannot negate {}", a_kind(v)));
    }

    case ExprKind::binary: {
      const Binary& b = e.as<Binary>();
      if (b.op == BinaryOp::and_ || b.op == BinaryOp::or_) {
        const char* what = b.op == BinaryOp::and_ ? "'and'" : "'or'";
        bool l = truthy(eval(*b.lhs, ctx), b.lhs->span, what);
        if (b.op == BinaryOp::and_ && !l) return Value(false);
        if (b.op == BinaryOp::or_ && l) return Value(true);
        return Value(truthy(eval(*b.rhs, ctx), b.rhs->span, what));
      }
      Value l = eval(*b.lhs, ctx);
      Value r = eval(*b.rhs, ctx);
      return eval_binary(b.op, l, r, e, ctx);
    }

    case ExprKind::call: {
      const Call& c = e.as<Call>();
      Value callee = eval(*c.callee, ctx);
      std::vector<Arg> pos;
      pos.reserve(c.args.size());
      for (const Expr& a : c.args) pos.push_back({eval(a, ctx), a.span});
      std::vector<std::pair<std::string, Arg>> kw;
      for (const KeywordArg& k : c.kwargs) kw.push_back({k.name.text, {eval(*k.value, ctx), k.name.span}});
      if (!callee.is_builtin() && !callee.is_function())
        throw Error(c.callee->span, fmt::format("{} is not a function", a_kind(callee)));
      stamp(ctx, e.span);
      return call(callee, std::move(pos), std::move(kw), e.span, ctx);
    }

    case ExprKind::index: return eval_index(e.as<Index>(), e, ctx);
  }
  throw Error(e.span, "unsupported expression");
}

Value Interpreter::eval_binary(BinaryOp op, const Value& l, const Value& r, const Expr& e, Ctx& ctx) {
  const Binary& b = e.as<Binary>();
  // A list may hold tensors, functions and other lists: there is no one right
  // answer, and `false` for equal lists was a silent wrong one.
  if ((op == BinaryOp::eq || op == BinaryOp::ne) && (l.is_list() || r.is_list()))
    throw Error(b.op_span, fmt::format("'{}' does not compare lists; compare their items (a[0] == b[0]) "
                                       "or their lengths (len(a) == len(b))",
                                       op == BinaryOp::eq ? "==" : "!="));
  // Numbers stay numbers (Note [Numbers and tensors]).
  if (l.is_number() && r.is_number()) {
    const double x = l.number(), y = r.number();
    switch (op) {
      case BinaryOp::add: return Value(x + y);
      case BinaryOp::sub: return Value(x - y);
      case BinaryOp::mul: return Value(x * y);
      case BinaryOp::div:
        if (y == 0) throw Error(b.rhs->span, fmt::format("division by zero ({} / 0)", format_number(x)));
        return Value(x / y);
      case BinaryOp::pow: return Value(std::pow(x, y));
      case BinaryOp::matmul: throw Error(b.op_span, type_error(op, l, r));
      default: return Value(compare_ordered(op, x, y));
    }
  }
  if (l.is_tensor() || r.is_tensor()) {
    const bool ok_l = l.is_tensor() || l.is_number(), ok_r = r.is_tensor() || r.is_number();
    if (!ok_l || !ok_r || (op == BinaryOp::matmul && !(l.is_tensor() && r.is_tensor()))) {
      if (op == BinaryOp::eq) return Value(false);
      if (op == BinaryOp::ne) return Value(true);
      throw_type_error(op, b, l, r, ctx);
    }
    stamp(ctx, e.span);
    try {
      const DType dt = l.is_tensor() ? l.tensor().dtype() : r.tensor().dtype();
      if (op == BinaryOp::pow && r.is_number()) return Value(pow(l.tensor(), r.number()));
      Tensor a = l.is_tensor() ? l.tensor() : operand_constant(l.number(), dt, *b.lhs);
      Tensor c = r.is_tensor() ? r.tensor() : operand_constant(r.number(), dt, *b.rhs);
      return Value(tensor_op(op, a, c));
    } catch (const hinge::Interrupted&) {
      throw;
    } catch (const hinge::Error& err) {
      throw Error(operand_error_span(err, e), operand_error_message(op, err));
    } catch (const std::bad_alloc&) {
      throw Error(e.span, "out of memory");
    }
  }
  if (l.is_string() && r.is_string()) {
    if (op == BinaryOp::add) {
      if (l.string().size() + r.string().size() > kMaxStringBytes)
        throw Error(e.span, fmt::format("string too long (more than {} bytes)", kMaxStringBytes));
      return Value(l.string() + r.string());
    }
    if (!is_arith(op)) return Value(compare_ordered(op, l.string(), r.string()));
  }
  if (l.is_list() && r.is_list() && op == BinaryOp::add) {
    if (l.list().size() + r.list().size() > kMaxListItems)
      throw Error(e.span, fmt::format("list too long (more than {} items)", kMaxListItems));
    auto out = std::make_shared<std::vector<Value>>(l.list());
    out->insert(out->end(), r.list().begin(), r.list().end());
    return Value(out);
  }
  if (l.is_bool() && r.is_bool() && (op == BinaryOp::eq || op == BinaryOp::ne))
    return Value(compare_ordered(op, std::get<bool>(l.v), std::get<bool>(r.v)));
  if (op == BinaryOp::eq) return Value(false);
  if (op == BinaryOp::ne) return Value(true);
  throw_type_error(op, b, l, r, ctx);
}

// The error of `l op r` for operands op does not take. "loss: " + 3 (or + a
// tensor, which a loss always is) is what Python and JavaScript users try:
// interpolation is the way, shown on their own code when it is short.
void Interpreter::throw_type_error(BinaryOp op, const Binary& b, const Value& l, const Value& r, Ctx& ctx) {
  if (op == BinaryOp::add && (l.is_string() != r.is_string())) {
    const std::string ls = text_of(ctx, b.lhs->span), rs = text_of(ctx, b.rhs->span);
    const std::string& lit = l.is_string() ? ls : rs;
    const std::string& other = l.is_string() ? rs : ls;
    std::string example = "\"text {x}\"";
    if (lit.size() >= 2 && lit.front() == '"' && lit.back() == '"' && lit.find('{') == std::string::npos &&
        other.find('\n') == std::string::npos && lit.size() + other.size() < 60)
      example = l.is_string() ? fmt::format("{}{{{}}}\"", lit.substr(0, lit.size() - 1), other)
                              : fmt::format("\"{{{}}}{}", other, lit.substr(1));
    throw Error(b.op_span, fmt::format("{}; to put a value in a string, write it in braces: {}",
                                       type_error(op, l, r), example));
  }
  throw Error(b.op_span, type_error(op, l, r));
}

// Note [One constant per operand]
// A number meets a tensor through an op as a scalar constant node (Note [Numbers and
// tensors]). In a loop such as `for i in range(50000) { y = y * 1.0001 + 0.001 }`
// the same operands meet the same numbers every iteration, and a new constant each
// time made half the nodes of the graph: a node record, a clock reading and a step
// of every backward walk for each copy of 1.0001. So an operand expression keeps
// the constant it made last and takes it again while that node still is the
// constant it would make now: a leaf without gradient holding the same number, of
// the same dtype, with the same origin. The id is checked, not trusted: collecting
// garbage and rewinding renumber the nodes, and an id that now names any other node
// makes a fresh constant. Nothing writes a constant leaf in place (assignment, load
// and train write params), so sharing one is invisible but in the node count.
// The map's answer for an operand is also kept among the recent ones, each slot
// holding the map's latest answer for its operand (Note [Recent origin tags]): a
// loop's operands find it there without hashing.
Tensor Interpreter::operand_constant(double x, DType dt, const Expr& operand) {
  RecentConstant& r = recent_constants_[(reinterpret_cast<std::uintptr_t>(&operand) >> 4) % kRecentConstants];
  NodeId id = kNoNode;
  if (r.operand == &operand) {
    id = r.id;
  } else if (auto it = operand_constants_.find(&operand); it != operand_constants_.end()) {
    id = it->second;
    r = {&operand, id};
  }
  if (id < graph_.size()) {
    const Node& n = graph_[id];
    const bool same = n.is_leaf() && !(n.flags & (kParam | kRequiresGrad)) && n.shape().rank == 0 &&
                      n.dtype == dt && n.origin == graph_.origin() && dispatch(dt, [&]<class T>() {
                        return same_bits(*n.v<T>(), static_cast<T>(x));  // -0 is not 0, NaN is NaN
                      });
    if (same) return {&graph_, id};
  }
  Tensor c = graph_.scalar(x, dt);
  operand_constants_[&operand] = c.id;
  r = {&operand, c.id};
  return c;
}

Value Interpreter::eval_index(const Index& ix, const Expr& e, Ctx& ctx) {
  Value target = eval(*ix.target, ctx);
  if (target.is_list()) {
    const auto& items = target.list();
    const int64_t n = static_cast<int64_t>(items.size());
    if (ix.subscripts.size() != 1) throw Error(ix.subscripts[1].span, "a list takes one index");
    const Subscript& s = ix.subscripts[0];
    if (!s.is_slice) {
      int64_t k = to_integer(eval(*s.start, ctx), s.span, "a list index");
      if (k < -n || k >= n)
        throw Error(s.span, fmt::format("index {} is out of range for a list of {} items", k, n));
      return items[static_cast<std::size_t>(k < 0 ? k + n : k)];
    }
    int64_t step = s.step ? to_integer(eval(*s.step, ctx), s.step->span, "a slice step") : 1;
    if (step == 0) throw Error(s.step->span, "the slice step is zero");
    auto clip = [&](int64_t x) {
      if (x < 0) {
        x += n;
        if (x < 0) x = step < 0 ? -1 : 0;
      } else if (x >= n)
        x = step < 0 ? n - 1 : n;
      return x;
    };
    int64_t start =
        clip(s.start ? to_integer(eval(*s.start, ctx), s.start->span, "a slice start") : default_start(step));
    int64_t stop =
        clip(s.stop ? to_integer(eval(*s.stop, ctx), s.stop->span, "a slice stop") : default_stop(step, n));
    auto out = std::make_shared<std::vector<Value>>();
    for (int64_t k = start; step > 0 ? k < stop : k > stop; k += step)
      out->push_back(items[static_cast<std::size_t>(k)]);
    return Value(out);
  }
  if (target.is_string()) throw Error(ix.target->span, "strings cannot be indexed");
  if (!target.is_tensor()) throw Error(ix.target->span, fmt::format("cannot index {}", a_kind(target)));
  const Tensor t = target.tensor();
  const int rank = t.rank();
  if (rank == 0) throw Error(ix.target->span, "cannot index a scalar (a tensor of rank 0)");
  if (static_cast<int>(ix.subscripts.size()) > rank)
    throw Error(ix.subscripts[static_cast<std::size_t>(rank)].span,
                fmt::format("too many indices: {} for a tensor of shape {}", ix.subscripts.size(),
                            to_string(t.shape())));
  std::vector<SliceSpec> specs;
  std::vector<int64_t> kept_dims;
  bool dropped = false;
  for (std::size_t a = 0; a < ix.subscripts.size(); ++a) {
    const Subscript& s = ix.subscripts[a];
    const int64_t n = t.shape().dims[a];
    if (!s.is_slice) {
      int64_t k = to_integer(eval(*s.start, ctx), s.span, "an index");
      if (k < -n || k >= n)
        throw Error(s.span, fmt::format("index {} is out of range for axis {} of size {}", k, a, n));
      if (k < 0) k += n;
      specs.push_back({k, k + 1, 1});
      dropped = true;
      continue;
    }
    int64_t step = s.step ? to_integer(eval(*s.step, ctx), s.step->span, "a slice step") : 1;
    if (step == 0) throw Error(s.step->span, "the slice step is zero");
    int64_t start =
        s.start ? to_integer(eval(*s.start, ctx), s.start->span, "a slice start") : default_start(step);
    int64_t stop =
        s.stop ? to_integer(eval(*s.stop, ctx), s.stop->span, "a slice stop") : default_stop(step, n);
    specs.push_back({start, stop, step});
  }
  stamp(ctx, e.span);
  return at_span(e.span, [&] {
    Tensor out = slice(t, specs);
    if (!dropped) return Value(out);
    for (int a = 0; a < rank; ++a)
      if (a >= static_cast<int>(ix.subscripts.size()) || ix.subscripts[static_cast<std::size_t>(a)].is_slice)
        kept_dims.push_back(out.shape().dims[a]);
    return Value(reshape(out, kept_dims));
  });
}

Value Interpreter::call(const Value& callee, std::vector<Arg> pos,
                        std::vector<std::pair<std::string, Arg>> kw, Span call_span, Ctx& ctx) {
  if (callee.is_function())
    return call_user(*std::get<std::shared_ptr<const Function>>(callee.v), std::move(pos), std::move(kw),
                     call_span, ctx);
  const Builtin& b = *std::get<const Builtin*>(callee.v);
  Args args(b, std::move(pos), std::move(kw), call_span);
  BuiltinContext bc{graph_, rng_, ctx.base_dir, options_.out};
  bc.call = [&](const Value& fn, std::vector<Value> values) {
    std::vector<Arg> fpos;
    for (Value& v : values) fpos.push_back({std::move(v), call_span});
    return call(fn, std::move(fpos), {}, call_span, ctx);
  };
  bc.params = [&] {
    std::vector<std::pair<std::string, Tensor>> out;
    for (const auto& [name, binding] : globals_)
      if (binding.is_param && binding.value.is_tensor()) out.emplace_back(name, binding.value.tensor());
    return out;
  };
  bc.label_backward = [this](const std::vector<BackwardNode>& made) { label_backward(made); };
  bc.no_gradient = [this, &ctx](const Tensor& t, Span at) { return no_gradient_reason(t, at, ctx); };
  return at_span(call_span, [&] { return b.fn(bc, args); });
}

// The values are moved out of `kw` through a structured binding, which the check does
// not follow.  NOLINTBEGIN(performance-unnecessary-value-param)
Value Interpreter::call_user(const Function& f, std::vector<Arg> pos,
                             std::vector<std::pair<std::string, Arg>> kw, Span call_span, Ctx& ctx) {
  // NOLINTEND(performance-unnecessary-value-param)
  const std::size_t np = f.params.size();
  auto signature = [&] {
    std::string s;
    for (std::size_t k = 0; k < np; ++k) s += (k ? ", " : "") + f.params[k];
    return s;
  };
  if (pos.size() > np)
    throw Error(pos[np].span, fmt::format("{}({}) takes {} argument{}, got {}", f.name, signature(), np,
                                          np == 1 ? "" : "s", pos.size() + kw.size()));
  Scope locals;
  std::vector<bool> given(np, false);
  for (std::size_t k = 0; k < pos.size(); ++k) {
    locals[f.params[k]].value = std::move(pos[k].value);
    given[k] = true;
  }
  for (auto& [name, arg] : kw) {
    std::size_t k = 0;
    while (k < np && f.params[k] != name) ++k;
    if (k == np)
      throw Error(arg.span, fmt::format("{}({}) has no parameter '{}'", f.name, signature(), name));
    if (given[k]) throw Error(arg.span, fmt::format("argument '{}' of {} given twice", name, f.name));
    locals[name].value = std::move(arg.value);
    given[k] = true;
  }
  for (std::size_t k = 0; k < np; ++k)
    if (!given[k])
      throw Error(call_span,
                  fmt::format("{}({}) is missing argument '{}'", f.name, signature(), f.params[k]));
  if (call_depth_ >= options_.limits.max_call_depth)
    throw Error(call_span,
                fmt::format("too many nested calls (more than {}): does '{}' call itself without end?",
                            options_.limits.max_call_depth, f.name));
  tick(call_span, ctx);
  struct DepthGuard {
    int& d;
    explicit DepthGuard(int& x) : d(x) { ++d; }
    ~DepthGuard() { --d; }
  } guard(call_depth_);
  Ctx fctx{f.source, &locals, ctx.base_dir, false};
  Value ret;
  try {
    if (!exec_block(f.body->stmts, fctx, &ret)) return Value();
  } catch (Error& e) {
    // An error in the body shows its line in the function; the note says which
    // call ran it (the innermost few, Error::kMaxAddedNotes).
    if (ctx.source)
      e.add_note(render_note(*ctx.source, {call_span, fmt::format("in this call of {}", f.name)}));
    throw;
  }
  return ret;
}

}  // namespace hinge::lang

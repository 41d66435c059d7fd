// Value: what a hinge expression evaluates to — a number, a bool, a string, a
// tensor (a node of the session's graph), a list, a function or a builtin, an
// optimizer description, or nothing.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "hinge/tensor.hpp"
#include "syntax/tree.hpp"

namespace hinge::lang {

struct Value;
struct Builtin;

// A user function from `def`: its definition stays alive with the value (the REPL
// keeps functions whose defining entry is long gone). `source` is the text the
// body's spans point into, for error messages raised inside the body.
struct Function {
  std::string name;
  std::vector<std::string> params;
  std::shared_ptr<const syntax::Block> body;
  std::shared_ptr<const Source> source;
};

// What `sgd(lr=0.1)`, `adam(lr=0.01, schedule="cosine")` evaluate to: the train
// statement builds the engine optimizer from it once it knows the parameters.
struct OptimizerSpec {
  std::string kind;                       // "sgd", "momentum", "adam", "adamw"
  std::map<std::string, double> options;  // lr, momentum, beta1, beta2, eps, weight_decay, nesterov (0/1)
  std::string schedule = "constant";      // "constant", "step", "cosine"
  std::map<std::string, double> schedule_options;  // step_size, gamma, min_lr
};

using ListPtr = std::shared_ptr<std::vector<Value>>;

// Note [Numbers and tensors]
// Plain numbers stay doubles: `n * 2` in a loop builds no graph node. A number
// meets a tensor only through an op, where it becomes a scalar constant of the
// tensor's dtype. A list literal of numbers is a constant tensor; a list literal
// holding tensors of one shape is stack()ed (so gradients flow through it);
// anything else (strings, functions, mixed shapes) stays a List.
struct Value {
  std::variant<std::monostate, double, bool, std::string, Tensor, ListPtr, std::shared_ptr<const Function>,
               const Builtin*, std::shared_ptr<const OptimizerSpec>>
      v;

  Value() = default;
  // Note [Freeing nested lists]: a list of lists of lists ... 1,800,000 deep is built
  // in a loop (`a = [a, "y"]`); the default destructor would free it recursively and
  // overflow the stack. The last owner of a list frees it with a work list instead.
  ~Value() {
    if (auto* l = std::get_if<ListPtr>(&v); l && *l && l->use_count() == 1) release_list(std::move(*l));
  }
  Value(const Value&) = default;
  Value(Value&&) noexcept = default;
  Value& operator=(const Value& other) { return *this = Value(other); }
  Value& operator=(Value&& other) noexcept {
    if (this == &other) return *this;
    // A tensor over a tensor, as a loop's `y = y * 2` assigns at every iteration:
    // a copy of the handle, where the variant's assignment visits both sides.
    if (auto* t = std::get_if<Tensor>(&v))
      if (const auto* o = std::get_if<Tensor>(&other.v)) {
        *t = *o;
        return *this;
      }
    if (!is_list()) {  // only a list needs freeing with care
      v = std::move(other.v);
      return *this;
    }
    Value old(std::move(*this));  // the old value is freed by ~Value, iteratively
    v = std::move(other.v);
    return *this;
  }
  Value(double d) : v(d) {}
  Value(bool b) : v(b) {}
  Value(std::string s) : v(std::move(s)) {}
  Value(Tensor t) : v(t) {}
  Value(ListPtr l) : v(std::move(l)) {}
  Value(std::shared_ptr<const Function> f) : v(std::move(f)) {}
  Value(const Builtin* b) : v(b) {}
  Value(std::shared_ptr<const OptimizerSpec> o) : v(std::move(o)) {}

  bool is_none() const { return v.index() == 0; }
  bool is_number() const { return std::holds_alternative<double>(v); }
  bool is_bool() const { return std::holds_alternative<bool>(v); }
  bool is_string() const { return std::holds_alternative<std::string>(v); }
  bool is_tensor() const { return std::holds_alternative<Tensor>(v); }
  bool is_list() const { return std::holds_alternative<ListPtr>(v); }
  bool is_function() const { return std::holds_alternative<std::shared_ptr<const Function>>(v); }
  bool is_builtin() const { return std::holds_alternative<const Builtin*>(v); }
  bool is_optimizer() const { return std::holds_alternative<std::shared_ptr<const OptimizerSpec>>(v); }

  double number() const { return std::get<double>(v); }
  const Tensor& tensor() const { return std::get<Tensor>(v); }
  const std::string& string() const { return std::get<std::string>(v); }
  const std::vector<Value>& list() const { return *std::get<ListPtr>(v); }

 private:
  static void release_list(ListPtr root) noexcept;  // value.cpp
};

// "number", "tensor [3, 4]", "string", "list", "function f", "builtin relu", ...
// as used in error messages: "expected a tensor, got a string".
std::string kind_name(const Value& v);
// The same with an article, for messages: "a number", "an optimizer", "none".
std::string a_kind(const Value& v);

}  // namespace hinge::lang

// Names of value kinds for error messages ("expected a tensor, got a string").
#include "eval/value.hpp"

#include <fmt/format.h>

#include "builtins/builtin.hpp"

namespace hinge::lang {

// Note [Freeing nested lists] (value.hpp): every list this one owns alone is moved
// out onto a work list before the vector holding it is freed, so each vector's
// items die shallowly (their lists are gone, or shared and only released).
void Value::release_list(ListPtr root) noexcept {
  std::vector<ListPtr> pending;
  pending.push_back(std::move(root));
  while (!pending.empty()) {
    ListPtr l = std::move(pending.back());
    pending.pop_back();
    for (Value& item : *l)
      if (auto* inner = std::get_if<ListPtr>(&item.v); inner && *inner && inner->use_count() == 1)
        pending.push_back(std::move(*inner));
  }
}

std::string kind_name(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "none";
        else if constexpr (std::is_same_v<T, double>)
          return "number";
        else if constexpr (std::is_same_v<T, bool>)
          return "bool";
        else if constexpr (std::is_same_v<T, std::string>)
          return "string";
        else if constexpr (std::is_same_v<T, Tensor>)
          return "tensor " + to_string(x.shape());
        else if constexpr (std::is_same_v<T, ListPtr>)
          return "list";
        else if constexpr (std::is_same_v<T, std::shared_ptr<const Function>>)
          return "function " + x->name;
        else if constexpr (std::is_same_v<T, const Builtin*>)
          return "builtin " + std::string(x->name);
        else
          return "optimizer";
      },
      v.v);
}

std::string a_kind(const Value& v) {
  if (v.is_none()) return "none";
  if (v.is_optimizer()) return "an optimizer";
  return "a " + kind_name(v);
}

}  // namespace hinge::lang

// Tearing down expression trees without recursion (Note [Teardown]).
#include <memory>
#include <utility>
#include <variant>
#include <vector>

#include "syntax/tree.hpp"

namespace hinge::lang::syntax {

// Note [Teardown]
// A flat chain `1 + 1 + ... + 1` lowers to a left-nested Binary as deep as the chain
// is long, and the default destructors would recurse once per level: 180,000 terms
// overflowed the 8 MB main stack at exit. Every Box<Expr> hands its subtree here
// instead: one pass moves every boxed node out into a flat list (a work list of the
// nodes still to open, in-place list items and arguments included), then the list
// is freed, each node's boxes already empty. Only the nesting of in-place vectors
// (a list inside a list, arguments inside arguments) remains recursive, and each of
// those levels is a bracket, bounded by the parser's nesting limit.
void release_tree(std::unique_ptr<Expr> root) noexcept {
  std::vector<std::unique_ptr<Expr>> owned;
  std::vector<Expr*> open;
  open.push_back(root.get());
  owned.push_back(std::move(root));
  auto take = [&](Box<Expr>& b) {
    if (!b) return;
    std::unique_ptr<Expr> p = b.release();
    open.push_back(p.get());
    owned.push_back(std::move(p));
  };
  while (!open.empty()) {
    Expr* e = open.back();
    open.pop_back();
    if (auto* s = std::get_if<String>(&e->node)) {
      for (StringPart& part : s->parts) take(part.expr);
    } else if (auto* l = std::get_if<List>(&e->node)) {
      for (Expr& item : l->items) open.push_back(&item);
    } else if (auto* u = std::get_if<Unary>(&e->node)) {
      take(u->operand);
    } else if (auto* b = std::get_if<Binary>(&e->node)) {
      take(b->lhs);
      take(b->rhs);
    } else if (auto* c = std::get_if<Call>(&e->node)) {
      take(c->callee);
      for (Expr& a : c->args) open.push_back(&a);
      for (KeywordArg& k : c->kwargs) take(k.value);
    } else if (auto* ix = std::get_if<Index>(&e->node)) {
      take(ix->target);
      for (Subscript& s : ix->subscripts) {
        take(s.start);
        take(s.stop);
        take(s.step);
      }
    }
  }
  // `owned` is freed here, each node shallowly.
}

}  // namespace hinge::lang::syntax
